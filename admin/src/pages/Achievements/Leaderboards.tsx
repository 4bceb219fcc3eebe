import * as React from 'react';
import {
  Box,
  Button,
  Flex,
  Grid,
  Link,
  Table,
  Tbody,
  Td,
  Tr,
  Typography,
} from '@strapi/design-system';
import { NavLink } from 'react-router-dom';
import { Layouts, Page } from '@strapi/strapi/admin';
import type { AdminLeaderboard, AdminLeaderboards } from '../../../../common/admin-api';
import { COURSE_BOARD_PREFIX, LEADERBOARD_PERIODS } from '../../../../common/api';
import { shiftPeriodLabel } from '../../../../engine/insights';
import { SelectField } from '../../components/FormField';
import { TableHead } from '../../components/TableHead';
import { useLoad, useT } from '../../utils/api';

type Period = (typeof LEADERBOARD_PERIODS)[number];

/**
 * Achievements → Leaderboards: every board (the site, each course with entries) and calendar
 * period as members see them, with previous and next periods (a past period's standings stay
 * readable), and the points settings that shape them.
 */
const LeaderboardsPage = () => {
  const t = useT();
  const overview = useLoad<AdminLeaderboards>('/leaderboards');
  const [board, setBoard] = React.useState('site');
  const [period, setPeriod] = React.useState<Period>('week');
  const [at, setAt] = React.useState<string | null>(null);
  const query = `period=${period}${at ? `&at=${encodeURIComponent(at)}` : ''}&pageSize=50`;
  const standings = useLoad<AdminLeaderboard>(
    `/leaderboards/${encodeURIComponent(board)}?${query}`
  );
  const shown = standings.data;
  const label = shown?.period.label ?? '';
  const move = (by: number) => {
    const next = shiftPeriodLabel(label, by);
    if (next) setAt(next);
  };
  const periodName: Record<Period, string> = {
    week: t('leaderboards.period.week', 'Week'),
    month: t('leaderboards.period.month', 'Month'),
    all: t('leaderboards.period.all', 'All time'),
  };
  const boardName = (b: string) =>
    b === 'site'
      ? t('leaderboards.board.site', 'Whole site')
      : t('leaderboards.board.course', 'Course: {title}', {
          title: overview.data?.labels[b] ?? b.slice(COURSE_BOARD_PREFIX.length),
        });

  if (overview.error) return <Page.Error />;
  if (!overview.data) return <Page.Loading />;
  const settings = overview.data.points;

  return (
    <Layouts.Root>
      <Page.Title>{t('leaderboards.title', 'Leaderboards')}</Page.Title>
      <Page.Main>
        <Layouts.Header
          title={t('leaderboards.title', 'Leaderboards')}
          subtitle={t(
            'leaderboards.subtitle',
            'Boards as members see them, per calendar week, month or all time ({timezone}).',
            { timezone: overview.data.timezone }
          )}
        />
        <Layouts.Content>
          <Grid.Root gap={6}>
            <Grid.Item col={7} s={12} direction="column" alignItems="stretch">
              <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
                <Flex direction="column" alignItems="stretch" gap={4}>
                  <Flex gap={4} alignItems="flex-end" wrap="wrap">
                    <Box minWidth="240px">
                      <SelectField
                        name="board"
                        label={t('leaderboards.board', 'Board')}
                        value={board}
                        onChange={(value) => {
                          setBoard(value);
                          setAt(null);
                        }}
                        options={overview.data.boards.map((b) => ({
                          value: b,
                          label: boardName(b),
                        }))}
                      />
                    </Box>
                    <Flex gap={1} role="group" aria-label={t('leaderboards.period', 'Period')}>
                      {LEADERBOARD_PERIODS.map((p) => (
                        <Button
                          key={p}
                          variant={p === period ? 'default' : 'tertiary'}
                          aria-pressed={p === period}
                          onClick={() => {
                            setPeriod(p);
                            setAt(null);
                          }}
                        >
                          {periodName[p]}
                        </Button>
                      ))}
                    </Flex>
                  </Flex>
                  {period !== 'all' ? (
                    <Flex gap={2} alignItems="center">
                      <Button variant="tertiary" size="S" onClick={() => move(-1)}>
                        {t('leaderboards.previous', 'Previous')}
                      </Button>
                      <Typography fontWeight="bold" data-testid="period-label">
                        {label}
                      </Typography>
                      <Button variant="tertiary" size="S" onClick={() => move(1)}>
                        {t('leaderboards.next', 'Next')}
                      </Button>
                      {at ? (
                        <Button variant="ghost" size="S" onClick={() => setAt(null)}>
                          {t('leaderboards.current', 'Current')}
                        </Button>
                      ) : null}
                    </Flex>
                  ) : null}
                  {standings.error ? (
                    <Typography textColor="danger600">{standings.error}</Typography>
                  ) : !shown ? null : shown.data.length === 0 ? (
                    <Typography textColor="neutral600" data-testid="board-empty">
                      {t('leaderboards.empty', 'Nobody has points on this board in this period.')}
                    </Typography>
                  ) : (
                    <Table colCount={4} rowCount={shown.data.length + 1}>
                      <TableHead
                        columns={[
                          { label: t('leaderboards.col.rank', 'Rank') },
                          { label: t('leaderboards.col.member', 'Member') },
                          { label: t('leaderboards.col.points', 'Points') },
                          { label: t('leaderboards.col.level', 'Level') },
                        ]}
                      />
                      <Tbody>
                        {shown.data.map((e) => (
                          <Tr key={e.user.id} data-board-member={e.user.username}>
                            <Td>
                              <Typography fontWeight="bold">{e.rank}</Typography>
                            </Td>
                            <Td>
                              <Typography>{e.user.username}</Typography>
                            </Td>
                            <Td>
                              <Typography>{e.points}</Typography>
                            </Td>
                            <Td>
                              <Typography>{e.level.name}</Typography>
                            </Td>
                          </Tr>
                        ))}
                      </Tbody>
                    </Table>
                  )}
                  {shown && shown.pagination.total > shown.data.length ? (
                    <Typography variant="pi" textColor="neutral600">
                      {t('leaderboards.more', '{shown} of {total} members shown.', {
                        shown: shown.data.length,
                        total: shown.pagination.total,
                      })}
                    </Typography>
                  ) : null}
                </Flex>
              </Box>
            </Grid.Item>
            <Grid.Item col={5} s={12} direction="column" alignItems="stretch">
              <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
                <Flex direction="column" alignItems="stretch" gap={4} data-testid="points-rules">
                  <Typography variant="delta" tag="h2">
                    {t('leaderboards.rules', 'How points are earned')}
                  </Typography>
                  <Table colCount={3} rowCount={Object.keys(settings.perEvent).length + 1}>
                    <TableHead
                      columns={[
                        { label: t('leaderboards.col.event', 'Event') },
                        { label: t('leaderboards.col.points', 'Points') },
                        { label: t('leaderboards.col.cap', 'Daily cap') },
                      ]}
                    />
                    <Tbody>
                      {Object.entries(settings.perEvent).map(([event, rule]) => (
                        <Tr key={event}>
                          <Td>
                            <Typography variant="pi">{event}</Typography>
                          </Td>
                          <Td>
                            <Typography>{rule.points}</Typography>
                          </Td>
                          <Td>
                            <Typography>
                              {rule.dailyCap ?? t('leaderboards.noCap', 'none')}
                            </Typography>
                          </Td>
                        </Tr>
                      ))}
                    </Tbody>
                  </Table>
                  <Typography variant="delta" tag="h2">
                    {t('leaderboards.levels', 'Levels')}
                  </Typography>
                  <Table colCount={2} rowCount={settings.levels.length + 1}>
                    <TableHead
                      columns={[
                        { label: t('leaderboards.col.level', 'Level') },
                        { label: t('leaderboards.col.from', 'From (points)') },
                      ]}
                    />
                    <Tbody>
                      {settings.levels.map((l) => (
                        <Tr key={l.name}>
                          <Td>
                            <Typography>{l.name}</Typography>
                          </Td>
                          <Td>
                            <Typography>{l.points}</Typography>
                          </Td>
                        </Tr>
                      ))}
                    </Tbody>
                  </Table>
                  <Typography variant="delta" tag="h2">
                    {t('leaderboards.excluded', 'Roles left off the boards')}
                  </Typography>
                  <Typography data-testid="excluded-roles">
                    {settings.excludedRoles.length
                      ? settings.excludedRoles.join(', ')
                      : t('leaderboards.excludedNone', 'None: every role can appear.')}
                  </Typography>
                  <Link tag={NavLink} to="/settings/achievements/gamification">
                    {t('leaderboards.toSettings', 'Change them in Settings → Gamification')}
                  </Link>
                </Flex>
              </Box>
            </Grid.Item>
          </Grid.Root>
        </Layouts.Content>
      </Page.Main>
    </Layouts.Root>
  );
};

export default LeaderboardsPage;
