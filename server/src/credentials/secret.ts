import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'crypto';

/**
 * Private keys are stored encrypted (AES-256-GCM) with a key derived from a secret in the app's
 * environment, so a copy of the database alone signs nothing.
 */
export const SECRET_ENV = 'ACHIEVEMENTS_CREDENTIALS_SECRET';
export const SECRET_MIN_LENGTH = 32;

export class MissingSecretError extends Error {}

/** The secret, or an error that says what to set. */
export const readSecret = (env: NodeJS.ProcessEnv = process.env): string => {
  const secret = env[SECRET_ENV];
  if (!secret || secret.length < SECRET_MIN_LENGTH) {
    throw new MissingSecretError(
      `achievements: credentials are switched on, but ${SECRET_ENV} is ${
        secret ? `shorter than ${SECRET_MIN_LENGTH} characters` : 'not set'
      }. Set it in the app's environment to a random string of at least ${SECRET_MIN_LENGTH} ` +
        `characters (e.g. \`openssl rand -base64 48\`) and keep it: the signing keys are ` +
        `encrypted with it. Or switch credentials off in Settings → Gamification → Credentials.`
    );
  }
  return secret;
};

export const hasSecret = (env: NodeJS.ProcessEnv = process.env): boolean => {
  try {
    readSecret(env);
    return true;
  } catch {
    return false;
  }
};

const VERSION = 'v1';
const derived = new Map<string, Buffer>();
const keyOf = (secret: string, salt: Buffer) => {
  const id = `${salt.toString('base64')}:${secret}`;
  let key = derived.get(id);
  if (!key) {
    key = scryptSync(secret, salt, 32);
    derived.set(id, key);
  }
  return key;
};

/** `v1.<salt>.<iv>.<tag>.<ciphertext>`, each part base64url. */
export const encryptSecret = (plain: string, secret: string): string => {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret, salt), iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, salt, iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
};

export const decryptSecret = (sealed: string, secret: string): string => {
  const [version, salt, iv, tag, data] = sealed.split('.');
  if (version !== VERSION || !data) throw new Error('achievements: unknown key encryption format');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    keyOf(secret, Buffer.from(salt, 'base64url')),
    Buffer.from(iv, 'base64url')
  );
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new Error(
      `achievements: a signing key cannot be decrypted with ${SECRET_ENV}: was the secret changed?`
    );
  }
};
