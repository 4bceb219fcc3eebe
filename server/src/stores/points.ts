import { UID } from '../../../common/constants';
import type { EventEntry } from '../../../engine/points';
import { bulkRows, chunks, insertMany, tableOf, toDate, toMs } from './sql';
import { defineStore } from './store';
import type { Connection } from './transaction';

export const POINT_SOURCES = ['badge', 'event', 'admin'] as const;
export type PointSource = (typeof POINT_SOURCES)[number];

/** A points entry to append. */
export interface NewPointsEntry {
  userId: number;
  amount: number;
  source: PointSource;
  /** What the entry is for, unique per source: a replay of the same source writes nothing. */
  sourceKey: string;
  type: string | null;
  subject: string | null;
  scope: string | null;
  occurredAt: Date;
  reason?: string | null;
}

/** Which entries a leaderboard sums: a calendar period and a scope (null: the whole site). */
export interface BoardWindow {
  from: Date | null;
  to: Date | null;
  scope: string | null;
}

/** Who never appears to others: blocked, private, opted out, or of an excluded role. */
export interface BoardFilter {
  excludedRoles: string[];
}

/** One points entry as the admin's member page lists it. */
export interface MemberPointsRow {
  id: number;
  amount: number;
  source: PointSource;
  type: string | null;
  subject: string | null;
  scope: string | null;
  reason: string | null;
  occurredAt: string;
}

export interface BoardRow {
  userId: number;
  documentId: string;
  username: string;
  points: number;
}

/**
 * The points ledger: append-only signed entries, one per source (a unique index on source and
 * sourceKey), written by the evaluator in its batch's transaction and by admins' adjustments;
 * leaderboards aggregate it per calendar period at read time (no job, no rebuild). Reads of
 * the users, preferences and roles tables here are joins for the boards' visibility rules.
 */
export const pointStore = defineStore((strapi) => {
  const t = () => tableOf(strapi, UID.point);
  const knex = () => strapi.db.connection;

  /** Limits a query of the table to a board's window. */
  const inWindow = (q: any, window: BoardWindow) => {
    const p = t();
    if (window.from) q.where(p.col('occurredAt'), '>=', window.from);
    if (window.to) q.where(p.col('occurredAt'), '<', window.to);
    if (window.scope !== null) q.where(p.col('scope'), window.scope);
    return q;
  };

  /** Aggregated totals per member of one window, as a subquery `a(userId, points, reachedAt)`. */
  const totals = (window: BoardWindow) => {
    const p = t();
    return inWindow(
      knex()(p.name)
        .select({ userId: p.col('userId') })
        .sum({ points: p.col('amount') })
        .max({ reachedAt: p.col('occurredAt') })
        .groupBy(p.col('userId')),
      window
    );
  };

  /** The window's members others may see, with their totals (positive ones only). */
  const visibleTotals = (window: BoardWindow, filter: BoardFilter, except?: number) => {
    const u = tableOf(strapi, UID.user);
    const pref = tableOf(strapi, UID.preference);
    const q = knex()
      .from({ a: totals(window) })
      .join({ u: u.name }, `u.${u.col('id')}`, 'a.userId')
      .leftJoin({ pr: pref.name }, `pr.${pref.col('userId')}`, 'a.userId')
      .where('a.points', '>', 0)
      .where((w) => w.where(`u.${u.col('blocked')}`, false).orWhereNull(`u.${u.col('blocked')}`))
      .where((w) =>
        w.where(`pr.${pref.col('public')}`, true).orWhereNull(`pr.${pref.col('public')}`)
      )
      .where((w) =>
        w
          .where(`pr.${pref.col('leaderboards')}`, true)
          .orWhereNull(`pr.${pref.col('leaderboards')}`)
      );
    if (except !== undefined) q.whereNot('a.userId', except);
    if (filter.excludedRoles.length) {
      const role = (strapi.db.metadata.get(UID.user as any).attributes as any).role;
      const link = role?.joinTable;
      if (link) {
        const roles = tableOf(strapi, 'plugin::users-permissions.role');
        q.whereNotExists(
          knex()
            .select(knex().raw('1'))
            .from({ l: link.name })
            .join({ r: roles.name }, `r.${roles.col('id')}`, `l.${link.inverseJoinColumn.name}`)
            .whereRaw('?? = ??', [`l.${link.joinColumn.name}`, 'a.userId'])
            .whereIn(`r.${roles.col('type')}`, filter.excludedRoles)
        );
      }
    }
    return q;
  };

  return {
    /**
     * Appends entries in one statement per 400 (a batch's one insert); an entry whose source
     * already has one is skipped, so a retry, a second process or a recalculation adds nothing.
     */
    async insertMany(entries: NewPointsEntry[], conn: Connection = knex()): Promise<void> {
      const table = t();
      for (const part of chunks(entries)) {
        const rows = bulkRows(
          table,
          part.map((e) => ({ ...e, reason: e.reason ?? null }))
        );
        await insertMany(strapi, conn, table.name, rows, {
          conflict: [table.col('source'), table.col('sourceKey')],
        });
      }
    },

    /**
     * What points need to judge a batch, in one statement: the members' event entries since
     * `since` (daily caps) or about `subjects` (retractions), and their badge entries about
     * `badges` (`badgeId:sequence`, revocations). Everything when `since` is null.
     */
    async entriesFor(
      userIds: number[],
      opts: { since: Date | null; subjects: string[]; badges: string[] },
      conn: Connection = knex()
    ): Promise<Array<EventEntry & { source: PointSource }>> {
      if (userIds.length === 0) return [];
      const p = t();
      const q = conn(p.name)
        .select(
          p.col('userId'),
          p.col('amount'),
          p.col('source'),
          p.col('sourceKey'),
          p.col('type'),
          p.col('subject'),
          p.col('scope'),
          p.col('occurredAt')
        )
        .whereIn(p.col('userId'), userIds)
        .where((w: any) => {
          w.where((e: any) => {
            e.where(p.col('source'), 'event');
            if (opts.since !== null)
              e.where((s: any) => {
                s.where(p.col('occurredAt'), '>=', opts.since);
                if (opts.subjects.length) s.orWhereIn(p.col('subject'), opts.subjects);
              });
          });
          if (opts.badges.length)
            w.orWhere((b: any) =>
              b.where(p.col('source'), 'badge').whereIn(p.col('subject'), opts.badges)
            );
        });
      return (await q).map((r: any) => ({
        userId: Number(r[p.col('userId')]),
        amount: Number(r[p.col('amount')]),
        source: r[p.col('source')],
        sourceKey: r[p.col('sourceKey')],
        type: r[p.col('type')],
        subject: r[p.col('subject')],
        scope: r[p.col('scope')],
        occurredAt: toMs(r[p.col('occurredAt')])!,
      }));
    },

    /** Each member's all-time total (members without entries: 0). */
    async totalsOf(userIds: number[], conn: Connection = knex()): Promise<Map<number, number>> {
      const out = new Map<number, number>(userIds.map((id) => [id, 0]));
      if (userIds.length === 0) return out;
      const p = t();
      const rows = await conn(p.name)
        .select({ userId: p.col('userId') })
        .sum({ points: p.col('amount') })
        .whereIn(p.col('userId'), userIds)
        .groupBy(p.col('userId'));
      for (const r of rows) out.set(Number(r.userId), Number(r.points ?? 0));
      return out;
    },

    /**
     * A page of the board, best first; ties in the order the members reached their score (their
     * last entry of the window), then by id.
     */
    async board(
      window: BoardWindow,
      filter: BoardFilter,
      page: { offset: number; limit: number }
    ): Promise<BoardRow[]> {
      const u = tableOf(strapi, UID.user);
      const rows = await visibleTotals(window, filter)
        .select({
          userId: 'a.userId',
          points: 'a.points',
          documentId: `u.${u.col('documentId')}`,
          username: `u.${u.col('username')}`,
        })
        .orderBy([
          { column: 'a.points', order: 'desc' },
          { column: 'a.reachedAt', order: 'asc' },
          { column: 'a.userId', order: 'asc' },
        ])
        .offset(page.offset)
        .limit(page.limit);
      return rows.map((r: any) => ({
        userId: Number(r.userId),
        documentId: r.documentId,
        username: r.username,
        points: Number(r.points),
      }));
    },

    /**
     * How many members others see on the board (`except` left out), and how many of them have
     * more than `points`.
     */
    async standing(
      window: BoardWindow,
      filter: BoardFilter,
      points: number,
      except?: number
    ): Promise<{ members: number; above: number }> {
      const [r] = await visibleTotals(window, filter, except).select(
        knex().raw('COUNT(*) as ??', ['members']),
        knex().raw('SUM(CASE WHEN ?? > ? THEN 1 ELSE 0 END) as ??', ['a.points', points, 'above'])
      );
      return { members: Number(r?.members ?? 0), above: Number(r?.above ?? 0) };
    },

    /** One member's total in a window (whatever others may see of them). */
    async pointsIn(window: BoardWindow, userId: number): Promise<number> {
      const p = t();
      const [r] = await inWindow(
        knex()(p.name)
          .sum({ points: p.col('amount') })
          .where(p.col('userId'), userId),
        window
      );
      return Number(r?.points ?? 0);
    },

    /** The course boards with entries (`course:<documentId>`), sorted (the admin's board list). */
    async scopes(): Promise<string[]> {
      const p = t();
      const rows = await knex()(p.name)
        .distinct({ scope: p.col('scope') })
        .whereNotNull(p.col('scope'))
        .orderBy(p.col('scope'));
      return rows.map((r: any) => String(r.scope));
    },

    /** A page of one member's entries, newest first, and how many they have (the admin's view). */
    async pageOfMember(
      userId: number,
      page: { offset: number; limit: number }
    ): Promise<{ rows: MemberPointsRow[]; total: number }> {
      const p = t();
      const [rows, [count]] = await Promise.all([
        knex()(p.name)
          .select({
            id: p.col('id'),
            amount: p.col('amount'),
            source: p.col('source'),
            type: p.col('type'),
            subject: p.col('subject'),
            scope: p.col('scope'),
            reason: p.col('reason'),
            occurredAt: p.col('occurredAt'),
          })
          .where(p.col('userId'), userId)
          .orderBy([
            { column: p.col('occurredAt'), order: 'desc' },
            { column: p.col('id'), order: 'desc' },
          ])
          .offset(page.offset)
          .limit(page.limit),
        knex()(p.name).count({ total: '*' }).where(p.col('userId'), userId),
      ]);
      return {
        rows: rows.map((r: any) => ({
          id: Number(r.id),
          amount: Number(r.amount),
          source: r.source,
          type: r.type ?? null,
          subject: r.subject ?? null,
          scope: r.scope ?? null,
          reason: r.reason ?? null,
          occurredAt: toDate(r.occurredAt)!.toISOString(),
        })),
        total: Number((count as any)?.total ?? 0),
      };
    },

    /** How many rows the member has here (what an erase will remove). */
    async countMember(userId: number): Promise<number> {
      return Number(await strapi.db.query(UID.point).count({ where: { userId } }));
    },

    /** The member's rows as Strapi's query engine reads them (the export of their data). */
    async ofMember(userId: number): Promise<Array<Record<string, unknown>>> {
      return strapi.db.query(UID.point).findMany({ where: { userId }, orderBy: { id: 'asc' } });
    },

    /** Deletes the member's points entries; how many rows (the erase of their data). */
    async eraseMember(userId: number, conn: Connection = knex()): Promise<number> {
      const table = t();
      return Number(await conn(table.name).where(table.col('userId'), userId).delete());
    },
  };
});
