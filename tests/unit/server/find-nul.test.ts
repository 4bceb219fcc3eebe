import { findNul } from '../../../common/validation';

describe('findNul (every request is checked for U+0000)', () => {
  it('names the first string holding NUL, at any depth, keys included', () => {
    expect(findNul({ a: 'ok', b: ['x', 'y\u0000'] }, '')).toBe('b.1');
    expect(findNul({ data: { kind: { name: 'a\u0000' } } }, '')).toBe('data.kind.name');
    expect(findNul({ data: { ['k\u0000']: 1 } }, '')).toBe('data.k\\u0000');
    expect(findNul('a\u0000', '')).toBe('');
    expect(findNul({ first: '\u0000', second: '\u0000' }, '')).toBe('first');
  });

  it('finds nothing in clean input, and survives very deep input without recursion', () => {
    expect(findNul({ a: 1, b: [null, true, 'text', { c: 'ü🏆' }] }, '')).toBeNull();
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findNul(deep, 'body')?.startsWith('body.0.0.0')).toBe(true);
  });
});
