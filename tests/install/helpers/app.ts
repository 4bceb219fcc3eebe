import { spawn, type ChildProcess } from 'child_process';
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { childEnv, log, quiet, run, seconds, stopProcess, tail } from './process';
import SECRET_NAMES from '../../../scripts/lib/secret-names.json';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const CREATE_STRAPI_APP = 'create-strapi-app@5.54.0';

/**
 * Local runs keep one freshly created app per create-strapi-app version and copy it (a fresh app
 * takes 1–3 minutes to create); CI always creates it from scratch. INSTALL_TEST_CACHE=0 turns the
 * cache off locally.
 */
export const useAppCache = (): boolean =>
  process.env.CI !== 'true' && process.env.INSTALL_TEST_CACHE !== '0';

const CACHE_DIR = path.join(os.tmpdir(), 'achievements-install-cache', CREATE_STRAPI_APP);

const isCreatedApp = (dir: string) =>
  fs.existsSync(path.join(dir, 'package.json')) &&
  fs.existsSync(path.join(dir, 'node_modules/@strapi/strapi/package.json'));

/** `cp -a`: keeps node_modules/.bin's relative links as they are. */
const copyTree = (from: string, to: string, logFile: string) =>
  run('cp', ['-a', from, to], { cwd: os.tmpdir(), logFile });

/**
 * A new Strapi app made exactly as a user makes one (TypeScript, SQLite, npm), at `appDir`.
 * Returns how it was obtained.
 */
export const createFreshApp = async (appDir: string, logFile: string): Promise<string> => {
  const cached = path.join(CACHE_DIR, 'my-app');
  if (useAppCache() && isCreatedApp(cached)) {
    await copyTree(cached, appDir, logFile);
    return `copied from the local cache ${cached} (INSTALL_TEST_CACHE=0 makes a new one)`;
  }
  await run(
    'npx',
    [
      '-y',
      CREATE_STRAPI_APP,
      appDir,
      '--non-interactive',
      '--skip-cloud',
      '--no-run',
      '--no-example',
      '--typescript',
      '--use-npm',
      '--install',
      '--dbclient=sqlite',
      '--no-git-init',
    ],
    { cwd: path.dirname(appDir), logFile, timeoutMs: 8 * 60_000 }
  );
  if (!isCreatedApp(appDir)) throw new Error(`${CREATE_STRAPI_APP} made no app in ${appDir}`);
  if (useAppCache()) {
    // Copied aside then renamed, so a half-written cache is never used.
    const partial = path.join(CACHE_DIR, `partial-${process.pid}`);
    fs.rmSync(partial, { recursive: true, force: true });
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    await copyTree(appDir, partial, logFile);
    fs.rmSync(cached, { recursive: true, force: true });
    fs.renameSync(partial, cached);
    return `created with npx ${CREATE_STRAPI_APP} (and cached in ${cached})`;
  }
  return `created with npx ${CREATE_STRAPI_APP}`;
};

/** `npm pack` of the repository (the plugin must be built): the tarball's path. */
export const packPlugin = async (into: string, logFile: string): Promise<string> => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist/server/index.js'))) {
    throw new Error('The plugin is not built: run `npm run build` (npm test does it first).');
  }
  fs.mkdirSync(into, { recursive: true });
  await run('npm', ['pack', '--pack-destination', into], { cwd: REPO_ROOT, logFile });
  const tarballs = fs.readdirSync(into).filter((file) => file.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack left ${tarballs.join(', ') || 'nothing'}`);
  return path.join(into, tarballs[0]);
};

// --- the app's own code -------------------------------------------------------------------

const factoryFile = (factory: string, uid: string) =>
  `import { factories } from '@strapi/strapi';\n\nexport default factories.${factory}('${uid}');\n`;

/** A collection type as the Content-Type Builder writes it, with its core router/controller/service. */
const writeCollectionType = (
  appDir: string,
  name: string,
  schema: { displayName: string; draftAndPublish: boolean; attributes: Record<string, unknown> }
) => {
  const api = path.join(appDir, 'src/api', name);
  const uid = `api::${name}.${name}`;
  const files: Record<string, string> = {
    [`content-types/${name}/schema.json`]:
      JSON.stringify(
        {
          kind: 'collectionType',
          collectionName: `${name.replace(/-/g, '_')}s`,
          info: { singularName: name, pluralName: `${name}s`, displayName: schema.displayName },
          options: { draftAndPublish: schema.draftAndPublish },
          pluginOptions: {},
          attributes: schema.attributes,
        },
        null,
        2
      ) + '\n',
    [`controllers/${name}.ts`]: factoryFile('createCoreController', uid),
    [`routes/${name}.ts`]: factoryFile('createCoreRouter', uid),
    [`services/${name}.ts`]: factoryFile('createCoreService', uid),
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(api, file)), { recursive: true });
    fs.writeFileSync(path.join(api, file), text);
  }
};

const USER = 'plugin::users-permissions.user';

/** The content types the README's triggers name. */
export const writeContentTypes = (appDir: string): void => {
  writeCollectionType(appDir, 'lesson', {
    displayName: 'Lesson',
    draftAndPublish: false,
    attributes: { title: { type: 'string' } },
  });
  writeCollectionType(appDir, 'lesson-completion', {
    displayName: 'Lesson completion',
    draftAndPublish: false,
    attributes: {
      user: { type: 'relation', relation: 'manyToOne', target: USER },
      lesson: { type: 'relation', relation: 'manyToOne', target: 'api::lesson.lesson' },
    },
  });
  writeCollectionType(appDir, 'post', {
    displayName: 'Post',
    draftAndPublish: true,
    attributes: {
      title: { type: 'string' },
      author: { type: 'relation', relation: 'manyToOne', target: USER },
    },
  });
};

// --- the README's snippets -----------------------------------------------------------------

/** The fenced ```ts block right after the line `<!-- <marker> -->` of the repository's README. */
export const readmeBlock = (marker: string): string => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const line = `<!-- ${marker} -->`;
  const at = readme.indexOf(line);
  if (at < 0) throw new Error(`README.md has no line "${line}"`);
  const match = /^\s*```ts\n([\s\S]*?)\n```/.exec(readme.slice(at + line.length));
  if (!match) throw new Error(`README.md: no \`\`\`ts block right after "${line}"`);
  return `${match[1]}\n`;
};

/** The README's `achievements: {…},` key with `streakEvents: []` added to its `config`. */
export const withEmptyStreakEvents = (block: string): string => {
  const re = /^( *)config: \{\n/m;
  if (!re.test(block)) throw new Error(`no "config: {" line in the README's plugins block`);
  return block.replace(re, (all, indent: string) => `${all}${indent}  streakEvents: [],\n`);
};

/**
 * The fresh `config/plugins.ts` with `key` inserted into the object it returns
 * (`const config = (…): Core.Config.Plugin => ({` … `});`), after the keys already there.
 */
export const insertPluginKey = (fresh: string, key: string): string => {
  const open = /const config = \([^)]*\)(?:: [\w.]+)? => \(\{\n/.exec(fresh);
  const close = fresh.lastIndexOf('\n});');
  if (!open || close < open.index) {
    throw new Error(
      `config/plugins.ts no longer has the shape "const config = (…) => ({ … });":\n${fresh}`
    );
  }
  return `${fresh.slice(0, close + 1)}${key}${fresh.slice(close + 1)}`;
};

// --- build and compile -----------------------------------------------------------------------

/**
 * The app's server code (config/, src/) compiled into dist/ by Strapi's own TypeScript compile —
 * the step `strapi build` runs before the admin build, with the same diagnostics (a type error
 * fails it). `strapi start` on a TypeScript app runs dist/, and the admin bundle does not depend on
 * plugin config or user-model extensions, so this is all a config change needs.
 */
export const compileServer = (appDir: string, logFile: string): Promise<void> =>
  run(
    'node',
    [
      '-e',
      "const strapi = require.resolve('@strapi/strapi/package.json');" +
        "const ts = require(require.resolve('@strapi/typescript-utils', { paths: [strapi] }));" +
        'ts.compile(process.cwd(), { configOptions: { ignoreDiagnostics: false } })' +
        '.catch((e) => { console.error(e); process.exit(1); });',
    ],
    { cwd: appDir, logFile, label: "Strapi's TypeScript compile (as in strapi build)" }
  );

// --- starting Strapi ------------------------------------------------------------------------

/**
 * The secrets a start needs: the fresh app writes them into its `.env` (Strapi reads it). Any the
 * file lacks are generated here and passed in the environment. Returns the extra environment and
 * a description for the log.
 */
export const secretsEnv = (appDir: string): { env: Record<string, string>; note: string } => {
  const file = path.join(appDir, '.env');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const has = (key: string) => new RegExp(`^${key}=\\S+`, 'm').test(text);
  const env: Record<string, string> = {};
  for (const key of SECRET_NAMES.filter((k) => !has(k))) {
    const one = () => crypto.randomBytes(16).toString('base64');
    env[key] = key === 'APP_KEYS' ? [one(), one(), one(), one()].join(',') : one();
  }
  const missing = Object.keys(env);
  return {
    env,
    note: missing.length
      ? `the app's .env lacks ${missing.join(', ')}: generated for the test`
      : `all ${SECRET_NAMES.length} from the app's own .env`,
  };
};

export interface RunningStrapi {
  child: ChildProcess;
  baseUrl: string;
  logFile: string;
}

/** `strapi start` (node on Strapi's bin, so the PID is Strapi's own), output into `logFile`. */
export const startStrapi = (
  appDir: string,
  { port, env, logFile }: { port: number; env: Record<string, string>; logFile: string }
): RunningStrapi => {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    'node',
    [path.join(appDir, 'node_modules/@strapi/strapi/bin/strapi.js'), 'start'],
    {
      cwd: appDir,
      stdio: ['ignore', out, out],
      env: childEnv({
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        BROWSER: 'none',
        ...env,
        PORT: String(port),
      }),
    }
  );
  fs.closeSync(out);
  return { child, baseUrl: `http://127.0.0.1:${port}`, logFile };
};

/** Polls `/_health` until it answers 204; fails at once if Strapi exits, with its log. */
export const waitForHealth = async (strapi: RunningStrapi, timeoutMs = 90_000): Promise<void> => {
  const started = Date.now();
  let exited: string | null = null;
  const onExit = (code: number | null, signal: string | null) => (exited = signal ?? String(code));
  strapi.child.once('exit', onExit);
  try {
    while (Date.now() - started < timeoutMs) {
      if (exited !== null) throw new Error(`Strapi exited (${exited}) before it was healthy`);
      try {
        const res = await fetch(`${strapi.baseUrl}/_health`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 204) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${strapi.baseUrl}/_health did not answer 204 within ${seconds(timeoutMs)}`);
  } catch (error) {
    log(
      `Strapi did not become healthy: ${(error as Error).message} (its log follows in the report)`
    );
    const message = `${(error as Error).message}\n── last lines of ${strapi.logFile} ──\n${tail(strapi.logFile, 80)}`;
    await stopProcess(strapi.child);
    throw quiet(message);
  } finally {
    strapi.child.off('exit', onExit);
  }
};
