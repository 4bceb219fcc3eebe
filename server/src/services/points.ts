import crypto from 'crypto';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { AdminLeaderboards, AdminMemberPoints } from '../../../common/admin-api';
import { COURSE_BOARD_PREFIX } from '../../../common/api';
import type { PointsSettings } from '../../../common/settings';
import {
  levelOf,
  levelsCrossed,
  planEventPoints,
  startOfLocalDay,
  type LevelState,
  type PointsFact,
} from '../../../engine/points';
import { localDayNumber } from '../../../engine/streak';
import type { LedgerRow } from '../stores/ledger';
import { hostDocuments } from '../stores/host-documents';
import { pointStore, type NewPointsEntry } from '../stores/points';
import { inTransaction, type Connection } from '../stores/transaction';
import { getService } from '../utils/get-service';
import { appEvents, pluginConfig } from '../utils/plugin-config';
import type { Written } from './achievements';
import type { Catalog } from './catalog';
import type { Change } from './outbox';

/** A member reached a level: told once (notification and webhook), never again for that level. */
export interface LevelUp {
  userId: number;
  level: { number: number; name: string; points: number };
  /** The member's points after the change. */
  total: number;
  at: Date;
}

/** What recording points needs, read before the transaction opens (see outbox.record). */
export interface PointsContext {
  options: PointsSettings;
  timezone: string;
  retractions: Record<string, string>;
  catalog: Catalog;
}

/** The entry's scope (`course:<documentId>`) a fact carries in its data, from a trigger's `scope`. */
const scopeOf = (data: Record<string, unknown> | null | undefined): string | null =>
  typeof data?.scope === 'string' ? data.scope : null;

/** A ledger row as points judge it: keyed by its row id, which a recalculation reads too. */
export const pointsFactOf = (e: LedgerRow): PointsFact => ({
  key: `ledger:${e.id}`,
  type: e.type,
  userId: e.userId,
  subject: e.subject ?? null,
  occurredAt: e.occurredAt,
  scope: scopeOf(e.data),
});

type LevelDto = { number: number; name: string; points: number };
/** A level as the API shows it. */
export const levelDto = (l: LevelState): LevelDto => ({
  number: l.number,
  name: l.name,
  points: l.points,
});

const badgeSubject = (c: { badgeId: number; sequence: number }) => `${c.badgeId}:${c.sequence}`;

/**
 * Points: the entries a batch appends to the points ledger (event points under daily caps,
 * retractions, each badge's points when earned and back when revoked) in the batch's own
 * transaction and in one statement, the levels they make members reach, an admin's manual
 * adjustment, and a member's total and level.
 */
const pointsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const settings = () => getService(strapi, 'settings');

  /**
   * Course boards by their course's title: the courses are the documents the triggers' `scope`
   * paths lead to (e.g. `lesson.module.course` → the course type).
   */
  const courseTitles = async (boards: string[]): Promise<Record<string, string>> => {
    const ids = boards.map((b) => b.slice(COURSE_BOARD_PREFIX.length));
    const courseTypes = new Set(
      pluginConfig(strapi).triggers.flatMap((t) => {
        const uid = t.scope ? hostDocuments(strapi).targetOf(t.uid, t.scope) : null;
        return uid ? [uid] : [];
      })
    );
    const labels: Record<string, string> = {};
    for (const uid of courseTypes)
      for (const [id, title] of await hostDocuments(strapi).titlesOf(uid, ids))
        labels[`${COURSE_BOARD_PREFIX}${id}`] ??= title;
    return labels;
  };

  /** Writes entries and reports the levels reached, on `conn`. */
  const append = async (
    entries: NewPointsEntry[],
    ctx: PointsContext,
    opts: { notify: boolean },
    conn: Connection
  ): Promise<LevelUp[]> => {
    if (entries.length === 0) return [];
    const userIds = [...new Set(entries.map((e) => e.userId))];
    const before = opts.notify ? await pointStore(strapi).totalsOf(userIds, conn) : null;
    await pointStore(strapi).insertMany(entries, ctx.timezone, conn);
    if (!before) return [];
    const delta = new Map<number, number>();
    const last = new Map<number, Date>();
    for (const e of entries) {
      delta.set(e.userId, (delta.get(e.userId) ?? 0) + e.amount);
      if (!last.has(e.userId) || e.occurredAt > last.get(e.userId)!)
        last.set(e.userId, e.occurredAt);
    }
    const out: LevelUp[] = [];
    for (const userId of userIds) {
      const was = before.get(userId) ?? 0;
      const total = was + (delta.get(userId) ?? 0);
      for (const n of levelsCrossed(was, total, ctx.options.levels)) {
        const level = ctx.options.levels[n - 1];
        out.push({
          userId,
          level: { number: n, name: level.name, points: level.points },
          total,
          at: last.get(userId)!,
        });
      }
    }
    return out;
  };

  return {
    async context(): Promise<PointsContext> {
      const [options, streaks, catalog] = await Promise.all([
        settings().pointsOptions(),
        settings().streakOptions(),
        getService(strapi, 'catalog').get(),
      ]);
      return {
        options,
        timezone: streaks.defaultTimezone,
        retractions: appEvents(strapi).retractions,
        catalog,
      };
    },

    /**
     * Appends the points of an evaluated batch on its transaction, in one insert: the event
     * points of `facts` (daily caps and retractions judged against the members' entries, read
     * once) and the badge points of the achievements `changes` earned or revoked. `history`:
     * `facts` are members' whole ledgers (a recalculation), so every event entry is read.
     * Returns the levels reached (none when `notify` is false: a silent recalculation).
     */
    async record(
      input: { facts: PointsFact[]; changes: Map<number, Written>; history?: boolean },
      ctx: PointsContext,
      opts: { notify: boolean },
      conn: Connection
    ): Promise<LevelUp[]> {
      const { perEvent } = ctx.options;
      const facts = input.facts
        .filter((f) => perEvent[f.type] || ctx.retractions[f.type])
        .sort((a, b) => a.occurredAt - b.occurredAt);
      const changed = [...input.changes].filter(([, w]) => w.earned.length + w.revoked.length > 0);
      if (facts.length === 0 && changed.length === 0) return [];
      const userIds = [...new Set([...facts.map((f) => f.userId), ...changed.map(([id]) => id)])];
      const firstDay = facts.length
        ? startOfLocalDay(localDayNumber(facts[0].occurredAt, ctx.timezone), ctx.timezone)
        : Date.now();
      const written = await pointStore(strapi).entriesFor(
        userIds,
        {
          since: input.history ? null : new Date(firstDay),
          subjects: [
            ...new Set(
              facts.flatMap((f) => (ctx.retractions[f.type] && f.subject ? [f.subject] : []))
            ),
          ],
          badges: [
            ...new Set(changed.flatMap(([, w]) => [...w.earned, ...w.revoked].map(badgeSubject))),
          ],
        },
        conn
      );
      const entries: NewPointsEntry[] = planEventPoints(
        facts,
        written.filter((e) => e.source === 'event'),
        perEvent,
        ctx.retractions,
        ctx.timezone
      ).map((e) => ({ ...e, source: 'event', occurredAt: new Date(e.occurredAt) }));

      // A badge's points: added when earned unless its achievement's entries still hold them,
      // taken back (what they hold) when revoked.
      const badges = new Map(ctx.catalog.badges.map((b) => [b.id, b]));
      const held = new Map<string, number>();
      for (const e of written)
        if (e.source === 'badge' && e.subject) {
          const k = `${e.userId}:${e.subject}`;
          held.set(k, (held.get(k) ?? 0) + e.amount);
        }
      const badgeEntry = (
        userId: number,
        c: Change,
        amount: number,
        what: 'earned' | 'revoked'
      ): NewPointsEntry => ({
        userId,
        amount,
        source: 'badge',
        sourceKey: `${userId}:${badgeSubject(c)}:${what}:${c.at.getTime()}`,
        type: badges.get(c.badgeId)?.slug ?? null,
        subject: badgeSubject(c),
        scope: null,
        occurredAt: c.at,
        reason: what === 'revoked' ? (c.reason ?? null) : null,
      });
      for (const [userId, w] of changed) {
        for (const c of w.earned) {
          const k = `${userId}:${badgeSubject(c)}`;
          const points = badges.get(c.badgeId)?.points ?? 0;
          if (points <= 0 || (held.get(k) ?? 0) > 0) continue;
          held.set(k, points);
          entries.push(badgeEntry(userId, c, points, 'earned'));
        }
        for (const c of w.revoked) {
          const k = `${userId}:${badgeSubject(c)}`;
          const holds = held.get(k) ?? 0;
          if (holds <= 0) continue;
          held.set(k, 0);
          entries.push(badgeEntry(userId, c, -holds, 'revoked'));
        }
      }
      return append(entries, ctx, opts, conn);
    },

    /**
     * The badge points of achievements held without them: members who earned badges before
     * points existed (or whose entries were lost). A thousand achievements a page: one read of
     * them, one of their members' badge entries, one insert (keyed as the earn's own entry, so
     * a second run, or the evaluator writing the same earn, adds nothing). Returns how many.
     */
    async backfillBadgePoints(): Promise<number> {
      const ctx = await this.context();
      const badges = new Map(ctx.catalog.badges.map((b) => [b.id, b]));
      const store = pointStore(strapi);
      let after = 0;
      let added = 0;
      for (;;) {
        const { held, points } = await store.heldWithBadgePoints(after, 1000);
        if (held.length === 0) return added;
        after = held[held.length - 1].id;
        const entries: NewPointsEntry[] = [];
        for (const h of held) {
          const badge = badges.get(h.badgeId);
          const subject = badgeSubject(h);
          if (!badge || badge.points <= 0 || (points.get(`${h.userId}:${subject}`) ?? 0) > 0)
            continue;
          entries.push({
            userId: h.userId,
            amount: badge.points,
            source: 'badge',
            sourceKey: `${h.userId}:${subject}:earned:${h.earnedAt}`,
            type: badge.slug,
            subject,
            scope: null,
            occurredAt: new Date(h.earnedAt),
            reason: null,
          });
        }
        if (entries.length === 0) continue;
        await inTransaction(strapi, (trx) => store.insertMany(entries, ctx.timezone, trx));
        added += entries.length;
      }
    },

    /**
     * An admin's manual adjustment (positive or negative, with a reason): its own entry, the
     * levels it makes the member reach told like any other. A total never goes below zero.
     */
    async adjust(userId: number, amount: number, reason: string, adminId: number) {
      const member = await getService(strapi, 'members').findMember({ id: userId });
      if (!member) throw new errors.NotFoundError(`userId: no member ${userId}`);
      const total = (await pointStore(strapi).totalsOf([userId])).get(userId) ?? 0;
      if (total + amount < 0)
        throw new errors.ValidationError(
          `amount: would take the member's points below zero (they have ${total})`,
          {
            errors: [
              {
                path: 'amount',
                message: `amount: would take the member's points below zero (they have ${total})`,
              },
            ],
          }
        );
      const ctx = await this.context();
      const at = new Date();
      const levelUps = await inTransaction(strapi, async (trx) => {
        const reached = await append(
          [
            {
              userId,
              amount,
              source: 'admin',
              sourceKey: `${adminId}:${crypto.randomUUID()}`,
              type: null,
              subject: null,
              scope: null,
              occurredAt: at,
              reason,
            },
          ],
          ctx,
          { notify: true },
          trx
        );
        // Only the levels told now (never a level told before) are sent after the commit.
        return getService(strapi, 'outbox').record(
          new Map(),
          { catalog: ctx.catalog, levels: reached },
          trx
        );
      });
      await getService(strapi, 'outbox').leveled(levelUps);
      return this.standingOf(userId);
    },

    /** A member's standing and a page of their entries, newest first (the admin's member page). */
    async history(userId: number, page: number, pageSize: number): Promise<AdminMemberPoints> {
      const member = await getService(strapi, 'members').findMember({ id: userId });
      if (!member) throw new errors.NotFoundError(`id: no member ${userId}`);
      const [{ points, level }, { rows, total }] = await Promise.all([
        this.standingOf(userId),
        pointStore(strapi).pageOfMember(userId, { offset: (page - 1) * pageSize, limit: pageSize }),
      ]);
      return {
        points,
        level: levelDto(level),
        nextLevel: level.next ? { name: level.next.name, points: level.next.points } : null,
        data: rows,
        pagination: { page, pageSize, pageCount: Math.ceil(total / pageSize), total },
      };
    },

    /** The boards an admin may preview and the settings that shape them. */
    async boards(): Promise<AdminLeaderboards> {
      const [scopes, points, streaks] = await Promise.all([
        pointStore(strapi).scopes(),
        settings().pointsOptions(),
        settings().streakOptions(),
      ]);
      return {
        boards: ['site', ...scopes],
        labels: await courseTitles(scopes),
        timezone: streaks.defaultTimezone,
        points,
      };
    },

    /** What a member's points and level read while achievements are off. */
    async noStanding(): Promise<{ points: number; level: LevelDto }> {
      const { levels } = await settings().pointsOptions();
      return { points: 0, level: levelDto(levelOf(0, levels)) };
    },

    /** A member's all-time points and level, as the card, the member page and /me show them. */
    async shownStanding(userId: number): Promise<{ points: number; level: LevelDto }> {
      const { points, level } = await this.standingOf(userId);
      return { points, level: levelDto(level) };
    },

    /** A member's all-time points and level. */
    async standingOf(userId: number): Promise<{ points: number; level: LevelState }> {
      const [total, { levels }] = await Promise.all([
        pointStore(strapi)
          .totalsOf([userId])
          .then((t) => t.get(userId) ?? 0),
        settings().pointsOptions(),
      ]);
      const points = Math.max(0, total);
      return { points, level: levelOf(points, levels) };
    },
  };
};

export default pointsService;
