import * as React from 'react';
import { Box, Button, Flex, Table, Tbody, Td, Tr, Typography } from '@strapi/design-system';
import { useNotification } from '@strapi/strapi/admin';
import type { AdminMemberPoints, AdminPointsEntry } from '../../../../common/admin-api';
import { NumberField, TextField } from '../../components/FormField';
import { TableHead } from '../../components/TableHead';
import { errorMessage, fieldErrors, useApi, useLoad, useT } from '../../utils/api';

const PAGE_SIZE = 10;

/** Where an entry came from, in a word the admin reads. */
const useSource = () => {
  const t = useT();
  return (e: AdminPointsEntry) =>
    e.source === 'badge'
      ? t('points.source.badge', 'Badge')
      : e.source === 'event'
        ? t('points.source.event', 'Event')
        : t('points.source.admin', 'Adjustment');
};

/**
 * A member's points: total and level, a page of their entries (newest first), and, for an
 * admin with points.adjust, a manual adjustment with a required reason. `version` reloads it
 * after an award or a revocation elsewhere on the page.
 */
export const MemberPoints = ({
  memberId,
  canAdjust,
  version,
  onAdjusted,
}: {
  memberId: number;
  canAdjust: boolean;
  version: unknown;
  onAdjusted: () => void;
}) => {
  const t = useT();
  const api = useApi();
  const source = useSource();
  const { toggleNotification } = useNotification();
  const [page, setPage] = React.useState(1);
  const { data, error, reload } = useLoad<AdminMemberPoints>(
    `/members/${memberId}/points?page=${page}&pageSize=${PAGE_SIZE}`
  );
  const [amount, setAmount] = React.useState<number | undefined>(undefined);
  const [reason, setReason] = React.useState('');
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  // The number input keeps what was typed when its value goes back to undefined: remount it.
  const [formKey, setFormKey] = React.useState(0);
  React.useEffect(() => setPage(1), [memberId]);
  React.useEffect(() => reload(), [version, reload]);

  const adjust = async () => {
    setErrors({});
    try {
      await api.post(`/members/${memberId}/points`, { amount, reason });
      toggleNotification({
        type: 'success',
        message: t('points.adjusted', 'Points adjusted'),
      });
      setAmount(undefined);
      setFormKey((k) => k + 1);
      setReason('');
      setPage(1);
      reload();
      onAdjusted();
    } catch (e) {
      setErrors(fieldErrors(e));
      toggleNotification({ type: 'danger', message: errorMessage(e) });
    }
  };

  if (error) return <Typography textColor="danger600">{error}</Typography>;
  if (!data) return null;
  const { pagination } = data;
  return (
    <Flex direction="column" alignItems="stretch" gap={2} data-testid="member-points-history">
      <Typography variant="delta" tag="h3">
        {t('points.title', 'Points')}
      </Typography>
      <Typography data-testid="member-points-total">
        {data.nextLevel
          ? t('points.standingNext', '{points} points · level {level} · {next} at {at}', {
              points: data.points,
              level: data.level.name,
              next: data.nextLevel.name,
              at: data.nextLevel.points,
            })
          : t('points.standing', '{points} points · level {level}', {
              points: data.points,
              level: data.level.name,
            })}
      </Typography>
      {data.data.length === 0 ? (
        <Typography textColor="neutral600">{t('points.none', 'No points entries yet.')}</Typography>
      ) : (
        <Table colCount={5} rowCount={data.data.length + 1}>
          <TableHead
            columns={[
              { label: t('points.col.source', 'Source') },
              { label: t('points.col.type', 'Event or badge') },
              { label: t('points.col.delta', 'Points') },
              { label: t('points.col.reason', 'Reason') },
              { label: t('points.col.date', 'Date') },
            ]}
          />
          <Tbody>
            {data.data.map((e) => (
              <Tr key={e.id} data-points-entry={e.source}>
                <Td>
                  <Typography>{source(e)}</Typography>
                </Td>
                <Td>
                  <Typography variant="pi">{e.type ?? '—'}</Typography>
                </Td>
                <Td>
                  <Typography
                    fontWeight="bold"
                    textColor={e.amount < 0 ? 'danger600' : 'success600'}
                  >
                    {e.amount > 0 ? `+${e.amount}` : String(e.amount)}
                  </Typography>
                </Td>
                <Td>
                  <Typography variant="pi">{e.reason ?? '—'}</Typography>
                </Td>
                <Td>
                  <Typography variant="pi" title={new Date(e.occurredAt).toLocaleString()}>
                    {new Date(e.occurredAt).toLocaleDateString()}
                  </Typography>
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
      {pagination.pageCount > 1 ? (
        <Flex gap={2} alignItems="center">
          <Button
            variant="tertiary"
            size="S"
            disabled={page <= 1}
            onClick={() => setPage((p) => p - 1)}
          >
            {t('pager.previous', 'Previous')}
          </Button>
          <Typography variant="pi">
            {t('pager.page', 'Page {page} of {count}', {
              page: pagination.page,
              count: pagination.pageCount,
            })}
          </Typography>
          <Button
            variant="tertiary"
            size="S"
            disabled={page >= pagination.pageCount}
            onClick={() => setPage((p) => p + 1)}
          >
            {t('pager.next', 'Next')}
          </Button>
        </Flex>
      ) : null}
      {canAdjust ? (
        <Flex gap={2} alignItems="flex-end" data-testid="points-adjust">
          <Box flex="1">
            <NumberField
              key={formKey}
              name="amount"
              label={t('points.amount', 'Points to add (negative to take away)')}
              error={errors.amount}
              value={amount}
              onValueChange={setAmount}
              required
            />
          </Box>
          <Box flex="2">
            <TextField
              name="points-reason"
              label={t('points.reason', 'Reason')}
              error={errors.reason}
              value={reason}
              onChange={setReason}
              required
            />
          </Box>
          <Button size="L" onClick={adjust} disabled={!amount || !reason.trim()}>
            {t('points.adjust', 'Adjust')}
          </Button>
        </Flex>
      ) : null}
    </Flex>
  );
};
