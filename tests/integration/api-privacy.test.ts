import { CONTENT_API_ACTIONS } from '../../common/constants';
import { apiToken, registerMember, setupTestApp, type Member } from './helpers/strapi';
import {
  badgeBySlug,
  drain,
  earnedSlugs,
  enableAchievements,
  plugin,
  recordEvent,
} from './support/achievements';
import { API_PREFIX, call } from './support/openapi';

const app = setupTestApp();

const BIO_MARKER = 'bio-marker-7f3a';

/** Every key of every object in a JSON value. */
const objectsIn = (value: unknown, out: Array<Record<string, unknown>> = []) => {
  if (Array.isArray(value)) value.forEach((v) => objectsIn(v, out));
  else if (value && typeof value === 'object') {
    out.push(value as Record<string, unknown>);
    Object.values(value).forEach((v) => objectsIn(v, out));
  }
  return out;
};

/**
 * What must never leak: a secret badge's name, description, image URL and slug to anyone who
 * has not earned it; any user field but id, documentId and username to anyone.
 */
describe('what responses never contain', () => {
  let ada: Member; // holds the secret badge
  let bob: Member; // does not
  let token: string;
  let secret: { name: string; description: string; slug: string; url: string };

  const featureSecret = async () => {
    const res = await call(app, 'PUT', `${API_PREFIX}/me/featured`, {
      token: ada.jwt,
      body: { badges: ['completionist'] },
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    await enableAchievements(app);
    ada = await registerMember(app);
    bob = await registerMember(app);
    token = await apiToken(app, Object.values(CONTENT_API_ACTIONS));
    const badge = await app.strapi.db
      .query('plugin::achievements.badge')
      .findOne({ where: { slug: 'completionist' }, populate: { image: true } });
    expect(badge.secret).toBe(true);
    secret = {
      name: badge.name,
      description: badge.description,
      slug: badge.slug,
      url: badge.image.url,
    };
    await recordEvent(app, 'lesson.completed', ada.user.id, 'ada-l1', 'lesson-1');
    await recordEvent(app, 'lesson.completed', bob.user.id, 'bob-l1', 'lesson-1');
    await drain(app);
    await plugin(app).service('admin').award(ada.user.id, badge.id, { adminId: 1 });
    await app.strapi.db
      .query('plugin::users-permissions.user')
      .update({ where: { id: ada.user.id }, data: { bio: BIO_MARKER } });
    // The bio earns "complete-bio" asynchronously, like every award: wait for it.
    await drain(app);
    await featureSecret();
    // A badge whose criteria name the secret one: its sentence must not give the name away.
    const engagement = await app.strapi.db
      .query('plugin::achievements.category')
      .findOne({ where: { slug: 'engagement' } });
    await app.strapi.db.query('plugin::achievements.badge').create({
      data: {
        name: 'Insider',
        slug: 'insider',
        tier: 'gold',
        points: 10,
        category: engagement.id,
        // Unstoppable (a 30-day streak) keeps it out of reach, so no one earns it meanwhile.
        criteria: { type: 'badges', badges: ['completionist', 'streak-30'] },
      },
    });
  });

  /** Requests of every route, for one caller. */
  const requests = (caller: string | undefined) => {
    const list: Array<{ method: 'GET' | 'PUT' | 'POST'; url: string; body?: unknown }> = [];
    for (const m of [ada, bob]) {
      for (const ref of [m.user.id, m.user.documentId]) {
        list.push(
          { method: 'GET', url: `/users/${ref}/card` },
          { method: 'GET', url: `/users/${ref}` }
        );
      }
    }
    list.push(
      { method: 'GET', url: '/config' },
      { method: 'GET', url: '/badges' },
      { method: 'GET', url: '/badges?pageSize=100' },
      { method: 'GET', url: '/badges?category=engagement' },
      { method: 'GET', url: '/badges?pageSize=1000' },
      { method: 'GET', url: `/users/${ada.user.id}?populate=*` },
      { method: 'GET', url: '/users/999999/card' },
      { method: 'GET', url: '/me' },
      { method: 'PUT', url: '/me/featured', body: { badges: ['first-lesson'] } },
      { method: 'PUT', url: '/me/featured', body: { badges: ['first-lesson', 'nope', 'x'] } },
      { method: 'PUT', url: '/me/privacy', body: { public: true } },
      { method: 'GET', url: '/me/notifications?limit=100' },
      { method: 'GET', url: '/me/notifications/count' },
      { method: 'POST', url: '/me/notifications/seen', body: { all: true } },
      {
        method: 'POST',
        url: '/events',
        body: { type: 'lesson.watched', userId: bob.user.id, key: `w-${caller}` },
      },
      { method: 'GET', url: '/openapi.json' },
      { method: 'GET', url: '/card.js' }
    );
    return list;
  };

  const bodiesFor = async (who: string | undefined) => {
    const bodies: Array<{ where: string; status: number; text: string }> = [];
    for (const r of requests(who)) {
      const res = await call(app, r.method, `${API_PREFIX}${r.url}`, { token: who, body: r.body });
      expect(res.status).toBeLessThan(500);
      bodies.push({
        where: `${r.method} ${r.url} → ${res.status}`,
        status: res.status,
        text: res.text,
      });
    }
    return bodies;
  };

  const leaksIn = (bodies: Array<{ where: string; text: string }>) =>
    bodies.flatMap(({ where, text }) =>
      [secret.name, secret.description, secret.url, secret.slug]
        .filter((marker) => text.toLowerCase().includes(marker.toLowerCase()))
        .map((marker) => `${where}: "${marker}"`)
    );

  it.each([
    ['an anonymous caller', () => undefined],
    ['a member who has not earned it', () => bob.jwt],
    ['an API token', () => token],
  ])('a secret badge never reaches %s, in any raw body', async (_who, tokenOf) => {
    const bodies = await bodiesFor(tokenOf());
    expect(bodies.length).toBeGreaterThan(20);
    expect(leaksIn(bodies)).toEqual([]);
    // Yet they learn that Ada holds a secret badge, and her totals count it.
    const modal = JSON.parse(
      bodies.find((b) => b.where.startsWith(`GET /users/${ada.user.id} →`))!.text
    );
    expect(modal.categories.find((c: any) => c.slug === 'engagement').secret).toEqual({
      count: 1,
      earned: 1,
    });
    const card = JSON.parse(
      bodies.find((b) => b.where.startsWith(`GET /users/${ada.user.id}/card`))!.text
    );
    // first-lesson, complete-bio (the bio set above) and the secret one.
    expect(await earnedSlugs(app, ada.user.id)).toEqual([
      'complete-bio',
      'completionist',
      'first-lesson',
    ]);
    expect(card.totalEarned).toBe(3);
    // Their badges' points, and 10 for the lesson completed.
    expect(card.points).toBe(25 + 25 + 250 + 10);
    expect(card.badges.map((b: any) => b.slug)).not.toContain('completionist');
  });

  it('the check can fail: the member who earned it sees it everywhere it belongs', async () => {
    const bodies = await bodiesFor(ada.jwt);
    await featureSecret(); // bodiesFor changed her featured badges
    const leaks = leaksIn(bodies).join('\n');
    expect(leaks).toContain(`GET /users/${ada.user.id}/card → 200: "${secret.name}"`);
    expect(leaks).toContain(`GET /users/${ada.user.id} → 200: "${secret.url}"`);
    expect(leaks).toContain('GET /badges?category=engagement → 200');
    // Featured, and platinum: first on her card.
    const card = await call(app, 'GET', `${API_PREFIX}/users/${ada.user.id}/card`, {
      token: ada.jwt,
    });
    expect(card.body.badges[0]).toMatchObject({
      slug: 'completionist',
      featured: true,
      tier: 'platinum',
    });
    const me = await call(app, 'GET', `${API_PREFIX}/me`, { token: ada.jwt });
    expect(me.body.categories.find((c: any) => c.slug === 'engagement').secret).toEqual({
      count: 0,
      earned: 0,
    });
  });

  it('names the secret badge in another badge’s criteria only to those who earned it', async () => {
    const insider = async (token?: string) => {
      const res = await call(app, 'GET', `${API_PREFIX}/badges?category=engagement`, { token });
      return res.body.data.find((b: any) => b.slug === 'insider').criteriaText;
    };
    expect(await insider()).toBe('Earn the badges "secret badge" and "Unstoppable"');
    expect(await insider(bob.jwt)).toBe('Earn the badges "secret badge" and "Unstoppable"');
    expect(await insider(ada.jwt)).toBe('Earn the badges "Completionist" and "Unstoppable"');
  });

  it('another member who earned it sees it on Ada’s card too', async () => {
    const carol = await registerMember(app);
    const badge = await badgeBySlug(app, 'completionist');
    await plugin(app).service('admin').award(carol.user.id, badge.id, { adminId: 1 });
    const card = await call(app, 'GET', `${API_PREFIX}/users/${ada.user.id}/card`, {
      token: carol.jwt,
    });
    expect(card.body.badges[0].slug).toBe('completionist');
    const catalog = await call(app, 'GET', `${API_PREFIX}/badges?category=engagement`, {
      token: carol.jwt,
    });
    expect(catalog.body.data.map((b: any) => b.slug)).toContain('completionist');
  });

  it('featuring a secret badge one has not earned reads exactly like an unknown slug', async () => {
    const secretOne = await call(app, 'PUT', `${API_PREFIX}/me/featured`, {
      token: bob.jwt,
      body: { badges: ['completionist'] },
    });
    const unknown = await call(app, 'PUT', `${API_PREFIX}/me/featured`, {
      token: bob.jwt,
      body: { badges: ['zzz-unknown'] },
    });
    expect(secretOne.status).toBe(400);
    expect(secretOne.body.error.message.replace('completionist', 'S')).toBe(
      unknown.body.error.message.replace('zzz-unknown', 'S')
    );
  });

  it.each([
    ['an anonymous caller', () => undefined],
    ['the member themself', () => ada.jwt],
    ['another member', () => bob.jwt],
    ['an API token', () => token],
  ])('no user field but id, documentId and username reaches %s', async (_who, tokenOf) => {
    const bodies = await bodiesFor(tokenOf());
    for (const { where, text } of bodies) {
      expect({ where, email: /@academy\.test/.test(text) }).toEqual({ where, email: false });
      expect({ where, bio: text.includes(BIO_MARKER) }).toEqual({ where, bio: false });
      if (where.includes('/openapi.json') || where.includes('/card.js')) continue;
      for (const forbidden of [
        'password',
        'resetPasswordToken',
        'confirmationToken',
        'provider',
        // A user's email field (its values are caught above); the member's own
        // `preferences.email` is a boolean (email digests on or off).
        '"email":"',
        '"blocked"',
        '"role"',
      ]) {
        expect({ where, forbidden, found: text.includes(forbidden) }).toEqual({
          where,
          forbidden,
          found: false,
        });
      }
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      for (const object of objectsIn(json)) {
        if ('username' in object) {
          expect(Object.keys(object).sort()).toEqual(['documentId', 'id', 'username']);
        }
      }
    }
  });
});
