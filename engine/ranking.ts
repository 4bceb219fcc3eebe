/**
 * A board's ranking held in memory: every member's total in one window (a board × a period's
 * label), sorted best first, so a page of it and a member's rank are binary searches and
 * slices instead of counting every member on each request. Those others may not see (opted
 * out, private, blocked, of an excluded role: normally few) are given per read as a set and
 * left out of the counts by their positions, so the snapshot itself holds everyone.
 */

export interface RankedTotal {
  userId: number;
  points: number;
  /** When the member reached this total (ms): earlier wins a tie. */
  reachedAt: number;
}

export interface Ranking {
  /** Positive totals, best first; ties by reachedAt, then userId. */
  readonly rows: readonly RankedTotal[];
  /** userId → position in rows. */
  readonly positions: ReadonlyMap<number, number>;
}

/** Sorts the totals (positive ones) into a ranking. */
export function rankTotals(totals: readonly RankedTotal[]): Ranking {
  const rows = totals
    .filter((t) => t.points > 0)
    .sort((a, b) => b.points - a.points || a.reachedAt - b.reachedAt || a.userId - b.userId);
  const positions = new Map<number, number>();
  rows.forEach((r, i) => positions.set(r.userId, i));
  return { rows, positions };
}

/** How many rows have more than `points` (rows are sorted by points, descending). */
export function countAbove(ranking: Ranking, points: number): number {
  let lo = 0;
  let hi = ranking.rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ranking.rows[mid].points > points) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of the sorted numbers are below `n`. */
function countBelow(sorted: readonly number[], n: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The ranking as others see it: the hidden members' positions, found once per read. */
export interface VisibleRanking {
  ranking: Ranking;
  /** Positions (in ranking.rows) of the hidden members on this board, ascending. */
  hidden: number[];
}

/** The ranking without `hidden` (member ids; repeats and members not on it are ignored). */
export function hideMembers(ranking: Ranking, hidden: Iterable<number>): VisibleRanking {
  const at = new Set<number>();
  for (const id of hidden) {
    const p = ranking.positions.get(id);
    if (p !== undefined) at.add(p);
  }
  return { ranking, hidden: [...at].sort((a, b) => a - b) };
}

/** How many members others see. */
export function visibleCount(v: VisibleRanking): number {
  return v.ranking.rows.length - v.hidden.length;
}

/** How many members others see with more than `points`. */
export function visibleAbove(v: VisibleRanking, points: number): number {
  const above = countAbove(v.ranking, points);
  return above - countBelow(v.hidden, above);
}

/**
 * A page of what others see (`offset` and `limit` in visible members), each row with its
 * competition rank (1 + how many visible members have more points: 1, 1, 1, 4).
 */
export function visiblePage(
  v: VisibleRanking,
  offset: number,
  limit: number
): Array<RankedTotal & { rank: number }> {
  // The offset-th visible row: each hidden position at or before it moves it one further.
  let i = offset;
  for (const h of v.hidden) {
    if (h <= i) i++;
    else break;
  }
  const page: Array<RankedTotal & { rank: number }> = [];
  let h = countBelow(v.hidden, i);
  const rows = v.ranking.rows;
  for (; i < rows.length && page.length < limit; i++) {
    if (h < v.hidden.length && v.hidden[h] === i) {
      h++;
      continue;
    }
    const row = rows[i];
    const rank =
      page.length > 0 && page[page.length - 1].points === row.points
        ? page[page.length - 1].rank
        : visibleAbove(v, row.points) + 1;
    page.push({ ...row, rank });
  }
  return page;
}
