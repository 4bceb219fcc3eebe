import { UID } from '../../../common/constants';
import type { HeldBefore } from '../../../engine/walk';
import {
  bulkRows,
  CHUNK,
  rowsOfMembers,
  columns,
  insertIgnore,
  insertMany,
  row,
  tableOf,
  toDate,
  bucketIndex,
  toJson,
  type Table,
} from './sql';
import { defineStore } from './store';
import type { Connection } from './transaction';

/** An achievement to write: who earned which badge, which time, when, and why. */
export interface NewAchievement {
  badgeId: number;
  sequence: number;
  earnedAt: Date;
  sourceEvent?: string | null;
  evidence?: Record<string, unknown> | null;
  awardedBy?: string;
}

/** An achievement as code outside evaluation sees it. */
export interface AchievementRecord {
  documentId: string;
  userId: number;
  badgeId: number;
  sequence: number;
  earnedAt: Date;
  revokedAt: Date | null;
}

/** A revocation to write (the row is kept, marked revoked). */
export interface Revocation {
  badgeId: number;
  sequence: number;
  reason: string;
  at: Date;
  by: string;
}

const heldOf = (t: Table, r: Record<string, any>): HeldBefore => ({
  badgeId: r[t.col('badgeId')],
  sequence: r[t.col('sequence')],
  revoked: r[t.col('revokedAt')] !== null,
  manual: (r[t.col('awardedBy')] ?? 'system') !== 'system',
  byAdmin:
    r[t.col('revokedAt')] !== null && String(r[t.col('revokedBy')] ?? '').startsWith('admin'),
});

const valuesOf = (userId: number, a: NewAchievement) => ({
  userId,
  badgeId: a.badgeId,
  sequence: a.sequence,
  earnedAt: a.earnedAt,
  sourceEvent: a.sourceEvent ?? null,
  evidence: toJson(a.evidence ?? null),
  revokedAt: null,
  revokeReason: null,
  awardedBy: a.awardedBy ?? 'system',
});

/**
 * Achievements: one row per member, badge and sequence (a unique index), never deleted while
 * the badge exists: a revocation marks the row. Every insert is one the index may refuse, so
 * the same decision written twice, or by two processes at once, awards once.
 */
export const achievementStore = defineStore((strapi) => {
  const t = () => tableOf(strapi, UID.achievement);
  const knex = () => strapi.db.connection;

  /** The row (member, badge, sequence), as a query to narrow and update. */
  const one = (conn: Connection, userId: number, badgeId: number, sequence: number) => {
    const table = t();
    return conn(table.name).where({
      [table.col('userId')]: userId,
      [table.col('badgeId')]: badgeId,
      [table.col('sequence')]: sequence,
    });
  };

  return {
    /**
     * What each member holds, revoked rows included (`byAdmin`: an admin revoked it, and it
     * stays revoked). `consecutive` as in ledgerStore.ledgersOf.
     */
    async heldBy(
      userIds: number[],
      opts: { consecutive?: boolean } = {}
    ): Promise<Map<number, HeldBefore[]>> {
      const out = new Map<number, HeldBefore[]>(userIds.map((id) => [id, []]));
      if (userIds.length === 0) return out;
      const table = t();
      const select = () =>
        knex()(table.name).select(
          table.col('userId'),
          table.col('badgeId'),
          table.col('sequence'),
          table.col('revokedAt'),
          table.col('awardedBy'),
          table.col('revokedBy')
        );
      const keep = (rows: any[]) => {
        for (const r of rows) out.get(Number(r[table.col('userId')]))?.push(heldOf(table, r));
      };
      keep(await rowsOfMembers(select, table.col('userId'), userIds, opts.consecutive));
      return out;
    },

    /** Inserts one achievement unless the member holds that badge and sequence already. */
    async insert(userId: number, a: NewAchievement, conn: Connection = knex()): Promise<boolean> {
      const table = t();
      return insertIgnore(strapi, conn, table.name, row(table, valuesOf(userId, a)), [
        table.col('userId'),
        table.col('badgeId'),
        table.col('sequence'),
      ]);
    },

    /**
     * Inserts many achievements in multi-row statements the unique index may refuse row by
     * row; returns, for each entry, whether it was inserted.
     */
    async insertMany(
      list: Array<{ userId: number; achievement: NewAchievement }>,
      conn: Connection = knex()
    ): Promise<boolean[]> {
      const table = t();
      const rows = bulkRows(
        table,
        list.map((e) => valuesOf(e.userId, e.achievement))
      );
      const docId = table.col('documentId');
      const out: boolean[] = [];
      for (let i = 0; i < rows.length; i += CHUNK) {
        const part = rows.slice(i, i + CHUNK);
        const { count, returned } = await insertMany(strapi, conn, table.name, part, {
          conflict: [table.col('userId'), table.col('badgeId'), table.col('sequence')],
          returning: docId,
        });
        let inserted: Set<string>;
        if (returned) inserted = new Set(returned as string[]);
        else if (count === part.length) inserted = new Set(part.map((r) => r[docId] as string));
        else {
          // MySQL/MariaDB: some were refused, find which of ours are there.
          const mine = await conn(table.name)
            .select(docId)
            .whereIn(
              docId,
              part.map((r) => r[docId] as string)
            );
          inserted = new Set(mine.map((r: any) => r[docId] as string));
        }
        for (const r of part) out.push(inserted.has(r[docId] as string));
      }
      return out;
    },

    /**
     * Clears the revocation of an achievement whose criteria hold again, citing the fact that
     * earned it this time; false when it was not revoked.
     */
    async reinstate(userId: number, a: NewAchievement, conn: Connection = knex()) {
      const table = t();
      const n = await one(conn, userId, a.badgeId, a.sequence)
        .whereNotNull(table.col('revokedAt'))
        .update(
          columns(table, {
            revokedAt: null,
            revokeReason: null,
            revokedBy: null,
            earnedAt: a.earnedAt,
            awardedBy: a.awardedBy ?? 'system',
            sourceEvent: a.sourceEvent ?? null,
            evidence: toJson(a.evidence ?? null),
            updatedAt: new Date(),
          })
        );
      return n > 0;
    },

    /** Marks one achievement revoked (never deletes it); false when it was not held. */
    async revoke(userId: number, r: Revocation, conn: Connection = knex()): Promise<boolean> {
      const table = t();
      const n = await one(conn, userId, r.badgeId, r.sequence)
        .whereNull(table.col('revokedAt'))
        .update(
          columns(table, {
            revokedAt: r.at,
            revokeReason: r.reason,
            revokedBy: r.by,
            updatedAt: r.at,
          })
        );
      return n > 0;
    },

    /** The sequences of a badge the member holds now (not revoked), one or all. */
    async activeSequences(userId: number, badgeId: number, sequence?: number): Promise<number[]> {
      const table = t();
      const query = knex()(table.name)
        .select(table.col('sequence'))
        .where({ [table.col('userId')]: userId, [table.col('badgeId')]: badgeId })
        .whereNull(table.col('revokedAt'));
      if (sequence !== undefined) query.where(table.col('sequence'), sequence);
      return (await query).map((r: any) => Number(r[table.col('sequence')]));
    },

    /**
     * How many times each member holds each badge now (not revoked), read on `conn`: inside
     * the transaction that just changed them, the totals a notification reports.
     */
    async timesHeld(
      userIds: number[],
      conn: Connection = knex()
    ): Promise<Map<number, Map<number, number>>> {
      const out = new Map<number, Map<number, number>>(userIds.map((id) => [id, new Map()]));
      if (userIds.length === 0) return out;
      const table = t();
      const select = () =>
        conn(table.name)
          .select(table.col('userId'), table.col('badgeId'))
          .count({ n: '*' })
          .whereNull(table.col('revokedAt'))
          .groupBy(table.col('userId'), table.col('badgeId'));
      for (const r of await rowsOfMembers(select, table.col('userId'), userIds))
        out.get(Number(r[table.col('userId')]))?.set(Number(r[table.col('badgeId')]), Number(r.n));
      return out;
    },

    /** A member's achievements held now (not revoked), newest first. */
    async earnedBy(userId: number) {
      const table = t();
      const rows = await knex()(table.name)
        .select(table.col('badgeId'), table.col('sequence'), table.col('earnedAt'))
        .where(table.col('userId'), userId)
        .whereNull(table.col('revokedAt'))
        .orderBy(table.col('earnedAt'), 'desc');
      return rows.map((r: any) => ({
        badgeId: r[table.col('badgeId')] as number,
        sequence: r[table.col('sequence')] as number,
        earnedAt: toDate(r[table.col('earnedAt')])!,
      }));
    },

    /**
     * Achievements as records outside evaluation name them (credentials, exports): by
     * documentId, or a member's, newest first; `heldOnly`: not revoked.
     */
    async records(
      where: { documentId: string } | { userId: number; heldOnly?: boolean }
    ): Promise<AchievementRecord[]> {
      const table = t();
      const query = knex()(table.name).select(
        table.col('documentId'),
        table.col('userId'),
        table.col('badgeId'),
        table.col('sequence'),
        table.col('earnedAt'),
        table.col('revokedAt')
      );
      if ('documentId' in where) query.where(table.col('documentId'), where.documentId);
      else {
        query.where(table.col('userId'), where.userId);
        if (where.heldOnly) query.whereNull(table.col('revokedAt'));
        query.orderBy([{ column: table.col('earnedAt'), order: 'desc' }, { column: 'id' }]);
      }
      return (await query).map((r: any) => ({
        documentId: r[table.col('documentId')],
        userId: Number(r[table.col('userId')]),
        badgeId: Number(r[table.col('badgeId')]),
        sequence: Number(r[table.col('sequence')]),
        earnedAt: toDate(r[table.col('earnedAt')])!,
        revokedAt: toDate(r[table.col('revokedAt')]),
      }));
    },

    /** Which of these badges the member holds now. */
    async heldAmong(userId: number, badgeIds: number[]): Promise<Set<number>> {
      const table = t();
      const rows = await knex()(table.name)
        .distinct(table.col('badgeId'))
        .where(table.col('userId'), userId)
        .whereIn(table.col('badgeId'), badgeIds)
        .whereNull(table.col('revokedAt'));
      return new Set(rows.map((r: Record<string, unknown>) => Number(r[table.col('badgeId')])));
    },

    /**
     * Members holding the badge now, counted from the index (badgeId, revokedAt, userId) alone.
     * One badge per statement: SQLite runs a statement synchronously, and one aggregate over a
     * million achievements would stall every request of the process for the whole scan.
     */
    async holdersOf(badgeId: number): Promise<number> {
      const table = t();
      const [r] = await knex()(table.name)
        .countDistinct({ holders: table.col('userId') })
        .where(table.col('badgeId'), badgeId)
        .whereNull(table.col('revokedAt'));
      return Number(r?.holders ?? 0);
    },

    /**
     * Achievements earned per calendar bucket and badge (held ones: a revoked award is not
     * counted), in one statement over the window the buckets cover (Insights).
     */
    async earnedPerBucket(
      buckets: Array<{ from: number; to: number }>
    ): Promise<Array<{ bucket: number; badgeId: number; count: number }>> {
      if (buckets.length === 0) return [];
      const table = t();
      const bucket = bucketIndex(knex(), table.col('earnedAt'), buckets);
      // Grouped outside: PostgreSQL would not match a GROUP BY expression with other parameters.
      const rows = await knex()
        .from(
          knex()(table.name)
            .select({ bucket, badgeId: table.col('badgeId') })
            .whereNull(table.col('revokedAt'))
            .where(table.col('earnedAt'), '>=', new Date(buckets[0].from))
            .where(table.col('earnedAt'), '<', new Date(buckets[buckets.length - 1].to))
            .as('s')
        )
        .select('s.bucket', 's.badgeId')
        .count({ count: '*' })
        .groupBy('s.bucket', 's.badgeId');
      return rows.map((r: any) => ({
        bucket: Number(r.bucket),
        badgeId: Number(r.badgeId),
        count: Number(r.count),
      }));
    },

    /** Deletes every achievement of a badge; the rows held then (not revoked). */
    async deleteForBadge(
      badgeId: number,
      conn: Connection = knex()
    ): Promise<Array<{ userId: number; sequence: number }>> {
      const table = t();
      const held = await conn(table.name)
        .select(table.col('userId'), table.col('sequence'))
        .where(table.col('badgeId'), badgeId)
        .whereNull(table.col('revokedAt'));
      await conn(table.name).where(table.col('badgeId'), badgeId).delete();
      return held.map((r: any) => ({
        userId: Number(r[table.col('userId')]),
        sequence: Number(r[table.col('sequence')]),
      }));
    },

    /** How many rows the member has here (what an erase will remove). */
    async countMember(userId: number): Promise<number> {
      return Number(await strapi.db.query(UID.achievement).count({ where: { userId } }));
    },

    /** The member's rows as Strapi's query engine reads them (the export of their data). */
    async ofMember(userId: number): Promise<Array<Record<string, unknown>>> {
      return strapi.db
        .query(UID.achievement)
        .findMany({ where: { userId }, orderBy: { id: 'asc' } });
    },

    /** Deletes the member's achievements, revoked ones too; how many rows (the erase of their data). */
    async eraseMember(userId: number, conn: Connection = knex()): Promise<number> {
      const table = t();
      return Number(await conn(table.name).where(table.col('userId'), userId).delete());
    },
  };
});
