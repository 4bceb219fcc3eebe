import {
  apiToken,
  registerMember,
  setupTestApp,
  superAdminToken,
  type Member,
} from './helpers/strapi';
import { enableAchievements, eventRows } from './support/achievements';

/**
 * Finding 2 of issue 17: U+0000 in a key was accepted (202) on SQLite, and PostgreSQL cannot
 * store it in text or JSON, so the same request could only fail in the database there. Every
 * string the plugin accepts — bodies, query strings, path ids, on the content API and the admin
 * API — is refused with a 400 naming the field, before anything reaches the database. Run this
 * file with DATABASE_CLIENT=postgres and =mysql too.
 */
const app = setupTestApp();
const NUL = '\u0000';
const MESSAGE = 'must not contain the NUL character (U+0000)';

type Call = {
  method: 'get' | 'post' | 'put';
  url: string;
  body?: unknown;
  as: 'token' | 'member' | 'admin';
};

describe('U+0000 in any string the plugin accepts', () => {
  let token: string;
  let member: Member;
  let admin: string;
  let badgeDocumentId: string;

  const send = ({ method, url, body, as }: Call) => {
    const auth = as === 'token' ? token : as === 'member' ? member.jwt : admin;
    const req = app.request()[method](url).set('Authorization', `Bearer ${auth}`);
    return body === undefined ? req : req.send(body as object);
  };

  beforeAll(async () => {
    await enableAchievements(app);
    token = await apiToken(app, ['plugin::achievements.events.ingest']);
    member = await registerMember(app);
    admin = await superAdminToken(app);
    const badge = await app.strapi.db
      .query('plugin::achievements.badge')
      .findOne({ where: { slug: 'first-lesson' } });
    badgeDocumentId = badge.documentId;
  });

  const event = (extra: Record<string, unknown>) => ({
    type: 'lesson.completed',
    userId: 1,
    key: 'nul-probe',
    ...extra,
  });

  const CASES: Array<[string, () => Call, string]> = [
    [
      'an event key',
      () => ({
        method: 'post',
        url: '/api/achievements/events',
        body: event({ userId: member.user.id, key: `k${NUL}1` }),
        as: 'token',
      }),
      'key',
    ],
    [
      'an event subject',
      () => ({
        method: 'post',
        url: '/api/achievements/events',
        body: event({ userId: member.user.id, subject: NUL }),
        as: 'token',
      }),
      'subject',
    ],
    [
      'a string deep in event data',
      () => ({
        method: 'post',
        url: '/api/achievements/events',
        body: event({ userId: member.user.id, data: { kind: { name: `a${NUL}` } } }),
        as: 'token',
      }),
      'data.kind.name',
    ],
    [
      'a key of event data',
      () => ({
        method: 'post',
        url: '/api/achievements/events',
        body: event({ userId: member.user.id, data: { [`k${NUL}`]: 1 } }),
        as: 'token',
      }),
      'data.k\\u0000',
    ],
    [
      'an event userId given as a documentId',
      () => ({
        method: 'post',
        url: '/api/achievements/events',
        body: event({ userId: `${member.user.documentId}${NUL}` }),
        as: 'token',
      }),
      'userId',
    ],
    [
      'the event type',
      () => ({
        method: 'post',
        url: '/api/achievements/events',
        body: event({ userId: member.user.id, type: `lesson.completed${NUL}` }),
        as: 'token',
      }),
      'type',
    ],
    [
      'a member path id',
      () => ({ method: 'get', url: '/api/achievements/users/%00/card', as: 'member' }),
      'userId',
    ],
    [
      'a member documentId with NUL inside',
      () => ({
        method: 'get',
        url: `/api/achievements/users/${member.user.documentId}%00`,
        as: 'member',
      }),
      'userId',
    ],
    [
      'a query parameter',
      () => ({ method: 'get', url: '/api/achievements/badges?category=%00', as: 'member' }),
      'category',
    ],
    [
      'a query parameter name',
      () => ({ method: 'get', url: '/api/achievements/me?x%00y=1', as: 'member' }),
      'x\\u0000y',
    ],
    [
      'a featured badge slug',
      () => ({
        method: 'put',
        url: '/api/achievements/me/featured',
        body: { badges: ['first-lesson', `x${NUL}`] },
        as: 'member',
      }),
      'badges.1',
    ],
    [
      'a badge name (admin)',
      () => ({
        method: 'post',
        url: '/achievements/badges',
        body: {
          name: `Null${NUL}badge`,
          tier: 'bronze',
          points: 1,
          criteria: { type: 'manual' },
        },
        as: 'admin',
      }),
      'name',
    ],
    [
      'a criteria event name (admin)',
      () => ({
        method: 'post',
        url: '/achievements/badges',
        body: {
          name: 'Null criteria',
          tier: 'bronze',
          points: 1,
          criteria: { type: 'count', event: `lesson.completed${NUL}`, threshold: 1 },
        },
        as: 'admin',
      }),
      'criteria.event',
    ],
    [
      'a badge path id (admin)',
      () => ({
        method: 'put',
        url: `/achievements/badges/${badgeDocumentId}%00`,
        body: { points: 5 },
        as: 'admin',
      }),
      'id',
    ],
    [
      'a category name (admin)',
      () => ({
        method: 'post',
        url: '/achievements/categories',
        body: { name: `Cat${NUL}` },
        as: 'admin',
      }),
      'name',
    ],
    [
      'the member search (admin)',
      () => ({ method: 'get', url: '/achievements/members?q=a%00', as: 'admin' }),
      'q',
    ],
    [
      'a setting (admin)',
      () => ({
        method: 'put',
        url: '/achievements/settings',
        body: { streaks: { defaultTimezone: `UTC${NUL}` } },
        as: 'admin',
      }),
      'streaks.defaultTimezone',
    ],
    [
      'an award reason (admin)',
      () => ({
        method: 'post',
        url: `/achievements/members/${member.user.id}/award`,
        body: { badge: badgeDocumentId, reason: `because${NUL}` },
        as: 'admin',
      }),
      'reason',
    ],
  ];

  it.each(CASES.map(([label, call, field]) => [label, field, call] as const))(
    '%s: 400 naming %s, nothing written',
    async (_label, field, call) => {
      const counts = async () => ({
        events: (await eventRows(app)).length,
        badges: await app.strapi.db.query('plugin::achievements.badge').count({}),
        categories: await app.strapi.db.query('plugin::achievements.category').count({}),
        achievements: await app.strapi.db.query('plugin::achievements.achievement').count({}),
      });
      const before = await counts();
      const res = await send(call());
      expect({ status: res.status, body: res.body?.error }).toMatchObject({
        status: 400,
        body: {
          name: 'ValidationError',
          message: `${field}: ${MESSAGE}`,
          details: { errors: [{ path: field, message: MESSAGE }] },
        },
      });
      expect(await counts()).toEqual(before);
    }
  );

  it('the same requests without NUL are answered normally (the probes are well formed)', async () => {
    const ok = await send({
      method: 'post',
      url: '/api/achievements/events',
      body: event({ userId: member.user.id, key: 'k-1', data: { kind: { name: 'a' } } }),
      as: 'token',
    });
    expect(ok.status).toBe(202);
    const card = await send({
      method: 'get',
      url: `/api/achievements/users/${member.user.documentId}/card`,
      as: 'member',
    });
    expect(card.status).toBe(200);
    const search = await send({ method: 'get', url: '/achievements/members?q=a', as: 'admin' });
    expect(search.status).toBe(200);
  });
});
