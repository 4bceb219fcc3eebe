import path from 'path';
import { DIST_DIR } from './helpers/paths';
import { setupTestApp } from './helpers/strapi';

/** The demo seed (`node scripts/seed.js` runs the same function): complete, and idempotent. */
const app = setupTestApp();

type Seed = (strapi: unknown) => Promise<{ line: string; created: number }>;
const { seed } = require(path.join(DIST_DIR, 'src', 'seed.js')) as { seed: Seed };

const count = (uid: string, where: Record<string, unknown> = {}) =>
  app.strapi.db.query(uid as 'api::course.course').count({ where });

describe('seed', () => {
  it('creates the demo academy once; a second run creates nothing', async () => {
    const first = await seed(app.strapi);
    expect(first.created).toBeGreaterThan(200);
    expect(first.line).toMatch(/^\[academy\] seed: 2 courses, 6 modules, 24 lessons, 20 members/);

    const settings = await app.strapi.plugin('achievements').service('settings').get();
    expect(settings.enabled).toBe(true);

    const published = { publishedAt: { $notNull: true } };
    const totals = async () => ({
      courses: await count('api::course.course', published),
      modules: await count('api::module.module', published),
      lessons: await count('api::lesson.lesson', published),
      members: await count('plugin::users-permissions.user'),
      avatars: await count('plugin::users-permissions.user', {
        avatar: { id: { $notNull: true } },
      }),
      lessonCompletions: await count('api::lesson-completion.lesson-completion'),
      moduleCompletions: await count('api::module-completion.module-completion'),
      completedCourses: await count('api::enrollment.enrollment', { status: 'completed' }),
      posts: await count('api::post.post', published),
      comments: await count('api::comment.comment'),
      helpful: await count('api::comment.comment', { helpful: true }),
      reactions: await count('api::reaction.reaction'),
    });
    const before = await totals();
    expect(before).toEqual({
      courses: 2,
      modules: 6,
      lessons: 24,
      members: 20,
      avatars: 8,
      lessonCompletions: 83,
      moduleCompletions: 16,
      completedCourses: 2,
      posts: 8,
      comments: 19,
      helpful: 8,
      reactions: 26,
    });

    // Timezones from several continents.
    const zones = await app.strapi.db
      .query('plugin::users-permissions.user')
      .findMany({ select: ['timezone'] });
    const continents = new Set(
      zones.map((u: { timezone: string | null }) => u.timezone?.split('/')[0])
    );
    for (const c of ['Africa', 'America', 'Asia', 'Europe', 'Australia', 'Pacific']) {
      expect(continents.has(c)).toBe(true);
    }

    const second = await seed(app.strapi);
    expect(second.created).toBe(0);
    expect(second.line).toMatch(/; 0 records created by this run$/);
    expect(await totals()).toEqual(before);
  });
});
