import { UID } from '../../../common/constants';
import { affected, claimRows, fromJson, insertIgnore, row, tableOf, toDate, toJson } from './sql';
import { defineStore } from './store';
import type { Connection } from './transaction';

export type DigestStatus = 'pending' | 'sent' | 'failed' | 'skipped';

/** One email digest: the outbox row of one email to one member. */
export interface Digest {
  id: number;
  documentId: string;
  userId: number;
  notificationIds: number[];
  language: string;
  status: DigestStatus;
  attempts: number;
  sentAt: Date | null;
  unsubscribedAt: Date | null;
}

/**
 * Email digests: planned once per batch of notifications (unique dedupeKey), claimed with a
 * lease by whichever process sends them, retried with backoff, marked sent once.
 */
export const digestStore = defineStore((strapi) => {
  const t = () => tableOf(strapi, UID.digest);
  const knex = () => strapi.db.connection;

  const digestOf = (r: any): Digest => {
    const table = t();
    const ids = fromJson<unknown>(r[table.col('notificationIds')]);
    return {
      id: Number(r.id),
      documentId: r[table.col('documentId')],
      userId: Number(r[table.col('userId')]),
      notificationIds: Array.isArray(ids) ? ids.filter(Number.isInteger) : [],
      language: r[table.col('language')] ?? 'en',
      status: r[table.col('status')],
      attempts: Number(r[table.col('attempts')] ?? 0),
      sentAt: toDate(r[table.col('sentAt')]),
      unsubscribedAt: toDate(r[table.col('unsubscribedAt')]),
    };
  };

  return {
    /** Plans a digest on `conn`; false when one with this key exists (another process's). */
    async insert(
      d: { userId: number; dedupeKey: string; notificationIds: number[]; language: string },
      at: Date,
      conn: Connection
    ): Promise<boolean> {
      const table = t();
      const values = row(
        table,
        {
          userId: d.userId,
          dedupeKey: d.dedupeKey,
          notificationIds: toJson(d.notificationIds),
          language: d.language,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: at,
          claimedAt: null,
          claimedBy: null,
          sentAt: null,
          lastError: null,
          unsubscribedAt: null,
        },
        at
      );
      return insertIgnore(strapi, conn, table.name, values, [table.col('dedupeKey')]);
    },

    /**
     * Claims up to `limit` pending digests due at `now` for `token`: those nobody holds, or
     * whose holder's lease ran out (it crashed, or is still talking to a slow SMTP server).
     * Each claim counts as an attempt. Several processes may claim at once; each digest goes
     * to one of them (the same atomic claim as the ledger's).
     */
    async claimDue(now: Date, opts: { leaseMs: number; token: string; limit: number }) {
      const table = t();
      const rows = await claimRows(strapi, table, {
        pending: (q) =>
          q.where(table.col('status'), 'pending').where(table.col('nextAttemptAt'), '<=', now),
        orderBy: 'nextAttemptAt',
        now,
        ...opts,
      });
      return rows.map(digestOf);
    },

    /** Marks the digest sent, if `token` still holds it; false when another took it over. */
    async markSent(id: number, token: string, at: Date): Promise<boolean> {
      const table = t();
      return (
        affected(
          await knex()(table.name)
            .where('id', id)
            .where(table.col('claimedBy'), token)
            .update({
              [table.col('status')]: 'sent',
              [table.col('sentAt')]: at,
              [table.col('lastError')]: null,
              [table.col('updatedAt')]: at,
            })
        ) === 1
      );
    },

    /**
     * Records a failed attempt and lets the claim go: tried again from `retryAt`, or given up
     * (`status`) when null.
     */
    async markAttemptFailed(
      id: number,
      token: string,
      error: string,
      next: { retryAt: Date } | { status: 'failed' | 'skipped' },
      at: Date
    ): Promise<void> {
      const table = t();
      await knex()(table.name)
        .where('id', id)
        .where(table.col('claimedBy'), token)
        .update({
          [table.col('lastError')]: error.slice(0, 500),
          [table.col('claimedAt')]: null,
          [table.col('claimedBy')]: null,
          [table.col('updatedAt')]: at,
          ...('retryAt' in next
            ? { [table.col('nextAttemptAt')]: next.retryAt }
            : { [table.col('status')]: next.status }),
        });
    },

    async byDocumentId(documentId: string): Promise<Digest | null> {
      const table = t();
      const r = await knex()(table.name).where(table.col('documentId'), documentId).first();
      return r ? digestOf(r) : null;
    },

    /** Marks the digest's unsubscribe link used, once: false when it already was. */
    async markUnsubscribed(id: number, at: Date, conn: Connection): Promise<boolean> {
      const table = t();
      return (
        affected(
          await conn(table.name)
            .where('id', id)
            .whereNull(table.col('unsubscribedAt'))
            .update({ [table.col('unsubscribedAt')]: at, [table.col('updatedAt')]: at })
        ) === 1
      );
    },

    /** How many rows the member has here (what an erase will remove). */
    async countMember(userId: number): Promise<number> {
      return Number(await strapi.db.query(UID.digest).count({ where: { userId } }));
    },

    /** The member's rows as Strapi's query engine reads them (the export of their data). */
    async ofMember(userId: number): Promise<Array<Record<string, unknown>>> {
      return strapi.db.query(UID.digest).findMany({ where: { userId }, orderBy: { id: 'asc' } });
    },

    /** Deletes the member's digests; how many rows (the erase of their data). */
    async eraseMember(userId: number, conn: Connection = knex()): Promise<number> {
      const table = t();
      return Number(await conn(table.name).where(table.col('userId'), userId).delete());
    },
  };
});
