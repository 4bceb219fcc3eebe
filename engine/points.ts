/**
 * Points, levels and leaderboard periods: pure functions over plain data, no Strapi.
 * The points ledger is append-only; these decide what to append (event points under daily
 * caps, retractions that take back exactly what the cancelled fact earned), which level a total
 * reaches, where a calendar period starts and ends, and competition ranks.
 */
import { localDayNumber } from './streak';

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Levels
// ---------------------------------------------------------------------------------------------

export interface LevelDef {
  name: string;
  points: number;
}

export interface LevelState {
  /** 1 for the first level. */
  number: number;
  name: string;
  /** The level's threshold. */
  points: number;
  next: { number: number; name: string; points: number } | null;
}

/** The highest level whose threshold `total` reaches (levels ascend, the first starts at 0). */
export function levelOf(total: number, levels: readonly LevelDef[]): LevelState {
  let i = 0;
  while (i + 1 < levels.length && total >= levels[i + 1].points) i += 1;
  const next = levels[i + 1];
  return {
    number: i + 1,
    name: levels[i].name,
    points: levels[i].points,
    next: next ? { number: i + 2, name: next.name, points: next.points } : null,
  };
}

/** The level numbers reached going from `before` to `after` points (none when it falls). */
export function levelsCrossed(before: number, after: number, levels: readonly LevelDef[]) {
  const from = levelOf(before, levels).number;
  const to = levelOf(after, levels).number;
  const out: number[] = [];
  for (let n = from + 1; n <= to; n += 1) out.push(n);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Calendar periods
// ---------------------------------------------------------------------------------------------

export const PERIODS = ['week', 'month', 'all'] as const;
export type Period = (typeof PERIODS)[number];

export interface PeriodBounds {
  period: Period;
  /** `2026-W49`, `2026-12`, or `all`. */
  label: string;
  /** First instant (epoch ms), inclusive; null for all time. */
  from: number | null;
  /** First instant of the next period (epoch ms), exclusive; null for all time. */
  to: number | null;
}

/** The first instant whose calendar day in `timezone` is `day` (days since 1970-01-01). */
export function startOfLocalDay(day: number, timezone: string): number {
  // Offsets lie within ±14 h, and a day may start at a DST jump rather than at 00:00: search.
  let lo = day * DAY_MS - 15 * 3_600_000;
  let hi = day * DAY_MS + 15 * 3_600_000;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (localDayNumber(mid, timezone) >= day) hi = mid;
    else lo = mid;
  }
  return hi;
}

const civil = (day: number) => {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, date: d.getUTCDate() };
};
const dayOf = (year: number, month: number, date: number) =>
  Date.UTC(year, month - 1, date) / DAY_MS;
/** ISO weekday, Monday = 0. */
const weekday = (day: number) => (((day + 3) % 7) + 7) % 7;

/** The Monday (day number) of ISO week `week` of ISO year `year`. */
const isoWeekMonday = (year: number, week: number) => {
  const jan4 = dayOf(year, 1, 4);
  return jan4 - weekday(jan4) + (week - 1) * 7;
};

/** The ISO year and week of a day. */
const isoWeekOf = (day: number) => {
  const thursday = day - weekday(day) + 3;
  const year = civil(thursday).year;
  return { year, week: Math.floor((thursday - isoWeekMonday(year, 1)) / 7) + 1 };
};

const pad = (n: number) => String(n).padStart(2, '0');

const WEEK_RE = /^(\d{4})-W(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;

/**
 * The calendar period `period` that contains `nowMs`, or the one `at` names (`2026-W49` for
 * a week, ISO weeks starting on Monday; `2026-12` for a month), in `timezone`. Throws a
 * RangeError naming the problem when `at` does not name a period of that kind.
 */
export function periodBounds(
  period: Period,
  timezone: string,
  nowMs: number,
  at?: string
): PeriodBounds {
  if (period === 'all') {
    if (at !== undefined) throw new RangeError('at: the all-time period takes no `at`');
    return { period, label: 'all', from: null, to: null };
  }
  if (period === 'week') {
    let monday: number;
    if (at === undefined) {
      const today = localDayNumber(nowMs, timezone);
      monday = today - weekday(today);
    } else {
      const m = WEEK_RE.exec(at);
      const year = m ? Number(m[1]) : NaN;
      const week = m ? Number(m[2]) : NaN;
      const weeks = m ? isoWeekOf(dayOf(year, 12, 28)).week : 0;
      if (!m || week < 1 || week > weeks || year < 1970)
        throw new RangeError('at: must be an ISO week such as 2026-W49 for period=week');
      monday = isoWeekMonday(year, week);
    }
    const { year, week } = isoWeekOf(monday);
    return {
      period,
      label: `${year}-W${pad(week)}`,
      from: startOfLocalDay(monday, timezone),
      to: startOfLocalDay(monday + 7, timezone),
    };
  }
  let year: number;
  let month: number;
  if (at === undefined) {
    ({ year, month } = civil(localDayNumber(nowMs, timezone)));
  } else {
    const m = MONTH_RE.exec(at);
    year = m ? Number(m[1]) : NaN;
    month = m ? Number(m[2]) : NaN;
    if (!m || month < 1 || month > 12 || year < 1970)
      throw new RangeError('at: must be a month such as 2026-12 for period=month');
  }
  const first = dayOf(year, month, 1);
  const next = month === 12 ? dayOf(year + 1, 1, 1) : dayOf(year, month + 1, 1);
  return {
    period,
    label: `${year}-${pad(month)}`,
    from: startOfLocalDay(first, timezone),
    to: startOfLocalDay(next, timezone),
  };
}

/** The week and month labels (`2026-W49`, `2026-12`) of an instant in `timezone`. */
export function periodLabels(ms: number, timezone: string): { week: string; month: string } {
  const day = localDayNumber(ms, timezone);
  const { year, week } = isoWeekOf(day);
  const c = civil(day);
  return { week: `${year}-W${pad(week)}`, month: `${c.year}-${pad(c.month)}` };
}

/** One member's points on one board in one period, as the totals table keeps them. */
export interface PeriodTotal {
  userId: number;
  /** `site`, or the entry's scope (`course:<documentId>`). */
  board: string;
  /** `2026-W49`, `2026-12` or `all`. */
  label: string;
  points: number;
  /** The latest entry's instant (ms): equal totals rank in the order they were reached. */
  reachedAt: number;
}

const QUARTER_HOUR = 900_000;

/**
 * What entries add to the totals: per member, board (the site, and the entry's scope when it
 * has one) and period (its week, its month, all time), summed, with the latest instant.
 * `labels` caches period labels by quarter hour (every UTC offset is a multiple of 15 min),
 * so a rebuild over millions of entries computes each quarter hour once.
 */
export function periodTotals(
  entries: ReadonlyArray<{
    userId: number;
    amount: number;
    scope: string | null;
    occurredAt: number;
  }>,
  timezone: string,
  labels: Map<number, { week: string; month: string }> = new Map()
): PeriodTotal[] {
  const out = new Map<string, PeriodTotal>();
  const add = (userId: number, board: string, label: string, amount: number, at: number) => {
    const key = `${userId}\u0000${board}\u0000${label}`;
    const hit = out.get(key);
    if (hit) {
      hit.points += amount;
      if (at > hit.reachedAt) hit.reachedAt = at;
    } else out.set(key, { userId, board, label, points: amount, reachedAt: at });
  };
  for (const e of entries) {
    const quarter = Math.floor(e.occurredAt / QUARTER_HOUR);
    let l = labels.get(quarter);
    if (!l) {
      l = periodLabels(quarter * QUARTER_HOUR, timezone);
      labels.set(quarter, l);
    }
    for (const board of e.scope ? ['site', e.scope] : ['site']) {
      add(e.userId, board, l.week, e.amount, e.occurredAt);
      add(e.userId, board, l.month, e.amount, e.occurredAt);
      add(e.userId, board, 'all', e.amount, e.occurredAt);
    }
  }
  return [...out.values()];
}

// ---------------------------------------------------------------------------------------------
// Event points
// ---------------------------------------------------------------------------------------------

export interface EventPointsRule {
  points: number;
  dailyCap?: number;
}

/** A fact as points see it. */
export interface PointsFact {
  key: string;
  type: string;
  userId: number;
  subject: string | null;
  occurredAt: number;
  /** The board scope the fact counts on besides the site (`course:<documentId>`), if any. */
  scope: string | null;
}

/** A points entry from an event (written before, or planned now). */
export interface EventEntry {
  userId: number;
  amount: number;
  sourceKey: string;
  type: string;
  subject: string | null;
  scope: string | null;
  occurredAt: number;
}

/**
 * The event points entries to append for `facts` (in the order they are judged), given the
 * event entries already written for the same members (`written`: at least those of the facts'
 * days and subjects). A fact whose key has an entry is skipped (a replay or a recalculation
 * writes nothing twice). Under a daily cap (calendar day in `timezone`) a fact earns what is
 * left of the cap that day; deleting does not give cap back, so a create/delete loop farms
 * nothing. A retraction (`retractions`: retracting type → cancelled type) takes back what the
 * cancelled facts about the same subject, up to its instant, still hold: exactly what they
 * earned (0 when capped), once.
 */
export function planEventPoints(
  facts: readonly PointsFact[],
  written: readonly EventEntry[],
  rules: Readonly<Record<string, EventPointsRule>>,
  retractions: Readonly<Record<string, string>>,
  timezone: string
): EventEntry[] {
  const seen = new Set(written.map((e) => e.sourceKey));
  /** member and subject → their entries (what a retraction looks through). */
  const bySubject = new Map<string, EventEntry[]>();
  const subjectKey = (userId: number, subject: string | null) => `${userId}\u0000${subject}`;
  const index = (e: EventEntry) => {
    if (e.subject === null) return;
    const k = subjectKey(e.userId, e.subject);
    const list = bySubject.get(k);
    if (list) list.push(e);
    else bySubject.set(k, [e]);
  };
  written.forEach(index);
  const planned: EventEntry[] = [];
  const earnedOn = new Map<string, number>();
  const dayKey = (userId: number, type: string, day: number) =>
    `${userId}\u0000${type}\u0000${day}`;
  for (const e of written)
    if (e.amount > 0) {
      const k = dayKey(e.userId, e.type, localDayNumber(e.occurredAt, timezone));
      earnedOn.set(k, (earnedOn.get(k) ?? 0) + e.amount);
    }
  const append = (e: EventEntry) => {
    seen.add(e.sourceKey);
    index(e);
    planned.push(e);
  };
  for (const fact of facts) {
    if (seen.has(fact.key)) continue;
    const rule = rules[fact.type];
    const cancelled = retractions[fact.type];
    if (rule && rule.points > 0) {
      const k = dayKey(fact.userId, fact.type, localDayNumber(fact.occurredAt, timezone));
      const used = earnedOn.get(k) ?? 0;
      const amount =
        rule.dailyCap === undefined
          ? rule.points
          : Math.min(rule.points, Math.max(0, rule.dailyCap - used));
      if (amount > 0) {
        earnedOn.set(k, used + amount);
        append({ ...factEntry(fact), amount });
      }
    } else if (cancelled && fact.subject !== null) {
      let held = 0;
      for (const e of bySubject.get(subjectKey(fact.userId, fact.subject)) ?? [])
        if ((e.type === cancelled || e.type === fact.type) && e.occurredAt <= fact.occurredAt)
          held += e.amount;
      if (held > 0) append({ ...factEntry(fact), amount: -held });
    }
  }
  return planned;
}

const factEntry = (fact: PointsFact): Omit<EventEntry, 'amount'> => ({
  userId: fact.userId,
  sourceKey: fact.key,
  type: fact.type,
  subject: fact.subject,
  scope: fact.scope,
  occurredAt: fact.occurredAt,
});
