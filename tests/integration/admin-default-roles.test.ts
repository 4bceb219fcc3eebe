import crypto from 'crypto';
import { adminLogin, restrictedAdminToken, setupTestApp, superAdminToken } from './helpers/strapi';

/**
 * Finding 3 of issue 17: Strapi's default Author role could create badges through the content
 * manager and Editor could change them, though neither holds the plugin's badges.manage action
 * that its Badges page requires. Now one path governs badges and categories: the plugin's admin
 * routes, guarded by `plugin::achievements.badges.manage`. The plugin's content types are hidden
 * from the content manager, so no content-manager permission reaches them.
 */
const app = setupTestApp();
const BADGE = 'plugin::achievements.badge';
const CATEGORY = 'plugin::achievements.category';
const CM = '/content-manager/collection-types';

/** An admin user holding one of the roles a fresh Strapi app creates (`strapi-author`, …). */
const defaultRoleToken = async (code: 'strapi-author' | 'strapi-editor'): Promise<string> => {
  await superAdminToken(app);
  const role = await app.strapi.db.query('admin::role').findOne({ where: { code } });
  expect(role).toBeTruthy();
  const email = `${code}-${crypto.randomBytes(4).toString('hex')}@academy.test`;
  const password = 'Default-Role-Passw0rd!';
  await app.strapi.service('admin::user').create({
    email,
    firstname: 'Dee',
    lastname: 'Fault',
    password,
    isActive: true,
    roles: [role.id],
    registrationToken: null,
  });
  return adminLogin(app, email, password);
};

/** What a badge and a category look like in the database, to prove nothing changed. */
const snapshot = async () => ({
  badges: await app.strapi.db
    .query(BADGE)
    .findMany({ select: ['documentId', 'name', 'points', 'enabled'], orderBy: { id: 'asc' } }),
  categories: await app.strapi.db
    .query(CATEGORY)
    .findMany({ select: ['documentId', 'name'], orderBy: { id: 'asc' } }),
});

describe("Strapi's default Author and Editor roles and the plugin's badges", () => {
  let badge: { documentId: string };
  let category: { documentId: string };

  beforeAll(async () => {
    badge = await app.strapi.db.query(BADGE).findOne({ where: { slug: 'first-lesson' } });
    category = await app.strapi.db.query(CATEGORY).findOne({ where: { slug: 'courses' } });
  });

  /** Every route by which an admin could create, change or delete a badge or a category. */
  const attempts = () => {
    const newBadge = { name: 'Sneaky', tier: 'gold', points: 9999, criteria: { type: 'manual' } };
    return [
      ['POST', `${CM}/${BADGE}`, { ...newBadge, slug: 'sneaky' }],
      ['PUT', `${CM}/${BADGE}/${badge.documentId}`, { points: 9999, enabled: false }],
      ['DELETE', `${CM}/${BADGE}/${badge.documentId}`, undefined],
      ['POST', `${CM}/${BADGE}/actions/bulkDelete`, { documentIds: [badge.documentId] }],
      ['POST', `${CM}/${BADGE}/clone/${badge.documentId}`, { name: 'Clone', slug: 'clone' }],
      ['POST', `${CM}/${BADGE}/${badge.documentId}/actions/publish`, {}],
      ['POST', `${CM}/${CATEGORY}`, { name: 'Sneaky', slug: 'sneaky' }],
      ['PUT', `${CM}/${CATEGORY}/${category.documentId}`, { name: 'Renamed' }],
      ['DELETE', `${CM}/${CATEGORY}/${category.documentId}`, undefined],
      ['POST', `${CM}/${CATEGORY}/actions/bulkDelete`, { documentIds: [category.documentId] }],
      ['POST', '/achievements/badges', newBadge],
      ['PUT', `/achievements/badges/${badge.documentId}`, { points: 9999 }],
      ['DELETE', `/achievements/badges/${badge.documentId}`, undefined],
      ['POST', `/achievements/badges/${badge.documentId}/duplicate`, {}],
      ['PUT', '/achievements/badges/order', { order: [badge.documentId] }],
      ['POST', '/achievements/categories', { name: 'Sneaky' }],
      ['PUT', `/achievements/categories/${category.documentId}`, { name: 'Renamed' }],
      ['PUT', '/achievements/categories/order', { order: [category.documentId] }],
    ] as Array<['POST' | 'PUT' | 'DELETE', string, object | undefined]>;
  };

  it.each(['strapi-author', 'strapi-editor'] as const)(
    '%s cannot create, change or delete a badge or a category by any route',
    async (code) => {
      const token = await defaultRoleToken(code);
      const before = await snapshot();
      for (const [method, url, body] of attempts()) {
        const req = app
          .request()
          [method.toLowerCase() as 'post' | 'put' | 'delete'](url)
          .set('Authorization', `Bearer ${token}`);
        const res = body === undefined ? await req : await req.send(body);
        // The route is in the message, so a failure says which door was open.
        expect(`${method} ${url} → ${res.status}`).toMatch(/ → 40[345]$/);
      }
      expect(await snapshot()).toEqual(before);
      // Neither role sees the plugin's types in the content manager at all.
      const types = await app
        .request()
        .get('/content-manager/content-types')
        .set('Authorization', `Bearer ${token}`);
      expect(types.status).toBe(200);
      const uids = (types.body.data as Array<{ uid: string; isDisplayed: boolean }>)
        .filter((t) => t.isDisplayed)
        .map((t) => t.uid);
      expect(uids).not.toContain(BADGE);
      expect(uids).not.toContain(CATEGORY);
    }
  );

  it('not even a super admin edits badges through the content manager: the plugin path governs', async () => {
    const admin = await superAdminToken(app);
    const before = await snapshot();
    const created = await app
      .request()
      .post(`${CM}/${BADGE}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({
        name: 'Side door',
        slug: 'side-door',
        tier: 'gold',
        points: 1,
        criteria: { type: 'manual' },
      });
    expect([403, 404]).toContain(created.status);
    const changed = await app
      .request()
      .put(`${CM}/${BADGE}/${badge.documentId}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ points: 9999 });
    expect([403, 404]).toContain(changed.status);
    expect(await snapshot()).toEqual(before);
  });

  it('an admin whose role holds badges.manage creates, changes and deletes through the plugin', async () => {
    const token = await restrictedAdminToken(app, ['plugin::achievements.badges.manage']);
    const as = (req: any) => req.set('Authorization', `Bearer ${token}`);
    const created = await as(app.request().post('/achievements/badges')).send({
      name: 'Front door',
      tier: 'silver',
      points: 5,
      criteria: { type: 'manual' },
    });
    expect(created.status).toBe(201);
    const id = created.body.data.documentId;
    const changed = await as(app.request().put(`/achievements/badges/${id}`)).send({ points: 6 });
    expect(changed.status).toBe(200);
    expect(changed.body.data.points).toBe(6);
    const deleted = await as(app.request().delete(`/achievements/badges/${id}`));
    expect(deleted.status).toBe(200);
    expect(await app.strapi.db.query(BADGE).findOne({ where: { documentId: id } })).toBeNull();
  });
});
