import crypto from 'crypto';
import {
  signUnsubscribeToken,
  verifyUnsubscribeToken,
} from '../../../server/src/digests/unsubscribe-token';

const key = crypto.randomBytes(32);
const claims = { digest: 'abc123', language: 'fr', expiresAt: Date.parse('2027-01-01T00:00:00Z') };

describe('unsubscribe tokens', () => {
  it('verifies what it signed, until it expires', () => {
    const token = signUnsubscribeToken(key, claims);
    expect(verifyUnsubscribeToken(key, token, Date.parse('2026-12-31T23:59:00Z'))).toEqual({
      ok: true,
      claims,
    });
    expect(verifyUnsubscribeToken(key, token, claims.expiresAt)).toEqual({
      ok: false,
      reason: 'expired',
      language: 'fr',
    });
  });

  it('refuses a token altered, signed with another key, or cut short', () => {
    const token = signUnsubscribeToken(key, claims);
    const [body, sig] = token.split('.');
    const other = Buffer.from(JSON.stringify({ d: 'zzz', l: 'en', e: 1_900_000_000 })).toString(
      'base64url'
    );
    const now = Date.parse('2026-12-01T00:00:00Z');
    expect(verifyUnsubscribeToken(key, `${other}.${sig}`, now)).toMatchObject({
      reason: 'tampered',
    });
    expect(verifyUnsubscribeToken(crypto.randomBytes(32), token, now)).toMatchObject({
      reason: 'tampered',
    });
    expect(verifyUnsubscribeToken(key, body, now)).toMatchObject({ reason: 'malformed' });
    expect(verifyUnsubscribeToken(key, `${token}.x`, now)).toMatchObject({ reason: 'malformed' });
  });
});
