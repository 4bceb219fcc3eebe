import { defaultsDeep } from 'lodash/fp';
import { DEFAULT_CONFIG } from '../../../server/src/config';
import {
  resolveConfig,
  type ModelAttribute,
  type ModelLookup,
} from '../../../server/src/config/resolve';
import type { PluginConfig } from '../../../server/src/config/schema';
import { DEFAULT_BADGES, earnableDefaults } from '../../../server/src/seed/default-catalog';

const USER = 'plugin::users-permissions.user';
const relation = (target: string): ModelAttribute => ({
  type: 'relation',
  relation: 'manyToOne',
  target,
});

/** A fresh app's user model (no avatar, bio, social links or timezone) plus the given types. */
const appWith = (
  types: Record<string, Record<string, ModelAttribute>> = {},
  userExtras: Record<string, ModelAttribute> = {}
): ModelLookup => {
  const models: Record<string, Record<string, ModelAttribute>> = {
    [USER]: {
      username: { type: 'string' },
      email: { type: 'email' },
      role: relation('plugin::users-permissions.role'),
      ...userExtras,
    },
    'plugin::upload.file': { url: { type: 'string' } },
    ...types,
  };
  return (uid) => (models[uid] ? { attributes: models[uid] } : undefined);
};

const LESSONS = {
  'api::lesson.lesson': { title: { type: 'string' } },
  'api::lesson-completion.lesson-completion': {
    user: relation(USER),
    lesson: relation('api::lesson.lesson'),
    completedAt: { type: 'datetime' },
  },
};
const lessonTrigger = {
  uid: 'api::lesson-completion.lesson-completion',
  action: 'create' as const,
  event: 'lesson.completed',
  user: 'user',
  subject: 'lesson',
};

/** The config Strapi hands the plugin: the user's, filled from the plugin's defaults. */
const merged = (user: Partial<PluginConfig>): PluginConfig =>
  defaultsDeep(DEFAULT_CONFIG, user) as PluginConfig;

describe('resolving the config against the app (register)', () => {
  it('derives app-dependent defaults from what a fresh app has', () => {
    const resolved = resolveConfig(merged({ triggers: [lessonTrigger] }), appWith(LESSONS));
    expect(resolved.streakEvents).toEqual(['lesson.completed']);
    expect(resolved.profileFields).toEqual([]);
    expect(resolved.timezoneField).toBeNull();
  });

  it('finds the profile fields and timezone an extended user model has', () => {
    const resolved = resolveConfig(
      merged({}),
      appWith(
        {},
        { bio: { type: 'text' }, timezone: { type: 'string' }, avatar: { type: 'media' } }
      )
    );
    expect(resolved.profileFields).toEqual(['avatar', 'bio']);
    expect(resolved.timezoneField).toBe('timezone');
    expect(resolved.streakEvents).toEqual([]);
  });

  it('keeps a user value over the default: an empty array means empty', () => {
    const resolved = resolveConfig(
      merged({ triggers: [lessonTrigger], streakEvents: [], profileFields: [] }),
      appWith(LESSONS, { bio: { type: 'text' } })
    );
    expect(resolved.streakEvents).toEqual([]);
    expect(resolved.profileFields).toEqual([]);
  });

  it('streak events default to completions only, not retractions or other facts', () => {
    const resolved = resolveConfig(
      merged({
        triggers: [
          lessonTrigger,
          {
            ...lessonTrigger,
            action: 'delete',
            event: 'lesson.undone',
            retracts: 'lesson.completed',
          },
          { ...lessonTrigger, event: 'comment.created' },
        ],
        externalEvents: ['quiz.completed', 'video.watched'],
      }),
      appWith(LESSONS)
    );
    expect(resolved.streakEvents).toEqual(['lesson.completed', 'quiz.completed']);
  });

  it.each([
    [
      { triggers: [{ ...lessonTrigger, uid: 'api::missing.missing' }] },
      'achievements.triggers.0.uid: this app has no content type "api::missing.missing": create it',
    ],
    [
      { triggers: [{ ...lessonTrigger, user: 'member' }] },
      'achievements.triggers.0.user: "api::lesson-completion.lesson-completion" has no attribute "member": add a relation "member" to plugin::users-permissions.user there',
    ],
    [
      { triggers: [{ ...lessonTrigger, user: 'lesson' }] },
      'achievements.triggers.0.user: "lesson" of "api::lesson-completion.lesson-completion" is a relation to api::lesson.lesson: a member path must end at a relation to plugin::users-permissions.user',
    ],
    [
      { triggers: [{ ...lessonTrigger, subject: 'lesson.course' }] },
      'achievements.triggers.0.subject: "api::lesson.lesson" has no attribute "course"',
    ],
    [
      { triggers: [{ ...lessonTrigger, data: ['completedAt', 'score'] }] },
      'achievements.triggers.0.data.1: "api::lesson-completion.lesson-completion" has no attribute "score"',
    ],
    [
      { triggers: [{ ...lessonTrigger, when: { status: 'done' } }] },
      'achievements.triggers.0.when.status: "api::lesson-completion.lesson-completion" has no attribute "status"',
    ],
    [
      { profileFields: ['bio'] },
      'achievements.profileFields.0: the users-permissions user has no attribute "bio": add it to the users-permissions user model (README: "Profile fields and timezones")',
    ],
    [
      { timezoneField: 'tz' },
      'achievements.timezoneField: the users-permissions user has no attribute "tz"',
    ],
    [
      { timezoneField: 'role' },
      'achievements.timezoneField: "role" is a relation attribute; a timezone is a string',
    ],
  ])('refuses %j at start-up, saying what to add', (config, message) => {
    expect(() => resolveConfig(merged(config as Partial<PluginConfig>), appWith(LESSONS))).toThrow(
      message
    );
  });

  it('accepts system attributes and paths through relations and into JSON', () => {
    const app = appWith({
      ...LESSONS,
      'api::reaction.reaction': {
        author: relation(USER),
        post: relation('api::post.post'),
        meta: { type: 'json' },
      },
      'api::post.post': { author: relation(USER) },
    });
    expect(() =>
      resolveConfig(
        merged({
          triggers: [
            {
              uid: 'api::reaction.reaction',
              action: 'create',
              event: 'reaction.received',
              user: 'post.author',
              actor: 'author',
              occurredAt: 'createdAt',
              data: ['meta.kind', 'documentId'],
            },
          ],
        }),
        app
      )
    ).not.toThrow();
  });

  it('lists every problem at once', () => {
    expect(() =>
      resolveConfig(
        merged({ triggers: [{ ...lessonTrigger, uid: 'api::x.x' }], profileFields: ['bio'] }),
        appWith(LESSONS)
      )
    ).toThrow(/triggers\.0\.uid.*; achievements\.profileFields\.0/);
  });
});

describe('the default badges an app can earn (seeding)', () => {
  const slugs = (badges: { slug: string }[]) => badges.map((b) => b.slug);

  it('a fresh app with lesson and post triggers: no profile, streak, module or course badges', () => {
    const badges = earnableDefaults(DEFAULT_BADGES, {
      events: new Set(['profile.updated', 'lesson.completed', 'post.published', 'post.retracted']),
      profileFields: [],
      streakEvents: [],
    });
    expect(slugs(badges)).toEqual([
      'first-lesson',
      'first-post',
      'points-1000',
      'active-30-days',
      'completionist',
    ]);
    // The activity badge counts only the events this app produces.
    expect(badges.find((b) => b.slug === 'active-30-days')!.criteria).toMatchObject({
      event: ['lesson.completed', 'post.published'],
    });
  });

  it('profile badges follow the fields the user model has; streaks follow streak events', () => {
    const badges = earnableDefaults(DEFAULT_BADGES, {
      events: new Set(['profile.updated', 'lesson.completed']),
      profileFields: ['bio', 'avatar'],
      streakEvents: ['lesson.completed'],
    });
    expect(slugs(badges)).toEqual(
      expect.arrayContaining(['profile-picture', 'complete-bio', 'streak-3', 'streak-30'])
    );
    expect(slugs(badges)).not.toContain('social-links');
    expect(slugs(badges)).not.toContain('complete-profile');
    expect(slugs(badges)).toContain('five-badges'); // 2 profile + first lesson + 3 streaks
  });

  it('the example academy earns the whole catalog', () => {
    const events = new Set(
      DEFAULT_BADGES.flatMap((b) => (b.criteria.type === 'count' ? [b.criteria.event].flat() : []))
    );
    const badges = earnableDefaults(DEFAULT_BADGES, {
      events,
      profileFields: ['avatar', 'bio', 'socialLinks'],
      streakEvents: ['lesson.completed'],
    });
    expect(badges).toEqual(DEFAULT_BADGES);
  });
});
