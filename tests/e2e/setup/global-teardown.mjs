/** Stops the Strapi server the global setup started and removes its database and log. */
import fs from 'node:fs';
import { log, stopProcess } from '../../../scripts/lib/app.mjs';

export default async function globalTeardown() {
  const state = globalThis.__ACHIEVEMENTS_E2E__;
  if (!state) return;
  const code = await stopProcess(state.child);
  process.off('exit', state.killOnExit);
  if (process.env.E2E_KEEP === '1') {
    log(`e2e: kept ${state.dir} (database and strapi.log) because E2E_KEEP=1`);
  } else {
    fs.rmSync(state.dir, { recursive: true, force: true });
  }
  log(`e2e: Strapi stopped (${code})`);
  delete globalThis.__ACHIEVEMENTS_E2E__;
}
