#!/usr/bin/env node
/**
 * `npm run demo`: the example academy with the plugin, ready to click through.
 *
 *   build the plugin → build the admin panel if stale → compile the app → seed → start Strapi
 *   → create the first admin if there is none → print the URLs and the login.
 *
 * Data lives in examples/lms-academy/.tmp/ and survives restarts. Ctrl-C stops Strapi. The first
 * run writes random secrets to examples/lms-academy/.env (git-ignored); later runs keep them.
 *
 * A local mail catcher receives the academy's email (achievement digests, when switched on in
 * Settings → Gamification → Notifications); the banner says where to read it.
 *
 * Environment: PORT (default 1337), DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_SMTP_PORT
 * (default 1025), DEMO_MAIL_PORT (default 1080); a busy mail port falls back to a free one.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  APP_DIR,
  REPO_ROOT,
  SEED_SCRIPT,
  compileApp,
  ensureAdminBuild,
  log,
  portInUse,
  run,
  seconds,
  startStrapi,
  stopProcess,
  waitForHealth,
} from './lib/app.mjs';
import { ensureSecretsFile } from './lib/env.mjs';
import { startMailCatcher } from './lib/mail-catcher.mjs';

const PORT = Number(process.env.PORT || 1337);
const BASE_URL = `http://localhost:${PORT}`;
/** Kept next to the demo database (same lifetime, git-ignored) so a second run can print it. */
const CREDENTIALS_FILE = path.join(APP_DIR, '.tmp/demo-admin.json');
/** The app's secrets (Strapi reads .env from the app directory, where every step runs). */
const ENV_FILE = path.join(APP_DIR, '.env');

let child = null; // the process currently running (a build step, then Strapi)
let mail = null; // the local mail catcher, once started
let stopping = false;

const shutdown = async (signal) => {
  if (stopping) return;
  stopping = true;
  log(`${signal} received: stopping${child ? ` (pid ${child.pid})` : ''}…`);
  if (child) await stopProcess(child);
  await mail?.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
const track = (spawned) => (child = spawned);

const step = async (name, fn) => {
  const started = Date.now();
  log(`▶ ${name}`);
  const result = await fn();
  log(`✔ ${name} (${seconds(Date.now() - started)})`);
  return result;
};

const strongPassword = () =>
  // Strapi requires upper case, lower case and a digit; the random part carries the strength.
  `Ach-${crypto.randomBytes(12).toString('base64url')}-7a`;

const adminCredentials = () => {
  const saved = fs.existsSync(CREDENTIALS_FILE)
    ? JSON.parse(fs.readFileSync(CREDENTIALS_FILE, 'utf8'))
    : {};
  return {
    email: process.env.DEMO_ADMIN_EMAIL || saved.email || 'admin@academy.local',
    password: process.env.DEMO_ADMIN_PASSWORD || saved.password || strongPassword(),
  };
};

/** Registers the first admin through Strapi's own first-run endpoint; a no-op when one exists. */
const ensureFirstAdmin = async () => {
  const init = await (await fetch(`${BASE_URL}/admin/init`)).json();
  if (init?.data?.hasAdmin) {
    return fs.existsSync(CREDENTIALS_FILE)
      ? { created: false, ...JSON.parse(fs.readFileSync(CREDENTIALS_FILE, 'utf8')) }
      : { created: false };
  }
  const credentials = adminCredentials();
  const res = await fetch(`${BASE_URL}/admin/register-admin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ firstname: 'Demo', lastname: 'Admin', ...credentials }),
  });
  if (!res.ok) {
    throw new Error(`could not create the first admin: ${res.status} ${await res.text()}`);
  }
  fs.mkdirSync(path.dirname(CREDENTIALS_FILE), { recursive: true });
  fs.writeFileSync(CREDENTIALS_FILE, JSON.stringify(credentials, null, 2) + '\n', {
    mode: 0o600,
  });
  return { created: true, ...credentials };
};

const banner = (admin) => {
  const line = '─'.repeat(72);
  const out = [
    '',
    line,
    '  🏆  Achievements demo — the LMS academy is running',
    line,
    `  Admin panel     ${BASE_URL}/admin`,
  ];
  if (admin.email) {
    out.push(`  Admin login     ${admin.email}`);
    out.push(`  Admin password  ${admin.password}${admin.created ? '   (just created)' : ''}`);
  } else {
    out.push('  Admin login     an admin already exists: use your own credentials');
  }
  out.push(`  Settings        ${BASE_URL}/admin/settings/achievements/gamification`);
  out.push(`  Plugin config   ${BASE_URL}/api/achievements/config`);
  if (fs.existsSync(path.join(APP_DIR, 'public/profile.html'))) {
    out.push(`  Profile page    ${BASE_URL}/profile.html`);
  }
  if (fs.existsSync(path.join(APP_DIR, 'public/verify.html'))) {
    out.push(`  Verify a badge  ${BASE_URL}/verify.html (credentials: Settings → Credentials)`);
  }
  if (mail) out.push(`  Mail (catcher)  ${mail.webUrl}   (SMTP on 127.0.0.1:${mail.smtpPort})`);
  if (fs.existsSync(path.join(APP_DIR, 'public/learn.html'))) {
    out.push(`  Member page     ${BASE_URL}/learn.html   (a seeded member, Academy-Passw0rd!)`);
  }
  if (fs.existsSync(path.join(APP_DIR, 'public/leaderboard.html')))
    out.push(`  Leaderboard     ${BASE_URL}/leaderboard.html   (the site and each course)`);
  out.push(`  Data            ${path.relative(REPO_ROOT, path.join(APP_DIR, '.tmp/data.db'))}`);
  out.push(line, '  Ctrl-C stops the server; the next `npm run demo` keeps the data.', line, '');
  console.log(out.join('\n'));
};

const main = async () => {
  const started = Date.now();
  if (await portInUse(PORT)) {
    throw new Error(
      `port ${PORT} is already in use: stop that process or run PORT=<free port> npm run demo`
    );
  }

  const filled = ensureSecretsFile(ENV_FILE);
  if (filled.length > 0) {
    log(`wrote random ${filled.join(', ')} to ${path.relative(REPO_ROOT, ENV_FILE)} (git-ignored)`);
  }

  await step('build the plugin (npm run build)', () =>
    run('npm', ['run', '--silent', 'build'], { onSpawn: track })
  );
  const built = await step('admin panel', () => ensureAdminBuild({ onSpawn: track }));
  // `strapi build` compiled the TypeScript already; otherwise compile it (incremental, seconds).
  if (!built) await step('compile the app', () => compileApp({ onSpawn: track }));

  if (fs.existsSync(SEED_SCRIPT)) {
    await step('seed the academy (idempotent)', () =>
      run('node', [SEED_SCRIPT], { cwd: APP_DIR, onSpawn: track })
    );
  } else {
    log(
      `no seed script at ${path.relative(REPO_ROOT, SEED_SCRIPT)}: starting with an empty academy`
    );
  }

  if (stopping) return;
  mail = await startMailCatcher({
    smtpPort: Number(process.env.DEMO_SMTP_PORT || 1025),
    webPort: Number(process.env.DEMO_MAIL_PORT || 1080),
    dir: path.join(APP_DIR, '.tmp/mail'),
  });
  log(`▶ start Strapi on port ${PORT}`);
  child = startStrapi({
    port: PORT,
    env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(mail.smtpPort), PUBLIC_URL: BASE_URL },
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    log(`Strapi exited (${signal ?? code})`);
    process.exit(code === 0 ? 0 : 1);
  });
  await waitForHealth(BASE_URL, { child });
  const admin = await ensureFirstAdmin();
  log(`ready in ${seconds(Date.now() - started)} (pid ${child.pid})`);
  banner(admin);
};

main().catch(async (error) => {
  if (stopping) return; // a signal interrupted a step: shutdown() exits
  console.error(`\n\x1b[31m[academy] demo failed:\x1b[0m ${error.message}`);
  if (child) await stopProcess(child);
  process.exit(1);
});
