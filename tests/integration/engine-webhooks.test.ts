import http from 'http';
import type { AddressInfo } from 'net';
import { registerMember, setupTestApp, superAdminToken } from './helpers/strapi';
import { badgeBySlug, drain, enableAchievements, plugin } from './support/achievements';

/** Strapi webhooks: achievement.earned and achievement.revoked reach a receiver on loopback. */
const app = setupTestApp();

describe('webhooks', () => {
  const received: Array<{ event: string; body: any }> = [];
  let server: http.Server;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw);
        received.push({ event: body.event, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const admin = await superAdminToken(app);
    const res = await app
      .request()
      .post('/admin/webhooks')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        name: 'achievements',
        url,
        headers: {},
        events: ['achievement.earned', 'achievement.revoked'],
      });
    expect({ status: res.status, body: res.status === 201 ? null : res.body }).toEqual({
      status: 201,
      body: null,
    });
    await enableAchievements(app);
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const settle = async (count: number) => {
    const deadline = Date.now() + 10_000;
    while (received.length < count && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // and nothing more arrives
  };

  it('sends achievement.earned once per award, and nothing for a duplicate event', async () => {
    const member = await registerMember(app);
    const events = plugin(app).service('events');
    await events.record({
      type: 'lesson.completed',
      userId: member.user.id,
      key: 'hook:1',
      subject: 'l1',
    });
    await events.record({
      type: 'lesson.completed',
      userId: member.user.id,
      key: 'hook:1',
      subject: 'l1',
    });
    await drain(app);
    await settle(1);
    expect(received.map((r) => r.event)).toEqual(['achievement.earned']);
    const { achievement } = received[0].body;
    expect(achievement.badge.slug).toBe('first-lesson');
    expect(achievement.user).toEqual({
      id: member.user.id,
      documentId: member.user.documentId,
      username: member.user.username,
    });
    expect(JSON.stringify(received[0].body)).not.toContain('@academy.test');
  });

  it('sends achievement.revoked once when an admin revokes', async () => {
    received.length = 0;
    const member = await registerMember(app);
    await plugin(app)
      .service('events')
      .record({ type: 'lesson.completed', userId: member.user.id, key: 'hook:2', subject: 'l1' });
    await drain(app);
    await settle(1);
    received.length = 0;
    const badge = await badgeBySlug(app, 'first-lesson');
    await plugin(app)
      .service('awards')
      .revokeManually(member.user.id, badge.id, { adminId: 1, reason: 'duplicate account' });
    await settle(1);
    expect(received.map((r) => r.event)).toEqual(['achievement.revoked']);
    expect(received[0].body.achievement.revokeReason).toBe('duplicate account');
  });
});
