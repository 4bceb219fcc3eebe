import { messagesFor } from '../../../server/src/digests/messages';
import { renderDigest } from '../../../server/src/digests/render';

const notification = (id: number, kind: string, payload: Record<string, unknown>) =>
  ({
    id,
    documentId: `n${id}`,
    userId: 1,
    kind,
    payload,
    createdAt: new Date(),
    seenAt: null,
    emailedAt: null,
  }) as any;
const badge = {
  name: '<b>Graduate</b>',
  points: 100,
  description: null,
  image: { url: '/uploads/g.svg' },
};
const opts = (language: string) => ({
  absolute: (url: string) => `https://academy.example${url}`,
  unsubscribeUrl: 'https://academy.example/api/achievements/unsubscribe?token=a.b',
  language,
});

describe('renderDigest', () => {
  it('escapes what editors and admins wrote, and makes artwork absolute', () => {
    const email = renderDigest(
      [
        notification(1, 'achievement.earned', {
          badge,
          sequence: 1,
          totals: { badges: 1, points: 100 },
        }),
      ],
      messagesFor('en'),
      opts('en')
    );
    expect(email.count).toBe(1);
    expect(email.html).toContain('You earned &lt;b&gt;Graduate&lt;/b&gt;');
    expect(email.html).not.toContain('<b>Graduate</b>');
    expect(email.html).toContain('<img src="https://academy.example/uploads/g.svg"');
    expect(email.text).toContain('You earned <b>Graduate</b> (+100 points)');
  });

  it('says the plugin’s own revocation reasons in the member’s language, an admin’s as written', () => {
    const email = renderDigest(
      [
        notification(1, 'achievement.revoked', {
          badge,
          reason: 'criteria no longer met',
          totals: { badges: 0, points: 0 },
        }),
        notification(2, 'achievement.revoked', {
          badge,
          reason: 'tricherie',
          totals: { badges: 0, points: 0 },
        }),
        notification(3, 'streak.milestone', {
          streak: { days: 7, milestone: 7, freezeUsed: false },
          totals: { badges: 0, points: 0 },
        }),
      ],
      messagesFor('fr'),
      opts('fr')
    );
    expect(email.subject).toBe('Vos succès : 3 nouveautés');
    expect(email.text).toContain('Motif : vous ne remplissez plus ses critères');
    expect(email.text).toContain('Motif : tricherie');
    expect(email.text).toContain('Série de 7 jours d’apprentissage !');
  });
});
