import { registerMember, setupTestApp } from './helpers/strapi';
import {
  drain,
  earnedSlugs,
  enableAchievements,
  eventRows,
  plugin,
  progressOf,
} from './support/achievements';

const app = setupTestApp();

describe('the ledger and the engine through the events service', () => {
  it('seeds the default catalog once, with artwork in the media library', async () => {
    const categories = await app.strapi.db.query('plugin::achievements.category').findMany({});
    expect(categories.map((c: any) => c.slug).sort()).toEqual([
      'community',
      'courses',
      'engagement',
      'profile',
    ]);
    const badges = await app.strapi.db
      .query('plugin::achievements.badge')
      .findMany({ populate: { image: true, category: true } });
    expect(badges).toHaveLength(19);
    for (const badge of badges) {
      expect(badge.image?.url).toMatch(/achievement_.*\.svg$/);
      expect(badge.category).not.toBeNull();
    }
    await plugin(app).service('seed').seedDefaultCatalog();
    expect(await app.strapi.db.query('plugin::achievements.badge').count({})).toBe(19);
  });

  it('records nothing while achievements are switched off', async () => {
    const { user } = await registerMember(app);
    const res = await plugin(app)
      .service('events')
      .record({
        type: 'lesson.completed',
        userId: user.id,
        key: `off-${user.id}`,
        subject: 'lesson-a',
      });
    expect(res).toEqual({ accepted: false, duplicate: false });
    expect(await eventRows(app, { key: `off-${user.id}` })).toHaveLength(0);
  });

  it('awards "First steps" once for a lesson, and a replayed key is a duplicate', async () => {
    await enableAchievements(app);
    const { user } = await registerMember(app);
    const events = plugin(app).service('events');
    const first = await events.record({
      type: 'lesson.completed',
      userId: user.id,
      key: `k-${user.id}`,
      subject: 'lesson-a',
    });
    const again = await events.record({
      type: 'lesson.completed',
      userId: user.id,
      key: `k-${user.id}`,
      subject: 'lesson-a',
    });
    expect(first).toEqual({ accepted: true, duplicate: false });
    expect(again).toEqual({ accepted: true, duplicate: true });
    await drain(app);
    expect(await earnedSlugs(app, user.id)).toEqual(['first-lesson']);
    expect(await eventRows(app, { key: `k-${user.id}` })).toHaveLength(1);
    expect(await progressOf(app, user.id, 'first-lesson')).toEqual({ current: 1, target: 1 });
  });

  it('refuses a bad event with a ValidationError naming the field', async () => {
    const events = plugin(app).service('events');
    await expect(events.record({ type: 'nope', userId: 1, key: 'x' } as any)).rejects.toThrow(
      /type/
    );
    await expect(
      events.record({ type: 'lesson.completed', userId: '1', key: 'x' } as any)
    ).rejects.toThrow(/userId/);
    await expect(events.record({ type: 'unknown.event', userId: 1, key: 'x' })).rejects.toThrow(
      /unknown event/
    );
  });

  it('a dry run counts the members who would earn a draft badge now, and writes nothing', async () => {
    const engine = plugin(app).service('evaluator');
    const before = await app.strapi.db.query('plugin::achievements.achievement').count({});
    const one = await engine.dryRun({ type: 'count', event: 'lesson.completed', threshold: 1 });
    const two = await engine.dryRun({ type: 'count', event: 'lesson.completed', threshold: 2 });
    expect(one.members).toBe(1);
    expect(two.members).toBe(0);
    expect(one.evaluated).toBeGreaterThanOrEqual(1);
    expect(await app.strapi.db.query('plugin::achievements.achievement').count({})).toBe(before);
  });

  it('an event recorded in a host transaction that rolls back leaves no row, and its key stays first-time', async () => {
    await enableAchievements(app);
    const { user } = await registerMember(app);
    const events = plugin(app).service('events');
    const input = {
      type: 'lesson.completed',
      userId: user.id,
      key: `rolled-back-${user.id}`,
      subject: 'lesson-r',
    };
    await expect(
      app.strapi.db.transaction(async () => {
        expect(await events.record(input)).toEqual({ accepted: true, duplicate: false });
        throw new Error('the host write failed');
      })
    ).rejects.toThrow('the host write failed');
    expect(await eventRows(app, { key: input.key })).toHaveLength(0);
    // Retried after the failure: recorded for real (not mistaken for a duplicate) and awarded.
    expect(await events.record(input)).toEqual({ accepted: true, duplicate: false });
    expect(await events.record(input)).toEqual({ accepted: true, duplicate: true });
    await drain(app);
    expect(await eventRows(app, { key: input.key })).toHaveLength(1);
    expect(await earnedSlugs(app, user.id)).toEqual(['first-lesson']);
  });

  it('a key another process wrote to the ledger is a duplicate here too', async () => {
    await enableAchievements(app);
    const { user } = await registerMember(app);
    const key = `elsewhere-${user.id}`;
    // Another process sharing the database wrote this key: this process has never seen it.
    const meta = app.strapi.db.metadata.get('plugin::achievements.event') as any;
    const col = (attribute: string) => meta.attributes[attribute].columnName ?? attribute;
    const now = new Date();
    await app.strapi.db.connection(meta.tableName).insert({
      [col('documentId')]: `elsewhere${user.id}`.padEnd(24, 'x'),
      [col('key')]: key,
      [col('type')]: 'lesson.completed',
      [col('userId')]: user.id,
      [col('subject')]: 'lesson-e',
      [col('occurredAt')]: now,
      [col('processedAt')]: now,
      [col('attempts')]: 0,
      [col('source')]: 'api',
      [col('createdAt')]: now,
      [col('updatedAt')]: now,
      [col('publishedAt')]: now,
    });
    const events = plugin(app).service('events');
    const input = { type: 'lesson.completed', userId: user.id, key, subject: 'lesson-e' };
    expect(await events.record(input)).toEqual({ accepted: true, duplicate: true });
    expect(await events.record(input)).toEqual({ accepted: true, duplicate: true });
    expect(await eventRows(app, { key })).toHaveLength(1);
  });
});
