/**
 * The Tally's caches (live counters by slot, early-stopping window scans, day numbers) against a
 * naive recount of the raw events: whatever order events arrive in and whenever a count is first
 * asked, the answer is the recount's.
 */
import { MAX_COUNT_SLOTS, Tally, countKeyOf } from '../../../engine/tally';
import type { CountSpec, LedgerEvent } from '../../../engine/tally';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const TZ = 'America/New_York';
const retractions = {
  'post.retracted': 'post.published',
  'reaction.withdrawn': 'reaction.received',
};

/** mulberry32: a fixed stream per seed */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const TYPES = [
  'lesson.completed',
  'post.published',
  'post.retracted',
  'reaction.received',
  'reaction.withdrawn',
];

/** Events over ~60 days (crossing the 2026-03-08 DST change); some arrive late. */
const stream = (seed: number, n: number, lateShare: number): LedgerEvent[] => {
  const r = rng(seed);
  const out: LedgerEvent[] = [];
  for (let i = 0; i < n; i++) {
    const type = TYPES[Math.floor(r() * TYPES.length)];
    let at = T0 + (i * (60 * DAY)) / n;
    if (r() < lateShare) at -= Math.floor(r() * 5 * DAY);
    out.push({
      type,
      userId: 1,
      occurredAt: Math.round(at),
      subject: r() < 0.05 ? null : `s${Math.floor(r() * 12)}`,
      actorId: r() < 0.1 ? null : 1 + Math.floor(r() * 6),
      data: { kind: r() < 0.4 ? 'heart' : 'like' },
    });
  }
  return out;
};

const dayOf = (at: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: TZ, dateStyle: 'short' }).format(at);

/** The recount: live = not cancelled by a retraction of the same subject at or after it. */
const recount = (events: LedgerEvent[], spec: CountSpec, now: number): number => {
  const types = Array.isArray(spec.event) ? spec.event : [spec.event];
  const cancelledBy = Object.entries(retractions);
  const live = events.filter((e) => {
    if (!types.includes(e.type)) return false;
    for (const [retraction, cancelled] of cancelledBy) {
      if (cancelled !== e.type || e.subject == null) continue;
      const killed = events.some(
        (r) => r.type === retraction && r.subject === e.subject && r.occurredAt >= e.occurredAt
      );
      if (killed) return false;
    }
    if (spec.where) {
      for (const [k, v] of Object.entries(spec.where)) if (e.data?.[k] !== v) return false;
    }
    if (spec.withinDays !== undefined && e.occurredAt <= now - spec.withinDays * DAY) return false;
    return true;
  });
  if (!spec.distinct) return live.length;
  const keys = new Set<unknown>();
  for (const e of live) {
    const k =
      spec.distinct === 'subject'
        ? (e.subject ?? null)
        : spec.distinct === 'actor'
          ? (e.actorId ?? null)
          : dayOf(e.occurredAt);
    if (k !== null) keys.add(k);
  }
  return keys.size;
};

const SPECS: CountSpec[] = [
  { event: 'lesson.completed' },
  { event: 'lesson.completed', distinct: 'subject' },
  { event: 'lesson.completed', distinct: 'day' },
  { event: ['lesson.completed', 'post.published'], distinct: 'day' },
  { event: 'post.published' },
  { event: 'post.published', distinct: 'subject' },
  { event: 'reaction.received', distinct: 'actor' },
  { event: 'reaction.received', where: { kind: 'heart' } },
  { event: 'reaction.received', where: { kind: 'heart' }, distinct: 'actor' },
  { event: 'lesson.completed', withinDays: 7 },
  { event: ['post.published', 'lesson.completed'], withinDays: 3, distinct: 'day' },
  { event: 'reaction.received', withinDays: 10, distinct: 'subject', where: { kind: 'like' } },
  { event: 'post.retracted' },
];

describe('Tally counters agree with a recount of the raw events', () => {
  for (const [seed, late] of [
    [1, 0],
    [2, 0.15],
    [3, 0.5],
  ] as const) {
    it(`seed ${seed}, ${late * 100}% late arrivals: counters asked before, during and after`, () => {
      const events = stream(seed, 400, late);
      const early = new Tally({ retractions, timezone: TZ });
      // Counters created before any event, then kept live.
      for (const s of SPECS) early.count(s, T0);
      for (let i = 0; i < events.length; i++) {
        early.apply(events[i]);
        if (i % 37 === 0 || i === events.length - 1) {
          const seen = events.slice(0, i + 1);
          const now = events[i].occurredAt + (i % 3) * DAY;
          // A Tally asked for the first time now builds its counters from history.
          const fresh = new Tally({ retractions, timezone: TZ });
          for (const e of seen) fresh.apply(e);
          for (const s of SPECS) {
            const want = recount(seen, s, now);
            expect({ i, s, n: early.count(s, now) }).toEqual({ i, s, n: want });
            expect({ i, s, n: fresh.count(s, now) }).toEqual({ i, s, n: want });
            expect(early.countBy(countKeyOf(s), now)).toBe(want);
          }
        }
      }
    });
  }

  it('specs that mean the same share one counter, whatever their object or list order', () => {
    const a = countKeyOf({ event: ['post.published', 'lesson.completed'], distinct: 'day' });
    const b = countKeyOf({ event: ['lesson.completed', 'post.published'], distinct: 'day' });
    const c = countKeyOf({ event: ['lesson.completed', 'post.published'] });
    expect(a.slot).toBe(b.slot);
    expect(c.slot).not.toBe(a.slot);
    const spec = { event: 'lesson.completed', where: { b: 1, a: 'x' } };
    expect(countKeyOf(spec)).toBe(countKeyOf(spec));
    expect(countKeyOf({ event: 'lesson.completed', where: { a: 'x', b: 1 } }).slot).toBe(
      countKeyOf(spec).slot
    );
  });

  it('a window count stops at the window start only while events arrived in order', () => {
    const t = new Tally({ timezone: TZ });
    const w = { event: 'lesson.completed', withinDays: 2 };
    t.apply({ type: 'lesson.completed', userId: 1, occurredAt: T0 + 10 * DAY });
    t.apply({ type: 'lesson.completed', userId: 1, occurredAt: T0 + 11 * DAY });
    expect(t.count(w, T0 + 11 * DAY)).toBe(2);
    // A late event older than the window, then one inside it behind it in arrival order.
    t.apply({ type: 'lesson.completed', userId: 1, occurredAt: T0 + 1 * DAY });
    t.apply({ type: 'lesson.completed', userId: 1, occurredAt: T0 + 10.5 * DAY });
    expect(t.count(w, T0 + 11 * DAY)).toBe(3);
  });
  // Last in the file: it uses up the process-wide slots.
  it('specs past the slot bound (e.g. many dry runs) get no slot and still count right', () => {
    const filler = (i: number): CountSpec => ({ event: 'lesson.completed', where: { n: i } });
    for (let i = 0; countKeyOf(filler(i)).slot >= 0; i++) {
      expect(i).toBeLessThan(MAX_COUNT_SLOTS);
    }
    const past = SPECS.map((s) => ({ ...s, where: { ...s.where, seen: 'never-before' } }));
    for (const s of past) expect(countKeyOf(s).slot).toBe(-1);
    const events = stream(4, 300, 0.15).map((e) => ({
      ...e,
      data: { ...e.data, seen: 'never-before' },
    }));
    const t = new Tally({ retractions, timezone: TZ });
    for (const s of past) t.count(s, T0); // counters created before the events, kept live
    for (const e of events) t.apply(e);
    const now = events[events.length - 1].occurredAt;
    for (const s of past)
      expect({ s, n: t.count(s, now) }).toEqual({ s, n: recount(events, s, now) });
    // Two different specs past the bound keep separate counters.
    expect(t.count(past[0], now)).not.toBe(t.count(past[1], now));
  });
});
