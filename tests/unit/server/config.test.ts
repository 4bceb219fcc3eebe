import config, { DEFAULT_CONFIG } from '../../../server/src/config';

const valid = {
  ...DEFAULT_CONFIG,
  triggers: [
    {
      uid: 'api::lesson-completion.lesson-completion',
      action: 'create',
      event: 'lesson.completed',
      user: 'user',
    },
    { uid: 'api::post.post', action: 'publish', event: 'post.published', user: 'author' },
    {
      uid: 'api::post.post',
      action: 'delete',
      event: 'post.retracted',
      user: 'author',
      retracts: 'post.published',
    },
  ],
  streakEvents: ['lesson.completed'],
};

describe('plugin config validation (stops Strapi at start-up)', () => {
  it('accepts the defaults with triggers', () => {
    expect(() => config.validator(valid)).not.toThrow();
  });

  it.each([
    [{ defaultTimezone: 'Mars/Olympus' }, 'achievements.defaultTimezone'],
    [{ freezesPerMonth: -1 }, 'achievements.freezesPerMonth'],
    [{ freezesPerMonth: 1.5 }, 'achievements.freezesPerMonth'],
    [{ streakEvents: ['video.watched'] }, 'achievements.streakEvents.0'],
    [
      { processing: { pollIntervalMs: 5, batchSize: 10, leaseMs: 60000 } },
      'achievements.processing.pollIntervalMs',
    ],
    [
      {
        processing: {
          pollIntervalMs: 500,
          batchSize: 10,
          leaseMs: 60000,
          coalesceMs: 0,
          engine: 'no',
        },
      },
      'achievements.processing.engine',
    ],
    [{ colour: 'red' }, 'achievements.colour'],
    [{ triggers: [{ ...valid.triggers[0], uid: 'lesson' }] }, 'achievements.triggers.0.uid'],
    [{ triggers: [{ ...valid.triggers[0], action: 'upsert' }] }, 'achievements.triggers.0.action'],
    [
      { triggers: [{ ...valid.triggers[0], event: 'Lesson Completed' }] },
      'achievements.triggers.0.event',
    ],
    [{ triggers: [{ ...valid.triggers[0], user: 'author..id' }] }, 'achievements.triggers.0.user'],
    [
      { triggers: [{ ...valid.triggers[0], when: { status: { $eq: 'x' } } }] },
      'achievements.triggers.0.when.status',
    ],
    [{ triggers: [{ ...valid.triggers[0], surprise: 1 }] }, 'achievements.triggers.0.surprise'],
    [
      { triggers: [...valid.triggers, { ...valid.triggers[2], retracts: 'post.deleted' }] },
      'achievements.triggers.3.retracts',
    ],
    [
      {
        triggers: [
          ...valid.triggers,
          { uid: 'api::post.post', action: 'unpublish', event: 'post.hidden', user: 'author' },
        ],
      },
      'achievements.triggers.3.retracts',
    ],
  ])('refuses %j naming %s', (patch, key) => {
    expect(() => config.validator({ ...valid, ...patch })).toThrow(key);
  });

  it.each([
    ['yesterday', 'must be an ISO 8601 date'],
    ['1990-02-30', 'must be an ISO 8601 date'],
    ['1899-12-31', 'must not be before 1900-01-01'],
    ['2999-01-01', 'must not be in the future'],
    [19900101, 'must be an ISO 8601 date'],
  ])('refuses oldestEvent %j: %s', (oldestEvent, message) => {
    expect(() => config.validator({ ...valid, oldestEvent })).toThrow(
      `achievements.oldestEvent: ${message}`
    );
  });

  it('accepts an older oldestEvent for imports (a date or a date-time), and defaults to 1990', () => {
    expect(DEFAULT_CONFIG.oldestEvent).toBe('1990-01-01');
    for (const oldestEvent of ['1900-01-01', '1970-01-01', '2001-09-09T01:46:40Z']) {
      expect(() => config.validator({ ...valid, oldestEvent })).not.toThrow();
    }
  });

  it('accepts an empty list of streak events (no streaks) and leaving app-dependent keys out', () => {
    expect(() => config.validator({ ...valid, streakEvents: [] })).not.toThrow();
    const { streakEvents: _s, ...withoutStreakEvents } = valid;
    expect(() => config.validator(withoutStreakEvents)).not.toThrow();
  });

  it('says what to add for a streak event nothing produces', () => {
    expect(() => config.validator({ ...valid, streakEvents: ['module.completed'] })).toThrow(
      /streakEvents\.0: "module\.completed" is not an event .* add a trigger .*externalEvents/
    );
  });

  it('has no non-empty array default (Strapi merges arrays by index: [] would not mean empty)', () => {
    const arrays = Object.values(DEFAULT_CONFIG).filter(Array.isArray);
    expect(arrays.every((a) => a.length === 0)).toBe(true);
  });
});
