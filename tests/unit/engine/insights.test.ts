import { calendarBuckets, progressBucket, shiftPeriodLabel } from '../../../engine/insights';
import { periodBounds } from '../../../engine/points';

describe('insights buckets', () => {
  const now = Date.parse('2026-12-04T10:00:00Z'); // a Friday

  it('the last weeks are ISO weeks from Monday in the timezone, oldest first', () => {
    const weeks = calendarBuckets('week', 3, 'Europe/Paris', now);
    expect(weeks.map((w) => w.label)).toEqual(['2026-W47', '2026-W48', '2026-W49']);
    const current = periodBounds('week', 'Europe/Paris', now);
    expect(weeks[2]).toEqual({ label: current.label, from: current.from, to: current.to });
    expect(weeks[0].to).toBe(weeks[1].from);
    expect(new Date(weeks[0].from).toISOString()).toBe('2026-11-15T23:00:00.000Z');
  });

  it('days follow the local calendar, across a DST change', () => {
    const days = calendarBuckets('day', 2, 'Europe/Paris', Date.parse('2026-03-30T12:00:00Z'));
    expect(days.map((d) => d.label)).toEqual(['2026-03-29', '2026-03-30']);
    expect(days[0].to - days[0].from).toBe(23 * 3_600_000);
    expect(days[1].from).toBe(days[0].to);
  });

  it('progress falls in tenths, 0 % in the first and a met target in the last', () => {
    expect([0, 1, 9, 10, 49, 50, 89, 90, 99, 100, 150].map((c) => progressBucket(c, 100))).toEqual([
      0, 0, 0, 1, 4, 5, 8, 9, 9, 9, 9,
    ]);
    expect(progressBucket(-1, 10)).toBe(0);
    expect(progressBucket(0, 0)).toBe(9);
  });

  it('shifts week and month labels across years', () => {
    expect(shiftPeriodLabel('2026-W01', -1)).toBe('2025-W52');
    expect(shiftPeriodLabel('2026-W53', 1)).toBe('2027-W01');
    expect(shiftPeriodLabel('2020-W53', 1)).toBe('2021-W01');
    expect(shiftPeriodLabel('2026-01', -1)).toBe('2025-12');
    expect(shiftPeriodLabel('2026-12', 1)).toBe('2027-01');
    expect(shiftPeriodLabel('all', 1)).toBeNull();
  });
});
