import type { Core } from '@strapi/strapi';
import { getService } from './utils/get-service';
import { WEBHOOK_EVENTS } from './services/awards';

const bootstrap = async ({ strapi }: { strapi: Core.Strapi }) => {
  await getService(strapi, 'database').ensureIndexes();

  const permissions = getService(strapi, 'permissions');
  await permissions.registerAdminActions();
  await permissions.grantDefaultContentApiPermissions();

  const webhooks = strapi.get('webhookStore');
  webhooks.addAllowedEvent('ACHIEVEMENT_EARNED', WEBHOOK_EVENTS.earned);
  webhooks.addAllowedEvent('ACHIEVEMENT_REVOKED', WEBHOOK_EVENTS.revoked);

  getService(strapi, 'triggers').subscribeUserLifecycles();
  getService(strapi, 'badges').subscribeLifecycles();
  await getService(strapi, 'seed').seedDefaultCatalog();

  // Open Badges credentials: keys on the first start with the secret; a start-up error when
  // credentials are on without it; revocations follow achievement.revoked.
  const credentials = getService(strapi, 'credentials');
  await credentials.bootstrap();
  credentials.subscribe();

  // Picks up whatever a crash or a restart left unprocessed, then keeps polling.
  getService(strapi, 'engine').start();
};

export default bootstrap;
