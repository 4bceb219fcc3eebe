import { applyActivity, emptyStreak, localDay } from '../../../engine/streak';

/** The reference: one Intl call per instant, as localDay worked before its offset tables. */
const formats = new Map<string, Intl.DateTimeFormat>();
const reference = (at: number, tz: string): string => {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formats.set(tz, f);
  }
  const parts = f.formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`;
};

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Every `step` from `from` for `span`, plus the instants 1 ms either side of each step. */
const around = (from: number, span: number, step: number): number[] => {
  const out: number[] = [];
  for (let t = from; t <= from + span; t += step) out.push(t - 1, t, t + 1);
  return out;
};

const expectAgrees = (tz: string, instants: number[]) => {
  const wrong: string[] = [];
  for (const at of instants) {
    const got = localDay(at, tz);
    const want = reference(at, tz);
    if (got !== want) wrong.push(`${new Date(at).toISOString()}: ${got} != ${want}`);
  }
  expect({ tz, wrong: wrong.slice(0, 5) }).toEqual({ tz, wrong: [] });
};

describe('localDay offset tables agree with Intl', () => {
  it('America/New_York around the 2026 DST changes, every 5 minutes', () => {
    // Spring forward 2026-03-08 07:00Z, fall back 2026-11-01 06:00Z.
    expectAgrees('America/New_York', around(Date.parse('2026-03-07T00:00:00Z'), 3 * DAY, 5 * MIN));
    expectAgrees('America/New_York', around(Date.parse('2026-10-31T00:00:00Z'), 3 * DAY, 5 * MIN));
  });

  it('Australia/Lord_Howe (30-minute DST) around its changes, every 5 minutes', () => {
    // DST ends 2026-04-05 02:00 local (+11 → +10:30), starts 2026-10-04 02:00 local.
    expectAgrees(
      'Australia/Lord_Howe',
      around(Date.parse('2026-04-03T00:00:00Z'), 4 * DAY, 5 * MIN)
    );
    expectAgrees(
      'Australia/Lord_Howe',
      around(Date.parse('2026-10-02T00:00:00Z'), 4 * DAY, 5 * MIN)
    );
  });

  it('the exact instant of a change, to the millisecond', () => {
    // New York local midnight right after spring forward and right after fall back.
    const spring = Date.parse('2026-03-08T07:00:00Z');
    expectAgrees('America/New_York', [spring - 1, spring, spring + 1]);
    // Lord Howe local midnight just after DST ends: 2026-04-05T13:30Z is 00:00 at +10:30.
    const lh = Date.parse('2026-04-05T13:30:00Z');
    expectAgrees('Australia/Lord_Howe', [lh - 1, lh, lh + 1, lh - 30 * MIN, lh - 30 * MIN - 1]);
  });

  it('changes at local midnight that go back into the previous day (São Paulo 2018/2019)', () => {
    // Brazil ended DST at 00:00 local → 23:00 of the day before (2019-02-17 02:00Z).
    expectAgrees('America/Sao_Paulo', around(Date.parse('2019-02-15T00:00:00Z'), 4 * DAY, 5 * MIN));
    // …and started it at 00:00 → 01:00 (2018-11-04 03:00Z): that local midnight never happened.
    expectAgrees('America/Sao_Paulo', around(Date.parse('2018-11-02T00:00:00Z'), 4 * DAY, 5 * MIN));
  });

  it('a skipped calendar day (Samoa, end of 2011) and odd offsets (Kathmandu, Chatham)', () => {
    expectAgrees('Pacific/Apia', around(Date.parse('2011-12-28T00:00:00Z'), 4 * DAY, 15 * MIN));
    expectAgrees('Asia/Kathmandu', around(Date.parse('2026-01-09T00:00:00Z'), 2 * DAY, 15 * MIN));
    // Chatham: +13:45 in DST, ends 2026-04-05 03:45 local.
    expectAgrees('Pacific/Chatham', around(Date.parse('2026-04-03T00:00:00Z'), 4 * DAY, 15 * MIN));
  });

  it('whole years hour by hour in zones with frequent or unusual changes', () => {
    const y2026 = Date.parse('2026-01-01T00:00:00Z');
    for (const tz of ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Tehran']) {
      expectAgrees(tz, around(y2026, 365 * DAY, HOUR));
    }
    // Morocco suspends DST for Ramadan: two changes a few weeks apart.
    expectAgrees('Africa/Casablanca', around(Date.parse('2019-01-01T00:00:00Z'), 365 * DAY, HOUR));
  });

  it('the same instants in a different order give the same days (memo is order-free)', () => {
    const tz = 'America/Chicago';
    const instants = around(Date.parse('2025-03-08T00:00:00Z'), 3 * DAY, 7 * MIN);
    const forward = instants.map((t) => localDay(t, tz));
    const backward = [...instants].reverse().map((t) => localDay(t, tz));
    expect(backward.reverse()).toEqual(forward);
    expectAgrees(tz, instants);
  });

  it('far past and far future instants fall back to Intl', () => {
    for (const at of [Date.UTC(500, 5, 1), Date.UTC(12000, 0, 1), Date.UTC(1000, 0, 1)]) {
      expect(localDay(at, 'Europe/Paris')).toBe(reference(at, 'Europe/Paris'));
    }
    expect(() => localDay(Number.NaN, 'UTC')).toThrow(RangeError);
  });
});

describe('streaks across DST changes', () => {
  const walk = (tz: string, instants: string[]) => {
    let s = emptyStreak(tz);
    const seen: Array<[string, number, boolean]> = [];
    for (const at of instants) {
      const r = applyActivity(s, { at: Date.parse(at), timezone: tz }, { freezesPerMonth: 0 });
      s = r.state;
      seen.push([s.lastActiveDay!, s.current, r.counted]);
    }
    return seen;
  };

  it('23:30 local on consecutive days counts each day once across spring forward (New York)', () => {
    expect(
      walk('America/New_York', [
        '2026-03-07T04:30:00Z', // 03-06 23:30 EST
        '2026-03-08T04:30:00Z', // 03-07 23:30 EST
        '2026-03-09T03:30:00Z', // 03-08 23:30 EDT (a 23-hour day)
        '2026-03-09T04:15:00Z', // 03-09 00:15 EDT
      ])
    ).toEqual([
      ['2026-03-06', 1, true],
      ['2026-03-07', 2, true],
      ['2026-03-08', 3, true],
      ['2026-03-09', 4, true],
    ]);
  });

  it('and across fall back, where 23:30 and 00:30 are 25 hours apart (New York)', () => {
    expect(
      walk('America/New_York', [
        '2026-10-31T03:30:00Z', // 10-30 23:30 EDT
        '2026-11-01T04:30:00Z', // 11-01 00:30 EDT
        '2026-11-02T04:29:00Z', // 11-01 23:29 EST (same local day, 25-hour day)
        '2026-11-02T05:30:00Z', // 11-02 00:30 EST
      ])
    ).toEqual([
      ['2026-10-30', 1, true],
      ['2026-11-01', 1, true], // 10-31 was missed
      ['2026-11-01', 1, false],
      ['2026-11-02', 2, true],
    ]);
  });

  it('Lord Howe: a half-hour change near local midnight', () => {
    // DST ends 2026-04-05 02:00 (+11) → 01:30 (+10:30).
    expect(
      walk('Australia/Lord_Howe', [
        '2026-04-04T12:45:00Z', // 04-04 23:45 (+11)
        '2026-04-04T13:15:00Z', // 04-05 00:15 (+11)
        '2026-04-05T13:15:00Z', // 04-05 23:45 (+10:30)
        '2026-04-05T13:45:00Z', // 04-06 00:15 (+10:30)
      ])
    ).toEqual([
      ['2026-04-04', 1, true],
      ['2026-04-05', 2, true],
      ['2026-04-05', 2, false],
      ['2026-04-06', 3, true],
    ]);
  });
});
