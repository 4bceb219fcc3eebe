import type { Core } from '@strapi/strapi';
import { getService } from '../utils/get-service';

/** Admin API: `GET|PUT /achievements/settings`. */
const settingsController = ({ strapi }: { strapi: Core.Strapi }) => ({
  async get(ctx: any) {
    ctx.body = { data: await getService(strapi, 'settings').get() };
  },
  async update(ctx: any) {
    // Credentials on without the key secret would stop the next start: refuse it here (400).
    if (ctx.request.body?.credentials?.enabled === true) {
      getService(strapi, 'credentials').assertCanEnable();
    }
    ctx.body = { data: await getService(strapi, 'settings').update(ctx.request.body) };
  },
});

export default settingsController;
