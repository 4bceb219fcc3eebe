import * as React from 'react';
import { Layouts, Page, useNotification, useRBAC } from '@strapi/strapi/admin';
import {
  Box,
  Button,
  Flex,
  Grid,
  ProgressBar,
  Searchbar,
  Table,
  Tbody,
  Td,
  Tr,
  Typography,
} from '@strapi/design-system';
import type {
  AdminBadge,
  AdminMemberRow,
  BulkAwardResult,
  ErasePreview,
  ErasureReceipt,
} from '../../../../common/admin-api';
import type { MemberAchievements, Notification } from '../../../../common/api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { SelectField, TextField } from '../../components/FormField';
import { TableHead } from '../../components/TableHead';
import { Tier } from '../../components/Tier';
import { errorMessage, fieldErrors, useApi, useLoad, useT } from '../../utils/api';
import { MemberCredentials } from './MemberCredentials';
import { MemberNotifications } from './MemberNotifications';
import { MemberPoints } from './MemberPoints';
import { useFetchClient } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../../../../common/constants';
import { PERMISSIONS } from '../../utils/permissions';

interface Detail {
  member: AdminMemberRow;
  achievements: MemberAchievements;
  held: Array<{ badge: string; slug: string; name: string; sequence: number; revoked: boolean }>;
  notifications: Notification[];
  erased: boolean;
}

const MembersPage = () => {
  const t = useT();
  const api = useApi();
  const { toggleNotification } = useNotification();
  const { allowedActions } = useRBAC({
    award: PERMISSIONS.award,
    revoke: PERMISSIONS.revoke,
    exportData: PERMISSIONS.exportData, // read back as canExport: useRBAC names by the action
    erase: PERMISSIONS.erase,
    adjustPoints: PERMISSIONS.adjustPoints, // read back as canAdjust
  });
  const client = useFetchClient();
  const [erasing, setErasing] = React.useState<{
    member: AdminMemberRow;
    preview: ErasePreview;
  } | null>(null);
  const [receipt, setReceipt] = React.useState<ErasureReceipt | null>(null);
  const [receipts, setReceipts] = React.useState<ErasureReceipt[] | null>(null);
  const badges = useLoad<AdminBadge[]>('/badges');
  const [q, setQ] = React.useState('');
  const [rows, setRows] = React.useState<AdminMemberRow[] | null>(null);
  const [detail, setDetail] = React.useState<Detail | null>(null);
  const [awardBadge, setAwardBadge] = React.useState<string>('');
  const [reason, setReason] = React.useState('');
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [revoking, setRevoking] = React.useState<{ badge: string; name: string } | null>(null);
  const [revokeReason, setRevokeReason] = React.useState('');
  const [bulk, setBulk] = React.useState({ badge: '', members: '', reason: '' });
  const [bulkResult, setBulkResult] = React.useState<BulkAwardResult | null>(null);
  const [bulkErrors, setBulkErrors] = React.useState<Record<string, string>>({});

  const fail = (e: unknown) => toggleNotification({ type: 'danger', message: errorMessage(e) });

  const search = React.useCallback(
    async (query: string) => {
      try {
        setRows(await api.get<AdminMemberRow[]>(`/members?q=${encodeURIComponent(query)}`));
      } catch (e) {
        fail(e);
      }
    },
    [api]
  );

  React.useEffect(() => {
    void search('');
  }, [search]);

  const open = async (id: number) => {
    try {
      setDetail(await api.get<Detail>(`/members/${id}`));
      setErrors({});
    } catch (e) {
      fail(e);
    }
  };

  const award = async () => {
    if (!detail) return;
    setErrors({});
    try {
      await api.post(`/members/${detail.member.id}/award`, {
        badge: awardBadge,
        ...(reason ? { reason } : {}),
      });
      toggleNotification({ type: 'success', message: t('members.awarded', 'Badge awarded') });
      setReason('');
      await open(detail.member.id);
    } catch (e) {
      setErrors(fieldErrors(e));
      fail(e);
    }
  };

  const revoke = async () => {
    if (!detail || !revoking) return;
    try {
      await api.post(`/members/${detail.member.id}/revoke`, {
        badge: revoking.badge,
        reason: revokeReason,
      });
      toggleNotification({ type: 'success', message: t('members.revoked', 'Badge revoked') });
      setRevoking(null);
      setRevokeReason('');
      await open(detail.member.id);
    } catch (e) {
      fail(e);
    }
  };

  const bulkAward = async (event: React.FormEvent) => {
    event.preventDefault();
    setBulkErrors({});
    setBulkResult(null);
    try {
      setBulkResult(
        await api.post<BulkAwardResult>('/members/bulk-award', {
          badge: bulk.badge,
          members: bulk.members,
          ...(bulk.reason ? { reason: bulk.reason } : {}),
        })
      );
    } catch (e) {
      setBulkErrors(fieldErrors(e));
      fail(e);
    }
  };

  const loadReceipts = React.useCallback(async () => {
    if (!allowedActions.canErase) return;
    try {
      setReceipts(await api.get<ErasureReceipt[]>('/erasures'));
    } catch (e) {
      fail(e);
    }
  }, [api, allowedActions.canErase]);

  React.useEffect(() => {
    void loadReceipts();
  }, [loadReceipts]);

  /** Downloads every row the plugin holds about the member as one JSON file. */
  const exportData = async (member: AdminMemberRow) => {
    try {
      const { data } = await client.get(`/${PLUGIN_ID}/members/${member.id}/export`);
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `achievements-member-${member.id}.json`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(url);
    } catch (e) {
      fail(e);
    }
  };

  /** Lifts the tombstone of a member erased while keeping their account. */
  const allowToEarn = async (member: AdminMemberRow) => {
    try {
      await api.del<ErasureReceipt>(`/members/${member.id}/tombstone`);
      toggleNotification({
        type: 'success',
        message: t('members.erased.lifted', 'The member can earn badges again'),
      });
      await open(member.id);
      await loadReceipts();
    } catch (e) {
      fail(e);
    }
  };

  const askErase = async (member: AdminMemberRow) => {
    try {
      setErasing({ member, preview: await api.get<ErasePreview>(`/members/${member.id}/erase`) });
    } catch (e) {
      fail(e);
    }
  };

  const erase = async () => {
    if (!erasing) return;
    try {
      const done = await api.post<ErasureReceipt>(`/members/${erasing.member.id}/erase`);
      setErasing(null);
      setReceipt(done);
      toggleNotification({
        type: 'success',
        message: t('members.erase.done', 'Data erased: {rows} rows', { rows: done.rows }),
      });
      await open(erasing.member.id);
      await loadReceipts();
    } catch (e) {
      fail(e);
    }
  };

  const receiptTables = (r: ErasureReceipt) =>
    Object.entries(r.tables)
      .map(([table, n]) => `${table}: ${n}`)
      .join(', ');

  if (badges.error) return <Page.Error />;
  if (!badges.data) return <Page.Loading />;
  const slugToDoc = new Map(badges.data.map((b) => [b.slug, b.documentId]));

  const badgeOptions = badges.data.map((b) => ({ value: b.documentId, label: b.name }));

  const a = detail?.achievements;
  const states = a ? a.categories.flatMap((c) => c.badges) : [];

  return (
    <Layouts.Root>
      <Page.Title>{t('members.title', 'Members')}</Page.Title>
      <Page.Main>
        <Layouts.Header
          title={t('members.title', 'Members')}
          subtitle={t('members.subtitle', 'Search members, award or revoke badges by hand.')}
        />
        <Layouts.Content>
          <Grid.Root gap={6}>
            <Grid.Item col={5} s={12} direction="column" alignItems="stretch">
              <Box background="neutral0" padding={4} shadow="filterShadow" hasRadius>
                <Flex direction="column" alignItems="stretch" gap={3}>
                  <form
                    onSubmit={(e) => {
                      e.preventDefault();
                      void search(q);
                    }}
                  >
                    <Searchbar
                      name="q"
                      value={q}
                      clearLabel={t('members.clear', 'Clear')}
                      placeholder={t('members.search', 'Search by username or email')}
                      onClear={() => {
                        setQ('');
                        void search('');
                      }}
                      onChange={(e: React.ChangeEvent<HTMLInputElement>) => setQ(e.target.value)}
                    >
                      {t('members.search', 'Search by username or email')}
                    </Searchbar>
                  </form>
                  <Table colCount={2} rowCount={(rows?.length ?? 0) + 1}>
                    <TableHead
                      columns={[
                        { label: t('members.username', 'Username') },
                        { label: t('members.email', 'Email') },
                      ]}
                    />
                    <Tbody>
                      {(rows ?? []).map((m) => (
                        <Tr
                          key={m.id}
                          onClick={() => open(m.id)}
                          style={{ cursor: 'pointer' }}
                          aria-selected={detail?.member.id === m.id}
                        >
                          <Td>
                            <Button variant="ghost" onClick={() => open(m.id)}>
                              {m.username}
                            </Button>
                          </Td>
                          <Td>
                            <Typography textColor="neutral600">{m.email}</Typography>
                          </Td>
                        </Tr>
                      ))}
                    </Tbody>
                  </Table>
                  {rows && rows.length === 0 ? (
                    <Typography>{t('members.none', 'No member matches.')}</Typography>
                  ) : null}
                </Flex>
              </Box>
            </Grid.Item>
            <Grid.Item col={7} s={12} direction="column" alignItems="stretch">
              <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
                {detail && a ? (
                  <Flex direction="column" alignItems="stretch" gap={4}>
                    <Flex justifyContent="space-between" alignItems="center">
                      <Typography variant="beta" tag="h2">
                        {detail.member.username}
                      </Typography>
                      <Flex gap={2}>
                        {allowedActions.canExport ? (
                          <Button variant="secondary" onClick={() => exportData(detail.member)}>
                            {t('members.export', 'Export data')}
                          </Button>
                        ) : null}
                        {allowedActions.canErase ? (
                          <Button variant="danger-light" onClick={() => askErase(detail.member)}>
                            {t('members.erase', 'Erase data')}
                          </Button>
                        ) : null}
                      </Flex>
                    </Flex>
                    {detail.erased ? (
                      <Box
                        padding={4}
                        hasRadius
                        background="warning100"
                        data-testid="member-erased"
                      >
                        <Flex justifyContent="space-between" alignItems="center" gap={4}>
                          <Typography tag="p">
                            {t(
                              'members.erased',
                              'This member’s data was erased: nothing is recorded for them.'
                            )}
                          </Typography>
                          {allowedActions.canErase ? (
                            <Button variant="secondary" onClick={() => allowToEarn(detail.member)}>
                              {t('members.erased.lift', 'Allow to earn again')}
                            </Button>
                          ) : null}
                        </Flex>
                      </Box>
                    ) : null}
                    {receipt ? (
                      <Box
                        padding={4}
                        hasRadius
                        background="success100"
                        data-testid="erase-receipt"
                      >
                        <Typography tag="p" fontWeight="bold">
                          {t(
                            'members.erase.receipt',
                            'Erasure receipt #{id}: {rows} rows removed',
                            {
                              id: receipt.id,
                              rows: receipt.rows,
                            }
                          )}
                        </Typography>
                        <Typography tag="p" variant="pi">
                          {receiptTables(receipt)}
                        </Typography>
                      </Box>
                    ) : null}
                    <Flex gap={6}>
                      <Typography data-testid="member-points">
                        {t('members.points', '{points} points', { points: a.points })}
                      </Typography>
                      <Typography>
                        {t('members.streak', 'Streak: {current} days (longest {longest})', {
                          current: a.streak.current,
                          longest: a.streak.longest,
                        })}
                      </Typography>
                      <Typography>
                        {t('members.earnedCount', '{earned} of {total} badges', {
                          earned: a.totalEarned,
                          total: a.totalAvailable,
                        })}
                      </Typography>
                    </Flex>
                    <Table colCount={4} rowCount={states.length + 1}>
                      <TableHead
                        columns={[
                          { label: t('badges.col.name', 'Name') },
                          { label: t('badges.col.tier', 'Tier') },
                          { label: t('members.state', 'Earned / progress') },
                          { label: t('badges.col.actions', 'Actions') },
                        ]}
                      />
                      <Tbody>
                        {states.map((b) => (
                          <Tr key={b.slug} data-member-badge={b.slug}>
                            <Td>
                              <Typography fontWeight={b.earned ? 'bold' : undefined}>
                                {b.name}
                              </Typography>
                            </Td>
                            <Td>
                              <Tier tier={b.tier} />
                            </Td>
                            <Td>
                              {b.earned ? (
                                <Typography textColor="success600">
                                  {t('members.earned', 'Earned')}
                                  {b.timesEarned > 1 ? ` ×${b.timesEarned}` : ''}
                                </Typography>
                              ) : b.progress ? (
                                <Flex gap={2}>
                                  <ProgressBar value={b.progress.percent} size="S" />
                                  <Typography variant="pi">
                                    {`${b.progress.current} / ${b.progress.target}`}
                                  </Typography>
                                </Flex>
                              ) : (
                                <Typography textColor="neutral500">
                                  {t('members.locked', 'Locked')}
                                </Typography>
                              )}
                            </Td>
                            <Td>
                              {b.earned && allowedActions.canRevoke ? (
                                <Button
                                  variant="danger-light"
                                  size="S"
                                  onClick={() =>
                                    setRevoking({ badge: slugToDoc.get(b.slug)!, name: b.name })
                                  }
                                >
                                  {t('members.revoke', 'Revoke')}
                                </Button>
                              ) : null}
                            </Td>
                          </Tr>
                        ))}
                      </Tbody>
                    </Table>
                    <MemberPoints
                      memberId={detail.member.id}
                      canAdjust={Boolean(allowedActions.canAdjust)}
                      version={detail}
                      onAdjusted={() => void open(detail.member.id)}
                    />
                    <MemberCredentials memberId={detail.member.id} version={detail} />
                    <MemberNotifications notifications={detail.notifications} />
                    {allowedActions.canAward ? (
                      <Flex gap={2} alignItems="flex-end">
                        <Box flex="1">
                          <SelectField
                            name="badge"
                            label={t('members.awardBadge', 'Badge to award')}
                            error={errors.badge}
                            value={awardBadge}
                            onChange={setAwardBadge}
                            options={badgeOptions}
                          />
                        </Box>
                        <Box flex="1">
                          <TextField
                            name="reason"
                            label={t('members.reason', 'Reason')}
                            error={errors.reason}
                            value={reason}
                            onChange={setReason}
                          />
                        </Box>
                        <Button size="L" onClick={award} disabled={!awardBadge}>
                          {t('members.award', 'Award')}
                        </Button>
                      </Flex>
                    ) : null}
                  </Flex>
                ) : (
                  <Typography textColor="neutral600">
                    {t('members.pick', 'Pick a member to see their achievements.')}
                  </Typography>
                )}
              </Box>
            </Grid.Item>
            {allowedActions.canAward ? (
              <Grid.Item col={12} direction="column" alignItems="stretch">
                <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
                  <form onSubmit={bulkAward}>
                    <Flex direction="column" alignItems="stretch" gap={4}>
                      <Typography variant="delta" tag="h2">
                        {t('members.bulk', 'Bulk award')}
                      </Typography>
                      <Grid.Root gap={4}>
                        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                          <SelectField
                            name="bulk.badge"
                            label={t('members.bulk.badge', 'Badge')}
                            error={bulkErrors.badge}
                            value={bulk.badge}
                            onChange={(v) => setBulk({ ...bulk, badge: v })}
                            options={badgeOptions}
                          />
                        </Grid.Item>
                        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                          <TextField
                            name="bulk.reason"
                            label={t('members.bulk.reason', 'Reason for all')}
                            error={bulkErrors.reason}
                            value={bulk.reason}
                            onChange={(v) => setBulk({ ...bulk, reason: v })}
                          />
                        </Grid.Item>
                        <Grid.Item col={12} direction="column" alignItems="stretch">
                          <TextField
                            multiline
                            name="bulk.members"
                            label={t('members.bulk.members', 'Usernames or emails')}
                            hint={t(
                              'members.bulk.hint',
                              'One username or email per line (commas work too).'
                            )}
                            error={bulkErrors.members}
                            value={bulk.members}
                            onChange={(v) => setBulk({ ...bulk, members: v })}
                          />
                        </Grid.Item>
                      </Grid.Root>
                      <Box>
                        <Button type="submit" disabled={!bulk.badge}>
                          {t('members.bulk.submit', 'Award to all')}
                        </Button>
                      </Box>
                      {bulkResult ? (
                        <Box
                          padding={4}
                          hasRadius
                          background="neutral100"
                          data-testid="bulk-report"
                        >
                          <Typography tag="p">
                            {t('members.bulk.awarded', 'Awarded: {count}', {
                              count: bulkResult.awarded.length,
                            })}
                          </Typography>
                          <Typography tag="p">
                            {t('members.bulk.already', 'Already held: {count}', {
                              count: bulkResult.already.length,
                            })}
                          </Typography>
                          <Typography
                            tag="p"
                            textColor={bulkResult.notFound.length ? 'danger600' : undefined}
                          >
                            {t('members.bulk.notFound', 'Not found: {names}', {
                              names: bulkResult.notFound.length
                                ? bulkResult.notFound.join(', ')
                                : '—',
                            })}
                          </Typography>
                        </Box>
                      ) : null}
                    </Flex>
                  </form>
                </Box>
              </Grid.Item>
            ) : null}
            {allowedActions.canErase && receipts ? (
              <Grid.Item col={12} direction="column" alignItems="stretch">
                <Box
                  background="neutral0"
                  padding={6}
                  shadow="filterShadow"
                  hasRadius
                  data-testid="erasure-receipts"
                >
                  <Flex direction="column" alignItems="stretch" gap={4}>
                    <Typography variant="delta" tag="h2">
                      {t('members.receipts', 'Erasure receipts')}
                    </Typography>
                    <Typography variant="pi" textColor="neutral600">
                      {t(
                        'members.receipts.hint',
                        'Kept for your records: when, what started it and how many rows left each table. They name no one.'
                      )}
                    </Typography>
                    {receipts.length === 0 ? (
                      <Typography>{t('members.receipts.none', 'No erasure yet.')}</Typography>
                    ) : (
                      <Table colCount={5} rowCount={receipts.length + 1}>
                        <TableHead
                          columns={[
                            { label: '#' },
                            { label: t('members.receipts.when', 'Finished') },
                            { label: t('members.receipts.origin', 'Started by') },
                            { label: t('members.receipts.rows', 'Rows') },
                            { label: t('members.receipts.tables', 'Tables') },
                          ]}
                        />
                        <Tbody>
                          {receipts.map((r) => (
                            <Tr key={r.id}>
                              <Td>
                                <Typography>{r.id}</Typography>
                              </Td>
                              <Td>
                                <Typography>
                                  {r.finishedAt
                                    ? new Date(r.finishedAt).toLocaleString()
                                    : t('members.receipts.running', 'running')}
                                </Typography>
                              </Td>
                              <Td>
                                <Typography>
                                  {t(`members.receipts.origin.${r.origin}`, r.origin)}
                                </Typography>
                                {r.admin ? (
                                  <Typography tag="p" variant="pi" textColor="neutral600">
                                    {r.admin.name
                                      ? t('members.receipts.admin', 'by {name}', {
                                          name: r.admin.name,
                                        })
                                      : t(
                                          'members.receipts.adminGone',
                                          'by admin #{id} (account since deleted)',
                                          { id: r.admin.id }
                                        )}
                                  </Typography>
                                ) : null}
                              </Td>
                              <Td>
                                <Typography>{r.rows}</Typography>
                              </Td>
                              <Td>
                                <Typography variant="pi">{receiptTables(r)}</Typography>
                              </Td>
                            </Tr>
                          ))}
                        </Tbody>
                      </Table>
                    )}
                  </Flex>
                </Box>
              </Grid.Item>
            ) : null}
          </Grid.Root>
        </Layouts.Content>
      </Page.Main>
      <ConfirmDialog
        subject={revoking}
        onClose={() => setRevoking(null)}
        title={(r) => t('members.revoke.title', 'Revoke “{name}”?', { name: r.name })}
        confirmLabel={t('members.revoke', 'Revoke')}
        onConfirm={revoke}
        disabled={!revokeReason.trim()}
      >
        {() => (
          <TextField
            name="revokeReason"
            label={t('members.revoke.reason', 'Reason for revoking')}
            required
            value={revokeReason}
            onChange={setRevokeReason}
          />
        )}
      </ConfirmDialog>
      <ConfirmDialog
        subject={erasing}
        onClose={() => setErasing(null)}
        title={(e) =>
          t('members.erase.title', 'Erase every row about “{name}”?', { name: e.member.username })
        }
        confirmLabel={t('members.erase', 'Erase data')}
        onConfirm={erase}
      >
        {(e) => (
          <Flex direction="column" alignItems="stretch" gap={2} data-testid="erase-confirm">
            <Typography tag="p">
              {t('members.erase.lead', 'This removes, and cannot be undone:')}
            </Typography>
            <Typography tag="p">
              {t('members.erase.ledger', '{n} facts in the ledger', { n: e.preview.ledger })}
            </Typography>
            <Typography tag="p">
              {t(
                'members.erase.actedIn',
                '{n} facts about others they caused (kept, actor anonymised)',
                {
                  n: e.preview.ledgerActedIn,
                }
              )}
            </Typography>
            <Typography tag="p">
              {t('members.erase.achievements', '{n} achievements', { n: e.preview.achievements })}
            </Typography>
            <Typography tag="p">
              {t('members.erase.progress', '{n} progress rows', { n: e.preview.progress })}
            </Typography>
            <Typography tag="p">
              {t('members.erase.streaks', '{n} streak', { n: e.preview.streaks })}
            </Typography>
            <Typography tag="p">
              {t('members.erase.preferences', '{n} preference', { n: e.preview.preferences })}
            </Typography>
            <Typography tag="p">
              {t('members.erase.notifications', '{n} notifications', {
                n: e.preview.notifications,
              })}
            </Typography>
            <Typography tag="p">
              {t('members.erase.points', '{n} points entries', { n: e.preview.points })}
            </Typography>
            <Typography tag="p">
              {t('members.erase.digests', '{n} email digests', { n: e.preview.digests })}
            </Typography>
            <Typography tag="p">
              {t('members.erase.credentials', '{n} credentials', { n: e.preview.credentials })}
              {e.preview.credentialsInForce > 0 &&
                (e.preview.revokesCredentials
                  ? t(
                      'members.erase.credentials.revoked',
                      ' ({n} in force: revoked in the status list)',
                      { n: e.preview.credentialsInForce }
                    )
                  : t(
                      'members.erase.credentials.kept',
                      ' ({n} in force: they stay valid for the member, revoking on erase is off)',
                      { n: e.preview.credentialsInForce }
                    ))}
            </Typography>
            <Typography tag="p" variant="pi" textColor="neutral600">
              {t(
                'members.erase.account',
                'The user account stays (delete it in the Content Manager); from now on nothing is recorded for this member.'
              )}
            </Typography>
          </Flex>
        )}
      </ConfirmDialog>
    </Layouts.Root>
  );
};

export default MembersPage;
