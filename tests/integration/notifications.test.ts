import { registerMember, setupTestApp, superAdminToken, type Member } from './helpers/strapi';
import { academy, createCourse } from './support/academy';
import {
  badgeBySlug,
  drain,
  enableAchievements,
  plugin,
  recordEvent,
} from './support/achievements';
import { expectDocumented } from './support/openapi';

/**
 * Notifications (`/me/notifications…`): written by the outbox in the transaction of the change
 * they report, once per change, read by their member alone. Runs on SQLite, PostgreSQL and
 * MariaDB in CI.
 */
const app = setupTestApp();

const bearer = (m: Member) => ({ Authorization: `Bearer ${m.jwt}` });
const list = (m: Member, query = '') =>
  app.request().get(`/api/achievements/me/notifications${query}`).set(bearer(m));
const count = async (m: Member) =>
  (await app.request().get('/api/achievements/me/notifications/count').set(bearer(m))).body
    .unseen as number;
const rowsOf = (userId: number) =>
  app.strapi.db
    .query('plugin::achievements.notification')
    .findMany({ where: { userId }, orderBy: { id: 'asc' } });
const earnedOf = async (userId: number, slug: string) =>
  (await rowsOf(userId)).filter(
    (n: any) => n.kind === 'achievement.earned' && n.payload?.badge?.slug === slug
  );

describe('notifications', () => {
  beforeAll(() => enableAchievements(app));

  it('one lesson completion gives one achievement.earned notification with what a toast needs', async () => {
    const course = await createCourse(app, { modules: 1, lessons: 3 });
    const member = await registerMember(app);
    await drain(app);
    const res = await academy(app).completeLesson(member, course.modules[0].lessons[0]);
    expect(res.status).toBe(201);
    await drain(app);

    const page = expectDocumented('GET', '/api/achievements/me/notifications', await list(member));
    expect(page.status).toBe(200);
    const earned = page.body.data.filter((n: any) => n.payload.badge?.slug === 'first-lesson');
    expect(earned).toHaveLength(1);
    const [n] = earned;
    const badge = await badgeBySlug(app, 'first-lesson');
    expect(n).toMatchObject({
      kind: 'achievement.earned',
      seenAt: null,
      payload: {
        badge: {
          documentId: badge.documentId,
          slug: 'first-lesson',
          name: 'First steps',
          description: 'Finish your first lesson.',
          tier: 'bronze',
          points: 25,
          category: { slug: 'courses' },
        },
        sequence: 1,
      },
    });
    expect(n.payload.badge.image?.url).toEqual(expect.any(String));
    expect(Date.parse(n.payload.earnedAt)).not.toBeNaN();
    // The totals after the change: every badge held, and their points.
    const me = (await app.request().get('/api/achievements/me').set(bearer(member))).body;
    expect(n.payload.totals).toEqual({ badges: me.totalEarned, points: me.points });
    expect(await count(member)).toBe(page.body.data.length);
  });

  it('50 concurrent completions of one lesson still give exactly one notification per badge', async () => {
    const course = await createCourse(app, { modules: 1, lessons: 3 });
    const member = await registerMember(app);
    const lesson = course.modules[0].lessons[0];
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => academy(app).completeLesson(member, lesson))
    );
    expect(responses.filter((r) => r.status >= 500)).toEqual([]);
    await drain(app);
    expect(await earnedOf(member.user.id, 'first-lesson')).toHaveLength(1);
    const keys = (await rowsOf(member.user.id)).map((n: any) => n.dedupeKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('two engine processes draining one ledger notify once; a restart between award and read changes nothing', async () => {
    const { default: evaluatorService } = await import('../../server/src/services/evaluator');
    const members = await Promise.all(Array.from({ length: 4 }, () => registerMember(app)));
    await drain(app);
    await plugin(app).service('evaluator').stop();
    for (const m of members)
      for (let i = 0; i < 10; i += 1)
        await recordEvent(
          app,
          'comment.created',
          m.user.id,
          `notify-two:${m.user.id}:${i}`,
          `c${i}`
        );
    const engines = [1, 2].map(() => evaluatorService({ strapi: app.strapi }));
    await Promise.all(engines.map((e) => e.drain()));
    await Promise.all(engines.map((e) => e.stop()));
    plugin(app).service('evaluator').start();

    for (const m of members) expect(await earnedOf(m.user.id, 'commenter')).toHaveLength(1);
    await app.restart();
    await drain(app);
    for (const m of members) {
      expect(await earnedOf(m.user.id, 'commenter')).toHaveLength(1);
      const page = await list(m);
      expect(page.status).toBe(200);
      expect(page.body.data.filter((n: any) => n.payload.badge?.slug === 'commenter')).toHaveLength(
        1
      );
    }
  });

  it('a silent recalculation writes none; one with notify: true writes them', async () => {
    const silent = await registerMember(app);
    const told = await registerMember(app);
    await drain(app);
    const evaluator = plugin(app).service('evaluator');
    await evaluator.stop();
    for (const m of [silent, told])
      await recordEvent(app, 'lesson.completed', m.user.id, `recalc-notify:${m.user.id}`, 'l-x');
    await plugin(app).service('evaluator').recalculate([silent.user.id], { notify: false });
    await plugin(app).service('evaluator').recalculate([told.user.id], { notify: true });
    evaluator.start();
    await drain(app);
    expect(await earnedOf(silent.user.id, 'first-lesson')).toHaveLength(0);
    expect(await earnedOf(told.user.id, 'first-lesson')).toHaveLength(1);
    const held = await app.strapi.db
      .query('plugin::achievements.achievement')
      .findMany({ where: { userId: silent.user.id, revokedAt: null } });
    expect(held.length).toBeGreaterThan(0);
  });

  it('an admin revocation and a badge deletion notify the holder with the reason', async () => {
    const member = await registerMember(app);
    await recordEvent(
      app,
      'lesson.completed',
      member.user.id,
      `revoke-notify:${member.user.id}`,
      'l'
    );
    await drain(app);
    const badge = await badgeBySlug(app, 'first-lesson');
    const admin = await superAdminToken(app);
    const res = await app
      .request()
      .post(`/achievements/members/${member.user.id}/revoke`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ badge: badge.documentId, reason: 'awarded by mistake' });
    expect([200, 201]).toContain(res.status);
    const revoked = (await rowsOf(member.user.id)).filter(
      (n: any) => n.kind === 'achievement.revoked'
    );
    expect(revoked).toHaveLength(1);
    expect(revoked[0].payload).toMatchObject({
      badge: { slug: 'first-lesson' },
      reason: 'awarded by mistake',
    });
  });

  it('a secret badge is told to its holder by name, and to no one else', async () => {
    const holder = await registerMember(app);
    const other = await registerMember(app);
    const badge = await badgeBySlug(app, 'commenter');
    await app.strapi.db
      .query('plugin::achievements.badge')
      .update({ where: { id: badge.id }, data: { secret: true } });
    plugin(app).service('catalog').invalidate();
    try {
      for (let i = 0; i < 10; i += 1)
        await recordEvent(
          app,
          'comment.created',
          holder.user.id,
          `secret:${holder.user.id}:${i}`,
          `c${i}`
        );
      await drain(app);
      const mine = (await list(holder)).body.data.filter(
        (n: any) => n.payload.badge?.slug === 'commenter'
      );
      expect(mine).toHaveLength(1);
      expect(mine[0].payload.badge.name).toBe(badge.name);
      const theirs = await list(other);
      expect(theirs.status).toBe(200);
      expect(JSON.stringify(theirs.body)).not.toContain(badge.name);
    } finally {
      await app.strapi.db
        .query('plugin::achievements.badge')
        .update({ where: { id: badge.id }, data: { secret: false } });
      plugin(app).service('catalog').invalidate();
    }
  });

  it('tells a streak milestone once, when the streak reaches 3 days', async () => {
    const member = await registerMember(app);
    const milestones = async () =>
      (await rowsOf(member.user.id)).filter((n: any) => n.kind === 'streak.milestone');
    for (const day of ['2026-02-01', '2026-02-02', '2026-02-03', '2026-02-04']) {
      await plugin(app)
        .service('events')
        .record({
          type: 'lesson.completed',
          userId: member.user.id,
          key: `streak-notify:${member.user.id}:${day}`,
          subject: `lesson-${day}`,
          occurredAt: `${day}T12:00:00Z`,
        });
      await drain(app);
      if (day === '2026-02-02') expect(await milestones()).toEqual([]);
    }
    const told = await milestones();
    expect(told).toHaveLength(1);
    expect(told[0].payload.streak).toEqual({ days: 3, milestone: 3, freezeUsed: false });
    const page = (await list(member)).body.data;
    expect(page.filter((n: any) => n.kind === 'streak.milestone')).toHaveLength(1);
  });

  it('pages newest first by cursor, filters unseen, and marks seen by id or all', async () => {
    const member = await registerMember(app);
    for (let i = 0; i < 10; i += 1)
      await recordEvent(
        app,
        'comment.created',
        member.user.id,
        `page:${member.user.id}:${i}`,
        `c${i}`
      );
    await recordEvent(app, 'lesson.completed', member.user.id, `page:${member.user.id}:l`, 'l');
    await drain(app);
    const all = (await list(member, '?limit=100')).body.data;
    expect(all.length).toBeGreaterThanOrEqual(2);
    const times = all.map((n: any) => Date.parse(n.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const first = await list(member, '?limit=1');
    expect(first.body.data).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await list(member, `?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.data[0].id).toBe(all[1].id);

    const seen = await app
      .request()
      .post('/api/achievements/me/notifications/seen')
      .set(bearer(member))
      .send({ ids: [all[0].id] });
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual({ updated: 1, unseen: all.length - 1 });
    const unseen = (await list(member, '?unseen=true&limit=100')).body.data;
    expect(unseen.map((n: any) => n.id)).toEqual(all.slice(1).map((n: any) => n.id));
    expect((await list(member, '?limit=100')).body.data[0].seenAt).toEqual(expect.any(String));

    const rest = await app
      .request()
      .post('/api/achievements/me/notifications/seen')
      .set(bearer(member))
      .send({ all: true });
    expect(rest.body).toEqual({ updated: all.length - 1, unseen: 0 });
    expect(await count(member)).toBe(0);
  });

  it("member A cannot list, count or mark B's notifications; nothing changes", async () => {
    const a = await registerMember(app);
    const b = await registerMember(app);
    await recordEvent(app, 'lesson.completed', b.user.id, `cross:${b.user.id}`, 'l');
    await drain(app);
    const bRows = await rowsOf(b.user.id);
    expect(bRows.length).toBeGreaterThan(0);
    const before = await count(b);

    // No parameter names a member: A's calls only ever reach A's rows.
    const aList = await list(a, '?limit=100');
    expect(aList.body.data.map((n: any) => n.id)).not.toEqual(
      expect.arrayContaining([bRows[0].documentId])
    );
    const mark = await app
      .request()
      .post('/api/achievements/me/notifications/seen')
      .set(bearer(a))
      .send({ ids: bRows.map((n: any) => n.documentId) });
    expect(mark.status).toBe(200);
    expect(mark.body.updated).toBe(0);
    expect(await count(b)).toBe(before);
    for (const q of [`?userId=${b.user.id}`, `?user=${b.user.id}`])
      expect((await list(a, q)).status).toBe(400);

    // Signed out or with an API token: no member, no notifications.
    expect((await app.request().get('/api/achievements/me/notifications')).status).toBe(403);
    expect((await app.request().get('/api/achievements/me/notifications/count')).status).toBe(403);
    expect(
      (await app.request().post('/api/achievements/me/notifications/seen').send({ all: true }))
        .status
    ).toBe(403);
    expect(await count(b)).toBe(before);
  });

  it('bad input is a 400 that names it', async () => {
    const member = await registerMember(app);
    const cases: Array<[string, string]> = [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?cursor=abc', 'cursor'],
      // Past the 32-bit id columns: PostgreSQL refused it in the query (a 500 the fuzz found).
      ['?cursor=2147483648', 'cursor'],
      ['?unseen=yes', 'unseen'],
      ['?limit=1&limit=2', 'limit'],
    ];
    for (const [query, name] of cases) {
      const res = await list(member, query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.error.message).toContain(name);
    }
    for (const body of [{}, { ids: [] }, { all: false }, { ids: ['x'], all: true }, { ids: 'x' }]) {
      const res = await app
        .request()
        .post('/api/achievements/me/notifications/seen')
        .set(bearer(member))
        .send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
  });
});
