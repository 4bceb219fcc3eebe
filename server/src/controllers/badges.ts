import type { Core } from '@strapi/strapi';
import { badgesQuerySchema, type BadgeList } from '../../../common/api';
import { getService } from '../utils/get-service';
import { parse, viewerOf } from './request';

/** Content API: `GET /api/achievements/badges`, the catalog with earned counts and rarity. */
const badgesController = ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx: any) {
    const query = parse(badgesQuerySchema, ctx.query, 'parameter');
    const body: BadgeList = await getService(strapi, 'badgeList').list(query, viewerOf(ctx));
    ctx.body = body;
  },
});

export default badgesController;
