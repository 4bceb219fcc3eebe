import { registerMember, setupTestApp } from './helpers/strapi';
import {
  badgeBySlug,
  achievementRows,
  drain,
  enableAchievements,
  eventRows,
  plugin,
} from './support/achievements';

/** A fact is never lost: what was recorded but not processed is processed after a restart. */
const app = setupTestApp({ env: { ACHIEVEMENTS_LEASE_MS: '1500' } });

describe('crash safety', () => {
  beforeAll(() => enableAchievements(app));

  it('events recorded but not processed when Strapi stops are processed after the next start, once', async () => {
    const member = await registerMember(app);
    await drain(app);
    await plugin(app).service('evaluator').stop(); // as if the process died before evaluating
    const events = plugin(app).service('events');
    for (let i = 0; i < 10; i += 1) {
      await events.record({
        type: 'comment.created',
        userId: member.user.id,
        key: `crash:${i}`,
        subject: `c${i}`,
      });
    }
    const before = await eventRows(app, { userId: member.user.id, type: 'comment.created' });
    expect(before.filter((e: any) => e.processedAt === null)).toHaveLength(10);
    const commenter = await badgeBySlug(app, 'commenter');
    expect(
      await achievementRows(app, { userId: member.user.id, badgeId: commenter.id })
    ).toHaveLength(0);

    await app.restart();
    await drain(app);

    const after = await eventRows(app, { userId: member.user.id, type: 'comment.created' });
    expect(after).toHaveLength(10);
    expect(after.every((e: any) => e.processedAt !== null && e.attempts === 1)).toBe(true);
    expect(
      await achievementRows(app, { userId: member.user.id, badgeId: commenter.id })
    ).toHaveLength(1);

    await app.restart();
    await drain(app);
    expect(
      await achievementRows(app, { userId: member.user.id, badgeId: commenter.id })
    ).toHaveLength(1);
  });

  it('events claimed by a process that died are taken over once its lease expires', async () => {
    const member = await registerMember(app);
    await drain(app);
    await plugin(app).service('evaluator').stop();
    await plugin(app)
      .service('events')
      .record({ type: 'lesson.completed', userId: member.user.id, key: 'orphan', subject: 'l1' });
    const [orphan] = await eventRows(app, { key: 'orphan' });
    await app.strapi.db.query('plugin::achievements.event').update({
      where: { id: orphan.id },
      data: { claimedAt: new Date(), claimedBy: 'dead-process:1', attempts: 1 },
    });

    await app.restart();
    await new Promise((r) => setTimeout(r, 1700)); // the dead process's lease (1.5 s) runs out
    await drain(app);
    const [done] = await eventRows(app, { key: 'orphan' });
    expect(done.processedAt).not.toBeNull();
    expect(done.claimedBy).not.toBe('dead-process:1');
    const firstLesson = await badgeBySlug(app, 'first-lesson');
    expect(
      await achievementRows(app, { userId: member.user.id, badgeId: firstLesson.id })
    ).toHaveLength(1);
  });
});
