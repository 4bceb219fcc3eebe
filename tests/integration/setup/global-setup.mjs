/**
 * Integration global setup: the plugin must be built, and the example academy compiled
 * (TypeScript → dist) — skipped when dist/ was compiled from exactly these sources, so several
 * suites (SQLite, PostgreSQL, MariaDB) can run side by side without rewriting dist/ under each
 * other.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, compileApp } from '../../../scripts/lib/app.mjs';

export default async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist/server/index.js'))) {
    throw new Error('The plugin is not built: run `npm run build` (npm test does it first).');
  }
  await compileApp();
};
