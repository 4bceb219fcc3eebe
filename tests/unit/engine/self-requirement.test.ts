import { selfRequirementIssues } from '../../../engine/criteria';

describe('selfRequirementIssues', () => {
  it('names where a badge lists itself, and nothing else', () => {
    expect(
      selfRequirementIssues(
        {
          type: 'all',
          of: [
            { type: 'badges', badges: ['a', 'me'] },
            { type: 'any', of: [{ type: 'badges', badges: ['me'] }] },
          ],
        },
        'me'
      ).map((i) => i.path)
    ).toEqual(['criteria.of.0.badges.1', 'criteria.of.1.of.0.badges.0']);
    expect(selfRequirementIssues({ type: 'badges', category: 'courses' }, 'me')).toEqual([]);
    expect(selfRequirementIssues({ type: 'badges', badges: ['other'] }, 'me')).toEqual([]);
  });
});
