import type { Core } from '@strapi/strapi';
import { ADMIN_EVENTS } from '../../../engine/evaluate';
import type { BadgeRow } from './catalog';
import { getService } from '../utils/get-service';

/**
 * What an admin does by hand to members' achievements. Award and revoke write through the awards
 * service, then record the decision in the ledger (admin.awarded / admin.revoked, at the row's
 * instant): the engine picks it up like any fact and re-evaluates the badges that count held
 * badges, and a recalculation rebuilds the decision. Deleting a badge has no fact to replay:
 * its holders' meta badges are re-evaluated at once.
 */
const adminService = ({ strapi }: { strapi: Core.Strapi }) => {
  const awards = () => getService(strapi, 'awards');
  const events = () => getService(strapi, 'events');

  return {
    async award(
      userId: number,
      badgeId: number,
      by: { adminId: number | string; reason?: string }
    ) {
      const result = await awards().awardManually(userId, badgeId, by);
      for (const e of result.earned) {
        await events().recordAdminDecision(
          ADMIN_EVENTS.awarded,
          userId,
          { badgeId, sequence: e.sequence, by: `admin:${by.adminId}`, reason: by.reason ?? null },
          e.at
        );
      }
      return result;
    },

    async revoke(
      userId: number,
      badgeId: number,
      by: { adminId: number | string; reason: string; sequence?: number }
    ) {
      const result = await awards().revokeManually(userId, badgeId, by);
      for (const r of result.revoked) {
        await events().recordAdminDecision(
          ADMIN_EVENTS.revoked,
          userId,
          { badgeId, sequence: r.sequence, by: `admin:${by.adminId}`, reason: by.reason },
          r.at
        );
      }
      return result;
    },

    async deleteBadge(badge: BadgeRow) {
      const { holders } = await awards().deleteBadge(badge);
      const catalog = await getService(strapi, 'catalog').get();
      for (const userId of holders) {
        await getService(strapi, 'engine').reevaluate(userId, catalog.index.metaBadges());
      }
      return { holders: holders.length };
    },
  };
};

export default adminService;
