import { UID } from '../../../common/constants';
import type { StreakState } from '../../../engine/streak';
import {
  affected,
  bulkRows,
  chunks,
  rowsOfMembers,
  columns,
  dialectOf,
  insertIgnore,
  insertMany,
  row,
  tableOf,
  toMs,
  type Table,
} from './sql';
import { defineStore } from './store';
import type { Connection } from './transaction';

/** A stored streak and the version it was read at (optimistic concurrency). */
export type StoredStreak = StreakState & { version: number };

/** A streak to write, computed from the row read at `version` (0: the member had none). */
export interface StreakWrite {
  userId: number;
  state: StreakState;
  version: number;
}

const streakColumns = (s: StreakState) => ({
  current: s.current,
  longest: s.longest,
  lastActiveAt: s.lastActiveAt === null ? null : new Date(s.lastActiveAt),
  lastActiveDay: s.lastActiveDay,
  timezone: s.timezone,
  freezesUsed: s.freezesUsed,
  freezesMonth: s.freezesMonth,
});

const fromRow = (r: Record<string, any>, t: Table): StoredStreak => ({
  current: r[t.col('current')] ?? 0,
  longest: r[t.col('longest')] ?? 0,
  lastActiveAt: toMs(r[t.col('lastActiveAt')]),
  lastActiveDay: r[t.col('lastActiveDay')] ?? null,
  timezone: r[t.col('timezone')] ?? 'UTC',
  freezesUsed: r[t.col('freezesUsed')] ?? 0,
  freezesMonth: r[t.col('freezesMonth')] ?? null,
  version: r[t.col('version')] ?? 0,
});

const rowValues = (w: StreakWrite) => ({
  userId: w.userId,
  ...streakColumns(w.state),
  version: w.version + 1,
});

/**
 * Streaks: one row per member (a unique index), written with optimistic concurrency (a version
 * column), so two processes handling the same member never lose each other's day.
 */
export const streakStore = defineStore((strapi) => {
  const t = () => tableOf(strapi, UID.streak);
  const knex = () => strapi.db.connection;

  /** One member's write (see StreakWrite); false: the row changed in between, nothing written. */
  const writeOne = async (w: StreakWrite, conn: Connection = knex()) => {
    const table = t();
    if (w.version === 0)
      return insertIgnore(strapi, conn, table.name, row(table, rowValues(w)), [
        table.col('userId'),
      ]);
    const updated = await conn(table.name)
      .where(table.col('userId'), w.userId)
      .where(table.col('version'), w.version)
      .update({ ...columns(table, rowValues(w)), [table.col('updatedAt')]: new Date() });
    return affected(updated) === 1;
  };

  return {
    writeOne,

    async of(
      userIds: number[],
      opts: { consecutive?: boolean } = {}
    ): Promise<Map<number, StoredStreak>> {
      const table = t();
      const out = new Map<number, StoredStreak>();
      if (userIds.length === 0) return out;
      const keep = (rows: any[]) => {
        for (const r of rows) out.set(Number(r[table.col('userId')]), fromRow(r, table));
      };
      keep(
        await rowsOfMembers(
          () => knex()(table.name),
          table.col('userId'),
          userIds,
          opts.consecutive
        )
      );
      return out;
    },

    /**
     * Writes several members' streaks (see StreakWrite): one statement on PostgreSQL and
     * SQLite, where a conflicting row is updated only if it still has the version read. Returns
     * the members whose row changed in between: nothing was written for them, and the caller
     * must read and apply again.
     */
    async saveMany(writes: StreakWrite[], conn: Connection = knex()): Promise<Set<number>> {
      const refused = new Set<number>();
      if (writes.length === 0) return refused;
      const table = t();
      if (dialectOf(strapi) === 'mysql') {
        // No conditional upsert that says which rows it wrote: one statement per member.
        for (const w of writes) if (!(await writeOne(w, conn))) refused.add(w.userId);
        return refused;
      }
      const sorted = [...writes].sort((a, b) => a.userId - b.userId);
      const merge = [...Object.keys(streakColumns(sorted[0].state)), 'version', 'updatedAt'].map(
        (a) => table.col(a)
      );
      const userCol = table.col('userId');
      const versionCol = table.col('version');
      for (const part of chunks(sorted)) {
        const { returned } = await insertMany(
          strapi,
          conn,
          table.name,
          bulkRows(table, part.map(rowValues)),
          {
            conflict: [userCol],
            merge,
            // A new member's row (version 1) never overwrites one another writer created.
            mergeWhere: (q) => `${q(table.name)}.${q(versionCol)} = excluded.${q(versionCol)} - 1`,
            returning: userCol,
          }
        );
        const written = new Set((returned ?? []).map(Number));
        for (const w of part) if (!written.has(w.userId)) refused.add(w.userId);
      }
      return refused;
    },

    /** Stores replayed streaks of members who have none yet; a member's existing row stays. */
    async insertMissing(
      streaks: Array<{ userId: number; state: StreakState }>,
      conn: Connection = knex()
    ) {
      const table = t();
      const rows = bulkRows(
        table,
        streaks.map((s) => rowValues({ ...s, version: 0 }))
      );
      for (const part of chunks(rows))
        await insertMany(strapi, conn, table.name, part, { conflict: [table.col('userId')] });
    },

    /** How many rows the member has here (what an erase will remove). */
    async countMember(userId: number): Promise<number> {
      return Number(await strapi.db.query(UID.streak).count({ where: { userId } }));
    },

    /** The member's rows as Strapi's query engine reads them (the export of their data). */
    async ofMember(userId: number): Promise<Array<Record<string, unknown>>> {
      return strapi.db.query(UID.streak).findMany({ where: { userId }, orderBy: { id: 'asc' } });
    },

    /** Deletes the member's streak; how many rows (the erase of their data). */
    async eraseMember(userId: number, conn: Connection = knex()): Promise<number> {
      const table = t();
      return Number(await conn(table.name).where(table.col('userId'), userId).delete());
    },
  };
});
