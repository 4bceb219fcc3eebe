// `npm run bench`: runs each workload in its own process, prints a table of medians, p99s and
// ratios against the bars, and writes bench/results/latest.json.
//   node bench/run.mjs [P2 P5 P1 P1w P3 P4 P6 P7 P8 P9 ...]   (default: all)
//   BENCH_SCALE=1 (default sizes) · BENCH_ROUNDS · BENCH_DBS=sqlite,postgres · BENCH_BUILD=1
import { fork, execSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { fileURLToPath } from 'url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const dbs = (process.env.BENCH_DBS ?? 'sqlite,postgres').split(',');
const WORKLOADS = [
  { id: 'P2', file: 'p2-engine.mjs' },
  { id: 'P5', file: 'p5-duplicate.mjs', env: { BENCH_DB: 'sqlite' } },
  ...dbs.map((db) => ({ id: 'P1', file: 'p1-writes.mjs', env: { BENCH_DB: db } })),
  { id: 'P3', file: 'p3-reads.mjs', env: { BENCH_DB: 'sqlite' } },
  ...dbs.map((db) => ({ id: 'P4', file: 'p4-backfill.mjs', env: { BENCH_DB: db } })),
  ...(dbs.includes('postgres')
    ? [
        { id: 'P1w', file: 'p1w-worker.mjs', env: { BENCH_DB: 'postgres' } },
        { id: 'P6', file: 'p6-two-processes.mjs', env: { BENCH_DB: 'postgres' } },
      ]
    : []),
  { id: 'P8', file: 'p8-leaderboards.mjs', env: { BENCH_DB: 'sqlite' } },
  { id: 'P9', file: 'p9-credentials.mjs', env: { BENCH_DB: 'sqlite' } },
  { id: 'P7', file: 'p7-streams.mjs', env: { BENCH_DB: 'sqlite' } },
];
const wanted = process.argv.slice(2).map((s) => s.toUpperCase());
const selected = WORKLOADS.filter((w) => !wanted.length || wanted.includes(w.id.toUpperCase()));

if (process.env.BENCH_BUILD === '1' || !fs.existsSync(path.join(root, 'dist/server/index.js'))) {
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
if (
  process.env.BENCH_BUILD === '1' ||
  !fs.existsSync(path.join(root, 'examples/lms-academy/dist/src/index.js'))
) {
  const { createRequire } = await import('module');
  const { compileStrapi } = createRequire(path.join(root, 'package.json'))('@strapi/strapi');
  await compileStrapi({ appDir: path.join(root, 'examples/lms-academy'), ignoreDiagnostics: true });
}

const runOne = (w) =>
  new Promise((resolve) => {
    const t0 = Date.now();
    const child = fork(path.join(here, w.file), [], {
      env: { ...process.env, ...(w.env ?? {}) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv: w.execArgv ?? [],
    });
    let result = null;
    const limit = Number(process.env.BENCH_TIMEOUT_S ?? 900) * 1000;
    const timer = setTimeout(() => child.kill('SIGKILL'), limit);
    child.on('message', (m) => {
      if (m.result) result = m.result;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(
        result
          ? { ...result, seconds: Math.round((Date.now() - t0) / 1000) }
          : {
              id: w.id,
              db: w.env?.BENCH_DB,
              error: `exited ${code} without a result`,
              seconds: Math.round((Date.now() - t0) / 1000),
            }
      );
    });
  });

const results = [];
for (const w of selected) {
  process.stderr.write(`▶ ${w.id} ${w.env?.BENCH_DB ?? ''}\n`);
  const r = { ...(await runOne(w)), at: new Date().toISOString() };
  results.push(r);
  process.stderr.write(
    `  ${r.error ? 'ERROR ' + r.error : 'bar ' + (r.bar?.met ? 'met' : 'NOT met') + ': ' + JSON.stringify(r.bar?.value)} (${r.seconds}s)\n`
  );
}

const rows = [];
for (const r of results) {
  if (r.error) {
    rows.push([r.id, r.db ?? '', 'ERROR', r.error, '', '']);
    continue;
  }
  for (const line of r.table ?? [[r.title, JSON.stringify(r.bar?.value)]])
    rows.push([r.id, r.db ?? '', ...line]);
  rows.push([
    r.id,
    r.db ?? '',
    'bar: ' + r.bar.text,
    typeof r.bar.value === 'object' ? JSON.stringify(r.bar.value) : String(r.bar.value),
    r.bar.met
      ? 'MET'
      : r.bar.metUpToMeasuredScale
        ? 'NOT MET (met up to the measured scale)'
        : 'NOT MET',
  ]);
}
const width = (i) => Math.max(...rows.map((x) => String(x[i] ?? '').length));
for (const row of rows)
  console.log(row.map((c, i) => String(c ?? '').padEnd(width(i))).join(' │ '));

const out = {
  at: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
    memGb: Math.round(os.totalmem() / 2 ** 30),
  },
  git: (() => {
    try {
      return execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim();
    } catch {
      return null;
    }
  })(),
  scale: Number(process.env.BENCH_SCALE ?? 1),
  results,
};
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
const stamp = out.at.replace(/[:.]/g, '-');
fs.writeFileSync(path.join(here, `results/run-${stamp}.json`), JSON.stringify(out, null, 2));
// latest.json holds the newest result of every workload (a partial run replaces only its own).
const latestFile = path.join(here, 'results/latest.json');
let latest = { results: [] };
try {
  latest = JSON.parse(fs.readFileSync(latestFile, 'utf8'));
} catch {}
const key = (r) => `${r.id}:${r.db ?? ''}`;
const merged = [
  ...(latest.results ?? []).filter((r) => !results.some((n) => key(n) === key(r))),
  ...results,
];
const order = WORKLOADS.map((w) => `${w.id}:${w.env?.BENCH_DB ?? ''}`);
merged.sort((a, b) => order.indexOf(key(a)) - order.indexOf(key(b)));
fs.writeFileSync(latestFile, JSON.stringify({ ...out, results: merged }, null, 2));
console.log(
  `\nwrote bench/results/latest.json and run-${stamp}.json (load average at the end: ${out.machine.loadavg.join(' ')})`
);
