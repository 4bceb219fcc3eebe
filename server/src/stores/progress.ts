import { UID } from '../../../common/constants';
import { bulkRows, chunks, insertMany, rowsOfMembers, tableOf } from './sql';
import { defineStore } from './store';
import type { Connection } from './transaction';

/** How far a member is toward a badge. */
export interface ProgressRow {
  userId: number;
  badgeId: number;
  current: number;
  target: number;
}

/** Progress: one row per member and badge (a unique index), upserted by evaluation. */
export const progressStore = defineStore((strapi) => {
  const t = () => tableOf(strapi, UID.progress);
  const knex = () => strapi.db.connection;

  return {
    /**
     * Upserts rows of any number of members, a few hundred per statement. Rows go in (member,
     * badge) order, so two writers of overlapping rows lock them in the same order and cannot
     * deadlock.
     */
    async upsertMany(rows: ProgressRow[], conn: Connection = knex()) {
      if (rows.length === 0) return;
      const table = t();
      const sorted = [...rows].sort((a, b) => a.userId - b.userId || a.badgeId - b.badgeId);
      for (const part of chunks(
        bulkRows(table, sorted as unknown as Array<Record<string, unknown>>)
      ))
        await insertMany(strapi, conn, table.name, part, {
          conflict: [table.col('userId'), table.col('badgeId')],
          merge: [table.col('current'), table.col('target'), table.col('updatedAt')],
        });
    },

    /**
     * The stored rows of these members, member → badge → values. `consecutive` as in
     * ledgerStore.ledgersOf.
     */
    async of(
      userIds: number[],
      opts: { consecutive?: boolean } = {}
    ): Promise<Map<number, Map<number, { current: number; target: number }>>> {
      const table = t();
      const out = new Map<number, Map<number, { current: number; target: number }>>(
        userIds.map((id) => [id, new Map()])
      );
      if (userIds.length === 0) return out;
      const select = () =>
        knex()(table.name).select(
          table.col('userId'),
          table.col('badgeId'),
          table.col('current'),
          table.col('target')
        );
      const keep = (rows: any[]) => {
        for (const r of rows)
          out.get(Number(r[table.col('userId')]))?.set(Number(r[table.col('badgeId')]), {
            current: Number(r[table.col('current')] ?? 0),
            target: Number(r[table.col('target')] ?? 1),
          });
      };
      keep(await rowsOfMembers(select, table.col('userId'), userIds, opts.consecutive));
      return out;
    },

    async deleteForBadge(badgeId: number, conn: Connection = knex()) {
      const table = t();
      await conn(table.name).where(table.col('badgeId'), badgeId).delete();
    },

    /** How many rows the member has here (what an erase will remove). */
    async countMember(userId: number): Promise<number> {
      return Number(await strapi.db.query(UID.progress).count({ where: { userId } }));
    },

    /** The member's rows as Strapi's query engine reads them (the export of their data). */
    async ofMember(userId: number): Promise<Array<Record<string, unknown>>> {
      return strapi.db.query(UID.progress).findMany({ where: { userId }, orderBy: { id: 'asc' } });
    },

    /** Deletes the member's progress rows; how many rows (the erase of their data). */
    async eraseMember(userId: number, conn: Connection = knex()): Promise<number> {
      const table = t();
      return Number(await conn(table.name).where(table.col('userId'), userId).delete());
    },

    /**
     * How many members' rows of a badge fall in each tenth of the way (0–10 %, …, 90–100 %; a
     * met target in the last), counted in one statement (Insights: which badges are too hard).
     * Integer comparisons (10 · current ≥ k · target), so every dialect buckets alike, as
     * engine/insights.progressBucket does.
     */
    async distribution(badgeId: number): Promise<number[]> {
      const table = t();
      const cur = table.col('current');
      const tgt = table.col('target');
      const cases = [9, 8, 7, 6, 5, 4, 3, 2, 1]
        .map((k) => `WHEN ?? * 10 >= ?? * ${k} THEN ${k}`)
        .join(' ');
      const bucket = knex().raw(`CASE WHEN ?? <= 0 THEN 9 ${cases} ELSE 0 END`, [
        tgt,
        ...[9, 8, 7, 6, 5, 4, 3, 2, 1].flatMap(() => [cur, tgt]),
      ]);
      const rows = await knex()
        .from(knex()(table.name).select({ bucket }).where(table.col('badgeId'), badgeId).as('s'))
        .select('s.bucket')
        .count({ members: '*' })
        .groupBy('s.bucket');
      const out = new Array<number>(10).fill(0);
      for (const r of rows as any[]) out[Number(r.bucket)] = Number(r.members);
      return out;
    },
  };
});
