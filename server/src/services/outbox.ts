import type { Core } from '@strapi/strapi';
import { UID } from '../../../common/constants';
import { getService } from '../utils/get-service';
import type { BadgeRow } from './catalog';

/** What members are told about, as Strapi webhook events (and, inside Strapi, eventHub events). */
export const WEBHOOK_EVENTS = {
  earned: 'achievement.earned',
  revoked: 'achievement.revoked',
} as const;

/** The revokeReason holders of a deleted badge are told. */
export const BADGE_DELETED = 'badge deleted';

/** One achievement a write changed: earned (or reinstated), or revoked. */
export interface Change {
  badgeId: number;
  sequence: number;
  at: Date;
  reason?: string;
  awardedBy?: string;
}

/**
 * The end of the pipeline: after the achievement store has written, tells the outside world
 * what changed, once per changed row (achievement.earned / achievement.revoked on Strapi's event
 * hub, which sends the webhooks). It reads the catalog and the member's name, and writes
 * nothing, so nothing downstream can call back into evaluation.
 */
const outboxService = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** `gone`: a badge deleted already, which the catalog no longer has. */
  async send(
    event: (typeof WEBHOOK_EVENTS)[keyof typeof WEBHOOK_EVENTS],
    userId: number,
    changes: Change[],
    gone?: BadgeRow
  ) {
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
  },

  /**
   * After one member's achievements changed (and the write committed): what must follow every
   * change (credentials of revoked achievements are revoked), then the webhooks unless
   * `notify` is false (a silent recalculation). `gone`: the badge was deleted.
   */
  async changed(
    userId: number,
    changes: { earned: Change[]; revoked: Change[] },
    opts: { notify?: boolean; gone?: BadgeRow } = {}
  ) {
    if (changes.revoked.length)
      await getService(strapi, 'credentials').revoked(userId, changes.revoked);
    if (opts.notify === false) return;
    await this.send(WEBHOOK_EVENTS.earned, userId, changes.earned, opts.gone);
    await this.send(WEBHOOK_EVENTS.revoked, userId, changes.revoked, opts.gone);
  },
});

export default outboxService;
