import { UID } from '../../../common/constants';
import { isValidTimeZone } from '../../../engine/streak';
import { timezoneColumn } from '../utils/user-model';
import { chunks, tableOf } from './sql';
import { defineStore } from './store';

/** The host's users-permissions users, as evaluation and statistics read them. Writes nothing. */
export const hostUsers = defineStore((strapi) => {
  const knex = () => strapi.db.connection;

  return {
    /**
     * Each member's IANA timezone from the user model's timezone field, or `fallback` when the
     * model has none or the member's value is empty or not a timezone.
     */
    async timezonesOf(userIds: number[], fallback: string): Promise<Map<number, string>> {
      const out = new Map<number, string>(userIds.map((id) => [id, fallback]));
      if (userIds.length === 0) return out;
      const column = timezoneColumn(strapi);
      if (column === null) return out;
      const users = tableOf(strapi, UID.user);
      const query = knex()(users.name).select('id', column);
      const rows =
        userIds.length === 1
          ? await query.where('id', userIds[0])
          : await query.whereIn('id', userIds);
      for (const r of rows) {
        const tz = r[column];
        if (typeof tz === 'string' && isValidTimeZone(tz)) out.set(Number(r.id), tz);
      }
      return out;
    },

    /** Where to email a member: their address, or null for no user, a blocked one or none. */
    async emailOf(userId: number): Promise<string | null> {
      const u = tableOf(strapi, UID.user);
      const r = await knex()(u.name)
        .first({ email: u.col('email'), blocked: u.col('blocked') })
        .where('id', userId);
      if (!r || r.blocked || typeof r.email !== 'string' || !r.email.includes('@')) return null;
      return r.email;
    },

    /** Of these members, those whose account exists and is not blocked. */
    async activeOf(userIds: number[]): Promise<Set<number>> {
      const u = tableOf(strapi, UID.user);
      const active = new Set<number>();
      for (const chunk of chunks(userIds)) {
        const rows = await knex()(u.name)
          .select('id')
          .whereIn('id', chunk)
          .where((q) => q.where(u.col('blocked'), false).orWhereNull(u.col('blocked')));
        for (const r of rows) active.add(Number(r.id));
      }
      return active;
    },

    /** Members who may earn badges: every user not blocked (rarity's denominator). */
    async eligibleCount(): Promise<number> {
      const u = tableOf(strapi, UID.user);
      const [{ members }] = await knex()(u.name)
        .where((q) => q.where(u.col('blocked'), false).orWhereNull(u.col('blocked')))
        .count({ members: '*' });
      return Number(members);
    },
  };
});
