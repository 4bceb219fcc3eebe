import type { Core } from '@strapi/strapi';
import type { BadgeRow } from './catalog';
import { getService } from '../utils/get-service';

/**
 * What an admin does by hand to members' achievements. Each use case writes through the awards
 * service, then asks the engine to re-evaluate the members it touched: a meta badge ("Earn 5
 * badges") may now hold, or no longer. The writes never call back into the engine themselves.
 */
const adminService = ({ strapi }: { strapi: Core.Strapi }) => {
  const awards = () => getService(strapi, 'awards');
  const reevaluate = (userId: number) => getService(strapi, 'engine').reevaluate(userId);

  return {
    async award(
      userId: number,
      badgeId: number,
      by: { adminId: number | string; reason?: string }
    ) {
      const result = await awards().awardManually(userId, badgeId, by);
      await reevaluate(userId);
      return result;
    },

    async revoke(
      userId: number,
      badgeId: number,
      by: { adminId: number | string; reason: string; sequence?: number }
    ) {
      const result = await awards().revokeManually(userId, badgeId, by);
      await reevaluate(userId);
      return result;
    },

    async deleteBadge(badge: BadgeRow) {
      const { holders } = await awards().deleteBadge(badge);
      for (const userId of holders) await reevaluate(userId);
      return { holders: holders.length };
    },
  };
};

export default adminService;
