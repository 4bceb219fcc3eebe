import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID } from '../../../common/constants';
import type { Decision, Held } from '../../../engine/evaluate';
import type { WalkAward } from '../../../engine/walk';
import {
  bulkRows,
  chunks,
  columns,
  insertIgnore,
  insertMany,
  row,
  tableOf,
  toDate,
  toJson,
  type Table,
} from '../utils/db';
import { getService } from '../utils/get-service';
import type { BadgeRow } from './catalog';

export const WEBHOOK_EVENTS = {
  earned: 'achievement.earned',
  revoked: 'achievement.revoked',
} as const;

/** The revokeReason holders of a deleted badge are told. */
export const BADGE_DELETED = 'badge deleted';

/** An award the ledger walk decided, as awards.apply writes it. */
export const toAwardToApply = (a: WalkAward): AwardToApply => ({
  badgeId: a.badgeId,
  sequence: a.sequence,
  earnedAt: new Date(a.earnedAt),
  sourceEvent: a.source?.key ?? null,
  evidence: a.source ? { event: a.source.key, type: a.source.type } : { reason: 'recalculation' },
});

/** An achievement row as the engine sees it (`t` is the achievement table). */
export const heldOf = (t: Table, r: Record<string, any>): Held & { byAdmin: boolean } => ({
  badgeId: r[t.col('badgeId')],
  sequence: r[t.col('sequence')],
  revoked: r[t.col('revokedAt')] !== null,
  manual: (r[t.col('awardedBy')] ?? 'system') !== 'system',
  byAdmin:
    r[t.col('revokedAt')] !== null && String(r[t.col('revokedBy')] ?? '').startsWith('admin'),
});

export interface AwardToApply {
  badgeId: number;
  sequence: number;
  earnedAt: Date;
  sourceEvent?: string | null;
  evidence?: Record<string, unknown> | null;
  awardedBy?: string;
}

export interface ToApply {
  awards: AwardToApply[];
  revokes: Decision['revokes'];
  progress: Decision['progress'];
  /** false during a silent recalculation: no webhooks */
  notify?: boolean;
}

interface Changed {
  badgeId: number;
  sequence: number;
  at: Date;
  reason?: string;
  awardedBy?: string;
}

/**
 * Writes achievements and progress. Every award is an insert the database may refuse (unique on
 * user, badge and sequence), so the same decision applied twice, or by two processes at once,
 * awards once. Webhooks go out only for rows this call actually changed, after they are written.
 */
const awardsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const ach = () => tableOf(strapi, UID.achievement);

  /** `gone`: a badge deleted already, which the catalog no longer has. */
  const emit = async (event: string, userId: number, changes: Changed[], gone?: BadgeRow) => {
    if (changes.length === 0) return;
    const catalog = await getService(strapi, 'catalog').get();
    const user = await strapi.db
      .query(UID.user)
      .findOne({ where: { id: userId }, select: ['id', 'documentId', 'username'] });
    for (const change of changes) {
      const badge = gone ?? catalog.badges.find((b) => b.id === change.badgeId);
      strapi.eventHub.emit(event, {
        achievement: {
          sequence: change.sequence,
          ...(event === WEBHOOK_EVENTS.earned
            ? { earnedAt: change.at.toISOString(), awardedBy: change.awardedBy ?? 'system' }
            : { revokedAt: change.at.toISOString(), revokeReason: change.reason ?? null }),
          user: user
            ? { id: user.id, documentId: user.documentId, username: user.username }
            : { id: userId },
          badge: badge
            ? {
                id: badge.id,
                documentId: badge.documentId,
                slug: badge.slug,
                name: badge.name,
                tier: badge.tier,
                points: badge.points,
              }
            : { id: change.badgeId },
        },
      });
    }
  };

  /** The achievement row (member, badge, sequence), as a query to narrow and update. */
  const one = (conn: any, userId: number, badgeId: number, sequence: number) => {
    const t = ach();
    return conn(t.name).where({
      [t.col('userId')]: userId,
      [t.col('badgeId')]: badgeId,
      [t.col('sequence')]: sequence,
    });
  };

  /** Marks one achievement revoked (never deletes it); false when it was not held. */
  const revokeOne = async (
    userId: number,
    badgeId: number,
    sequence: number,
    reason: string,
    revokedBy: string,
    now: Date,
    conn: any = knex()
  ): Promise<boolean> => {
    const t = ach();
    const n = await one(conn, userId, badgeId, sequence)
      .whereNull(t.col('revokedAt'))
      .update(columns(t, { revokedAt: now, revokeReason: reason, revokedBy, updatedAt: now }));
    return n > 0;
  };

  /** Clears the revocation of an achievement whose criteria hold again; false when not revoked. */
  const reinstateOne = async (
    userId: number,
    award: AwardToApply,
    conn: any = knex()
  ): Promise<boolean> => {
    const t = ach();
    const n = await one(conn, userId, award.badgeId, award.sequence)
      .whereNotNull(t.col('revokedAt'))
      .update(
        columns(t, {
          revokedAt: null,
          revokeReason: null,
          revokedBy: null,
          earnedAt: award.earnedAt,
          awardedBy: award.awardedBy ?? 'system',
          // Earned again by another fact: the row cites that one, as a fresh award would.
          sourceEvent: award.sourceEvent ?? null,
          evidence: toJson(award.evidence ?? null),
          updatedAt: new Date(),
        })
      );
    return n > 0;
  };

  return {
    revokeOne,
    reinstateOne,

    /** What the member holds; `byAdmin` marks achievements an admin revoked (they stay revoked). */
    async held(userId: number): Promise<Array<Held & { byAdmin: boolean }>> {
      return (await this.heldMany([userId])).get(userId)!;
    },

    /** held() of several members in one statement. */
    async heldMany(userIds: number[]): Promise<Map<number, Array<Held & { byAdmin: boolean }>>> {
      const out = new Map<number, Array<Held & { byAdmin: boolean }>>(
        userIds.map((id) => [id, []])
      );
      if (userIds.length === 0) return out;
      const t = ach();
      const query = knex()(t.name).select(
        t.col('userId'),
        t.col('badgeId'),
        t.col('sequence'),
        t.col('revokedAt'),
        t.col('awardedBy'),
        t.col('revokedBy')
      );
      const rows =
        userIds.length === 1
          ? await query.where(t.col('userId'), userIds[0])
          : await query.whereIn(t.col('userId'), userIds);
      for (const r of rows) out.get(r[t.col('userId')])?.push(heldOf(t, r));
      return out;
    },

    /** Applies an engine decision for one member. */
    async apply(userId: number, decision: ToApply) {
      const t = ach();
      const earned: Changed[] = [];
      const revoked: Changed[] = [];
      for (const award of decision.awards) {
        const inserted = await insertIgnore(
          strapi,
          knex(),
          t.name,
          row(t, {
            userId,
            badgeId: award.badgeId,
            sequence: award.sequence,
            earnedAt: award.earnedAt,
            sourceEvent: award.sourceEvent ?? null,
            evidence: toJson(award.evidence ?? null),
            revokedAt: null,
            revokeReason: null,
            awardedBy: award.awardedBy ?? 'system',
          }),
          [t.col('userId'), t.col('badgeId'), t.col('sequence')]
        );
        let changed = inserted;
        // Held but revoked, and the criteria hold again: reinstate it.
        if (!inserted) changed = await reinstateOne(userId, award);
        if (changed)
          earned.push({
            badgeId: award.badgeId,
            sequence: award.sequence,
            at: award.earnedAt,
            awardedBy: award.awardedBy,
          });
      }
      const now = new Date();
      for (const revoke of decision.revokes) {
        if (await revokeOne(userId, revoke.badgeId, revoke.sequence, revoke.reason, 'system', now))
          revoked.push({
            badgeId: revoke.badgeId,
            sequence: revoke.sequence,
            at: now,
            reason: revoke.reason,
          });
      }
      await this.saveProgress(userId, decision.progress);
      if (decision.notify !== false) {
        await emit(WEBHOOK_EVENTS.earned, userId, earned);
        await emit(WEBHOOK_EVENTS.revoked, userId, revoked);
      }
      return { earned, revoked };
    },

    async saveProgress(userId: number, progress: Decision['progress']) {
      await this.saveProgressMany(progress.map((p) => ({ userId, ...p })));
    },

    /**
     * Upserts progress rows of any number of members: one statement per few hundred rows (the
     * unique (user, badge) index makes it an upsert). Rows go in (user, badge) order, so two
     * writers of overlapping rows lock them in the same order and cannot deadlock.
     */
    async saveProgressMany(
      progress: Array<{ userId: number; badgeId: number; current: number; target: number }>,
      conn: any = knex()
    ) {
      if (progress.length === 0) return;
      const t = tableOf(strapi, UID.progress);
      const sorted = [...progress].sort((a, b) => a.userId - b.userId || a.badgeId - b.badgeId);
      for (const part of chunks(bulkRows(t, sorted)))
        await insertMany(strapi, conn, t.name, part, {
          conflict: [t.col('userId'), t.col('badgeId')],
          merge: [t.col('current'), t.col('target'), t.col('updatedAt')],
        });
    },

    /**
     * Writes an achievement an admin awards by hand (repeatable badges get the next sequence).
     * The admin service re-evaluates the member after it.
     */
    async awardManually(
      userId: number,
      badgeId: number,
      by: { adminId: number | string; reason?: string }
    ) {
      const catalog = await getService(strapi, 'catalog').get();
      const badge = catalog.defs.find((b) => b.id === badgeId);
      if (!badge) throw new errors.NotFoundError(`badge ${badgeId} not found`);
      const held = await this.held(userId);
      const mine = held.filter((h) => h.badgeId === badgeId);
      const revokedOne = mine.find((h) => h.revoked);
      let sequence: number;
      if (badge.repeatable) {
        sequence = Math.max(0, ...mine.map((h) => h.sequence)) + 1;
        if (badge.maxRepeats !== null && sequence > badge.maxRepeats && !revokedOne) {
          throw new errors.ApplicationError(
            `the member already holds this badge the maximum ${badge.maxRepeats} times`
          );
        }
        if (badge.maxRepeats !== null && sequence > badge.maxRepeats)
          sequence = revokedOne!.sequence;
      } else {
        if (mine.some((h) => !h.revoked))
          throw new errors.ApplicationError('the member already holds this badge');
        sequence = 1;
      }
      const result = await this.apply(userId, {
        awards: [
          {
            badgeId,
            sequence,
            earnedAt: new Date(),
            awardedBy: `admin:${by.adminId}`,
            evidence: { reason: by.reason ?? null },
          },
        ],
        revokes: [],
        progress: [],
      });
      return result;
    },

    /** Revokes (never deletes) a member's achievement for an admin, with a reason. */
    async revokeManually(
      userId: number,
      badgeId: number,
      by: { adminId: number | string; reason: string; sequence?: number }
    ) {
      const t = ach();
      const now = new Date();
      const query = knex()(t.name)
        .where({ [t.col('userId')]: userId, [t.col('badgeId')]: badgeId })
        .whereNull(t.col('revokedAt'));
      if (by.sequence !== undefined) query.where(t.col('sequence'), by.sequence);
      const targets = await query.clone().select(t.col('sequence'));
      if (targets.length === 0)
        throw new errors.NotFoundError('the member holds no such achievement');
      const revoked: Changed[] = [];
      for (const target of targets) {
        const sequence = target[t.col('sequence')];
        if (await revokeOne(userId, badgeId, sequence, by.reason, `admin:${by.adminId}`, now))
          revoked.push({ badgeId, sequence, at: now, reason: by.reason });
      }
      await emit(WEBHOOK_EVENTS.revoked, userId, revoked);
      return { revoked };
    },

    /**
     * Deletes a badge with its achievements and progress (nothing can show a badge that is
     * gone). Each holder is told, as for any revocation (achievement.revoked, reason
     * BADGE_DELETED). Returns the holders, for the admin service to re-evaluate.
     */
    async deleteBadge(badge: BadgeRow) {
      const t = ach();
      const p = tableOf(strapi, UID.progress);
      const held = await knex()(t.name)
        .select(t.col('userId'), t.col('sequence'))
        .where(t.col('badgeId'), badge.id)
        .whereNull(t.col('revokedAt'));
      await strapi.documents(UID.badge as any).delete({ documentId: badge.documentId });
      await knex()(t.name).where(t.col('badgeId'), badge.id).delete();
      await knex()(p.name).where(p.col('badgeId'), badge.id).delete();
      getService(strapi, 'catalog').invalidate();
      const now = new Date();
      const byMember = new Map<number, Changed[]>();
      for (const r of held) {
        const userId = Number(r[t.col('userId')]);
        const change = { badgeId: badge.id, sequence: r[t.col('sequence')], at: now };
        byMember.set(userId, [
          ...(byMember.get(userId) ?? []),
          { ...change, reason: BADGE_DELETED },
        ]);
      }
      for (const [userId, revoked] of byMember) {
        await emit(WEBHOOK_EVENTS.revoked, userId, revoked, badge);
      }
      return { holders: [...byMember.keys()] };
    },

    /** Non-revoked achievements of a member, newest first. */
    async listEarned(userId: number) {
      const t = ach();
      const rows = await knex()(t.name)
        .select(t.col('badgeId'), t.col('sequence'), t.col('earnedAt'))
        .where(t.col('userId'), userId)
        .whereNull(t.col('revokedAt'))
        .orderBy(t.col('earnedAt'), 'desc');
      return rows.map((r: any) => ({
        badgeId: r[t.col('badgeId')] as number,
        sequence: r[t.col('sequence')] as number,
        earnedAt: toDate(r[t.col('earnedAt')])!,
      }));
    },
  };
};

export default awardsService;
