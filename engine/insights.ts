/**
 * The calendar buckets the admin's Insights page counts in: the last `count` days or ISO weeks
 * (Monday first) of a timezone, oldest first, the current one included. Pure, so the three
 * databases only compare a datetime column with the same bound instants.
 */
import { startOfLocalDay } from './points';
import { localDayNumber } from './streak';

export interface Bucket {
  /** `2026-12-04` for a day, `2026-W49` for a week. */
  label: string;
  /** First instant (epoch ms), inclusive. */
  from: number;
  /** First instant of the next bucket (epoch ms), exclusive. */
  to: number;
}

const DAY_MS = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');
const dayLabel = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
/** ISO weekday, Monday = 0. */
const weekday = (day: number) => (((day + 3) % 7) + 7) % 7;
const weekLabel = (monday: number) => {
  const thursday = monday + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  const jan4 = Date.UTC(year, 0, 4) / DAY_MS;
  const week1 = jan4 - weekday(jan4);
  return `${year}-W${pad(Math.floor((thursday - week1) / 7) + 1)}`;
};

export function calendarBuckets(
  unit: 'day' | 'week',
  count: number,
  timezone: string,
  nowMs: number
): Bucket[] {
  const today = localDayNumber(nowMs, timezone);
  const step = unit === 'day' ? 1 : 7;
  const last = unit === 'day' ? today : today - weekday(today);
  const out: Bucket[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const first = last - i * step;
    out.push({
      label: unit === 'day' ? dayLabel(first) : weekLabel(first),
      from: startOfLocalDay(first, timezone),
      to: startOfLocalDay(first + step, timezone),
    });
  }
  return out;
}

/** Progress buckets: 0–10 %, 10–20 %, …, 90–100 % (a met target counts in the last one). */
export const PROGRESS_BUCKETS = 10;

/** The bucket (0–9) of `current` out of `target`: ⌊10 · current / target⌋, at most 9. */
export function progressBucket(current: number, target: number): number {
  if (target <= 0) return PROGRESS_BUCKETS - 1;
  const ratio = Math.max(0, current) / target;
  return Math.min(PROGRESS_BUCKETS - 1, Math.floor(ratio * PROGRESS_BUCKETS));
}

const WEEK_LABEL = /^(\d{4})-W(\d{2})$/;
const MONTH_LABEL = /^(\d{4})-(\d{2})$/;

/**
 * The label of the week or month `by` periods away from `label` (`2026-W49` → `2026-W48` for
 * -1; `2026-01` → `2025-12`), as `periodBounds` reads `at`; null for a label of neither kind.
 */
export function shiftPeriodLabel(label: string, by: number): string | null {
  const w = WEEK_LABEL.exec(label);
  if (w) {
    const year = Number(w[1]);
    const jan4 = Date.UTC(year, 0, 4) / DAY_MS;
    const monday = jan4 - weekday(jan4) + (Number(w[2]) - 1) * 7;
    return weekLabel(monday + by * 7);
  }
  const m = MONTH_LABEL.exec(label);
  if (m) {
    const index = Number(m[1]) * 12 + Number(m[2]) - 1 + by;
    return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
  }
  return null;
}
