import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID } from '../../../common/constants';
import {
  applyActivity,
  emptyStreak,
  isValidTimeZone,
  type StreakState,
} from '../../../engine/streak';
import type { PluginConfig } from '../config/schema';
import { columns, insertIgnore, row, tableOf, toMs } from '../utils/db';
import { getService } from '../utils/get-service';

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
 * Learning streaks, one row per member. The arithmetic is the pure engine's; this service only
 * reads and writes the row, with optimistic concurrency (a version column) so two processes
 * handling the same member never lose each other's day.
 */
const streaksService = ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
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
      const users = tableOf(strapi, UID.user);
      const column = users.col(config().timezoneField);
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
     * Applies activity instants (epoch ms, in order) in the member's timezone. Returns the state
     * after each instant, so the engine can judge streak badges as of each event.
     */
    async recordActivity(
      userId: number,
      instants: number[],
      timezone: string,
      /** The member's row as just read (null: none), to save reading it again. */
      known?: (StreakState & { version: number }) | null
    ): Promise<{ before: StreakState; states: StreakState[] }> {
      const t = table();
      const knex = strapi.db.connection;
      const { freezesPerMonth } = await getService(strapi, 'settings').streakOptions();
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        // A version conflict means someone else wrote in between: read again.
        const existing =
          attempt === 0 && known !== undefined
            ? known
            : await knex(t.name)
                .where(t.col('userId'), userId)
                .first()
                .then((r: any) => (r ? fromRow(r, t) : null));
        const start = existing ?? { ...emptyStreak(timezone), version: 0 };
        let state: StreakState = start;
        const states: StreakState[] = [];
        for (const at of instants) {
          state = applyActivity(state, { at, timezone }, { freezesPerMonth }).state;
          states.push(state);
        }

        if (!existing) {
          const inserted = await insertIgnore(
            strapi,
            knex,
            t.name,
            row(t, { userId, ...streakColumns(state), version: 1 }),
            [t.col('userId')]
          );
          if (inserted) return { before: start, states };
          continue; // another process created it first: apply on top of theirs
        }
        const updated = await knex(t.name)
          .where(t.col('userId'), userId)
          .where(t.col('version'), start.version)
          .update({
            ...columns(t, { ...streakColumns(state), version: start.version + 1 }),
            [t.col('updatedAt')]: new Date(),
          });
        if (updated === 1) return { before: start, states };
      }
      throw new Error(
        `achievements: streak of member ${userId} kept changing under concurrent writers`
      );
    },
  };
};

export default streaksService;
