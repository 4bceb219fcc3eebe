import {
  CRITERIA_LIMITS,
  criteriaKinds,
  criteriaSchema,
  listenedEvents,
  parseCriteria,
} from '../../../engine/criteria';
import type { Criteria } from '../../../engine/criteria';

const issuesOf = (input: unknown, ctx?: Parameters<typeof parseCriteria>[1]) => {
  const r = parseCriteria(input, ctx);
  if (r.ok) throw new Error(`expected refusal of ${JSON.stringify(input)}`);
  return r.issues;
};

const nest = (levels: number): unknown => {
  // Built iteratively: a recursive builder would itself overflow at 10,000 levels.
  let node: unknown = { type: 'count', event: 'lesson.completed', threshold: 1 };
  for (let i = 1; i < levels; i++) node = { type: 'all', of: [node] };
  return node;
};

describe('parseCriteria: valid shapes', () => {
  const valid: Criteria[] = [
    { type: 'count', event: 'lesson.completed', threshold: 5 },
    {
      type: 'count',
      event: ['post.published', 'comment.created'],
      threshold: 10,
      distinct: 'day',
      where: { helpful: true, score: 3, kind: 'answer', parent: null },
      withinDays: 7,
    },
    { type: 'count', event: 'reaction.received', threshold: 10, distinct: 'actor' },
    { type: 'count', event: 'lesson.completed', threshold: 1, distinct: 'subject' },
    { type: 'profile', fields: ['avatar', 'bio', 'socialLinks'] },
    { type: 'streak', days: 7 },
    { type: 'badges', count: 5 },
    { type: 'badges', category: 'courses' },
    { type: 'badges', badges: ['first-lesson', 'first-post'], count: 1 },
    { type: 'points', threshold: 1000 },
    { type: 'points', threshold: CRITERIA_LIMITS.maxPoints },
    { type: 'manual' },
    {
      type: 'all',
      of: [
        { type: 'streak', days: 3 },
        { type: 'any', of: [{ type: 'manual' }, { type: 'points', threshold: 10 }] },
      ],
    },
  ];
  it.each(valid.map((c) => [c.type, c]))('accepts %s', (_t, c) => {
    const r = parseCriteria(c);
    expect(r).toEqual({ ok: true, criteria: c });
    expect(criteriaSchema.safeParse(c).success).toBe(true);
  });

  it('accepts exactly maxDepth levels', () => {
    expect(parseCriteria(nest(CRITERIA_LIMITS.maxDepth)).ok).toBe(true);
  });

  it('accepts events and fields known to the context', () => {
    const ctx = { knownEvents: ['lesson.completed'], profileFields: ['avatar'] };
    expect(parseCriteria({ type: 'count', event: 'lesson.completed', threshold: 2 }, ctx).ok).toBe(
      true
    );
    expect(parseCriteria({ type: 'profile', fields: ['avatar'] }, ctx).ok).toBe(true);
  });
});

describe('parseCriteria: refusals name the field', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['unknown type', { type: 'level' }, 'criteria.type', /type must be one of count, profile/],
    ['not an object', 'count', 'criteria', /must be an object/],
    [
      'negative threshold',
      { type: 'count', event: 'lesson.completed', threshold: -1 },
      'criteria.threshold',
      /^threshold must be a whole number between 1 and 1,000,000$/,
    ],
    [
      'zero threshold',
      { type: 'count', event: 'lesson.completed', threshold: 0 },
      'criteria.threshold',
      /threshold must be a whole number/,
    ],
    [
      'threshold 10**12',
      { type: 'count', event: 'lesson.completed', threshold: 10 ** 12 },
      'criteria.threshold',
      /between 1 and 1,000,000/,
    ],
    [
      'points above the limit',
      { type: 'points', threshold: 10 ** 12 },
      'criteria.threshold',
      /between 1 and 1,000,000,000/,
    ],
    [
      'string where a number belongs',
      { type: 'count', event: 'lesson.completed', threshold: '5' },
      'criteria.threshold',
      /whole number/,
    ],
    ['string days', { type: 'streak', days: '7' }, 'criteria.days', /^days must be a whole number/],
    [
      'float threshold',
      { type: 'count', event: 'lesson.completed', threshold: 2.5 },
      'criteria.threshold',
      /whole number/,
    ],
    [
      'float withinDays',
      { type: 'count', event: 'lesson.completed', threshold: 2, withinDays: 0.5 },
      'criteria.withinDays',
      /^withinDays must be a whole number between 1 and 3,650$/,
    ],
    [
      'NaN threshold',
      { type: 'count', event: 'lesson.completed', threshold: NaN },
      'criteria.threshold',
      /whole number/,
    ],
    [
      'unknown key',
      { type: 'streak', days: 7, colour: 'red' },
      'criteria.colour',
      /"colour" is not a known field of a streak criteria/,
    ],
    ['empty all.of', { type: 'all', of: [] }, 'criteria.of', /of must list between 1 and 20/],
    [
      'too many children',
      { type: 'any', of: Array.from({ length: 21 }, () => ({ type: 'manual' })) },
      'criteria.of',
      /between 1 and 20/,
    ],
    [
      'bad nested threshold',
      { type: 'all', of: [{ type: 'manual' }, { type: 'points', threshold: -5 }] },
      'criteria.of.1.threshold',
      /threshold must be/,
    ],
    [
      'bad event name',
      { type: 'count', event: 'LessonCompleted', threshold: 1 },
      'criteria.event',
      /event "LessonCompleted" is not a valid event name/,
    ],
    [
      'too many events',
      { type: 'count', event: Array.from({ length: 11 }, (_, i) => `e${i}.done`), threshold: 1 },
      'criteria.event',
      /between 1 and 10/,
    ],
    [
      'unknown distinct',
      { type: 'count', event: 'lesson.completed', threshold: 1, distinct: 'week' },
      'criteria.distinct',
      /distinct must be one of subject, actor, day/,
    ],
    [
      'object in where',
      { type: 'count', event: 'lesson.completed', threshold: 1, where: { a: { b: 1 } } },
      'criteria.where.a',
      /where values/,
    ],
    ['bad category slug', { type: 'badges', category: 'My Courses' }, 'criteria.category', /slug/],
    ['empty profile fields', { type: 'profile', fields: [] }, 'criteria.fields', /at least one/],
    [
      'badges count beyond its list',
      { type: 'badges', count: 3, badges: ['a', 'b'] },
      'criteria.count',
      /number of listed badges/,
    ],
    ['missing threshold', { type: 'points' }, 'criteria.threshold', /threshold must be/],
  ];

  it.each(cases)('%s', (_name, input, path, message) => {
    const issues = issuesOf(input);
    const hit = issues.find((i) => i.path === path);
    expect(hit).toBeDefined();
    expect(hit!.message).toMatch(message);
  });

  it('reports each unknown key at its own path', () => {
    const issues = issuesOf({ type: 'manual', a: 1, b: 2 });
    expect(issues.map((i) => i.path).sort()).toEqual(['criteria.a', 'criteria.b']);
  });

  it('refuses nesting 50 levels deep at the first too-deep node', () => {
    const issues = issuesOf(nest(50));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe(`criteria${'.of.0'.repeat(CRITERIA_LIMITS.maxDepth)}`);
    expect(issues[0].message).toMatch(/nested too deeply/);
  });

  it('refuses maxDepth + 1 levels', () => {
    expect(issuesOf(nest(CRITERIA_LIMITS.maxDepth + 1))[0].path).toBe(
      `criteria${'.of.0'.repeat(CRITERIA_LIMITS.maxDepth)}`
    );
  });

  it('refuses 10,000 levels quickly without overflowing the stack', () => {
    const input = nest(10_000);
    const started = Date.now();
    const issues = issuesOf(input);
    expect(Date.now() - started).toBeLessThan(100);
    expect(issues[0].message).toMatch(/nested too deeply/);
  });

  it('refuses an event the host does not know, naming it and listing known ones', () => {
    const ctx = { knownEvents: ['lesson.completed', 'post.published'] };
    const issues = issuesOf(
      {
        type: 'any',
        of: [
          { type: 'streak', days: 2 },
          { type: 'count', event: ['lesson.completed', 'video.watched'], threshold: 1 },
        ],
      },
      ctx
    );
    expect(issues).toEqual([
      {
        path: 'criteria.of.1.event.1',
        message: expect.stringMatching(/"video\.watched".*lesson\.completed, post\.published/),
      },
    ]);
  });

  it('refuses unknown profile fields when the host lists them', () => {
    const issues = issuesOf(
      { type: 'profile', fields: ['avatar', 'shoeSize'] },
      { profileFields: ['avatar', 'bio'] }
    );
    expect(issues).toEqual([
      { path: 'criteria.fields.1', message: expect.stringMatching(/"shoeSize".*avatar, bio/) },
    ]);
  });
});

describe('tree helpers', () => {
  const c: Criteria = {
    type: 'all',
    of: [
      { type: 'count', event: ['lesson.completed', 'module.completed'], threshold: 3 },
      {
        type: 'any',
        of: [
          { type: 'count', event: 'lesson.completed', threshold: 1 },
          { type: 'count', event: 'post.published', threshold: 1 },
          { type: 'streak', days: 3 },
        ],
      },
    ],
  };

  it('listenedEvents lists every event once', () => {
    expect(listenedEvents(c)).toEqual(['lesson.completed', 'module.completed', 'post.published']);
    expect(listenedEvents({ type: 'manual' })).toEqual([]);
  });

  it('criteriaKinds lists every kind in the tree', () => {
    expect([...criteriaKinds(c)].sort()).toEqual(['all', 'any', 'count', 'streak']);
  });
});
