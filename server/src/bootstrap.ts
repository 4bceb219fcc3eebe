import type { Core } from '@strapi/strapi';
import { getService } from './utils/get-service';
import { WEBHOOK_EVENTS } from './services/outbox';
import { MEMBER_ERASED } from './services/privacy';
import { ensureIndexes } from './stores/indexes';

const bootstrap = async ({ strapi }: { strapi: Core.Strapi }) => {
  await ensureIndexes(strapi);

  const permissions = getService(strapi, 'permissions');
  await permissions.registerAdminActions();
  await permissions.grantDefaultContentApiPermissions();

  const webhooks = strapi.get('webhookStore');
  webhooks.addAllowedEvent('ACHIEVEMENT_EARNED', WEBHOOK_EVENTS.earned);
  webhooks.addAllowedEvent('ACHIEVEMENT_REVOKED', WEBHOOK_EVENTS.revoked);
  webhooks.addAllowedEvent('LEVEL_REACHED', WEBHOOK_EVENTS.levelReached);
  webhooks.addAllowedEvent('MEMBER_ERASED', MEMBER_ERASED);

  getService(strapi, 'triggers').subscribeUserLifecycles();
  // A users-permissions user deleted by any path: their data here is erased.
  getService(strapi, 'privacy').subscribeUserLifecycles();
  getService(strapi, 'badges').subscribeLifecycles();
  await getService(strapi, 'seed').seedDefaultCatalog();

  // Open Badges credentials: keys on the first start with the secret; a start-up error when
  // credentials are on without it (revocations come through the outbox).
  await getService(strapi, 'credentials').bootstrap();

  // Picks up whatever a crash or a restart left unprocessed, then keeps polling.
  getService(strapi, 'evaluator').start();
  // Email digests: each process plans and sends what is due (claims make it safe with several).
  getService(strapi, 'digests').start();
  // Erases a crash interrupted are finished (and reported) by the next start.
  getService(strapi, 'privacy').start();
};

export default bootstrap;
