import { notificationSchema } from '../../common/api';
import { CONTENT_API_ACTIONS } from '../../common/constants';
import notificationStreamService from '../../server/src/services/notification-stream';
import streamTicketsService from '../../server/src/services/stream-tickets';
import { notificationStore } from '../../server/src/stores/notifications';
import { databaseClient } from './helpers/database';
import { apiToken, registerMember, setupTestApp, type Member } from './helpers/strapi';
import { academy, createCourse, ok, type CourseFixture } from './support/academy';
import { enableAchievements, plugin } from './support/achievements';
import { expectDocumented } from './support/openapi';
import { openStream, type SseClient } from './support/sse';

/**
 * The live side of notifications: `POST /me/notifications/stream-ticket` and
 * `GET /me/notifications/stream?ticket=` (Server-Sent Events), with a real socket and a real
 * award. Runs on SQLite, PostgreSQL and MariaDB. Tickets live 1.5 s here (a minute by default)
 * so expiry is observed, not simulated.
 */
const TICKET_TTL_MS = 1500;
/** Each heartbeat also ends the streams of members blocked since they opened them. */
const HEARTBEAT_MS = 1000;
const app = setupTestApp({
  env: {
    ACHIEVEMENTS_STREAM_TICKET_TTL_MS: String(TICKET_TTL_MS),
    ACHIEVEMENTS_STREAM_HEARTBEAT_MS: String(HEARTBEAT_MS),
  },
});
const STREAM = '/api/achievements/me/notifications/stream';
const TICKET = '/api/achievements/me/notifications/stream-ticket';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ticketOf = async (m: Member): Promise<string> => {
  const res = expectDocumented(
    'POST',
    TICKET,
    await app.request().post(TICKET).set('Authorization', `Bearer ${m.jwt}`)
  );
  expect(res.status).toBe(200);
  expect(res.headers['cache-control']).toBe('private, no-store');
  return res.body.ticket;
};

/** The stream's answer, checked against the OpenAPI document like any other response. */
const documented = (client: SseClient, query: string) => {
  expectDocumented('GET', `${STREAM}${query}`, {
    status: client.status,
    headers: client.headers,
    text: client.body === null ? '' : JSON.stringify(client.body),
  } as any);
  return client;
};

const streamOf = async (m: Member, extra = '') => {
  const query = `?ticket=${encodeURIComponent(await ticketOf(m))}${extra}`;
  const client = documented(await openStream(app, query), query);
  expect(client.status).toBe(200);
  return client;
};

const refused = async (query: string, headers: Record<string, string> = {}) =>
  documented(await openStream(app, query, headers), query);

/** A notification as another process's outbox writes it: a row, and no signal here. */
const writeElsewhere = async (userId: number, key: string, conn?: any) => {
  await notificationStore(app.strapi).insertMany(
    [
      {
        userId,
        kind: 'streak.milestone',
        dedupeKey: `test:${key}`,
        payload: {
          streak: { days: 3, milestone: 3, freezeUsed: false },
          totals: { badges: 0, points: 0 },
        },
      },
    ],
    conn
  );
};

describe('notification streams', () => {
  let course: CourseFixture;
  const opened: SseClient[] = [];
  const track = (c: SseClient) => (opened.push(c), c);

  beforeAll(async () => {
    await enableAchievements(app);
    course = await createCourse(app, { modules: 1, lessons: 3 });
  });
  afterEach(() => opened.splice(0).forEach((c) => c.close()));

  it('sends the toast of an award within a second, as an event named after its kind', async () => {
    const member = await registerMember(app);
    const stream = track(await streamOf(member));
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-store');

    ok(await academy(app).completeLesson(member, course.modules[0].lessons[0]));
    const completedAt = Date.now();
    const toast = await stream.next((e) => e.event === 'achievement.earned', 3000);
    // Within a second of the lesson completion (evaluation included), and of the award's row.
    expect(toast.at - completedAt).toBeLessThan(1000);
    expect(toast.at - Date.parse(toast.data.createdAt)).toBeLessThan(1000);
    expect(() => notificationSchema.parse(toast.data)).not.toThrow();
    expect(toast.data).toMatchObject({
      kind: 'achievement.earned',
      seenAt: null,
      payload: {
        badge: { slug: 'first-lesson', name: 'First steps', tier: 'bronze', points: 25 },
        // 25 for the badge, 10 for the lesson itself (Settings → points per event).
        totals: { badges: 1, points: 35 },
      },
    });
    expect(toast.data.payload.badge.image.url).toEqual(expect.any(String));
    // The event's id is the list's cursor; its data is the very item the list gives.
    expect(toast.id).toMatch(/^[1-9][0-9]*$/);
    const list = await app
      .request()
      .get('/api/achievements/me/notifications')
      .set('Authorization', `Bearer ${member.jwt}`);
    expect(list.body.data).toContainEqual(toast.data);
  });

  it("another process's notification arrives through the poller within a second", async () => {
    const member = await registerMember(app);
    const stream = track(await streamOf(member));
    const writtenAt = Date.now();
    await writeElsewhere(member.user.id, `elsewhere-${member.user.id}`);
    const event = await stream.next((e) => e.event === 'streak.milestone', 3000);
    expect(event.at - writtenAt).toBeLessThan(1000);
    expect(event.data.payload.streak).toEqual({ days: 3, milestone: 3, freezeUsed: false });
  });

  it("a member's stream never carries another member's notifications", async () => {
    const ada = await registerMember(app);
    const bob = await registerMember(app);
    const adas = track(await streamOf(ada));
    const bobs = track(await streamOf(bob));
    ok(await academy(app).completeLesson(bob, course.modules[0].lessons[0]));
    await bobs.next((e) => e.event === 'achievement.earned', 3000);
    await writeElsewhere(bob.user.id, `bob-${bob.user.id}`);
    await bobs.next((e) => e.event === 'streak.milestone', 3000);
    // Ada's own award arrives; Bob's never did, before or after it.
    ok(await academy(app).completeLesson(ada, course.modules[0].lessons[1]));
    await adas.next((e) => e.event === 'achievement.earned', 3000);
    await sleep(700);
    const adaIds = new Set(
      (
        await app
          .request()
          .get('/api/achievements/me/notifications')
          .set('Authorization', `Bearer ${ada.jwt}`)
      ).body.data.map((n: any) => n.id)
    );
    expect(adas.events.length).toBeGreaterThan(0);
    for (const e of adas.events) expect(adaIds.has(e.data.id)).toBe(true);
    for (const e of bobs.events) expect(adaIds.has(e.data.id)).toBe(false);
  });

  it('a ticket opens one stream: a second use is 401, even at another process', async () => {
    const member = await registerMember(app);
    const ticket = await ticketOf(member);
    const query = `?ticket=${encodeURIComponent(ticket)}`;
    track(documented(await openStream(app, query), query));
    const again = await refused(query);
    expect(again.status).toBe(401);
    expect(again.body.error.message).toBe('the stream ticket was used already: ask for a new one');

    // Two processes (their own ticket services, one database) given one ticket at once: one
    // opens, whichever it is. The ticket was issued by yet another one.
    const issuer = streamTicketsService({ strapi: app.strapi });
    const fresh = issuer.issue(member.user.id).ticket;
    const results = await Promise.allSettled(
      [1, 2, 3].map(() => streamTicketsService({ strapi: app.strapi }).redeem(fresh))
    );
    const opens = results.filter((r) => r.status === 'fulfilled' && 'userId' in r.value);
    expect(opens).toEqual([{ status: 'fulfilled', value: { userId: member.user.id } }]);
  });

  it('blocking a member kills their unused ticket and ends their open stream within a heartbeat', async () => {
    const block = (m: Member) =>
      app.strapi.db
        .query('plugin::users-permissions.user')
        .update({ where: { id: m.user.id }, data: { blocked: true } });
    const member = await registerMember(app);
    const unused = await ticketOf(member);
    const stream = track(await streamOf(member));
    const bystander = await registerMember(app);
    const other = track(await streamOf(bystander));
    await block(member);
    const blockedAt = Date.now();
    const late = await refused(`?ticket=${encodeURIComponent(unused)}`);
    expect(late.status).toBe(401);
    expect(late.body.error.message).toBe(
      'the stream ticket is not valid: its member is blocked or gone'
    );
    await stream.ended;
    expect(Date.now() - blockedAt).toBeLessThan(HEARTBEAT_MS * 2 + 500);
    // Only theirs: another member's stream stays open and still delivers.
    await writeElsewhere(bystander.user.id, `after-block-${bystander.user.id}`);
    await other.next((e) => e.event === 'streak.milestone', 3000);
    const ended = await Promise.race([other.ended.then(() => true), sleep(100).then(() => false)]);
    expect(ended).toBe(false);
  });

  it('a ticket expires', async () => {
    const member = await registerMember(app);
    const ticket = await ticketOf(member);
    await sleep(TICKET_TTL_MS + 200);
    const late = await refused(`?ticket=${encodeURIComponent(ticket)}`);
    expect(late.status).toBe(401);
    expect(late.body.error.message).toBe('the stream ticket expired: ask for a new one');
  });

  it('no ticket, a forged or malformed one, or an API token: refused with a message', async () => {
    const ada = await registerMember(app);
    const bob = await registerMember(app);

    const none = await refused('');
    expect(none.status).toBe(401);
    expect(none.body.error.message).toMatch(/needs \?ticket=/);

    // Ada's ticket made out to Bob (the signature no longer matches), and junk.
    const [, ...rest] = (await ticketOf(ada)).split('.');
    for (const bad of [[bob.user.id, ...rest].join('.'), 'not-a-ticket', 'x'.repeat(150)]) {
      const res = await refused(`?ticket=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe('the stream ticket is not valid');
    }
    const tooLong = await refused(`?ticket=${'x'.repeat(300)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(/ticket/);
    const badCursor = await refused(
      `?ticket=${encodeURIComponent(await ticketOf(ada))}&lastEventId=abc`
    );
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.message).toMatch(/lastEventId/);
    // Past the 32-bit id columns: PostgreSQL would refuse it in the catch-up query.
    const hugeCursor = await refused(
      `?ticket=${encodeURIComponent(await ticketOf(ada))}&lastEventId=2147483648`
    );
    expect(hugeCursor.status).toBe(400);
    expect(hugeCursor.body.error.message).toMatch(/lastEventId/);
    // The same in the header is ignored (the stream opens), never handed to the database.
    const viaHeader = track(
      documented(
        await openStream(app, `?ticket=${encodeURIComponent(await ticketOf(ada))}`, {
          'Last-Event-ID': '99999999999',
        }),
        ''
      )
    );
    expect(viaHeader.status).toBe(200);

    const token = await apiToken(app, Object.values(CONTENT_API_ACTIONS));
    const byToken = await refused('', { Authorization: `Bearer ${token}` });
    expect(byToken.status).toBe(403);
    const ticketByToken = await app.request().post(TICKET).set('Authorization', `Bearer ${token}`);
    expect(expectDocumented('POST', TICKET, ticketByToken).status).toBe(403);
    expect(expectDocumented('POST', TICKET, await app.request().post(TICKET)).status).toBe(403);
  });

  it('a client that can send headers may open it with its JWT instead of a ticket', async () => {
    const member = await registerMember(app);
    const stream = track(
      documented(await openStream(app, '', { Authorization: `Bearer ${member.jwt}` }), '')
    );
    expect(stream.status).toBe(200);
    await writeElsewhere(member.user.id, `jwt-${member.user.id}`);
    await stream.next((e) => e.event === 'streak.milestone', 3000);
  });

  it('resumes after the last event id (header or query) without losing what came between', async () => {
    const member = await registerMember(app);
    const first = track(await streamOf(member));
    await writeElsewhere(member.user.id, `resume-1-${member.user.id}`);
    const seen = await first.next(() => true, 3000);
    first.close();
    await writeElsewhere(member.user.id, `resume-2-${member.user.id}`);
    await writeElsewhere(member.user.id, `resume-3-${member.user.id}`);

    const byQuery = track(await streamOf(member, `&lastEventId=${seen.id}`));
    await byQuery.next((e) => Number(e.id) > Number(seen.id) + 1, 3000);
    expect(byQuery.events.map((e) => Number(e.id))).toHaveLength(2);
    expect(byQuery.events.every((e) => Number(e.id) > Number(seen.id))).toBe(true);

    const query = `?ticket=${encodeURIComponent(await ticketOf(member))}`;
    const byHeader = track(await openStream(app, query, { 'Last-Event-ID': String(seen.id) }));
    await byHeader.next((e) => Number(e.id) > Number(seen.id) + 1, 3000);
    expect(byHeader.events.map((e) => e.id)).toEqual(byQuery.events.map((e) => e.id));
  });

  (databaseClient() === 'sqlite' ? it.skip : it)(
    'a notification whose transaction commits after a later one still arrives (ids commit out of order; not on SQLite, whose writes are serial)',
    async () => {
      const member = await registerMember(app);
      const stream = track(await streamOf(member));
      const knex = app.strapi.db.connection;
      const trx = await knex.transaction();
      await writeElsewhere(member.user.id, `late-${member.user.id}`, trx);
      await writeElsewhere(member.user.id, `early-${member.user.id}`);
      const early = await stream.next(() => true, 3000);
      // The poller has read past the late row's id; it commits only now.
      await sleep(1200);
      await trx.commit();
      const late = await stream.next((e) => e.id !== early.id, 3000);
      expect(Number(late.id)).toBeLessThan(Number(early.id));
    }
  );

  it('one poller per process, whatever the number of streams', async () => {
    const service = plugin(app).service('notificationStream');
    const members = await Promise.all([1, 2, 3].map(() => registerMember(app)));
    const streams = await Promise.all(members.map((m) => streamOf(m)));
    streams.forEach(track);
    expect(service.openCount()).toBeGreaterThanOrEqual(3);
    // The poller's read: the ids after a floor (knex reports every statement it runs).
    const table = app.strapi.db.metadata.get('plugin::achievements.notification').tableName;
    let reads = 0;
    const count = (q: { sql: string }) => {
      if (q.sql.includes(table) && /^select .*user_id/i.test(q.sql) && !q.sql.includes('*'))
        reads += 1;
    };
    app.strapi.db.connection.on('query', count);
    try {
      await sleep(2000);
      // 500 ms interval: about four polls in two seconds for all the streams, not 4 × 3.
      expect(reads).toBeGreaterThanOrEqual(2);
      expect(reads).toBeLessThanOrEqual(6);
    } finally {
      app.strapi.db.connection.off('query', count);
    }
  });

  it('a stream ends when Strapi stops, and the stop does not wait for it', async () => {
    const member = await registerMember(app);
    const stream = await streamOf(member);
    const separate = notificationStreamService({ strapi: app.strapi });
    const body = await separate.open(member.user.id);
    const ended = new Promise((r) => body.on('end', r));
    body.resume();
    await separate.stop();
    await ended;
    const started = Date.now();
    await app.restart();
    await stream.ended;
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
