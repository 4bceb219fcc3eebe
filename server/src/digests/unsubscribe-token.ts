import crypto from 'crypto';

/**
 * The one-click unsubscribe token of a digest (RFC 8058): which digest, the language of the
 * confirmation page, when it expires; signed with HMAC-SHA256 under a key the plugin keeps.
 * Single use is the digest row's business (services/digests), not the token's.
 */
export interface UnsubscribeClaims {
  /** The digest's documentId. */
  digest: string;
  language: string;
  /** Expiry, epoch ms. */
  expiresAt: number;
}

export type TokenCheck =
  | { ok: true; claims: UnsubscribeClaims }
  | { ok: false; reason: 'malformed' | 'tampered' | 'expired'; language?: string };

const mac = (key: Buffer, body: string) =>
  crypto.createHmac('sha256', key).update(`unsubscribe:${body}`).digest('base64url');

export const signUnsubscribeToken = (key: Buffer, claims: UnsubscribeClaims): string => {
  const body = Buffer.from(
    JSON.stringify({ d: claims.digest, l: claims.language, e: Math.floor(claims.expiresAt / 1000) })
  ).toString('base64url');
  return `${body}.${mac(key, body)}`;
};

export const verifyUnsubscribeToken = (key: Buffer, token: string, now: number): TokenCheck => {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected))
    return { ok: false, reason: 'tampered' };
  let parsed: any;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (
    typeof parsed?.d !== 'string' ||
    typeof parsed?.l !== 'string' ||
    !Number.isInteger(parsed?.e)
  )
    return { ok: false, reason: 'malformed' };
  const claims = { digest: parsed.d, language: parsed.l, expiresAt: parsed.e * 1000 };
  if (claims.expiresAt <= now) return { ok: false, reason: 'expired', language: claims.language };
  return { ok: true, claims };
};
