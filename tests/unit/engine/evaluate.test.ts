import { CatalogIndex, decide, evaluateCriteria, timesEarnable } from '../../../engine/evaluate';
import type { BadgeDef, Held, MemberFacts } from '../../../engine/evaluate';
import type { Criteria } from '../../../engine/criteria';
import { Tally } from '../../../engine/tally';

const NOW = Date.parse('2026-02-01T12:00:00Z');
const retractions = {
  'post.retracted': 'post.published',
  'reaction.withdrawn': 'reaction.received',
  'comment.deleted': 'comment.created',
};

let nextId = 1;
const badge = (
  slug: string,
  category: string | null,
  points: number,
  criteria: Criteria,
  extra: Partial<BadgeDef> = {}
): BadgeDef => ({
  id: nextId++,
  slug,
  category,
  points,
  criteria,
  repeatable: false,
  maxRepeats: null,
  autoRevoke: false,
  enabled: true,
  ...extra,
});

const B = {
  firstLesson: badge('first-lesson', 'courses', 10, {
    type: 'count',
    event: 'lesson.completed',
    threshold: 1,
  }),
  module: badge('complete-module', 'courses', 20, {
    type: 'count',
    event: 'module.completed',
    threshold: 1,
  }),
  course: badge('complete-course', 'courses', 50, {
    type: 'count',
    event: 'course.completed',
    threshold: 1,
  }),
  streak3: badge('streak-3', 'courses', 10, { type: 'streak', days: 3 }),
  oldCourse: badge(
    'retired-course-badge',
    'courses',
    500,
    { type: 'count', event: 'lesson.completed', threshold: 1 },
    { enabled: false }
  ),
  avatar: badge('add-avatar', 'profile', 5, { type: 'profile', fields: ['avatar'] }),
  firstPost: badge(
    'first-post',
    'community',
    10,
    { type: 'count', event: 'post.published', threshold: 1 },
    { autoRevoke: true }
  ),
  commenter: badge('commenter', 'community', 20, {
    type: 'count',
    event: 'comment.created',
    threshold: 10,
  }),
  reactions: badge(
    'reactions-10',
    'community',
    30,
    { type: 'count', event: 'reaction.received', threshold: 10, distinct: 'actor' },
    { autoRevoke: true }
  ),
  mentor: badge('mentor', 'community', 100, { type: 'manual' }),
  lessons10: badge(
    'ten-lessons',
    'engagement',
    5,
    { type: 'count', event: 'lesson.completed', threshold: 10 },
    { repeatable: true, maxRepeats: 3, autoRevoke: true }
  ),
  fiveBadges: badge('five-badges', 'engagement', 50, { type: 'badges', count: 5 }),
  points100: badge('points-100', 'engagement', 0, { type: 'points', threshold: 100 }),
  completionist: badge(
    'completionist',
    'engagement',
    0,
    { type: 'badges', category: 'courses' },
    { secret: true }
  ),
};
const catalog = new CatalogIndex(Object.values(B), { retractions });

type Ev = { type: string; subject?: string; actorId?: number; at?: number; data?: object };

function factsFor(events: Ev[], held: Held[] = [], streak = { current: 0, longest: 0 }) {
  const tally = new Tally({ retractions, timezone: 'UTC' });
  events.forEach((e, i) =>
    tally.apply({
      type: e.type,
      userId: 1,
      subject: e.subject ?? `${e.type}:${i}`,
      actorId: e.actorId ?? null,
      occurredAt: e.at ?? NOW - 1000 + i,
      data: (e.data as Record<string, unknown>) ?? null,
    })
  );
  const earned = held
    .filter((h) => !h.revoked)
    .map(({ badgeId, sequence }) => ({ badgeId, sequence }));
  const facts: MemberFacts = { tally, streak, earned, now: NOW };
  return facts;
}

const many = (type: string, n: number, extra: (i: number) => Partial<Ev> = () => ({})): Ev[] =>
  Array.from({ length: n }, (_, i) => ({ type, ...extra(i) }));

const holds = (...badges: BadgeDef[]): Held[] =>
  badges.map((b) => ({ badgeId: b.id, sequence: 1, revoked: false, manual: false }));

const progressOf = (d: ReturnType<typeof decide>, b: BadgeDef) =>
  d.progress.find((p) => p.badgeId === b.id);

describe('thresholds', () => {
  it('9 of 10 shows progress 9/10 and awards nothing', () => {
    const facts = factsFor(many('comment.created', 9));
    const d = decide(catalog.badgesFor('comment.created'), facts, [], catalog);
    expect(d.awards).toEqual([]);
    expect(progressOf(d, B.commenter)).toEqual({ badgeId: B.commenter.id, current: 9, target: 10 });
  });

  it('10 of 10 awards sequence 1, once', () => {
    const facts = factsFor(many('comment.created', 10));
    const d = decide(catalog.badgesFor('comment.created'), facts, [], catalog);
    expect(d.awards).toEqual([{ badgeId: B.commenter.id, sequence: 1 }]);
    expect(progressOf(d, B.commenter)).toEqual({
      badgeId: B.commenter.id,
      current: 10,
      target: 10,
    });
    const again = decide(catalog.badgesFor('comment.created'), facts, holds(B.commenter), catalog);
    expect(again.awards).toEqual([]);
  });

  it('distinct actors: ten reactions from one member are one', () => {
    const facts = factsFor(many('reaction.received', 10, () => ({ actorId: 7 })));
    expect(evaluateCriteria(B.reactions.criteria, facts, catalog, B.reactions)).toEqual({
      current: 1,
      target: 10,
      met: false,
    });
  });
});

describe('repeatable badges', () => {
  it('awards one sequence per threshold, capped by maxRepeats', () => {
    const facts25 = factsFor(many('lesson.completed', 25));
    expect(timesEarnable(B.lessons10, facts25, catalog)).toBe(2);
    const d = decide([B.lessons10], facts25, [], catalog);
    expect(d.awards).toEqual([
      { badgeId: B.lessons10.id, sequence: 1 },
      { badgeId: B.lessons10.id, sequence: 2 },
    ]);
    expect(progressOf(d, B.lessons10)).toMatchObject({ current: 5, target: 10 });

    const facts45 = factsFor(many('lesson.completed', 45));
    expect(timesEarnable(B.lessons10, facts45, catalog)).toBe(3);
    const held = [1, 2].map((sequence) => ({
      badgeId: B.lessons10.id,
      sequence,
      revoked: false,
      manual: false,
    }));
    const d45 = decide([B.lessons10], facts45, held, catalog);
    expect(d45.awards).toEqual([{ badgeId: B.lessons10.id, sequence: 3 }]);
    expect(progressOf(d45, B.lessons10)).toMatchObject({ current: 10, target: 10 });
  });

  it('unbounded when maxRepeats is null', () => {
    const b = { ...B.lessons10, maxRepeats: null };
    expect(timesEarnable(b, factsFor(many('lesson.completed', 95)), catalog)).toBe(9);
  });

  it('a non-repeatable badge is earnable once', () => {
    expect(timesEarnable(B.commenter, factsFor(many('comment.created', 40)), catalog)).toBe(1);
  });
});

describe('auto-revoke', () => {
  const post = { type: 'post.published', subject: 'post-1', at: NOW - 5000 };
  const retract = { type: 'post.retracted', subject: 'post-1', at: NOW - 4000 };

  it('revokes when the criteria no longer hold, and re-awards when they hold again', () => {
    const held = holds(B.firstPost);
    const gone = decide(
      catalog.badgesFor('post.retracted'),
      factsFor([post, retract], held),
      held,
      catalog
    );
    expect(gone.awards).toEqual([]);
    expect(gone.revokes).toEqual([
      { badgeId: B.firstPost.id, sequence: 1, reason: 'criteria no longer met' },
    ]);

    const revoked: Held[] = [
      { badgeId: B.firstPost.id, sequence: 1, revoked: true, manual: false },
    ];
    const republished = { type: 'post.published', subject: 'post-1', at: NOW - 3000 };
    const back = decide(
      catalog.badgesFor('post.published'),
      factsFor([post, retract, republished], revoked),
      revoked,
      catalog
    );
    expect(back.awards).toEqual([{ badgeId: B.firstPost.id, sequence: 1 }]);
    expect(back.revokes).toEqual([]);
  });

  it('revokes only the sequences above what is still earnable', () => {
    const held = [1, 2, 3].map((sequence) => ({
      badgeId: B.lessons10.id,
      sequence,
      revoked: false,
      manual: false,
    }));
    const d = decide([B.lessons10], factsFor(many('lesson.completed', 25), held), held, catalog);
    expect(d.revokes).toEqual([
      { badgeId: B.lessons10.id, sequence: 3, reason: 'criteria no longer met' },
    ]);
  });

  it('never revokes a manual award or a badge without autoRevoke', () => {
    const manualHeld: Held[] = [
      { badgeId: B.firstPost.id, sequence: 1, revoked: false, manual: true },
    ];
    expect(decide([B.firstPost], factsFor([], manualHeld), manualHeld, catalog).revokes).toEqual(
      []
    );

    const comments = many('comment.created', 10, (i) => ({ subject: `c${i}` }));
    const held = holds(B.commenter);
    const facts = factsFor([...comments, { type: 'comment.deleted', subject: 'c0' }], held);
    const d = decide(catalog.badgesFor('comment.deleted'), facts, held, catalog);
    expect(progressOf(d, B.commenter)).toMatchObject({ current: 9 });
    expect(d.revokes).toEqual([]);
  });
});

describe('meta badges', () => {
  it('earning a 5th badge awards "5 badges" and then the points badge in the same decide', () => {
    // 4 badges worth 45 points; the first post brings 5 badges / 55 points, "5 badges" adds 50.
    const held = holds(B.firstLesson, B.module, B.avatar, B.streak3);
    const events = [
      { type: 'lesson.completed' },
      { type: 'module.completed' },
      { type: 'post.published', subject: 'p' },
    ];
    const before = decide([], factsFor(events.slice(0, 2), held), held, catalog);
    expect(before.awards).toEqual([]);

    const d = decide(catalog.badgesFor('post.published'), factsFor(events, held), held, catalog);
    expect(d.awards).toEqual([
      { badgeId: B.firstPost.id, sequence: 1 },
      { badgeId: B.fiveBadges.id, sequence: 1 },
      { badgeId: B.points100.id, sequence: 1 },
    ]);
    expect(progressOf(d, B.points100)).toMatchObject({ current: 100, target: 100 });
  });

  it('shows meta progress without awarding below target', () => {
    const held = holds(B.firstLesson, B.module, B.avatar);
    const facts = factsFor([], held);
    expect(evaluateCriteria(B.fiveBadges.criteria, facts, catalog, B.fiveBadges)).toEqual({
      current: 3,
      target: 5,
      met: false,
    });
    expect(evaluateCriteria(B.points100.criteria, facts, catalog, B.points100)).toEqual({
      current: 35,
      target: 100,
      met: false,
    });
  });

  it('"every badge in Courses" needs each enabled Courses badge, and not itself', () => {
    const held = holds(B.firstLesson, B.module, B.course);
    const facts = factsFor([], held);
    expect(evaluateCriteria(B.completionist.criteria, facts, catalog, B.completionist)).toEqual({
      current: 3,
      target: 4, // the disabled Courses badge is not part of "every"
      met: false,
    });
    const d = decide([B.completionist], facts, held, catalog);
    expect(d.awards).toEqual([]);

    const all = holds(B.firstLesson, B.module, B.course, B.streak3);
    const d2 = decide([B.completionist], factsFor([], all), all, catalog);
    expect(d2.awards.map((a) => a.badgeId)).toContain(B.completionist.id);
  });

  it('revokes a meta badge when an auto-revoked badge takes it below target', () => {
    const metaRevocable = { ...B.fiveBadges, autoRevoke: true };
    const cat = new CatalogIndex(
      Object.values(B).map((b) => (b.id === metaRevocable.id ? metaRevocable : b)),
      { retractions }
    );
    const held = holds(B.firstLesson, B.module, B.avatar, B.streak3, B.firstPost, metaRevocable);
    const events = [
      { type: 'post.published', subject: 'p', at: NOW - 10 },
      { type: 'post.retracted', subject: 'p', at: NOW - 5 },
    ];
    const d = decide(cat.badgesFor('post.retracted'), factsFor(events, held), held, cat);
    expect(d.revokes.map((r) => r.badgeId)).toEqual([B.firstPost.id, metaRevocable.id]);
  });
});

describe('manual and disabled badges', () => {
  it('never awards a manual badge', () => {
    const facts = factsFor(many('comment.created', 50));
    expect(timesEarnable(B.mentor, facts, catalog)).toBe(0);
    expect(decide([B.mentor], facts, [], catalog)).toEqual({
      awards: [],
      revokes: [],
      progress: [],
    });
    expect(evaluateCriteria(B.mentor.criteria, facts, catalog)).toEqual({
      current: 0,
      target: 1,
      met: false,
    });
  });

  it('never revokes a manual badge', () => {
    const held = holds(B.mentor);
    expect(decide([B.mentor], factsFor([], held), held, catalog).revokes).toEqual([]);
  });

  it('ignores disabled badges', () => {
    const facts = factsFor(many('lesson.completed', 3));
    const d = decide([B.oldCourse], facts, [], catalog);
    expect(d).toEqual({ awards: [], revokes: [], progress: [] });
    expect(timesEarnable(B.oldCourse, facts, catalog)).toBe(0);
  });

  it('disabled badges add no points', () => {
    const held = holds(B.oldCourse, B.course);
    expect(
      evaluateCriteria({ type: 'points', threshold: 1000 }, factsFor([], held), catalog)
    ).toMatchObject({ current: 50 });
  });
});

describe('CatalogIndex', () => {
  const ids = (bs: BadgeDef[]) => bs.map((b) => b.slug).sort();

  it('badgesFor returns only enabled badges whose criteria listen to the event', () => {
    expect(ids(catalog.badgesFor('lesson.completed'))).toEqual(
      ['first-lesson', 'streak-3', 'ten-lessons'].sort()
    );
    expect(ids(catalog.badgesFor('comment.created'))).toEqual(['commenter']);
    expect(ids(catalog.badgesFor('profile.updated'))).toEqual(['add-avatar']);
    expect(ids(catalog.badgesFor('post.retracted'))).toEqual(['first-post']);
    expect(ids(catalog.badgesFor('reaction.withdrawn'))).toEqual(['reactions-10']);
    expect(catalog.badgesFor('video.watched')).toEqual([]);
  });

  it('metaBadges lists badges and points criteria', () => {
    expect(ids(catalog.metaBadges())).toEqual(['completionist', 'five-badges', 'points-100']);
  });

  it('finds badges by id, slug and category', () => {
    expect(catalog.byId(B.avatar.id)).toBe(B.avatar);
    expect(catalog.bySlug('first-post')).toBe(B.firstPost);
    expect(catalog.bySlug('nope')).toBeUndefined();
    expect(ids(catalog.inCategory('community'))).toEqual(
      ['commenter', 'first-post', 'mentor', 'reactions-10'].sort()
    );
    expect(catalog.all()).toHaveLength(Object.keys(B).length);
  });

  it('streak badges listen to the configured streak events', () => {
    const cat = new CatalogIndex([B.streak3], { streakEvents: ['video.watched'] });
    expect(ids(cat.badgesFor('video.watched'))).toEqual(['streak-3']);
    expect(cat.badgesFor('lesson.completed')).toEqual([]);
  });

  it('nested criteria listen to every event in the tree', () => {
    const b = badge('combo', null, 0, {
      type: 'all',
      of: [
        { type: 'count', event: 'quiz.passed', threshold: 1 },
        {
          type: 'any',
          of: [
            { type: 'profile', fields: ['bio'] },
            { type: 'points', threshold: 5 },
          ],
        },
      ],
    });
    const cat = new CatalogIndex([b]);
    expect(cat.badgesFor('quiz.passed')).toEqual([b]);
    expect(cat.badgesFor('profile.updated')).toEqual([b]);
    expect(cat.metaBadges()).toEqual([b]);
  });
});

describe('evaluateCriteria', () => {
  it('profile: filled / total fields', () => {
    const facts = factsFor([
      {
        type: 'profile.updated',
        data: { fields: { avatar: true, bio: false, socialLinks: true } },
      },
    ]);
    expect(
      evaluateCriteria(
        { type: 'profile', fields: ['avatar', 'bio', 'socialLinks'] },
        facts,
        catalog
      )
    ).toEqual({ current: 2, target: 3, met: false });
  });

  it('streak: met on the longest run, else the current one', () => {
    const c: Criteria = { type: 'streak', days: 7 };
    expect(evaluateCriteria(c, factsFor([], [], { current: 4, longest: 5 }), catalog)).toEqual({
      current: 4,
      target: 7,
      met: false,
    });
    expect(evaluateCriteria(c, factsFor([], [], { current: 1, longest: 9 }), catalog)).toEqual({
      current: 7,
      target: 7,
      met: true,
    });
  });

  it('all: summed progress, met when every child is', () => {
    const c: Criteria = {
      type: 'all',
      of: [
        { type: 'count', event: 'lesson.completed', threshold: 5 },
        { type: 'count', event: 'post.published', threshold: 2 },
      ],
    };
    const facts = factsFor([...many('lesson.completed', 7), ...many('post.published', 1)]);
    expect(evaluateCriteria(c, facts, catalog)).toEqual({ current: 6, target: 7, met: false });
  });

  it('any: the child closest to done, met when one is', () => {
    const c: Criteria = {
      type: 'any',
      of: [
        { type: 'count', event: 'lesson.completed', threshold: 10 },
        { type: 'count', event: 'post.published', threshold: 2 },
      ],
    };
    expect(evaluateCriteria(c, factsFor(many('lesson.completed', 3)), catalog)).toEqual({
      current: 3,
      target: 10,
      met: false,
    });
    expect(evaluateCriteria(c, factsFor(many('post.published', 2)), catalog)).toEqual({
      current: 2,
      target: 2,
      met: true,
    });
  });

  it('withinDays counts only recent events', () => {
    const c: Criteria = { type: 'count', event: 'lesson.completed', threshold: 3, withinDays: 7 };
    const DAY = 86_400_000;
    const facts = factsFor([
      { type: 'lesson.completed', at: NOW - 10 * DAY },
      { type: 'lesson.completed', at: NOW - 3 * DAY },
      { type: 'lesson.completed', at: NOW - DAY },
    ]);
    expect(evaluateCriteria(c, facts, catalog)).toEqual({ current: 2, target: 3, met: false });
  });
});

describe('decide bookkeeping', () => {
  it('considers a badge once when candidates repeat it, and leaves its inputs untouched', () => {
    const held = holds(B.firstLesson);
    const facts = factsFor(many('comment.created', 10), held);
    const earnedBefore = JSON.stringify(facts.earned);
    const heldBefore = JSON.stringify(held);
    const d = decide(
      [...catalog.badgesFor('comment.created'), B.commenter, ...catalog.metaBadges()],
      facts,
      held,
      catalog
    );
    expect(d.awards).toEqual([{ badgeId: B.commenter.id, sequence: 1 }]);
    expect(d.progress.filter((p) => p.badgeId === B.commenter.id)).toHaveLength(1);
    expect(JSON.stringify(facts.earned)).toBe(earnedBefore);
    expect(JSON.stringify(held)).toBe(heldBefore);
  });

  it('a badges criteria over a listed set counts only those badges', () => {
    const c: Criteria = { type: 'badges', badges: ['first-post', 'commenter', 'mentor'], count: 2 };
    const facts = factsFor([], holds(B.firstPost, B.firstLesson, B.module));
    expect(evaluateCriteria(c, facts, catalog)).toEqual({ current: 1, target: 2, met: false });
    const facts2 = factsFor([], holds(B.firstPost, B.mentor));
    expect(evaluateCriteria(c, facts2, catalog)).toEqual({ current: 2, target: 2, met: true });
  });

  it('points count every sequence of a repeatable badge', () => {
    const held = [1, 2, 3].map((sequence) => ({
      badgeId: B.lessons10.id,
      sequence,
      revoked: false,
      manual: false,
    }));
    expect(
      evaluateCriteria({ type: 'points', threshold: 100 }, factsFor([], held), catalog)
    ).toMatchObject({ current: 15 });
  });
});
