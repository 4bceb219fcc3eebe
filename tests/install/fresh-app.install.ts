/**
 * The install tier: what a new user does, offline but for the npm registry. The plugin is packed
 * with `npm pack`, installed into an app made by create-strapi-app, configured with the snippets
 * of README.md's "Install into your own Strapi 5 app" section (read from README.md, never copied
 * here), built, and started three times: A on SQLite with the README config as written, B on a new
 * SQLite file with `streakEvents: []` added, C on PostgreSQL with the README's user-model
 * extension. Each start is driven over plain HTTP as a front-end and an admin would.
 */
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Client } from 'pg';
import adminRoutes from '../../server/src/routes/admin';
import contentApiRoutes from '../../server/src/routes/content-api';
import {
  REPO_ROOT,
  compileServer,
  createFreshApp,
  insertPluginKey,
  packPlugin,
  readmeBlock,
  secretsEnv,
  startStrapi,
  waitForHealth,
  withEmptyStreakEvents,
  writeContentTypes,
  type RunningStrapi,
} from './helpers/app';
import { client, eventually, expectStatus, jwtPayload, type Call } from './helpers/http';
import {
  freePort,
  log,
  problemLines,
  quiet,
  run,
  seconds,
  stopProcess,
  timed,
} from './helpers/process';

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'achievements-install-'));
const APP = path.join(WORK, 'my-app');
/** Every command's output (npm, create-strapi-app, strapi build); its tail is shown on failure. */
const STEPS_LOG = path.join(WORK, 'steps.log');
const TIER_STARTED = Date.now();
const MINUTE = 60_000;

const USER_UID = 'plugin::users-permissions.user';
const CM = '/content-manager/collection-types';
const PROFILE_SLUGS = ['profile-picture', 'complete-bio', 'social-links', 'complete-profile'];
const STREAK_SLUGS = ['streak-3', 'streak-7', 'streak-30'];

const prep = { ready: false, freshPluginsConfig: '', strapiVersion: '' };
const timings: [string, number][] = [];

const step = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  try {
    return await timed(label, fn);
  } finally {
    timings.push([label, Date.now() - started]);
  }
};

const needs = (ok: unknown, what: string) => {
  if (!ok) throw quiet(`not run: ${what}`);
};

const pluginsConfigFile = path.join(APP, 'config/plugins.ts');
const extensionFile = path.join(APP, 'src/extensions/users-permissions/strapi-server.ts');

const writePluginsConfig = (key: string) =>
  fs.writeFileSync(pluginsConfigFile, insertPluginKey(prep.freshPluginsConfig, key));

/** The README's user extension in the app, or none (and none left over in dist/). */
const setUserExtension = (present: boolean) => {
  if (present) {
    fs.mkdirSync(path.dirname(extensionFile), { recursive: true });
    fs.writeFileSync(extensionFile, readmeBlock('install:user-extension'));
  } else {
    fs.rmSync(extensionFile, { force: true });
    fs.rmSync(path.join(APP, 'dist/src/extensions/users-permissions'), {
      recursive: true,
      force: true,
    });
  }
};

afterAll(() => {
  log('timings:');
  for (const [label, ms] of timings) log(`  ${seconds(ms).padStart(8)}  ${label}`);
  log(`  ${seconds(Date.now() - TIER_STARTED).padStart(8)}  whole tier`);
  if (process.env.INSTALL_TEST_KEEP === '1') {
    log(
      `kept ${WORK} (the app, steps.log and each start's strapi log) because INSTALL_TEST_KEEP=1`
    );
  } else {
    fs.rmSync(WORK, { recursive: true, force: true });
  }
});

describe('a new user installs the packed plugin into a fresh Strapi 5 app', () => {
  let tarball = '';

  it(
    'packs the plugin with npm pack',
    async () => {
      tarball = await step('npm pack', () => packPlugin(path.join(WORK, 'pack'), STEPS_LOG));
      log(
        `tarball: ${path.basename(tarball)} (${Math.round(fs.statSync(tarball).size / 1024)} kB)`
      );
    },
    MINUTE
  );

  it(
    'creates a fresh TypeScript app on SQLite with create-strapi-app',
    async () => {
      const how = await step('fresh app', () => createFreshApp(APP, STEPS_LOG));
      prep.strapiVersion = JSON.parse(
        fs.readFileSync(path.join(APP, 'node_modules/@strapi/strapi/package.json'), 'utf8')
      ).version;
      prep.freshPluginsConfig = fs.readFileSync(pluginsConfigFile, 'utf8');
      log(`fresh app ${how}; Strapi ${prep.strapiVersion}`);
      const mode = /jwtManagement: '(\w[\w-]*)'/.exec(prep.freshPluginsConfig)?.[1];
      log(`fresh config/plugins.ts: users-permissions jwtManagement ${mode ?? '(not set)'}`);
    },
    10 * MINUTE
  );

  it(
    'installs the tarball, and pg@8 for PostgreSQL, with npm install',
    async () => {
      needs(tarball && prep.freshPluginsConfig, 'no tarball or no fresh app');
      await step('npm install <tarball>', () =>
        run('npm', ['install', tarball], { cwd: APP, logFile: STEPS_LOG })
      );
      await step('npm install pg@8', () =>
        run('npm', ['install', 'pg@8'], { cwd: APP, logFile: STEPS_LOG })
      );
      const installed = JSON.parse(
        fs.readFileSync(
          path.join(APP, 'node_modules/strapi-plugin-achievements/package.json'),
          'utf8'
        )
      );
      const ours = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
      expect(installed.version).toBe(ours.version);
    },
    5 * MINUTE
  );

  it(
    "adds the README's content types, its config, and builds (strapi build)",
    async () => {
      needs(
        fs.existsSync(path.join(APP, 'node_modules/strapi-plugin-achievements')),
        'the plugin is not installed'
      );
      writeContentTypes(APP);
      writePluginsConfig(readmeBlock('install:plugins-config'));
      setUserExtension(false);
      await step('npm run build (strapi build: TypeScript and admin panel)', () =>
        run('npm', ['run', 'build'], {
          cwd: APP,
          logFile: STEPS_LOG,
          env: { NODE_ENV: 'production' },
          timeoutMs: 6 * MINUTE,
          label: 'npm run build',
        })
      );
      expect(fs.existsSync(path.join(APP, 'dist/build/index.html'))).toBe(true);
      prep.ready = true;
    },
    7 * MINUTE
  );
});

// --- one start --------------------------------------------------------------------------------

interface Database {
  label: string;
  env: Record<string, string>;
  drop: () => Promise<void>;
}

const sqliteDatabase = (name: string): Database => {
  // The fresh config/database.ts joins DATABASE_FILENAME to the app's folder.
  const relative = `.tmp/install-${name}.db`;
  fs.rmSync(path.join(APP, relative), { force: true });
  return {
    label: `SQLite (${relative}, a new file)`,
    env: { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: relative },
    drop: async () => fs.rmSync(path.join(APP, relative), { force: true }),
  };
};

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };

const postgresDatabase = async (): Promise<Database> => {
  const name = `achievements_install_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const pg = new Client({ ...PG, database: 'postgres' });
  await pg.connect();
  let version = '';
  try {
    version = (await pg.query('SHOW server_version')).rows[0].server_version;
    await pg.query(`CREATE DATABASE "${name}"`);
  } finally {
    await pg.end();
  }
  return {
    label: `PostgreSQL ${version} (database ${name} on ${PG.host}:${PG.port})`,
    env: {
      DATABASE_CLIENT: 'postgres',
      DATABASE_HOST: PG.host,
      DATABASE_PORT: String(PG.port),
      DATABASE_NAME: name,
      DATABASE_USERNAME: PG.user,
      DATABASE_PASSWORD: '',
      DATABASE_SSL: 'false',
    },
    drop: async () => {
      const admin = new Client({ ...PG, database: 'postgres' });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        log(`dropped PostgreSQL database ${name}`);
      } finally {
        await admin.end();
      }
    },
  };
};

interface Member {
  id: number;
  documentId: string;
  username: string;
  jwt: string;
}

interface StartContext {
  name: string;
  strapi?: RunningStrapi;
  call: Call;
  adminToken: string;
  learner?: Member;
  listener?: Member;
}

interface StartPlan {
  name: string;
  title: string;
  /** Writes this start's config (and extension) and compiles when it differs from the build's. */
  prepare: () => Promise<void>;
  database: () => Database | Promise<Database>;
  catalog: (slugs: string[]) => void;
  extra?: (ctx: StartContext) => void;
}

const BASE_PORT = Number(process.env.INSTALL_TEST_PORT || 1351);

const allBadges = (me: any): any[] => me.categories.flatMap((category: any) => category.badges);

/** GET /me until `slug` is earned; the badge as /me shows it. */
const waitForBadge = (ctx: StartContext, member: Member, slug: string) =>
  eventually(`${member.username} earns "${slug}" (GET /api/achievements/me)`, async () => {
    const me = expectStatus(
      await ctx.call('GET', '/api/achievements/me', { token: member.jwt }),
      200,
      'GET /me'
    ).body;
    const badge = allBadges(me).find((b) => b.slug === slug);
    return badge?.earned === true ? badge : undefined;
  });

const register = async (ctx: StartContext, prefix: string): Promise<Member> => {
  const username = `${prefix}_${crypto.randomBytes(3).toString('hex')}`;
  const res = expectStatus(
    await ctx.call('POST', '/api/auth/local/register', {
      body: { username, email: `${username}@example.com`, password: 'Member-Passw0rd!' },
    }),
    200,
    'POST /api/auth/local/register'
  );
  return {
    id: res.body.user.id,
    documentId: res.body.user.documentId,
    username,
    jwt: res.body.jwt,
  };
};

/**
 * Every plugin route, as a member, as an admin and anonymously: none may answer 5xx. It first
 * waits for the server to answer a request that reads the database, so a stall an earlier step
 * caused is reported there and not again as a sweep failure.
 */
const sweepRoutes = async (ctx: StartContext) => {
  const waited = Date.now();
  // /_health answers without the database; the plugin's config route reads its settings.
  await eventually(
    'the server answers GET /api/achievements/config again',
    async () => (await ctx.call('GET', '/api/achievements/config')).status,
    120_000
  );
  if (Date.now() - waited > 2_000) {
    log(`start ${ctx.name}: the server did not answer for ${seconds(Date.now() - waited)}`);
  }
  const routes = [
    ...contentApiRoutes.routes.map((r) => ({ ...r, path: `/api/achievements${r.path}` })),
    ...adminRoutes.routes.map((r) => ({ ...r, path: `/achievements${r.path}` })),
  ];
  const callers = [
    { as: 'member', token: ctx.learner?.jwt },
    { as: 'admin', token: ctx.adminToken },
    { as: 'anonymous', token: undefined },
  ];
  const real: Record<string, string> = { userId: String(ctx.learner?.id ?? 1), id: '1' };
  const failures: string[] = [];
  let requests = 0;
  for (const route of routes) {
    const variants = /:\w+/.test(route.path)
      ? [
          route.path.replace(/:(\w+)/g, (_all, param: string) => real[param] ?? '1'),
          route.path.replace(/:(\w+)/g, 'no-such-thing'),
        ]
      : [route.path];
    for (const url of variants) {
      for (const { as, token } of callers) {
        const body = route.method === 'POST' || route.method === 'PUT' ? {} : undefined;
        const res = await ctx.call(route.method, url, { token, body });
        requests += 1;
        if (res.status >= 500) {
          failures.push(
            `${route.method} ${url} as ${as}: ${res.status} ${JSON.stringify(res.body)}`
          );
        }
      }
    }
  }
  log(`start ${ctx.name}: swept ${routes.length} routes with ${requests} requests`);
  expect(failures).toEqual([]);
};

const describeStart = (plan: StartPlan) =>
  describe(`start ${plan.name}: ${plan.title}`, () => {
    const ctx: StartContext = {
      name: plan.name,
      call: () => Promise.reject(new Error('Strapi is not running')),
      adminToken: '',
    };
    let database: Database | undefined;
    let healthy = false;
    let enabled = false;

    let checksStarted = 0;

    afterAll(async () => {
      if (checksStarted)
        timings.push([`start ${plan.name}: HTTP checks`, Date.now() - checksStarted]);
      await stopProcess(ctx.strapi?.child);
      if (ctx.strapi) {
        const problems = problemLines(ctx.strapi.logFile);
        log(
          `start ${plan.name}: Strapi stopped; it logged ${problems.length ? 'these errors and warnings:' : 'no error or warning'}`
        );
        for (const line of problems) log(`  ${line}`);
      }
      await database?.drop();
    }, MINUTE);

    it(
      'starts (strapi start, /_health 204)',
      async () => {
        needs(prep.ready, 'the app was not built');
        await step(`start ${plan.name}: config and compile`, plan.prepare);
        database = await plan.database();
        const port = await freePort(BASE_PORT);
        const secrets = secretsEnv(APP);
        const logFile = path.join(WORK, `strapi-${plan.name}.log`);
        log(`start ${plan.name}: Strapi ${prep.strapiVersion}, ${database.label}, port ${port}`);
        log(`start ${plan.name}: secrets: ${secrets.note}`);
        await step(`start ${plan.name}: strapi start until /_health 204`, async () => {
          ctx.strapi = startStrapi(APP, {
            port,
            logFile,
            env: { ...secrets.env, ...database!.env },
          });
          await waitForHealth(ctx.strapi);
        });
        ctx.call = client(ctx.strapi!.baseUrl);
        healthy = true;
        checksStarted = Date.now();
      },
      3 * MINUTE
    );

    it('registers the first admin, logs in once and switches achievements on', async () => {
      needs(healthy, 'Strapi did not start');
      const admin = {
        firstname: 'Ina',
        lastname: 'Staller',
        email: 'admin@example.com',
        password: `Install-${crypto.randomBytes(6).toString('base64url')}-9x`,
      };
      expectStatus(
        await ctx.call('POST', '/admin/register-admin', { body: admin }),
        [200, 201],
        'POST /admin/register-admin'
      );
      const login = expectStatus(
        await ctx.call('POST', '/admin/login', {
          body: { email: admin.email, password: admin.password },
        }),
        200,
        'POST /admin/login'
      );
      ctx.adminToken = login.body.data.token;
      expectStatus(
        await ctx.call('PUT', '/achievements/settings', {
          token: ctx.adminToken,
          body: { enabled: true },
        }),
        200,
        'PUT /achievements/settings {enabled:true}'
      );
      const settings = expectStatus(
        await ctx.call('GET', '/achievements/settings', { token: ctx.adminToken }),
        200,
        'GET /achievements/settings'
      );
      expect(settings.body.data).toMatchObject({ enabled: true });
      enabled = true;
    });

    it("registers members with the fresh app's token mode (session access tokens)", async () => {
      needs(enabled, 'achievements are not switched on');
      ctx.learner = await register(ctx, 'learner');
      ctx.listener = await register(ctx, 'listener');
      const payload = jwtPayload(ctx.learner.jwt);
      const session =
        payload.type === 'access' && !!payload.sessionId && payload.userId !== undefined;
      log(
        `start ${plan.name}: token mode ${session ? 'session access token {userId, sessionId, type: "access"}' : 'legacy {id}'} (payload keys: ${Object.keys(payload).join(', ')})`
      );
      expect(session).toBe(true);
      expect(String(payload.userId)).toBe(String(ctx.learner.id));
    });

    it('a lesson completion made in the content manager earns "first-lesson" (GET /me)', async () => {
      needs(ctx.learner && ctx.adminToken, 'no member or no admin');
      const member = ctx.learner!;
      const lesson = expectStatus(
        await ctx.call('POST', `${CM}/api::lesson.lesson`, {
          token: ctx.adminToken,
          body: { title: 'Install lesson' },
        }),
        [200, 201],
        'create a lesson in the content manager'
      ).body.data;
      expectStatus(
        await ctx.call('POST', `${CM}/api::lesson-completion.lesson-completion`, {
          token: ctx.adminToken,
          body: {
            user: { connect: [{ id: member.id, documentId: member.documentId }] },
            lesson: { connect: [{ id: lesson.id, documentId: lesson.documentId }] },
          },
        }),
        [200, 201],
        'create a lesson completion in the content manager'
      );
      const badge = await waitForBadge(ctx, member, 'first-lesson');
      log(`start ${plan.name}: ${member.username} earned "${badge.name}" at ${badge.earnedAt}`);
    });

    it('an API token with events.ingest sends an event (202) that earns "first-lesson"', async () => {
      needs(ctx.listener && ctx.adminToken, 'no member or no admin');
      const member = ctx.listener!;
      const token = expectStatus(
        await ctx.call('POST', '/admin/api-tokens', {
          token: ctx.adminToken,
          body: {
            name: `install-${plan.name}-ingest`,
            description: 'the install test',
            type: 'custom',
            lifespan: null,
            permissions: ['plugin::achievements.events.ingest'],
          },
        }),
        [200, 201],
        'POST /admin/api-tokens'
      ).body.data.accessKey as string;
      expectStatus(
        await ctx.call('POST', '/api/achievements/events', {
          token,
          body: {
            type: 'lesson.completed',
            userId: member.id,
            key: `install:${plan.name}:${crypto.randomBytes(4).toString('hex')}`,
            subject: 'lesson-x',
          },
        }),
        202,
        'POST /api/achievements/events'
      );
      const badge = await waitForBadge(ctx, member, 'first-lesson');
      log(`start ${plan.name}: ${member.username} earned "${badge.name}" at ${badge.earnedAt}`);
    });

    it('serves the member card and the seeded badge list (200)', async () => {
      needs(ctx.learner, 'no member');
      const card = expectStatus(
        await ctx.call('GET', `/api/achievements/users/${ctx.learner!.id}/card`),
        200,
        'GET /api/achievements/users/:id/card'
      );
      expect(card.body.badges.map((b: any) => b.slug)).toContain('first-lesson');
      const badges = expectStatus(
        await ctx.call('GET', '/api/achievements/badges?pageSize=100'),
        200,
        'GET /api/achievements/badges'
      );
      const slugs: string[] = badges.body.data.map((b: any) => b.slug);
      log(`start ${plan.name}: seeded ${slugs.length} badges: ${slugs.join(', ')}`);
      plan.catalog(slugs);
    });

    plan.extra?.(ctx);

    it('publishing a post in the content manager earns "first-post"', async () => {
      needs(ctx.learner && ctx.adminToken, 'no member or no admin');
      const member = ctx.learner!;
      const post = expectStatus(
        await ctx.call('POST', `${CM}/api::post.post`, {
          token: ctx.adminToken,
          body: {
            title: 'Hello from the install test',
            author: { connect: [{ id: member.id, documentId: member.documentId }] },
          },
        }),
        [200, 201],
        'create a post in the content manager'
      ).body.data;
      expectStatus(
        await ctx.call('POST', `${CM}/api::post.post/${post.documentId}/actions/publish`, {
          token: ctx.adminToken,
          body: {},
        }),
        [200, 201],
        'publish the post in the content manager'
      );
      const badge = await waitForBadge(ctx, member, 'first-post');
      log(`start ${plan.name}: ${member.username} earned "${badge.name}" at ${badge.earnedAt}`);
    });

    it(
      'answers no plugin route with a 5xx (member, admin, anonymous)',
      async () => {
        needs(healthy, 'Strapi did not start');
        await sweepRoutes(ctx);
      },
      3 * MINUTE
    );
  });

// --- A, B, C ----------------------------------------------------------------------------------

describeStart({
  name: 'A',
  title: 'SQLite, the README config as written, no user extension',
  // `strapi build` compiled exactly this.
  prepare: async () => undefined,
  database: () => sqliteDatabase('a'),
  catalog: (slugs) => {
    expect(slugs).toEqual(expect.arrayContaining(['first-lesson', 'first-post', ...STREAK_SLUGS]));
    expect(slugs.filter((slug) => PROFILE_SLUGS.includes(slug))).toEqual([]);
  },
});

describeStart({
  name: 'B',
  title: 'a new SQLite file, streakEvents: [] added, no user extension',
  prepare: async () => {
    writePluginsConfig(withEmptyStreakEvents(readmeBlock('install:plugins-config')));
    setUserExtension(false);
    await compileServer(APP, STEPS_LOG);
  },
  database: () => sqliteDatabase('b'),
  catalog: (slugs) => {
    expect(slugs).toContain('first-lesson');
    expect(slugs.filter((slug) => STREAK_SLUGS.includes(slug))).toEqual([]);
    expect(slugs.filter((slug) => PROFILE_SLUGS.includes(slug))).toEqual([]);
  },
});

describeStart({
  name: 'C',
  title: "PostgreSQL, the README config and the README's user extension",
  prepare: async () => {
    writePluginsConfig(readmeBlock('install:plugins-config'));
    setUserExtension(true);
    await compileServer(APP, STEPS_LOG);
  },
  database: postgresDatabase,
  catalog: (slugs) => {
    expect(slugs).toEqual(
      expect.arrayContaining(['first-lesson', 'complete-bio', ...STREAK_SLUGS])
    );
  },
  extra: (ctx) => {
    const editUser = async (data: Record<string, unknown>) =>
      expectStatus(
        await ctx.call('PUT', `${CM}/${USER_UID}/${ctx.learner!.documentId}`, {
          token: ctx.adminToken,
          body: data,
        }),
        200,
        `PUT ${CM}/${USER_UID}/:documentId ${JSON.stringify(data)}`
      );

    it('a bio set in the content manager earns "complete-bio"', async () => {
      needs(ctx.learner && ctx.adminToken, 'no member or no admin');
      await editUser({ bio: 'I install plugins for a living.' });
      const badge = await waitForBadge(ctx, ctx.learner!, 'complete-bio');
      log(`start C: ${ctx.learner!.username} earned "${badge.name}" at ${badge.earnedAt}`);
    });

    it('a timezone set in the content manager is the streak timezone in /me', async () => {
      needs(ctx.learner && ctx.adminToken, 'no member or no admin');
      await editUser({ timezone: 'Europe/Paris' });
      const streak = await eventually('streak.timezone is Europe/Paris', async () => {
        const me = expectStatus(
          await ctx.call('GET', '/api/achievements/me', { token: ctx.learner!.jwt }),
          200,
          'GET /me'
        ).body;
        return me.streak?.timezone === 'Europe/Paris' ? me.streak : undefined;
      });
      log(`start C: streak ${JSON.stringify(streak)}`);
    });
  },
});
