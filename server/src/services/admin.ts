import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import {
  splitIdentifiers,
  type AdminMemberRow,
  type BulkAwardResult,
} from '../../../common/admin-api';
import { UID } from '../../../common/constants';
import { ADMIN_EVENTS } from '../../../engine/evaluate';
import { achievementStore } from '../stores/achievements';
import { progressStore } from '../stores/progress';
import { inTransaction } from '../stores/transaction';
import { getService } from '../utils/get-service';
import { heldKey } from './achievements';
import type { BadgeRow } from './catalog';
import { BADGE_DELETED, type Change } from './outbox';
import type { LevelUp } from './points';

/** Admins' decisions are told (notifications, webhooks), levels reached too. */
const NOTIFY = { notify: true };

type By = { adminId: number | string; reason?: string };

const PAGE_SIZE = 20;
/** A member's latest notifications shown on their admin page. */
const MEMBER_NOTIFICATIONS = 20;

const toRow = (u: any): AdminMemberRow => ({
  id: u.id,
  documentId: u.documentId,
  username: u.username,
  email: u.email,
  blocked: !!u.blocked,
});

/**
 * What an admin does by hand to members' achievements. Award and revoke write through the
 * achievement service and the outbox, then record the decision in the ledger (admin.awarded /
 * admin.revoked, at the row's instant): the evaluator picks it up like any fact and re-evaluates
 * the badges that count held badges, and a recalculation rebuilds the decision. Deleting a
 * badge has no fact to replay: its holders' meta badges are re-evaluated at once.
 */
const adminService = ({ strapi }: { strapi: Core.Strapi }) => {
  const events = () => getService(strapi, 'events');
  const outbox = () => getService(strapi, 'outbox');
  const points = () => getService(strapi, 'points');

  /** The sequence a manual award of this badge writes (repeatable badges get the next one). */
  const nextSequence = async (userId: number, badgeId: number) => {
    const catalog = await getService(strapi, 'catalog').get();
    const badge = catalog.defs.find((b) => b.id === badgeId);
    if (!badge) throw new errors.NotFoundError(`badge ${badgeId} not found`);
    const mine = (await achievementStore(strapi).heldBy([userId]))
      .get(userId)!
      .filter((h) => h.badgeId === badgeId);
    const revokedOne = mine.find((h) => h.revoked);
    if (!badge.repeatable) {
      if (mine.some((h) => !h.revoked))
        throw new errors.ApplicationError('the member already holds this badge');
      return { sequence: 1, before: mine };
    }
    const sequence = Math.max(0, ...mine.map((h) => h.sequence)) + 1;
    if (badge.maxRepeats === null || sequence <= badge.maxRepeats)
      return { sequence, before: mine };
    if (!revokedOne)
      throw new errors.ApplicationError(
        `the member already holds this badge the maximum ${badge.maxRepeats} times`
      );
    return { sequence: revokedOne.sequence, before: mine };
  };

  const findUser = async (id: number) => {
    const user = await strapi.db.query(UID.user).findOne({
      where: { id },
      select: ['id', 'documentId', 'username', 'email', 'blocked'],
    });
    if (!user) throw new errors.NotFoundError(`member ${id} not found`);
    return user;
  };

  /** The badge a request names (400 naming `badge` when there is none). */
  const findBadge = async (documentId: string) => {
    const badge = await strapi.db.query(UID.badge).findOne({ where: { documentId } });
    if (!badge) {
      throw new errors.ValidationError(`badge: no badge ${documentId}`, {
        errors: [{ path: 'badge', message: `badge: no badge ${documentId}` }],
      });
    }
    return badge;
  };

  return {
    /** Members whose username or email contains `q`, by username, a page of 20. */
    async searchMembers(q: string | undefined, page: number) {
      const where = q
        ? { $or: [{ username: { $containsi: q } }, { email: { $containsi: q } }] }
        : {};
      const [rows, total] = await Promise.all([
        strapi.db.query(UID.user).findMany({
          where,
          select: ['id', 'documentId', 'username', 'email', 'blocked'],
          orderBy: { username: 'asc' },
          limit: PAGE_SIZE,
          offset: (page - 1) * PAGE_SIZE,
        }),
        strapi.db.query(UID.user).count({ where }),
      ]);
      return {
        data: rows.map(toRow),
        meta: { page, pageSize: PAGE_SIZE, total: Number(total) },
      };
    },

    /** One member as the admin sees them: their page as they see it, and every row they hold. */
    async memberDetail(id: number) {
      const user = await findUser(id);
      const member = { id: user.id, documentId: user.documentId, username: user.username };
      // The member's own view (secrets they hold included), as an admin may see everything.
      const achievements = await getService(strapi, 'memberPage').of(member, user.id);
      const held = (await achievementStore(strapi).heldBy([user.id])).get(user.id)!;
      const catalog = await getService(strapi, 'catalog').get();
      const badges = new Map(catalog.badges.map((b) => [b.id, b]));
      const { data: notifications } = await getService(strapi, 'notifications').page(user.id, {
        limit: MEMBER_NOTIFICATIONS,
      });
      return {
        member: toRow(user),
        achievements,
        notifications,
        /** Erased while keeping their account: nothing is recorded until an admin lifts it. */
        erased: await getService(strapi, 'privacy').isErased(user.id),
        held: held.flatMap((h) => {
          const b = badges.get(h.badgeId);
          return b
            ? [
                {
                  badge: b.documentId,
                  slug: b.slug,
                  name: b.name,
                  sequence: h.sequence,
                  revoked: h.revoked,
                  manual: h.manual,
                },
              ]
            : [];
        }),
      };
    },

    /** award(), for the member and badge a request names. */
    async awardBadge(id: number, badgeDocumentId: string, by: By) {
      const user = await findUser(id);
      const badge = await findBadge(badgeDocumentId);
      return this.award(user.id, badge.id, by);
    },

    /** revoke(), for the member and badge a request names. */
    async revokeBadge(
      id: number,
      badgeDocumentId: string,
      by: By & { reason: string; sequence?: number }
    ) {
      const user = await findUser(id);
      const badge = await findBadge(badgeDocumentId);
      return this.revoke(user.id, badge.id, by);
    },

    /**
     * Awards a badge to members named by username or email: who got it, who held it already,
     * and which names match nobody.
     */
    async bulkAward(badgeDocumentId: string, members: string, by: By) {
      const badge = await findBadge(badgeDocumentId);
      const names = splitIdentifiers(members);
      const lower = names.map((n) => n.toLowerCase());
      const users = await strapi.db.query(UID.user).findMany({
        where: { $or: [{ username: { $in: names } }, { email: { $in: lower } }] },
        select: ['id', 'username', 'email'],
      });
      const result: BulkAwardResult = { awarded: [], already: [], notFound: [] };
      for (const name of names) {
        const user = users.find(
          (u: any) => u.username === name || String(u.email).toLowerCase() === name.toLowerCase()
        );
        if (!user) {
          result.notFound.push(name);
          continue;
        }
        try {
          await this.award(user.id, badge.id, by);
          result.awarded.push(name);
        } catch (error: any) {
          if (error?.name !== 'ApplicationError') throw error;
          result.already.push(name);
        }
      }
      return result;
    },

    async award(userId: number, badgeId: number, by: By) {
      const { sequence, before } = await nextSequence(userId, badgeId);
      const awardedBy = `admin:${by.adminId}`;
      const catalog = await getService(strapi, 'catalog').get();
      const pointsContext = await points().context();
      let levels: LevelUp[] = [];
      const written = await inTransaction(strapi, async (trx) => {
        const changes = await getService(strapi, 'achievements').write(
          [
            {
              userId,
              awards: [
                {
                  badgeId,
                  sequence,
                  earnedAt: new Date(),
                  awardedBy,
                  evidence: { reason: by.reason ?? null },
                },
              ],
              revokes: [],
              progress: [],
              heldBefore: new Set(before.map(heldKey)),
            },
          ],
          trx
        );
        const reached = await points().record({ facts: [], changes }, pointsContext, NOTIFY, trx);
        levels = await outbox().record(changes, { catalog, levels: reached }, trx);
        return changes;
      });
      const { earned } = written.get(userId)!;
      await outbox().changed(userId, { earned, revoked: [] });
      await outbox().leveled(levels);
      for (const e of earned)
        await events().recordAdminDecision(
          ADMIN_EVENTS.awarded,
          userId,
          { badgeId, sequence: e.sequence, by: awardedBy, reason: by.reason ?? null },
          e.at
        );
      return { earned, revoked: [] as Change[] };
    },

    /** Revokes (never deletes) a member's achievement, one sequence or all, with a reason. */
    async revoke(userId: number, badgeId: number, by: By & { reason: string; sequence?: number }) {
      const store = achievementStore(strapi);
      const sequences = await store.activeSequences(userId, badgeId, by.sequence);
      if (sequences.length === 0)
        throw new errors.NotFoundError('the member holds no such achievement');
      const at = new Date();
      const revokedBy = `admin:${by.adminId}`;
      const revoked: Change[] = [];
      const catalog = await getService(strapi, 'catalog').get();
      const pointsContext = await points().context();
      await inTransaction(strapi, async (trx) => {
        for (const sequence of sequences) {
          const revocation = { badgeId, sequence, reason: by.reason, at, by: revokedBy };
          if (await store.revoke(userId, revocation, trx))
            revoked.push({ badgeId, sequence, at, reason: by.reason });
        }
        const changes = new Map([[userId, { earned: [], revoked }]]);
        await points().record({ facts: [], changes }, pointsContext, NOTIFY, trx);
        await outbox().record(changes, { catalog }, trx);
      });
      await outbox().changed(userId, { earned: [], revoked });
      for (const r of revoked)
        await events().recordAdminDecision(
          ADMIN_EVENTS.revoked,
          userId,
          { badgeId, sequence: r.sequence, by: revokedBy, reason: by.reason },
          r.at
        );
      return { revoked };
    },

    /**
     * Deletes a badge with its achievements and progress (nothing can show a badge that is
     * gone). Each holder is told, as for any revocation (achievement.revoked, reason
     * BADGE_DELETED), and their meta badges are re-evaluated.
     */
    async deleteBadge(badge: BadgeRow) {
      await strapi.documents(UID.badge as any).delete({ documentId: badge.documentId });
      const catalog = getService(strapi, 'catalog');
      catalog.invalidate();
      const snapshot = await catalog.get();
      const at = new Date();
      const byMember = new Map<number, Change[]>();
      const pointsContext = await points().context();
      await inTransaction(strapi, async (trx) => {
        const held = await achievementStore(strapi).deleteForBadge(badge.id, trx);
        await progressStore(strapi).deleteForBadge(badge.id, trx);
        for (const { userId, sequence } of held)
          byMember.set(userId, [
            ...(byMember.get(userId) ?? []),
            { badgeId: badge.id, sequence, at, reason: BADGE_DELETED },
          ]);
        const changes = new Map(
          [...byMember].map(([userId, revoked]) => [userId, { earned: [], revoked }])
        );
        await points().record({ facts: [], changes }, pointsContext, NOTIFY, trx);
        await outbox().record(changes, { catalog: snapshot, gone: badge }, trx);
      });
      for (const [userId, revoked] of byMember)
        await outbox().changed(userId, { earned: [], revoked }, { gone: badge });
      const meta = (await catalog.get()).index.metaBadges();
      for (const userId of byMember.keys())
        await getService(strapi, 'evaluator').reevaluate(userId, meta);
      return { holders: byMember.size };
    },
  };
};

export default adminService;
