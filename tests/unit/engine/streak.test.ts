import {
  applyActivity,
  dayDiff,
  emptyStreak,
  isValidTimeZone,
  localDay,
  streakAsOf,
  streakNews,
} from '../../../engine/streak';
import type { StreakState } from '../../../engine/streak';

type Step = {
  /** UTC instant of the activity */
  at: string;
  tz: string;
  /** the member's local day at that instant (asserted, to keep the fixtures honest) */
  day: string;
  current: number;
  counted: boolean;
};

/** Applies the steps in order, asserting the streak after each one. */
function walk(steps: Step[], freezesPerMonth = 0, start?: StreakState): StreakState {
  let state = start ?? emptyStreak(steps[0].tz);
  for (const s of steps) {
    const at = Date.parse(s.at);
    expect({ at: s.at, day: localDay(at, s.tz) }).toEqual({ at: s.at, day: s.day });
    const r = applyActivity(state, { at, timezone: s.tz }, { freezesPerMonth });
    expect({ at: s.at, current: r.state.current, counted: r.counted }).toEqual({
      at: s.at,
      current: s.current,
      counted: s.counted,
    });
    state = r.state;
  }
  return state;
}

describe('localDay and dayDiff', () => {
  it('formats the local calendar day', () => {
    const at = Date.parse('2026-01-10T10:30:00Z');
    expect(localDay(at, 'UTC')).toBe('2026-01-10');
    expect(localDay(at, 'Pacific/Auckland')).toBe('2026-01-10');
    expect(localDay(at + 3_600_000, 'Pacific/Auckland')).toBe('2026-01-11');
    expect(localDay(at, 'America/Los_Angeles')).toBe('2026-01-10');
  });

  it('is exact at a quarter-hour offset midnight (Kathmandu, +5:45)', () => {
    expect(localDay(Date.parse('2026-01-10T18:14:59.999Z'), 'Asia/Kathmandu')).toBe('2026-01-10');
    expect(localDay(Date.parse('2026-01-10T18:15:00Z'), 'Asia/Kathmandu')).toBe('2026-01-11');
  });

  it('throws on an unknown timezone, which isValidTimeZone reports', () => {
    expect(() => localDay(0, 'Nowhere/City')).toThrow(RangeError);
    expect(isValidTimeZone('Nowhere/City')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
  });

  it('counts calendar days, whatever DST does', () => {
    expect(dayDiff('2026-03-28', '2026-03-30')).toBe(2);
    expect(dayDiff('2026-10-24', '2026-10-26')).toBe(2);
    expect(dayDiff('2026-03-30', '2026-03-28')).toBe(-2);
    expect(dayDiff('2025-12-31', '2026-01-01')).toBe(1);
    expect(dayDiff('2028-02-28', '2028-03-01')).toBe(2);
    expect(dayDiff('2026-05-05', '2026-05-05')).toBe(0);
  });
});

describe('streaks around UTC midnight', () => {
  it('Pacific/Auckland: 23:30Z and 00:30Z fall on the same local afternoon', () => {
    const tz = 'Pacific/Auckland';
    walk([
      { at: '2026-01-10T23:30:00Z', tz, day: '2026-01-11', current: 1, counted: true },
      { at: '2026-01-11T00:30:00Z', tz, day: '2026-01-11', current: 1, counted: false },
      { at: '2026-01-11T23:30:00Z', tz, day: '2026-01-12', current: 2, counted: true },
      { at: '2026-01-12T00:30:00Z', tz, day: '2026-01-12', current: 2, counted: false },
      { at: '2026-01-12T23:30:00Z', tz, day: '2026-01-13', current: 3, counted: true },
      // Around local midnight (11:00Z): two local days an hour apart.
      { at: '2026-01-13T10:30:00Z', tz, day: '2026-01-13', current: 3, counted: false },
      { at: '2026-01-13T11:30:00Z', tz, day: '2026-01-14', current: 4, counted: true },
    ]);
  });

  it('America/Los_Angeles: 23:30Z and 00:30Z fall on the same local afternoon', () => {
    const tz = 'America/Los_Angeles';
    const state = walk([
      { at: '2026-01-10T23:30:00Z', tz, day: '2026-01-10', current: 1, counted: true },
      { at: '2026-01-11T00:30:00Z', tz, day: '2026-01-10', current: 1, counted: false },
      { at: '2026-01-11T23:30:00Z', tz, day: '2026-01-11', current: 2, counted: true },
      { at: '2026-01-12T00:30:00Z', tz, day: '2026-01-11', current: 2, counted: false },
      // Around local midnight (08:00Z).
      { at: '2026-01-12T07:30:00Z', tz, day: '2026-01-11', current: 2, counted: false },
      { at: '2026-01-12T08:30:00Z', tz, day: '2026-01-12', current: 3, counted: true },
    ]);
    expect(state.lastActiveDay).toBe('2026-01-12');
    expect(state.longest).toBe(3);
  });

  it('ignores an activity older than the last one, without breaking or counting', () => {
    const tz = 'UTC';
    walk([
      { at: '2026-01-10T10:00:00Z', tz, day: '2026-01-10', current: 1, counted: true },
      { at: '2026-01-11T10:00:00Z', tz, day: '2026-01-11', current: 2, counted: true },
      { at: '2026-01-09T10:00:00Z', tz, day: '2026-01-09', current: 2, counted: false },
      { at: '2026-01-12T10:00:00Z', tz, day: '2026-01-12', current: 3, counted: true },
    ]);
  });
});

describe('Europe/Berlin DST', () => {
  const tz = 'Europe/Berlin';

  it('spring forward (2026-03-29): 00:30 and 23:30 count once per day', () => {
    walk([
      { at: '2026-03-27T23:30:00Z', tz, day: '2026-03-28', current: 1, counted: true }, // 00:30 CET
      { at: '2026-03-28T22:30:00Z', tz, day: '2026-03-28', current: 1, counted: false }, // 23:30 CET
      { at: '2026-03-28T23:30:00Z', tz, day: '2026-03-29', current: 2, counted: true }, // 00:30 CET
      { at: '2026-03-29T21:30:00Z', tz, day: '2026-03-29', current: 2, counted: false }, // 23:30 CEST
      { at: '2026-03-29T22:30:00Z', tz, day: '2026-03-30', current: 3, counted: true }, // 00:30 CEST
      { at: '2026-03-30T21:30:00Z', tz, day: '2026-03-30', current: 3, counted: false }, // 23:30 CEST
    ]);
  });

  it('fall back (2026-10-25): 00:30 and 23:30 count once per day', () => {
    walk([
      { at: '2026-10-23T22:30:00Z', tz, day: '2026-10-24', current: 1, counted: true }, // 00:30 CEST
      { at: '2026-10-24T21:30:00Z', tz, day: '2026-10-24', current: 1, counted: false }, // 23:30 CEST
      { at: '2026-10-24T22:30:00Z', tz, day: '2026-10-25', current: 2, counted: true }, // 00:30 CEST
      { at: '2026-10-25T22:30:00Z', tz, day: '2026-10-25', current: 2, counted: false }, // 23:30 CET
      { at: '2026-10-25T23:30:00Z', tz, day: '2026-10-26', current: 3, counted: true }, // 00:30 CET
      { at: '2026-10-26T22:30:00Z', tz, day: '2026-10-26', current: 3, counted: false }, // 23:30 CET
    ]);
  });

  it('23:30 one day then 00:30 the next: consecutive days across the switch', () => {
    walk([
      { at: '2026-03-28T22:30:00Z', tz, day: '2026-03-28', current: 1, counted: true },
      { at: '2026-03-29T21:30:00Z', tz, day: '2026-03-29', current: 2, counted: true },
      { at: '2026-03-29T22:30:00Z', tz, day: '2026-03-30', current: 3, counted: true },
    ]);
  });
});

describe('timezone change mid-streak', () => {
  const lax = 'America/Los_Angeles';
  const akl = 'Pacific/Auckland';

  it('east (Los Angeles → Auckland): does not break, does not double count', () => {
    const state = walk([
      { at: '2026-01-11T04:00:00Z', tz: lax, day: '2026-01-10', current: 1, counted: true }, // 20:00
      { at: '2026-01-12T04:00:00Z', tz: lax, day: '2026-01-11', current: 2, counted: true },
      { at: '2026-01-13T04:00:00Z', tz: lax, day: '2026-01-12', current: 3, counted: true },
      // Landed: 19:00 Jan 13 in Auckland is the same Auckland day as the last LA activity.
      { at: '2026-01-13T06:00:00Z', tz: akl, day: '2026-01-13', current: 3, counted: false },
      // Jan 14 in Auckland is two days after Jan 12 in LA, yet the next day in Auckland.
      { at: '2026-01-13T20:00:00Z', tz: akl, day: '2026-01-14', current: 4, counted: true },
      { at: '2026-01-14T08:00:00Z', tz: akl, day: '2026-01-14', current: 4, counted: false },
      { at: '2026-01-14T19:00:00Z', tz: akl, day: '2026-01-15', current: 5, counted: true },
    ]);
    expect(state.timezone).toBe(akl);
    expect(state.lastActiveDay).toBe('2026-01-15');
  });

  it('west (Auckland → Los Angeles): does not break, does not double count', () => {
    const state = walk([
      { at: '2026-01-09T19:00:00Z', tz: akl, day: '2026-01-10', current: 1, counted: true }, // 08:00
      { at: '2026-01-10T19:00:00Z', tz: akl, day: '2026-01-11', current: 2, counted: true },
      { at: '2026-01-11T19:00:00Z', tz: akl, day: '2026-01-12', current: 3, counted: true },
      // Landed in LA on the 11th again: the day already counted, nothing added.
      { at: '2026-01-11T22:00:00Z', tz: lax, day: '2026-01-11', current: 3, counted: false },
      { at: '2026-01-12T06:00:00Z', tz: lax, day: '2026-01-11', current: 3, counted: false },
      // The 12th in LA is the date already counted in Auckland: a day is fixed where it happened.
      { at: '2026-01-12T18:00:00Z', tz: lax, day: '2026-01-12', current: 3, counted: false },
      { at: '2026-01-13T18:00:00Z', tz: lax, day: '2026-01-13', current: 4, counted: true },
      { at: '2026-01-14T18:00:00Z', tz: lax, day: '2026-01-14', current: 5, counted: true },
    ]);
    expect(state.timezone).toBe(lax);
    expect(state.longest).toBe(5);
  });
});

describe('timezone tricks (issue 17, finding 5)', () => {
  const HOUR = 3_600_000;

  it('switching to the Azores after midnight UTC adds no day', () => {
    walk([
      { at: '2026-03-01T23:58:00Z', tz: 'UTC', day: '2026-03-01', current: 1, counted: true },
      { at: '2026-03-02T00:00:00Z', tz: 'UTC', day: '2026-03-02', current: 2, counted: true },
      // 00:00 on the 2nd in the Azores: the day already counted, not "Warming up" (3).
      {
        at: '2026-03-02T01:00:00Z',
        tz: 'Atlantic/Azores',
        day: '2026-03-02',
        current: 2,
        counted: false,
      },
    ]);
  });

  it('moving 12 hours west does not skip a missed calendar day (no freezes)', () => {
    walk([
      { at: '2026-03-01T10:00:00Z', tz: 'UTC', day: '2026-03-01', current: 1, counted: true },
      // The 2nd is missed; on the 3rd at 11:00 UTC it is still the 2nd in Etc/GMT+12.
      {
        at: '2026-03-03T11:00:00Z',
        tz: 'Etc/GMT+12',
        day: '2026-03-02',
        current: 1,
        counted: true,
      },
    ]);
  });

  /** A small seeded generator, so a failure names a sequence that can be replayed. */
  const random = (seed: number) => () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const ZONES = [
    'UTC',
    'Pacific/Kiritimati',
    'Etc/GMT+12',
    'Atlantic/Azores',
    'Asia/Kolkata',
    'America/Los_Angeles',
    'Pacific/Auckland',
    'Europe/Paris',
    'Etc/GMT-14',
    'Pacific/Chatham',
  ];

  it('no sequence of timezone hops gains days on an honest member (2,000 random walks)', () => {
    for (let seed = 1; seed <= 2_000; seed += 1) {
      const next = random(seed);
      let state = emptyStreak('UTC');
      const start = Date.parse('2026-06-01T00:00:00Z') + Math.floor(next() * 24 * HOUR);
      let at = start;
      const steps = 5 + Math.floor(next() * 40);
      for (let i = 0; i < steps; i += 1) {
        at += Math.floor(next() * 6 * HOUR) + 60_000;
        const timezone = ZONES[Math.floor(next() * ZONES.length)];
        state = applyActivity(state, { at, timezone }, { freezesPerMonth: 0 }).state;
        // In one zone, n consecutive days need at least n - 2 whole days between the first
        // activity and the last (23:59, 00:01, then a midnight a day): never fewer with hops.
        const bound = 2 + Math.floor((at - start) / (24 * HOUR));
        if (state.current > bound)
          throw new Error(`seed ${seed}: streak ${state.current} after ${(at - start) / HOUR} h`);
      }
    }
  });

  it('"On a roll" (7 days) is out of reach in 4 hours of hopping', () => {
    for (let seed = 1; seed <= 1_000; seed += 1) {
      const next = random(seed);
      let state = emptyStreak('UTC');
      let at = Date.parse('2026-06-01T22:00:00Z');
      for (let minute = 0; minute < 240; minute += 5) {
        at += 5 * 60_000;
        const timezone = ZONES[Math.floor(next() * ZONES.length)];
        state = applyActivity(state, { at, timezone }, { freezesPerMonth: 0 }).state;
      }
      expect({ seed, current: Math.min(state.current, 3) }).toEqual({
        seed,
        current: Math.min(state.current, 2),
      });
    }
  });
});

describe('freezes', () => {
  const tz = 'UTC';
  const day = (d: string, current: number, counted = true): Step => ({
    at: `${d}T12:00:00Z`,
    tz,
    day: d,
    current,
    counted,
  });

  it('one freeze covers one missed day when freezesPerMonth = 1', () => {
    let state = walk([day('2026-01-05', 1), day('2026-01-06', 2)], 1);
    const r = applyActivity(
      state,
      { at: Date.parse('2026-01-08T12:00:00Z'), timezone: tz },
      {
        freezesPerMonth: 1,
      }
    );
    expect(r).toMatchObject({ counted: true, freezesUsed: 1 });
    expect(r.state).toMatchObject({ current: 3, freezesUsed: 1, freezesMonth: '2026-01' });
    state = r.state;
    // The month's freeze is spent: the next missed day breaks the streak.
    walk([day('2026-01-10', 1)], 1, state);
  });

  it('no freeze when freezesPerMonth = 0', () => {
    walk([day('2026-01-05', 1), day('2026-01-06', 2), day('2026-01-08', 1)], 0);
  });

  it('a freeze cannot cover two missed days', () => {
    walk([day('2026-01-05', 1), day('2026-01-08', 1)], 1);
  });

  it('resets freezes when the month changes', () => {
    const state = walk(
      [
        day('2026-01-28', 1),
        day('2026-01-29', 2),
        day('2026-01-31', 3), // January's freeze
        day('2026-02-01', 4),
        day('2026-02-03', 5), // February's freeze
      ],
      1
    );
    expect(state).toMatchObject({ freezesUsed: 1, freezesMonth: '2026-02', longest: 5 });
  });
});

describe('streakAsOf', () => {
  const tz = 'UTC';
  const opts0 = { freezesPerMonth: 0 };
  const build = () =>
    walk([
      { at: '2026-01-05T12:00:00Z', tz, day: '2026-01-05', current: 1, counted: true },
      { at: '2026-01-06T12:00:00Z', tz, day: '2026-01-06', current: 2, counted: true },
    ]);

  it('keeps the streak through the next day and drops to 0 after a missed day', () => {
    const state = build();
    const asOf = (iso: string, opts = opts0) => streakAsOf(state, Date.parse(iso), tz, opts);
    expect(asOf('2026-01-06T23:00:00Z')).toEqual({
      current: 2,
      longest: 2,
      lastActiveDate: '2026-01-06',
    });
    expect(asOf('2026-01-07T23:59:00Z').current).toBe(2);
    expect(asOf('2026-01-08T00:01:00Z')).toEqual({
      current: 0,
      longest: 2,
      lastActiveDate: '2026-01-06',
    });
    // A freeze left this month keeps it one more day.
    expect(asOf('2026-01-08T00:01:00Z', { freezesPerMonth: 1 }).current).toBe(2);
    expect(asOf('2026-01-09T00:01:00Z', { freezesPerMonth: 1 }).current).toBe(0);
  });

  it("judges days in the member's timezone, and a day missed in the previous one still counts", () => {
    const lax = 'America/Los_Angeles';
    const inLa = walk([
      { at: '2026-01-06T04:00:00Z', tz: lax, day: '2026-01-05', current: 1, counted: true },
      { at: '2026-01-07T04:00:00Z', tz: lax, day: '2026-01-06', current: 2, counted: true },
    ]);
    // 2026-01-08T05:00Z is still Jan 7 in Los Angeles: no missed day there yet.
    const now = Date.parse('2026-01-08T05:00:00Z');
    expect(streakAsOf(inLa, now, lax, opts0)).toEqual({
      current: 2,
      longest: 2,
      lastActiveDate: '2026-01-06',
    });
    // Active in UTC on the 6th, now in LA: the 7th passed in UTC without activity.
    expect(streakAsOf(build(), now, 'UTC', opts0).current).toBe(0);
    expect(streakAsOf(build(), now, lax, opts0).current).toBe(0);
  });

  it('reports 0 for someone never active', () => {
    expect(streakAsOf(emptyStreak('UTC'), Date.now(), 'UTC', opts0)).toEqual({
      current: 0,
      longest: 0,
      lastActiveDate: null,
    });
  });
});

describe('streakNews: what a member is told about their streak', () => {
  const MILESTONES = [3, 7, 30, 100, 365];
  const state = (current: number, day: string, freezes = 0, month = '2026-01'): StreakState => ({
    ...emptyStreak('UTC'),
    current,
    longest: current,
    lastActiveDay: day,
    freezesUsed: freezes,
    freezesMonth: freezes ? month : null,
  });

  it('tells a milestone once, when the streak reaches it', () => {
    expect(streakNews(state(2, '2026-01-02'), state(3, '2026-01-03'), MILESTONES)).toEqual([
      { milestone: 3, freezeUsed: false, key: '2026-01-03:3' },
    ]);
    expect(streakNews(state(3, '2026-01-03'), state(4, '2026-01-04'), MILESTONES)).toEqual([]);
    expect(streakNews(state(3, '2026-01-03'), state(3, '2026-01-03'), MILESTONES)).toEqual([]);
  });

  it('tells every milestone crossed in one evaluation, and a first streak from nothing', () => {
    expect(streakNews(null, state(7, '2026-01-07'), MILESTONES).map((n) => n.milestone)).toEqual([
      3, 7,
    ]);
  });

  it('tells a freeze used, once per freeze of the month', () => {
    expect(streakNews(state(5, '2026-01-05'), state(6, '2026-01-07', 1), MILESTONES)).toEqual([
      { milestone: null, freezeUsed: true, key: 'freeze:2026-01:1' },
    ]);
    expect(streakNews(state(6, '2026-01-07', 1), state(7, '2026-01-08', 1), MILESTONES)).toEqual([
      { milestone: 7, freezeUsed: false, key: '2026-01-08:7' },
    ]);
    // A new month's first freeze is news, whatever last month's count was.
    expect(
      streakNews(state(9, '2026-01-30', 2), state(10, '2026-02-02', 1, '2026-02'), MILESTONES)
    ).toEqual([{ milestone: null, freezeUsed: true, key: 'freeze:2026-02:1' }]);
  });

  it('a broken streak starting again reaches its milestones again', () => {
    expect(
      streakNews(state(1, '2026-03-01'), state(3, '2026-03-03'), MILESTONES).map((n) => n.key)
    ).toEqual(['2026-03-03:3']);
  });
});
