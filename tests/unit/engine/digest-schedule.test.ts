import { digestWindow, localHourInstant } from '../../../engine/digest-schedule';
import { localDayNumber } from '../../../engine/streak';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('digestWindow', () => {
  it('a daily digest leaves at the send hour in the member’s timezone', () => {
    // 09:00 in Auckland (NZDT, UTC+13) on 5 December is 20:00 UTC on 4 December.
    const w = digestWindow(at('2026-12-04T20:30:00Z'), 'Pacific/Auckland', 'daily', 9);
    expect(iso(w.slot)).toBe('2026-12-04T20:00:00.000Z');
    expect(iso(w.from)).toBe('2026-12-03T20:00:00.000Z');
  });

  it('before the send hour, the slot is yesterday’s', () => {
    // 08:00 in Los Angeles (PST, UTC-8) is 16:00 UTC: today's 09:00 has not come.
    const w = digestWindow(at('2026-12-04T16:00:00Z'), 'America/Los_Angeles', 'daily', 9);
    expect(iso(w.slot)).toBe('2026-12-03T17:00:00.000Z');
    const nine = digestWindow(at('2026-12-04T17:00:00Z'), 'America/Los_Angeles', 'daily', 9);
    expect(iso(nine.slot)).toBe('2026-12-04T17:00:00.000Z');
  });

  it('a weekly digest leaves on Monday at the send hour', () => {
    // Friday 4 December 2026: the latest Monday 09:00 in Paris (UTC+1) was 30 November.
    const w = digestWindow(at('2026-12-04T12:00:00Z'), 'Europe/Paris', 'weekly', 9);
    expect(iso(w.slot)).toBe('2026-11-30T08:00:00.000Z');
    expect(iso(w.from)).toBe('2026-11-23T08:00:00.000Z');
    // Monday 7 December before 09:00: still the week before's.
    const early = digestWindow(at('2026-12-07T07:59:00Z'), 'Europe/Paris', 'weekly', 9);
    expect(iso(early.slot)).toBe('2026-11-30T08:00:00.000Z');
  });

  it('a weekly digest leaves on the chosen weekday', () => {
    // Friday 4 December 2026 in Paris (UTC+1): Friday digests left at 09:00 that day.
    const friday = digestWindow(at('2026-12-04T12:00:00Z'), 'Europe/Paris', 'weekly', 9, 5);
    expect(iso(friday.slot)).toBe('2026-12-04T08:00:00.000Z');
    expect(iso(friday.from)).toBe('2026-11-27T08:00:00.000Z');
    const early = digestWindow(at('2026-12-04T07:59:00Z'), 'Europe/Paris', 'weekly', 9, 5);
    expect(iso(early.slot)).toBe('2026-11-27T08:00:00.000Z');
    // Sunday is 7: the Sunday before.
    const sunday = digestWindow(at('2026-12-04T12:00:00Z'), 'Europe/Paris', 'weekly', 9, 7);
    expect(iso(sunday.slot)).toBe('2026-11-29T08:00:00.000Z');
  });

  it('every weekday, every timezone: the slot is that weekday at the hour, within the last week', () => {
    const formats = new Map<string, Intl.DateTimeFormat>();
    const local = (instant: number, timeZone: string) => {
      if (!formats.has(timeZone))
        formats.set(
          timeZone,
          new Intl.DateTimeFormat('en-GB', {
            weekday: 'short',
            hour: '2-digit',
            hourCycle: 'h23',
            timeZone,
          })
        );
      const parts = formats.get(timeZone)!.formatToParts(instant);
      const part = (type: string) => parts.find((p) => p.type === type)!.value;
      return {
        weekday: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(part('weekday')) + 1,
        hour: Number(part('hour')),
      };
    };
    for (const timezone of ['Pacific/Auckland', 'America/Los_Angeles', 'Asia/Kolkata', 'UTC'])
      for (let weekday = 1; weekday <= 7; weekday += 1)
        for (let h = 0; h < 24 * 9; h += 5) {
          const now = at('2026-03-25T00:00:00Z') + h * 3_600_000;
          const { slot, from } = digestWindow(now, timezone, 'weekly', 9, weekday);
          expect(slot).toBeLessThanOrEqual(now);
          expect(now - slot).toBeLessThan(7 * 86_400_000 + 3_600_000);
          expect(local(slot, timezone)).toEqual({ weekday, hour: 9 });
          expect(local(from, timezone)).toEqual({ weekday, hour: 9 });
        }
  });

  it('immediately: everything up to now, from the last day', () => {
    const now = at('2026-12-04T12:00:00Z');
    expect(digestWindow(now, 'UTC', 'immediately', 9)).toEqual({
      from: now - 86_400_000,
      slot: now,
    });
  });

  it('keeps the local hour across a DST change', () => {
    // Paris moves to UTC+2 on 29 March 2026: 09:00 is 07:00 UTC that day, 08:00 UTC the day before.
    const day = localDayNumber(at('2026-03-29T12:00:00Z'), 'Europe/Paris');
    expect(iso(localHourInstant(day, 9, 'Europe/Paris'))).toBe('2026-03-29T07:00:00.000Z');
    expect(iso(localHourInstant(day - 1, 9, 'Europe/Paris'))).toBe('2026-03-28T08:00:00.000Z');
  });
});
