import * as React from 'react';
import { Layouts, Page, useNotification } from '@strapi/strapi/admin';
import {
  Box,
  Button,
  Checkbox,
  Flex,
  MultiSelect,
  MultiSelectOption,
  ProgressBar,
  Typography,
} from '@strapi/design-system';
import { ArrowClockwise } from '@strapi/icons';
import type { AdminBadge, RecalculationStatus } from '../../../../common/admin-api';
import { FormField } from '../../components/FormField';
import { errorMessage, useApi, useLoad, useT } from '../../utils/api';

const POLL_MS = 1000;

const RecalculatePage = () => {
  const t = useT();
  const api = useApi();
  const { toggleNotification } = useNotification();
  const badges = useLoad<AdminBadge[]>('/badges');
  const [status, setStatus] = React.useState<RecalculationStatus | null>(null);
  const [chosen, setChosen] = React.useState<string[]>([]);
  const [notify, setNotify] = React.useState(false);
  const [starting, setStarting] = React.useState(false);

  // The status lives on the server: polling it makes the bar survive a reload.
  React.useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    const poll = async () => {
      try {
        const next = await api.get<RecalculationStatus>('/recalculate');
        if (cancelled) return;
        setStatus(next);
        if (next.status === 'running') timer = setTimeout(poll, POLL_MS);
      } catch {
        if (!cancelled) timer = setTimeout(poll, POLL_MS * 3);
      }
    };
    void poll();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, status?.status === 'running' ? status.startedAt : status?.status]);

  if (!status) return <Page.Loading />;
  const running = status.status === 'running';
  const percent =
    status.total > 0 ? Math.min(100, Math.floor((status.processed / status.total) * 100)) : 0;
  const shown = status.status === 'done' ? 100 : percent;
  const elapsed = status.startedAt ? Date.now() - new Date(status.startedAt).getTime() : 0;
  const left =
    running && status.processed > 0
      ? Math.max(
          0,
          Math.round(((elapsed / status.processed) * (status.total - status.processed)) / 1000)
        )
      : null;

  const start = async () => {
    setStarting(true);
    try {
      setStatus(
        await api.post<RecalculationStatus>('/recalculate', {
          ...(chosen.length ? { badges: chosen } : {}),
          notify,
        })
      );
    } catch (error) {
      toggleNotification({ type: 'danger', message: errorMessage(error) });
    } finally {
      setStarting(false);
    }
  };

  return (
    <Layouts.Root>
      <Page.Title>{t('recalculate.title', 'Recalculate')}</Page.Title>
      <Page.Main>
        <Layouts.Header
          title={t('recalculate.title', 'Recalculate')}
          subtitle={t(
            'recalculate.subtitle',
            'Replays existing activity and awards every badge members already deserve.'
          )}
          primaryAction={
            <Button
              startIcon={<ArrowClockwise />}
              onClick={start}
              loading={starting}
              disabled={running}
            >
              {t('recalculate.start', 'Start recalculation')}
            </Button>
          }
        />
        <Layouts.Content>
          <Flex direction="column" alignItems="stretch" gap={6}>
            <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
              <Flex direction="column" alignItems="stretch" gap={4}>
                <FormField
                  name="badges"
                  label={t('recalculate.badges', 'Badges')}
                  hint={t('recalculate.badges.hint', 'Leave empty to recalculate every badge.')}
                >
                  <MultiSelect
                    withTags
                    value={chosen}
                    disabled={running}
                    placeholder={t('recalculate.all', 'All badges')}
                    onChange={(v: string[]) => setChosen(v)}
                  >
                    {(badges.data ?? []).map((b) => (
                      <MultiSelectOption key={b.slug} value={b.slug}>
                        {b.name}
                      </MultiSelectOption>
                    ))}
                  </MultiSelect>
                </FormField>
                <FormField
                  name="notify"
                  hint={t(
                    'recalculate.notify.hint',
                    'Off: badges are awarded silently, without webhooks or notifications.'
                  )}
                >
                  <Checkbox
                    checked={notify}
                    disabled={running}
                    onCheckedChange={(c: boolean | 'indeterminate') => setNotify(c === true)}
                  >
                    {t('recalculate.notify', 'Notify members')}
                  </Checkbox>
                </FormField>
              </Flex>
            </Box>
            <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
              <Flex direction="column" alignItems="stretch" gap={3}>
                <Typography variant="delta" tag="h2">
                  {
                    {
                      idle: t('recalculate.status.idle', 'No recalculation has run yet'),
                      running: t('recalculate.status.running', 'Recalculating…'),
                      done: t('recalculate.status.done', 'Finished'),
                      failed: t('recalculate.status.failed', 'Failed: {error}', {
                        error: status.error ?? '',
                      }),
                    }[status.status]
                  }
                </Typography>
                {status.status !== 'idle' ? (
                  <>
                    <ProgressBar
                      value={shown}
                      size="M"
                      aria-label={t('recalculate.progress', 'Recalculation progress')}
                    />
                    <Typography data-testid="recalc-progress">
                      {t('recalculate.counts', '{percent}% · {processed} / {total}', {
                        percent: shown,
                        processed: status.status === 'done' ? status.total : status.processed,
                        total: status.total,
                      })}
                      {left !== null
                        ? ` · ${t('recalculate.left', 'about {seconds} s left', { seconds: left })}`
                        : ''}
                    </Typography>
                  </>
                ) : null}
              </Flex>
            </Box>
          </Flex>
        </Layouts.Content>
      </Page.Main>
    </Layouts.Root>
  );
};

export default RecalculatePage;
