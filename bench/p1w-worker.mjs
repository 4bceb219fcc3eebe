// P1w — P1's write load with the evaluation moved out of the web process: the web process runs
// with `processing.engine: false` (ACHIEVEMENTS_ENGINE=false) and takes every request; a worker
// process of the same app evaluates what it records (polling every 1 s). Achievements on vs off,
// interleaved rounds. Bars (issue 16): the web process's CPU per completion on <= 1.03x off, and
// the worker keeps up: ledger lag (recorded → evaluated) p99 <= 2 s over the measured rounds.
import { createDatabase } from './lib/app.mjs';
import { startServer, startLoad } from './lib/procs.mjs';
import { median, p99, round, scaled } from './lib/stats.mjs';
import { cpuMs } from './lib/cpu.mjs';
import { completionBatches } from './lib/completions.mjs';

const client = process.env.BENCH_DB ?? 'postgres';
const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const perBatch = scaled(100, 40);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const LESSONS = { courses: 2, modules: 2, lessons: 5 };
const nLessons = LESSONS.courses * LESSONS.modules * LESSONS.lessons;
const perMembers = Math.max(1, Math.round(perBatch / nLessons));
const webPort = 27000 + (process.pid % 1000);
const workerPort = webPort + 1000;
const POLL_MS = 1000;

const db = await createDatabase(client);
const web = await startServer({ ...db.env, ACHIEVEMENTS_ENGINE: 'false' }, webPort);
const worker = await startServer({ ...db.env, ACHIEVEMENTS_POLL_MS: String(POLL_MS) }, workerPort);
const load = startLoad();
const both = (cmd, args) => Promise.all([web.call(cmd, args), worker.call(cmd, args)]);
try {
  await both('enable', { value: false }); // each process caches settings: tell both
  const { lessonIds, members } = await web.call('setup', {
    ...LESSONS,
    members: perMembers * 2 * (rounds + 1),
  });
  const batches = completionBatches(lessonIds, members, perMembers);
  const side = {
    on: { rps: [], sustained: [], lat: [], webCpu: [], workerCpu: [], catchUpMs: [] },
    off: { rps: [], sustained: [], lat: [], webCpu: [], workerCpu: [], catchUpMs: [] },
  };
  const measuredOn = [];
  /** Waits until the worker has evaluated everything the web process recorded. */
  const caughtUp = async () => {
    const t0 = Date.now();
    while ((await web.call('pending')).pending > 0) {
      if (Date.now() - t0 > 300_000) throw new Error('P1w: the worker did not catch up in 300 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Date.now() - t0;
  };
  const runSide = async (mode, record) => {
    await both('enable', { value: mode === 'on' });
    const { members: used, requests } = batches.next();
    const web0 = cpuMs(web.pid);
    const worker0 = cpuMs(worker.pid);
    const r = await load.run({
      port: webPort,
      requests,
      concurrency,
      maxSeconds: Number(process.env.BENCH_BATCH_SECONDS ?? 12),
    });
    const bad = Object.entries(r.statuses).filter(([s]) => s !== '200' && s !== '201');
    if (bad.length || r.errors)
      throw new Error(`P1w ${mode}: ${JSON.stringify(r.statuses)} ${JSON.stringify(r.errorCodes)}`);
    const catchUpMs = mode === 'on' ? await caughtUp() : 0;
    if (!record) return;
    if (mode === 'on') measuredOn.push(...used.map((m) => m.id));
    const s = side[mode];
    s.webCpu.push((cpuMs(web.pid) - web0) / r.done);
    s.workerCpu.push((cpuMs(worker.pid) - worker0) / r.done);
    s.rps.push((r.done / r.wallMs) * 1000);
    s.sustained.push((r.done / (r.wallMs + catchUpMs)) * 1000);
    s.lat.push(...r.latencies);
    s.catchUpMs.push(catchUpMs);
  };
  await runSide('on', false);
  await runSide('off', false); // warm-up
  for (let i = 0; i < rounds; i++)
    for (const mode of i % 2 ? ['off', 'on'] : ['on', 'off']) await runSide(mode, true);

  // Ledger lag of the measured "on" rounds: when each fact was recorded → when it was evaluated.
  const { rows } = await web.call('knex', {
    sql: `select created_at, processed_at from achievements_events where user_id in (${measuredOn.map(() => '?').join(',')})`,
    bindings: measuredOn,
  });
  const lag = rows.map(
    (x) => new Date(x.processed_at).getTime() - new Date(x.created_at).getTime()
  );
  const unevaluated = rows.filter((x) => x.processed_at === null).length;
  const stats = await web.call('stats');
  const f = (s) => ({
    reqPerSec: round(median(s.rps), 1),
    sustainedPerSec: round(median(s.sustained), 1),
    latencyMs: { median: round(median(s.lat), 2), p99: round(p99(s.lat), 2) },
    webCpuMsPerCompletion: round(median(s.webCpu), 2),
    workerCpuMsPerCompletion: round(median(s.workerCpu), 2),
    catchUpMsMedian: round(median(s.catchUpMs), 0),
  });
  const on = f(side.on),
    off = f(side.off);
  const webCpuRatio = round(median(side.on.webCpu.map((x, i) => x / side.off.webCpu[i])), 3);
  const lagP99 = round(p99(lag), 0);
  const result = {
    id: 'P1w',
    title: `lesson completions, web process without the engine + a worker, on / off (${client})`,
    db: client,
    scale: { requestsPerBatch: perMembers * nLessons, rounds, concurrency, workerPollMs: POLL_MS },
    on,
    off,
    webCpuRatio,
    ledgerLagMs: { p99: lagP99, median: round(median(lag), 0), events: lag.length },
    check: { ...stats, unevaluated },
    table: [
      [
        'web CPU per completion',
        `${on.webCpuMsPerCompletion} ms on, ${off.webCpuMsPerCompletion} ms off (${webCpuRatio}x)`,
        'the web process (engine: false), /proc, medians of batches; the worker: ' +
          `${on.workerCpuMsPerCompletion} ms per completion on, ${off.workerCpuMsPerCompletion} ms off`,
      ],
      [
        'ledger lag',
        `p99 ${lagP99} ms, median ${round(median(lag), 0)} ms`,
        `recorded → evaluated by the worker (polling every ${POLL_MS} ms), ${lag.length} facts of the measured rounds; ${unevaluated} left unevaluated`,
      ],
      [
        'throughput',
        `${on.sustainedPerSec}/s on until the worker caught up (${on.reqPerSec}/s at the client), ${off.reqPerSec}/s off`,
        `p50 ${on.latencyMs.median} ms on, ${off.latencyMs.median} ms off; p99 ${on.latencyMs.p99} / ${off.latencyMs.p99} ms`,
      ],
    ],
    bar: {
      text: 'web-process CPU per completion on / off <= 1.03x; ledger lag p99 <= 2 s; every fact evaluated',
      value: { webCpuRatio, ledgerLagP99Ms: lagP99 },
      met: webCpuRatio <= 1.03 && lagP99 <= 2000 && unevaluated === 0 && lag.length > 0,
    },
  };
  if (process.send) process.send({ result });
  else console.log(JSON.stringify(result, null, 2));
} finally {
  load.stop();
  await Promise.all([web.stop(), worker.stop()]);
  await db.drop();
}
process.exit(0);
