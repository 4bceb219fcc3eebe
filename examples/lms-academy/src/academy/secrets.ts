import type { Core } from '@strapi/strapi';

/**
 * The secrets the academy signs and encrypts with, by the environment variable that sets each
 * and where Strapi keeps it. None has a default in config/: `npm run demo` writes random ones to
 * a git-ignored .env on its first run (scripts/lib/env.mjs), as create-strapi-app does.
 */
export const SECRETS = [
  { env: 'APP_KEYS', config: 'server.app.keys' },
  { env: 'API_TOKEN_SALT', config: 'admin.apiToken.salt' },
  { env: 'ADMIN_JWT_SECRET', config: 'admin.auth.secret' },
  { env: 'TRANSFER_TOKEN_SALT', config: 'admin.transfer.token.salt' },
  { env: 'ENCRYPTION_KEY', config: 'admin.secrets.encryptionKey' },
  { env: 'JWT_SECRET', config: 'plugin::users-permissions.jwtSecret' },
] as const;

/**
 * Values that are public: the defaults this example shipped with before, and create-strapi-app's
 * placeholders. Anyone can sign a member token or an admin token with them.
 */
const PUBLIC_VALUES = new Set(
  [
    'demoKeyA',
    'demoKeyB',
    'demo-api-token-salt',
    'demo-admin-jwt-secret',
    'demo-transfer-token-salt',
    'demo-jwt-secret',
    'demo-encryption-key-0123456789ab',
    'tobemodified',
    'toBeModified1',
    'toBeModified2',
    'changeme',
    'secret',
  ].map((value) => value.toLowerCase())
);

/** Shorter than this, a secret can be guessed; create-strapi-app writes 24 characters. */
const MIN_LENGTH = 16;

/** What is wrong with each secret, as sentences naming its variable; [] when all are fine. */
export const secretProblems = (get: (path: string) => unknown): string[] =>
  SECRETS.flatMap(({ env, config }) => {
    const raw = get(config);
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) =>
      typeof v === 'string' ? v.trim() : ''
    );
    if (values.length === 0 || values.every((v) => v === '')) return [`${env} is not set`];
    if (values.some((v) => PUBLIC_VALUES.has(v.toLowerCase()))) {
      return [`${env} is a publicly known default value`];
    }
    if (values.some((v) => v.length < MIN_LENGTH)) {
      return [`${env} is shorter than ${MIN_LENGTH} characters`];
    }
    return [];
  });

/**
 * Refuses to start in production with a missing, public or short secret: a demo put online with
 * a known JWT secret accepts member tokens anyone can sign. Runs in register(), before Strapi's
 * own checks (which only warn about some) and never during `strapi build`, which needs none.
 */
export const assertProductionSecrets = (strapi: Core.Strapi): void => {
  if (process.env.NODE_ENV !== 'production') return;
  const problems = secretProblems((path) => strapi.config.get(path));
  if (problems.length === 0) return;
  throw new Error(
    `[academy] refusing to start in production: ${problems.join('; ')}. ` +
      'Set each to a random value of your own (e.g. ' +
      `node -e "console.log(require('crypto').randomBytes(16).toString('base64'))"` +
      '; APP_KEYS takes a comma-separated list), or run `npm run demo` once, which writes ' +
      'random ones to examples/lms-academy/.env.'
  );
};
