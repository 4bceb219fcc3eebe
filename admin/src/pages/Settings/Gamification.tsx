import * as React from 'react';
import { useIntl } from 'react-intl';
import { Layouts, Page, useNotification, useRBAC } from '@strapi/strapi/admin';
import {
  Box,
  Button,
  Field,
  Flex,
  Grid,
  MultiSelect,
  MultiSelectOption,
  NumberInput,
  TextInput,
  Toggle,
  Typography,
} from '@strapi/design-system';
import { Check } from '@strapi/icons';
import { ACTIONS } from '../../../../common/constants';
import { errorMessage, useSettings } from '../../hooks/useSettings';
import { fieldErrors, useLoad } from '../../utils/api';
import type { AdminMeta } from '../../../../common/admin-api';
import type { StreakSettings } from '../../../../common/settings';
import { getTranslation } from '../../utils/translations';

const PERMISSIONS = {
  read: [{ action: ACTIONS.settingsRead, subject: null }],
  update: [{ action: ACTIONS.settingsUpdate, subject: null }],
};

const GamificationSettings = () => {
  const { formatMessage } = useIntl();
  const { toggleNotification } = useNotification();
  const { allowedActions } = useRBAC(PERMISSIONS);
  const { settings, loadError, save } = useSettings();
  const [enabled, setEnabled] = React.useState(false);
  const [saving, setSaving] = React.useState(false);
  const [streaks, setStreaks] = React.useState<StreakSettings | null>(null);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const meta = useLoad<AdminMeta>('/settings/meta');

  React.useEffect(() => {
    if (settings) {
      setEnabled(settings.enabled);
      setStreaks(settings.streaks);
    }
  }, [settings]);

  if (loadError) return <Page.Error />;
  if (!settings || !streaks) return <Page.Loading />;
  const dirty =
    enabled !== settings.enabled || JSON.stringify(streaks) !== JSON.stringify(settings.streaks);
  const events = Array.from(new Set([...(meta.data?.events ?? []), ...streaks.events]));

  const t = (id: string, defaultMessage: string, values?: Record<string, string>) =>
    formatMessage({ id: getTranslation(id), defaultMessage }, values);

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setErrors({});
    try {
      await save({ enabled, streaks });
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

  return (
    <Layouts.Root>
      <Page.Title>{t('settings.gamification.title', 'Gamification')}</Page.Title>
      <Page.Main>
        <form onSubmit={onSubmit}>
          <Layouts.Header
            title={t('settings.gamification.title', 'Gamification')}
            subtitle={t(
              'settings.gamification.subtitle',
              'Reward members with badges, progress and learning streaks.'
            )}
            primaryAction={
              <Button
                type="submit"
                startIcon={<Check />}
                loading={saving}
                disabled={!allowedActions.canUpdate || !dirty}
              >
                {t('settings.save', 'Save')}
              </Button>
            }
          />
          <Layouts.Content>
            <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
              <Flex direction="column" alignItems="stretch" gap={4}>
                <Field.Root
                  name="enabled"
                  hint={t(
                    'settings.gamification.enabled.hint',
                    'When off, nothing is awarded and the achievements card is hidden.'
                  )}
                >
                  <Field.Label>
                    {t('settings.gamification.enabled.label', 'Enable Achievements')}
                  </Field.Label>
                  <Toggle
                    checked={enabled}
                    disabled={!allowedActions.canUpdate}
                    onLabel={t('settings.gamification.on', 'On')}
                    offLabel={t('settings.gamification.off', 'Off')}
                    onChange={(e: React.ChangeEvent<HTMLInputElement>) =>
                      setEnabled(e.target.checked)
                    }
                  />
                  <Field.Hint />
                </Field.Root>
              </Flex>
            </Box>
            <Box background="neutral0" padding={6} marginTop={6} shadow="filterShadow" hasRadius>
              <Flex direction="column" alignItems="stretch" gap={4}>
                <Typography variant="delta" tag="h2">
                  {t('settings.streaks.title', 'Learning streaks')}
                </Typography>
                <Grid.Root gap={5}>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <Field.Root
                      name="streaks.defaultTimezone"
                      error={errors['streaks.defaultTimezone']}
                      hint={t(
                        'settings.streaks.timezone.hint',
                        'An IANA timezone such as Europe/Paris; members may set their own.'
                      )}
                    >
                      <Field.Label>
                        {t('settings.streaks.timezone', 'Default timezone')}
                      </Field.Label>
                      <TextInput
                        value={streaks.defaultTimezone}
                        disabled={!allowedActions.canUpdate}
                        onChange={(e: React.ChangeEvent<HTMLInputElement>) =>
                          setStreaks({ ...streaks, defaultTimezone: e.target.value })
                        }
                      />
                      <Field.Hint />
                      <Field.Error />
                    </Field.Root>
                  </Grid.Item>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <Field.Root
                      name="streaks.freezesPerMonth"
                      error={errors['streaks.freezesPerMonth']}
                      hint={t(
                        'settings.streaks.freezes.hint',
                        'Missed days forgiven each month without breaking a streak (0–31).'
                      )}
                    >
                      <Field.Label>
                        {t('settings.streaks.freezes', 'Freezes per month')}
                      </Field.Label>
                      <NumberInput
                        value={streaks.freezesPerMonth}
                        disabled={!allowedActions.canUpdate}
                        onValueChange={(value: number | undefined) =>
                          setStreaks({ ...streaks, freezesPerMonth: value ?? 0 })
                        }
                      />
                      <Field.Hint />
                      <Field.Error />
                    </Field.Root>
                  </Grid.Item>
                  <Grid.Item col={12} direction="column" alignItems="stretch">
                    <Field.Root
                      name="streaks.events"
                      error={
                        errors['streaks.events'] ??
                        Object.entries(errors).find(([k]) => k.startsWith('streaks.events.'))?.[1]
                      }
                      hint={t(
                        'settings.streaks.events.hint',
                        'A day counts toward a streak when the member does one of these.'
                      )}
                    >
                      <Field.Label>
                        {t('settings.streaks.events', 'Events that count toward streaks')}
                      </Field.Label>
                      <MultiSelect
                        withTags
                        value={streaks.events}
                        disabled={!allowedActions.canUpdate}
                        onChange={(value: string[]) => setStreaks({ ...streaks, events: value })}
                      >
                        {events.map((event) => (
                          <MultiSelectOption key={event} value={event}>
                            {event}
                          </MultiSelectOption>
                        ))}
                      </MultiSelect>
                      <Field.Hint />
                      <Field.Error />
                    </Field.Root>
                  </Grid.Item>
                </Grid.Root>
              </Flex>
            </Box>
          </Layouts.Content>
        </form>
      </Page.Main>
    </Layouts.Root>
  );
};

const ProtectedGamificationSettings = () => (
  <Page.Protect permissions={PERMISSIONS.read}>
    <GamificationSettings />
  </Page.Protect>
);

export default ProtectedGamificationSettings;
