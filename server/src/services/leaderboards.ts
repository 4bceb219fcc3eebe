import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import {
  DEFAULT_LEADERBOARD_PAGE_SIZE,
  type Leaderboard,
  type LeaderboardQuery,
  type Rank,
  type RankQuery,
} from '../../../common/api';
import { levelOf, periodBounds, type Period, type PeriodBounds } from '../../../engine/points';
import {
  hideMembers,
  rankTotals,
  visibleAbove,
  visibleCount,
  visiblePage,
  type Ranking,
} from '../../../engine/ranking';
import { pointStore, type BoardFilter, type BoardWindow } from '../stores/points';
import { getService } from '../utils/get-service';
import { levelDto } from './points';

/** How long a process trusts that the totals are in the site's timezone before looking again. */
const TOTALS_CHECK_MS = 10_000;

/**
 * How long a process trusts its board snapshots and its list of blocked and excluded members
 * before asking whether any process appended entries since (the ledger's highest id): the
 * staleness of a board for points written by another process.
 */
export const SNAPSHOT_CHECK_MS = 2_000;

/**
 * A snapshot is rebuilt (behind the answer) at least this often, whatever the ledger says: an
 * erase, or a transaction that committed after a later id, does not move the ledger's mark.
 */
export const SNAPSHOT_MAX_AGE_MS = 60_000;

/** How many windows' snapshots a process keeps (the longest built go first). */
const SNAPSHOTS_KEPT = 64;

interface Snapshot {
  ranking: Ranking;
  mark: number;
  writes: number;
  builtAt: number;
}

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

  // Per-process snapshots of boards (see SNAPSHOT_CHECK_MS): a page or a rank is then a binary
  // search instead of counting every member of the board on each request.
  const snapshots = new Map<string, Snapshot>();
  let ledger: { at: number; mark: number; hidden: Set<number>; roles: string } | null = null;
  let looking: Promise<void> | null = null;

  /** The ledger's mark and who is blocked or of an excluded role, at most SNAPSHOT_CHECK_MS old. */
  const lookAtLedger = async (filter: BoardFilter) => {
    const roles = filter.excludedRoles.join('\n');
    if (ledger && ledger.roles === roles && Date.now() - ledger.at < SNAPSHOT_CHECK_MS)
      return ledger;
    if (!looking)
      looking = (async () => {
        const store = pointStore(strapi);
        const at = Date.now();
        const [mark, hidden] = await Promise.all([
          store.ledgerMark(),
          store.hiddenByAccount(filter),
        ]);
        ledger = { at, mark, hidden: new Set(hidden), roles };
      })().finally(() => {
        looking = null;
      });
    await looking;
    return ledger!;
  };

  const building = new Map<string, { mark: number; writes: number; done: Promise<Snapshot> }>();

  /** Reads a window's totals into a snapshot (one build per window and generation at a time). */
  const build = (key: string, window: BoardWindow, mark: number) => {
    const writes = pointStore(strapi).writes();
    const running = building.get(key);
    if (running && running.mark === mark && running.writes === writes) return running.done;
    const builtAt = Date.now();
    const done = pointStore(strapi)
      .windowTotals(window)
      .then((totals): Snapshot => {
        const made = { ranking: rankTotals(totals), mark, writes, builtAt };
        const held = snapshots.get(key);
        if (!held || held.builtAt <= builtAt) {
          snapshots.delete(key);
          snapshots.set(key, made);
          if (snapshots.size > SNAPSHOTS_KEPT) snapshots.delete(snapshots.keys().next().value!);
        }
        return made;
      })
      .finally(() => {
        if (building.get(key)?.done === done) building.delete(key);
      });
    building.set(key, { mark, writes, done });
    return done;
  };

  /**
   * A window's snapshot: rebuilt before answering when this process wrote points since, or
   * when the ledger moved (another process wrote); rebuilt behind the answer when only old.
   */
  const snapshotOf = async (window: BoardWindow, filter: BoardFilter) => {
    const { mark, hidden } = await lookAtLedger(filter);
    const key = `${window.board}\n${window.label}`;
    const held = snapshots.get(key);
    let snapshot: Snapshot;
    if (!held || held.mark !== mark || held.writes !== pointStore(strapi).writes())
      snapshot = await build(key, window, mark);
    else {
      snapshot = held;
      if (Date.now() - held.builtAt >= SNAPSHOT_MAX_AGE_MS)
        build(key, window, mark).catch((error) =>
          strapi.log.warn(`achievements: leaderboard snapshot: ${(error as Error).message}`)
        );
    }
    return { ranking: snapshot.ranking, hidden };
  };

  /** A window's ranking as others see it now: preferences are read fresh on every call. */
  const visibleBoard = async (window: BoardWindow, filter: BoardFilter, also: number[] = []) => {
    const [{ ranking, hidden }, byPreference] = await Promise.all([
      snapshotOf(window, filter),
      pointStore(strapi).hiddenByPreference(),
    ]);
    return { ranking, hidden: [...hidden, ...byPreference, ...also] };
  };

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
      const { ranking, hidden } = await visibleBoard(window, filter);
      // The page's members are read fresh: one blocked (or given an excluded role) since the
      // snapshot is hidden and the page read again.
      for (;;) {
        const visible = hideMembers(ranking, hidden);
        const rows = visiblePage(visible, (page - 1) * pageSize, pageSize);
        const ids = rows.map((r) => r.userId);
        const shown = await store.shownMembers(ids, filter);
        const gone = ids.filter((id) => !shown.has(id));
        if (gone.length) {
          hidden.push(...gone);
          for (const id of gone) ledger?.hidden.add(id);
          continue;
        }
        const members = visibleCount(visible);
        return {
          board,
          period,
          data: rows.map((r) => {
            const { allTime, ...user } = shown.get(r.userId)!;
            return {
              rank: r.rank,
              user: { id: r.userId, ...user },
              points: r.points,
              level: levelDto(levelOf(Math.max(0, allTime), levels)),
            };
          }),
          pagination: {
            page,
            pageSize,
            pageCount: Math.ceil(members / pageSize),
            total: members,
          },
        };
      }
    },

    async rank(userId: number, query: RankQuery): Promise<Omit<Rank, 'user'>> {
      const board = query.board ?? 'site';
      const { window, period } = await windowOf(board, query.period ?? 'week', query.at);
      const { excludedRoles } = await settings().pointsOptions();
      // Others as others see them; the caller counted whether or not others see them, with
      // their points from the same snapshot.
      const [{ ranking, hidden }, { level }] = await Promise.all([
        visibleBoard(window, { excludedRoles }, [userId]),
        getService(strapi, 'points').standingOf(userId),
      ]);
      const at = ranking.positions.get(userId);
      const points = at === undefined ? 0 : ranking.rows[at].points;
      const visible = hideMembers(ranking, hidden);
      const members = visibleCount(visible);
      const above = visibleAbove(visible, points);
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
