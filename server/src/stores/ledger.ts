import { UID } from '../../../common/constants';
import type { LedgerEvent } from '../../../engine/tally';
import {
  bucketIndex,
  chunks,
  fromJson,
  claimRows,
  insertIgnore,
  row,
  tableOf,
  toJson,
  toMs,
  type Table,
} from './sql';
import { defineStore } from './store';
import type { Connection } from './transaction';

/** A ledger row as evaluation reads it. */
export interface LedgerRow extends LedgerEvent {
  id: number;
}

/** A ledger row the evaluator claimed: its key and how often it was tried. */
export interface ClaimedEvent extends LedgerRow {
  key: string;
  attempts: number;
}

/** A fact to write (see services/events for what is accepted). */
export interface NewFact {
  key: string;
  type: string;
  userId: number;
  actorId: number | null;
  subject: string | null;
  occurredAt: Date;
  source: string;
  data: Record<string, unknown> | null;
}

const ledgerRowOf = (t: Table, r: Record<string, any>): LedgerRow => ({
  id: r.id as number,
  type: r[t.col('type')] as string,
  userId: Number(r[t.col('userId')]),
  actorId: r[t.col('actorId')] as number | null,
  subject: r[t.col('subject')] as string | null,
  occurredAt: toMs(r[t.col('occurredAt')])!,
  data: fromJson<Record<string, unknown>>(r[t.col('data')]),
});

/** A key is unique per member (ach_events_user_key_uq): two back-ends may both send "k1". */
export const conflictOn = (table: Table) => [table.col('userId'), table.col('key')];

/**
 * The ledger (the event table): every fact, unique on its member and key, written before anything looks
 * at it; claimed in batches by the evaluator and marked processed. The replay of history writes
 * it too, set-based (stores/ledger-replay.ts).
 */
export const ledgerStore = defineStore((strapi) => {
  const t = () => tableOf(strapi, UID.event);
  const knex = () => strapi.db.connection;

  return {
    /**
     * Inserts one fact unless its key is in the ledger; whether this call inserted it. Inside a
     * host transaction (a users-permissions lifecycle, a document-service write) the insert
     * joins it, so the fact exists exactly when the write does, and `afterCommit` runs once it
     * commits (a rollback leaves no row and runs nothing). Outside one, a single statement is
     * its own transaction and `afterCommit` runs at once.
     */
    async insert(fact: NewFact, afterCommit: (inserted: boolean) => void): Promise<boolean> {
      const table = t();
      const values = row(table, {
        ...fact,
        processedAt: null,
        claimedAt: null,
        claimedBy: null,
        attempts: 0,
        data: toJson(fact.data),
      });
      if (strapi.db.inTransaction()) {
        return strapi.db.transaction(async ({ trx, onCommit }) => {
          const ok = await insertIgnore(strapi, trx as any, table.name, values, conflictOn(table));
          onCommit(() => afterCommit(ok));
          return ok;
        });
      }
      const ok = await insertIgnore(strapi, knex(), table.name, values, conflictOn(table));
      afterCommit(ok);
      return ok;
    },

    /** The fact the member's key names, as stored; null when there is none. */
    async factOf(userId: number, key: string): Promise<LedgerRow | null> {
      const table = t();
      const found = await knex()(table.name)
        .where(table.col('userId'), userId)
        .where(table.col('key'), key)
        .first();
      return found ? ledgerRowOf(table, found) : null;
    },

    /**
     * Claims up to `batchSize` unprocessed facts, oldest first, for `token`: facts nobody holds
     * or whose claim is older than `leaseMs`. Several processes may claim at once; each fact goes
     * to one of them.
     */
    async claim(opts: { batchSize: number; leaseMs: number; token: string }) {
      const table = t();
      const rows = await claimRows(strapi, table, {
        pending: (q) => q.whereNull(table.col('processedAt')),
        orderBy: 'occurredAt',
        now: new Date(),
        leaseMs: opts.leaseMs,
        token: opts.token,
        limit: opts.batchSize,
      });
      return rows
        .map((r: any): ClaimedEvent => ({
          ...ledgerRowOf(table, r),
          key: r[table.col('key')],
          attempts: r[table.col('attempts')],
        }))
        .sort((a, b) => a.occurredAt - b.occurredAt || a.id - b.id);
    },

    async markProcessed(ids: number[]) {
      const table = t();
      if (ids.length)
        await knex()(table.name)
          .whereIn('id', ids)
          .update({ [table.col('processedAt')]: new Date() });
    },

    async pendingCount(): Promise<number> {
      const table = t();
      const [{ count }] = await knex()(table.name)
        .whereNull(table.col('processedAt'))
        .count({ count: '*' });
      return Number(count);
    },

    /**
     * The members' facts of these types, each member's oldest first (occurredAt, then id).
     * `consecutive`: the members are a page of ascending ids, read by id range a few hundred
     * members per statement (the ranges stay on the user index whatever the planner's
     * statistics say); otherwise by an IN list.
     */
    async ledgersOf(
      userIds: number[],
      types: Set<string>,
      opts: { consecutive?: boolean } = {}
    ): Promise<Map<number, LedgerRow[]>> {
      const byUser = new Map<number, LedgerRow[]>(userIds.map((id) => [id, []]));
      if (types.size === 0 || userIds.length === 0) return byUser;
      const table = t();
      const select = () =>
        knex()(table.name).select(
          'id',
          table.col('userId'),
          table.col('type'),
          table.col('actorId'),
          table.col('subject'),
          table.col('occurredAt'),
          table.col('data')
        );
      const keep = (rows: any[]) => {
        for (const r of rows) {
          const fact = ledgerRowOf(table, r);
          byUser.get(fact.userId)?.push(fact);
        }
      };
      if (opts.consecutive) {
        for (const ids of chunks(userIds))
          keep(
            await select()
              .whereBetween(table.col('userId'), [ids[0], ids[ids.length - 1]])
              .whereIn(table.col('type'), [...types])
              .orderBy([
                { column: table.col('userId') },
                { column: table.col('occurredAt') },
                { column: 'id' },
              ])
          );
        return byUser;
      }
      const query = select();
      if (userIds.length === 1) query.where(table.col('userId'), userIds[0]);
      else query.whereIn(table.col('userId'), userIds);
      keep(
        await query
          .whereIn(table.col('type'), [...types])
          .orderBy([{ column: table.col('occurredAt') }, { column: 'id' }])
      );
      return byUser;
    },

    /**
     * Members with at least one fact in each calendar bucket (active members per day, for
     * Insights), in one statement over the window the buckets cover.
     */
    async activeMembersPerBucket(
      buckets: Array<{ from: number; to: number }>
    ): Promise<Array<{ bucket: number; members: number }>> {
      if (buckets.length === 0) return [];
      const table = t();
      const rows = await knex()
        .from(
          knex()(table.name)
            .select({
              bucket: bucketIndex(knex(), table.col('occurredAt'), buckets),
              userId: table.col('userId'),
            })
            .where(table.col('occurredAt'), '>=', new Date(buckets[0].from))
            .where(table.col('occurredAt'), '<', new Date(buckets[buckets.length - 1].to))
            .as('s')
        )
        .select('s.bucket')
        .countDistinct({ members: 's.userId' })
        .groupBy('s.bucket');
      return rows.map((r: any) => ({ bucket: Number(r.bucket), members: Number(r.members) }));
    },

    /** Every member with at least one fact, ascending. */
    async members(): Promise<number[]> {
      const table = t();
      return (await knex()(table.name).distinct(table.col('userId')))
        .map((r: any) => Number(r[table.col('userId')]))
        .sort((a: number, b: number) => a - b);
    },

    /** The member's own facts, and the facts in which they only acted on another member. */
    async countMember(userId: number): Promise<{ own: number; actedIn: number }> {
      const q = strapi.db.query(UID.event);
      return {
        own: Number(await q.count({ where: { userId } })),
        actedIn: Number(await q.count({ where: { actorId: userId, userId: { $ne: userId } } })),
      };
    },

    /**
     * One page of the member's ledger for the export, oldest id first, as Strapi's query engine
     * reads it: `role` 'member' is their own facts (userId), 'actor' the facts in which they
     * only acted on another member (actorId: a reaction they gave). Paged by id so a member
     * with 100k facts is streamed, never held whole.
     */
    async pageOfMember(
      userId: number,
      role: 'member' | 'actor',
      afterId: number,
      limit: number
    ): Promise<Array<Record<string, unknown>>> {
      const where =
        role === 'member'
          ? { userId, id: { $gt: afterId } }
          : { actorId: userId, userId: { $ne: userId }, id: { $gt: afterId } };
      return strapi.db.query(UID.event).findMany({ where, orderBy: { id: 'asc' }, limit });
    },

    /**
     * Erases the member from the ledger: their own facts leave it (a recalculation cannot bring
     * them back), and facts in which they only acted on another member keep that member's fact
     * with the actor replaced by `pseudonym` (a negative number, one per erase, so distinct
     * actors still count as distinct and no member id is left).
     */
    async eraseMember(
      userId: number,
      pseudonym: number,
      conn: Connection = knex()
    ): Promise<{ deleted: number; pseudonymised: number }> {
      const table = t();
      const deleted = Number(await conn(table.name).where(table.col('userId'), userId).delete());
      const pseudonymised = Number(
        await conn(table.name)
          .where(table.col('actorId'), userId)
          .update({ [table.col('actorId')]: pseudonym })
      );
      return { deleted, pseudonymised };
    },
  };
});
