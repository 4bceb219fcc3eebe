import { occurredAtProblem, occurredAtSchema } from '../../../server/src/validation/occurred-at';

describe('occurredAt', () => {
  const NOW = Date.parse('2026-06-01T12:00:00Z');

  it.each([
    [8640000000000001, false],
    [8640000000000000, true],
    [-8640000000000000, true],
    [1.5, false],
    ['0001-01-01T00:00:00Z', true],
    ['2021-02-30T00:00:00Z', false],
    ['2024-01-01', false],
    [new Date(NaN), false],
  ])('the input schema: %j is a valid instant: %s', (value, ok) => {
    expect(occurredAtSchema.safeParse(value).success).toBe(ok);
  });

  it('the window runs from oldestEvent to five minutes from now', () => {
    const at = (iso: string) => occurredAtProblem(new Date(iso), '1990-01-01', NOW);
    expect(at('1990-01-01T00:00:00Z')).toBeNull();
    expect(at('1989-12-31T23:59:59.999Z')).toMatch(/^must not be before 1990-01-01T00:00:00.000Z/);
    expect(at('1970-01-01T00:00:00Z')).toMatch(/^must not be before/);
    expect(at('2026-06-01T12:05:00Z')).toBeNull();
    expect(at('2026-06-01T12:05:00.001Z')).toBe('must not be in the future');
    expect(occurredAtProblem(new Date(NaN), '1990-01-01', NOW)).toMatch(/^must be a valid date/);
    expect(occurredAtProblem(new Date('1970-01-01T00:00:00Z'), '1970-01-01', NOW)).toBeNull();
  });
});
