import {
  countAbove,
  hideMembers,
  rankTotals,
  visibleAbove,
  visibleCount,
  visiblePage,
} from '../../../engine/ranking';

const t = (userId: number, points: number, reachedAt = userId) => ({ userId, points, reachedAt });

describe('ranking', () => {
  // 1:30, 2:20 (reached at 5), 3:20 (at 3), 4:20 (at 4), 5:10, 6:0 (left out)
  const ranking = rankTotals([t(1, 30), t(2, 20, 5), t(3, 20, 3), t(4, 20, 4), t(5, 10), t(6, 0)]);

  it('sorts by points, then who reached them first, and leaves out zero totals', () => {
    expect(ranking.rows.map((r) => r.userId)).toEqual([1, 3, 4, 2, 5]);
    expect(ranking.positions.get(2)).toBe(3);
    expect(ranking.positions.has(6)).toBe(false);
  });

  it('counts the members above a score by binary search', () => {
    expect(countAbove(ranking, 40)).toBe(0);
    expect(countAbove(ranking, 30)).toBe(0);
    expect(countAbove(ranking, 20)).toBe(1);
    expect(countAbove(ranking, 15)).toBe(4);
    expect(countAbove(ranking, 0)).toBe(5);
  });

  it('gives competition ranks, ties sharing one (1, 2, 2, 2, 5)', () => {
    const v = hideMembers(ranking, []);
    expect(visiblePage(v, 0, 10).map((r) => [r.userId, r.rank])).toEqual([
      [1, 1],
      [3, 2],
      [4, 2],
      [2, 2],
      [5, 5],
    ]);
    expect(visibleCount(v)).toBe(5);
  });

  it('pages from inside a tie with the tie’s rank', () => {
    const v = hideMembers(ranking, []);
    expect(visiblePage(v, 2, 2).map((r) => [r.userId, r.rank])).toEqual([
      [4, 2],
      [2, 2],
    ]);
    expect(visiblePage(v, 5, 2)).toEqual([]);
  });

  it('leaves hidden members out of pages, counts and ranks', () => {
    const v = hideMembers(ranking, [1, 4, 99, 4]);
    expect(visibleCount(v)).toBe(3);
    expect(visiblePage(v, 0, 10).map((r) => [r.userId, r.rank])).toEqual([
      [3, 1],
      [2, 1],
      [5, 3],
    ]);
    expect(visiblePage(v, 1, 1).map((r) => r.userId)).toEqual([2]);
    expect(visiblePage(v, 2, 5).map((r) => r.userId)).toEqual([5]);
    expect(visibleAbove(v, 20)).toBe(0);
    expect(visibleAbove(v, 19)).toBe(2);
    expect(visibleAbove(v, 0)).toBe(3);
  });

  it('matches counting every member, on random boards', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 50; round++) {
      const totals = Array.from({ length: 60 }, (_, i) => t(i + 1, Math.floor(rnd() * 8), rnd()));
      const hidden = new Set(totals.filter(() => rnd() < 0.2).map((x) => x.userId));
      const v = hideMembers(rankTotals(totals), hidden);
      const seen = rankTotals(totals.filter((x) => !hidden.has(x.userId))).rows;
      const offset = Math.floor(rnd() * 40);
      const page = visiblePage(v, offset, 7);
      expect(page.map((r) => r.userId)).toEqual(
        seen.slice(offset, offset + 7).map((r) => r.userId)
      );
      for (const r of page) expect(r.rank).toBe(1 + seen.filter((s) => s.points > r.points).length);
      expect(visibleCount(v)).toBe(seen.length);
    }
  });
});
