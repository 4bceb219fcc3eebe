import { ADMIN_EVENTS, CatalogIndex, REVOKE_REASON } from '../../../engine/evaluate';
import type { BadgeDef } from '../../../engine/evaluate';
import type { Criteria } from '../../../engine/criteria';
import { applyActivity, emptyStreak, localDay } from '../../../engine/streak';
import type { StreakState } from '../../../engine/streak';
import type { LedgerEvent, Retractions } from '../../../engine/tally';
import { evaluateMember } from '../../../engine/member';
import { ledgerScope } from '../../../engine/walk';
import type { HeldBefore, WalkResult } from '../../../engine/walk';

const T0 = Date.parse('2026-02-02T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** "now" of a walk: long after every fixture, so an award stamped with it stands out */
const NOW = Date.parse('2026-06-01T00:00:00Z');
const RETRACTIONS: Retractions = {
  'post.retracted': 'post.published',
  'reaction.withdrawn': 'reaction.received',
  'quiz.voided': 'quiz.passed',
};
const STREAK_EVENTS = ['lesson.completed', 'module.completed', 'course.completed'];

let nextId = 1;
const badge = (slug: string, criteria: Criteria, extra: Partial<BadgeDef> = {}): BadgeDef => ({
  id: nextId++,
  slug,
  category: null,
  points: 10,
  criteria,
  repeatable: false,
  maxRepeats: null,
  autoRevoke: false,
  enabled: true,
  ...extra,
});

/** The catalog as the catalog service builds it: retractions and streak events known. */
const catalog = (...badges: BadgeDef[]) =>
  new CatalogIndex(badges, { retractions: RETRACTIONS, streakEvents: STREAK_EVENTS });

type Row = LedgerEvent & { id: number };
type Ev = Omit<LedgerEvent, 'userId' | 'occurredAt'> & { at: number | string };

const ev = (type: string, at: number | string, extra: Partial<Ev> = {}): Ev => ({
  type,
  at,
  ...extra,
});

/** One member's ledger, oldest first, with ids 1, 2, 3… in order. */
const ledger = (...events: Ev[]): Row[] =>
  events.map(({ at, ...e }, i) => ({
    userId: 1,
    ...e,
    occurredAt: typeof at === 'string' ? Date.parse(at) : at,
    id: i + 1,
  }));

interface Run {
  index: CatalogIndex;
  events: Row[];
  /** ledger ids of the events being judged; default every event (a recalculation) */
  markers?: number[];
  held?: HeldBefore[];
  timezone?: string;
  freezesPerMonth?: number;
  /** the stored streak before the first marker (the live engine); default none */
  streakBefore?: StreakState;
  only?: BadgeDef[];
  now?: number;
}

/**
 * One member's evaluation (engine/member.ts) around walkLedger, as the evaluator runs it: with
 * `markers`, live (the stored streak `streakBefore` advanced by the markers that are activity);
 * without, a recalculation (every fact judged, `ledger:<id>` keys, the streak replayed from
 * nothing, admins' decisions rebuilt).
 */
function run(r: Run): WalkResult {
  const markerIds = new Set(r.markers ?? []);
  const { awards, revokes, progress } = evaluateMember(
    {
      userId: 1,
      ledger: r.events,
      markers: r.events
        .filter((e) => markerIds.has(e.id))
        .map((e) => ({ ...e, key: `ledger:${e.id}` })),
      held: r.held ?? [],
      timezone: r.timezone ?? 'UTC',
      stored: r.streakBefore ? { ...r.streakBefore, version: 1 } : null,
    },
    {
      index: r.index,
      retractions: RETRACTIONS,
      streakEvents: new Set(STREAK_EVENTS),
      freezesPerMonth: r.freezesPerMonth ?? 0,
      only: r.only,
      now: r.now ?? NOW,
      ...(r.markers === undefined
        ? { recalculation: { markerTypes: new Set(r.events.map((e) => e.type)) } }
        : {}),
    }
  );
  return { awards, revokes, progress };
}

/** The award a marker earned: its instant, its key, its type. */
const awardAt = (b: BadgeDef, marker: Row, sequence = 1) => ({
  badgeId: b.id,
  sequence,
  earnedAt: marker.occurredAt,
  source: { key: `ledger:${marker.id}`, type: marker.type },
});
/** Revoked by the system at `at`, the instant of the fact that broke its criteria. */
const revoked = (b: BadgeDef, at: number, sequence = 1) => ({
  badgeId: b.id,
  sequence,
  reason: 'criteria no longer met',
  at,
  by: 'system',
});
const progress = (b: BadgeDef, current: number, target: number) => ({
  badgeId: b.id,
  current,
  target,
});
const holding = (b: BadgeDef, extra: Partial<HeldBefore> = {}): HeldBefore => ({
  badgeId: b.id,
  sequence: 1,
  revoked: false,
  manual: false,
  byAdmin: false,
  ...extra,
});
const lessons = (n: number, step = HOUR, from = T0) =>
  Array.from({ length: n }, (_, i) =>
    ev('lesson.completed', from + i * step, { subject: `lesson-${i}` })
  );
const quizEvents = (n: number) =>
  Array.from({ length: n }, (_, i) => ev('quiz.passed', T0 + i * HOUR, { subject: `quiz-${i}` }));

describe('walkLedger: count badges are earned at the instant the threshold was reached', () => {
  it('awards at the Nth event, not at the last one and not at "now"', () => {
    const three = badge('three-lessons', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 3,
    });
    const events = ledger(...lessons(5));
    expect(events[2].occurredAt).toBe(T0 + 2 * HOUR);
    expect(run({ index: catalog(three), events })).toEqual({
      awards: [
        {
          badgeId: three.id,
          sequence: 1,
          earnedAt: T0 + 2 * HOUR,
          source: { key: 'ledger:3', type: 'lesson.completed' },
        },
      ],
      revokes: [],
      progress: [progress(three, 3, 3)],
    });
  });

  it('distinct subject: repeats and subject-less events do not count', () => {
    const three = badge('three-lessons', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 3,
    });
    const distinct = badge('three-different-lessons', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 3,
      distinct: 'subject',
    });
    const events = ledger(
      ev('lesson.completed', T0, { subject: 'l1' }),
      ev('lesson.completed', T0 + HOUR, { subject: 'l1' }),
      ev('lesson.completed', T0 + 2 * HOUR),
      ev('lesson.completed', T0 + 3 * HOUR, { subject: 'l2' }),
      ev('lesson.completed', T0 + 4 * HOUR, { subject: 'l1' }),
      ev('lesson.completed', T0 + 5 * HOUR, { subject: 'l3' })
    );
    expect(run({ index: catalog(three, distinct), events })).toEqual({
      awards: [awardAt(three, events[2]), awardAt(distinct, events[5])],
      revokes: [],
      progress: [progress(three, 3, 3), progress(distinct, 3, 3)],
    });
  });

  it('distinct actor: the third different member, not the third reaction', () => {
    const reactions = badge('three-fans', {
      type: 'count',
      event: 'reaction.received',
      threshold: 3,
      distinct: 'actor',
    });
    const events = ledger(
      ev('reaction.received', T0, { subject: 'r1', actorId: 7 }),
      ev('reaction.received', T0 + HOUR, { subject: 'r2', actorId: 7 }),
      ev('reaction.received', T0 + 2 * HOUR, { subject: 'r3', actorId: 8 }),
      ev('reaction.received', T0 + 3 * HOUR, { subject: 'r4' }),
      ev('reaction.received', T0 + 4 * HOUR, { subject: 'r5', actorId: 7 }),
      ev('reaction.received', T0 + 5 * HOUR, { subject: 'r6', actorId: 9 })
    );
    expect(run({ index: catalog(reactions), events })).toEqual({
      awards: [awardAt(reactions, events[5])],
      revokes: [],
      progress: [progress(reactions, 3, 3)],
    });
  });

  it("distinct day: days are the member's own (Asia/Tokyo), not UTC", () => {
    const days = badge('three-days', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 3,
      distinct: 'day',
    });
    const events = ledger(
      ev('lesson.completed', '2026-02-02T10:00:00Z', { subject: 'l1' }),
      ev('lesson.completed', '2026-02-02T16:00:00Z', { subject: 'l2' }),
      ev('lesson.completed', '2026-02-03T10:00:00Z', { subject: 'l3' }),
      ev('lesson.completed', '2026-02-03T15:30:00Z', { subject: 'l4' })
    );
    expect(events.map((e) => localDay(e.occurredAt, 'Asia/Tokyo'))).toEqual([
      '2026-02-02',
      '2026-02-03',
      '2026-02-03',
      '2026-02-04',
    ]);
    expect(run({ index: catalog(days), events, timezone: 'Asia/Tokyo' })).toEqual({
      awards: [awardAt(days, events[3])],
      revokes: [],
      progress: [progress(days, 3, 3)],
    });
    // The same instants are two UTC days.
    expect(run({ index: catalog(days), events, timezone: 'UTC' })).toEqual({
      awards: [],
      revokes: [],
      progress: [progress(days, 2, 3)],
    });
  });

  it('where: only events whose data matches count', () => {
    const helper = badge('helper', {
      type: 'count',
      event: 'comment.created',
      threshold: 2,
      where: { helpful: true },
    });
    const events = ledger(
      ev('comment.created', T0, { subject: 'c1', data: { helpful: false } }),
      ev('comment.created', T0 + HOUR, { subject: 'c2', data: { helpful: true } }),
      ev('comment.created', T0 + 2 * HOUR, { subject: 'c3' }),
      ev('comment.created', T0 + 3 * HOUR, { subject: 'c4', data: { helpful: 'yes' } }),
      ev('comment.created', T0 + 4 * HOUR, { subject: 'c5', data: { helpful: true } })
    );
    expect(run({ index: catalog(helper), events })).toEqual({
      awards: [awardAt(helper, events[4])],
      revokes: [],
      progress: [progress(helper, 2, 2)],
    });
  });

  it('withinDays: the window is measured at each marker, its start excluded', () => {
    const sprint = badge('sprint', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 3,
      withinDays: 2,
    });
    const events = ledger(
      ev('lesson.completed', T0, { subject: 'l1' }),
      ev('lesson.completed', T0 + DAY, { subject: 'l2' }),
      // window (T0+1d, T0+3d]: l2 sits on its start and is out
      ev('lesson.completed', T0 + 3 * DAY, { subject: 'l3' }),
      ev('lesson.completed', T0 + 3 * DAY + HOUR, { subject: 'l4' }),
      ev('lesson.completed', T0 + 4 * DAY, { subject: 'l5' })
    );
    // Progress is as of the last marker, although "now" is months later.
    expect(run({ index: catalog(sprint), events })).toEqual({
      awards: [awardAt(sprint, events[4])],
      revokes: [],
      progress: [progress(sprint, 3, 3)],
    });
  });

  it('withinDays: four lessons two days apart never make three within two days', () => {
    const sprint = badge('sprint', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 3,
      withinDays: 2,
    });
    const events = ledger(...lessons(4, 2 * DAY));
    expect(run({ index: catalog(sprint), events })).toEqual({
      awards: [],
      revokes: [],
      progress: [progress(sprint, 1, 3)],
    });
  });

  it('live: only the batch is judged, so a threshold met earlier is stamped at the first marker', () => {
    const three = badge('three-lessons', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 3,
    });
    const events = ledger(...lessons(5));
    expect(run({ index: catalog(three), events, markers: [4, 5] })).toEqual({
      awards: [awardAt(three, events[3])],
      revokes: [],
      progress: [progress(three, 3, 3)],
    });
    // Already held: nothing new, the progress is reported again.
    expect(run({ index: catalog(three), events, markers: [4, 5], held: [holding(three)] })).toEqual(
      { awards: [], revokes: [], progress: [progress(three, 3, 3)] }
    );
  });

  it('without markers: the scope is decided once, as of now, with no source', () => {
    const three = badge('three-lessons', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 3,
    });
    const five = badge('five-lessons', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 5,
    });
    const index = catalog(three, five);
    const events = ledger(...lessons(4));
    expect(run({ index, events, markers: [], only: [three, five] })).toEqual({
      awards: [{ badgeId: three.id, sequence: 1, earnedAt: NOW, source: null }],
      revokes: [],
      progress: [progress(three, 3, 3), progress(five, 4, 5)],
    });
    // No markers and no `only`: the scope is empty and nothing is decided.
    expect(run({ index, events, markers: [] })).toEqual({
      awards: [],
      revokes: [],
      progress: [],
    });
  });

  it('does not mutate what the member held', () => {
    const one = badge('first-lesson', { type: 'count', event: 'lesson.completed', threshold: 1 });
    const held = [holding(one, { revoked: true })];
    const copy = structuredClone(held);
    expect(run({ index: catalog(one), events: ledger(...lessons(1)), held })).toEqual({
      awards: [awardAt(one, ledger(...lessons(1))[0])],
      revokes: [],
      progress: [progress(one, 1, 1)],
    });
    expect(held).toEqual(copy);
  });
});

describe('walkLedger: retractions', () => {
  const setup = () => {
    const firstPost = badge(
      'first-post',
      { type: 'count', event: 'post.published', threshold: 1 },
      { autoRevoke: true }
    );
    const twoPosts = badge('two-posts', { type: 'count', event: 'post.published', threshold: 2 });
    return { firstPost, twoPosts, index: catalog(firstPost, twoPosts) };
  };

  it('a retracted fact no longer counts; an auto-revoke badge is revoked at the retraction', () => {
    const { firstPost, twoPosts, index } = setup();
    const events = ledger(
      ev('post.published', T0, { subject: 'p1' }),
      ev('post.retracted', T0 + HOUR, { subject: 'p1' }),
      ev('post.published', T0 + 2 * HOUR, { subject: 'p2' }),
      ev('post.published', T0 + 3 * HOUR, { subject: 'p3' })
    );
    // first-post: earned at p1, revoked at its retraction, earned again at p2 (the net award
    // carries p2's instant). two-posts: p2 alone is one post, p3 makes two.
    expect(run({ index, events })).toEqual({
      awards: [awardAt(firstPost, events[2]), awardAt(twoPosts, events[3])],
      revokes: [],
      progress: [progress(firstPost, 1, 1), progress(twoPosts, 2, 2)],
    });
  });

  it('live: the retraction revokes an auto-revoke badge; a non-auto-revoke badge stays', () => {
    const { firstPost, twoPosts, index } = setup();
    const events = ledger(
      ev('post.published', T0, { subject: 'p1' }),
      ev('post.published', T0 + HOUR, { subject: 'p2' }),
      ev('post.retracted', T0 + 2 * DAY, { subject: 'p1' }),
      ev('post.retracted', T0 + 2 * DAY + HOUR, { subject: 'p2' })
    );
    const held = [holding(firstPost), holding(twoPosts)];
    expect(run({ index, events, markers: [3, 4], held })).toEqual({
      awards: [],
      revokes: [revoked(firstPost, T0 + 2 * DAY + HOUR)], // at p2's retraction, the last post
      progress: [progress(firstPost, 0, 1), progress(twoPosts, 0, 2)],
    });
    expect(REVOKE_REASON).toBe('criteria no longer met');
  });

  it('revoked at the retraction and earned again later: no net change for a held badge', () => {
    const { firstPost, twoPosts, index } = setup();
    const events = ledger(
      ev('post.published', T0, { subject: 'p1' }),
      ev('post.retracted', T0 + DAY, { subject: 'p1' }),
      ev('post.published', T0 + 2 * DAY, { subject: 'p2' })
    );
    expect(run({ index, events, markers: [2, 3], held: [holding(firstPost)] })).toEqual({
      awards: [],
      revokes: [],
      progress: [progress(firstPost, 1, 1), progress(twoPosts, 1, 2)],
    });
  });

  it('a retraction of another subject, or of none, cancels nothing', () => {
    const { firstPost, twoPosts, index } = setup();
    const events = ledger(
      ev('post.published', T0, { subject: 'p1' }),
      ev('post.retracted', T0 + HOUR, { subject: 'p9' }),
      ev('post.retracted', T0 + 2 * HOUR)
    );
    expect(run({ index, events, markers: [2, 3], held: [holding(firstPost)] })).toEqual({
      awards: [],
      revokes: [],
      progress: [progress(firstPost, 1, 1), progress(twoPosts, 1, 2)],
    });
  });

  it('a withdrawn reaction takes its actor out of a distinct-actor count', () => {
    const fans = badge(
      'two-fans',
      { type: 'count', event: 'reaction.received', threshold: 2, distinct: 'actor' },
      { autoRevoke: true }
    );
    const events = ledger(
      ev('reaction.received', T0, { subject: 'r1', actorId: 7 }),
      ev('reaction.received', T0 + HOUR, { subject: 'r2', actorId: 8 }),
      ev('reaction.withdrawn', T0 + 2 * HOUR, { subject: 'r2', actorId: 8 }),
      ev('reaction.received', T0 + 3 * HOUR, { subject: 'r3', actorId: 7 }),
      ev('reaction.received', T0 + 4 * HOUR, { subject: 'r4', actorId: 9 })
    );
    expect(run({ index: catalog(fans), events })).toEqual({
      awards: [awardAt(fans, events[4])],
      revokes: [],
      progress: [progress(fans, 2, 2)],
    });
  });
});

describe('walkLedger: streak badges', () => {
  const streak3 = () => badge('streak-3', { type: 'streak', days: 3 });

  it('counts days in the member timezone across a DST change (America/New_York, 8 March 2026)', () => {
    const b = streak3();
    const events = ledger(
      // 23:30 EST on 7 March, 23:30 EDT on 8 March (23 hours later: the day had 23 hours),
      // 00:15 EDT on 9 March (45 minutes later).
      ev('lesson.completed', '2026-03-08T04:30:00Z', { subject: 'l1' }),
      ev('lesson.completed', '2026-03-09T03:30:00Z', { subject: 'l2' }),
      ev('lesson.completed', '2026-03-09T04:15:00Z', { subject: 'l3' })
    );
    expect(events.map((e) => localDay(e.occurredAt, 'America/New_York'))).toEqual([
      '2026-03-07',
      '2026-03-08',
      '2026-03-09',
    ]);
    expect(run({ index: catalog(b), events, timezone: 'America/New_York' })).toEqual({
      awards: [awardAt(b, events[2])],
      revokes: [],
      progress: [progress(b, 3, 3)],
    });
    // In UTC the same instants are two days (8 and 9 March).
    expect(run({ index: catalog(b), events, timezone: 'UTC' })).toEqual({
      awards: [],
      revokes: [],
      progress: [progress(b, 2, 3)],
    });
  });

  it('a missed day restarts the run; the badge comes at the third day of the new one', () => {
    const b = streak3();
    const events = ledger(
      ev('lesson.completed', '2026-02-02T10:00:00Z', { subject: 'l1' }),
      ev('lesson.completed', '2026-02-03T10:00:00Z', { subject: 'l2' }),
      // 4 February missed
      ev('lesson.completed', '2026-02-05T10:00:00Z', { subject: 'l3' }),
      ev('lesson.completed', '2026-02-06T10:00:00Z', { subject: 'l4' }),
      ev('lesson.completed', '2026-02-07T10:00:00Z', { subject: 'l5' })
    );
    expect(run({ index: catalog(b), events })).toEqual({
      awards: [awardAt(b, events[4])],
      revokes: [],
      progress: [progress(b, 3, 3)],
    });
    expect(run({ index: catalog(b), events: events.slice(0, 4) })).toEqual({
      awards: [],
      revokes: [],
      progress: [progress(b, 2, 3)],
    });
    // With a freeze the missed day is bridged: three days as of 5 February.
    expect(run({ index: catalog(b), events, freezesPerMonth: 1 })).toEqual({
      awards: [awardAt(b, events[2])],
      revokes: [],
      progress: [progress(b, 3, 3)],
    });
  });

  it('live: the stored streak carries on into the batch', () => {
    const b = streak3();
    const events = ledger(...lessons(3, DAY));
    let before = emptyStreak('UTC');
    for (const e of events.slice(0, 2))
      before = applyActivity(
        before,
        { at: e.occurredAt, timezone: 'UTC' },
        { freezesPerMonth: 0 }
      ).state;
    expect(before).toMatchObject({ current: 2, longest: 2 });
    expect(run({ index: catalog(b), events, markers: [3], streakBefore: before })).toEqual({
      awards: [awardAt(b, events[2])],
      revokes: [],
      progress: [progress(b, 3, 3)],
    });
  });

  it('a marker that is not activity sees the streak as it was before the walk', () => {
    const both = badge('streak-and-comment', {
      type: 'all',
      of: [
        { type: 'streak', days: 3 },
        { type: 'count', event: 'comment.created', threshold: 1 },
      ],
    });
    const events = ledger(
      ...lessons(3, DAY),
      ev('comment.created', T0 + 2 * DAY + HOUR, { subject: 'c1' })
    );
    let before = emptyStreak('UTC');
    for (const e of events.slice(0, 3))
      before = applyActivity(
        before,
        { at: e.occurredAt, timezone: 'UTC' },
        { freezesPerMonth: 0 }
      ).state;
    expect(run({ index: catalog(both), events, markers: [4], streakBefore: before })).toEqual({
      awards: [awardAt(both, events[3])],
      revokes: [],
      progress: [progress(both, 4, 4)],
    });
    // Without that streak: the comment alone is half of it.
    expect(run({ index: catalog(both), events, markers: [4] })).toEqual({
      awards: [],
      revokes: [],
      progress: [progress(both, 1, 4)],
    });
  });
});

describe('walkLedger: meta badges', () => {
  const setup = () => {
    const lesson = badge(
      'first-lesson',
      { type: 'count', event: 'lesson.completed', threshold: 1 },
      { category: 'courses' }
    );
    const module = badge(
      'first-module',
      { type: 'count', event: 'module.completed', threshold: 1 },
      { category: 'courses' }
    );
    const post = badge(
      'first-post',
      { type: 'count', event: 'post.published', threshold: 1 },
      { category: 'community' }
    );
    const two = badge('two-badges', { type: 'badges', count: 2 }, { category: 'engagement' });
    const courses = badge(
      'every-course-badge',
      { type: 'badges', category: 'courses' },
      { category: 'engagement' }
    );
    return {
      lesson,
      module,
      post,
      two,
      courses,
      index: catalog(lesson, module, post, two, courses),
    };
  };
  const events = ledger(
    ev('lesson.completed', T0, { subject: 'l1' }),
    ev('post.published', T0 + DAY, { subject: 'p1' }),
    ev('module.completed', T0 + 2 * DAY, { subject: 'm1' })
  );

  it('are awarded right after the badges they count, at the instant of the last one', () => {
    const { lesson, module, post, two, courses, index } = setup();
    expect(run({ index, events })).toEqual({
      awards: [
        awardAt(lesson, events[0]),
        awardAt(post, events[1]),
        awardAt(two, events[1]),
        awardAt(module, events[2]),
        awardAt(courses, events[2]),
      ],
      revokes: [],
      progress: [
        progress(lesson, 1, 1),
        progress(two, 2, 2),
        progress(courses, 2, 2),
        progress(post, 1, 1),
        progress(module, 1, 1),
      ],
    });
  });

  it('count what was held before the walk', () => {
    const { lesson, post, two, courses, index } = setup();
    expect(run({ index, events, markers: [2], held: [holding(lesson)] })).toEqual({
      awards: [awardAt(post, events[1]), awardAt(two, events[1])],
      revokes: [],
      progress: [progress(post, 1, 1), progress(two, 2, 2), progress(courses, 1, 2)],
    });
  });

  it('do not count a badge an admin revoked', () => {
    const { lesson, post, two, courses, index } = setup();
    const held = [holding(post, { revoked: true, byAdmin: true })];
    expect(run({ index, events: events.slice(0, 2), held })).toEqual({
      awards: [awardAt(lesson, events[0])],
      revokes: [],
      progress: [
        progress(lesson, 1, 1),
        progress(two, 1, 2),
        progress(courses, 1, 2),
        progress(post, 1, 1),
      ],
    });
  });

  it('an auto-revoke meta badge falls with the badge it counted', () => {
    const post = badge(
      'first-post',
      { type: 'count', event: 'post.published', threshold: 1 },
      { autoRevoke: true }
    );
    const lesson = badge('first-lesson', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 1,
    });
    const two = badge('two-badges', { type: 'badges', count: 2 }, { autoRevoke: true });
    const log = ledger(
      ev('post.published', T0, { subject: 'p1' }),
      ev('lesson.completed', T0 + HOUR, { subject: 'l1' }),
      ev('post.retracted', T0 + DAY, { subject: 'p1' })
    );
    const held = [holding(post), holding(lesson), holding(two)];
    expect(run({ index: catalog(post, lesson, two), events: log, markers: [3], held })).toEqual({
      awards: [],
      revokes: [revoked(post, T0 + DAY), revoked(two, T0 + DAY)],
      progress: [progress(post, 0, 1), progress(two, 1, 2)],
    });
  });
});

describe('walkLedger: repeatable badges', () => {
  const quizzes = (n: number) => ledger(...quizEvents(n));

  it('one sequence per threshold, up to maxRepeats, each at its own instant', () => {
    const quiz = badge(
      'quiz-pair',
      { type: 'count', event: 'quiz.passed', threshold: 2 },
      { repeatable: true, maxRepeats: 2 }
    );
    const events = quizzes(6);
    expect(run({ index: catalog(quiz), events })).toEqual({
      awards: [awardAt(quiz, events[1], 1), awardAt(quiz, events[3], 2)],
      revokes: [],
      progress: [progress(quiz, 2, 2)],
    });
    // Short of the cap: progress toward the next sequence.
    const three = quizzes(3);
    expect(run({ index: catalog(quiz), events: three })).toEqual({
      awards: [awardAt(quiz, three[1], 1)],
      revokes: [],
      progress: [progress(quiz, 1, 2)],
    });
  });

  it('unbounded when maxRepeats is null', () => {
    const quiz = badge(
      'quiz-pair',
      { type: 'count', event: 'quiz.passed', threshold: 2 },
      { repeatable: true }
    );
    const events = quizzes(6);
    expect(run({ index: catalog(quiz), events })).toEqual({
      awards: [
        awardAt(quiz, events[1], 1),
        awardAt(quiz, events[3], 2),
        awardAt(quiz, events[5], 3),
      ],
      revokes: [],
      progress: [progress(quiz, 0, 2)],
    });
  });

  it('live: the next sequence after the ones held', () => {
    const quiz = badge(
      'quiz-pair',
      { type: 'count', event: 'quiz.passed', threshold: 2 },
      { repeatable: true, maxRepeats: 2 }
    );
    const events = quizzes(4);
    expect(run({ index: catalog(quiz), events, markers: [3, 4], held: [holding(quiz)] })).toEqual({
      awards: [awardAt(quiz, events[3], 2)],
      revokes: [],
      progress: [progress(quiz, 2, 2)],
    });
  });

  it('auto-revoke: a retraction takes back the highest sequence only', () => {
    const quiz = badge(
      'quiz-pair',
      { type: 'count', event: 'quiz.passed', threshold: 2 },
      { repeatable: true, autoRevoke: true }
    );
    const events = ledger(...quizEvents(4), ev('quiz.voided', T0 + DAY, { subject: 'quiz-1' }));
    const held = [holding(quiz), holding(quiz, { sequence: 2 })];
    expect(run({ index: catalog(quiz), events, markers: [5], held })).toEqual({
      awards: [],
      revokes: [revoked(quiz, T0 + DAY, 2)],
      progress: [progress(quiz, 1, 2)],
    });
  });
});

describe('walkLedger: what an admin decided stands', () => {
  it('a badge an admin revoked is never awarded again (a system revocation is)', () => {
    const one = badge(
      'first-lesson',
      { type: 'count', event: 'lesson.completed', threshold: 1 },
      { autoRevoke: true }
    );
    const events = ledger(...lessons(3));
    const byAdmin = holding(one, { revoked: true, byAdmin: true });
    expect(run({ index: catalog(one), events, held: [byAdmin] })).toEqual({
      awards: [],
      revokes: [],
      progress: [progress(one, 1, 1)],
    });
    const bySystem = holding(one, { revoked: true });
    expect(run({ index: catalog(one), events, held: [bySystem] })).toEqual({
      awards: [awardAt(one, events[0])],
      revokes: [],
      progress: [progress(one, 1, 1)],
    });
  });

  it('a badge an admin revoked is not revoked again when its criteria fail', () => {
    const post = badge(
      'first-post',
      { type: 'count', event: 'post.published', threshold: 1 },
      { autoRevoke: true }
    );
    const events = ledger(
      ev('post.published', T0, { subject: 'p1' }),
      ev('post.retracted', T0 + HOUR, { subject: 'p1' })
    );
    const held = [holding(post, { revoked: true, byAdmin: true })];
    expect(run({ index: catalog(post), events, held })).toEqual({
      awards: [],
      revokes: [],
      progress: [progress(post, 0, 1)],
    });
  });

  it('an admin-revoked sequence of a repeatable badge stays; the next one is earned', () => {
    const quiz = badge(
      'quiz-pair',
      { type: 'count', event: 'quiz.passed', threshold: 2 },
      { repeatable: true, maxRepeats: 3 }
    );
    const events = ledger(...quizEvents(4));
    const held = [holding(quiz, { revoked: true, byAdmin: true })];
    expect(run({ index: catalog(quiz), events, held })).toEqual({
      awards: [awardAt(quiz, events[3], 2)],
      revokes: [],
      progress: [progress(quiz, 0, 2)],
    });
  });

  it('a badge an admin awarded is kept although its criteria are not met', () => {
    const five = badge(
      'five-lessons',
      { type: 'count', event: 'lesson.completed', threshold: 5 },
      { autoRevoke: true }
    );
    const post = badge(
      'first-post',
      { type: 'count', event: 'post.published', threshold: 1 },
      { autoRevoke: true }
    );
    const events = ledger(
      ...lessons(2),
      ev('post.published', T0 + DAY, { subject: 'p1' }),
      ev('post.retracted', T0 + 2 * DAY, { subject: 'p1' })
    );
    const held = [holding(five, { manual: true }), holding(post, { manual: true })];
    expect(run({ index: catalog(five, post), events, held })).toEqual({
      awards: [],
      revokes: [],
      progress: [progress(five, 2, 5), progress(post, 0, 1)],
    });
  });
});

describe('walkLedger: profile criteria', () => {
  const setup = () => {
    const avatar = badge(
      'add-avatar',
      { type: 'profile', fields: ['avatar'] },
      { autoRevoke: true }
    );
    const full = badge('complete-profile', {
      type: 'profile',
      fields: ['avatar', 'bio', 'socialLinks'],
    });
    return { avatar, full, index: catalog(avatar, full) };
  };
  const profile = (at: number, fields: Record<string, unknown>) =>
    ev('profile.updated', at, { subject: 'user-1', data: { fields } });

  it('each badge at the update that completed its fields (only `true` counts)', () => {
    const { avatar, full, index } = setup();
    const events = ledger(
      profile(T0, { avatar: 'avatar.png' }),
      profile(T0 + HOUR, { avatar: true, bio: false }),
      profile(T0 + 2 * HOUR, { avatar: true, bio: true, socialLinks: false }),
      profile(T0 + 3 * HOUR, { avatar: true, bio: true, socialLinks: true })
    );
    expect(run({ index, events })).toEqual({
      awards: [awardAt(avatar, events[1]), awardAt(full, events[3])],
      revokes: [],
      progress: [progress(avatar, 1, 1), progress(full, 3, 3)],
    });
  });

  it('the latest update is the profile: a removed field revokes an auto-revoke badge', () => {
    const { avatar, full, index } = setup();
    const events = ledger(
      profile(T0, { avatar: true }),
      profile(T0 + DAY, { avatar: false, bio: true })
    );
    expect(run({ index, events, markers: [2], held: [holding(avatar)] })).toEqual({
      awards: [],
      revokes: [revoked(avatar, T0 + DAY)],
      progress: [progress(avatar, 0, 1), progress(full, 1, 3)],
    });
  });
});

describe('walkLedger: progress at the end of the walk', () => {
  it('every badge a marker woke, as of the last marker that woke it', () => {
    const five = badge('five-lessons', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 5,
    });
    const week = badge('streak-7', { type: 'streak', days: 7 });
    const profile2 = badge('avatar-and-bio', { type: 'profile', fields: ['avatar', 'bio'] });
    const all = badge('lessons-and-avatar', {
      type: 'all',
      of: [
        { type: 'count', event: 'lesson.completed', threshold: 5 },
        { type: 'profile', fields: ['avatar'] },
      ],
    });
    const any = badge('ten-lessons-or-profile', {
      type: 'any',
      of: [
        { type: 'count', event: 'lesson.completed', threshold: 10 },
        { type: 'profile', fields: ['avatar', 'bio'] },
      ],
    });
    const commenter = badge('commenter', {
      type: 'count',
      event: 'comment.created',
      threshold: 10,
    });
    const index = catalog(five, week, profile2, all, any, commenter);
    const events = ledger(
      ...lessons(3, DAY),
      ev('profile.updated', T0 + 2 * DAY + HOUR, {
        subject: 'user-1',
        data: { fields: { avatar: true } },
      })
    );
    expect(run({ index, events })).toEqual({
      awards: [],
      revokes: [],
      progress: [
        progress(five, 3, 5),
        progress(week, 3, 7),
        progress(all, 4, 6),
        progress(any, 1, 2),
        progress(profile2, 1, 2),
      ],
    });
  });
});

/**
 * A marker whose occurredAt is older than events already processed (a POST /events with a past
 * occurredAt, or two processes recording concurrently): it sits before them in the ledger. Once
 * the walk is done, the member's facts are the whole ledger; the live outcome should be what a
 * recalculation of the same ledger holds.
 */
describe('walkLedger: a late marker', () => {
  it('completes a threshold with events processed before it', () => {
    const three = badge('three-lessons', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 3,
    });
    const events = ledger(...lessons(3));
    // Events 2 and 3 were processed (progress 2/3 stored); event 1 arrives last.
    const recalculated = run({ index: catalog(three), events });
    expect(recalculated).toEqual({
      awards: [awardAt(three, events[2])],
      revokes: [],
      progress: [progress(three, 3, 3)],
    });
    const live = run({ index: catalog(three), events, markers: [1] });
    expect({
      held: live.awards.map(({ badgeId, sequence }) => ({ badgeId, sequence })),
      revokes: live.revokes,
      progress: live.progress,
    }).toEqual({
      held: [{ badgeId: three.id, sequence: 1 }],
      revokes: [],
      progress: [progress(three, 3, 3)],
    });
  });

  it('a late retraction does not revoke a badge a later fact still supports', () => {
    const firstPost = badge(
      'first-post',
      { type: 'count', event: 'post.published', threshold: 1 },
      { autoRevoke: true }
    );
    const events = ledger(
      ev('post.published', T0, { subject: 'p1' }),
      ev('post.retracted', T0 + HOUR, { subject: 'p1' }),
      ev('post.published', T0 + 2 * HOUR, { subject: 'p2' })
    );
    // Recalculated, the badge is held (earned again at p2).
    expect(run({ index: catalog(firstPost), events })).toEqual({
      awards: [awardAt(firstPost, events[2])],
      revokes: [],
      progress: [progress(firstPost, 1, 1)],
    });
    // Live: p1 and p2 were processed (the badge is held); the retraction of p1 arrives last.
    expect(
      run({ index: catalog(firstPost), events, markers: [2], held: [holding(firstPost)] })
    ).toEqual({ awards: [], revokes: [], progress: [progress(firstPost, 1, 1)] });
  });
});

describe('ledgerScope', () => {
  const lesson = badge('first-lesson', { type: 'count', event: 'lesson.completed', threshold: 1 });
  const posts = badge('first-post', { type: 'count', event: 'post.published', threshold: 1 });
  const mixed = badge('talkative', {
    type: 'count',
    event: ['comment.created', 'reaction.received'],
    threshold: 5,
  });
  const avatar = badge('add-avatar', { type: 'profile', fields: ['avatar'] });
  const streak = badge('streak-3', { type: 'streak', days: 3 });
  const meta = badge('two-badges', { type: 'badges', count: 2 });
  const metaWithModule = badge('badge-and-module', {
    type: 'all',
    of: [
      { type: 'badges', count: 1 },
      { type: 'count', event: 'module.completed', threshold: 1 },
    ],
  });
  const pointsAndBio = badge('points-and-bio', {
    type: 'all',
    of: [
      { type: 'points', threshold: 50 },
      { type: 'profile', fields: ['bio'] },
    ],
  });
  const manual = badge('mentor', { type: 'manual' });
  const retired = badge(
    'retired',
    { type: 'count', event: 'course.completed', threshold: 1 },
    { enabled: false }
  );
  const index = catalog(
    lesson,
    posts,
    mixed,
    avatar,
    streak,
    meta,
    metaWithModule,
    pointsAndBio,
    manual,
    retired
  );
  /** what every scope needs for the meta badges: their own events and the profile */
  const metaTypes = ['module.completed', 'profile.updated'];
  const scopeOf = (types: string[], only?: BadgeDef[]) => {
    const r = ledgerScope(index, types, RETRACTIONS, only);
    return { scope: r.scope.map((b) => b.slug), types: [...r.types].sort() };
  };

  it('the meta badges are what the catalog says they are', () => {
    expect(index.metaBadges()).toEqual([meta, metaWithModule, pointsAndBio]);
  });

  it('a marker type: its badges (count and streak), its own type, the meta dependencies', () => {
    expect(scopeOf(['lesson.completed'])).toEqual({
      scope: ['first-lesson', 'streak-3'],
      types: ['lesson.completed', ...metaTypes].sort(),
    });
    const r = ledgerScope(index, ['lesson.completed'], RETRACTIONS);
    expect(r.scope).toEqual([lesson, streak]);
    expect(r.types).toEqual(new Set(['lesson.completed', 'module.completed', 'profile.updated']));
  });

  it('several marker types: badges once each, in marker order', () => {
    expect(scopeOf(['lesson.completed', 'module.completed'])).toEqual({
      scope: ['first-lesson', 'streak-3', 'badge-and-module'],
      types: ['lesson.completed', ...metaTypes].sort(),
    });
  });

  it("a retraction marker: the cancelled type's badges, the cancelled type and the retraction", () => {
    expect(scopeOf(['post.retracted'])).toEqual({
      scope: ['first-post'],
      types: ['post.published', 'post.retracted', ...metaTypes].sort(),
    });
  });

  it('a badge counting several types: all of them, with their retractions', () => {
    expect(scopeOf(['comment.created'])).toEqual({
      scope: ['talkative'],
      types: ['comment.created', 'reaction.received', 'reaction.withdrawn', ...metaTypes].sort(),
    });
  });

  it('only the retractions of types in the scope are added', () => {
    expect(scopeOf(['post.published'])).toEqual({
      scope: ['first-post'],
      types: ['post.published', 'post.retracted', ...metaTypes].sort(),
    });
    expect(scopeOf(['profile.updated'])).toEqual({
      scope: ['add-avatar', 'points-and-bio'],
      types: [...metaTypes].sort(),
    });
  });

  it('disabled and manual badges are never in the scope of a marker', () => {
    expect(scopeOf(['course.completed'])).toEqual({
      scope: ['streak-3'],
      types: ['course.completed', ...metaTypes].sort(),
    });
  });

  it('a type nothing listens to: no badges, still the meta dependencies', () => {
    expect(scopeOf(['unknown.event'])).toEqual({
      scope: [],
      types: ['unknown.event', ...metaTypes].sort(),
    });
    expect(scopeOf([])).toEqual({ scope: [], types: [...metaTypes].sort() });
  });

  it('`only`: exactly those badges (whatever they are), plus what they and the meta badges need', () => {
    expect(scopeOf(['lesson.completed'], [avatar, mixed, manual])).toEqual({
      scope: ['add-avatar', 'talkative', 'mentor'],
      types: [
        'comment.created',
        'lesson.completed',
        'reaction.received',
        'reaction.withdrawn',
        ...metaTypes,
      ].sort(),
    });
    expect(scopeOf([], [retired])).toEqual({
      scope: ['retired'],
      types: ['course.completed', ...metaTypes].sort(),
    });
  });

  it('without meta badges only the scope counts', () => {
    const plain = catalog(lesson, posts, avatar);
    const r = ledgerScope(plain, ['post.published'], RETRACTIONS);
    expect(r.scope).toEqual([posts]);
    expect(r.types).toEqual(new Set(['post.published', 'post.retracted']));
    expect(ledgerScope(plain, ['lesson.completed'], {}).types).toEqual(
      new Set(['lesson.completed'])
    );
  });
});

/**
 * An admin's decisions are facts in the ledger (admin.awarded / admin.revoked), so a
 * recalculation over wiped tables rebuilds them, and they wake the badges that count held badges.
 */
describe('walkLedger: admin decisions in the ledger', () => {
  const decision = (b: BadgeDef, reason: string, sequence = 1) => ({
    data: { badgeId: b.id, sequence, by: 'admin:7', reason },
  });

  it('recalculated: an admin revocation stands at its instant, and a later fact does not undo it', () => {
    const firstPost = badge('first-post', { type: 'count', event: 'post.published', threshold: 1 });
    const events = ledger(
      ev('post.published', T0, { subject: 'p1' }),
      ev(ADMIN_EVENTS.revoked, T0 + HOUR, {
        subject: String(firstPost.id),
        ...decision(firstPost, 'spam'),
      }),
      ev('post.published', T0 + DAY, { subject: 'p2' })
    );
    expect(run({ index: catalog(firstPost), events })).toEqual({
      awards: [awardAt(firstPost, events[0])],
      revokes: [
        { badgeId: firstPost.id, sequence: 1, reason: 'spam', at: T0 + HOUR, by: 'admin:7' },
      ],
      progress: [progress(firstPost, 1, 1)],
    });
  });

  it('recalculated: an admin award carries its instant, its admin and its reason', () => {
    const mentor = badge('mentor', { type: 'manual' });
    const events = ledger(
      ev(ADMIN_EVENTS.awarded, T0, { subject: String(mentor.id), ...decision(mentor, 'helped') })
    );
    expect(run({ index: catalog(mentor), events })).toEqual({
      awards: [
        {
          badgeId: mentor.id,
          sequence: 1,
          earnedAt: T0,
          source: null,
          awardedBy: 'admin:7',
          evidence: { reason: 'helped' },
        },
      ],
      revokes: [],
      progress: [],
    });
  });

  it('live: an admin revocation wakes meta badges, which fall with it; the row itself is left', () => {
    const lesson = badge('first-lesson', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 1,
    });
    const post = badge('first-post', { type: 'count', event: 'post.published', threshold: 1 });
    const two = badge('two-badges', { type: 'badges', count: 2 }, { autoRevoke: true });
    const events = ledger(
      ev('lesson.completed', T0, { subject: 'l1' }),
      ev('post.published', T0 + HOUR, { subject: 'p1' }),
      ev(ADMIN_EVENTS.revoked, T0 + DAY, { subject: String(post.id), ...decision(post, 'spam') })
    );
    // The admin service revoked the row (held, byAdmin) and recorded the fact: the marker.
    const held = [holding(lesson), holding(post, { revoked: true, byAdmin: true }), holding(two)];
    expect(run({ index: catalog(lesson, post, two), events, markers: [3], held })).toEqual({
      awards: [],
      revokes: [revoked(two, T0 + DAY)],
      progress: [progress(two, 1, 2)],
    });
  });

  it('live: an admin fact is never written again by the engine (the admin service wrote it)', () => {
    const lesson = badge('first-lesson', {
      type: 'count',
      event: 'lesson.completed',
      threshold: 1,
    });
    const events = ledger(
      ev('lesson.completed', T0, { subject: 'l1' }),
      ev(ADMIN_EVENTS.revoked, T0 + DAY, { subject: String(lesson.id), ...decision(lesson, 'x') })
    );
    // Read after the admin awarded it again: the row is held, and the engine must not undo that.
    expect(run({ index: catalog(lesson), events, markers: [2], held: [holding(lesson)] })).toEqual({
      awards: [],
      revokes: [],
      progress: [],
    });
  });

  it('recalculated: a badge earned and auto-revoked within the walk is written as both', () => {
    const fans = badge(
      'fans',
      { type: 'count', event: 'reaction.received', threshold: 1, distinct: 'actor' },
      { autoRevoke: true }
    );
    const events = ledger(
      ev('reaction.received', T0, { subject: 'r1', actorId: 2 }),
      ev('reaction.withdrawn', T0 + HOUR, { subject: 'r1', actorId: 2 })
    );
    expect(run({ index: catalog(fans), events })).toEqual({
      awards: [awardAt(fans, events[0])],
      revokes: [revoked(fans, T0 + HOUR)],
      progress: [progress(fans, 0, 1)],
    });
  });
});
