import { apiToken, registerMember, setupTestApp, superAdminToken } from './helpers/strapi';
import { enableAchievements, eventRows } from './support/achievements';

/**
 * Finding 9 of issue 17 (the smaller ones): the admin accepted a badge whose criteria require
 * the badge itself, and maxRepeats on a badge that is not repeatable; admin member search must
 * treat % and _ as text; ids past 2^31-1 must be refused as input, not fail in PostgreSQL.
 */
const app = setupTestApp();
const BADGE = 'plugin::achievements.badge';

describe('admin badge rules, member search and big ids', () => {
  let admin: string;
  const as = (req: any) => req.set('Authorization', `Bearer ${admin}`);
  const badgeCount = () => app.strapi.db.query(BADGE).count({});

  beforeAll(async () => {
    await enableAchievements(app);
    admin = await superAdminToken(app);
  });

  const expect400 = (res: any, path: string, text: string) => {
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('ValidationError');
    expect(res.body.error.message).toContain(`${path}: `);
    expect(res.body.error.message).toContain(text);
    expect(res.body.error.details.errors.map((e: { path: string }) => e.path)).toContain(path);
  };

  it.each([
    ['listed directly', { type: 'badges', badges: ['ouroboros'] }, 'criteria.badges.0'],
    [
      'listed deep in a group, beside another badge',
      {
        type: 'any',
        of: [
          { type: 'points', threshold: 10 },
          { type: 'all', of: [{ type: 'badges', badges: ['first-lesson', 'ouroboros'] }] },
        ],
      },
      'criteria.of.1.of.0.badges.1',
    ],
  ])('a new badge whose criteria require itself (%s) is refused', async (_l, criteria, path) => {
    const before = await badgeCount();
    const res = await as(app.request().post('/achievements/badges')).send({
      name: 'Ouroboros',
      tier: 'gold',
      points: 10,
      criteria,
    });
    expect400(res, path, 'a badge cannot require itself ("ouroboros")');
    expect(await badgeCount()).toBe(before);
  });

  it('an edit that makes a badge require itself is refused and the badge keeps its rule', async () => {
    const badge = await app.strapi.db.query(BADGE).findOne({ where: { slug: 'five-badges' } });
    const res = await as(app.request().put(`/achievements/badges/${badge.documentId}`)).send({
      criteria: { type: 'badges', badges: ['first-lesson', 'five-badges'] },
    });
    expect400(res, 'criteria.badges.1', 'cannot require itself');
    const after = await app.strapi.db.query(BADGE).findOne({ where: { slug: 'five-badges' } });
    expect(after.criteria).toEqual(badge.criteria);
  });

  it('a badge that requires other badges, or every badge of its own category, is fine', async () => {
    const res = await as(app.request().post('/achievements/badges')).send({
      name: 'Collector',
      tier: 'gold',
      points: 10,
      criteria: { type: 'badges', badges: ['first-lesson', 'profile-picture'] },
    });
    expect(res.status).toBe(201);
  });

  it.each([
    ['without repeatable', { maxRepeats: 3 }],
    ['with repeatable: false', { repeatable: false, maxRepeats: 3 }],
  ])('maxRepeats on a new badge %s is refused', async (_l, extra) => {
    const before = await badgeCount();
    const res = await as(app.request().post('/achievements/badges')).send({
      name: 'Thrice',
      tier: 'bronze',
      points: 1,
      criteria: { type: 'manual' },
      ...extra,
    });
    expect400(res, 'maxRepeats', 'only a repeatable badge has maxRepeats');
    expect(await badgeCount()).toBe(before);
  });

  it('maxRepeats follows repeatable on edits: refused on a one-time badge, kept on a repeatable one', async () => {
    const created = await as(app.request().post('/achievements/badges')).send({
      name: 'Once',
      tier: 'bronze',
      points: 1,
      criteria: { type: 'manual' },
    });
    expect(created.status).toBe(201);
    const id = created.body.data.documentId;
    expect400(
      await as(app.request().put(`/achievements/badges/${id}`)).send({ maxRepeats: 2 }),
      'maxRepeats',
      'set repeatable: true'
    );
    const repeatable = await as(app.request().put(`/achievements/badges/${id}`)).send({
      repeatable: true,
      maxRepeats: 2,
    });
    expect(repeatable.status).toBe(200);
    expect(repeatable.body.data).toMatchObject({ repeatable: true, maxRepeats: 2 });
    const lowered = await as(app.request().put(`/achievements/badges/${id}`)).send({
      maxRepeats: 5,
    });
    expect(lowered.status).toBe(200);
    expect(lowered.body.data.maxRepeats).toBe(5);
    // Switching repeatable off clears the cap, as before.
    const once = await as(app.request().put(`/achievements/badges/${id}`)).send({
      repeatable: false,
    });
    expect(once.status).toBe(200);
    expect(once.body.data).toMatchObject({ repeatable: false, maxRepeats: null });
  });

  it('member search treats % and _ as text, not wildcards', async () => {
    const plain = await registerMember(app, `plain${Date.now().toString(36)}`);
    const underscored = await registerMember(app);
    expect(underscored.user.username).toContain('_');
    const search = async (q: string) => {
      const res = await as(app.request().get('/achievements/members').query({ q }));
      expect(res.status).toBe(200);
      return (res.body.data as Array<{ username: string }>).map((m) => m.username);
    };
    expect(await search('%')).toEqual([]);
    const withUnderscore = await search('_');
    expect(withUnderscore).toContain(underscored.user.username);
    expect(withUnderscore).not.toContain(plain.user.username);
  });

  it('ids past 2^31-1 are refused as input, on the admin member routes and in POST /events', async () => {
    for (const id of ['2147483648', '9999999999']) {
      const res = await as(app.request().get(`/achievements/members/${id}`));
      expect400(res, 'id', 'must be a member id');
      const award = await as(app.request().post(`/achievements/members/${id}/award`)).send({
        badge: 'x',
      });
      expect(award.status).toBe(400);
    }
    // The largest id that fits is a plain "no such member".
    expect((await as(app.request().get('/achievements/members/2147483647'))).status).toBe(404);

    const token = await apiToken(app, ['plugin::achievements.events.ingest']);
    for (const userId of [2147483648, '2147483648', 99999999999999]) {
      const res = await app
        .request()
        .post('/api/achievements/events')
        .set('Authorization', `Bearer ${token}`)
        .send({ type: 'lesson.completed', userId, key: `big-id:${userId}` });
      expect400(res, 'userId', 'must be a member id');
      expect(await eventRows(app, { key: `big-id:${userId}` })).toHaveLength(0);
    }
  });
});
