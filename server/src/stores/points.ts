import { UID } from '../../../common/constants';
import { periodTotals, type EventEntry, type PeriodTotal } from '../../../engine/points';
import type { RankedTotal } from '../../../engine/ranking';
import { bulkRows, chunks, dialectOf, insertMany, quoteId, tableOf, toDate, toMs } from './sql';
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

/** A leaderboard: a board (`site`, `course:<documentId>`) and a period's label (`2026-W49`, `2026-12`, `all`). */
export interface BoardWindow {
  board: string;
  label: string;
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

/**
 * The points ledger: append-only signed entries, one per source (a unique index on source and
 * sourceKey), written by the evaluator in its batch's transaction and by admins' adjustments;
 * and its totals per member, board and calendar period (`achievements_point_totals`), added to
 * in the same transaction by one upsert of what the inserted entries add (the insert returns
 * the rows it wrote, so a replayed entry adds nothing). Leaderboards read a page of the totals'
 * index: no job, no midnight rollover, past periods stay. Reads of the users, preferences and
 * roles tables here are joins for the boards' visibility rules.
 */
export const pointStore = defineStore((strapi) => {
  const t = () => tableOf(strapi, UID.point);
  const knex = () => strapi.db.connection;

  const tt = () => tableOf(strapi, UID.pointTotal);

  /**
   * Adds `deltas` to the totals in one statement per 400 (insert, or add to the row there):
   * concurrent writers serialize on the row, so no addition is lost.
   */
  const addTotals = async (deltas: PeriodTotal[], conn: Connection, now = new Date()) => {
    const table = tt();
    const q = (id: string) => quoteId(dialectOf(strapi), id);
    const mysql = dialectOf(strapi) === 'mysql';
    const points = q(table.col('points'));
    const reached = q(table.col('reachedAt'));
    const later =
      dialectOf(strapi) === 'sqlite'
        ? `max(${q(table.name)}.${reached}, excluded.${reached})`
        : mysql
          ? `greatest(${reached}, values(${reached}))`
          : `greatest(${q(table.name)}.${reached}, excluded.${reached})`;
    for (const part of chunks(deltas)) {
      const rows = bulkRows(
        table,
        part.map((d) => ({ ...d, reachedAt: new Date(d.reachedAt) })),
        now
      );
      const cols = Object.keys(rows[0]);
      const bindings: unknown[] = [];
      for (const r of rows) for (const c of cols) bindings.push(r[c] ?? null);
      const values = rows.map(() => `(${cols.map(() => '?').join(', ')})`).join(', ');
      const head = `insert into ${q(table.name)} (${cols.map(q).join(', ')}) values ${values}`;
      const conflict = ['userId', 'board', 'label'].map((c) => q(table.col(c))).join(', ');
      const sql = mysql
        ? `${head} on duplicate key update ${reached} = ${later}, ${points} = ${points} + values(${points})`
        : `${head} on conflict (${conflict}) do update set ${points} = ${q(table.name)}.${points} + excluded.${points}, ${reached} = ${later}`;
      await conn.raw(sql, bindings);
    }
  };

  /** Leaves out the members of `filter`'s excluded roles (a member's role link). */
  const roleLink = () =>
    (strapi.db.metadata.get(UID.user as any).attributes as any).role?.joinTable as
      | { name: string; joinColumn: { name: string }; inverseJoinColumn: { name: string } }
      | undefined;
  const withoutExcludedRoles = (q: any, filter: BoardFilter, userIdColumn: string) => {
    const link = roleLink();
    if (!filter.excludedRoles.length || !link) return q;
    const roles = tableOf(strapi, 'plugin::users-permissions.role');
    return q.whereNotExists(
      knex()
        .select(knex().raw('1'))
        .from({ l: link.name })
        .join({ r: roles.name }, `r.${roles.col('id')}`, `l.${link.inverseJoinColumn.name}`)
        .whereRaw('?? = ??', [`l.${link.joinColumn.name}`, userIdColumn])
        .whereIn(`r.${roles.col('type')}`, filter.excludedRoles)
    );
  };

  /** Bumped by this process's writes of entries or totals: its snapshots are then stale. */
  let writes = 0;

  return {
    /**
     * Appends entries in one statement per 400 (a batch's one insert); an entry whose source
     * already has one is skipped, so a retry, a second process or a recalculation adds nothing.
     * What the inserted ones add goes to the totals (in `timezone`'s calendar) on the same
     * connection: one more statement per batch.
     */
    async insertMany(
      entries: NewPointsEntry[],
      timezone: string,
      conn: Connection = knex()
    ): Promise<void> {
      const table = t();
      const written: Array<{
        userId: number;
        amount: number;
        scope: string | null;
        occurredAt: number;
      }> = [];
      for (const part of chunks(entries)) {
        const rows = bulkRows(
          table,
          part.map((e) => ({ ...e, reason: e.reason ?? null }))
        );
        const { rows: inserted = [] } = await insertMany(strapi, conn, table.name, rows, {
          conflict: [table.col('source'), table.col('sourceKey')],
          returningRows: [
            table.col('userId'),
            table.col('amount'),
            table.col('scope'),
            table.col('occurredAt'),
          ],
        });
        for (const r of inserted)
          written.push({
            userId: Number(r[table.col('userId')]),
            amount: Number(r[table.col('amount')]),
            scope: r[table.col('scope')] ?? null,
            occurredAt: toMs(r[table.col('occurredAt')])!,
          });
      }
      if (written.length) {
        writes++;
        await addTotals(periodTotals(written, timezone), conn);
      }
    },

    /**
     * Rebuilds every total from the entries, in `timezone`'s calendar: when the totals are new
     * (an upgrade) or the site's timezone changed. A thousand members at a time, in one
     * transaction, so a reader sees the old totals or the new ones.
     */
    async rebuildTotals(timezone: string): Promise<number> {
      const p = t();
      const labels = new Map<number, { week: string; month: string }>();
      let written = 0;
      writes++;
      await knex().transaction(async (trx: any) => {
        await trx(tt().name).delete();
        let after = 0;
        for (;;) {
          const ids = (
            await trx(p.name)
              .distinct({ userId: p.col('userId') })
              .where(p.col('userId'), '>', after)
              .orderBy(p.col('userId'))
              .limit(1000)
          ).map((r: any) => Number(r.userId));
          if (ids.length === 0) break;
          const rows = await trx(p.name)
            .select({
              userId: p.col('userId'),
              amount: p.col('amount'),
              scope: p.col('scope'),
              occurredAt: p.col('occurredAt'),
            })
            .whereBetween(p.col('userId'), [ids[0], ids[ids.length - 1]]);
          const totals = periodTotals(
            rows.map((r: any) => ({
              userId: Number(r.userId),
              amount: Number(r.amount),
              scope: r.scope ?? null,
              occurredAt: toMs(r.occurredAt)!,
            })),
            timezone,
            labels
          );
          await addTotals(totals, trx);
          written += totals.length;
          after = ids[ids.length - 1];
        }
      });
      return written;
    },

    /**
     * Held achievements (after id `after`, `limit` of them) and the net badge points their
     * members' entries hold for each (`badgeId:sequence`): what a backfill compares.
     */
    async heldWithBadgePoints(
      after: number,
      limit: number
    ): Promise<{
      held: Array<{
        id: number;
        userId: number;
        badgeId: number;
        sequence: number;
        earnedAt: number;
      }>;
      points: Map<string, number>;
    }> {
      const a = tableOf(strapi, UID.achievement);
      const rows = await knex()(a.name)
        .select({
          id: 'id',
          userId: a.col('userId'),
          badgeId: a.col('badgeId'),
          sequence: a.col('sequence'),
          earnedAt: a.col('earnedAt'),
        })
        .where('id', '>', after)
        .whereNull(a.col('revokedAt'))
        .orderBy('id')
        .limit(limit);
      const held = rows.map((r: any) => ({
        id: Number(r.id),
        userId: Number(r.userId),
        badgeId: Number(r.badgeId),
        sequence: Number(r.sequence),
        earnedAt: toMs(r.earnedAt)!,
      }));
      const points = new Map<string, number>();
      if (held.length === 0) return { held, points };
      const p = t();
      const entries = await knex()(p.name)
        .select({ userId: p.col('userId'), subject: p.col('subject') })
        .sum({ points: p.col('amount') })
        .whereIn(p.col('userId'), [...new Set(held.map((h: { userId: number }) => h.userId))])
        .where(p.col('source'), 'badge')
        .groupBy(p.col('userId'), p.col('subject'));
      for (const e of entries as any[])
        points.set(`${e.userId}:${e.subject}`, Number(e.points ?? 0));
      return { held, points };
    },

    /** Whether some entries exist but no total does (the totals are new). */
    async totalsMissing(): Promise<boolean> {
      const [entry] = await knex()(t().name).select('id').limit(1);
      if (!entry) return false;
      const [total] = await knex()(tt().name).select('id').limit(1);
      return !total;
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

    /** How many times this process wrote entries or totals (its snapshots' generation). */
    writes(): number {
      return writes;
    },

    /**
     * What changes when any process appends entries: the ledger's highest id (the primary
     * key's last value, one index probe). Erases and transactions committing out of id order
     * do not move it: readers rebuild on age as well.
     */
    async ledgerMark(): Promise<number> {
      const [r] = await knex()(t().name).max({ id: 'id' });
      return Number(r?.id ?? 0);
    },

    /**
     * Every positive total of a window whose member still exists, whoever may see them (one
     * range of the board index, joined to the users by id).
     */
    async windowTotals(window: BoardWindow): Promise<RankedTotal[]> {
      const p = tt();
      const u = tableOf(strapi, UID.user);
      const rows = await knex()
        .from({ a: p.name })
        .join({ u: u.name }, `u.${u.col('id')}`, `a.${p.col('userId')}`)
        .select({
          userId: `a.${p.col('userId')}`,
          points: `a.${p.col('points')}`,
          reachedAt: `a.${p.col('reachedAt')}`,
        })
        .where(`a.${p.col('board')}`, window.board)
        .where(`a.${p.col('label')}`, window.label)
        .where(`a.${p.col('points')}`, '>', 0);
      return rows.map((r: any) => ({
        userId: Number(r.userId),
        points: Number(r.points),
        reachedAt: toMs(r.reachedAt) ?? 0,
      }));
    },

    /**
     * Members whose preferences hide them from boards (opted out or private): normally few,
     * read by two small indexes on every board read so an opt-out holds on the next request
     * whichever process serves it.
     */
    async hiddenByPreference(): Promise<number[]> {
      const pref = tableOf(strapi, UID.preference);
      const rows = await knex()(pref.name)
        .select({ userId: pref.col('userId') })
        .where(pref.col('leaderboards'), false)
        .orWhere(pref.col('public'), false);
      return rows.map((r: any) => Number(r.userId));
    },

    /** Members blocked or of an excluded role (one scan of the users; snapshots refresh it). */
    async hiddenByAccount(filter: BoardFilter): Promise<number[]> {
      const u = tableOf(strapi, UID.user);
      const blocked = await knex()(u.name)
        .select({ id: u.col('id') })
        .where(u.col('blocked'), true);
      const out = blocked.map((r: any) => Number(r.id));
      const link = roleLink();
      if (filter.excludedRoles.length && link) {
        const roles = tableOf(strapi, 'plugin::users-permissions.role');
        const rows = await knex()
          .from({ l: link.name })
          .select({ id: `l.${link.joinColumn.name}` })
          .join({ r: roles.name }, `r.${roles.col('id')}`, `l.${link.inverseJoinColumn.name}`)
          .whereIn(`r.${roles.col('type')}`, filter.excludedRoles);
        for (const r of rows as any[]) out.push(Number(r.id));
      }
      return out;
    },

    /**
     * Of `userIds`, those others may see by their account (not blocked, no excluded role),
     * read fresh for a page (a member blocked since the snapshot never appears), with their
     * all-time points (their `site` total of `all`) for their level: one statement.
     */
    async shownMembers(
      userIds: number[],
      filter: BoardFilter
    ): Promise<Map<number, { documentId: string; username: string; allTime: number }>> {
      const out = new Map<number, { documentId: string; username: string; allTime: number }>();
      if (userIds.length === 0) return out;
      const u = tableOf(strapi, UID.user);
      const p = tt();
      const id = `u.${u.col('id')}`;
      const rows = await withoutExcludedRoles(
        knex()
          .from({ u: u.name })
          .leftJoin({ a: p.name }, (j: any) =>
            j
              .on(`a.${p.col('userId')}`, id)
              .andOn(`a.${p.col('board')}`, knex().raw('?', ['site']))
              .andOn(`a.${p.col('label')}`, knex().raw('?', ['all']))
          )
          .select({
            id,
            documentId: `u.${u.col('documentId')}`,
            username: `u.${u.col('username')}`,
            allTime: `a.${p.col('points')}`,
          })
          .whereIn(id, userIds)
          .where((w: any) =>
            w.where(`u.${u.col('blocked')}`, false).orWhereNull(`u.${u.col('blocked')}`)
          ),
        filter,
        id
      );
      for (const r of rows as any[])
        out.set(Number(r.id), {
          documentId: r.documentId,
          username: r.username,
          allTime: Number(r.allTime ?? 0),
        });
      return out;
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
      const totals = tt();
      writes++;
      await conn(totals.name).where(totals.col('userId'), userId).delete();
      return Number(await conn(table.name).where(table.col('userId'), userId).delete());
    },
  };
});
