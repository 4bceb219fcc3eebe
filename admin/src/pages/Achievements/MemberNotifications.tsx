import * as React from 'react';
import { Badge, Flex, Table, Tbody, Td, Tr, Typography } from '@strapi/design-system';
import type { Notification } from '../../../../common/api';
import { TableHead } from '../../components/TableHead';
import { useT } from '../../utils/api';

/** What one notification told the member, in a line. */
const useDescribe = () => {
  const t = useT();
  return (n: Notification): string => {
    const badge = n.payload.badge?.name ?? '—';
    switch (n.kind) {
      case 'achievement.earned':
        return t('members.notifications.earned', 'Earned {badge}', { badge });
      case 'achievement.revoked':
        return n.payload.reason
          ? t('members.notifications.revokedBecause', '{badge} revoked: {reason}', {
              badge,
              reason: n.payload.reason,
            })
          : t('members.notifications.revoked', '{badge} revoked', { badge });
      case 'streak.milestone':
        return n.payload.streak?.freezeUsed
          ? t('members.notifications.freeze', 'A streak freeze kept the streak alive')
          : t('members.notifications.streak', 'Reached a {days}-day streak', {
              days: n.payload.streak?.milestone ?? n.payload.streak?.days ?? 0,
            });
      default:
        return n.kind;
    }
  };
};

/** A member's latest notifications, as they were told them, and whether they saw each. */
export const MemberNotifications = ({ notifications }: { notifications: Notification[] }) => {
  const t = useT();
  const describe = useDescribe();
  return (
    <Flex direction="column" alignItems="stretch" gap={2} data-testid="member-notifications">
      <Typography variant="delta" tag="h3">
        {t('members.notifications.title', 'Notifications')}
      </Typography>
      {notifications.length === 0 ? (
        <Typography textColor="neutral600">
          {t('members.notifications.none', 'Nothing sent to this member yet.')}
        </Typography>
      ) : (
        <Table colCount={3} rowCount={notifications.length + 1}>
          <TableHead
            columns={[
              { label: t('members.notifications.what', 'What') },
              { label: t('members.notifications.when', 'When') },
              { label: t('members.notifications.seen', 'Seen') },
            ]}
          />
          <Tbody>
            {notifications.map((n) => (
              <Tr key={n.id} data-notification-kind={n.kind}>
                <Td>
                  <Typography>{describe(n)}</Typography>
                </Td>
                <Td>
                  <Typography variant="pi">{new Date(n.createdAt).toLocaleString()}</Typography>
                </Td>
                <Td>
                  {n.seenAt ? (
                    <Typography variant="pi" title={new Date(n.seenAt).toLocaleString()}>
                      {t('members.notifications.seenYes', 'Seen')}
                    </Typography>
                  ) : (
                    <Badge>{t('members.notifications.unseen', 'Not seen')}</Badge>
                  )}
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
    </Flex>
  );
};
