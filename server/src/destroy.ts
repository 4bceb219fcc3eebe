import type { Core } from '@strapi/strapi';
import { getService } from './utils/get-service';

const destroy = async ({ strapi }: { strapi: Core.Strapi }) => {
  await getService(strapi, 'engine').stop();
  getService(strapi, 'credentials').unsubscribe();
  await getService(strapi, 'credentials').waitForRevocations();
};

export default destroy;
