import type { Core } from '@strapi/strapi';
import { UID } from '../../../common/constants';
import {
  applyActivity,
  emptyStreak,
  isValidTimeZone,
  type StreakState,
} from '../../../engine/streak';
import {
  affected,
  bulkRows,
  chunks,
  columns,
  dialectOf,
  insertIgnore,
  insertMany,
  row,
  tableOf,
  toMs,
} from '../utils/db';
import { getService } from '../utils/get-service';
import { timezoneColumn } from '../utils/user-model';

const MAX_ATTEMPTS = 8;

/** A streak state as the streak row's attribute values. */
export const streakColumns = (s: StreakState) => ({
  current: s.current,
  longest: s.longest,
  lastActiveAt: s.lastActiveAt === null ? null : new Date(s.lastActiveAt),
  lastActiveDay: s.lastActiveDay,
  timezone: s.timezone,
  freezesUsed: s.freezesUsed,
  freezesMonth: s.freezesMonth,
});

/**
 * A member's streak row (null: none yet) after activity at these instants (epoch ms, in order):
 * the state it starts from and the state after each instant. Pure.
 */
export const advance = (
  existing: (StreakState & { version: number }) | null,
  instants: number[],
  timezone: string,
  freezesPerMonth: number
) => {
  const start = existing ?? { ...emptyStreak(timezone), version: 0 };
  let state: StreakState = start;
  const states: StreakState[] = [];
  for (const at of instants) {
    state = applyActivity(state, { at, timezone }, { freezesPerMonth }).state;
    states.push(state);
  }
  return { start, states };
};

/**
 * Learning streaks, one row per member. The arithmetic is the pure engine's; this service only
 * reads and writes the row, with optimistic concurrency (a version column) so two processes
 * handling the same member never lose each other's day.
 */
const streaksService = ({ strapi }: { strapi: Core.Strapi }) => {
  const table = () => tableOf(strapi, UID.streak);

  const fromRow = (
    r: Record<string, any>,
    t = table(),
    fallbackTimezone = 'UTC'
  ): StreakState & { version: number } => ({
    current: r[t.col('current')] ?? 0,
    longest: r[t.col('longest')] ?? 0,
    lastActiveAt: toMs(r[t.col('lastActiveAt')]),
    lastActiveDay: r[t.col('lastActiveDay')] ?? null,
    timezone: r[t.col('timezone')] ?? fallbackTimezone,
    freezesUsed: r[t.col('freezesUsed')] ?? 0,
    freezesMonth: r[t.col('freezesMonth')] ?? null,
    version: r[t.col('version')] ?? 0,
  });

  /** A streak row's values for a state computed from the row read at `version` (0: none). */
  const rowValues = (w: { userId: number; state: StreakState; version: number }) => ({
    userId: w.userId,
    ...streakColumns(w.state),
    version: w.version + 1,
  });

  /**
   * Writes one member's streak computed from the row read at `version` (0: none): an insert the
   * unique index may refuse, or an update of that version only. false: the row was created or
   * changed in between, and nothing was written.
   */
  const writeOne = async (w: { userId: number; state: StreakState; version: number }) => {
    const t = table();
    const knex = strapi.db.connection;
    if (w.version === 0)
      return insertIgnore(strapi, knex, t.name, row(t, rowValues(w)), [t.col('userId')]);
    const updated = await knex(t.name)
      .where(t.col('userId'), w.userId)
      .where(t.col('version'), w.version)
      .update({ ...columns(t, rowValues(w)), [t.col('updatedAt')]: new Date() });
    return affected(updated) === 1;
  };

  return {
    /** The member's IANA timezone, or the configured default when it has none or a bad one. */
    async timezoneOf(userId: number): Promise<string> {
      return (await this.timezonesOf([userId])).get(userId)!;
    },

    /** Timezones of several members at once (see timezoneOf). */
    async timezonesOf(userIds: number[]): Promise<Map<number, string>> {
      const fallback = (await getService(strapi, 'settings').streakOptions()).defaultTimezone;
      const out = new Map<number, string>(userIds.map((id) => [id, fallback]));
      if (userIds.length === 0) return out;
      const column = timezoneColumn(strapi);
      if (column === null) return out;
      const users = tableOf(strapi, UID.user);
      const query = strapi.db.connection(users.name).select('id', column);
      const rows =
        userIds.length === 1
          ? await query.where('id', userIds[0])
          : await query.whereIn('id', userIds);
      for (const r of rows) {
        const tz = r[column];
        if (typeof tz === 'string' && isValidTimeZone(tz)) out.set(r.id, tz);
      }
      return out;
    },

    async get(userId: number): Promise<StreakState | null> {
      const t = table();
      const r = await strapi.db.connection(t.name).where(t.col('userId'), userId).first();
      return r ? fromRow(r, t) : null;
    },

    async getMany(userIds: number[]): Promise<Map<number, StreakState & { version: number }>> {
      const t = table();
      const rows = userIds.length
        ? await strapi.db.connection(t.name).whereIn(t.col('userId'), userIds)
        : [];
      return new Map(rows.map((r: any) => [r[t.col('userId')], fromRow(r, t)]));
    },

    /** Stores a replayed streak for a member who has none yet (recalculation). */
    async ensure(userId: number, state: StreakState) {
      const t = table();
      await insertIgnore(
        strapi,
        strapi.db.connection,
        t.name,
        row(t, { userId, ...streakColumns(state), version: 1 }),
        [t.col('userId')]
      );
    },

    /**
     * Writes several members' streaks computed from the rows they were read as (`version`, 0 for
     * a member who had none): one statement on PostgreSQL and SQLite, where a conflicting row is
     * updated only if it still has the version read (optimistic concurrency, as in
     * recordActivity). Returns the members whose row changed in between: nothing was written for
     * them, and the caller must read and apply again.
     */
    async saveMany(
      writes: Array<{ userId: number; state: StreakState; version: number }>
    ): Promise<Set<number>> {
      const refused = new Set<number>();
      if (writes.length === 0) return refused;
      const t = table();
      const knex = strapi.db.connection;
      if (dialectOf(strapi) === 'mysql') {
        // No conditional upsert that says which rows it wrote: one statement per member.
        for (const w of writes) if (!(await writeOne(w))) refused.add(w.userId);
        return refused;
      }
      const sorted = [...writes].sort((a, b) => a.userId - b.userId);
      const merge = [...Object.keys(streakColumns(sorted[0].state)), 'version', 'updatedAt'].map(
        (a) => t.col(a)
      );
      const userCol = t.col('userId');
      const versionCol = t.col('version');
      for (const part of chunks(sorted)) {
        const { returned } = await insertMany(
          strapi,
          knex,
          t.name,
          bulkRows(t, part.map(rowValues)),
          {
            conflict: [userCol],
            merge,
            // A new member's row (version 1) never overwrites one another writer created.
            mergeWhere: (q) => `${q(t.name)}.${q(versionCol)} = excluded.${q(versionCol)} - 1`,
            returning: userCol,
          }
        );
        const written = new Set((returned ?? []).map(Number));
        for (const w of part) if (!written.has(w.userId)) refused.add(w.userId);
      }
      return refused;
    },

    /**
     * Applies activity instants (epoch ms, in order) in the member's timezone. Returns the state
     * after each instant, so the engine can judge streak badges as of each event.
     */
    async recordActivity(
      userId: number,
      instants: number[],
      timezone: string
    ): Promise<{ before: StreakState; states: StreakState[] }> {
      const { freezesPerMonth } = await getService(strapi, 'settings').streakOptions();
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        // A version conflict means someone else wrote in between: read again.
        const existing = (await this.getMany([userId])).get(userId) ?? null;
        const { start, states } = advance(existing, instants, timezone, freezesPerMonth);
        const state = states[states.length - 1] ?? start;
        // Refused: another process created or changed the row first; apply on top of theirs.
        if (await writeOne({ userId, state, version: start.version }))
          return { before: start, states };
      }
      throw new Error(
        `achievements: streak of member ${userId} kept changing under concurrent writers`
      );
    },
  };
};

export default streaksService;
