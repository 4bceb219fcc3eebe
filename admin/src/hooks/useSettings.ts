import * as React from 'react';
import { useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../../../common/constants';
import { settingsSchema, type Settings, type SettingsPatch } from '../../../common/settings';
import { errorMessage, fieldErrors, useT } from '../utils/api';
import { PERMISSIONS } from '../utils/permissions';

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

/**
 * The settings as a form: `canUpdate` says whether this admin may change them; `submit` saves a
 * patch, keeps the field errors of a refusal for the form's fields and says how it went in a
 * notification. `onSaved` runs before that notification.
 */
export const useSettingsForm = () => {
  const t = useT();
  const { toggleNotification } = useNotification();
  const { allowedActions } = useRBAC({
    read: PERMISSIONS.settingsRead,
    update: PERMISSIONS.settingsUpdate,
  });
  const { settings, loadError, save } = useSettings();
  const [saving, setSaving] = React.useState(false);
  const [errors, setErrors] = React.useState<Record<string, string>>({});

  const submit = async (patch: SettingsPatch, onSaved?: () => void) => {
    setSaving(true);
    setErrors({});
    try {
      await save(patch);
      onSaved?.();
      toggleNotification({ type: 'success', message: t('settings.saved', 'Settings saved') });
    } catch (error) {
      setErrors(fieldErrors(error));
      toggleNotification({
        type: 'danger',
        message: t('settings.error', 'The settings could not be saved: {message}', {
          message: errorMessage(error),
        }),
      });
    } finally {
      setSaving(false);
    }
  };

  return {
    settings,
    loadError,
    canUpdate: allowedActions.canUpdate,
    saving,
    errors,
    setErrors,
    submit,
  };
};
