/**
 * decide()'s per-catalog scratch (generation marks for "already considered") and compiled
 * criteria plans: decisions must not leak between calls, badges from outside the catalog must be
 * handled like before, and a plan must follow the badge it was compiled for.
 */
import { CatalogIndex, decide, evaluateCriteria, timesEarnable } from '../../../engine/evaluate';
import type { BadgeDef, Held, MemberFacts } from '../../../engine/evaluate';
import type { Criteria } from '../../../engine/criteria';
import { Tally } from '../../../engine/tally';

const NOW = Date.parse('2026-02-01T12:00:00Z');

const badge = (id: number, criteria: Criteria, extra: Partial<BadgeDef> = {}): BadgeDef => ({
  id,
  slug: `b-${id}`,
  category: 'c',
  points: 10,
  criteria,
  repeatable: false,
  maxRepeats: null,
  autoRevoke: false,
  enabled: true,
  ...extra,
});

const lessons = (n: number) => {
  const tally = new Tally();
  for (let i = 0; i < n; i++) {
    tally.apply({ type: 'lesson.completed', userId: 1, occurredAt: NOW - i, subject: `l${i}` });
  }
  return tally;
};

const facts = (tally: Tally, earned: Held[] = []): MemberFacts => ({
  tally,
  streak: { current: 0, longest: 0 },
  earned: earned.filter((h) => !h.revoked),
  now: NOW,
});

const one = badge(1, { type: 'count', event: 'lesson.completed', threshold: 1 });
const three = badge(2, { type: 'count', event: 'lesson.completed', threshold: 3 });
const two = badge(3, { type: 'badges', count: 2 });
const catalog = new CatalogIndex([one, three, two]);

describe('decide scratch marks', () => {
  it('every call reports every candidate: nothing carries over from the call before', () => {
    const tally = lessons(1);
    for (let i = 0; i < 5; i++) {
      const d = decide([one, three], facts(tally), [], catalog);
      expect(d.progress).toEqual([
        { badgeId: 1, current: 1, target: 1 },
        { badgeId: 2, current: 1, target: 3 },
        // the award wakes the meta badge: 1 of 2 other badges
        { badgeId: 3, current: 1, target: 2 },
      ]);
      expect(d.awards).toEqual([{ badgeId: 1, sequence: 1 }]);
    }
  });

  it('still reports every candidate when the generation counter wraps around', () => {
    catalog.generation = -2;
    const tally = lessons(3);
    for (let i = 0; i < 4; i++) {
      const d = decide([one, three, one], facts(tally), [], catalog);
      expect(d.progress.map((p) => p.badgeId)).toEqual([1, 2, 3]);
      expect(d.awards).toEqual([
        { badgeId: 1, sequence: 1 },
        { badgeId: 2, sequence: 1 },
        { badgeId: 3, sequence: 1 },
      ]);
    }
    expect(catalog.generation).toBeGreaterThan(0);
  });

  it('a draft badge from outside the catalog sharing an id with one inside is considered once', () => {
    // As before the marks: candidates are deduplicated by id, whichever object comes first.
    const draft = badge(1, { type: 'count', event: 'lesson.completed', threshold: 2 });
    const tally = lessons(2);
    expect(decide([draft, one], facts(tally), [], catalog).progress).toEqual([
      { badgeId: 1, current: 2, target: 2 },
      { badgeId: 3, current: 1, target: 2 },
    ]);
    expect(decide([one, draft], facts(tally), [], catalog).progress).toEqual([
      { badgeId: 1, current: 1, target: 1 },
      { badgeId: 3, current: 1, target: 2 },
    ]);
    // A draft with its own id (the dry run's -1) is evaluated from its own criteria.
    const dry = badge(-1, { type: 'count', event: 'lesson.completed', threshold: 5 });
    expect(decide([dry], facts(tally), [], catalog).progress).toEqual([
      { badgeId: -1, current: 2, target: 5 },
    ]);
  });

  it('a badge object replaced after the index was built is evaluated from its own criteria', () => {
    const edited = { ...three, criteria: { ...three.criteria, threshold: 2 } as Criteria };
    const tally = lessons(2);
    expect(timesEarnable(edited, facts(tally), catalog)).toBe(1);
    expect(timesEarnable(three, facts(tally), catalog)).toBe(0);
    expect(evaluateCriteria(edited.criteria, facts(tally), catalog, edited)).toEqual({
      current: 2,
      target: 2,
      met: true,
    });
  });

  it('nested groups sharing a child object evaluate like separate copies', () => {
    const child: Criteria = { type: 'count', event: 'lesson.completed', threshold: 4 };
    const shared: Criteria = {
      type: 'all',
      of: [child, { type: 'any', of: [child, { type: 'streak', days: 2 }] }],
    };
    const copies: Criteria = JSON.parse(JSON.stringify(shared));
    const tally = lessons(3);
    expect(evaluateCriteria(shared, facts(tally), catalog)).toEqual(
      evaluateCriteria(copies, facts(tally), catalog)
    );
    expect(evaluateCriteria(shared, facts(tally), catalog)).toEqual({
      current: 6,
      target: 8,
      met: false,
    });
  });
});
