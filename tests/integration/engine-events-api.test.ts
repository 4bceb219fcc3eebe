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
