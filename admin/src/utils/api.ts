import * as React from 'react';
import { useIntl } from 'react-intl';
import { useFetchClient } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../../../common/constants';
import { getTranslation } from './translations';

type ApiError = {
  response?: {
    status?: number;
    data?: { error?: { message?: string; details?: { errors?: FieldError[] } } };
  };
  message?: string;
};
type FieldError = { path: string | string[]; message: string };

export const errorMessage = (error: unknown): string => {
  const e = error as ApiError;
  return e?.response?.data?.error?.message ?? e?.message ?? String(error);
};

/** `{ 'criteria.threshold': 'criteria.threshold: must be…' }` from a 400. */
export const fieldErrors = (error: unknown): Record<string, string> => {
  const list = (error as ApiError)?.response?.data?.error?.details?.errors ?? [];
  const out: Record<string, string> = {};
  for (const e of list) {
    const path = Array.isArray(e.path) ? e.path.join('.') : String(e.path);
    if (!(path in out)) out[path] = e.message;
  }
  return out;
};

/** The plugin's admin API, `/achievements/...`, with the admin's JWT. */
export const useApi = () => {
  const client = useFetchClient();
  return React.useMemo(
    () => ({
      get: async <T>(path: string): Promise<T> =>
        (await client.get<{ data: T }>(`/${PLUGIN_ID}${path}`)).data.data,
      getRaw: async <T>(path: string): Promise<T> =>
        (await client.get<T>(`/${PLUGIN_ID}${path}`)).data,
      post: async <T>(path: string, body: unknown = {}): Promise<T> =>
        (await client.post<{ data: T }>(`/${PLUGIN_ID}${path}`, body)).data.data,
      put: async <T>(path: string, body: unknown): Promise<T> =>
        (await client.put<{ data: T }>(`/${PLUGIN_ID}${path}`, body)).data.data,
      del: async <T>(path: string): Promise<T> =>
        (await client.del<{ data: T }>(`/${PLUGIN_ID}${path}`)).data.data,
    }),
    [client]
  );
};

/** `t('key', 'Default {x}', { x })` with the plugin's prefix. */
export const useT = () => {
  const { formatMessage } = useIntl();
  return React.useCallback(
    (id: string, defaultMessage: string, values?: Record<string, React.ReactNode>) =>
      formatMessage({ id: getTranslation(id), defaultMessage }, values as any) as string,
    [formatMessage]
  );
};

/** Loads `path` once (and on `reload()`); `data` is null while loading. */
export const useLoad = <T>(path: string | null) => {
  const api = useApi();
  const [data, setData] = React.useState<T | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [tick, setTick] = React.useState(0);
  React.useEffect(() => {
    if (!path) return;
    let cancelled = false;
    api
      .get<T>(path)
      .then((value) => !cancelled && (setData(value), setError(null)))
      .catch((e) => !cancelled && setError(errorMessage(e)));
    return () => {
      cancelled = true;
    };
  }, [api, path, tick]);
  const reload = React.useCallback(() => setTick((n) => n + 1), []);
  return { data, error, reload, setData };
};
