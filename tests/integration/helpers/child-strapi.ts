import { spawn, type ChildProcess } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { TestDatabase } from './database';
import { APP_DIR, DIST_DIR, REPO_ROOT } from './paths';

export interface ChildOutcome {
  /** 0: Strapi loaded and `afterLoad` ended well; 1: loading (or `afterLoad`) failed. */
  code: number | null;
  /** Everything the child printed. */
  output: string;
}

export interface ChildStrapi {
  process: ChildProcess;
  exited: Promise<ChildOutcome>;
  /** What the child has printed so far (it may still be running). */
  printed: () => string;
}

/**
 * Loads the compiled academy in another Node process on `db`: a second Strapi instance, or one
 * that must fail to start. Its environment is this process's without `unset` (secrets this
 * process set for its own Strapi), plus `env`; no .env file is read. `afterLoad` is the body of
 * an async function run with `strapi` loaded (it may talk to this process over IPC with
 * `process.send` / `process.on('message')`); Strapi is destroyed after it and the child exits 0.
 * A failed load prints `LOAD FAILED: <message>` and exits 1.
 */
export const startChildStrapi = ({
  db,
  env = {},
  unset = [],
  afterLoad = '',
}: {
  db: TestDatabase;
  env?: Record<string, string>;
  unset?: string[];
  afterLoad?: string;
}): ChildStrapi => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'achievements-child-'));
  const envFile = path.join(dir, 'empty.env');
  fs.writeFileSync(envFile, '');
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !unset.includes(key)) childEnv[key] = value;
  }
  Object.assign(childEnv, db.env, { LOG_LEVEL: 'error', STRAPI_TELEMETRY_DISABLED: 'true' }, env, {
    ENV_PATH: envFile,
  });
  const script = `
    const { createStrapi } = require('@strapi/strapi');
    createStrapi({ appDir: ${JSON.stringify(APP_DIR)}, distDir: ${JSON.stringify(DIST_DIR)},
      autoReload: false, serveAdminPanel: false })
      .load()
      .catch((error) => { console.error('LOAD FAILED: ' + error.message); process.exit(1); })
      .then(async (strapi) => { ${afterLoad}\n; await strapi.destroy(); process.exit(0); })
      .catch((error) => { console.error('AFTER LOAD FAILED: ' + error.stack); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<ChildOutcome>((resolve) => {
    child.on('exit', (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
  return { process: child, exited, printed: () => output };
};
