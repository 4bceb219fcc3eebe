import * as React from 'react';
import { useIntl } from 'react-intl';
import { Box, Flex, Grid, Toggle, Typography } from '@strapi/design-system';
import { FormField, SelectField, TextField } from '../../components/FormField';
import { useT } from '../../utils/api';
import {
  DIGEST_FREQUENCIES,
  EMAIL_LANGUAGES,
  WEEKDAYS,
  type NotificationSettings,
} from '../../../../common/settings';

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

/**
 * Settings → Gamification → Notifications: email digests on or off, how often, at which hour of
 * each member's own day, the sender's name and the language of members who chose none. Saved
 * with the page's Save button.
 */
export const NotificationsSection = ({
  value,
  onChange,
  errors,
  disabled,
}: {
  value: NotificationSettings;
  onChange: (next: NotificationSettings) => void;
  errors: Record<string, string>;
  disabled: boolean;
}) => {
  const t = useT();
  const { locale } = useIntl();
  const frequencyLabel: Record<(typeof DIGEST_FREQUENCIES)[number], string> = {
    immediately: t('settings.notifications.frequency.immediately', 'Immediately'),
    daily: t('settings.notifications.frequency.daily', 'Daily'),
    weekly: t('settings.notifications.frequency.weekly', 'Weekly'),
  };
  // Day names in the admin's language, from a known Monday (5 January 2026).
  const weekdayName = (weekday: number) =>
    new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(
      Date.UTC(2026, 0, 4 + weekday)
    );
  const languageLabel: Record<(typeof EMAIL_LANGUAGES)[number], string> = {
    en: t('settings.notifications.language.en', 'English'),
    fr: t('settings.notifications.language.fr', 'French'),
  };
  return (
    <Box background="neutral0" padding={6} marginTop={6} shadow="filterShadow" hasRadius>
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Typography variant="delta" tag="h2">
          {t('settings.notifications.title', 'Notifications')}
        </Typography>
        <Typography variant="omega" textColor="neutral600">
          {t(
            'settings.notifications.subtitle',
            'Email digests group what members earned since the last email. They are sent through the Email plugin: configure its provider first.'
          )}
        </Typography>
        <Grid.Root gap={5}>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <FormField
              name="notifications.email"
              label={t('settings.notifications.email', 'Email digests')}
              hint={t(
                'settings.notifications.email.hint',
                'Members can turn them off with the unsubscribe link in every email.'
              )}
              error={errors['notifications.email']}
            >
              <Toggle
                checked={value.email}
                disabled={disabled}
                onLabel={t('settings.gamification.on', 'On')}
                offLabel={t('settings.gamification.off', 'Off')}
                onChange={(e: React.ChangeEvent<HTMLInputElement>) =>
                  onChange({ ...value, email: e.target.checked })
                }
              />
            </FormField>
          </Grid.Item>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <SelectField
              name="notifications.frequency"
              label={t('settings.notifications.frequency', 'Frequency')}
              error={errors['notifications.frequency']}
              value={value.frequency}
              options={DIGEST_FREQUENCIES.map((f) => ({ value: f, label: frequencyLabel[f] }))}
              onChange={(frequency) =>
                onChange({ ...value, frequency: frequency as NotificationSettings['frequency'] })
              }
            />
          </Grid.Item>
          {value.frequency === 'weekly' ? (
            <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
              <SelectField
                name="notifications.sendWeekday"
                label={t('settings.notifications.sendWeekday', 'Send day')}
                hint={t(
                  'settings.notifications.sendWeekday.hint',
                  'Weekly digests leave on this day, in each member’s own timezone.'
                )}
                error={errors['notifications.sendWeekday']}
                value={String(value.sendWeekday)}
                options={WEEKDAYS.map((weekday) => ({
                  value: String(weekday),
                  label: weekdayName(weekday),
                }))}
                onChange={(weekday) => onChange({ ...value, sendWeekday: Number(weekday) })}
              />
            </Grid.Item>
          ) : null}
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <SelectField
              name="notifications.sendHour"
              label={t('settings.notifications.sendHour', 'Send hour')}
              hint={t(
                'settings.notifications.sendHour.hint',
                'In each member’s own timezone (their streak timezone, else the default timezone).'
              )}
              error={errors['notifications.sendHour']}
              value={String(value.sendHour)}
              options={HOURS.map((hour) => ({
                value: String(hour),
                label: `${String(hour).padStart(2, '0')}:00`,
              }))}
              onChange={(hour) => onChange({ ...value, sendHour: Number(hour) })}
            />
          </Grid.Item>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <TextField
              name="notifications.senderName"
              label={t('settings.notifications.senderName', 'Sender name')}
              hint={t(
                'settings.notifications.senderName.hint',
                'Shown before the Email plugin’s default address; empty: that address alone.'
              )}
              error={errors['notifications.senderName']}
              value={value.senderName}
              disabled={disabled}
              onChange={(senderName) => onChange({ ...value, senderName })}
            />
          </Grid.Item>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <SelectField
              name="notifications.defaultLanguage"
              label={t('settings.notifications.defaultLanguage', 'Default email language')}
              hint={t(
                'settings.notifications.defaultLanguage.hint',
                'For members who chose none (PUT /api/achievements/me/preferences).'
              )}
              error={errors['notifications.defaultLanguage']}
              value={value.defaultLanguage}
              options={EMAIL_LANGUAGES.map((l) => ({ value: l, label: languageLabel[l] }))}
              onChange={(language) =>
                onChange({
                  ...value,
                  defaultLanguage: language as NotificationSettings['defaultLanguage'],
                })
              }
            />
          </Grid.Item>
        </Grid.Root>
      </Flex>
    </Box>
  );
};
