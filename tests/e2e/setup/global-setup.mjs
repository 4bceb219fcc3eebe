/**
 * End-to-end global setup: Chromium must be installed, the admin panel built (only if stale), the
 * app compiled, then `strapi start` (production admin build) runs on a fresh SQLite file with a
 * first admin registered through the real API. What tests need is written to a JSON file whose
 * path is in ACHIEVEMENTS_E2E_STATE (tests/e2e/helpers/state.ts reads it).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT,
  compileApp,
  ensureAdminBuild,
  log,
  portInUse,
  seconds,
  startStrapi,
  stopProcess,
  waitForHealth,
} from '../../../scripts/lib/app.mjs';
import { randomSecrets } from '../../../scripts/lib/env.mjs';

export const CHROMIUM = '/usr/bin/chromium';

const requireChromium = () => {
  if (fs.existsSync(CHROMIUM)) return;
  const bar = '!'.repeat(78);
  console.error(
    [
      '',
      bar,
      `!!  END-TO-END TESTS CANNOT RUN: ${CHROMIUM} IS MISSING`,
      '!!',
      "!!  Install Debian's Chromium (about 25 s), then run the tests again:",
      '!!',
      '!!      apt-get update && apt-get install -y chromium',
      '!!',
      '!!  (Never `npx playwright install`: the tests use the system browser.)',
      bar,
      '',
    ].join('\n')
  );
  throw new Error(
    `Chromium not found at ${CHROMIUM}: apt-get update && apt-get install -y chromium` +
      (process.env.CI === 'true' ? ' (CI)' : '')
  );
};

const tail = (file, lines = 40) =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '';

export default async function globalSetup() {
  const started = Date.now();
  console.log('');
  requireChromium();
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist/server/index.js'))) {
    throw new Error('The plugin is not built: run `npm run build` (npm test does it first).');
  }

  const port = Number(process.env.E2E_PORT || 1341);
  if (await portInUse(port)) {
    throw new Error(`E2E port ${port} is already in use: free it or set E2E_PORT to a free port.`);
  }

  const built = await ensureAdminBuild();
  if (!built) await compileApp();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'achievements-e2e-'));
  const logFile = path.join(dir, 'strapi.log');
  const out = fs.openSync(logFile, 'a');
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = startStrapi({
    port,
    stdio: ['ignore', out, out],
    env: {
      // Production refuses to start without secrets of its own (src/academy/secrets.ts).
      ...randomSecrets(), // with ACHIEVEMENTS_CREDENTIALS_SECRET: credentials.e2e.ts uses them
      NODE_ENV: 'production',
      // One browser sign-in per test file, plus one API sign-in each: more than Strapi's 5.
      ADMIN_LOGIN_RATE_LIMIT: '50',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_CLIENT: 'sqlite',
      DATABASE_FILENAME: path.join(dir, 'data.db'),
    },
  });
  fs.closeSync(out);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  globalThis.__ACHIEVEMENTS_E2E__ = { child, dir, killOnExit };

  try {
    await waitForHealth(baseUrl, { child, timeoutMs: 90_000 });
    const admin = {
      firstname: 'Eve',
      lastname: 'Tester',
      email: 'e2e-admin@academy.test',
      password: `E2e-${crypto.randomBytes(9).toString('base64url')}-9x`,
    };
    const res = await fetch(`${baseUrl}/admin/register-admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    });
    if (!res.ok) throw new Error(`register-admin failed: ${res.status} ${await res.text()}`);

    const stateFile = path.join(dir, 'state.json');
    fs.writeFileSync(stateFile, JSON.stringify({ baseUrl, admin, logFile, chromium: CHROMIUM }));
    process.env.ACHIEVEMENTS_E2E_STATE = stateFile;
    log(`e2e: Strapi (production admin) on ${baseUrl}, pid ${child.pid}, log ${logFile}`);
    log(`e2e: ready in ${seconds(Date.now() - started)}`);
  } catch (error) {
    console.error(`\n── last lines of ${logFile} ──\n${tail(logFile)}`);
    await stopProcess(child);
    process.off('exit', killOnExit);
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
