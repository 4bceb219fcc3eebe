// P6 — two Strapi processes on one PostgreSQL database, the member-API write load spread over
// both, vs one process (the second one's engine stopped and given no requests), interleaved.
// Bars (issue 16): server CPU per completion over both processes <= 1.05x one process's,
// throughput >= 1.0x, no lock wait of 100 ms or more (pg_stat_activity sampled every 20 ms
// while the two-process batches run), no duplicate achievement, every event processed once, and
// every member of the same pattern ends with the same number of achievements.
import { createDatabase, sampleLockWaits } from './lib/app.mjs';
import { startServer, startLoad } from './lib/procs.mjs';
import { median, p99, round, scaled } from './lib/stats.mjs';
import { cpuMeter, cpuMs } from './lib/cpu.mjs';
import { completionBatches } from './lib/completions.mjs';

const client = process.env.BENCH_DB ?? 'postgres';
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const perBatch = scaled(120, 40);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const LESSONS = { courses: 2, modules: 2, lessons: 5 };
const nLessons = 20;
const perMembers = Math.max(1, Math.round(perBatch / nLessons));
const portA = 26000 + (process.pid % 1000),
  portB = portA + 1000;

const db = await createDatabase(client);
const a = await startServer(db.env, portA);
const b = await startServer(db.env, portB);
const load = startLoad();
try {
  await a.call('enable', { value: true });
  await b.call('enable', { value: true }); // each process caches settings: tell both
  const { lessonIds, members } = await a.call('setup', {
    ...LESSONS,
    members: perMembers * 2 * (rounds + 1),
  });
  await a.call('drain');
  const used = [];
  const batches = completionBatches(lessonIds, members, perMembers);
  const batch = () => {
    const next = batches.next();
    used.push(...next.members.map((m) => m.id));
    return next.requests;
  };
  const side = {
    one: { rps: [], sustained: [], lat: [], cpu: [], serverCpu: [] },
    two: { rps: [], sustained: [], lat: [], cpu: [], serverCpu: [] },
  };
  const bothCpuMs = () => cpuMs(a.pid) + cpuMs(b.pid);
  const lockWaits = [];
  const runSide = async (mode, record) => {
    await b.call('engine', { run: mode === 'two' });
    const hosts = mode === 'two' ? [{ port: portA }, { port: portB }] : [{ port: portA }];
    const meter = cpuMeter();
    const c0 = bothCpuMs();
    const locks = record && mode === 'two' ? await sampleLockWaits(db.name) : null;
    const r = await load.run({
      port: portA,
      hosts,
      requests: batch(),
      concurrency,
      maxSeconds: Number(process.env.BENCH_BATCH_SECONDS ?? 12),
    });
    const bad = Object.entries(r.statuses).filter(([s]) => s !== '200' && s !== '201');
    if (bad.length || r.errors)
      throw new Error(
        `P6 ${mode}: ${JSON.stringify(r.statuses)} errors=${JSON.stringify(r.errorCodes)}`
      );
    const { ms: drainMs } = await a.call('drain');
    if (mode === 'two') await b.call('drain');
    const busy = meter();
    const serverCpu = (bothCpuMs() - c0) / r.done;
    if (locks) lockWaits.push(await locks.stop());
    if (!record) return;
    side[mode].cpu.push(busy);
    side[mode].serverCpu.push(serverCpu);
    side[mode].rps.push((r.done / r.wallMs) * 1000);
    side[mode].sustained.push((r.done / (r.wallMs + drainMs)) * 1000);
    side[mode].lat.push(...r.latencies);
  };
  await runSide('one', false);
  await runSide('two', false);
  for (let i = 0; i < rounds; i++)
    for (const mode of i % 2 ? ['two', 'one'] : ['one', 'two']) await runSide(mode, true);
  await b.call('engine', { run: true });
  await a.call('drain');
  const stats = await a.call('stats');
  const { rows } = await a.call('knex', {
    sql: `select n, count(*)::int as members from (select user_id, count(*) as n from achievements_achievements where user_id = any(?) group by user_id) x group by n`,
    bindings: [used],
  });
  const f = (s) => ({
    reqPerSec: round(median(s.rps), 1),
    sustainedPerSec: round(median(s.sustained), 1),
    latencyMs: { median: round(median(s.lat), 2), p99: round(p99(s.lat), 2) },
    machineCpuBusyPct: median(s.cpu),
    serverCpuMsPerCompletion: round(median(s.serverCpu), 2),
  });
  const one = f(side.one),
    two = f(side.two);
  const paired = side.two.sustained.map((x, i) => x / side.one.sustained[i]);
  const cpuRatio = round(median(side.two.serverCpu.map((x, i) => x / side.one.serverCpu[i])), 3);
  const locks = {
    samples: lockWaits.reduce((n, l) => n + l.samples, 0),
    waits: lockWaits.reduce((n, l) => n + l.waits, 0),
    longWaits: lockWaits.reduce((n, l) => n + l.longWaits, 0),
    longestMs: Math.max(0, ...lockWaits.map((l) => l.longestMs)),
    longWaitQueries: lockWaits.flatMap((l) => l.longWaitQueries),
  };
  const result = {
    id: 'P6',
    title: 'two Strapi processes on one PostgreSQL vs one',
    db: client,
    scale: {
      requestsPerBatch: perMembers * nLessons,
      rounds,
      concurrency,
      members: members.length,
    },
    one,
    two,
    ratio: round(median(paired), 3),
    cpuRatio,
    locks,
    ratioSamples: paired.map((x) => round(x, 3)),
    ratioClientRate: round(median(side.two.rps.map((x, i) => x / side.one.rps[i])), 3),
    check: { ...stats, achievementsPerMember: rows },
    table: [
      [
        'one process',
        `${one.sustainedPerSec}/s sustained (${one.reqPerSec}/s at the client)`,
        `p50 ${one.latencyMs.median} ms, p99 ${one.latencyMs.p99} ms, machine CPU ${one.machineCpuBusyPct}% busy`,
      ],
      [
        'two processes',
        `${two.sustainedPerSec}/s sustained (${two.reqPerSec}/s at the client)`,
        `p50 ${two.latencyMs.median} ms, p99 ${two.latencyMs.p99} ms, machine CPU ${two.machineCpuBusyPct}% busy`,
      ],
      [
        'server CPU per completion',
        `${one.serverCpuMsPerCompletion} ms one process, ${two.serverCpuMsPerCompletion} ms two (${cpuRatio}x)`,
        'both Strapi processes, /proc, medians of batches, draining included; steadier than rates on a shared machine',
      ],
      [
        'lock waits',
        `${locks.longWaits} of 100 ms or more (${locks.waits} seen in all, longest ${locks.longestMs} ms)`,
        `pg_stat_activity sampled every 20 ms during the two-process batches (${locks.samples} samples)`,
      ],
      [
        'exactly once',
        `duplicate achievements ${stats.duplicateAchievements}, unprocessed ${stats.unprocessed}, claimed twice ${stats.claimedMoreThanOnce}`,
        `achievements per member: ${rows.map((r) => `${r.n}×${r.members}`).join(', ')}`,
      ],
    ],
  };
  const exactlyOnce =
    stats.duplicateAchievements === 0 &&
    stats.unprocessed === 0 &&
    stats.claimedMoreThanOnce === 0 &&
    rows.length === 1;
  result.bar = {
    text: 'server CPU per completion two / one <= 1.05x; throughput two / one >= 1.0x; lock waits >= 100 ms: 0; 0 duplicates; every event processed once',
    value: { cpuRatio, throughputRatio: result.ratio, longLockWaits: locks.longWaits, exactlyOnce },
    met: cpuRatio <= 1.05 && result.ratio >= 1.0 && locks.longWaits === 0 && exactlyOnce,
  };
  if (process.send) process.send({ result });
  else console.log(JSON.stringify(result, null, 2));
} finally {
  load.stop();
  await Promise.all([a.stop(), b.stop()]);
  await db.drop();
}
process.exit(0);
