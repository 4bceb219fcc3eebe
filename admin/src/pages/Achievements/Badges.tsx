import * as React from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Layouts, Page, useNotification } from '@strapi/strapi/admin';
import {
  Box,
  Flex,
  IconButton,
  LinkButton,
  Switch,
  Table,
  Tbody,
  Td,
  Tr,
  Typography,
  VisuallyHidden,
} from '@strapi/design-system';
import { Drag, Duplicate, Pencil, Plus, Trash } from '@strapi/icons';
import type { AdminBadge, AdminCategory } from '../../../../common/admin-api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { TableHead } from '../../components/TableHead';
import { Artwork, Tier } from '../../components/Tier';
import { errorMessage, useApi, useLoad, useT } from '../../utils/api';

interface Group {
  key: string;
  name: string;
  badges: AdminBadge[];
}

const groupBadges = (badges: AdminBadge[], categories: AdminCategory[], other: string): Group[] => {
  const groups: Group[] = categories.map((c) => ({
    key: c.documentId,
    name: c.name,
    badges: badges.filter((b) => b.category?.documentId === c.documentId),
  }));
  const loose = badges.filter(
    (b) => !b.category || !categories.some((c) => c.documentId === b.category!.documentId)
  );
  if (loose.length) groups.push({ key: 'none', name: other, badges: loose });
  return groups.filter((g) => g.badges.length > 0);
};

const BadgesPage = () => {
  const t = useT();
  const api = useApi();
  const navigate = useNavigate();
  const { toggleNotification } = useNotification();
  const badges = useLoad<AdminBadge[]>('/badges');
  const categories = useLoad<AdminCategory[]>('/categories');
  const [confirm, setConfirm] = React.useState<AdminBadge | null>(null);
  const [dragging, setDragging] = React.useState<string | null>(null);
  const [announce, setAnnounce] = React.useState('');

  const fail = (error: unknown) =>
    toggleNotification({ type: 'danger', message: errorMessage(error) });

  if (badges.error || categories.error) return <Page.Error />;
  if (!badges.data || !categories.data) return <Page.Loading />;
  const groups = groupBadges(badges.data, categories.data, t('badges.uncategorized', 'Other'));

  const saveOrder = async (next: Group[]) => {
    const order = next.flatMap((g) => g.badges.map((b) => b.documentId));
    badges.setData(next.flatMap((g) => g.badges));
    try {
      badges.setData(await api.put<AdminBadge[]>('/badges/order', { order }));
    } catch (error) {
      fail(error);
      badges.reload();
    }
  };

  const move = (group: Group, from: number, to: number) => {
    if (to < 0 || to >= group.badges.length || from === to) return;
    const list = [...group.badges];
    const [item] = list.splice(from, 1);
    list.splice(to, 0, item);
    setAnnounce(
      t('badges.moved', '{name} moved to position {position} of {total}', {
        name: item.name,
        position: to + 1,
        total: list.length,
      })
    );
    void saveOrder(groups.map((g) => (g.key === group.key ? { ...g, badges: list } : g)));
  };

  const toggle = async (badge: AdminBadge, enabled: boolean) => {
    try {
      const updated = await api.put<AdminBadge>(`/badges/${badge.documentId}`, { enabled });
      badges.setData(badges.data!.map((b) => (b.documentId === badge.documentId ? updated : b)));
    } catch (error) {
      fail(error);
    }
  };

  const duplicate = async (badge: AdminBadge) => {
    try {
      const copy = await api.post<AdminBadge>(`/badges/${badge.documentId}/duplicate`);
      toggleNotification({
        type: 'success',
        message: t('badges.duplicated', '{name} created (switched off)', { name: copy.name }),
      });
      badges.reload();
    } catch (error) {
      fail(error);
    }
  };

  const remove = async (badge: AdminBadge) => {
    try {
      await api.del(`/badges/${badge.documentId}`);
      toggleNotification({
        type: 'success',
        message: t('badges.deleted', '{name} deleted', { name: badge.name }),
      });
      setConfirm(null);
      badges.reload();
    } catch (error) {
      fail(error);
    }
  };

  return (
    <Layouts.Root>
      <Page.Title>{t('badges.title', 'Badges')}</Page.Title>
      <Page.Main>
        <Layouts.Header
          title={t('badges.title', 'Badges')}
          subtitle={t('badges.subtitle', '{count} badges in {categories} categories', {
            count: badges.data.length,
            categories: categories.data.length,
          })}
          primaryAction={
            <LinkButton tag={Link} to="../badges/new" startIcon={<Plus />}>
              {t('badges.create', 'Create a badge')}
            </LinkButton>
          }
        />
        <Layouts.Content>
          <VisuallyHidden aria-live="polite">{announce}</VisuallyHidden>
          <Flex direction="column" alignItems="stretch" gap={6}>
            {groups.length === 0 ? (
              <Typography>{t('badges.empty', 'No badges yet.')}</Typography>
            ) : null}
            {groups.map((group) => (
              <Box key={group.key}>
                <Box paddingBottom={2}>
                  <Typography variant="delta" tag="h2">
                    {group.name}
                  </Typography>
                </Box>
                <Table colCount={9} rowCount={group.badges.length + 1}>
                  <TableHead
                    columns={[
                      { label: t('badges.col.order', 'Order'), hidden: true },
                      { label: t('badges.col.artwork', 'Artwork'), hidden: true },
                      { label: t('badges.col.name', 'Name') },
                      { label: t('badges.col.tier', 'Tier') },
                      { label: t('badges.col.points', 'Points') },
                      { label: t('badges.col.earned', 'Earned') },
                      { label: t('badges.col.rarity', 'Rarity') },
                      { label: t('badges.col.enabled', 'Enabled') },
                      { label: t('badges.col.actions', 'Actions'), hidden: true },
                    ]}
                  />
                  <Tbody>
                    {group.badges.map((badge, index) => (
                      <Tr
                        key={badge.documentId}
                        data-badge={badge.slug}
                        draggable
                        onDragStart={() => setDragging(badge.documentId)}
                        onDragOver={(e: React.DragEvent) => e.preventDefault()}
                        onDrop={() => {
                          const from = group.badges.findIndex((b) => b.documentId === dragging);
                          setDragging(null);
                          if (from >= 0) move(group, from, index);
                        }}
                        style={{ opacity: dragging === badge.documentId ? 0.4 : 1 }}
                      >
                        <Td>
                          <IconButton
                            variant="ghost"
                            label={t(
                              'badges.reorder',
                              'Reorder {name} (arrow keys move it up or down)',
                              { name: badge.name }
                            )}
                            onKeyDown={(e: React.KeyboardEvent) => {
                              if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
                                e.preventDefault();
                                move(group, index, index + (e.key === 'ArrowUp' ? -1 : 1));
                              }
                            }}
                            style={{ cursor: 'grab' }}
                          >
                            <Drag />
                          </IconButton>
                        </Td>
                        <Td>
                          <Artwork url={badge.image?.url} alt={badge.name} />
                        </Td>
                        <Td>
                          <Flex direction="column" alignItems="flex-start">
                            <Typography fontWeight="bold">{badge.name}</Typography>
                            <Typography variant="pi" textColor="neutral600">
                              {badge.criteriaText}
                            </Typography>
                          </Flex>
                        </Td>
                        <Td>
                          <Tier tier={badge.tier} />
                        </Td>
                        <Td>
                          <Typography>{badge.points}</Typography>
                        </Td>
                        <Td>
                          <Typography data-testid="earned-count">{badge.earnedCount}</Typography>
                        </Td>
                        <Td>
                          <Typography>{`${Math.round(badge.rarity * 1000) / 10}%`}</Typography>
                        </Td>
                        <Td>
                          <Switch
                            aria-label={t('badges.enable', 'Enable {name}', { name: badge.name })}
                            checked={badge.enabled}
                            onCheckedChange={(checked: boolean) => toggle(badge, checked)}
                          />
                        </Td>
                        <Td>
                          <Flex gap={1} justifyContent="flex-end">
                            <IconButton
                              variant="ghost"
                              label={t('badges.edit', 'Edit {name}', { name: badge.name })}
                              onClick={() => navigate(`../badges/${badge.documentId}`)}
                            >
                              <Pencil />
                            </IconButton>
                            <IconButton
                              variant="ghost"
                              label={t('badges.duplicate', 'Duplicate {name}', {
                                name: badge.name,
                              })}
                              onClick={() => duplicate(badge)}
                            >
                              <Duplicate />
                            </IconButton>
                            <IconButton
                              variant="ghost"
                              label={t('badges.delete', 'Delete {name}', { name: badge.name })}
                              onClick={() => setConfirm(badge)}
                            >
                              <Trash />
                            </IconButton>
                          </Flex>
                        </Td>
                      </Tr>
                    ))}
                  </Tbody>
                </Table>
              </Box>
            ))}
          </Flex>
        </Layouts.Content>
      </Page.Main>
      <ConfirmDialog
        subject={confirm}
        onClose={() => setConfirm(null)}
        title={() => t('badges.delete.title', 'Delete this badge?')}
        confirmLabel={t('common.delete', 'Delete')}
        onConfirm={remove}
        closeOnConfirm
      >
        {(badge) => (
          <Flex direction="column" gap={2}>
            <Typography textAlign="center">
              {badge.earnedCount > 0
                ? t(
                    'badges.delete.held',
                    '{count, plural, one {# member holds} other {# members hold}} “{name}”. Deleting it removes it from their profiles.',
                    { count: badge.earnedCount, name: badge.name }
                  )
                : t('badges.delete.none', 'No member holds “{name}”.', { name: badge.name })}
            </Typography>
          </Flex>
        )}
      </ConfirmDialog>
    </Layouts.Root>
  );
};

export default BadgesPage;
