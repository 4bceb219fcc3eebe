import evaluatorService from '../../server/src/services/evaluator';
import { registerMember, setupTestApp } from './helpers/strapi';
import { academy, createCourse, ok } from './support/academy';
import {
  achievementRows,
  badgeBySlug,
  enableAchievements,
  eventRows,
  plugin,
} from './support/achievements';

/**
 * A web process started with `processing.engine: false` records the events its writes produce
 * and evaluates none of them; a worker process of the same app (here: a second engine on the
 * same database, as another Strapi process would run it) evaluates them.
 */
const app = setupTestApp({ env: { ACHIEVEMENTS_ENGINE: 'false', ACHIEVEMENTS_POLL_MS: '200' } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('engine off in this process, a worker evaluates', () => {
  beforeAll(() => enableAchievements(app));

  it('a lesson completion is recorded here, left unevaluated, and awarded once the worker runs', async () => {
    const course = await createCourse(app, { modules: 1, lessons: 2 });
    const member = await registerMember(app);
    ok(await academy(app).completeLesson(member, course.modules[0].lessons[0]));
    // Several poll intervals: nothing in this process evaluates.
    await sleep(1000);
    const recorded = await eventRows(app, { userId: member.user.id, type: 'lesson.completed' });
    expect(recorded).toHaveLength(1);
    expect(recorded[0].processedAt).toBeNull();
    expect(recorded[0].attempts).toBe(0);
    const firstLesson = await badgeBySlug(app, 'first-lesson');
    expect(
      await achievementRows(app, { userId: member.user.id, badgeId: firstLesson.id })
    ).toHaveLength(0);

    // The worker: the same app's config with the engine on.
    const processing = app.strapi.config.get('plugin::achievements.processing') as any;
    app.strapi.config.set('plugin::achievements.processing', { ...processing, engine: true });
    const worker = evaluatorService({ strapi: app.strapi });
    worker.start();
    try {
      // This process's drain waits for the worker instead of evaluating itself.
      await plugin(app).service('evaluator').drain(20_000);
      const processed = await eventRows(app, {
        userId: member.user.id,
        type: 'lesson.completed',
      });
      expect(processed[0].processedAt).not.toBeNull();
      expect(processed[0].claimedBy).toContain(worker.instance);
      expect(
        await achievementRows(app, { userId: member.user.id, badgeId: firstLesson.id })
      ).toHaveLength(1);
    } finally {
      await worker.stop();
      app.strapi.config.set('plugin::achievements.processing', processing);
    }
  });

  it('with no worker running, draining here times out instead of evaluating', async () => {
    const member = await registerMember(app);
    await plugin(app)
      .service('events')
      .record({ type: 'comment.created', userId: member.user.id, key: `w:${member.user.id}` });
    await expect(plugin(app).service('evaluator').drain(600)).rejects.toThrow(/timed out/);
    const rows = await eventRows(app, { userId: member.user.id, type: 'comment.created' });
    expect(rows[0].processedAt).toBeNull();
  });
});
