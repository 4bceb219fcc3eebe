/**
 * The example academy's secrets, as create-strapi-app writes them: random values in a
 * git-ignored `.env` beside the app, made on the first `npm run demo` and kept afterwards (a new
 * JWT secret would sign every member out, a new API token salt would void every API token).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Every secret the demo writes: Strapi's six, which the academy needs
 * (examples/lms-academy/src/academy/secrets.ts checks them; one list in a JSON file, which the
 * TypeScript tests import too), and the plugin's, which encrypts the Open Badges signing keys
 * (needed once credentials are on).
 */
export const SECRET_NAMES = [
  ...createRequire(import.meta.url)('./secret-names.json'),
  'ACHIEVEMENTS_CREDENTIALS_SECRET',
];

const random = (bytes = 16) => crypto.randomBytes(bytes).toString('base64');

/**
 * A fresh random value for one secret (APP_KEYS is a list of four, like create-strapi-app's;
 * the credentials secret must be at least 32 characters).
 */
export const randomSecret = (name) => {
  if (name === 'APP_KEYS') return [random(), random(), random(), random()].join(',');
  if (name === 'ACHIEVEMENTS_CREDENTIALS_SECRET') return random(36);
  return random();
};

/** Fresh random values for every secret: for processes that start the app without a .env. */
export const randomSecrets = () =>
  Object.fromEntries(SECRET_NAMES.map((name) => [name, randomSecret(name)]));

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/**
 * Makes sure `file` sets every secret to a non-empty value: missing or empty ones get a random
 * value; other lines and existing values stay as they are. The file is readable by its owner only.
 * Returns the names it filled in ([] when the file already had them all).
 */
export const ensureSecretsFile = (file) => {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const filled = [];
  const seen = new Set();
  const out = lines.map((line) => {
    const match = LINE.exec(line);
    if (!match || !SECRET_NAMES.includes(match[1]) || seen.has(match[1])) return line;
    seen.add(match[1]);
    const value = match[2].trim().replace(/^(['"])(.*)\1$/, '$2');
    if (value !== '') return line;
    filled.push(match[1]);
    return `${match[1]}=${randomSecret(match[1])}`;
  });
  for (const name of SECRET_NAMES) {
    if (seen.has(name)) continue;
    filled.push(name);
    out.push(`${name}=${randomSecret(name)}`);
  }
  if (filled.length > 0) {
    if (lines.length === 0) {
      out.unshift(
        '# Written by `npm run demo`: random secrets for this checkout. Never commit it.'
      );
    }
    fs.writeFileSync(file, out.join('\n') + '\n', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
  }
  return filled;
};
