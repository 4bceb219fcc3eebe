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

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
const zoneTables = new Map<string, ZoneTable>();
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

/** The local day straight from Intl: the reference the offset tables below must agree with. */
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

/*
 * Local days without an Intl call per instant. A zone's UTC offset is read from Intl at UTC
 * midnights only (one call per UTC day ever touched, memoised per zone). When the offsets at both
 * ends of a UTC day agree, the offset is taken as constant over that day; when they differ, the
 * instant of the change is found by bisection to the second (tz rules change on whole seconds) and
 * memoised too. The one assumption: a zone's offset changes at most once within one UTC day, which
 * holds for every rule in the tz database (DST changes are months apart; even the shortest
 * Ramadan suspensions last weeks). Outside years 1000–9999 the plain Intl path is used.
 */
interface ZoneTable {
  /** UTC day number → the zone's offset (ms) at that day's 00:00 UTC */
  offsets: Map<number, number>;
  /** UTC day number → first instant (ms) of that day carrying the next day's offset */
  changes: Map<number, number>;
  /**
   * The last two answers, each valid for instants in [from, to): the most recent one first. Two,
   * because a streak update alternates between "now" and the member's last active instant.
   */
  hitFrom: number;
  hitTo: number;
  hitOffset: number;
  prevFrom: number;
  prevTo: number;
  prevOffset: number;
}

const FAST_MIN = Date.UTC(1000, 0, 2);
const FAST_MAX = Date.UTC(9999, 11, 30);
const MAX_TABLE_DAYS = 100_000;
const MAX_DAY_STRINGS = 100_000;
const dayStrings = new Map<number, string>();

function offsetFormatterFor(timezone: string): Intl.DateTimeFormat {
  let f = offsetFormatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetFormatters.set(timezone, f);
  }
  return f;
}

/** The zone's UTC offset in ms at a whole-second instant, from Intl. */
function intlOffset(instantMs: number, timezone: string): number {
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  for (const part of offsetFormatterFor(timezone).formatToParts(instantMs)) {
    switch (part.type) {
      case 'year':
        y = Number(part.value);
        break;
      case 'month':
        mo = Number(part.value);
        break;
      case 'day':
        d = Number(part.value);
        break;
      case 'hour':
        h = Number(part.value) % 24;
        break;
      case 'minute':
        mi = Number(part.value);
        break;
      case 'second':
        s = Number(part.value);
        break;
    }
  }
  return Date.UTC(y, mo - 1, d, h, mi, s) - instantMs;
}

function tableFor(timezone: string): ZoneTable {
  let t = zoneTables.get(timezone);
  if (!t) {
    formatterFor(timezone); // validate before caching anything under this name
    t = {
      offsets: new Map(),
      changes: new Map(),
      hitFrom: 0,
      hitTo: 0,
      hitOffset: 0,
      prevFrom: 0,
      prevTo: 0,
      prevOffset: 0,
    };
    zoneTables.set(timezone, t);
  }
  return t;
}

function offsetAtMidnight(table: ZoneTable, utcDay: number, timezone: string): number {
  let off = table.offsets.get(utcDay);
  if (off === undefined) {
    off = intlOffset(utcDay * DAY_MS, timezone);
    if (table.offsets.size >= MAX_TABLE_DAYS) {
      table.offsets.clear();
      table.changes.clear();
    }
    table.offsets.set(utcDay, off);
  }
  return off;
}

/** The zone's UTC offset (ms) at an instant inside years 1000–9999. */
export function offsetAt(instantMs: number, timezone: string): number {
  const table = tableFor(timezone);
  if (instantMs >= table.hitFrom && instantMs < table.hitTo) return table.hitOffset;
  if (instantMs >= table.prevFrom && instantMs < table.prevTo) {
    return remember(table, table.prevFrom, table.prevTo, table.prevOffset);
  }
  const utcDay = Math.floor(instantMs / DAY_MS);
  const before = offsetAtMidnight(table, utcDay, timezone);
  const after = offsetAtMidnight(table, utcDay + 1, timezone);
  const from = utcDay * DAY_MS;
  if (before === after) return remember(table, from, from + DAY_MS, before);
  let change = table.changes.get(utcDay);
  if (change === undefined) {
    // Bisect on whole seconds: offset(lo) is `before`, offset(hi) is `after`.
    let lo = utcDay * 86_400;
    let hi = lo + 86_400;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (intlOffset(mid * 1000, timezone) === before) lo = mid;
      else hi = mid;
    }
    change = hi * 1000;
    table.changes.set(utcDay, change);
  }
  return instantMs < change
    ? remember(table, from, change, before)
    : remember(table, change, from + DAY_MS, after);
}

/** Makes [from, to) the most recent answer; the one it replaces becomes the previous one. */
function remember(table: ZoneTable, from: number, to: number, offset: number): number {
  table.prevFrom = table.hitFrom;
  table.prevTo = table.hitTo;
  table.prevOffset = table.hitOffset;
  table.hitFrom = from;
  table.hitTo = to;
  table.hitOffset = offset;
  return offset;
}

/** 'YYYY-MM-DD' of a day number (days since 1970-01-01), memoised. */
function dayString(dayNo: number): string {
  let s = dayStrings.get(dayNo);
  if (s === undefined) {
    const d = new Date(dayNo * DAY_MS);
    s = `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
    if (dayStrings.size >= MAX_DAY_STRINGS) dayStrings.clear();
    dayStrings.set(dayNo, s);
  }
  return s;
}

/** The member's local calendar day as a day number (days since 1970-01-01), or NaN off range. */
function fastDayNumber(instantMs: number, timezone: string): number {
  if (!(instantMs >= FAST_MIN && instantMs <= FAST_MAX)) return NaN;
  return Math.floor((instantMs + offsetAt(instantMs, timezone)) / DAY_MS);
}

/** The member's calendar day ('YYYY-MM-DD') for an instant, in an IANA timezone. */
export function localDay(instantMs: number, timezone: string): string {
  if (!Number.isFinite(instantMs)) throw new RangeError(`invalid instant: ${instantMs}`);
  if (!(instantMs >= FAST_MIN && instantMs <= FAST_MAX)) return computeDay(instantMs, timezone);
  return dayString(fastDayNumber(instantMs, timezone));
}

function dayNumber(day: string): number {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  const d = Number(day.slice(8, 10));
  if (day.length !== 10 || !y || !m || !d) throw new RangeError(`invalid day: ${day}`);
  // UTC has no DST, so whole-day arithmetic on the calendar date is exact.
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/**
 * The member's calendar day as a day number (days since 1970-01-01, as dayDiff counts them):
 * localDay without building its text.
 */
export function localDayNumber(instantMs: number, timezone: string): number {
  const n = fastDayNumber(instantMs, timezone);
  return n === n ? n : dayNumber(localDay(instantMs, timezone));
}

/** Calendar days from a to b (b - a), both 'YYYY-MM-DD'. */
export function dayDiff(a: string, b: string): number {
  return dayNumber(b) - dayNumber(a);
}

function resolveZone(...candidates: Array<string | null | undefined>): string {
  for (const tz of candidates) if (tz && isValidTimeZone(tz)) return tz;
  return 'UTC';
}

const MAX_MONTH_STRINGS = 10_000;
const monthStrings = new Map<string, string>();
/** 'YYYY-MM' of a day, memoised (streak state compares months on every activity) */
const monthOf = (day: string) => {
  let m = monthStrings.get(day);
  if (m === undefined) {
    m = day.slice(0, 7);
    if (monthStrings.size >= MAX_MONTH_STRINGS) monthStrings.clear();
    monthStrings.set(day, m);
  }
  return m;
};

/** localDay's text for a day number localDayNumber returned for the same instant and zone. */
function dayText(dayNo: number, instantMs: number, timezone: string): string {
  return instantMs >= FAST_MIN && instantMs <= FAST_MAX
    ? dayString(dayNo)
    : localDay(instantMs, timezone);
}

function freezesLeft(state: StreakState, month: string, freezesPerMonth: number) {
  const used = state.freezesMonth === month ? state.freezesUsed : 0;
  return { used, left: Math.max(0, freezesPerMonth - used) };
}

/**
 * Calendar days from the run's last counted day to `at`, as each honest view sees them. The
 * counted day is fixed when it happened, in the zone the member had then (lastActiveDay,
 * timezone); `lastAt` is the latest activity since. A timezone change may neither add a day
 * that real time does not show in the old zone and the new one (hopping east, or back and
 * forth, to gain days) nor hide a day without activity in either (moving 12 hours west).
 */
function gapsSince(state: StreakState, lastAt: number, at: number, tz: string, dayNo: number) {
  const countedTz = resolveZone(state.timezone);
  const countedDay = state.lastActiveDay
    ? dayNumber(state.lastActiveDay)
    : localDayNumber(lastAt, countedTz);
  const atInCountedTz = localDayNumber(at, countedTz);
  const sinceLastInCurrent = dayNo - localDayNumber(lastAt, tz);
  return {
    /** Days passed in every view: only then is this a new day of the run. */
    passed: Math.min(dayNo - countedDay, atInCountedTz - countedDay, sinceLastInCurrent),
    /** Days since the latest activity in either zone: missed days are counted from this. */
    elapsed: Math.max(atInCountedTz - localDayNumber(lastAt, countedTz), sinceLastInCurrent),
  };
}

/**
 * Records one activity. Its local day is fixed in the timezone the member has when it happens
 * and stored with the state (lastActiveDay, timezone); a later timezone change affects only
 * later activity, and never adds a day or hides a missed one (gapsSince).
 */
export function applyActivity(
  state: StreakState,
  activity: { at: number; timezone: string },
  opts: { freezesPerMonth: number }
): { state: StreakState; counted: boolean; freezesUsed: number } {
  const tz = resolveZone(activity.timezone, state.timezone);
  const dayNo = localDayNumber(activity.at, tz);
  const day = dayText(dayNo, activity.at, tz);
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

  const { passed, elapsed } = gapsSince(state, state.lastActiveAt, activity.at, tz, dayNo);
  // An older activity arriving late: it can neither extend nor break the run.
  if (activity.at < state.lastActiveAt) return { state, counted: false, freezesUsed: 0 };
  const { used, left } = freezesLeft(state, month, perMonth);
  const missed = elapsed - 1;
  if (passed <= 0 && missed <= left) {
    // No new day in every view (the same day, or one a timezone change alone made): the run and
    // its counted day stand; this activity is the latest one.
    return { state: { ...state, lastActiveAt: activity.at }, counted: false, freezesUsed: 0 };
  }
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
  const today = localDayNumber(now, tz);
  const { elapsed } = gapsSince(state, state.lastActiveAt, now, tz, today);
  // The run's last counted day, as it was then (a later timezone change does not move it).
  const last = state.lastActiveDay ?? localDay(state.lastActiveAt, tz);
  // Today is not over yet, so only the days strictly between are missed.
  const missed = elapsed - 1;
  let current = state.current;
  if (missed > 0) {
    const perMonth = Math.max(0, Math.floor(opts.freezesPerMonth || 0));
    if (missed > freezesLeft(state, monthOf(dayText(today, now, tz)), perMonth).left) current = 0;
  }
  return { current, longest: state.longest, lastActiveDate: last };
}

/** What a member is told about their streak after an evaluation (see streakNews). */
export interface StreakNews {
  /** The length reached, or null for a freeze used. */
  milestone: number | null;
  freezeUsed: boolean;
  /** Unique per member for this news: the local day a milestone was reached, or the freeze. */
  key: string;
}

/**
 * The milestones a streak crossed between two states of it (one evaluation: several at once
 * when a batch holds several days), and a freeze used in between.
 */
export const streakNews = (
  before: StreakState | null,
  after: StreakState,
  milestones: readonly number[]
): StreakNews[] => {
  const out: StreakNews[] = [];
  const was = before?.current ?? 0;
  for (const m of milestones)
    if (was < m && after.current >= m)
      out.push({ milestone: m, freezeUsed: false, key: `${after.lastActiveDay}:${m}` });
  const freezesBefore =
    before && before.freezesMonth === after.freezesMonth ? before.freezesUsed : 0;
  if (after.freezesUsed > freezesBefore)
    out.push({
      milestone: null,
      freezeUsed: true,
      key: `freeze:${after.freezesMonth}:${after.freezesUsed}`,
    });
  return out;
};
