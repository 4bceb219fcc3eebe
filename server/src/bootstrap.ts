import type { Core } from '@strapi/strapi';
import { getService } from './utils/get-service';

const bootstrap = async ({ strapi }: { strapi: Core.Strapi }) => {
  const permissions = getService(strapi, 'permissions');
  await permissions.registerAdminActions();
  await permissions.grantDefaultContentApiPermissions();
};

export default bootstrap;
