import { registerMember, setupTestApp, type Member, type TestApp } from './helpers/strapi';
import { drain, enableAchievements, recordEvent } from './support/achievements';
import { API_PREFIX, call } from './support/openapi';

/** The payload of a JWT, unverified: only to tell which token mode users-permissions issued. */
const payloadOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

/**
 * users-permissions issues two kinds of member tokens: legacy `{ id }` JWTs, and since 5.x the
 * session access tokens `{ userId, sessionId, type: 'access' }` that fresh apps use
 * (`jwtManagement: 'refresh'`). Every member route must know the caller with either.
 */
const MODES = [
  // The session token carries the id as a string.
  [
    'refresh',
    (p: any, m: Member) =>
      String(p.userId) === String(m.user.id) && p.type === 'access' && !!p.sessionId,
  ],
  ['legacy-support', (p: any, m: Member) => p.id === m.user.id && p.userId === undefined],
] as const;

describe.each(MODES)('member routes with jwtManagement "%s"', (mode, isModeToken) => {
  const app: TestApp = setupTestApp({ env: { USERS_PERMISSIONS_JWT_MANAGEMENT: mode } });
  let ada: Member;
  let bob: Member;

  beforeAll(async () => {
    await enableAchievements(app);
    ada = await registerMember(app);
    bob = await registerMember(app);
    await recordEvent(app, 'lesson.completed', ada.user.id, `modes-${mode}`, 'lesson-1');
    await drain(app);
  });

  it('issues the mode’s own token shape on register and on login', async () => {
    expect(isModeToken(payloadOf(ada.jwt), ada)).toBe(true);
    const login = await app
      .request()
      .post('/api/auth/local')
      .send({ identifier: ada.user.email, password: 'Member-Passw0rd!' });
    expect(login.status).toBe(200);
    expect(isModeToken(payloadOf(login.body.jwt), ada)).toBe(true);
  });

  it('GET /me knows the caller and shows what they earned', async () => {
    const res = await call(app, 'GET', `${API_PREFIX}/me`, { token: ada.jwt });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({
      id: ada.user.id,
      documentId: ada.user.documentId,
      username: ada.user.username,
    });
    const badges = res.body.categories.flatMap((c: any) => c.badges);
    expect(badges.find((b: any) => b.slug === 'first-lesson')).toMatchObject({ earned: true });
  });

  it('PUT /me/featured and /me/privacy change the caller’s own preferences only', async () => {
    const featured = await call(app, 'PUT', `${API_PREFIX}/me/featured`, {
      token: ada.jwt,
      body: { badges: ['first-lesson'] },
    });
    expect(featured.status).toBe(200);
    const privacy = await call(app, 'PUT', `${API_PREFIX}/me/privacy`, {
      token: ada.jwt,
      body: { public: false },
    });
    expect(privacy.status).toBe(200);

    // Ada, private now, still sees her own card and page; Bob and anonymous callers do not.
    const own = await call(app, 'GET', `${API_PREFIX}/users/${ada.user.id}/card`, {
      token: ada.jwt,
    });
    expect(own.status).toBe(200);
    expect(own.body.badges[0]).toMatchObject({ slug: 'first-lesson', featured: true });
    const page = await call(app, 'GET', `${API_PREFIX}/users/${ada.user.documentId}`, {
      token: ada.jwt,
    });
    expect(page.status).toBe(200);
    for (const token of [bob.jwt, undefined]) {
      const other = await call(app, 'GET', `${API_PREFIX}/users/${ada.user.id}/card`, { token });
      expect(other.status).toBe(404);
    }
    const bobsOwn = await call(app, 'GET', `${API_PREFIX}/me`, { token: bob.jwt });
    expect(bobsOwn.status).toBe(200);
    expect(bobsOwn.body.user.id).toBe(bob.user.id);
  });

  it('a token of the other shape, or a forged one, is not a member (401)', async () => {
    const forged = [
      // The other mode's shape, unsigned by this app.
      `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(
        JSON.stringify({ id: ada.user.id, userId: ada.user.id })
      ).toString('base64url')}.c2lnbmF0dXJl`,
      'not-a-jwt',
    ];
    for (const token of forged) {
      const res = await call(app, 'GET', `${API_PREFIX}/me`, { token });
      expect(res.status).toBe(401);
    }
  });
});
