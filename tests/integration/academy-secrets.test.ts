import crypto from 'crypto';
import { startChildStrapi } from './helpers/child-strapi';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { registerMember, setupTestApp, TEST_SECRETS } from './helpers/strapi';

/**
 * Finding 0 of issue 17: the example academy had public default secrets, so anyone could sign a
 * member token for a demo put online. Now it has none, and production refuses to start without
 * secrets of its own.
 */
const app = setupTestApp({ env: { USERS_PERMISSIONS_JWT_MANAGEMENT: 'legacy-support' } });

/** An HS256 JWT, the way users-permissions signs its legacy `{ id }` member tokens. */
const sign = (payload: object, secret: string) => {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `${unsigned}.${crypto.createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
};

describe('member tokens', () => {
  it("a token signed with the demo's former public JWT secret is refused; the member's own works", async () => {
    const member = await registerMember(app);
    const me = (jwt: string) =>
      app.request().get('/api/achievements/me').set('Authorization', `Bearer ${jwt}`);

    const forged = await me(sign({ id: member.user.id }, 'demo-jwt-secret'));
    expect(forged.status).toBe(401);
    expect(JSON.stringify(forged.body)).not.toContain(member.user.username);

    const own = await me(member.jwt);
    expect(own.status).toBe(200);
    expect(own.body.user.id).toBe(member.user.id);
  });
});

const SECRET_NAMES = Object.keys(TEST_SECRETS);

/**
 * Loads the compiled academy in a child process with NODE_ENV=production and exactly the given
 * secrets (none inherited from this process, no .env read), on a fresh database. Resolves with
 * the exit code (0: Strapi loaded and was destroyed) and what it printed.
 */
const loadInProduction = (secrets: Record<string, string>, db: TestDatabase) =>
  startChildStrapi({ db, unset: SECRET_NAMES, env: { ...secrets, NODE_ENV: 'production' } }).exited;

const without = (...names: string[]) =>
  Object.fromEntries(Object.entries(TEST_SECRETS).filter(([key]) => !names.includes(key)));

describe('starting in production', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('refuses to start with no secret set, naming every one (none has a default)', async () => {
    const { code, output } = await loadInProduction({}, db);
    expect(code).toBe(1);
    expect(output).toContain('refusing to start in production');
    for (const name of SECRET_NAMES) expect(output).toContain(`${name} is not set`);
  });

  it.each([
    ['JWT_SECRET missing', without('JWT_SECRET'), 'JWT_SECRET is not set'],
    [
      "JWT_SECRET the demo's former default",
      { ...TEST_SECRETS, JWT_SECRET: 'demo-jwt-secret' },
      'JWT_SECRET is a publicly known default value',
    ],
    [
      "APP_KEYS create-strapi-app's placeholders",
      { ...TEST_SECRETS, APP_KEYS: 'toBeModified1,toBeModified2' },
      'APP_KEYS is a publicly known default value',
    ],
    [
      "ADMIN_JWT_SECRET the demo's former default",
      { ...TEST_SECRETS, ADMIN_JWT_SECRET: 'demo-admin-jwt-secret' },
      'ADMIN_JWT_SECRET is a publicly known default value',
    ],
    [
      'ENCRYPTION_KEY too short to be secret',
      { ...TEST_SECRETS, ENCRYPTION_KEY: 'abc' },
      'ENCRYPTION_KEY is shorter than 16 characters',
    ],
  ])('refuses to start with %s, naming it', async (_label, secrets, message) => {
    const { code, output } = await loadInProduction(secrets, db);
    expect(code).toBe(1);
    expect(output).toContain(message);
  });

  it('starts with random secrets of its own', async () => {
    const { code, output } = await loadInProduction(TEST_SECRETS, db);
    expect(output).not.toContain('LOAD FAILED');
    expect(code).toBe(0);
  });
});
