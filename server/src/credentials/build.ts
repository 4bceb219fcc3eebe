import { createHash, randomBytes, randomUUID } from 'crypto';
import { OB_CONTEXT_URL, VC_V2_CONTEXT_URL } from './document-loader';

/**
 * The unsigned OpenBadgeCredential of one achievement (Open Badges 3.0.3 on the VC Data Model
 * 2.0). Pure: every input is given, so the shape is unit-testable without Strapi. Vocabulary:
 * our badge is OB's `Achievement` (the definition), our achievement is the credential.
 */
export interface IssuerProfile {
  name: string;
  url?: string;
  image?: string;
  email?: string;
}

export interface CredentialInput {
  id: string;
  did: string;
  issuer: IssuerProfile;
  validFrom: Date;
  badge: {
    url: string;
    name: string;
    description: string;
    criteria: string;
    image?: string | null;
  };
  subject: { id: string; email: string; salt: string };
  status: { listUrl: string; index: number };
}

/** OB 3.0's hashed identifier: `sha256$` + hex of SHA-256(value + salt). */
export const identityHash = (value: string, salt: string): string =>
  `sha256$${createHash('sha256')
    .update(value + salt)
    .digest('hex')}`;

export const newSalt = (): string => randomBytes(16).toString('hex');
export const newSubjectId = (): string => `urn:uuid:${randomUUID()}`;

const image = (url?: string | null) => (url ? { image: { id: url, type: 'Image' } } : {});

export const buildCredential = (input: CredentialInput) => ({
  '@context': [VC_V2_CONTEXT_URL, OB_CONTEXT_URL],
  id: input.id,
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  name: input.badge.name,
  issuer: {
    id: input.did,
    type: ['Profile'],
    name: input.issuer.name,
    ...(input.issuer.url ? { url: input.issuer.url } : {}),
    ...image(input.issuer.image),
    ...(input.issuer.email ? { email: input.issuer.email } : {}),
  },
  validFrom: input.validFrom.toISOString(),
  credentialSubject: {
    type: ['AchievementSubject'],
    id: input.subject.id,
    identifier: [
      {
        type: 'IdentityObject',
        identityHash: identityHash(input.subject.email.trim().toLowerCase(), input.subject.salt),
        identityType: 'emailAddress',
        hashed: true,
        salt: input.subject.salt,
      },
    ],
    achievement: {
      id: input.badge.url,
      type: ['Achievement'],
      name: input.badge.name,
      description: input.badge.description || input.badge.name,
      criteria: { narrative: input.badge.criteria || input.badge.name },
      ...image(input.badge.image),
    },
  },
  credentialStatus: {
    id: `${input.status.listUrl}#${input.status.index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: 'revocation',
    statusListIndex: String(input.status.index),
    statusListCredential: input.status.listUrl,
  },
});

export type UnsignedCredential = ReturnType<typeof buildCredential>;

/** The VC-JWT claims OB 3.0 maps from the credential (exp only with validUntil, which we omit). */
export const jwtClaimsOf = (credential: UnsignedCredential) => ({
  ...credential,
  iss: credential.issuer.id,
  jti: credential.id,
  nbf: Math.floor(new Date(credential.validFrom).getTime() / 1000),
  sub: credential.credentialSubject.id,
});
