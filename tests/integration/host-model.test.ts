import { registerMember, setupTestApp } from './helpers/strapi';
import { academy, ok } from './support/academy';
import {
  drain,
  earnedSlugs,
  enableAchievements,
  recordEvent,
  streakOf,
} from './support/achievements';
import { API_PREFIX, call } from './support/openapi';

const app = setupTestApp();

/**
 * The plugin reads the host's user model at run time (timezones). When the model no longer has
 * what the config resolved at start-up (another process migrated it, an attribute was dropped),
 * the plugin logs it once and degrades: the engine keeps awarding, reads keep answering.
 */
describe('a host model that changed after start-up', () => {
  const config = () => app.strapi.config.get('plugin::achievements') as Record<string, unknown>;
  let resolvedField: unknown;

  beforeAll(async () => {
    await enableAchievements(app);
    resolvedField = config().timezoneField;
  });

  afterAll(() => {
    app.strapi.config.set('plugin::achievements', { ...config(), timezoneField: resolvedField });
  });

  it('resolved the academy’s timezone attribute at start-up', () => {
    expect(resolvedField).toBe('timezone');
  });

  it('without the timezone attribute: awards, answers every read, and warns once', async () => {
    const member = await registerMember(app);
    ok(await academy(app).updateProfile(member, { timezone: 'Asia/Tokyo' }));
    const warnings: string[] = [];
    const warn = app.strapi.log.warn;
    app.strapi.log.warn = ((message: string) => {
      warnings.push(String(message));
    }) as typeof warn;
    try {
      // What the running process holds now names an attribute the model does not have.
      app.strapi.config.set('plugin::achievements', { ...config(), timezoneField: 'tzGone' });
      await recordEvent(app, 'lesson.completed', member.user.id, 'model-1', 'lesson-1');
      await drain(app);
      expect(await earnedSlugs(app, member.user.id)).toContain('first-lesson');
      const streak = await streakOf(app, member.user.id);
      expect(streak).toMatchObject({ current: 1, timezone: 'UTC' });

      const reads = [
        await call(app, 'GET', `${API_PREFIX}/me`, { token: member.jwt }),
        await call(app, 'GET', `${API_PREFIX}/users/${member.user.id}`),
        await call(app, 'GET', `${API_PREFIX}/users/${member.user.id}/card`),
        await call(app, 'GET', `${API_PREFIX}/badges`, { token: member.jwt }),
      ];
      expect(reads.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(reads[0].body.streak.timezone).toBe('UTC');
      await call(app, 'GET', `${API_PREFIX}/me`, { token: member.jwt });
      const about = warnings.filter((w) => w.includes('"tzGone"'));
      expect(about).toHaveLength(1);
      expect(about[0]).toContain('defaultTimezone');
    } finally {
      app.strapi.log.warn = warn;
    }
  });
});
