import { registerMember, setupTestApp } from './helpers/strapi';
import { academy, createCourse, ok } from './support/academy';
import {
  achievementRows,
  badgeBySlug,
  earnedSlugs,
  enableAchievements,
  eventRows,
  plugin,
} from './support/achievements';

/** Activity from before achievements were switched on is replayed with its historical dates. */
const app = setupTestApp();

describe('backfill (recalculation)', () => {
  it('awards the right badges with historical earnedAt, and a second run adds nothing', async () => {
    // Achievements are off (the default): the academy works, nothing is recorded.
    const course = await createCourse(app, { modules: 2, lessons: 2 });
    const ann = await registerMember(app);
    const ben = await registerMember(app);
    for (const lesson of course.modules[0].lessons)
      ok(await academy(app).completeLesson(ann, lesson));
    ok(await academy(app).completeLesson(ben, course.modules[1].lessons[0]));
    const post = ok(await academy(app).createPost(ben, 'Old news', 'x')).body.data.documentId;
    for (let i = 0; i < 10; i += 1) ok(await academy(app).comment(ann, post, `old comment ${i}`));
    ok(await academy(app).updateProfile(ann, { bio: 'Been here a while.' }));
    expect(await eventRows(app)).toHaveLength(0);

    // Make the history old: these happened in March.
    const march = new Date('2026-03-10T09:00:00Z');
    await app.strapi.db
      .query('api::lesson-completion.lesson-completion')
      .updateMany({ where: {}, data: { completedAt: march } });
    await app.strapi.db
      .query('api::module-completion.module-completion')
      .updateMany({ where: {}, data: { completedAt: march } });

    await enableAchievements(app);
    const first = await plugin(app).service('recalculation').run();
    expect(first).toMatchObject({ status: 'done', phase: 'done' });
    expect(first.processed).toBe(first.total);

    expect(await earnedSlugs(app, ann.user.id)).toEqual([
      'commenter',
      'complete-bio',
      'first-lesson',
      'module-complete',
    ]);
    expect(await earnedSlugs(app, ben.user.id)).toEqual(['first-lesson', 'first-post']);
    const firstLesson = await badgeBySlug(app, 'first-lesson');
    const [annFirst] = await achievementRows(app, { userId: ann.user.id, badgeId: firstLesson.id });
    expect(new Date(annFirst.earnedAt).toISOString()).toBe(march.toISOString());
    const moduleBadge = await badgeBySlug(app, 'module-complete');
    const [annModule] = await achievementRows(app, {
      userId: ann.user.id,
      badgeId: moduleBadge.id,
    });
    expect(new Date(annModule.earnedAt).toISOString()).toBe(march.toISOString());

    const achievementsBefore = (await achievementRows(app)).length;
    const eventsBefore = (await eventRows(app)).length;
    const second = await plugin(app).service('recalculation').run();
    expect(second.added).toEqual({ events: 0, achievements: 0 });
    expect((await achievementRows(app)).length).toBe(achievementsBefore);
    expect((await eventRows(app)).length).toBe(eventsBefore);
  });

  it('live facts and replayed facts are the same facts (same keys)', async () => {
    const course = await createCourse(app, { modules: 1, lessons: 1 });
    const cam = await registerMember(app);
    ok(await academy(app).completeLesson(cam, course.modules[0].lessons[0]));
    await plugin(app).service('evaluator').drain();
    const live = await eventRows(app, { userId: cam.user.id, type: 'lesson.completed' });
    expect(live).toHaveLength(1);
    const run = await plugin(app).service('recalculation').run();
    expect(run.added.achievements).toBe(0);
    expect(await eventRows(app, { userId: cam.user.id, type: 'lesson.completed' })).toHaveLength(1);
  });

  it('refuses a second run while one is running, and unknown badges', async () => {
    const backfill = plugin(app).service('recalculation');
    // Two starts at the same moment: exactly one wins.
    const attempts = await Promise.allSettled([backfill.start(), backfill.start()]);
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const refused = attempts.find((a) => a.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(/already running/);
    const { done } = (attempts.find((a) => a.status === 'fulfilled') as PromiseFulfilledResult<any>)
      .value;
    await expect(backfill.start()).rejects.toThrow(/already running/);
    await done;
    await expect(backfill.start({ badges: ['no-such-badge'] })).rejects.toThrow(/no-such-badge/);
  });
});

describe('replayed facts are the facts the triggers recorded live', () => {
  it('every trigger of the academy, field by field (the raw and query-engine readers alike)', async () => {
    await enableAchievements(app);
    const course = await createCourse(app, { modules: 1, lessons: 2 });
    const dee = await registerMember(app);
    const eli = await registerMember(app);
    for (const lesson of course.modules[0].lessons)
      ok(await academy(app).completeLesson(dee, lesson));
    const post = ok(await academy(app).createPost(eli, 'Live post', 'x')).body.data.documentId;
    const comment = ok(await academy(app).comment(dee, post, 'Live comment')).body.data.documentId;
    ok(await academy(app).markHelpful(eli, comment));
    // Talking to oneself is no fact, live or replayed (the trigger's owner is post.author).
    ok(await academy(app).comment(eli, post, 'Self talk'));
    ok(await academy(app).react(dee, { post })); // user path `post.author`
    ok(await academy(app).react(eli, { comment })); // user path `comment.author`
    ok(await academy(app).updateProfile(dee, { bio: 'Replayed.' }));
    await plugin(app).service('evaluator').drain();

    const users = [dee.user.id, eli.user.id];
    const fields = (r: any) => ({
      type: r.type,
      userId: r.userId,
      actorId: r.actorId ?? null,
      subject: r.subject ?? null,
      occurredAt: new Date(r.occurredAt).getTime(),
      data: typeof r.data === 'string' ? JSON.parse(r.data) : (r.data ?? null),
    });
    const retractions = ['post.retracted', 'reaction.withdrawn'];
    const live = (await eventRows(app, { userId: { $in: users } })).filter(
      (r: any) => !retractions.includes(r.type)
    );
    // The profile is replayed as it is now: its latest profile.updated fact.
    const latestProfile = (userId: number) =>
      live
        .filter((r: any) => r.type === 'profile.updated' && r.userId === userId)
        .sort(
          (a: any, b: any) => new Date(b.occurredAt).getTime() - new Date(a.occurredAt).getTime()
        )[0];
    const expected = live.filter(
      (r: any) => r.type !== 'profile.updated' || r === latestProfile(r.userId)
    );
    expect(new Set(expected.map((r: any) => r.type))).toEqual(
      new Set([
        'lesson.completed',
        'module.completed',
        'course.completed',
        'post.published',
        'comment.created',
        'comment.helpful',
        'reaction.received',
        'profile.updated',
      ])
    );
    await app.strapi.db
      .query('plugin::achievements.event')
      .deleteMany({ where: { userId: { $in: users } } });

    const run = await plugin(app).service('recalculation').run();
    expect(run.status).toBe('done');
    const replayed = await eventRows(app, { userId: { $in: users } });
    const byKey = (rows: any[]) =>
      Object.fromEntries(rows.map((r) => [r.key, fields(r)]).sort(([a], [b]) => (a < b ? -1 : 1)));
    expect(byKey(replayed)).toEqual(byKey(expected));
  });
});
