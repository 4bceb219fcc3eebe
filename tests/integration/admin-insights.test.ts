import { ACTIONS, MEMBER_ACTIONS } from '../../common/constants';
import { calendarBuckets } from '../../engine/insights';
import {
  registerMember,
  restrictedAdminToken,
  setupTestApp,
  superAdminToken,
  type Member,
} from './helpers/strapi';
import { plugin } from './support/achievements';

/**
 * The admin's Leaderboards and Insights pages and a member's points history (issue 13): the
 * aggregates equal what the seeded rows say (calendar weeks and days of the site's timezone,
 * bucket edges included), progress falls in the right tenth (0 % and 100 % too), bad
 * parameters are 400s that name them, and every route refuses an admin without its action.
 * Runs on SQLite, PostgreSQL and MariaDB.
 */
const app = setupTestApp();

const TZ = 'Pacific/Auckland';
const db = (uid: string) => app.strapi.db.query(uid as any);
type Badge = { id: number; documentId: string; slug: string; name: string; category: any };

describe('admin insights, leaderboards and points history', () => {
  let admin: string;
  let members: Member[];
  let badges: Badge[];
  const get = (path: string, token = admin) =>
    app.request().get(path).set('Authorization', `Bearer ${token}`);
  const now = Date.now();
  const weeks = calendarBuckets('week', 4, TZ, now);
  const days = calendarBuckets('day', 7, TZ, now);

  beforeAll(async () => {
    admin = await superAdminToken(app);
    // Achievements stay off: the rows below are the whole truth, no evaluation adds to them.
    await plugin(app)
      .service('settings')
      .update({ streaks: { defaultTimezone: TZ } });
    members = [];
    for (let i = 0; i < 4; i++) members.push(await registerMember(app));
    badges = await db('plugin::achievements.badge').findMany({
      populate: { category: true },
      orderBy: { id: 'asc' },
    });
  });

  const achievement = (userId: number, badge: Badge, at: number, revoked = false) =>
    db('plugin::achievements.achievement').create({
      data: {
        userId,
        badgeId: badge.id,
        sequence: 1,
        earnedAt: new Date(at),
        revokedAt: revoked ? new Date(at) : null,
      },
    });
  const fact = (userId: number, key: string, at: number) =>
    db('plugin::achievements.event').create({
      data: {
        key,
        type: 'lesson.completed',
        userId,
        subject: key,
        occurredAt: new Date(at),
        processedAt: new Date(),
        source: 'live',
      },
    });

  it('counts achievements per calendar week by category, edges included, revoked ones not', async () => {
    const [a, b] = [badges[0], badges.find((x) => x.category?.slug !== badges[0].category?.slug)!];
    const [m1, m2, m3] = members.map((m) => m.user.id);
    // First instant of week 0, last second of week 1, the current week; one just before week 0.
    await achievement(m1, a, weeks[0].from);
    await achievement(m2, a, weeks[1].to - 1000);
    await achievement(m3, b, weeks[1].from + 3_600_000);
    await achievement(m1, b, weeks[3].from + 1000);
    await achievement(m2, b, weeks[3].from + 2000, true);
    await achievement(m3, a, weeks[0].from - 1000);

    const res = await get('/achievements/insights?weeks=4&days=7');
    expect(res.status).toBe(200);
    const { earnedPerWeek, mostEarned, leastEarned } = res.body.data;
    expect(earnedPerWeek.weeks.map((w: any) => w.label)).toEqual(weeks.map((w) => w.label));
    const ca = a.category.slug;
    const cb = b.category.slug;
    expect(earnedPerWeek.weeks.map((w: any) => w.counts)).toEqual([
      { [ca]: 1 },
      { [ca]: 1, [cb]: 1 },
      {},
      { [cb]: 1 },
    ]);
    expect(earnedPerWeek.weeks.map((w: any) => w.total)).toEqual([1, 2, 0, 1]);
    expect(earnedPerWeek.categories.map((c: any) => c.slug).sort()).toEqual([ca, cb].sort());
    // Held now: a by three members, b by two (one revoked).
    expect(mostEarned[0]).toMatchObject({ documentId: a.documentId, earnedCount: 3 });
    expect(mostEarned[1]).toMatchObject({ documentId: b.documentId, earnedCount: 2 });
    expect(leastEarned[0].earnedCount).toBe(0);
    expect(res.body.data.badges).toHaveLength(badges.filter((x: any) => x.enabled).length);
  });

  it('counts active members per calendar day from the ledger', async () => {
    const [m1, m2, m3, m4] = members.map((m) => m.user.id);
    await fact(m1, 'd0-a', days[0].from);
    await fact(m1, 'd0-b', days[0].to - 1000); // the same member twice: one active member
    await fact(m2, 'd0-c', days[0].from + 60_000);
    await fact(m3, 'd2', days[2].from + 5000);
    await fact(m4, 'd6', days[6].from);
    await fact(m4, 'before', days[0].from - 1000);

    const res = await get('/achievements/insights?days=7');
    expect(res.status).toBe(200);
    const active = res.body.data.activePerDay;
    expect(active.map((d: any) => d.label)).toEqual(days.map((d) => d.label));
    expect(active.map((d: any) => d.members)).toEqual([2, 0, 1, 0, 0, 0, 1]);
    // The default window: 12 weeks, 30 days.
    const wide = await get('/achievements/insights');
    expect(wide.body.data.earnedPerWeek.weeks).toHaveLength(12);
    expect(wide.body.data.activePerDay).toHaveLength(30);
  });

  it("puts members' progress toward a badge in ten buckets, 0 % and 100 % included", async () => {
    const badge = badges[1];
    const rows: Array<[number, number]> = [
      [0, 10], // 0 %: first bucket
      [1, 10], // 10 %: second bucket (its lower edge)
      [9, 100], // 9 %: first
      [5, 10], // 50 %: sixth
      [9, 10], // 90 %: last
      [10, 10], // 100 %: last
      [12, 10], // past the target: last
    ];
    for (const [i, [current, target]] of rows.entries())
      await db('plugin::achievements.progress').create({
        data: { userId: 1000 + i, badgeId: badge.id, current, target },
      });
    await db('plugin::achievements.progress').create({
      data: { userId: 2000, badgeId: badges[2].id, current: 1, target: 2 },
    });

    const res = await get(`/achievements/insights/progress/${badge.documentId}`);
    expect(res.status).toBe(200);
    expect(res.body.data.badge).toEqual({ documentId: badge.documentId, name: badge.name });
    expect(res.body.data.buckets.map((b: any) => b.members)).toEqual([
      2, 1, 0, 0, 0, 1, 0, 0, 0, 3,
    ]);
    expect(res.body.data.buckets[0]).toMatchObject({ from: 0, to: 10 });
    expect(res.body.data.buckets[9]).toMatchObject({ from: 90, to: 100 });
    expect(res.body.data.total).toBe(7);

    const none = await get(`/achievements/insights/progress/${badges[3].documentId}`);
    expect(none.body.data.buckets.every((b: any) => b.members === 0)).toBe(true);
    expect((await get('/achievements/insights/progress/nope')).status).toBe(404);
  });

  it('lists the boards with entries and previews one; pages a member’s points history', async () => {
    const [m1, m2] = members;
    const points = plugin(app).service('points');
    await points.adjust(m1.user.id, 40, 'welcome', 1);
    await points.adjust(m2.user.id, 70, 'welcome', 1);
    await points.adjust(m1.user.id, -15, 'correction', 1);
    await db('plugin::achievements.point').create({
      data: {
        userId: m1.user.id,
        amount: 10,
        source: 'event',
        sourceKey: 'ledger:test-1',
        type: 'lesson.completed',
        subject: 'l1',
        scope: 'course:abc123',
        occurredAt: new Date(Date.now() + 1000), // after the adjustments: the newest entry
      },
    });

    // A course board is labelled with the course's title (the type the triggers' `scope`
    // leads to); one whose course is gone keeps its id.
    const course = await app.strapi
      .documents('api::course.course' as any)
      .create({ data: { title: 'Intro to Rust', slug: 'intro-to-rust' }, status: 'published' });
    await db('plugin::achievements.point').create({
      data: {
        userId: m2.user.id,
        amount: 5,
        source: 'event',
        sourceKey: 'ledger:test-2',
        type: 'lesson.completed',
        subject: 'l2',
        scope: `course:${course.documentId}`,
        occurredAt: new Date(Date.now() - 1000),
      },
    });
    const boards = await get('/achievements/leaderboards');
    expect(boards.status).toBe(200);
    expect([...boards.body.data.boards].sort()).toEqual(
      ['site', 'course:abc123', `course:${course.documentId}`].sort()
    );
    expect(boards.body.data.labels).toEqual({ [`course:${course.documentId}`]: 'Intro to Rust' });
    expect(boards.body.data.timezone).toBe(TZ);
    expect(boards.body.data.points.levels[0]).toEqual({ name: 'Novice', points: 0 });

    const site = await get('/achievements/leaderboards/site?period=all');
    expect(site.status).toBe(200);
    expect(site.body.data.data.map((e: any) => [e.rank, e.user.username, e.points])).toEqual([
      [1, m2.user.username, 75],
      [2, m1.user.username, 35],
    ]);
    const abc = await get('/achievements/leaderboards/course:abc123?period=week');
    expect(abc.body.data.data.map((e: any) => e.points)).toEqual([10]);
    const past = await get('/achievements/leaderboards/site?period=week&at=2020-W01');
    expect(past.status).toBe(200);
    expect(past.body.data.period.label).toBe('2020-W01');
    expect(past.body.data.data).toEqual([]);

    const history = await get(`/achievements/members/${m1.user.id}/points?pageSize=2`);
    expect(history.status).toBe(200);
    expect(history.body.data.points).toBe(35);
    expect(history.body.data.level).toMatchObject({ number: 1, name: 'Novice' });
    expect(history.body.data.nextLevel).toEqual({ name: 'Cadet', points: 100 });
    expect(history.body.data.pagination).toEqual({ page: 1, pageSize: 2, pageCount: 2, total: 3 });
    // Newest first: the course lesson, then the correction.
    expect(history.body.data.data.map((e: any) => [e.source, e.amount, e.reason])).toEqual([
      ['event', 10, null],
      ['admin', -15, 'correction'],
    ]);
    expect(history.body.data.data[0]).toMatchObject({ type: 'lesson.completed' });
    const second = await get(`/achievements/members/${m1.user.id}/points?page=2&pageSize=2`);
    expect(second.body.data.data.map((e: any) => e.amount)).toEqual([40]);
    expect((await get('/achievements/members/999999/points')).status).toBe(404);
  });

  it.each([
    ['/achievements/insights?weeks=0', 'weeks'],
    ['/achievements/insights?weeks=53', 'weeks'],
    ['/achievements/insights?days=367', 'days'],
    ['/achievements/insights?days=abc', 'days'],
    ['/achievements/insights?days=1&days=2', 'days'],
    ['/achievements/insights?month=1', 'month'],
    ['/achievements/insights/progress/bad!id', 'badge'],
    ['/achievements/leaderboards/nowhere', 'board'],
    ['/achievements/leaderboards/site?period=year', 'period'],
    ['/achievements/leaderboards/site?period=week&at=2026-13', 'at'],
    ['/achievements/members/abc/points', 'id'],
    ['/achievements/members/1/points?page=0', 'page'],
    ['/achievements/members/1/points?pageSize=101', 'pageSize'],
  ])('GET %s is a 400 naming %s', async (path, name) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    const named = res.body.error.details.errors.map((e: any) => [e.path].flat().join('.'));
    expect(named).toContain(name);
  });

  const ROUTES: Array<[string, string[]]> = [
    ['/achievements/leaderboards', [ACTIONS.leaderboardsRead]],
    ['/achievements/leaderboards/site', [ACTIONS.leaderboardsRead]],
    ['/achievements/insights', [ACTIONS.insightsRead]],
    ['/achievements/insights/progress/abc', [ACTIONS.insightsRead]],
    ['/achievements/members/1/points', [...MEMBER_ACTIONS, ACTIONS.pointsAdjust]],
  ];

  it('refuses every route to an admin whose role lacks its action, and opens it with it', async () => {
    const all = Object.values(ACTIONS);
    for (const [path, actions] of ROUTES) {
      const without = await restrictedAdminToken(
        app,
        all.filter((a) => !actions.includes(a))
      );
      expect([path, (await get(path, without)).status]).toEqual([path, 403]);
      const withIt = await restrictedAdminToken(app, [actions[actions.length - 1]]);
      expect([path, (await get(path, withIt)).status]).not.toEqual([path, 403]);
    }
    expect((await app.request().get('/achievements/insights')).status).toBe(401);
  });

  it('a role with only points.adjust reads the history and adjusts, but not other members routes', async () => {
    const token = await restrictedAdminToken(app, [ACTIONS.pointsAdjust]);
    const id = members[3].user.id;
    const adjusted = await app
      .request()
      .post(`/achievements/members/${id}/points`)
      .set('Authorization', `Bearer ${token}`)
      .send({ amount: 5, reason: 'helped at the meetup' });
    expect(adjusted.status).toBe(200);
    const history = await get(`/achievements/members/${id}/points`, token);
    expect(history.body.data.data.map((e: any) => e.reason)).toEqual(['helped at the meetup']);
    expect((await get(`/achievements/members/${id}`, token)).status).toBe(403);
    const readOnly = await restrictedAdminToken(app, [ACTIONS.membersExport]);
    const refused = await app
      .request()
      .post(`/achievements/members/${id}/points`)
      .set('Authorization', `Bearer ${readOnly}`)
      .send({ amount: 5, reason: 'no' });
    expect(refused.status).toBe(403);
  });
});
