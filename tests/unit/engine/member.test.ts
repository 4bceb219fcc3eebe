import { CatalogIndex, type BadgeDef } from '../../../engine/evaluate';
import { evaluateMember, typesToRead, type EvaluationContext } from '../../../engine/member';
import { emptyStreak } from '../../../engine/streak';

/**
 * engine/member.ts: where one member's streak starts and which facts are judged, live and in a
 * recalculation (the walk itself is tests/unit/engine/walk.test.ts, run through this function).
 */
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-02T10:00:00Z');
const STREAK_EVENTS = ['lesson.completed'];
const RETRACTIONS = { 'post.retracted': 'post.published' };

const def = (id: number, slug: string, criteria: BadgeDef['criteria']): BadgeDef => ({
  id,
  slug,
  category: null,
  points: 0,
  criteria,
  repeatable: false,
  maxRepeats: null,
  autoRevoke: false,
  enabled: true,
});
const warmingUp = def(1, 'warming-up', { type: 'streak', days: 3 });
const firstPost = def(2, 'first-post', { type: 'count', event: 'post.published', threshold: 1 });
const index = new CatalogIndex([warmingUp, firstPost], {
  retractions: RETRACTIONS,
  streakEvents: STREAK_EVENTS,
});

const lesson = (id: number, day: number) => ({
  id,
  userId: 7,
  type: 'lesson.completed',
  occurredAt: T0 + day * DAY,
  actorId: null,
  subject: `lesson-${id}`,
  data: null,
});
const ctx = (extra: Partial<EvaluationContext> = {}): EvaluationContext => ({
  index,
  retractions: RETRACTIONS,
  streakEvents: new Set(STREAK_EVENTS),
  freezesPerMonth: 0,
  now: T0 + 30 * DAY,
  ...extra,
});
const recalculation = { markerTypes: new Set(['lesson.completed', 'post.published']) };

describe('evaluateMember', () => {
  const ledger = [lesson(1, 0), lesson(2, 1), lesson(3, 2)];

  it('live: advances the stored streak by the facts judged and says which version it read', () => {
    const stored = { ...emptyStreak('UTC'), current: 2, longest: 2, version: 4 };
    // Two days already counted (the stored row, as of lesson 2); lesson 3 is the third.
    const storedAt = { ...stored, lastActiveAt: T0 + DAY, lastActiveDay: '2026-03-03' };
    const out = evaluateMember(
      {
        userId: 7,
        ledger,
        markers: [{ ...ledger[2], key: 'k3' }],
        held: [],
        timezone: 'UTC',
        stored: storedAt,
      },
      ctx()
    );
    expect(out.streak).toMatchObject({ version: 4, state: { current: 3, longest: 3 } });
    expect(out.awards).toEqual([
      expect.objectContaining({ badgeId: warmingUp.id, earnedAt: ledger[2].occurredAt }),
    ]);
    expect(out.awards[0].source).toEqual({ key: 'k3', type: 'lesson.completed' });
  });

  it('recalculation: judges every fact with ledger:<id> keys and replays the streak from nothing', () => {
    // A stored streak that says 9 days is ignored: the replay is the truth.
    const stored = { ...emptyStreak('UTC'), current: 9, longest: 9, version: 2 };
    const out = evaluateMember(
      { userId: 7, ledger, markers: [], held: [], timezone: 'UTC', stored },
      ctx({ recalculation })
    );
    expect(out.streak).toMatchObject({ version: 0, state: { current: 3, longest: 3 } });
    expect(out.awards).toEqual([
      expect.objectContaining({
        badgeId: warmingUp.id,
        earnedAt: ledger[2].occurredAt,
        source: { key: 'ledger:3', type: 'lesson.completed' },
      }),
    ]);
  });

  it('without activity among the facts judged, there is no streak to write', () => {
    const post = { ...lesson(4, 3), type: 'post.published' };
    const live = evaluateMember(
      {
        userId: 7,
        ledger: [post],
        markers: [{ ...post, key: 'p' }],
        held: [],
        timezone: 'UTC',
        stored: null,
      },
      ctx()
    );
    expect(live.streak).toBeNull();
    expect(live.awards.map((a) => a.badgeId)).toEqual([firstPost.id]);
  });

  it('only: judges the badges asked for and nothing else', () => {
    const post = { ...lesson(4, 3), type: 'post.published' };
    const out = evaluateMember(
      {
        userId: 7,
        ledger: [...ledger, post],
        markers: [],
        held: [],
        timezone: 'UTC',
        stored: null,
      },
      ctx({ recalculation, only: [firstPost] })
    );
    expect(out.awards.map((a) => a.badgeId)).toEqual([firstPost.id]);
  });
});

describe('typesToRead', () => {
  it('reads the facts judged, what their badges count, and the retractions of those', () => {
    expect([...typesToRead(ctx(), ['post.published'])].sort()).toEqual([
      'post.published',
      'post.retracted',
    ]);
  });
});
