import { registerMember, setupTestApp, superAdminToken } from './helpers/strapi';
import { webhookReceiver } from './support/webhooks';
import { badgeBySlug, drain, enableAchievements, plugin } from './support/achievements';

/** Strapi webhooks: achievement.earned and achievement.revoked reach a receiver on loopback. */
const app = setupTestApp();

describe('webhooks', () => {
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
  let received: Array<{ event: string; body: any }>;

  beforeAll(async () => {
    hooks = await webhookReceiver(app, 'achievements', [
      'achievement.earned',
      'achievement.revoked',
    ]);
    received = hooks.received;
    await enableAchievements(app);
  });

  afterAll(() => hooks.close());

  const settle = (count: number) => hooks.settle(count);

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
      .service('admin')
      .revoke(member.user.id, badge.id, { adminId: 1, reason: 'duplicate account' });
    await settle(1);
    expect(received.map((r) => r.event)).toEqual(['achievement.revoked']);
    expect(received[0].body.achievement.revokeReason).toBe('duplicate account');
  });

  it('deleting a badge in the admin tells each holder and re-evaluates meta badges', async () => {
    const category = await app.strapi
      .documents('plugin::achievements.category')
      .create({ data: { name: 'Deletion', slug: 'deletion', sortOrder: 9 } as any });
    const badge = (data: Record<string, unknown>) =>
      app.strapi.documents('plugin::achievements.badge').create({
        data: { tier: 'bronze', points: 5, enabled: true, category: category.documentId, ...data },
      } as any);
    const doomed = await badge({
      name: 'Doomed',
      slug: 'doomed',
      criteria: { type: 'count', event: 'lesson.completed', threshold: 1 },
    });
    await badge({
      name: 'Collector of doom',
      slug: 'doom-collector',
      autoRevoke: true,
      criteria: { type: 'badges', count: 1, category: 'deletion' },
    });
    const [ada, bob] = [await registerMember(app), await registerMember(app)];
    for (const m of [ada, bob]) {
      await plugin(app)
        .service('events')
        .record({
          type: 'lesson.completed',
          userId: m.user.id,
          key: `hook:del:${m.user.id}`,
          subject: 'l1',
        });
    }
    await drain(app);
    await settle(6); // first-lesson, doomed and doom-collector, for each of them
    received.length = 0;

    const admin = await superAdminToken(app);
    const res = await app
      .request()
      .delete(`/achievements/badges/${doomed.documentId}`)
      .set('Authorization', `Bearer ${admin}`);
    expect(res.status).toBe(200);
    await drain(app);
    await settle(4);
    const revoked = received
      .filter((r) => r.event === 'achievement.revoked')
      .map((r) => [
        r.body.achievement.user.id,
        r.body.achievement.badge.slug,
        r.body.achievement.revokeReason,
      ])
      .sort((a, b) => String(a).localeCompare(String(b)));
    expect(revoked).toEqual(
      [
        [ada.user.id, 'doom-collector', 'criteria no longer met'],
        [ada.user.id, 'doomed', 'badge deleted'],
        [bob.user.id, 'doom-collector', 'criteria no longer met'],
        [bob.user.id, 'doomed', 'badge deleted'],
      ].sort((a, b) => String(a).localeCompare(String(b)))
    );
    expect(received).toHaveLength(4);
  });
});
