import * as React from 'react';
import { useFetchClient } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../../../common/constants';
import { settingsSchema, type Settings, type SettingsPatch } from '../../../common/settings';

type ApiError = {
  response?: { data?: { error?: { message?: string; details?: unknown } } };
  message?: string;
};

export const errorMessage = (error: unknown): string => {
  const e = error as ApiError;
  return e?.response?.data?.error?.message ?? e?.message ?? String(error);
};

/** Loads and saves the plugin settings through the admin API; what arrives is validated. */
export const useSettings = () => {
  const { get, put } = useFetchClient();
  const [settings, setSettings] = React.useState<Settings | null>(null);
  const [loadError, setLoadError] = React.useState<string | null>(null);

  React.useEffect(() => {
    let cancelled = false;
    get<{ data: unknown }>(`/${PLUGIN_ID}/settings`)
      .then(({ data }) => {
        if (!cancelled) setSettings(settingsSchema.parse(data.data));
      })
      .catch((error: unknown) => {
        if (!cancelled) setLoadError(errorMessage(error));
      });
    return () => {
      cancelled = true;
    };
  }, [get]);

  const save = React.useCallback(
    async (patch: SettingsPatch) => {
      const { data } = await put<{ data: unknown }>(`/${PLUGIN_ID}/settings`, patch);
      const next = settingsSchema.parse(data.data);
      setSettings(next);
      return next;
    },
    [put]
  );

  return { settings, loadError, save };
};
