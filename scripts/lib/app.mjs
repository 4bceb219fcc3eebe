/**
 * The example academy as a process: build its admin panel only when its inputs changed, compile
 * its TypeScript, start `strapi start`, wait for health, stop it. Shared by `npm run demo`
 * (scripts/demo.mjs) and the end-to-end tier's global setup (tests/e2e/setup).
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const APP_DIR = path.join(REPO_ROOT, 'examples/lms-academy');
export const APP_DIST = path.join(APP_DIR, 'dist');
export const ADMIN_BUILD_DIR = path.join(APP_DIST, 'build');
export const SEED_SCRIPT = path.join(APP_DIR, 'scripts/seed.js');
/** Strapi's CLI run with node directly: `npx` would not forward signals to it. */
export const STRAPI_BIN = path.join(REPO_ROOT, 'node_modules/@strapi/strapi/bin/strapi.js');

const STAMP_FILE = path.join(APP_DIST, '.admin-build-stamp.json');
const LOCK_DIR = path.join(APP_DIST, '.admin-build.lock');
/** Bump when the way the admin panel is built changes, to force one rebuild. */
const RECIPE = 1;

export const log = (message) => console.log(`\x1b[36m[academy]\x1b[0m ${message}`);
export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Runs a command to completion with inherited output; rejects on a non-zero exit. */
export const run = (cmd, args, { cwd = REPO_ROOT, env = {}, onSpawn } = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
    onSpawn?.(child);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      onSpawn?.(null);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}`));
    });
  });

/** Every file under `dir` (sorted, relative), or [] when it does not exist. */
const listFiles = (dir) => {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
};

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');

/** One hash per file (or '<missing>'), keyed by its path relative to the repository. */
const hashFiles = (files) =>
  Object.fromEntries(
    files.map((file) => [
      path.relative(REPO_ROOT, file),
      fs.existsSync(file) ? sha256(fs.readFileSync(file)) : '<missing>',
    ])
  );
const tree = (dir) => listFiles(dir).map((file) => path.join(dir, file));

/**
 * What the production admin bundle is made from, in groups, each a hash of file contents: the
 * plugin's built admin code and package exports, the app's admin customisations and the config
 * the admin build reads, and the installed dependency tree. Content, not modification times:
 * `npm run build` rewrites the plugin's dist/ on every run, and an unchanged rewrite must not cost
 * a 70-second admin build.
 */
export const adminBuildInputs = () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const group = (files) => sha256(JSON.stringify(hashFiles(files)));
  return {
    recipe: String(RECIPE),
    'plugin package exports': sha256(
      JSON.stringify({ name: pkg.name, exports: pkg.exports, strapi: pkg.strapi })
    ),
    'plugin admin build (dist/admin)': group(tree(path.join(REPO_ROOT, 'dist/admin'))),
    'app admin sources (src/admin)': group(tree(path.join(APP_DIR, 'src/admin'))),
    'app config (package.json, tsconfig, config/admin|server|plugins)': group(
      [
        'package.json',
        'tsconfig.json',
        'config/admin.ts',
        'config/server.ts',
        'config/plugins.ts',
      ].map((file) => path.join(APP_DIR, file))
    ),
    'dependencies (package-lock.json)': group([path.join(REPO_ROOT, 'package-lock.json')]),
    // Strapi bakes STRAPI_ADMIN_* variables into the bundle at build time.
    'STRAPI_ADMIN_* environment': sha256(
      JSON.stringify(
        Object.entries(process.env)
          .filter(([key]) => key.startsWith('STRAPI_ADMIN_'))
          .sort(([a], [b]) => a.localeCompare(b))
      )
    ),
  };
};

/** Why the admin panel must be (re)built, or null when the existing build is current. */
export const adminBuildStaleReason = () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist/admin'))) {
    throw new Error('The plugin is not built (dist/admin is missing): run `npm run build` first.');
  }
  if (!fs.existsSync(path.join(ADMIN_BUILD_DIR, 'index.html'))) return 'no admin build yet';
  if (!fs.existsSync(STAMP_FILE)) return 'the admin build has no stamp';
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(STAMP_FILE, 'utf8'));
  } catch {
    return 'the admin build stamp is unreadable';
  }
  const current = adminBuildInputs();
  const changed = Object.keys(current).filter((key) => stamp.inputs?.[key] !== current[key]);
  return changed.length ? `changed since the last build: ${changed.join('; ')}` : null;
};

const pidAlive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};

/**
 * One admin build at a time on this checkout (it needs about 2 GB of memory): a lock directory
 * holding the builder's pid; a lock whose owner died is taken over.
 */
const withBuildLock = async (fn) => {
  fs.mkdirSync(APP_DIST, { recursive: true });
  const owner = path.join(LOCK_DIR, 'pid');
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      fs.writeFileSync(owner, String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const pid = Number(fs.existsSync(owner) ? fs.readFileSync(owner, 'utf8') : NaN);
      if (Number.isInteger(pid) && !pidAlive(pid)) {
        fs.rmSync(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (!announced) {
        log(`another admin build is running (pid ${pid || '?'}); waiting for it…`);
        announced = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
};

/**
 * Builds the production admin panel (and compiles the app's TypeScript, which `strapi build`
 * does first) when the stamp says it is missing or stale. Returns whether it built.
 */
export const ensureAdminBuild = async ({ onSpawn } = {}) => {
  if (!adminBuildStaleReason()) {
    log('admin panel build is up to date (stamp matches): skipping `strapi build`');
    return false;
  }
  return withBuildLock(async () => {
    // Someone else may have built it while we waited for the lock.
    const reason = adminBuildStaleReason();
    if (!reason) {
      log('admin panel was built while waiting: skipping `strapi build`');
      return false;
    }
    log(`building the admin panel (${reason}); about a minute…`);
    const inputs = adminBuildInputs();
    const sources = appSourceHash(); // `strapi build` compiles the TypeScript first
    const started = Date.now();
    fs.rmSync(STAMP_FILE, { force: true });
    fs.rmSync(COMPILE_STAMP_FILE, { force: true });
    await run('node', [STRAPI_BIN, 'build'], {
      cwd: APP_DIR,
      env: { NODE_ENV: 'production', STRAPI_TELEMETRY_DISABLED: 'true' },
      onSpawn,
    });
    markCompiled(sources);
    fs.writeFileSync(
      STAMP_FILE,
      JSON.stringify({ builtAt: new Date().toISOString(), inputs }, null, 2) + '\n'
    );
    log(`admin panel built in ${seconds(Date.now() - started)}`);
    return true;
  });
};

const COMPILE_STAMP_FILE = path.join(APP_DIST, '.compile-stamp.json');
/** Folders of the app that are not TypeScript sources of dist/ (tsconfig.json includes "./"). */
const NOT_SOURCES = [
  'node_modules',
  'dist',
  'build',
  '.cache',
  '.tmp',
  '.strapi',
  'public',
  'types',
];

/** A hash of the app's server-side sources: what `compileStrapi` turns into dist/. */
export const appSourceHash = () => {
  const files = listFiles(APP_DIR)
    .filter((file) => !NOT_SOURCES.includes(file.split(path.sep)[0]))
    .filter((file) => !file.startsWith(path.join('src', 'admin') + path.sep))
    .filter((file) => /\.(ts|js|json)$/.test(file))
    .map((file) => path.join(APP_DIR, file));
  return sha256(JSON.stringify(hashFiles(files)));
};

/** Records that dist/ holds the app compiled from sources with this hash. */
export const markCompiled = (sources) =>
  fs.writeFileSync(COMPILE_STAMP_FILE, JSON.stringify({ sources }) + '\n');

const compiledSources = () => {
  try {
    return JSON.parse(fs.readFileSync(COMPILE_STAMP_FILE, 'utf8')).sources;
  } catch {
    return null;
  }
};

/**
 * Compiles the app's TypeScript into dist/ (`strapi start` on a TS app runs dist/), unless dist/
 * was compiled from exactly these sources. A type error fails it, as it always fails
 * `strapi build` (which compiles with diagnostics on): the demo and the e2e tier behave the same
 * whether or not the admin panel needed a rebuild.
 */
export const compileApp = async ({ onSpawn } = {}) => {
  const sources = appSourceHash();
  if (compiledSources() === sources && fs.existsSync(path.join(APP_DIST, 'src/index.js'))) {
    log('app dist/ is up to date (stamp matches): skipping the TypeScript compile');
    return false;
  }
  const started = Date.now();
  fs.rmSync(COMPILE_STAMP_FILE, { force: true });
  const script =
    "require('@strapi/strapi').compileStrapi({ appDir: process.cwd(), ignoreDiagnostics: false })" +
    '.catch((e) => { console.error(e); process.exit(1); });';
  await run('node', ['-e', script], { cwd: APP_DIR, onSpawn });
  markCompiled(sources);
  log(`app compiled in ${seconds(Date.now() - started)}`);
  return true;
};

/** Resolves true when something already listens on the port (any interface). */
export const portInUse = (port) =>
  new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.once('listening', () => server.close(() => resolve(false)));
    server.listen(port);
  });

/** Starts `strapi start` in the app directory and returns the child process. */
export const startStrapi = ({ port, env = {}, stdio = 'inherit' }) =>
  spawn('node', [STRAPI_BIN, 'start'], {
    cwd: APP_DIR,
    stdio,
    env: {
      ...process.env,
      STRAPI_TELEMETRY_DISABLED: 'true',
      BROWSER: 'none',
      ...env,
      PORT: String(port),
    },
  });

/** Polls `/_health` until it answers 204; fails early if the child exits. */
export const waitForHealth = async (baseUrl, { child, timeoutMs = 120_000 } = {}) => {
  const deadline = Date.now() + timeoutMs;
  let exited = null;
  const onExit = (code, signal) => (exited = signal ?? code);
  child?.once('exit', onExit);
  try {
    while (Date.now() < deadline) {
      if (exited !== null) throw new Error(`Strapi exited (${exited}) before it was healthy`);
      try {
        const res = await fetch(`${baseUrl}/_health`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 204 || res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${baseUrl}/_health did not answer within ${seconds(timeoutMs)}`);
  } finally {
    child?.off('exit', onExit);
  }
};

/** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code or signal. */
export const stopProcess = (child, graceMs = 10_000) =>
  new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      resolve(child?.exitCode ?? child?.signalCode ?? null);
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? code);
    });
    child.kill('SIGTERM');
  });
