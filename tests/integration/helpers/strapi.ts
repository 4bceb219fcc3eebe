import crypto from 'crypto';
import supertest from 'supertest';
import { createStrapi, type Core } from '@strapi/strapi';
import { APP_DIR, DIST_DIR } from './paths';
import { createTestDatabase, type TestDatabase } from './database';
import SECRET_NAMES from '../../../scripts/lib/secret-names.json';

export interface TestApp {
  readonly strapi: Core.Strapi;
  readonly db: TestDatabase;
  /** A supertest agent on the running HTTP server. */
  request(): supertest.Agent;
  /** Destroys Strapi and boots it again on the same database (a process restart). */
  restart(): Promise<void>;
}

/**
 * The example app has no default secrets: each test process makes its own random ones (kept for
 * the process, so a restart still accepts the tokens it issued).
 */
const randomSecret = () => crypto.randomBytes(16).toString('base64');
export const TEST_SECRETS: Record<string, string> = Object.fromEntries(
  SECRET_NAMES.map((name) => [
    name,
    name === 'APP_KEYS' ? [randomSecret(), randomSecret()].join(',') : randomSecret(),
  ])
);

const boot = async (env: Record<string, string>): Promise<Core.Strapi> => {
  Object.assign(process.env, { LOG_LEVEL: 'error', NODE_ENV: 'test' }, TEST_SECRETS, env);
  const instance = createStrapi({
    appDir: APP_DIR,
    distDir: DIST_DIR,
    autoReload: false,
    serveAdminPanel: false,
  });
  await instance.load();
  await instance.server.mount();
  return instance;
};

/**
 * Boots a real Strapi (the example academy with the plugin) on a fresh database before the
 * test file's tests and destroys both after them. Use once per test file.
 */
export const setupTestApp = (options: { env?: Record<string, string> } = {}): TestApp => {
  let instance: Core.Strapi | undefined;
  let database: TestDatabase | undefined;
  const env = () => ({ ...database!.env, ...options.env });

  beforeAll(async () => {
    database = await createTestDatabase();
    instance = await boot(env());
  });

  afterAll(async () => {
    await instance?.destroy();
    await database?.drop();
  });

  return {
    get strapi() {
      if (!instance) throw new Error('Strapi is not booted yet (use it inside a test or hook)');
      return instance;
    },
    get db() {
      return database!;
    },
    request: () => supertest.agent(instance!.server.httpServer),
    async restart() {
      await instance?.destroy();
      instance = await boot(env());
    },
  };
};

const unique = () => crypto.randomBytes(4).toString('hex');

export const SUPER_ADMIN = { email: 'admin@academy.test', password: 'Admin-Passw0rd!' };

/** Registers the first (super) admin through the real admin API and returns a bearer token. */
export const superAdminToken = async (app: TestApp): Promise<string> => {
  const hasAdmin = await app.strapi.service('admin::user').exists();
  if (!hasAdmin) {
    const res = await app
      .request()
      .post('/admin/register-admin')
      .send({ firstname: 'Ada', lastname: 'Admin', ...SUPER_ADMIN });
    if (res.status !== 200) throw new Error(`register-admin failed: ${res.status} ${res.text}`);
  }
  return adminLogin(app, SUPER_ADMIN.email, SUPER_ADMIN.password);
};

/** Admin logins are rate-limited (as they should be): each admin logs in once per test file. */
const adminTokens = new WeakMap<TestApp, Map<string, string>>();

export const adminLogin = async (
  app: TestApp,
  email: string,
  password: string
): Promise<string> => {
  const tokens = adminTokens.get(app) ?? new Map<string, string>();
  adminTokens.set(app, tokens);
  const known = tokens.get(email);
  if (known) return known;
  const res = await app.request().post('/admin/login').send({ email, password });
  if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${res.text}`);
  tokens.set(email, res.body.data.token);
  return res.body.data.token;
};

/** An admin whose only role grants exactly `actions` (plugin or core action ids). */
export const restrictedAdminToken = async (app: TestApp, actions: string[]): Promise<string> => {
  await superAdminToken(app);
  const roleService = app.strapi.service('admin::role');
  const role = await roleService.create({ name: `Role ${unique()}`, description: 'test role' });
  await roleService.assignPermissions(
    role.id,
    actions.map((action) => ({ action, subject: null, properties: {}, conditions: [] }))
  );
  const email = `editor-${unique()}@academy.test`;
  const password = 'Editor-Passw0rd!';
  await app.strapi.service('admin::user').create({
    email,
    firstname: 'Eddie',
    lastname: 'Editor',
    password,
    isActive: true,
    roles: [role.id],
    registrationToken: null,
  });
  return adminLogin(app, email, password);
};

export interface Member {
  jwt: string;
  user: { id: number; documentId: string; username: string; email: string };
}

/** Registers a member through users-permissions `/api/auth/local/register`. */
export const registerMember = async (
  app: TestApp,
  username = `member_${unique()}`
): Promise<Member> => {
  const res = await app
    .request()
    .post('/api/auth/local/register')
    .send({ username, email: `${username}@academy.test`, password: 'Member-Passw0rd!' });
  if (res.status !== 200) throw new Error(`member registration failed: ${res.status} ${res.text}`);
  return { jwt: res.body.jwt, user: res.body.user };
};

/** A custom API token granted exactly `permissions` (content-API action ids). */
export const apiToken = async (app: TestApp, permissions: string[]): Promise<string> => {
  const token = await app.strapi.service('admin::api-token').create({
    name: `token-${unique()}`,
    description: 'integration test',
    type: 'custom',
    kind: 'content-api',
    permissions,
    lifespan: null,
  });
  return token.accessKey;
};
