import type { Core } from '@strapi/strapi';
import { getService } from '../utils/get-service';

/** Content API: `GET /api/achievements/config`. */
const configController = ({ strapi }: { strapi: Core.Strapi }) => ({
  async get(ctx: any) {
    ctx.body = await getService(strapi, 'settings').publicConfig();
  },
});

export default configController;
