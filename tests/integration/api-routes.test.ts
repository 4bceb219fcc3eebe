import { CONTENT_API_ACTIONS } from '../../common/constants';
import {
  apiToken,
  registerMember,
  setupTestApp,
  superAdminToken,
  type Member,
} from './helpers/strapi';
import { drain, enableAchievements, recordEvent } from './support/achievements';
import { API_PREFIX, call } from './support/openapi';

const app = setupTestApp();

type Caller = 'public' | 'self' | 'other' | 'token';
const CALLERS: Caller[] = ['public', 'self', 'other', 'token'];

/**
 * Every route of the content API × {anonymous, the member themself, another member, an API
 * token}, with the role grants a fresh install gets. Every response is checked against the
 * OpenAPI document by `call`.
 */
describe('content API routes × callers', () => {
  let ada: Member;
  let bob: Member;
  let token: string;
  let seq = 0;

  const tokenOf = (caller: Caller) =>
    caller === 'self'
      ? ada.jwt
      : caller === 'other'
        ? bob.jwt
        : caller === 'token'
          ? token
          : undefined;

  beforeAll(async () => {
    await enableAchievements(app);
    ada = await registerMember(app);
    bob = await registerMember(app);
    // The token holds every action of the plugin: the member-only routes must still refuse it.
    token = await apiToken(app, Object.values(CONTENT_API_ACTIONS));
    await recordEvent(app, 'lesson.completed', ada.user.id, 'ada-l1', 'lesson-1');
    await drain(app);
  });

  /** Who gets what: every caller, or members only (an API token acts as no member). */
  const OPEN: Record<Caller, number> = { public: 200, self: 200, other: 200, token: 200 };
  const MEMBERS: Record<Caller, number> = { public: 403, self: 200, other: 200, token: 403 };

  type Case = {
    route: string;
    method: 'GET' | 'PUT' | 'POST';
    url: () => string;
    body?: () => unknown;
    expected: Record<Caller, number>;
  };
  const get = (route: string, url: () => string, expected = OPEN): Case => ({
    route,
    method: 'GET',
    url,
    expected,
  });

  const put = (route: string, url: () => string, body: () => unknown): Case => ({
    route,
    method: 'PUT',
    url,
    body,
    expected: MEMBERS,
  });

  const cases: Case[] = [
    get('GET /config', () => '/config'),
    get('GET /badges', () => '/badges'),
    get('GET /users/:id/card', () => `/users/${ada.user.id}/card`),
    get('GET /users/:documentId/card', () => `/users/${ada.user.documentId}/card`),
    get('GET /users/:id', () => `/users/${ada.user.id}`),
    get('GET /users/:documentId', () => `/users/${ada.user.documentId}`),
    get('GET /me', () => '/me', MEMBERS),
    put(
      'PUT /me/featured',
      () => '/me/featured',
      () => ({ badges: [] })
    ),
    put(
      'PUT /me/privacy',
      () => '/me/privacy',
      () => ({ public: true })
    ),
    {
      route: 'POST /events',
      method: 'POST',
      url: () => '/events',
      body: () => ({
        type: 'lesson.watched',
        userId: ada.user.id,
        key: `watch-${(seq += 1)}`,
        subject: 'lesson-1',
      }),
      expected: { public: 403, self: 403, other: 403, token: 202 },
    },
    {
      route: 'POST /me/notifications/stream-ticket',
      method: 'POST',
      url: () => '/me/notifications/stream-ticket',
      expected: MEMBERS,
    },
    // GET /me/notifications/stream never ends with a ticket: notifications-stream.test.ts.
    get('GET /openapi.json', () => '/openapi.json'),
    get('GET /card.js', () => '/card.js'),
    get('GET /notifier.js', () => '/notifier.js'),
    get('GET /leaderboard.js', () => '/leaderboard.js'),
    get('GET /achievements-shared.js', () => '/achievements-shared.js'),
  ];

  describe.each(cases)('$route', ({ method, url, body, expected }) => {
    it.each(CALLERS)('as %s', async (caller) => {
      const res = await call(app, method, `${API_PREFIX}${url()}`, {
        token: tokenOf(caller),
        body: body?.(),
      });
      expect(res.status).toBe(expected[caller]);
    });
  });

  it('/me is the caller: Ada sees Ada, Bob sees Bob', async () => {
    const mine = await call(app, 'GET', `${API_PREFIX}/me`, { token: ada.jwt });
    expect(mine.body.user).toEqual({
      id: ada.user.id,
      documentId: ada.user.documentId,
      username: ada.user.username,
    });
    expect(mine.body.preferences).toEqual({
      featured: [],
      public: true,
      leaderboards: true,
      email: true,
      language: null,
    });
    const bobs = await call(app, 'GET', `${API_PREFIX}/me`, { token: bob.jwt });
    expect(bobs.body.user.username).toBe(bob.user.username);
    // Someone else's achievements never carry their preferences.
    const other = await call(app, 'GET', `${API_PREFIX}/users/${ada.user.id}`, { token: bob.jwt });
    expect(other.body.preferences).toBeUndefined();
  });

  it('an API token without the action gets 403, and no token can act as a member', async () => {
    const configOnly = await apiToken(app, [CONTENT_API_ACTIONS.config]);
    for (const url of [`/users/${ada.user.id}/card`, `/users/${ada.user.id}`, '/badges', '/me']) {
      const res = await call(app, 'GET', `${API_PREFIX}${url}`, { token: configOnly });
      expect(res.status).toBe(403);
    }
    const privacy = await call(app, 'PUT', `${API_PREFIX}/me/privacy`, {
      token,
      body: { public: false },
    });
    expect(privacy.status).toBe(403);
  });

  it('an unknown member is 404 for everyone, by id and by documentId', async () => {
    for (const ref of ['999999', 'nosuchdocumentid0000000']) {
      for (const caller of CALLERS) {
        for (const url of [`/users/${ref}/card`, `/users/${ref}`]) {
          const res = await call(app, 'GET', `${API_PREFIX}${url}`, { token: tokenOf(caller) });
          expect(res.status).toBe(404);
        }
      }
    }
  });

  it('a blocked member is 404 for everyone', async () => {
    const carol = await registerMember(app);
    await app.strapi.db
      .query('plugin::users-permissions.user')
      .update({ where: { id: carol.user.id }, data: { blocked: true } });
    for (const caller of CALLERS) {
      for (const url of [`/users/${carol.user.id}/card`, `/users/${carol.user.documentId}`]) {
        const res = await call(app, 'GET', `${API_PREFIX}${url}`, { token: tokenOf(caller) });
        expect(res.status).toBe(404);
      }
    }
  });

  it('a private profile is 404 to everyone but its member, who still sees /me', async () => {
    const off = await call(app, 'PUT', `${API_PREFIX}/me/privacy`, {
      token: ada.jwt,
      body: { public: false },
    });
    expect(off.body).toEqual({ public: false, leaderboards: true });
    const expected: Record<Caller, number> = { public: 404, self: 200, other: 404, token: 404 };
    for (const caller of CALLERS) {
      for (const url of [`/users/${ada.user.id}/card`, `/users/${ada.user.documentId}`]) {
        const res = await call(app, 'GET', `${API_PREFIX}${url}`, { token: tokenOf(caller) });
        expect(res.status).toBe(expected[caller]);
      }
    }
    const me = await call(app, 'GET', `${API_PREFIX}/me`, { token: ada.jwt });
    expect(me.status).toBe(200);
    expect(me.body.preferences.public).toBe(false);
    // The same 404 as for nobody at all: a private profile is not confirmed to exist.
    const hidden = await call(app, 'GET', `${API_PREFIX}/users/${ada.user.id}`);
    const missing = await call(app, 'GET', `${API_PREFIX}/users/999999`);
    expect(hidden.body.error.message.replace(String(ada.user.id), 'X')).toBe(
      missing.body.error.message.replace('999999', 'X')
    );

    await call(app, 'PUT', `${API_PREFIX}/me/privacy`, { token: ada.jwt, body: { public: true } });
    expect((await call(app, 'GET', `${API_PREFIX}/users/${ada.user.id}/card`)).status).toBe(200);
  });

  it('public GETs send ETag and Cache-Control and answer 304 to a matching If-None-Match', async () => {
    const urls = ['/config', '/badges', `/users/${ada.user.id}/card`, `/users/${ada.user.id}`];
    for (const url of urls) {
      const first = await call(app, 'GET', `${API_PREFIX}${url}`);
      expect(first.status).toBe(200);
      expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      expect(first.headers['cache-control']).toBe('public, no-cache');
      expect(first.headers.vary).toMatch(/Authorization/);
      const again = await call(app, 'GET', `${API_PREFIX}${url}`, {
        headers: { 'If-None-Match': first.headers.etag },
      });
      expect(again.status).toBe(304);
      expect(again.text).toBe('');
      const stale = await call(app, 'GET', `${API_PREFIX}${url}`, {
        headers: { 'If-None-Match': '"something-else"' },
      });
      expect(stale.status).toBe(200);
    }
    // A signed-in caller's answer is theirs alone.
    const mine = await call(app, 'GET', `${API_PREFIX}/me`, { token: ada.jwt });
    expect(mine.headers['cache-control']).toBe('private, no-cache');
    const again = await call(app, 'GET', `${API_PREFIX}/me`, {
      token: ada.jwt,
      headers: { 'If-None-Match': mine.headers.etag },
    });
    expect(again.status).toBe(304);
  });

  it('the ETag changes when the card does', async () => {
    const url = `${API_PREFIX}/users/${ada.user.id}/card`;
    const before = await call(app, 'GET', url);
    await recordEvent(app, 'post.published', ada.user.id, 'ada-post-1', 'post-1');
    await drain(app);
    const after = await call(app, 'GET', url, {
      headers: { 'If-None-Match': before.headers.etag },
    });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body.badges.map((b: { slug: string }) => b.slug)).toContain('first-post');
  });

  describe('removing an action from a role in Users & Permissions', () => {
    /** What the admin's Roles page does: read the role's whole tree, flip one action, save it. */
    let admin: string | undefined;
    const setAction = async (
      roleType: string,
      controller: string,
      action: string,
      enabled: boolean
    ) => {
      // One login: the admin login route is rate limited.
      admin ??= await superAdminToken(app);
      const role = await app.strapi.db
        .query('plugin::users-permissions.role')
        .findOne({ where: { type: roleType } });
      const auth = { Authorization: `Bearer ${admin}` };
      const current = await app.request().get(`/users-permissions/roles/${role.id}`).set(auth);
      expect(current.status).toBe(200);
      const tree = current.body.role.permissions;
      tree['plugin::achievements'].controllers[controller][action].enabled = enabled;
      const saved = await app.request().put(`/users-permissions/roles/${role.id}`).set(auth).send({
        name: current.body.role.name,
        description: current.body.role.description,
        permissions: tree,
      });
      expect(saved.status).toBe(200);
    };

    it('answers 403 for that role only, and 200 again once it is given back', async () => {
      const card = `${API_PREFIX}/users/${ada.user.id}/card`;
      await setAction('public', 'members', 'card', false);
      expect((await call(app, 'GET', card)).status).toBe(403);
      expect((await call(app, 'GET', card, { token: bob.jwt })).status).toBe(200);

      await setAction('authenticated', 'members', 'card', false);
      expect((await call(app, 'GET', card, { token: bob.jwt })).status).toBe(403);
      expect((await call(app, 'GET', `${API_PREFIX}/users/${ada.user.id}`)).status).toBe(200);

      await setAction('authenticated', 'members', 'me', false);
      expect((await call(app, 'GET', `${API_PREFIX}/me`, { token: ada.jwt })).status).toBe(403);

      await setAction('public', 'badges', 'find', false);
      expect((await call(app, 'GET', `${API_PREFIX}/badges`)).status).toBe(403);

      await setAction('public', 'members', 'card', true);
      await setAction('authenticated', 'members', 'card', true);
      expect((await call(app, 'GET', card)).status).toBe(200);
      expect((await call(app, 'GET', card, { token: bob.jwt })).status).toBe(200);
    });

    it('a removed action stays removed across a restart (defaults are granted once)', async () => {
      await app.restart();
      expect((await call(app, 'GET', `${API_PREFIX}/badges`)).status).toBe(403);
      expect((await call(app, 'GET', `${API_PREFIX}/me`, { token: ada.jwt })).status).toBe(403);
      expect((await call(app, 'GET', `${API_PREFIX}/users/${ada.user.id}/card`)).status).toBe(200);
    });
  });
});
