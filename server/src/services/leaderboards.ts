import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import {
  DEFAULT_LEADERBOARD_PAGE_SIZE,
  type Leaderboard,
  type LeaderboardQuery,
  type Rank,
  type RankQuery,
} from '../../../common/api';
import {
  competitionRanks,
  levelOf,
  periodBounds,
  type Period,
  type PeriodBounds,
} from '../../../engine/points';
import { pointStore, type BoardWindow } from '../stores/points';
import { getService } from '../utils/get-service';
import { levelDto } from './points';

/** How long a process trusts that the totals are in the site's timezone before looking again. */
const TOTALS_CHECK_MS = 10_000;

/**
 * Leaderboards: a board (the site, or one course) × a calendar period in the site's timezone,
 * read from the points totals the points store keeps per member, board and period (a page of
 * an index), so a new period needs no job and a past one stays readable. Others never see
 * members who opted out, made their profile private, are blocked or have an excluded role; a
 * member always sees their own rank.
 */
const leaderboardsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const settings = () => getService(strapi, 'settings');
  const marker = () => strapi.store({ type: 'plugin', name: 'achievements', key: 'point-totals' });
  let checked: { at: number; timezone: string } | null = null;
  let rebuilding: Promise<void> | null = null;

  /**
   * The totals are kept in the site's timezone: when they are missing (an upgrade) or were
   * made in another timezone (the setting changed), they are rebuilt from the entries first.
   */
  const ensureTotals = async (timezone: string) => {
    if (checked && checked.timezone === timezone && Date.now() - checked.at < TOTALS_CHECK_MS)
      return;
    if (!rebuilding)
      rebuilding = (async () => {
        const store = pointStore(strapi);
        const made = ((await marker().get({})) as { timezone?: string } | null)?.timezone;
        if (made !== timezone || (await store.totalsMissing())) {
          await store.rebuildTotals(timezone);
          await marker().set({ value: { timezone } });
        }
        checked = { at: Date.now(), timezone };
      })().finally(() => {
        rebuilding = null;
      });
    await rebuilding;
  };

  const windowOf = async (board: string, period: Period, at: string | undefined) => {
    const { defaultTimezone } = await settings().streakOptions();
    let bounds: PeriodBounds;
    try {
      bounds = periodBounds(period, defaultTimezone, Date.now(), at);
    } catch (error) {
      const message = (error as Error).message;
      throw new errors.ValidationError(message, { errors: [{ path: 'at', message }] });
    }
    await ensureTotals(defaultTimezone);
    const window: BoardWindow = { board, label: bounds.label };
    const dto = {
      period: bounds.period,
      label: bounds.label,
      from: bounds.from === null ? null : new Date(bounds.from).toISOString(),
      to: bounds.to === null ? null : new Date(bounds.to).toISOString(),
      timezone: defaultTimezone,
    };
    return { window, period: dto };
  };

  return {
    async board(board: string, query: LeaderboardQuery): Promise<Leaderboard> {
      const { window, period } = await windowOf(board, query.period ?? 'week', query.at);
      const page = query.page ?? 1;
      const pageSize = query.pageSize ?? DEFAULT_LEADERBOARD_PAGE_SIZE;
      const { excludedRoles, levels } = await settings().pointsOptions();
      const store = pointStore(strapi);
      const filter = { excludedRoles };
      const rows = await store.board(window, filter, {
        offset: (page - 1) * pageSize,
        limit: pageSize,
      });
      // The first page starts at the top: nobody is above its first row.
      const { members, above } =
        page === 1
          ? { members: await store.count(window, filter), above: 0 }
          : await store.standing(window, filter, rows[0]?.points ?? 0);
      const ranks = competitionRanks(
        rows.map((r) => r.points),
        (page - 1) * pageSize,
        above + 1
      );
      const totals = await store.allTimeOf(rows.map((r) => r.userId));
      return {
        board,
        period,
        data: rows.map((r, i) => ({
          rank: ranks[i],
          user: { id: r.userId, documentId: r.documentId, username: r.username },
          points: r.points,
          level: levelDto(levelOf(Math.max(0, totals.get(r.userId) ?? 0), levels)),
        })),
        pagination: {
          page,
          pageSize,
          pageCount: Math.ceil(members / pageSize),
          total: members,
        },
      };
    },

    async rank(userId: number, query: RankQuery): Promise<Omit<Rank, 'user'>> {
      const board = query.board ?? 'site';
      const { window, period } = await windowOf(board, query.period ?? 'week', query.at);
      const { excludedRoles } = await settings().pointsOptions();
      const store = pointStore(strapi);
      const points = Math.max(0, await store.pointsIn(window, userId));
      // Others as others see them; the caller counted whether or not others see them.
      const { members, above } = await store.standing(window, { excludedRoles }, points, userId);
      const { level } = await getService(strapi, 'points').standingOf(userId);
      return {
        board,
        period,
        rank: points > 0 ? above + 1 : null,
        points,
        of: members + (points > 0 ? 1 : 0),
        level: levelDto(level),
        nextLevel: level.next ? { name: level.next.name, points: level.next.points } : null,
      };
    },
  };
};

export default leaderboardsService;
