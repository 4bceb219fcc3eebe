import evaluatorService from '../../server/src/services/evaluator';
import { apiToken, registerMember, setupTestApp } from './helpers/strapi';
import { academy, createCourse } from './support/academy';
import {
  achievementRows,
  badgeBySlug,
  drain,
  enableAchievements,
  eventRows,
  plugin,
} from './support/achievements';

/**
 * Exactly once, enforced by the database rather than by read-then-write checks. These run on
 * SQLite by default and on PostgreSQL and MariaDB in CI, where such checks really do race.
 */
const app = setupTestApp();

describe('exactly once under concurrency', () => {
  beforeAll(() => enableAchievements(app));

  it('50 concurrent completions of one lesson by one member: one completion, one event, one achievement per badge', async () => {
    const course = await createCourse(app, { modules: 1, lessons: 3 });
    const member = await registerMember(app);
    const lesson = course.modules[0].lessons[0];
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => academy(app).completeLesson(member, lesson))
    );
    expect(responses.filter((r) => r.status >= 500)).toEqual([]);
    expect(responses.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    await drain(app);

    const completions = await app.strapi.db
      .query('api::lesson-completion.lesson-completion')
      .findMany({ where: { user: member.user.id } });
    expect(completions).toHaveLength(1);
    expect(await eventRows(app, { userId: member.user.id, type: 'lesson.completed' })).toHaveLength(
      1
    );
    const firstLesson = await badgeBySlug(app, 'first-lesson');
    expect(
      await achievementRows(app, { userId: member.user.id, badgeId: firstLesson.id })
    ).toHaveLength(1);
    const all = await achievementRows(app, { userId: member.user.id });
    expect(new Set(all.map((a: any) => `${a.badgeId}:${a.sequence}`)).size).toBe(all.length);
  });

  it('50 concurrent identical events through the events API: one row, one accepted, 49 duplicates', async () => {
    const token = await apiToken(app, ['plugin::achievements.events.ingest']);
    const member = await registerMember(app);
    const body = {
      type: 'lesson.completed',
      userId: member.user.id,
      key: `player:${member.user.id}:lesson-9`,
      subject: 'lesson-9',
    };
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        app
          .request()
          .post('/api/achievements/events')
          .set('Authorization', `Bearer ${token}`)
          .send(body)
      )
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(202));
    expect(responses.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(responses.filter((r) => r.body.duplicate === true)).toHaveLength(49);
    await drain(app);
    expect(await eventRows(app, { key: body.key })).toHaveLength(1);
    const firstLesson = await badgeBySlug(app, 'first-lesson');
    expect(
      await achievementRows(app, { userId: member.user.id, badgeId: firstLesson.id })
    ).toHaveLength(1);
  });

  it('the same award applied 50 times at once is written once and reported once', async () => {
    const member = await registerMember(app);
    const badge = await badgeBySlug(app, 'commenter');
    // The achievement service's write, which every evaluation and admin award goes through.
    const achievements = plugin(app).service('achievements');
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        achievements.write([
          {
            userId: member.user.id,
            awards: [{ badgeId: badge.id, sequence: 1, earnedAt: new Date() }],
            revokes: [],
            progress: [{ badgeId: badge.id, current: 10, target: 10 }],
            heldBefore: new Set(),
          },
        ])
      )
    );
    expect(results.reduce((n: number, r: any) => n + r.get(member.user.id).earned.length, 0)).toBe(
      1
    );
    expect(await achievementRows(app, { userId: member.user.id, badgeId: badge.id })).toHaveLength(
      1
    );
    const progress = await app.strapi.db
      .query('plugin::achievements.progress')
      .findMany({ where: { userId: member.user.id, badgeId: badge.id } });
    expect(progress).toHaveLength(1);
  });

  it('three engine instances draining one ledger process every event exactly once and never award twice', async () => {
    const members = await Promise.all(Array.from({ length: 6 }, () => registerMember(app)));
    await drain(app);
    await plugin(app).service('evaluator').stop(); // only the three instances below process
    const events = plugin(app).service('events');
    for (const m of members) {
      for (let i = 0; i < 12; i += 1) {
        await events.record({
          type: 'comment.created',
          userId: m.user.id,
          key: `multi:${m.user.id}:${i}`,
          subject: `c-${i}`,
        });
      }
    }
    const instances = [1, 2, 3].map(() => evaluatorService({ strapi: app.strapi }));
    await Promise.all(instances.map((engine) => engine.drain()));
    await Promise.all(instances.map((engine) => engine.stop()));

    const rows = await eventRows(app, { type: 'comment.created' });
    const ours = rows.filter((r: any) => r.key.startsWith('multi:'));
    expect(ours).toHaveLength(72);
    expect(ours.every((r: any) => r.processedAt !== null && r.attempts === 1)).toBe(true);
    // Each event was processed by exactly one of the instances.
    const owners = new Set(ours.map((r: any) => String(r.claimedBy).split(':')[0]));
    expect(owners.size).toBeGreaterThanOrEqual(1);
    const commenter = await badgeBySlug(app, 'commenter');
    for (const m of members) {
      expect(await achievementRows(app, { userId: m.user.id, badgeId: commenter.id })).toHaveLength(
        1
      );
    }
    plugin(app).service('evaluator').start();
  });
});
