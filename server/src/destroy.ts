import type { Core } from '@strapi/strapi';
import { getService } from './utils/get-service';

const destroy = async ({ strapi }: { strapi: Core.Strapi }) => {
  await getService(strapi, 'digests').stop();
  // Open notification streams end first: clients reconnect to a process that runs.
  await getService(strapi, 'notificationStream').stop();
  await getService(strapi, 'privacy').stop();
  await getService(strapi, 'evaluator').stop();
  await getService(strapi, 'credentials').waitForRevocations();
};

export default destroy;
