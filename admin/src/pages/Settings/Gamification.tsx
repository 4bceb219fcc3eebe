import * as React from 'react';
import { Layouts, Page } from '@strapi/strapi/admin';
import {
  Box,
  Button,
  Flex,
  Grid,
  MultiSelect,
  MultiSelectOption,
  Toggle,
  Typography,
} from '@strapi/design-system';
import { Check } from '@strapi/icons';
import { FormField, NumberField, TextField } from '../../components/FormField';
import { protectedPage } from '../../components/ProtectedPage';
import { useSettingsForm } from '../../hooks/useSettings';
import { CredentialsSection } from './CredentialsSection';
import { NotificationsSection } from './NotificationsSection';
import { PointsSection } from './PointsSection';
import { useLoad, useT } from '../../utils/api';
import { PERMISSIONS } from '../../utils/permissions';
import type { AdminMeta } from '../../../../common/admin-api';
import type {
  NotificationSettings,
  PointsSettings,
  PrivacySettings,
  StreakSettings,
} from '../../../../common/settings';

const GamificationSettings = () => {
  const t = useT();
  const { settings, loadError, canUpdate, saving, errors, submit } = useSettingsForm();
  const [enabled, setEnabled] = React.useState(false);
  const [streaks, setStreaks] = React.useState<StreakSettings | null>(null);
  const [privacy, setPrivacy] = React.useState<PrivacySettings | null>(null);
  const [notifications, setNotifications] = React.useState<NotificationSettings | null>(null);
  const [points, setPoints] = React.useState<PointsSettings | null>(null);
  const meta = useLoad<AdminMeta>('/settings/meta');

  React.useEffect(() => {
    if (settings) {
      setEnabled(settings.enabled);
      setStreaks(settings.streaks);
      setPrivacy(settings.privacy);
      setNotifications(settings.notifications);
      setPoints(settings.points);
    }
  }, [settings]);

  if (loadError) return <Page.Error />;
  if (!settings || !streaks || !privacy || !notifications || !points) return <Page.Loading />;
  const dirty =
    enabled !== settings.enabled ||
    JSON.stringify(streaks) !== JSON.stringify(settings.streaks) ||
    privacy.revokeCredentialsOnErase !== settings.privacy.revokeCredentialsOnErase ||
    JSON.stringify(notifications) !== JSON.stringify(settings.notifications) ||
    JSON.stringify(points) !== JSON.stringify(settings.points);
  const events = Array.from(new Set([...(meta.data?.events ?? []), ...streaks.events]));

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    await submit({ enabled, streaks, privacy, notifications, points });
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
                disabled={!canUpdate || !dirty}
              >
                {t('settings.save', 'Save')}
              </Button>
            }
          />
          <Layouts.Content>
            <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
              <Flex direction="column" alignItems="stretch" gap={4}>
                <FormField
                  name="enabled"
                  label={t('settings.gamification.enabled.label', 'Enable Achievements')}
                  hint={t(
                    'settings.gamification.enabled.hint',
                    'When off, nothing is awarded and the achievements card is hidden.'
                  )}
                >
                  <Toggle
                    checked={enabled}
                    disabled={!canUpdate}
                    onLabel={t('settings.gamification.on', 'On')}
                    offLabel={t('settings.gamification.off', 'Off')}
                    onChange={(e: React.ChangeEvent<HTMLInputElement>) =>
                      setEnabled(e.target.checked)
                    }
                  />
                </FormField>
              </Flex>
            </Box>
            <Box background="neutral0" padding={6} marginTop={6} shadow="filterShadow" hasRadius>
              <Flex direction="column" alignItems="stretch" gap={4}>
                <Typography variant="delta" tag="h2">
                  {t('settings.streaks.title', 'Learning streaks')}
                </Typography>
                <Grid.Root gap={5}>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <TextField
                      name="streaks.defaultTimezone"
                      label={t('settings.streaks.timezone', 'Default timezone')}
                      hint={t(
                        'settings.streaks.timezone.hint',
                        'An IANA timezone such as Europe/Paris; members may set their own.'
                      )}
                      error={errors['streaks.defaultTimezone']}
                      value={streaks.defaultTimezone}
                      disabled={!canUpdate}
                      onChange={(value) => setStreaks({ ...streaks, defaultTimezone: value })}
                    />
                  </Grid.Item>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <NumberField
                      name="streaks.freezesPerMonth"
                      label={t('settings.streaks.freezes', 'Freezes per month')}
                      hint={t(
                        'settings.streaks.freezes.hint',
                        'Missed days forgiven each month without breaking a streak (0–31).'
                      )}
                      error={errors['streaks.freezesPerMonth']}
                      value={streaks.freezesPerMonth}
                      disabled={!canUpdate}
                      onValueChange={(value) =>
                        setStreaks({ ...streaks, freezesPerMonth: value ?? 0 })
                      }
                    />
                  </Grid.Item>
                  <Grid.Item col={12} direction="column" alignItems="stretch">
                    <FormField
                      name="streaks.events"
                      label={t('settings.streaks.events', 'Events that count toward streaks')}
                      hint={t(
                        'settings.streaks.events.hint',
                        'A day counts toward a streak when the member does one of these.'
                      )}
                      error={
                        errors['streaks.events'] ??
                        Object.entries(errors).find(([k]) => k.startsWith('streaks.events.'))?.[1]
                      }
                    >
                      <MultiSelect
                        withTags
                        value={streaks.events}
                        disabled={!canUpdate}
                        onChange={(value: string[]) => setStreaks({ ...streaks, events: value })}
                      >
                        {events.map((event) => (
                          <MultiSelectOption key={event} value={event}>
                            {event}
                          </MultiSelectOption>
                        ))}
                      </MultiSelect>
                    </FormField>
                  </Grid.Item>
                </Grid.Root>
              </Flex>
            </Box>
            <PointsSection
              value={points}
              onChange={setPoints}
              events={Array.from(new Set([...events, ...Object.keys(points.perEvent)]))}
              errors={errors}
              disabled={!canUpdate}
            />
            <NotificationsSection
              value={notifications}
              onChange={setNotifications}
              errors={errors}
              disabled={!canUpdate}
            />
            <CredentialsSection settings={settings} />
            <Box background="neutral0" padding={6} marginTop={6} shadow="filterShadow" hasRadius>
              <Flex direction="column" alignItems="stretch" gap={4}>
                <Typography variant="delta" tag="h2">
                  {t('settings.privacy.title', 'Data protection')}
                </Typography>
                <FormField
                  name="privacy.revokeCredentialsOnErase"
                  label={t('settings.privacy.revoke.label', 'Revoke credentials on erase')}
                  hint={t(
                    'settings.privacy.revoke.hint',
                    'On: erasing a member revokes their credentials in the status list, so copies they shared say revoked. Off: those copies stay valid. Their rows are deleted either way.'
                  )}
                  error={errors['privacy.revokeCredentialsOnErase']}
                >
                  <Toggle
                    checked={privacy.revokeCredentialsOnErase}
                    disabled={!canUpdate}
                    onLabel={t('settings.gamification.on', 'On')}
                    offLabel={t('settings.gamification.off', 'Off')}
                    onChange={(e: React.ChangeEvent<HTMLInputElement>) =>
                      setPrivacy({ revokeCredentialsOnErase: e.target.checked })
                    }
                  />
                </FormField>
              </Flex>
            </Box>
          </Layouts.Content>
        </form>
      </Page.Main>
    </Layouts.Root>
  );
};

export default protectedPage(PERMISSIONS.settingsRead, GamificationSettings);
