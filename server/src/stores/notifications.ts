import { UID } from '../../../common/constants';
import type { NotificationKind } from '../../../common/api';
import { affected, bulkRows, chunks, fromJson, insertMany, tableOf, toDate, toJson } from './sql';
import { defineStore } from './store';
import type { Connection } from './transaction';

/** A notification to write. `dedupeKey` names the change it reports: one row per change. */
export interface NewNotification {
  userId: number;
  kind: NotificationKind;
  payload: Record<string, unknown>;
  dedupeKey: string;
}

export interface NotificationRecord {
  /** The row id: the order notifications were written in, and the list's cursor. */
  id: number;
  documentId: string;
  userId: number;
  kind: NotificationKind;
  payload: Record<string, unknown>;
  createdAt: Date;
  seenAt: Date | null;
  emailedAt: Date | null;
}

/**
 * Notifications: what each member was told, one row per change (a unique dedupeKey), written
 * by the outbox in the transaction of the change, read by the member alone.
 */
export const notificationStore = defineStore((strapi) => {
  const t = () => tableOf(strapi, UID.notification);
  const knex = () => strapi.db.connection;

  const recordOf = (r: any): NotificationRecord => {
    const table = t();
    return {
      id: Number(r[table.col('id')]),
      documentId: r[table.col('documentId')],
      userId: Number(r[table.col('userId')]),
      kind: r[table.col('kind')],
      payload: fromJson<Record<string, unknown>>(r[table.col('payload')]) ?? {},
      createdAt: toDate(r[table.col('createdAt')])!,
      seenAt: toDate(r[table.col('seenAt')]),
      emailedAt: toDate(r[table.col('emailedAt')]),
    };
  };

  return {
    /**
     * Writes notifications, on the transaction of the change they report; a dedupeKey already
     * written is skipped, so a change reported twice (a retry, a second process) is told once.
     */
    async insertMany(list: NewNotification[], conn: Connection = knex()): Promise<void> {
      const table = t();
      for (const part of chunks(list)) {
        const rows = bulkRows(
          table,
          part.map((n) => ({
            userId: n.userId,
            kind: n.kind,
            payload: toJson(n.payload),
            dedupeKey: n.dedupeKey,
            seenAt: null,
            emailedAt: null,
          }))
        );
        await insertMany(strapi, conn, table.name, rows, { conflict: [table.col('dedupeKey')] });
      }
    },

    /** Which of these dedupeKeys are written already (read on the writer's transaction). */
    async existingKeys(keys: string[], conn: Connection = knex()): Promise<Set<string>> {
      const table = t();
      const out = new Set<string>();
      for (const part of chunks(keys))
        for (const r of await conn(table.name)
          .select(table.col('dedupeKey'))
          .whereIn(table.col('dedupeKey'), part))
          out.add(r[table.col('dedupeKey')]);
      return out;
    },

    /** A member's notifications, newest first, older than the row `before` (a cursor). */
    async page(
      userId: number,
      opts: { unseen?: boolean; limit: number; before?: number }
    ): Promise<NotificationRecord[]> {
      const table = t();
      const query = knex()(table.name)
        .select('*')
        .where(table.col('userId'), userId)
        .orderBy(table.col('id'), 'desc')
        .limit(opts.limit);
      if (opts.unseen) query.whereNull(table.col('seenAt'));
      if (opts.before !== undefined) query.where(table.col('id'), '<', opts.before);
      return (await query).map(recordOf);
    },

    async countUnseen(userId: number): Promise<number> {
      const table = t();
      const [r] = await knex()(table.name)
        .count({ n: '*' })
        .where(table.col('userId'), userId)
        .whereNull(table.col('seenAt'));
      return Number(r?.n ?? 0);
    },

    /**
     * Marks the member's notifications seen: those named (other members' ids match nothing),
     * or all. Returns how many were not seen before.
     */
    async markSeen(userId: number, which: { ids: string[] } | { all: true }, at = new Date()) {
      const table = t();
      const query = knex()(table.name)
        .where(table.col('userId'), userId)
        .whereNull(table.col('seenAt'));
      if ('ids' in which) query.whereIn(table.col('documentId'), which.ids);
      return affected(await query.update({ [table.col('seenAt')]: at }));
    },

    /**
     * Ids and members of the rows after row `afterId`, oldest first: what the live streams'
     * poller reads every interval (two narrow columns, then `byIds` for the rows it delivers).
     */
    async idsAfter(afterId: number, limit: number): Promise<Array<{ id: number; userId: number }>> {
      const table = t();
      const rows = await knex()(table.name)
        .select(table.col('id'), table.col('userId'))
        .where(table.col('id'), '>', afterId)
        .orderBy(table.col('id'), 'asc')
        .limit(limit);
      return rows.map((r: any) => ({
        id: Number(r[table.col('id')]),
        userId: Number(r[table.col('userId')]),
      }));
    },

    async byIds(ids: number[]): Promise<NotificationRecord[]> {
      if (ids.length === 0) return [];
      const table = t();
      const rows: any[] = [];
      for (const part of chunks(ids))
        rows.push(...(await knex()(table.name).select('*').whereIn(table.col('id'), part)));
      return rows.map(recordOf).sort((a, b) => a.id - b.id);
    },

    /** The newest row id (0 when there is none): where a poller that starts now begins. */
    async lastId(): Promise<number> {
      const table = t();
      const [r] = await knex()(table.name).max({ last: table.col('id') });
      return Number(r?.last ?? 0);
    },

    /** A member's rows after row `afterId`, oldest first (a stream resumed by its cursor). */
    async ofMemberAfter(userId: number, afterId: number, limit: number) {
      const table = t();
      const rows = await knex()(table.name)
        .select('*')
        .where(table.col('userId'), userId)
        .where(table.col('id'), '>', afterId)
        .orderBy(table.col('id'), 'asc')
        .limit(limit);
      return rows.map(recordOf);
    },

    /**
     * Members with notifications written in [from, before) that no digest carries yet, by id,
     * after member `afterUserId` (pages: members not due yet never hide the ones that are).
     */
    async membersAwaitingEmail(
      window: { from: Date; before: Date },
      afterUserId = 0,
      limit = 500
    ): Promise<number[]> {
      const table = t();
      const rows = await knex()(table.name)
        .distinct(table.col('userId'))
        .whereNull(table.col('emailedAt'))
        .where(table.col('createdAt'), '>=', window.from)
        .where(table.col('createdAt'), '<', window.before)
        .where(table.col('userId'), '>', afterUserId)
        .orderBy(table.col('userId'))
        .limit(limit);
      return rows.map((r: any) => Number(r[table.col('userId')]));
    },

    /**
     * Hands the member's notifications written in [from, before) that no digest carries yet to
     * one digest: marks them emailed (`at`) on `conn`, the digest's transaction. Returns their
     * ids, oldest first, or null when another process took some of them meanwhile (the caller
     * rolls back): a notification goes into one digest only.
     */
    async takeForEmail(
      userId: number,
      window: { from: Date; before: Date },
      at: Date,
      conn: Connection
    ): Promise<number[] | null> {
      const table = t();
      const ids = (
        await conn(table.name)
          .select('id')
          .where(table.col('userId'), userId)
          .whereNull(table.col('emailedAt'))
          .where(table.col('createdAt'), '>=', window.from)
          .where(table.col('createdAt'), '<', window.before)
          .orderBy('id')
          .limit(200)
      ).map((r: any) => Number(r.id));
      if (ids.length === 0) return [];
      const marked = affected(
        await conn(table.name)
          .whereIn('id', ids)
          .whereNull(table.col('emailedAt'))
          .update({ [table.col('emailedAt')]: at })
      );
      return marked === ids.length ? ids : null;
    },

    /** The member's notifications with these ids, oldest first (what a digest reports). */
    async ofMemberByIds(userId: number, ids: number[]): Promise<NotificationRecord[]> {
      if (ids.length === 0) return [];
      const table = t();
      const rows = await knex()(table.name)
        .select('*')
        .where(table.col('userId'), userId)
        .whereIn('id', ids)
        .orderBy('id', 'asc');
      return rows.map(recordOf);
    },

    /** How many rows the member has here (what an erase will remove). */
    async countMember(userId: number): Promise<number> {
      return Number(await strapi.db.query(UID.notification).count({ where: { userId } }));
    },

    /** The member's rows as Strapi's query engine reads them (the export of their data). */
    async ofMember(userId: number): Promise<Array<Record<string, unknown>>> {
      return strapi.db
        .query(UID.notification)
        .findMany({ where: { userId }, orderBy: { id: 'asc' } });
    },

    /** Deletes the member's notifications; how many rows (the erase of their data). */
    async eraseMember(userId: number, conn: Connection = knex()): Promise<number> {
      const table = t();
      return Number(await conn(table.name).where(table.col('userId'), userId).delete());
    },
  };
});
