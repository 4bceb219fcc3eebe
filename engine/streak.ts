/**
 * Learning streaks: runs of consecutive active days in the member's own timezone.
 * Pure functions over a plain state object, so the adapter can persist it as-is.
 */

export interface StreakState {
  current: number;
  longest: number;
  lastActiveAt: number | null;
  lastActiveDay: string | null;
  timezone: string;
  freezesUsed: number;
  freezesMonth: string | null;
}

export const emptyStreak = (timezone: string): StreakState => ({
  current: 0,
  longest: 0,
  lastActiveAt: null,
  lastActiveDay: null,
  timezone,
  freezesUsed: 0,
  freezesMonth: null,
});

const DAY_MS = 86_400_000;
// Every offset in use today is a multiple of 15 minutes and changes on a 15-minute UTC boundary,
// so the local date is constant inside one 15-minute bucket and can be cached per bucket.
const BUCKET_MS = 900_000;
const MAX_CACHED_DAYS = 20_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const dayCaches = new Map<string, Map<number, string>>();
const validity = new Map<string, boolean>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    // Throws RangeError for an unknown zone, which is what callers of localDay expect.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timezone, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) return false;
  const known = validity.get(tz);
  if (known !== undefined) return known;
  let ok = true;
  try {
    formatterFor(tz);
  } catch {
    ok = false;
  }
  // Bounded: garbage zone names from user input must not grow the cache forever.
  if (validity.size > 1000) validity.clear();
  validity.set(tz, ok);
  return ok;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function computeDay(instantMs: number, timezone: string): string {
  let year = 0;
  let month = 0;
  let day = 0;
  for (const part of formatterFor(timezone).formatToParts(instantMs)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
  }
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** The member's calendar day ('YYYY-MM-DD') for an instant, in an IANA timezone. */
export function localDay(instantMs: number, timezone: string): string {
  if (!Number.isFinite(instantMs)) throw new RangeError(`invalid instant: ${instantMs}`);
  let cache = dayCaches.get(timezone);
  if (!cache) {
    formatterFor(timezone); // validate before caching anything under this name
    cache = new Map();
    dayCaches.set(timezone, cache);
  }
  const bucket = Math.floor(instantMs / BUCKET_MS);
  let day = cache.get(bucket);
  if (day === undefined) {
    day = computeDay(instantMs, timezone);
    if (cache.size >= MAX_CACHED_DAYS) cache.clear();
    cache.set(bucket, day);
  }
  return day;
}

function dayNumber(day: string): number {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  const d = Number(day.slice(8, 10));
  if (day.length !== 10 || !y || !m || !d) throw new RangeError(`invalid day: ${day}`);
  // UTC has no DST, so whole-day arithmetic on the calendar date is exact.
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/** Calendar days from a to b (b - a), both 'YYYY-MM-DD'. */
export function dayDiff(a: string, b: string): number {
  return dayNumber(b) - dayNumber(a);
}

function resolveZone(...candidates: Array<string | null | undefined>): string {
  for (const tz of candidates) if (tz && isValidTimeZone(tz)) return tz;
  return 'UTC';
}

const monthOf = (day: string) => day.slice(0, 7);

function freezesLeft(state: StreakState, month: string, freezesPerMonth: number) {
  const used = state.freezesMonth === month ? state.freezesUsed : 0;
  return { used, left: Math.max(0, freezesPerMonth - used) };
}

/**
 * Records one activity. Days are compared in the timezone the member has now: the previous
 * activity instant is re-expressed in it, so moving east or west neither breaks nor double counts.
 */
export function applyActivity(
  state: StreakState,
  activity: { at: number; timezone: string },
  opts: { freezesPerMonth: number }
): { state: StreakState; counted: boolean; freezesUsed: number } {
  const tz = resolveZone(activity.timezone, state.timezone);
  const day = localDay(activity.at, tz);
  const month = monthOf(day);
  const perMonth = Math.max(0, Math.floor(opts.freezesPerMonth || 0));

  if (state.lastActiveAt === null) {
    const current = 1;
    return {
      state: {
        ...state,
        current,
        longest: Math.max(state.longest, current),
        lastActiveAt: activity.at,
        lastActiveDay: day,
        timezone: tz,
        freezesUsed: state.freezesMonth === month ? state.freezesUsed : 0,
        freezesMonth: month,
      },
      counted: true,
      freezesUsed: 0,
    };
  }

  const gap = dayDiff(localDay(state.lastActiveAt, tz), day);
  // An older activity arriving late: it can neither extend nor break the run.
  if (gap < 0) return { state, counted: false, freezesUsed: 0 };
  if (gap === 0) {
    // Keep the latest instant of the last active day: the next gap is measured from it.
    const lastActiveAt = Math.max(state.lastActiveAt, activity.at);
    return {
      state: { ...state, lastActiveAt, lastActiveDay: localDay(lastActiveAt, tz), timezone: tz },
      counted: false,
      freezesUsed: 0,
    };
  }

  const { used, left } = freezesLeft(state, month, perMonth);
  const missed = gap - 1;
  let current: number;
  let spent = 0;
  if (missed === 0) {
    current = state.current + 1;
  } else if (missed <= left) {
    spent = missed;
    current = state.current + 1;
  } else {
    current = 1;
  }
  return {
    state: {
      ...state,
      current,
      longest: Math.max(state.longest, current),
      lastActiveAt: activity.at,
      lastActiveDay: day,
      timezone: tz,
      freezesUsed: used + spent,
      freezesMonth: month,
    },
    counted: true,
    freezesUsed: spent,
  };
}

/** The streak as a member sees it at `now`: 0 once missed days exceed the freezes left. */
export function streakAsOf(
  state: StreakState,
  now: number,
  timezone: string,
  opts: { freezesPerMonth: number }
): { current: number; longest: number; lastActiveDate: string | null } {
  if (state.lastActiveAt === null) {
    return { current: 0, longest: state.longest, lastActiveDate: null };
  }
  const tz = resolveZone(timezone, state.timezone);
  const last = localDay(state.lastActiveAt, tz);
  const today = localDay(now, tz);
  // Today is not over yet, so only the days strictly between are missed.
  const missed = dayDiff(last, today) - 1;
  let current = state.current;
  if (missed > 0) {
    const perMonth = Math.max(0, Math.floor(opts.freezesPerMonth || 0));
    if (missed > freezesLeft(state, monthOf(today), perMonth).left) current = 0;
  }
  return { current, longest: state.longest, lastActiveDate: last };
}
