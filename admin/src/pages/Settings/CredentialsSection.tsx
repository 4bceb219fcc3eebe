import * as React from 'react';
import { useNotification, useRBAC } from '@strapi/strapi/admin';
import { Box, Button, Flex, Grid, Toggle, Typography } from '@strapi/design-system';
import { ArrowClockwise, Check } from '@strapi/icons';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { FormField, TextField } from '../../components/FormField';
import { errorMessage, fieldErrors, useApi, useLoad, useT } from '../../utils/api';
import { PERMISSIONS } from '../../utils/permissions';
import type { CredentialSettings, Settings } from '../../../../common/settings';

/** What `GET /achievements/credentials` answers: public material only, never a private key. */
interface CredentialsStatus {
  secretConfigured: boolean;
  secretEnv: string;
  did: string;
  didDocumentUrl: string;
  jwksUrl: string;
  keys: Array<{ kid: string; algorithm: string; status: string; createdAt: string }>;
  issued: number;
}

/**
 * Settings → Gamification → Credentials: Open Badges 3.0 on or off, the issuer profile, public
 * credentials, and key rotation (after a confirmation). Saved through its own route, which
 * refuses to switch credentials on without the secret in the environment.
 */
export const CredentialsSection = ({ settings }: { settings: Settings }) => {
  const t = useT();
  const api = useApi();
  const { toggleNotification } = useNotification();
  const { allowedActions } = useRBAC({ update: PERMISSIONS.settingsUpdate });
  const canUpdate = !!allowedActions.canUpdate;
  const status = useLoad<CredentialsStatus>('/credentials');
  const [saved, setSaved] = React.useState<CredentialSettings>(settings.credentials);
  const [form, setForm] = React.useState<CredentialSettings>(settings.credentials);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [saving, setSaving] = React.useState(false);
  const [confirming, setConfirming] = React.useState<true | null>(null);
  const [rotating, setRotating] = React.useState(false);
  const dirty = JSON.stringify(form) !== JSON.stringify(saved);
  const issuer = (key: keyof CredentialSettings['issuer'], value: string) =>
    setForm({ ...form, issuer: { ...form.issuer, [key]: value } });

  const save = async () => {
    setSaving(true);
    setErrors({});
    try {
      const next = await api.put<Settings>('/credentials/settings', { credentials: form });
      setSaved(next.credentials);
      setForm(next.credentials);
      status.reload();
      toggleNotification({
        type: 'success',
        message: t('settings.credentials.saved', 'Credential settings saved'),
      });
    } catch (error) {
      setErrors(fieldErrors(error));
      toggleNotification({ type: 'danger', message: errorMessage(error) });
    } finally {
      setSaving(false);
    }
  };

  const rotate = async () => {
    setRotating(true);
    try {
      status.setData(
        await api.post<CredentialsStatus>('/credentials/keys/rotate', { confirm: true })
      );
      toggleNotification({
        type: 'success',
        message: t(
          'settings.credentials.rotated',
          'New keys are in use; the old ones stay published.'
        ),
      });
      setConfirming(null);
    } catch (error) {
      toggleNotification({ type: 'danger', message: errorMessage(error) });
    } finally {
      setRotating(false);
    }
  };

  const current = status.data?.keys.filter((k) => k.status === 'current') ?? [];
  const retired = status.data?.keys.filter((k) => k.status !== 'current') ?? [];

  return (
    <Box background="neutral0" padding={6} marginTop={6} shadow="filterShadow" hasRadius>
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Flex justifyContent="space-between">
          <Typography variant="delta" tag="h2">
            {t('settings.credentials.title', 'Credentials (Open Badges 3.0)')}
          </Typography>
          <Button
            startIcon={<Check />}
            onClick={save}
            loading={saving}
            disabled={!canUpdate || !dirty}
          >
            {t('settings.credentials.save', 'Apply credential settings')}
          </Button>
        </Flex>
        <Typography variant="omega" textColor="neutral600">
          {t(
            'settings.credentials.subtitle',
            'Every earned achievement as a signed credential that wallets and employers can verify.'
          )}
        </Typography>
        {status.data && !status.data.secretConfigured ? (
          <Typography variant="omega" textColor="danger600">
            {t(
              'settings.credentials.noSecret',
              'Set {env} in the app’s environment (32+ characters) to switch credentials on.',
              { env: status.data.secretEnv }
            )}
          </Typography>
        ) : null}
        <Grid.Root gap={5}>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <FormField
              name="credentials.enabled"
              label={t('settings.credentials.enabled', 'Issue credentials')}
              error={errors['credentials.enabled']}
            >
              <Toggle
                checked={form.enabled}
                disabled={!canUpdate}
                onLabel={t('settings.gamification.on', 'On')}
                offLabel={t('settings.gamification.off', 'Off')}
                onChange={(e: React.ChangeEvent<HTMLInputElement>) =>
                  setForm({ ...form, enabled: e.target.checked })
                }
              />
            </FormField>
          </Grid.Item>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <FormField
              name="credentials.publicCredentials"
              label={t('settings.credentials.public', 'Public credentials')}
              hint={t(
                'settings.credentials.public.hint',
                'Anyone may fetch the credentials of members whose profile is public.'
              )}
            >
              <Toggle
                checked={form.publicCredentials}
                disabled={!canUpdate}
                onLabel={t('settings.gamification.on', 'On')}
                offLabel={t('settings.gamification.off', 'Off')}
                onChange={(e: React.ChangeEvent<HTMLInputElement>) =>
                  setForm({ ...form, publicCredentials: e.target.checked })
                }
              />
            </FormField>
          </Grid.Item>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <TextField
              name="credentials.issuer.name"
              label={t('settings.credentials.issuer.name', 'Issuer name')}
              error={errors['credentials.issuer.name']}
              value={form.issuer.name}
              disabled={!canUpdate}
              onChange={(value) => issuer('name', value)}
            />
          </Grid.Item>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <TextField
              name="credentials.issuer.url"
              label={t('settings.credentials.issuer.url', 'Issuer website')}
              error={errors['credentials.issuer.url']}
              value={form.issuer.url}
              disabled={!canUpdate}
              onChange={(value) => issuer('url', value)}
            />
          </Grid.Item>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <TextField
              name="credentials.issuer.image"
              label={t('settings.credentials.issuer.image', 'Issuer logo URL')}
              error={errors['credentials.issuer.image']}
              value={form.issuer.image}
              disabled={!canUpdate}
              onChange={(value) => issuer('image', value)}
            />
          </Grid.Item>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <TextField
              name="credentials.issuer.email"
              label={t('settings.credentials.issuer.email', 'Issuer email')}
              error={errors['credentials.issuer.email']}
              value={form.issuer.email}
              disabled={!canUpdate}
              onChange={(value) => issuer('email', value)}
            />
          </Grid.Item>
          <Grid.Item col={12} direction="column" alignItems="stretch">
            <TextField
              name="credentials.host"
              label={t('settings.credentials.host', 'Issuer host (did:web)')}
              hint={t(
                'settings.credentials.host.hint',
                'Where /api/achievements is served over https, e.g. academy.example. Empty: the public URL of Strapi.'
              )}
              error={errors['credentials.host']}
              value={form.host}
              disabled={!canUpdate}
              onChange={(value) => setForm({ ...form, host: value })}
            />
          </Grid.Item>
        </Grid.Root>
        {status.data ? (
          <Flex direction="column" alignItems="stretch" gap={2}>
            <Typography variant="sigma" textColor="neutral600">
              {t('settings.credentials.keys', 'Signing keys')}
            </Typography>
            <Typography variant="omega">
              {t('settings.credentials.did', 'Issuer: {did}', { did: status.data.did })}
            </Typography>
            <Typography variant="omega" textColor="neutral600">
              {t(
                'settings.credentials.keyCount',
                '{current} current, {retired} retired (still published) · {issued} credentials issued',
                { current: current.length, retired: retired.length, issued: status.data.issued }
              )}
            </Typography>
            <Box>
              <Button
                variant="danger-light"
                startIcon={<ArrowClockwise />}
                disabled={!canUpdate || !status.data.secretConfigured}
                onClick={() => setConfirming(true)}
              >
                {t('settings.credentials.rotate', 'Rotate keys')}
              </Button>
            </Box>
          </Flex>
        ) : null}
      </Flex>
      <ConfirmDialog
        subject={confirming}
        onClose={() => setConfirming(null)}
        title={() => t('settings.credentials.rotate.title', 'Rotate the signing keys?')}
        confirmLabel={t('settings.credentials.rotate.confirm', 'Rotate keys')}
        disabled={rotating}
        onConfirm={rotate}
      >
        {() =>
          t(
            'settings.credentials.rotate.body',
            'New credentials will be signed with new keys. Credentials issued before keep verifying: the old public keys stay published.'
          )
        }
      </ConfirmDialog>
    </Box>
  );
};
