import type { Core } from '@strapi/strapi';
import { getService } from './utils/get-service';

const destroy = async ({ strapi }: { strapi: Core.Strapi }) => {
  await getService(strapi, 'digests').stop();
  await getService(strapi, 'privacy').stop();
  await getService(strapi, 'evaluator').stop();
  await getService(strapi, 'credentials').waitForRevocations();
};

export default destroy;
