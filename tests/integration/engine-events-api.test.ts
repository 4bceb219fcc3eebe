import { apiToken, registerMember, setupTestApp } from './helpers/strapi';
import { drain, earnedSlugs, enableAchievements, eventRows } from './support/achievements';

/** POST /api/achievements/events — for other back-ends, with an API token granted the action. */
const app = setupTestApp();

describe('POST /api/achievements/events', () => {
  let token: string;
  let member: Awaited<ReturnType<typeof registerMember>>;
  const post = (body: unknown, auth?: string) => {
    const req = app.request().post('/api/achievements/events');
    if (auth) req.set('Authorization', `Bearer ${auth}`);
    return req.send(body as object);
  };

  beforeAll(async () => {
    await enableAchievements(app);
    token = await apiToken(app, ['plugin::achievements.events.ingest']);
    member = await registerMember(app);
  });

  it('accepts an event from a granted API token (202), by id or documentId, and awards from it', async () => {
    const res = await post(
      { type: 'lesson.watched', userId: member.user.documentId, key: 'video:1:m' },
      token
    );
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: true, duplicate: false });
    const byId = await post(
      {
        type: 'lesson.completed',
        userId: member.user.id,
        key: 'player:1',
        subject: 'l-1',
        occurredAt: new Date().toISOString(),
      },
      token
    );
    expect(byId.body).toEqual({ accepted: true, duplicate: false });
    await drain(app);
    expect(await earnedSlugs(app, member.user.id)).toContain('first-lesson');
    const again = await post(
      { type: 'lesson.completed', userId: member.user.id, key: 'player:1', subject: 'l-1' },
      token
    );
    expect(again.body).toEqual({ accepted: true, duplicate: true });
  });

  it('refuses the public (403), a member JWT (403) and a token without the action (403); nothing is recorded', async () => {
    const body = { type: 'lesson.completed', userId: member.user.id, key: 'sneaky' };
    expect((await post(body)).status).toBe(403);
    expect((await post(body, member.jwt)).status).toBe(403);
    const other = await apiToken(app, ['plugin::achievements.config.get']);
    expect((await post(body, other)).status).toBe(403);
    expect(await eventRows(app, { key: 'sneaky' })).toHaveLength(0);
  });

  it('refuses a member JWT even when an admin grants the action to Authenticated', async () => {
    const role = await app.strapi.db
      .query('plugin::users-permissions.role')
      .findOne({ where: { type: 'authenticated' } });
    await app.strapi.db
      .query('plugin::users-permissions.permission')
      .create({ data: { action: 'plugin::achievements.events.ingest', role: role.id } });
    const res = await post(
      { type: 'lesson.completed', userId: member.user.id, key: 'self-award' },
      member.jwt
    );
    expect(res.status).toBe(403);
    expect(await eventRows(app, { key: 'self-award' })).toHaveLength(0);
  });

  it.each([
    [{ userId: 1, key: 'k' }, 'type'],
    [{ type: 'Not An Event', userId: 1, key: 'k' }, 'type'],
    [{ type: 'unknown.event', userId: 1, key: 'k' }, 'type'],
    [{ type: 'lesson.completed', key: 'k' }, 'userId'],
    [{ type: 'lesson.completed', userId: -3, key: 'k' }, 'userId'],
    [{ type: 'lesson.completed', userId: 1.5, key: 'k' }, 'userId'],
    [{ type: 'lesson.completed', userId: 1 }, 'key'],
    [{ type: 'lesson.completed', userId: 1, key: '' }, 'key'],
    [{ type: 'lesson.completed', userId: 1, key: 'x'.repeat(256) }, 'key'],
    [{ type: 'lesson.completed', userId: 1, key: 'k', occurredAt: 'yesterday' }, 'occurredAt'],
    [
      { type: 'lesson.completed', userId: 1, key: 'k', occurredAt: '2999-01-01T00:00:00Z' },
      'occurredAt',
    ],
    [{ type: 'lesson.completed', userId: 1, key: 'k', data: 'nope' }, 'data'],
    [{ type: 'lesson.completed', userId: 1, key: 'k', extra: true }, 'extra'],
  ])('refuses %j with 400 naming %s', async (body, field) => {
    const res = await post(body, token);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(field);
    expect(await eventRows(app, { key: 'k' })).toHaveLength(0);
  });

  it("scopes keys per member: the same key for another member is that member's own fact", async () => {
    const other = await registerMember(app);
    const body = (userId: number) => ({
      type: 'lesson.completed',
      userId,
      key: 'player:shared',
      subject: 'l-shared',
      occurredAt: '2026-01-02T03:04:05.678Z',
    });
    expect((await post(body(member.user.id), token)).body).toEqual({
      accepted: true,
      duplicate: false,
    });
    const second = await post(body(other.user.id), token);
    expect(second.status).toBe(202);
    expect(second.body).toEqual({ accepted: true, duplicate: false });
    const rows = await eventRows(app, { key: 'player:shared' });
    expect(rows.map((r: any) => r.userId).sort()).toEqual([member.user.id, other.user.id].sort());
    await drain(app);
    expect(await earnedSlugs(app, other.user.id)).toContain('first-lesson');
  });

  it('replays the same body as a duplicate and answers 409 naming key for a different one', async () => {
    const key = 'player:reuse';
    const body = {
      type: 'lesson.completed',
      userId: member.user.id,
      key,
      subject: 'l-2',
      occurredAt: '2026-02-03T04:05:06.789Z',
      data: { score: 9, detail: { a: 1, b: [1, 2] } },
    };
    expect((await post(body, token)).body).toEqual({ accepted: true, duplicate: false });
    // The same fact again, its data's keys in another order: a replay.
    const replay = await post({ ...body, data: { detail: { b: [1, 2], a: 1 }, score: 9 } }, token);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ accepted: true, duplicate: true });
    const without = await post({ ...body, occurredAt: undefined }, token);
    expect(without.body).toEqual({ accepted: true, duplicate: true });

    for (const changed of [
      { subject: 'l-3' },
      { type: 'lesson.watched' },
      { occurredAt: '2026-02-03T04:05:06.790Z' },
      { data: { score: 10, detail: { a: 1, b: [1, 2] } } },
      { data: undefined },
    ]) {
      const res = await post({ ...body, ...changed }, token);
      expect({ changed, status: res.status }).toEqual({ changed, status: 409 });
      expect(res.body.error.message).toMatch(/^key: "player:reuse"/);
      expect(res.body.error.details.errors[0].path).toBe('key');
    }
    const rows = await eventRows(app, { key });
    expect(rows).toHaveLength(1);
    expect(rows[0].subject).toBe('l-2');
  });

  it('refuses a reused key with a different body from code too', async () => {
    const events = app.strapi.plugin('achievements').service('events');
    const fact = { type: 'lesson.completed', userId: member.user.id, key: 'code:1', subject: 'a' };
    expect(await events.record(fact)).toEqual({ accepted: true, duplicate: false });
    expect(await events.record(fact)).toEqual({ accepted: true, duplicate: true });
    await expect(events.record({ ...fact, subject: 'b' })).rejects.toThrow(/^key: "code:1"/);
    // A trigger's key names its document: a later write of it is the same fact, never an error.
    expect(await events.record({ ...fact, subject: 'b', source: 'trigger' })).toEqual({
      accepted: true,
      duplicate: true,
    });
  });

  it('checks a reused key against the stored row when another process wrote it', async () => {
    // Written by "another process": this one has never seen the key, so it reads the row back.
    const fact = { type: 'lesson.completed', userId: member.user.id, key: 'other:1', subject: 'a' };
    await app.strapi.db.query('plugin::achievements.event').create({
      data: { ...fact, occurredAt: new Date('2026-03-01T00:00:00Z'), source: 'service' },
    });
    const events = app.strapi.plugin('achievements').service('events');
    await expect(events.record({ ...fact, subject: 'b' })).rejects.toThrow(/^key: "other:1"/);
    expect(await events.record(fact)).toEqual({ accepted: true, duplicate: true });
    await expect(events.record({ ...fact, subject: 'c' })).rejects.toThrow(/^key: "other:1"/);
  });

  it('answers 404 for an unknown member and 400 for a body that is not an object', async () => {
    expect(
      (await post({ type: 'lesson.completed', userId: 999999, key: 'ghost' }, token)).status
    ).toBe(404);
    expect(
      (await post({ type: 'lesson.completed', userId: 'nosuchdocumentid', key: 'ghost' }, token))
        .status
    ).toBe(404);
    const arr = await app
      .request()
      .post('/api/achievements/events')
      .set('Authorization', `Bearer ${token}`)
      .send([1, 2]);
    expect(arr.status).toBe(400);
  });

  it('is accepted but records nothing while achievements are off', async () => {
    await enableAchievements(app, false);
    const res = await post(
      { type: 'lesson.completed', userId: member.user.id, key: 'while-off' },
      token
    );
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: false, duplicate: false });
    expect(await eventRows(app, { key: 'while-off' })).toHaveLength(0);
    await enableAchievements(app, true);
  });
});
