import { newDocumentId } from '../../../server/src/stores/sql';

describe('newDocumentId', () => {
  it('is shaped like a Strapi documentId: 24 characters, a letter then lowercase base 36', () => {
    for (let i = 0; i < 1_000; i++) expect(newDocumentId()).toMatch(/^[a-z][a-z0-9]{23}$/);
  });

  it('does not repeat across 100,000 ids', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) ids.add(newDocumentId());
    expect(ids.size).toBe(100_000);
  });

  it('uses every character of the alphabet about equally often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++)
      for (const c of newDocumentId().slice(1)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(36);
    const expected = (20_000 * 23) / 36;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.05);
  });
});
