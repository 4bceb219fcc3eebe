import * as React from 'react';
import { useIntl } from 'react-intl';
import { Layouts, Page, useNotification, useRBAC } from '@strapi/strapi/admin';
import { Box, Button, Field, Flex, Toggle, Typography } from '@strapi/design-system';
import { Check } from '@strapi/icons';
import { ACTIONS } from '../../../../common/constants';
import { errorMessage, useSettings } from '../../hooks/useSettings';
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

  React.useEffect(() => {
    if (settings) setEnabled(settings.enabled);
  }, [settings]);

  if (loadError) return <Page.Error />;
  if (!settings) return <Page.Loading />;

  const t = (id: string, defaultMessage: string, values?: Record<string, string>) =>
    formatMessage({ id: getTranslation(id), defaultMessage }, values);

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    setSaving(true);
    try {
      await save({ enabled });
      toggleNotification({ type: 'success', message: t('settings.saved', 'Settings saved') });
    } catch (error) {
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
                disabled={!allowedActions.canUpdate || enabled === settings.enabled}
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
                <Typography variant="pi" textColor="neutral600" />
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
