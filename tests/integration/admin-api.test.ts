import { ACTIONS, MEMBER_ACTIONS } from '../../common/constants';
import {
  registerMember,
  restrictedAdminToken,
  setupTestApp,
  superAdminToken,
  type Member,
} from './helpers/strapi';
import { academy, createCourse, ok } from './support/academy';
import { achievementRows, drain, earnedSlugs, enableAchievements } from './support/achievements';

const app = setupTestApp();

type Method = 'get' | 'post' | 'put' | 'delete';

/** Every admin route of the plugin, with the action that guards it (a list: any of them). */
const ROUTES: Array<[Method, string, string | string[]]> = [
  ['get', '/achievements/settings/meta', ACTIONS.settingsRead],
  ['get', '/achievements/meta', ACTIONS.badgesManage],
  ['get', '/achievements/badges', [ACTIONS.badgesManage, ...MEMBER_ACTIONS]],
  ['post', '/achievements/badges', ACTIONS.badgesManage],
  ['put', '/achievements/badges/order', ACTIONS.badgesManage],
  ['post', '/achievements/badges/dry-run', ACTIONS.badgesManage],
  ['get', '/achievements/badges/abc', ACTIONS.badgesManage],
  ['put', '/achievements/badges/abc', ACTIONS.badgesManage],
  ['post', '/achievements/badges/abc/duplicate', ACTIONS.badgesManage],
  ['delete', '/achievements/badges/abc', ACTIONS.badgesManage],
  ['get', '/achievements/categories', ACTIONS.badgesManage],
  ['post', '/achievements/categories', ACTIONS.badgesManage],
  ['put', '/achievements/categories/order', ACTIONS.badgesManage],
  ['put', '/achievements/categories/abc', ACTIONS.badgesManage],
  ['get', '/achievements/members', MEMBER_ACTIONS],
  ['post', '/achievements/members/bulk-award', ACTIONS.membersAward],
  ['get', '/achievements/members/1', MEMBER_ACTIONS],
  ['post', '/achievements/members/1/award', ACTIONS.membersAward],
  ['post', '/achievements/members/1/revoke', ACTIONS.membersRevoke],
  ['post', '/achievements/members/1/points', ACTIONS.pointsAdjust],
  ['get', '/achievements/members/1/points', [...MEMBER_ACTIONS, ACTIONS.pointsAdjust]],
  ['get', '/achievements/leaderboards', ACTIONS.leaderboardsRead],
  ['get', '/achievements/leaderboards/site', ACTIONS.leaderboardsRead],
  ['get', '/achievements/insights', ACTIONS.insightsRead],
  ['get', '/achievements/insights/progress/abc', ACTIONS.insightsRead],
  ['get', '/achievements/credentials/members/1', MEMBER_ACTIONS],
  ['get', '/achievements/members/1/export', ACTIONS.membersExport],
  ['get', '/achievements/members/1/erase', ACTIONS.membersErase],
  ['post', '/achievements/members/1/erase', ACTIONS.membersErase],
  ['delete', '/achievements/members/1/tombstone', ACTIONS.membersErase],
  ['get', '/achievements/erasures', ACTIONS.membersErase],
  ['get', '/achievements/recalculate', ACTIONS.recalculate],
  ['post', '/achievements/recalculate', ACTIONS.recalculate],
];

const ALL_ACTIONS = Object.values(ACTIONS);

describe('admin API of the achievements panel', () => {
  let admin: string;
  let member: Member;
  const call = (method: Method, path: string, token = admin) =>
    app.request()[method](path).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    admin = await superAdminToken(app);
    await enableAchievements(app);
    member = await registerMember(app);
  });

  it.each(ROUTES)('%s %s answers 401 without a token', async (method, path) => {
    const res = await app.request()[method](path).send({});
    expect(res.status).toBe(401);
  });

  it('answers 403 to an admin whose role lacks the action, on every route', async () => {
    for (const [method, path, action] of ROUTES) {
      const others = ALL_ACTIONS.filter((a) => ![action].flat().includes(a));
      const token = await restrictedAdminToken(app, others);
      const res = await call(method, path, token).send({});
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
  });

  it.each(MEMBER_ACTIONS)(
    'a role with only %s reads the Members page, and may do that one action only',
    async (only) => {
      const token = await restrictedAdminToken(app, [only]);
      const id = member.user.id;
      for (const path of [
        '/achievements/members?q=',
        `/achievements/members/${id}`,
        '/achievements/badges',
        `/achievements/credentials/members/${id}`,
      ])
        expect([path, (await call('get', path, token)).status]).toEqual([path, 200]);
      const actions: Array<[string, Method, string]> = [
        [ACTIONS.membersAward, 'post', `/achievements/members/${id}/award`],
        [ACTIONS.membersRevoke, 'post', `/achievements/members/${id}/revoke`],
        [ACTIONS.membersExport, 'get', `/achievements/members/${id}/export`],
        [ACTIONS.membersErase, 'get', `/achievements/members/${id}/erase`],
      ];
      for (const [action, method, path] of actions) {
        if (action === only) continue;
        const res = await call(method, path, token).send({});
        expect([path, res.status]).toEqual([path, 403]);
      }
    }
  );

  let categoryId: string;
  let badgeId: string;

  it('creates, renames and reorders categories', async () => {
    const bad = await call('post', '/achievements/categories').send({ name: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors[0].path).toBe('name');

    const a = await call('post', '/achievements/categories').send({ name: 'Learning' });
    expect(a.status).toBe(201);
    const b = await call('post', '/achievements/categories').send({ name: 'Social' });
    categoryId = a.body.data.documentId;
    expect(a.body.data.slug).toBe('learning');

    const renamed = await call('put', `/achievements/categories/${categoryId}`).send({
      name: 'Learning path',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ name: 'Learning path', slug: 'learning' });

    const order = await call('put', '/achievements/categories/order').send({
      order: [b.body.data.documentId, categoryId],
    });
    expect(order.status).toBe(200);
    const rows = await app.strapi.db
      .query('plugin::achievements.category')
      .findMany({ orderBy: { sortOrder: 'asc' } });
    const slugs = rows.map((r: any) => r.slug);
    expect(slugs.indexOf('social')).toBeLessThan(slugs.indexOf('learning'));

    const unknown = await call('put', '/achievements/categories/order').send({ order: ['nope'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.errors[0].path).toBe('order.0');
  });

  it.each([
    [
      {
        name: 'X',
        tier: 'bronze',
        points: 10,
        criteria: { type: 'count', event: 'lesson.completed', threshold: 0 },
      },
      'criteria.threshold',
    ],
    [
      {
        name: 'X',
        tier: 'bronze',
        points: 10,
        criteria: { type: 'count', event: 'video.skipped', threshold: 1 },
      },
      'criteria.event',
    ],
    [{ name: 'X', tier: 'wood', points: 10, criteria: { type: 'manual' } }, 'tier'],
    [{ name: 'X', tier: 'bronze', points: -1, criteria: { type: 'manual' } }, 'points'],
    [{ name: '', tier: 'bronze', points: 1, criteria: { type: 'manual' } }, 'name'],
    [{ name: 'X', tier: 'bronze', points: 1, criteria: { type: 'manual' }, colour: 1 }, 'colour'],
    [
      { name: 'X', tier: 'bronze', points: 1, criteria: { type: 'manual' }, category: 'missing' },
      'category',
    ],
  ])('refuses badge %j with 400 naming %s', async (body, field) => {
    const before = await app.strapi.db.query('plugin::achievements.badge').count({});
    const res = await call('post', '/achievements/badges').send(body);
    expect(res.status).toBe(400);
    const paths = res.body.error.details.errors.map((e: { path: string }) => e.path);
    expect(paths.some((p: string) => p.startsWith(field))).toBe(true);
    expect(await app.strapi.db.query('plugin::achievements.badge').count({})).toBe(before);
  });

  it('creates a badge, a member earns it through the academy, and the list counts 1', async () => {
    const created = await call('post', '/achievements/badges').send({
      name: 'First steps',
      tier: 'bronze',
      points: 10,
      category: categoryId,
      criteria: { type: 'count', event: 'lesson.completed', threshold: 1 },
    });
    expect(created.status).toBe(201);
    badgeId = created.body.data.documentId;
    expect(created.body.data).toMatchObject({
      slug: 'first-steps',
      criteriaText: 'Complete a lesson',
      earnedCount: 0,
      category: { documentId: categoryId },
    });

    const dry0 = await call('post', '/achievements/badges/dry-run').send({
      criteria: { type: 'count', event: 'lesson.completed', threshold: 1 },
    });
    expect(dry0.status).toBe(200);
    expect(dry0.body.data.members).toBe(0);
    const dryBad = await call('post', '/achievements/badges/dry-run').send({
      criteria: { type: 'streak', days: 0 },
    });
    expect(dryBad.status).toBe(400);
    expect(dryBad.body.error.details.errors[0].path).toBe('criteria.days');

    const course = await createCourse(app, { modules: 1, lessons: 1 });
    ok(await academy(app).completeLesson(member, course.modules[0].lessons[0]));
    await drain(app);
    expect(await earnedSlugs(app, member.user.id)).toContain('first-steps');

    const list = await call('get', '/achievements/badges');
    expect(list.status).toBe(200);
    const row = list.body.data.find((b: any) => b.documentId === badgeId);
    expect(row.earnedCount).toBe(1);
    expect(row.rarity).toBeGreaterThan(0);

    // One rarity everywhere: with a blocked member and a share that needs rounding, the admin's
    // list and the member API say the same for the same badge at the same moment.
    const blocked = await registerMember(app);
    await app.strapi.db
      .query('plugin::users-permissions.user')
      .update({ where: { id: blocked.user.id }, data: { blocked: true } });
    await registerMember(app);
    const members = await app.strapi.db
      .query('plugin::users-permissions.user')
      .count({ where: { blocked: false } });
    const adminRow = (await call('get', '/achievements/badges')).body.data.find(
      (b: any) => b.documentId === badgeId
    );
    const catalog = await app.request().get('/api/achievements/badges?pageSize=100');
    const memberRow = catalog.body.data.find((b: any) => b.slug === 'first-steps');
    expect(adminRow.rarity).toBe(Math.round((1 / members) * 10_000) / 10_000);
    expect(memberRow).toMatchObject({ earnedCount: 1, rarity: adminRow.rarity });

    const dry1 = await call('post', '/achievements/badges/dry-run').send({
      criteria: { type: 'count', event: 'lesson.completed', threshold: 1 },
    });
    expect(dry1.body.data.members).toBe(1);
  });

  it('updates, toggles, duplicates, reorders and deletes badges', async () => {
    const bad = await call('put', `/achievements/badges/${badgeId}`).send({ points: 'ten' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors[0].path).toBe('points');
    const missing = await call('put', '/achievements/badges/doesnotexist').send({ points: 1 });
    expect(missing.status).toBe(404);

    const off = await call('put', `/achievements/badges/${badgeId}`).send({ enabled: false });
    expect(off.status).toBe(200);
    expect(off.body.data.enabled).toBe(false);
    const stored = await app.strapi.db
      .query('plugin::achievements.badge')
      .findOne({ where: { documentId: badgeId } });
    expect(stored.enabled).toBe(false);

    const copy = await call('post', `/achievements/badges/${badgeId}/duplicate`).send({});
    expect(copy.status).toBe(201);
    expect(copy.body.data).toMatchObject({ name: 'First steps (copy)', enabled: false });

    const order = await call('put', '/achievements/badges/order').send({
      order: [copy.body.data.documentId, badgeId],
    });
    expect(order.status).toBe(200);
    const ids = order.body.data.map((b: any) => b.documentId);
    expect(ids.indexOf(copy.body.data.documentId)).toBeLessThan(ids.indexOf(badgeId));

    const del = await call('delete', `/achievements/badges/${copy.body.data.documentId}`);
    expect(del.status).toBe(200);
    expect(
      await app.strapi.db
        .query('plugin::achievements.badge')
        .findOne({ where: { documentId: copy.body.data.documentId } })
    ).toBeNull();
  });

  it('searches members, awards, revokes and bulk-awards by hand', async () => {
    const manual = await call('post', '/achievements/badges').send({
      name: 'Helper',
      tier: 'silver',
      points: 5,
      criteria: { type: 'manual' },
    });
    const helper = manual.body.data.documentId;

    const search = await call('get', `/achievements/members?q=${member.user.username.slice(0, 6)}`);
    expect(search.status).toBe(200);
    expect(search.body.data.map((m: any) => m.id)).toContain(member.user.id);
    const badQuery = await call('get', '/achievements/members?page=0');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.details.errors[0].path).toBe('page');

    const noReason = await call('post', `/achievements/members/${member.user.id}/revoke`).send({
      badge: helper,
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details.errors[0].path).toBe('reason');

    const award = await call('post', `/achievements/members/${member.user.id}/award`).send({
      badge: helper,
      reason: 'Answered in the forum',
    });
    expect(award.status).toBe(200);
    const helperRow = await app.strapi.db
      .query('plugin::achievements.badge')
      .findOne({ where: { documentId: helper } });
    const rows = await achievementRows(app, { userId: member.user.id, badgeId: helperRow.id });
    expect(rows).toHaveLength(1);
    expect(rows[0].awardedBy).toMatch(/^admin:/);

    const detail = await call('get', `/achievements/members/${member.user.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.data.member.username).toBe(member.user.username);
    // An admin sees what only the member sees on the public routes.
    expect(detail.body.data.achievements.streak).toMatchObject({ timezone: 'UTC' });
    expect(detail.body.data.achievements.streak).toHaveProperty('lastActiveDate');
    expect(detail.body.data.held.map((h: any) => h.slug)).toEqual(
      expect.arrayContaining(['first-steps', 'helper'])
    );

    const revoke = await call('post', `/achievements/members/${member.user.id}/revoke`).send({
      badge: helper,
      reason: 'Mistake',
    });
    expect(revoke.status).toBe(200);
    expect(await earnedSlugs(app, member.user.id)).not.toContain('helper');
    expect((await achievementRows(app, { badgeId: helperRow.id }))[0].revokeReason).toBe('Mistake');

    const badBulk = await call('post', '/achievements/members/bulk-award').send({
      badge: helper,
      members: '  ',
    });
    expect(badBulk.status).toBe(400);
    expect(badBulk.body.error.details.errors[0].path).toBe('members');

    const other = await registerMember(app);
    const bulk = await call('post', '/achievements/members/bulk-award').send({
      badge: helper,
      members: `${member.user.username}\n${other.user.email.toUpperCase()}, ghost-user`,
      reason: 'Workshop',
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.data).toEqual({
      awarded: [member.user.username, other.user.email.toUpperCase()],
      already: [],
      notFound: ['ghost-user'],
    });
    expect(await earnedSlugs(app, other.user.id)).toContain('helper');
  });

  it('starts a recalculation, refuses a second one, and reports progress to 100%', async () => {
    const bad = await call('post', '/achievements/recalculate').send({ notify: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors[0].path).toBe('notify');
    const idle = await call('get', '/achievements/recalculate');
    expect(idle.body.data.status).toBe('idle');

    // A run that another process is carrying (fresh lease): a start is refused with 409.
    const store = app.strapi.store({ type: 'plugin', name: 'achievements', key: 'backfill' });
    const now = new Date().toISOString();
    await store.set({
      value: {
        id: 'other',
        status: 'running',
        phase: 'replay',
        total: 10,
        processed: 3,
        startedAt: now,
        updatedAt: now,
        finishedAt: null,
        badges: null,
        notify: false,
      },
    });
    const busy = await call('post', '/achievements/recalculate').send({});
    expect(busy.status).toBe(409);
    expect(busy.body.error.message).toContain('already running');
    expect((await call('get', '/achievements/recalculate')).body.data).toMatchObject({
      status: 'running',
      processed: 3,
      total: 10,
    });
    const running = (await store.get({})) as Record<string, unknown>;
    await store.set({ value: { ...running, status: 'done', finishedAt: now } });

    const start = await call('post', '/achievements/recalculate').send({ notify: false });
    expect(start.status).toBe(202);
    expect(start.body.data.status).toBe('running');

    let status = start.body.data;
    for (let i = 0; i < 100 && status.status === 'running'; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await call('get', '/achievements/recalculate')).body.data;
    }
    expect(status.status).toBe('done');
    expect(status.processed).toBe(status.total);
  });
});
