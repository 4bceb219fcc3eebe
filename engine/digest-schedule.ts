import { localDayNumber, offsetAt } from './streak';

/**
 * When email digests leave, in each member's own timezone. Pure: the scheduler passes `now`,
 * so tests drive time.
 */
export type DigestFrequency = 'immediately' | 'daily' | 'weekly';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The instant the member's clock reads `hour`:00 on local day `dayNumber` (days since
 * 1970-01-01). On a day a DST change skips that hour, the instant the clock jumps over it.
 */
export const localHourInstant = (dayNumber: number, hour: number, timezone: string): number => {
  const wall = dayNumber * DAY_MS + hour * HOUR_MS;
  let instant = wall - offsetAt(wall, timezone);
  // The offset at the guess may differ from the offset at the answer (a DST change between).
  const corrected = wall - offsetAt(instant, timezone);
  if (corrected !== instant) instant = corrected;
  return instant;
};

/**
 * The latest day at or before `dayNumber` that is ISO weekday `weekday` (1 Monday … 7 Sunday;
 * 1970-01-01, day 0, was a Thursday).
 */
const lastWeekdayOf = (dayNumber: number, weekday: number) =>
  dayNumber - ((((dayNumber + 3 - (weekday - 1)) % 7) + 7) % 7);

/**
 * The latest scheduled send time at or before `now` (a weekly one on ISO `weekday`, 1 Monday …
 * 7 Sunday), and the one before it: a digest at `slot`
 * reports what was written in [previous, slot). `immediately` has no schedule: the slot is now
 * and the window is the last day (older notifications are in the member's feed, not mailed).
 */
export const digestWindow = (
  now: number,
  timezone: string,
  frequency: DigestFrequency,
  hour: number,
  weekday = 1
): { from: number; slot: number } => {
  if (frequency === 'immediately') return { from: now - DAY_MS, slot: now };
  const step = frequency === 'daily' ? 1 : 7;
  const today = localDayNumber(now, timezone);
  let day = frequency === 'daily' ? today : lastWeekdayOf(today, weekday);
  let slot = localHourInstant(day, hour, timezone);
  if (slot > now) {
    day -= step;
    slot = localHourInstant(day, hour, timezone);
  }
  return { from: localHourInstant(day - step, hour, timezone), slot };
};
