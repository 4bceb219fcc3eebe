import { UID } from '../../../common/constants';
import { fromJson, row, tableOf } from './sql';
import { defineStore } from './store';
import type { Connection } from './transaction';

/**
 * What a member chose: featured badges (ids, in order), whether their profile is public,
 * whether others see them on leaderboards, whether they get email digests, and the language of
 * those emails (null: the site's default).
 */
export interface Preference {
  featured: number[];
  public: boolean;
  leaderboards: boolean;
  email: boolean;
  language: string | null;
}

// SQLite and MariaDB store booleans as 0/1; no row (or an older row) means the default.
const flag = (value: unknown, fallback: boolean) =>
  value === null || value === undefined ? fallback : Boolean(value);

const preferenceFrom = (
  featuredValue: unknown,
  publicValue: unknown,
  leaderboardsValue?: unknown,
  emailValue?: unknown,
  languageValue?: unknown
): Preference => {
  const featured = fromJson<unknown>(featuredValue);
  return {
    featured: Array.isArray(featured) ? featured.filter((id) => Number.isInteger(id)) : [],
    public: flag(publicValue, true),
    leaderboards: flag(leaderboardsValue, true),
    email: flag(emailValue, true),
    language: typeof languageValue === 'string' && languageValue ? languageValue : null,
  };
};

/** A member's user row as the read routes need it, with their preference. */
export interface MemberRow {
  id: number;
  documentId: string;
  username: string;
  blocked: boolean;
  /** The raw value of the user model's timezone column; undefined when it has none. */
  timezone?: unknown;
  preference: Preference;
}

/** Preferences: one row per member (a unique index); no row means the defaults. */
export const preferenceStore = defineStore((strapi) => {
  const t = () => tableOf(strapi, UID.preference);
  const knex = () => strapi.db.connection;

  return {
    async of(userId: number): Promise<Preference> {
      const table = t();
      const r = await knex()(table.name)
        .select(
          table.col('featured'),
          table.col('public'),
          table.col('leaderboards'),
          table.col('email'),
          table.col('language')
        )
        .where(table.col('userId'), userId)
        .first();
      return preferenceFrom(
        r?.[table.col('featured')],
        r?.[table.col('public')],
        r?.[table.col('leaderboards')],
        r?.[table.col('email')],
        r?.[table.col('language')]
      );
    },

    /**
     * The user row `ref` names with the member's preference, in one statement (every read
     * route needs both). `timezoneColumn`: the user model's timezone column, if any.
     */
    async memberWith(
      ref: { id: number } | { documentId: string },
      timezoneColumn: string | null
    ): Promise<MemberRow | null> {
      const u = tableOf(strapi, UID.user);
      const p = t();
      const select: Record<string, string> = {
        id: `u.${u.col('id')}`,
        documentId: `u.${u.col('documentId')}`,
        username: `u.${u.col('username')}`,
        blocked: `u.${u.col('blocked')}`,
        featured: `p.${p.col('featured')}`,
        isPublic: `p.${p.col('public')}`,
        leaderboards: `p.${p.col('leaderboards')}`,
        email: `p.${p.col('email')}`,
        language: `p.${p.col('language')}`,
      };
      if (timezoneColumn !== null) select.timezone = `u.${timezoneColumn}`;
      const r = await knex()({ u: u.name })
        .leftJoin({ p: p.name }, `p.${p.col('userId')}`, `u.${u.col('id')}`)
        .first(select)
        .where(
          'id' in ref ? `u.${u.col('id')}` : `u.${u.col('documentId')}`,
          'id' in ref ? ref.id : ref.documentId
        );
      if (!r) return null;
      return {
        id: Number(r.id),
        documentId: r.documentId,
        username: r.username,
        blocked: Boolean(r.blocked),
        ...(timezoneColumn !== null ? { timezone: r.timezone } : {}),
        preference: preferenceFrom(r.featured, r.isPublic, r.leaderboards, r.email, r.language),
      };
    },

    /**
     * Saves what is given; one statement against the unique (userId) index. `conn`: a
     * transaction (an unsubscribe link saves with the mark that it was used).
     */
    async save(userId: number, values: Partial<Preference>, conn: Connection = knex()) {
      const table = t();
      const now = new Date();
      const changed: Record<string, unknown> = {};
      if (values.featured !== undefined) changed.featured = JSON.stringify(values.featured);
      if (values.public !== undefined) changed.public = values.public;
      if (values.leaderboards !== undefined) changed.leaderboards = values.leaderboards;
      if (values.email !== undefined) changed.email = values.email;
      if (values.language !== undefined) changed.language = values.language;
      const insert = row(
        table,
        {
          userId,
          featured: JSON.stringify([]),
          public: true,
          leaderboards: true,
          email: true,
          ...changed,
        },
        now
      );
      // Concurrent first saves cannot duplicate.
      await conn(table.name)
        .insert(insert)
        .onConflict([table.col('userId')])
        .merge([...Object.keys(changed).map(table.col), table.col('updatedAt')]);
    },

    /** How many rows the member has here (what an erase will remove). */
    async countMember(userId: number): Promise<number> {
      return Number(await strapi.db.query(UID.preference).count({ where: { userId } }));
    },

    /** The member's rows as Strapi's query engine reads them (the export of their data). */
    async ofMember(userId: number): Promise<Array<Record<string, unknown>>> {
      return strapi.db
        .query(UID.preference)
        .findMany({ where: { userId }, orderBy: { id: 'asc' } });
    },

    /** Deletes the member's preference; how many rows (the erase of their data). */
    async eraseMember(userId: number, conn: Connection = knex()): Promise<number> {
      const table = t();
      return Number(await conn(table.name).where(table.col('userId'), userId).delete());
    },
  };
});
