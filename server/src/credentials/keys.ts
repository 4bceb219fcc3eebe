import { randomBytes } from 'crypto';
import type { VcLibs } from './libs';
import { MULTIKEY_CONTEXT_URL, DID_CONTEXT_URL } from './document-loader';

/**
 * Signing keys: an Ed25519 key for Data Integrity proofs (eddsa-rdfc-2022) and an RSA key for
 * VC-JWT (RS256). A key's public part is published for as long as the key exists (old
 * credentials keep verifying after a rotation); its private part leaves this module only
 * sealed by `seal` (see secret.ts), and is never serialized anywhere else.
 */
export type KeyAlgorithm = 'Ed25519' | 'RS256';

/** A key as stored: public material in the clear, private material sealed. */
export interface StoredKey {
  kid: string;
  algorithm: KeyAlgorithm;
  /** Ed25519: `{ publicKeyMultibase }`; RS256: the public JWK */
  publicKey: Record<string, unknown>;
  privateKeySealed: string;
  status: 'current' | 'retired';
  createdAt: Date;
}

export const newKid = (algorithm: KeyAlgorithm, at = new Date()): string =>
  `${algorithm === 'Ed25519' ? 'ed25519' : 'rsa'}-${at.toISOString().slice(0, 10)}-${randomBytes(
    4
  ).toString('hex')}`;

/** A fresh key pair of each algorithm, private parts sealed by `seal`. */
export const generateKeys = async (
  libs: VcLibs,
  seal: (plain: string) => string,
  at = new Date()
): Promise<Array<Omit<StoredKey, 'status'>>> => {
  const ed = await libs.Ed25519Multikey.generate();
  const edExport = await ed.export({ publicKey: true, secretKey: true });
  const rsa = await libs.jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const rsaPublic = await libs.jose.exportJWK(rsa.publicKey);
  const rsaPrivate = await libs.jose.exportJWK(rsa.privateKey);
  return [
    {
      kid: newKid('Ed25519', at),
      algorithm: 'Ed25519',
      publicKey: { publicKeyMultibase: edExport.publicKeyMultibase },
      privateKeySealed: seal(edExport.secretKeyMultibase),
      createdAt: at,
    },
    {
      kid: newKid('RS256', at),
      algorithm: 'RS256',
      publicKey: { kty: rsaPublic.kty, n: rsaPublic.n, e: rsaPublic.e },
      privateKeySealed: seal(JSON.stringify(rsaPrivate)),
      createdAt: at,
    },
  ];
};

export type PublicKeyRecord = Pick<StoredKey, 'kid' | 'algorithm' | 'publicKey' | 'status'>;

/** The verification method of a key in the issuer's DID document. */
export const verificationMethodOf = async (libs: VcLibs, did: string, key: PublicKeyRecord) =>
  key.algorithm === 'Ed25519'
    ? {
        id: `${did}#${key.kid}`,
        type: 'Multikey',
        controller: did,
        publicKeyMultibase: key.publicKey.publicKeyMultibase as string,
      }
    : {
        id: `${did}#${key.kid}`,
        type: 'JsonWebKey',
        controller: did,
        publicKeyJwk: await jwkOf(libs, key, null),
      };

/** One public JWK (Ed25519 keys as OKP); `keyUrl` is its `kid` when given. */
export const jwkOf = async (
  libs: VcLibs,
  key: PublicKeyRecord,
  keyUrl: string | null
): Promise<Record<string, unknown>> => {
  const kid = keyUrl ?? key.kid;
  if (key.algorithm === 'RS256') {
    return { kty: 'RSA', n: key.publicKey.n, e: key.publicKey.e, alg: 'RS256', use: 'sig', kid };
  }
  const keyPair = await libs.Ed25519Multikey.from({
    type: 'Multikey',
    publicKeyMultibase: key.publicKey.publicKeyMultibase,
  });
  const jwk = await libs.Ed25519Multikey.toJwk({ keyPair, secretKey: false });
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, alg: 'EdDSA', use: 'sig', kid };
};

/** The issuer's DID document: every key, current and retired, may assert credentials. */
export const didDocumentOf = async (libs: VcLibs, did: string, keys: PublicKeyRecord[]) => {
  const methods = await Promise.all(keys.map((k) => verificationMethodOf(libs, did, k)));
  return {
    '@context': [DID_CONTEXT_URL, MULTIKEY_CONTEXT_URL],
    id: did,
    verificationMethod: methods,
    assertionMethod: methods.map((m) => m.id),
  };
};
