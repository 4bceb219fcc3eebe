import { createHash } from 'crypto';
import { registerMember, setupTestApp, type Member } from './helpers/strapi';
import { badgeBySlug, enableAchievements, plugin } from './support/achievements';
import { API_PREFIX, call } from './support/openapi';

/**
 * The read routes keep nothing per member between requests: every read sees every change made
 * before it, at once. What they do keep (the catalog's derived read model, rarity statistics)
 * follows its own source. These tests change one thing at a time and read right after.
 */
const app = setupTestApp();

const USER = 'plugin::users-permissions.user';
const card = (member: Member, token?: string) =>
  call(app, 'GET', `${API_PREFIX}/users/${member.user.id}/card`, { token });
const modal = (member: Member, token?: string) =>
  call(app, 'GET', `${API_PREFIX}/users/${member.user.documentId}`, { token });
const slugs = (res: { body: any }) => res.body.badges.map((b: any) => b.slug);
const badgeIn = (body: any, slug: string) =>
  body.categories.flatMap((c: any) => c.badges).find((b: any) => b.slug === slug);
const by = { adminId: 1, reason: 'test' };

describe('reads reflect each change at once', () => {
  let ada: Member;
  let firstLesson: { id: number; name: string };
  let firstPost: { id: number; name: string };

  beforeAll(async () => {
    await enableAchievements(app);
    ada = await registerMember(app);
    firstLesson = await badgeBySlug(app, 'first-lesson');
    firstPost = await badgeBySlug(app, 'first-post');
  });

  const admin = () => plugin(app).service('admin');

  it('an award and a revocation', async () => {
    // A read first, so anything a read might keep is in place before the change.
    expect(slugs(await card(ada))).toEqual([]);
    expect(badgeIn((await modal(ada)).body, 'first-lesson').earned).toBe(false);

    await admin().award(ada.user.id, firstLesson.id, by);
    const awarded = await card(ada);
    expect(slugs(awarded)).toEqual(['first-lesson']);
    expect(awarded.body.totalEarned).toBe(1);
    expect(badgeIn((await modal(ada)).body, 'first-lesson')).toMatchObject({
      earned: true,
      timesEarned: 1,
      progress: null,
    });

    await admin().revoke(ada.user.id, firstLesson.id, by);
    expect(slugs(await card(ada))).toEqual([]);
    expect(badgeIn((await modal(ada)).body, 'first-lesson')).toMatchObject({
      earned: false,
      timesEarned: 0,
    });
  });

  it('featured badges', async () => {
    await admin().award(ada.user.id, firstLesson.id, by);
    await admin().award(ada.user.id, firstPost.id, by);
    const before = slugs(await card(ada));
    expect(before.sort()).toEqual(['first-lesson', 'first-post']);
    for (const order of [
      ['first-post', 'first-lesson'],
      ['first-lesson', 'first-post'],
      ['first-post'],
    ]) {
      const put = await call(app, 'PUT', `${API_PREFIX}/me/featured`, {
        token: ada.jwt,
        body: { badges: order },
      });
      expect(put.status).toBe(200);
      const res = await card(ada);
      expect(slugs(res).slice(0, order.length)).toEqual(order);
      expect(res.body.badges[0].featured).toBe(true);
    }
  });

  it('privacy', async () => {
    const privacy = (value: boolean) =>
      call(app, 'PUT', `${API_PREFIX}/me/privacy`, { token: ada.jwt, body: { public: value } });
    expect((await card(ada)).status).toBe(200);
    expect((await privacy(false)).status).toBe(200);
    expect((await card(ada)).status).toBe(404);
    expect((await modal(ada)).status).toBe(404);
    // The member still sees their own.
    expect((await card(ada, ada.jwt)).status).toBe(200);
    const own = await call(app, 'GET', `${API_PREFIX}/me`, { token: ada.jwt });
    expect(own.body.preferences.public).toBe(false);
    expect((await privacy(true)).status).toBe(200);
    expect((await card(ada)).status).toBe(200);
    expect((await modal(ada)).status).toBe(200);
  });

  it('a badge edit (the catalog read model follows the catalog)', async () => {
    const badges = app.strapi.db.query('plugin::achievements.badge');
    const renamed = `${firstLesson.name} (renamed)`;
    await badges.update({ where: { id: firstLesson.id }, data: { name: renamed } });
    try {
      const shown = (await card(ada)).body.badges.find((b: any) => b.slug === 'first-lesson');
      expect(shown.name).toBe(renamed);
      expect(badgeIn((await modal(ada)).body, 'first-lesson').name).toBe(renamed);
      await badges.update({ where: { id: firstPost.id }, data: { enabled: false } });
      expect(slugs(await card(ada))).not.toContain('first-post');
      expect(badgeIn((await modal(ada)).body, 'first-post')).toBeUndefined();
    } finally {
      await badges.update({ where: { id: firstLesson.id }, data: { name: firstLesson.name } });
      await badges.update({ where: { id: firstPost.id }, data: { enabled: true } });
    }
    expect(slugs(await card(ada))).toContain('first-post');
  });

  it('the member’s timezone and a block, read with the member', async () => {
    const users = app.strapi.db.query(USER);
    // The streak's timezone is the member's own to read (others see only its counts).
    const zone = async () => (await modal(ada, ada.jwt)).body.streak.timezone;
    const fallback = (await plugin(app).service('settings').streakOptions()).defaultTimezone;
    await users.update({ where: { id: ada.user.id }, data: { timezone: 'Asia/Tokyo' } });
    expect(await zone()).toBe('Asia/Tokyo');
    await users.update({ where: { id: ada.user.id }, data: { timezone: 'Mars/Olympus_Mons' } });
    expect(await zone()).toBe(fallback);
    await users.update({ where: { id: ada.user.id }, data: { timezone: null } });
    expect(await zone()).toBe(fallback);

    await users.update({ where: { id: ada.user.id }, data: { blocked: true } });
    expect((await card(ada)).status).toBe(404);
    expect((await modal(ada)).status).toBe(404);
    await users.update({ where: { id: ada.user.id }, data: { blocked: false } });
    expect((await card(ada)).status).toBe(200);
  });

  it('answers JSON once serialized, with the ETag of exactly that body', async () => {
    for (const url of [
      `${API_PREFIX}/users/${ada.user.id}/card`,
      `${API_PREFIX}/users/${ada.user.documentId}`,
    ]) {
      const res = await call(app, 'GET', url);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const etag = `"${createHash('sha1').update(res.text).digest('base64url')}"`;
      expect(res.headers.etag).toBe(etag);
      expect(JSON.parse(res.text)).toEqual(res.body);
      const again = await call(app, 'GET', url, { headers: { 'If-None-Match': etag } });
      expect(again.status).toBe(304);
    }
  });
});
