import {
  registerMember,
  restrictedAdminToken,
  setupTestApp,
  superAdminToken,
  type Member,
} from './helpers/strapi';
import { academy, createCourse, ok } from './support/academy';
import { drain, enableAchievements, plugin } from './support/achievements';
import { expectDocumented } from './support/openapi';
import { webhookReceiver } from './support/webhooks';
import { periodBounds } from '../../engine/points';
import { SNAPSHOT_CHECK_MS } from '../../server/src/services/leaderboards';

/**
 * Points, levels and leaderboards (issue 13): the points ledger written by the evaluator (daily
 * caps, retractions, badge points), calendar periods in the site's timezone, competition
 * ranking, who others never see, and levels told exactly once. Runs on SQLite, PostgreSQL and
 * MariaDB.
 */
const app = setupTestApp();

const bearer = (m: Member) => ({ Authorization: `Bearer ${m.jwt}` });
const points = () => app.strapi.db.query('plugin::achievements.point');
const entriesOf = (userId: number, where: Record<string, unknown> = {}) =>
  points().findMany({ where: { userId, ...where }, orderBy: { id: 'asc' } });
const sum = (rows: Array<{ amount: number }>) => rows.reduce((s, r) => s + r.amount, 0);
const settings = (patch: Record<string, unknown>) => plugin(app).service('settings').update(patch);
const board = (path: string, member?: Member) => {
  const req = app.request().get(`/api/achievements/leaderboards/${path}`);
  return member ? req.set(bearer(member)) : req;
};
const rank = (member: Member, query: string) =>
  app.request().get(`/api/achievements/me/rank${query}`).set(bearer(member));
const names = (res: any) => res.body.data.map((e: any) => e.user.username);

/** A fact at a given instant, recorded as a trigger or an API token would. */
const fact = (member: Member, type: string, key: string, occurredAt: string, subject = key) =>
  plugin(app).service('events').record({ type, userId: member.user.id, key, subject, occurredAt });

describe('points, levels and leaderboards', () => {
  beforeAll(async () => {
    await enableAchievements(app);
    await settings({ streaks: { defaultTimezone: 'Pacific/Auckland' } });
  });

  it('30 lessons in a day give exactly the daily cap; the total is the sum of the entries', async () => {
    const course = await createCourse(app, { modules: 1, lessons: 30 });
    const member = await registerMember(app);
    for (const lesson of course.modules[0].lessons)
      ok(await academy(app).completeLesson(member, lesson), 201);
    await drain(app);

    const lessons = await entriesOf(member.user.id, { source: 'event', type: 'lesson.completed' });
    expect(sum(lessons)).toBe(50);
    expect(lessons).toHaveLength(5);
    const all = await entriesOf(member.user.id);
    // Badges earned on the way give their points too.
    expect(all.some((e: any) => e.source === 'badge' && e.amount > 0)).toBe(true);
    const me = expectDocumented(
      'GET',
      '/api/achievements/me',
      await app.request().get('/api/achievements/me').set(bearer(member))
    );
    expect(me.body.points).toBe(sum(all));
    expect(me.body.level).toMatchObject({ number: expect.any(Number), name: expect.any(String) });
    const card = await app.request().get(`/api/achievements/users/${member.user.id}/card`);
    expect(card.body.points).toBe(sum(all));
    expect(card.body.level).toEqual(me.body.level);
  });

  it("points earned in a course also count on that course's board", async () => {
    const [course, other] = [
      await createCourse(app, { modules: 1, lessons: 2 }),
      await createCourse(app, { modules: 1, lessons: 1 }),
    ];
    const member = await registerMember(app);
    for (const lesson of course.modules[0].lessons)
      ok(await academy(app).completeLesson(member, lesson), 201);
    await drain(app);
    const scoped = await entriesOf(member.user.id, { scope: `course:${course.documentId}` });
    // Two lessons, the module and the course, all in that course.
    expect(scoped.map((e: any) => e.type).sort()).toEqual([
      'course.completed',
      'lesson.completed',
      'lesson.completed',
      'module.completed',
    ]);
    const res = expectDocumented(
      'GET',
      '/api/achievements/leaderboards/{board}',
      await board(`course:${course.documentId}?period=all`)
    );
    expect(res.body.data.map((e: any) => [e.user.username, e.points])).toEqual([
      [member.user.username, sum(scoped)],
    ]);
    expect((await board(`course:${other.documentId}?period=all`)).body.data).toEqual([]);
    const site = await rank(member, '?period=all');
    expect(site.body.points).toBeGreaterThan(sum(scoped));
  });

  it('a create/delete loop of posts nets zero points, and a recalculation adds nothing', async () => {
    const member = await registerMember(app);
    await drain(app);
    for (let i = 0; i < 4; i += 1) {
      const post = ok(await academy(app).createPost(member, `Loop ${i}`), 201, 200);
      ok(await academy(app).deletePost(member, post.body.data.documentId), 200, 204);
    }
    await drain(app);
    const posts = (await entriesOf(member.user.id, { source: 'event' })).filter((e: any) =>
      e.type.startsWith('post.')
    );
    expect(posts.filter((e: any) => e.amount > 0)).toHaveLength(4);
    expect(sum(posts)).toBe(0);

    const before = await entriesOf(member.user.id);
    await plugin(app).service('evaluator').recalculate([member.user.id]);
    expect(await entriesOf(member.user.id)).toHaveLength(before.length);
  });

  describe('calendar periods in the site timezone (Pacific/Auckland)', () => {
    it('23:30 on Sunday counts in that week, 00:30 on Monday in the next', async () => {
      const sunday = await registerMember(app);
      const monday = await registerMember(app);
      // 2026-11-29 is a Sunday; Auckland is UTC+13 in summer.
      await fact(sunday, 'lesson.completed', 'tz:sun', '2026-11-29T10:30:00Z');
      await fact(monday, 'lesson.completed', 'tz:mon', '2026-11-29T11:30:00Z');
      await drain(app);

      const w48 = expectDocumented(
        'GET',
        '/api/achievements/leaderboards/{board}',
        await board('site?period=week&at=2026-W48')
      );
      expect(w48.status).toBe(200);
      expect(w48.body.period).toEqual({
        period: 'week',
        label: '2026-W48',
        from: '2026-11-22T11:00:00.000Z',
        to: '2026-11-29T11:00:00.000Z',
        timezone: 'Pacific/Auckland',
      });
      expect(names(w48)).toContain(sunday.user.username);
      expect(names(w48)).not.toContain(monday.user.username);
      const w49 = await board('site?period=week&at=2026-W49');
      expect(names(w49)).toContain(monday.user.username);
      expect(names(w49)).not.toContain(sunday.user.username);
      const month = await board('site?period=month&at=2026-11');
      expect(month.body.period.to).toBe('2026-11-30T11:00:00.000Z');
      expect(names(month)).toEqual(expect.arrayContaining([sunday.user.username]));
    });

    it('a week with a DST change has the length the clocks give it', async () => {
      const member = await registerMember(app);
      // Auckland moves to summer time on Sunday 2026-09-27: that week lasts 167 hours.
      await fact(member, 'lesson.completed', 'tz:dst', '2026-09-27T10:30:00Z');
      await drain(app);
      const w39 = await board('site?period=week&at=2026-W39');
      const { from, to } = w39.body.period;
      expect(from).toBe('2026-09-20T12:00:00.000Z');
      expect(to).toBe('2026-09-27T11:00:00.000Z');
      expect((Date.parse(to) - Date.parse(from)) / 3_600_000).toBe(167);
      expect(names(w39)).toEqual([member.user.username]);
    });
  });

  it('ties share a rank (1, 1, 1, 4) and are listed in the order the score was reached', async () => {
    const [a, b, c, d] = [
      await registerMember(app),
      await registerMember(app),
      await registerMember(app),
      await registerMember(app),
    ];
    await fact(b, 'lesson.completed', 'tie:b', '2026-11-17T01:00:00Z');
    await fact(c, 'lesson.completed', 'tie:c', '2026-11-17T02:00:00Z');
    await fact(a, 'lesson.completed', 'tie:a', '2026-11-17T03:00:00Z');
    await fact(d, 'post.published', 'tie:d', '2026-11-17T00:00:00Z');
    await drain(app);

    const res = await board('site?period=week&at=2026-W47');
    // Each also earned a first badge with that fact: equal points for a, b and c, fewer for d.
    const [top] = res.body.data.map((e: any) => e.points);
    expect(res.body.data.map((e: any) => [e.rank, e.user.username, e.points])).toEqual([
      [1, b.user.username, top],
      [1, c.user.username, top],
      [1, a.user.username, top],
      [4, d.user.username, expect.any(Number)],
    ]);
    expect(res.body.data[3].points).toBeLessThan(top);
    expect(res.body.pagination).toMatchObject({ total: 4, page: 1 });
    const second = await board('site?period=week&at=2026-W47&page=2&pageSize=2');
    expect(second.body.data.map((e: any) => e.rank)).toEqual([1, 4]);
    const mine = expectDocumented(
      'GET',
      '/api/achievements/me/rank',
      await rank(d, '?period=week&at=2026-W47')
    );
    expect(mine.body).toMatchObject({ rank: 4, points: res.body.data[3].points, of: 4 });
  });

  it('opted-out, private, blocked and excluded-role members never appear to others', async () => {
    const [shown, optedOut, hidden, blocked, staff] = [
      await registerMember(app),
      await registerMember(app),
      await registerMember(app),
      await registerMember(app),
      await registerMember(app),
    ];
    const at = '2026-11-10T01:00:00Z';
    for (const m of [shown, optedOut, hidden, blocked, staff])
      await fact(m, 'lesson.completed', `vis:${m.user.id}`, at);
    await drain(app);
    const w46 = 'site?period=week&at=2026-W46';
    expect(names(await board(w46))).toHaveLength(5);

    const privacy = await app
      .request()
      .put('/api/achievements/me/privacy')
      .set(bearer(optedOut))
      .send({ leaderboards: false });
    expect(privacy.body).toEqual({ public: true, leaderboards: false });
    ok(
      await app
        .request()
        .put('/api/achievements/me/privacy')
        .set(bearer(hidden))
        .send({ public: false }),
      200
    );
    await app.strapi.db
      .query('plugin::users-permissions.user')
      .update({ where: { id: blocked.user.id }, data: { blocked: true } });
    const role = await app.strapi.db
      .query('plugin::users-permissions.role')
      .create({ data: { name: 'Staff', type: 'staff', description: 'Staff' } });
    await app.strapi.db
      .query('plugin::users-permissions.user')
      .update({ where: { id: staff.user.id }, data: { role: role.id } });
    await settings({ points: { excludedRoles: ['staff'] } });
    await new Promise((r) => setTimeout(r, 1100)); // the settings cache

    const visible = await board(w46);
    expect(names(visible)).toEqual([shown.user.username]);
    expect(names(await board(w46, shown))).toEqual([shown.user.username]);
    expect(names(await board(w46, optedOut))).toEqual([shown.user.username]);
    const own = await rank(optedOut, '?period=week&at=2026-W46');
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ rank: 1, points: visible.body.data[0].points, of: 2 });
    const bad = await board('site?period=year');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/period/);
    const mismatch = await board('site?period=week&at=2026-11');
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.message).toMatch(/at:/);
    expect((await board('nowhere')).status).toBe(400);
    expect((await app.request().get('/api/achievements/me/rank')).status).toBe(403);
    await settings({ points: { excludedRoles: [] } });
  });

  describe('boards read from per-process snapshots', () => {
    /** Points as another process writes them: an entry and its totals, nothing told here. */
    const elsewhere = async (member: Member, amount: number, occurredAt: string, label: string) => {
      const key = `elsewhere:${member.user.id}:${label}`;
      await points().create({
        data: {
          userId: member.user.id,
          amount,
          source: 'admin',
          sourceKey: key,
          type: null,
          subject: null,
          scope: null,
          occurredAt,
        },
      });
      const totals = app.strapi.db.query('plugin::achievements.point-total');
      for (const l of [label, occurredAt.slice(0, 7), 'all']) {
        const where = { userId: member.user.id, board: 'site', label: l };
        const had = await totals.findOne({ where });
        if (had)
          await totals.update({
            where: { id: had.id },
            data: {
              points: had.points + amount,
              reachedAt: new Date(Math.max(Date.parse(had.reachedAt), Date.parse(occurredAt))),
            },
          });
        else await totals.create({ data: { ...where, points: amount, reachedAt: occurredAt } });
      }
    };

    it("another process's opt-out holds on the very next read; its points show within SNAPSHOT_CHECK_MS", async () => {
      const [first, second, late] = [
        await registerMember(app),
        await registerMember(app),
        await registerMember(app),
      ];
      await elsewhere(first, 30, '2026-06-01T01:00:00Z', '2026-W23');
      await elsewhere(second, 20, '2026-06-01T02:00:00Z', '2026-W23');
      await new Promise((r) => setTimeout(r, SNAPSHOT_CHECK_MS + 200));
      const w23 = 'site?period=week&at=2026-W23';
      const before = await board(w23);
      expect(names(before)).toEqual([first.user.username, second.user.username]);
      expect(before.body.pagination.total).toBe(2);

      // Opted out by a write this process was not told about (another process's PUT).
      await app.strapi.db
        .query('plugin::achievements.preference')
        .create({ data: { userId: first.user.id, leaderboards: false, public: true } });
      const after = await board(w23);
      expect(after.body.data.map((e: any) => [e.rank, e.user.username])).toEqual([
        [1, second.user.username],
      ]);
      expect(after.body.pagination.total).toBe(1);
      expect((await rank(second, '?period=week&at=2026-W23')).body).toMatchObject({
        rank: 1,
        of: 1,
      });
      // Their own rank still answers, counting the others they are ranked among.
      expect((await rank(first, '?period=week&at=2026-W23')).body).toMatchObject({
        rank: 1,
        points: 30,
        of: 2,
      });

      // Points written elsewhere: on the board once this process looks at the ledger again.
      await elsewhere(late, 25, '2026-06-02T01:00:00Z', '2026-W23');
      await new Promise((r) => setTimeout(r, SNAPSHOT_CHECK_MS + 200));
      const later = await board(w23);
      expect(later.body.data.map((e: any) => [e.rank, e.user.username, e.points])).toEqual([
        [1, late.user.username, 25],
        [2, second.user.username, 20],
      ]);
      expect((await rank(second, '?period=week&at=2026-W23')).body).toMatchObject({
        rank: 2,
        of: 2,
      });
    });

    it('a member blocked since the snapshot never appears, and the page is still full', async () => {
      const members = [
        await registerMember(app),
        await registerMember(app),
        await registerMember(app),
      ];
      for (const [i, m] of members.entries())
        await elsewhere(m, 30 - i, `2026-06-09T0${i}:00:00Z`, '2026-W24');
      await new Promise((r) => setTimeout(r, SNAPSHOT_CHECK_MS + 200));
      const w24 = 'site?period=week&at=2026-W24&pageSize=2';
      expect(names(await board(w24))).toEqual(members.slice(0, 2).map((m) => m.user.username));
      await app.strapi.db
        .query('plugin::users-permissions.user')
        .update({ where: { id: members[0].user.id }, data: { blocked: true } });
      const res = await board(w24);
      expect(res.body.data.map((e: any) => [e.rank, e.user.username])).toEqual([
        [1, members[1].user.username],
        [2, members[2].user.username],
      ]);
      expect(res.body.pagination.total).toBe(2);
    });
  });

  describe('levels', () => {
    let hooks: Awaited<ReturnType<typeof webhookReceiver>>;

    beforeAll(async () => {
      hooks = await webhookReceiver(app, 'levels', ['level.reached']);
      await settings({
        points: {
          levels: [
            { name: 'Novice', points: 0 },
            { name: 'Cadet', points: 30 },
          ],
        },
      });
    });

    afterAll(() => hooks.close());

    it('a level reached under 50 concurrent events is told once: one notification, one webhook', async () => {
      const member = await registerMember(app);
      await drain(app);
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          plugin(app)
            .service('events')
            .record({
              type: 'lesson.completed',
              userId: member.user.id,
              key: `level:${member.user.id}:${i}`,
              subject: `lesson-${i}`,
            })
        )
      );
      await drain(app);
      await hooks.settle(1);
      const told = await app.strapi.db
        .query('plugin::achievements.notification')
        .findMany({ where: { userId: member.user.id, kind: 'level.reached' } });
      expect(told).toHaveLength(1);
      expect(told[0].payload.level).toEqual({ number: 2, name: 'Cadet', points: 30 });
      const sent = hooks.received.filter((r) => r.body.user?.id === member.user.id);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        event: 'level.reached',
        body: { level: { number: 2, name: 'Cadet' } },
      });

      // Taken below the level by an admin and back above it: not told a second time.
      const admin = await superAdminToken(app);
      const adjust = (amount: number, reason = 'correction') =>
        app
          .request()
          .post(`/achievements/members/${member.user.id}/points`)
          .set('Authorization', `Bearer ${admin}`)
          .send({ amount, reason });
      const total = (await entriesOf(member.user.id)).reduce(
        (s: number, e: any) => s + e.amount,
        0
      );
      const down = await adjust(-(total - 10));
      expect(down.status).toBe(200);
      expect(down.body.data.points).toBe(10);
      expect((await adjust(50)).body.data.points).toBe(60);
      await hooks.settle(2);
      expect(hooks.received.filter((r) => r.body.user?.id === member.user.id)).toHaveLength(1);
      const adminEntries = await entriesOf(member.user.id, { source: 'admin' });
      expect(adminEntries.map((e: any) => [e.amount, e.reason])).toEqual([
        [-(total - 10), 'correction'],
        [50, 'correction'],
      ]);

      expect((await adjust(0)).status).toBe(400);
      expect((await adjust(-1000)).body.error.message).toMatch(/amount: .*below zero/);
      expect(
        (
          await app
            .request()
            .post(`/achievements/members/${member.user.id}/points`)
            .set('Authorization', `Bearer ${admin}`)
            .send({ amount: 5 })
        ).body.error.message
      ).toMatch(/reason/);
      const restricted = await restrictedAdminToken(app, ['plugin::achievements.members.award']);
      const refused = await app
        .request()
        .post(`/achievements/members/${member.user.id}/points`)
        .set('Authorization', `Bearer ${restricted}`)
        .send({ amount: 5, reason: 'nope' });
      expect(refused.status).toBe(403);
    });
  });

  describe('the totals boards read', () => {
    /**
     * Every total is its entries summed: `all` over every entry of the member (on the site, or
     * of the board's course), a week or a month over the entries inside that period's bounds
     * (periodBounds, the calendar the API answers with) in `timezone`; and no entry is missing.
     */
    const expectTotalsMatchEntries = async (timezone: string) => {
      const entries = await points().findMany({});
      const totals = await app.strapi.db.query('plugin::achievements.point-total').findMany({});
      expect(totals.length).toBeGreaterThan(0);
      const ms = (d: unknown) => new Date(d as string).getTime();
      for (const t of totals) {
        const mine = entries.filter(
          (e: any) => e.userId === t.userId && (t.board === 'site' || e.scope === t.board)
        );
        let inside = mine;
        if (t.label !== 'all') {
          const b = periodBounds(t.label.includes('W') ? 'week' : 'month', timezone, 0, t.label);
          inside = mine.filter((e: any) => ms(e.occurredAt) >= b.from! && ms(e.occurredAt) < b.to!);
        }
        expect({ ...t, points: sum(inside) }).toEqual(t);
        expect(ms(t.reachedAt)).toBe(Math.max(...inside.map((e: any) => ms(e.occurredAt))));
      }
      // Each entry is in its member's site total of all time, so no member is missing.
      const sites = new Set(
        totals.filter((t: any) => t.board === 'site' && t.label === 'all').map((t: any) => t.userId)
      );
      for (const e of entries) expect(sites.has(e.userId)).toBe(true);
    };

    it('are the entries summed per board and period after all of the above', async () => {
      await drain(app);
      expect((await board('site?period=all')).status).toBe(200);
      await expectTotalsMatchEntries('Pacific/Auckland');
    });

    it('are rebuilt in the new calendar when the site timezone changes', async () => {
      const member = await registerMember(app);
      // Monday 00:30 in Auckland is still Sunday in UTC: the week it counts in moves.
      await fact(member, 'lesson.completed', 'tz-move', '2026-06-07T12:30:00.000Z');
      await drain(app);
      const week = (at: string) =>
        board(`site?period=week&at=${at}&pageSize=100`).then((r) =>
          r.body.data.find((e: any) => e.user.id === member.user.id)
        );
      expect(await week('2026-W24')).toBeTruthy(); // Mon 8 June in Auckland
      await settings({ streaks: { defaultTimezone: 'UTC' } });
      try {
        expect(await week('2026-W24')).toBeUndefined();
        expect(await week('2026-W23')).toBeTruthy(); // Sun 7 June in UTC
        await expectTotalsMatchEntries('UTC');
      } finally {
        await settings({ streaks: { defaultTimezone: 'Pacific/Auckland' } });
      }
      expect(await week('2026-W24')).toBeTruthy();
    });

    it('a recalculation gives achievements held without badge points their points, once', async () => {
      const course = await createCourse(app, { modules: 1, lessons: 1 });
      const member = await registerMember(app);
      ok(await academy(app).completeLesson(member, course.modules[0].lessons[0]), 201);
      await drain(app);
      const earned = (await entriesOf(member.user.id, { source: 'badge' })).map((e: any) => [
        e.subject,
        e.amount,
      ]);
      expect(earned.length).toBeGreaterThan(0);
      // As on a site whose members earned badges before points existed: the achievements are
      // there, their badge entries are not (and the totals, rebuilt, agree).
      await points().deleteMany({ where: { userId: member.user.id, source: 'badge' } });
      await settings({ streaks: { defaultTimezone: 'UTC' } });
      expect((await board('site?period=all')).status).toBe(200);
      await settings({ streaks: { defaultTimezone: 'Pacific/Auckland' } });
      expect((await board('site?period=all')).status).toBe(200);
      const eventPoints = sum(await entriesOf(member.user.id));

      const run = await plugin(app).service('recalculation').run();
      expect(run.status).toBe('done');
      const after = await entriesOf(member.user.id, { source: 'badge' });
      expect(after.map((e: any) => [e.subject, e.amount])).toEqual(earned);
      const total = eventPoints + sum(after);
      const me = await app.request().get('/api/achievements/me').set(bearer(member));
      expect(me.body.points).toBe(total);
      const mine = (await rank(member, '?period=all')).body;
      expect(mine.points).toBe(total);

      // Again: nothing more.
      expect((await plugin(app).service('recalculation').run()).status).toBe('done');
      expect(await entriesOf(member.user.id, { source: 'badge' })).toHaveLength(after.length);
      expect((await rank(member, '?period=all')).body.points).toBe(total);
      await expectTotalsMatchEntries('Pacific/Auckland');
    });
  });
});
