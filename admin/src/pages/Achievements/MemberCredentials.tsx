import * as React from 'react';
import { Badge, Flex, Table, Tbody, Td, Tr, Typography } from '@strapi/design-system';
import { TableHead } from '../../components/TableHead';
import { useLoad, useT } from '../../utils/api';

/** What `GET /achievements/credentials/members/:id` answers (no key material). */
interface MemberCredential {
  achievement: { documentId: string; sequence: number; earnedAt: string; revoked: boolean };
  badge: { documentId: string; slug: string; name: string } | null;
  credentials: Array<{
    documentId: string;
    id: string;
    issuedAt: string;
    status: 'valid' | 'revoked';
    revokeReason: string | null;
  }>;
}

/**
 * A member's achievements with their Open Badges credentials and each one's status, as the
 * status list publishes it. `version` reloads it after an award or a revocation.
 */
export const MemberCredentials = ({
  memberId,
  version,
}: {
  memberId: number;
  version: unknown;
}) => {
  const t = useT();
  const { data, reload } = useLoad<MemberCredential[]>(`/credentials/members/${memberId}`);
  React.useEffect(() => reload(), [version, reload]);
  if (!data || data.length === 0) return null;
  return (
    <Flex direction="column" alignItems="stretch" gap={2} data-testid="member-credentials">
      <Typography variant="delta" tag="h3">
        {t('members.credential.title', 'Credential')}
      </Typography>
      <Table colCount={3} rowCount={data.length + 1}>
        <TableHead
          columns={[
            { label: t('badges.col.name', 'Name') },
            { label: t('members.credential.title', 'Credential') },
            { label: t('members.state', 'Earned / progress') },
          ]}
        />
        <Tbody>
          {data.map((row) => (
            <Tr key={row.achievement.documentId} data-credential-for={row.badge?.slug ?? ''}>
              <Td>
                <Typography>
                  {row.badge?.name ?? '—'}
                  {row.achievement.sequence > 1 ? ` ×${row.achievement.sequence}` : ''}
                </Typography>
              </Td>
              <Td>
                {row.credentials.length === 0 ? (
                  <Typography textColor="neutral500">
                    {t('members.credential.none', 'Not issued yet')}
                  </Typography>
                ) : (
                  <Flex gap={1} wrap="wrap">
                    {row.credentials.map((c) => (
                      <Badge
                        key={c.documentId}
                        title={`${c.id}${c.revokeReason ? ` — ${c.revokeReason}` : ''}`}
                        textColor={c.status === 'valid' ? 'success600' : 'danger600'}
                        backgroundColor={c.status === 'valid' ? 'success100' : 'danger100'}
                      >
                        {c.status === 'valid'
                          ? t('members.credential.valid', 'Valid')
                          : t('members.credential.revoked', 'Revoked')}
                      </Badge>
                    ))}
                  </Flex>
                )}
              </Td>
              <Td>
                <Typography variant="pi">
                  {new Date(row.achievement.earnedAt).toLocaleDateString()}
                </Typography>
              </Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    </Flex>
  );
};
