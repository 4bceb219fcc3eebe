import { createHash } from 'crypto';

/**
 * Conditional GET for the read routes: an ETag over the response body, Cache-Control, and 304
 * when If-None-Match matches. Data answers are revalidated on every use (`no-cache`): a member
 * who makes their profile private, or an admin who moves the card, is seen at once, and an
 * unchanged answer still costs only a 304. Anonymous answers may be stored by shared caches;
 * a signed-in caller's can differ per caller (secret badges, their own private profile), so
 * they are private. The shipped files (document, card module) may be reused for `maxAge`.
 */
const conditionalGet =
  (maxAge: number) =>
  async (ctx: any, next: () => Promise<unknown>): Promise<void> => {
    await next();
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.status !== 200) return;
    if (ctx.body === null || ctx.body === undefined) return;
    let payload = ctx.body;
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) {
      // Serialized once: koa would stringify the object again to send it. Its type stays JSON
      // (koa set it when the controller assigned the object).
      payload = JSON.stringify(payload);
      ctx.body = payload;
    }
    ctx.set('ETag', `"${createHash('sha1').update(payload).digest('base64url')}"`);
    ctx.vary('Authorization');
    const scope = ctx.get('Authorization') ? 'private' : 'public';
    ctx.set('Cache-Control', maxAge > 0 ? `${scope}, max-age=${maxAge}` : `${scope}, no-cache`);
    // koa compares If-None-Match (lists, weak tags, *) against the ETag just set.
    if (ctx.fresh) {
      ctx.status = 304;
      ctx.body = null;
    }
  };

const open = () => ({ auth: false as const, policies: [] });
const credentialRoutes = [
  ['/credentials/:achievementDocumentId', 'credentials.findOne'],
  ['/users/:userId/credentials', 'credentials.listForMember'],
  ['/did.json', 'credentials.did'],
  ['/jwks.json', 'credentials.jwks'],
  ['/keys/:kid', 'credentials.key'],
  ['/status-lists/:id', 'credentials.statusList'],
  ['/badges/:badgeDocumentId/open-badge', 'credentials.achievement'],
].map(([path, handler]) => ({ method: 'GET', path, handler, config: open() }));

// Fresh objects per route: Strapi keeps each route's config as given.
const data = () => ({ policies: [], middlewares: [conditionalGet(0)] });
const files = () => ({ auth: false as const, middlewares: [conditionalGet(300)] });

/**
 * Content-API routes under `/api/achievements`. String handlers make users-permissions expose
 * each one as the action `plugin::achievements.<controller>.<action>` (see CONTENT_API_ACTIONS).
 * Paths and shapes are the README's "REST API"; `common/api.ts` describes each one.
 */
export default {
  type: 'content-api',
  routes: [
    { method: 'GET', path: '/config', handler: 'config.get', config: data() },
    { method: 'POST', path: '/events', handler: 'events.ingest', config: { policies: [] } },
    { method: 'GET', path: '/badges', handler: 'badges.find', config: data() },
    { method: 'GET', path: '/users/:userId/card', handler: 'members.card', config: data() },
    { method: 'GET', path: '/users/:userId', handler: 'members.findOne', config: data() },
    { method: 'GET', path: '/me', handler: 'members.me', config: data() },
    {
      method: 'PUT',
      path: '/me/featured',
      handler: 'members.setFeatured',
      config: { policies: [] },
    },
    { method: 'PUT', path: '/me/privacy', handler: 'members.setPrivacy', config: { policies: [] } },
    {
      method: 'PUT',
      path: '/me/preferences',
      handler: 'members.setPreferences',
      config: { policies: [] },
    },
    // A digest's one-click unsubscribe link (RFC 8058): open, its signed token is the key.
    { method: 'GET', path: '/unsubscribe', handler: 'digests.page', config: open() },
    { method: 'POST', path: '/unsubscribe', handler: 'digests.unsubscribe', config: open() },
    // Streamed and personal: no ETag (the body is never buffered to hash it).
    { method: 'GET', path: '/me/export', handler: 'members.exportMine', config: { policies: [] } },
    // A member's own notifications: personal and changing, never cached.
    {
      method: 'GET',
      path: '/me/notifications',
      handler: 'notifications.find',
      config: { policies: [] },
    },
    {
      method: 'GET',
      path: '/me/notifications/count',
      handler: 'notifications.count',
      config: { policies: [] },
    },
    {
      method: 'POST',
      path: '/me/notifications/seen',
      handler: 'notifications.markSeen',
      config: { policies: [] },
    },
    {
      method: 'GET',
      path: '/leaderboards/:board',
      handler: 'leaderboards.findOne',
      config: data(),
    },
    { method: 'GET', path: '/me/rank', handler: 'leaderboards.myRank', config: data() },
    {
      method: 'POST',
      path: '/me/notifications/stream-ticket',
      handler: 'notifications.streamTicket',
      config: { policies: [] },
    },
    // Granted to Public too: an EventSource sends no header, the ticket names the member.
    {
      method: 'GET',
      path: '/me/notifications/stream',
      handler: 'notifications.stream',
      config: { policies: [] },
    },
    { method: 'GET', path: '/openapi.json', handler: 'openapi.document', config: files() },
    // Open Badges 3.0: public (verifiers have no account); the credential route itself lets
    // the holder in, and anyone else only for public profiles with public credentials on.
    ...credentialRoutes,
    { method: 'GET', path: '/card.js', handler: 'openapi.component', config: files() },
    { method: 'GET', path: '/notifier.js', handler: 'openapi.notifier', config: files() },
    { method: 'GET', path: '/leaderboard.js', handler: 'openapi.leaderboard', config: files() },
    {
      method: 'GET',
      path: '/achievements-shared.js',
      handler: 'openapi.shared',
      config: files(),
    },
  ],
};
