import {
  levelOf,
  levelsCrossed,
  periodBounds,
  planEventPoints,
  type PointsFact,
} from '../../../engine/points';

const LEVELS = [
  { name: 'Novice', points: 0 },
  { name: 'Cadet', points: 100 },
  { name: 'Talent', points: 250 },
];

describe('levels', () => {
  it('names the highest threshold reached and the next one', () => {
    expect(levelOf(0, LEVELS)).toEqual({
      number: 1,
      name: 'Novice',
      points: 0,
      next: { number: 2, name: 'Cadet', points: 100 },
    });
    expect(levelOf(99, LEVELS).number).toBe(1);
    expect(levelOf(100, LEVELS).name).toBe('Cadet');
    expect(levelOf(5000, LEVELS)).toMatchObject({ number: 3, next: null });
    expect(levelOf(-20, LEVELS).number).toBe(1);
  });

  it('lists every level crossed going up, none going down', () => {
    expect(levelsCrossed(90, 300, LEVELS)).toEqual([2, 3]);
    expect(levelsCrossed(300, 90, LEVELS)).toEqual([]);
    expect(levelsCrossed(100, 120, LEVELS)).toEqual([]);
  });
});

describe('calendar periods', () => {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

  it('a week in Auckland runs from Monday 00:00 to the next Monday 00:00 local time', () => {
    // Sunday 2026-12-06 23:30 in Auckland (UTC+13) and Monday 00:30.
    const sunday = Date.parse('2026-12-06T10:30:00Z');
    const monday = Date.parse('2026-12-06T11:30:00Z');
    const week = periodBounds('week', 'Pacific/Auckland', sunday);
    expect(week.label).toBe('2026-W49');
    expect(iso(week.from)).toBe('2026-11-29T11:00:00.000Z');
    expect(iso(week.to)).toBe('2026-12-06T11:00:00.000Z');
    expect(sunday).toBeLessThan(week.to!);
    const next = periodBounds('week', 'Pacific/Auckland', monday);
    expect(next.label).toBe('2026-W50');
    expect(next.from).toBe(week.to);
  });

  it('a week with a DST change is as long as the clocks say', () => {
    // Europe/Paris leaves summer time on Sunday 2026-10-25: that week has 169 hours.
    const w = periodBounds('week', 'Europe/Paris', 0, '2026-W43');
    expect(iso(w.from)).toBe('2026-10-18T22:00:00.000Z');
    expect(iso(w.to)).toBe('2026-10-25T23:00:00.000Z');
    expect((w.to! - w.from!) / 3_600_000).toBe(169);
    // Auckland enters summer time on Sunday 2026-09-27: 167 hours.
    const a = periodBounds('week', 'Pacific/Auckland', 0, '2026-W39');
    expect((a.to! - a.from!) / 3_600_000).toBe(167);
  });

  it('months and ISO weeks across years', () => {
    const m = periodBounds('month', 'UTC', 0, '2026-12');
    expect(iso(m.from)).toBe('2026-12-01T00:00:00.000Z');
    expect(iso(m.to)).toBe('2027-01-01T00:00:00.000Z');
    // 2026-W53 exists (2026 starts on a Thursday); its Monday is 2026-12-28.
    expect(iso(periodBounds('week', 'UTC', 0, '2026-W53').from)).toBe('2026-12-28T00:00:00.000Z');
    expect(periodBounds('week', 'UTC', Date.parse('2027-01-01T12:00:00Z')).label).toBe('2026-W53');
    expect(periodBounds('all', 'UTC', 0)).toEqual({
      period: 'all',
      label: 'all',
      from: null,
      to: null,
    });
  });

  it('refuses an `at` that names no period of that kind', () => {
    expect(() => periodBounds('week', 'UTC', 0, '2025-W53')).toThrow(/at: must be an ISO week/);
    expect(() => periodBounds('week', 'UTC', 0, '2026-12')).toThrow(/at:/);
    expect(() => periodBounds('month', 'UTC', 0, '2026-13')).toThrow(/at: must be a month/);
    expect(() => periodBounds('all', 'UTC', 0, '2026-12')).toThrow(/at:/);
  });
});

describe('event points', () => {
  const rules = {
    'lesson.completed': { points: 10, dailyCap: 50 },
    'post.published': { points: 5 },
  };
  const retractions = { 'post.retracted': 'post.published' };
  const at = (iso: string) => Date.parse(iso);
  const fact = (key: string, type: string, occurredAt: string, subject = key): PointsFact => ({
    key,
    type,
    userId: 1,
    subject,
    occurredAt: at(occurredAt),
    scope: null,
  });

  it('a daily cap holds whatever the number of facts', () => {
    const facts = Array.from({ length: 30 }, (_, i) =>
      fact(`l${i}`, 'lesson.completed', `2026-12-01T10:${String(i).padStart(2, '0')}:00Z`)
    );
    const planned = planEventPoints(facts, [], rules, retractions, 'UTC');
    expect(planned.reduce((s, e) => s + e.amount, 0)).toBe(50);
    // The next day starts afresh.
    const tomorrow = planEventPoints(
      [fact('l99', 'lesson.completed', '2026-12-02T00:10:00Z')],
      planned,
      rules,
      retractions,
      'UTC'
    );
    expect(tomorrow.map((e) => e.amount)).toEqual([10]);
  });

  it('the calendar day is the site timezone one', () => {
    const facts = [
      ...Array.from({ length: 5 }, (_, i) =>
        fact(`a${i}`, 'lesson.completed', '2026-12-01T09:00:00Z')
      ),
      // 2026-12-01T11:30Z is already 2 December in Auckland: a new day, a new cap.
      fact('b', 'lesson.completed', '2026-12-01T11:30:00Z'),
    ];
    expect(planEventPoints(facts, [], rules, retractions, 'Pacific/Auckland')).toHaveLength(6);
    expect(planEventPoints(facts, [], rules, retractions, 'UTC')).toHaveLength(5);
  });

  it('a retraction takes back exactly what its fact earned, once; a replay writes nothing', () => {
    const facts = [
      fact('p1', 'post.published', '2026-12-01T10:00:00Z', 'post-1'),
      fact('r1', 'post.retracted', '2026-12-01T10:01:00Z', 'post-1'),
      fact('r2', 'post.retracted', '2026-12-01T10:02:00Z', 'post-1'),
      fact('r3', 'post.retracted', '2026-12-01T10:03:00Z', 'post-unknown'),
    ];
    const planned = planEventPoints(facts, [], rules, retractions, 'UTC');
    expect(planned.map((e) => [e.sourceKey, e.amount])).toEqual([
      ['p1', 5],
      ['r1', -5],
    ]);
    expect(planEventPoints(facts, planned, rules, retractions, 'UTC')).toEqual([]);
  });

  it('a retraction of a capped fact takes back nothing', () => {
    const capped = { 'post.published': { points: 5, dailyCap: 5 } };
    const facts = [
      fact('p1', 'post.published', '2026-12-01T10:00:00Z', 'post-1'),
      fact('p2', 'post.published', '2026-12-01T10:01:00Z', 'post-2'),
      fact('r2', 'post.retracted', '2026-12-01T10:02:00Z', 'post-2'),
    ];
    const planned = planEventPoints(facts, [], capped, retractions, 'UTC');
    expect(planned.map((e) => [e.sourceKey, e.amount])).toEqual([['p1', 5]]);
  });
});
