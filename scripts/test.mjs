#!/usr/bin/env node
/**
 * `npm test`: every tier in order — build, typecheck, lint, unit, integration, end-to-end,
 * install — then one closing line `N passed, N failed` summed over all of them. Exit code 1 on
 * any failure.
 *
 *   node scripts/test.mjs [tier …]     tiers: build typecheck lint unit integration e2e install
 *
 * `install` packs the built plugin (run `build` first, or on its own after `npm run build`) and
 * installs it into an app made by create-strapi-app, following README.md's install section.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ALL = ['build', 'typecheck', 'lint', 'unit', 'integration', 'e2e', 'install'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const totals = { passed: 0, failed: 0, skipped: 0 };
const rows = [];

const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status;

/** A check that is not a jest suite counts as one test. */
const check = (name, cmd, args) => {
  const status = run(cmd, args);
  const ok = status === 0;
  totals[ok ? 'passed' : 'failed'] += 1;
  rows.push([name, ok ? 1 : 0, ok ? 0 : 1, 0]);
};

/** A jest tier, counted from jest's JSON report (jest's own summary line is not what CI reads). */
const jest = (name, config, extraArgs = [], env = {}) => {
  const out = path.join(os.tmpdir(), `achievements-${name}-${process.pid}.json`);
  const status = run(
    'npx',
    ['jest', '-c', config, '--json', `--outputFile=${out}`, ...extraArgs],
    env
  );
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  if (fs.existsSync(out)) {
    const report = JSON.parse(fs.readFileSync(out, 'utf8'));
    passed = report.numPassedTests;
    failed = report.numFailedTests + report.numRuntimeErrorTestSuites;
    skipped = report.numPendingTests + report.numTodoTests;
    fs.rmSync(out);
  }
  if (status !== 0 && failed === 0) failed = 1; // jest crashed or found nothing to run
  if (passed + failed === 0) failed = 1;
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  rows.push([name, passed, failed, skipped]);
};

for (const tier of wanted) {
  console.log(`\n━━ ${tier} ━━`);
  switch (tier) {
    case 'build':
      if (
        process.env.TEST_SKIP_BUILD === '1' &&
        fs.existsSync(path.join(root, 'dist/server/index.js'))
      ) {
        // .ci/run builds once, before running suites side by side that all read dist/.
        console.log('TEST_SKIP_BUILD=1: the plugin was built by the caller');
        break;
      }
      check('build', 'npm', ['run', '--silent', 'build']);
      break;
    case 'typecheck':
      check('typecheck', 'npm', ['run', '--silent', 'typecheck']);
      break;
    case 'lint':
      check('lint', 'npm', ['run', '--silent', 'lint']);
      break;
    case 'unit':
      jest('unit', 'jest.unit.config.js');
      break;
    case 'integration':
      jest(`integration:${process.env.DATABASE_CLIENT || 'sqlite'}`, 'jest.integration.config.js', [
        '--runInBand',
      ]);
      break;
    case 'e2e':
      jest('e2e', 'jest.e2e.config.js', ['--runInBand']);
      break;
    case 'install':
      jest('install', 'jest.install.config.js', ['--runInBand']);
      break;
    default:
      console.error(`unknown tier "${tier}" (tiers: ${ALL.join(', ')})`);
      process.exit(2);
  }
}

console.log('\n tier                         passed  failed  skipped');
for (const [name, p, f, s] of rows) {
  console.log(
    ` ${name.padEnd(28)} ${String(p).padStart(6)}  ${String(f).padStart(6)}  ${String(s).padStart(7)}`
  );
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed === 0 ? 0 : 1);
