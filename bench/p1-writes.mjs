// P1 — write throughput of lesson completions through the academy's member API
// (POST /api/lessons/:documentId/complete, member JWT), achievements on vs off, same app and
// database, interleaved rounds. The load comes from a second process on 127.0.0.1.
import { createDatabase } from './lib/app.mjs';
import { startServer, startLoad } from './lib/procs.mjs';
import { median, p99, round, scaled } from './lib/stats.mjs';
import { cpuMeter, cpuMs } from './lib/cpu.mjs';
import { completionBatches } from './lib/completions.mjs';

const client = process.env.BENCH_DB ?? 'sqlite';
// Per-round ratios of ~2 s batches swing ±25 % on a shared 2-core machine: enough rounds that
// the median means something.
const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
const perBatch = scaled(100, 40);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const LESSONS = { courses: 2, modules: 2, lessons: 5 }; // 20 lessons
const nLessons = LESSONS.courses * LESSONS.modules * LESSONS.lessons;
const perMembers = Math.max(1, Math.round(perBatch / nLessons));
const port = 21000 + (process.pid % 2000);

const db = await createDatabase(client);
const server = await startServer(db.env, port);
const load = startLoad();
try {
  await server.call('enable', { value: false });
  const { lessonIds, members } = await server.call('setup', {
    ...LESSONS,
    members: perMembers * 2 * (rounds + 2),
  });
  const batches = completionBatches(lessonIds, members, perMembers);
  const batch = () => batches.next().requests;
  const side = {
    on: { rps: [], sustained: [], lat: [], p99s: [], drainMs: [], cpu: [], serverCpu: [] },
    off: { rps: [], sustained: [], lat: [], p99s: [], drainMs: [], cpu: [], serverCpu: [] },
  };
  const runSide = async (mode, record) => {
    await server.call('enable', { value: mode === 'on' });
    const reqs = batch();
    const meter = cpuMeter();
    const c0 = cpuMs(server.pid);
    const r = await load.run({
      port,
      requests: reqs,
      concurrency,
      maxSeconds: Number(process.env.BENCH_BATCH_SECONDS ?? 12),
    });
    const bad = Object.entries(r.statuses).filter(([s]) => s !== '200' && s !== '201');
    if (bad.length || r.errors)
      throw new Error(
        `P1 ${mode}: unexpected responses ${JSON.stringify(r.statuses)} errors=${JSON.stringify(r.errorCodes)}`
      );
    // The engine works after the response: a sustained rate must include finishing that work.
    const { ms: drainMs } = mode === 'on' ? await server.call('drain') : { ms: 0 };
    const busy = meter();
    const serverCpu = (cpuMs(server.pid) - c0) / r.done;
    if (!record) return;
    const s = side[mode];
    s.cpu.push(busy);
    s.serverCpu.push(serverCpu);
    s.rps.push((r.done / r.wallMs) * 1000);
    s.sustained.push((r.done / (r.wallMs + drainMs)) * 1000);
    s.lat.push(...r.latencies);
    s.p99s.push(p99(r.latencies));
    s.drainMs.push(drainMs);
  };
  await runSide('on', false);
  await runSide('off', false); // warm-up
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 ? ['off', 'on'] : ['on', 'off'];
    for (const mode of order) await runSide(mode, true);
  }
  // Where the time goes: SQL statements for one member completing every lesson, on vs off.
  const traceSide = async (mode) => {
    await server.call('enable', { value: mode === 'on' });
    const reqs = batch().slice(0, nLessons);
    await server.call('trace', { on: true });
    await load.run({ port, requests: reqs, concurrency: 1, maxSeconds: 60 });
    if (mode === 'on') await server.call('drain');
    const t = await server.call('trace', { on: false, summary: true });
    return {
      perRequest: round(t.total / reqs.length, 1),
      dbMsPerRequest: round(t.ms / reqs.length, 2),
      notifications: {
        perRequest: round(t.notifications.n / reqs.length, 2),
        dbMsPerRequest: round(t.notifications.ms / reqs.length, 3),
      },
      top: t.top,
    };
  };
  const statements = { off: await traceSide('off'), on: await traceSide('on') };
  const stats = await server.call('stats');
  const fmt = (s) => ({
    reqPerSec: { median: round(median(s.rps), 1), samples: s.rps.map((x) => round(x, 1)) },
    sustainedPerSec: { median: round(median(s.sustained), 1) },
    latencyMs: {
      median: round(median(s.lat), 2),
      p99: round(p99(s.lat), 2),
      p99PerRoundMedian: round(median(s.p99s), 2),
    },
    drainMsMedian: round(median(s.drainMs), 1),
    machineCpuBusyPct: median(s.cpu),
    serverCpuMsPerRequest: round(median(s.serverCpu), 2),
  });
  const on = fmt(side.on),
    off = fmt(side.off);
  // Paired ratios per round (on and off of the same round ran back to back).
  const paired = side.on.rps.map((x, i) => x / side.off.rps[i]);
  const pairedSustained = side.on.sustained.map((x, i) => x / side.off.rps[i]);
  const result = {
    id: 'P1',
    title: `lesson completions via member API, achievements on / off (${client})`,
    db: client,
    scale: {
      requestsPerBatch: reqsPerBatch(),
      rounds,
      concurrency,
      lessons: nLessons,
      members: members.length,
    },
    on,
    off,
    ratio: round(median(paired), 3),
    ratioSustained: round(median(pairedSustained), 3),
    ratioSamples: paired.map((x) => round(x, 3)),
    check: stats,
    statementsPerRequest: statements,
    table: [
      [
        'achievements on',
        `${on.sustainedPerSec.median}/s sustained (${on.reqPerSec.median}/s at the client)`,
        `p50 ${on.latencyMs.median} ms, p99 ${on.latencyMs.p99} ms`,
      ],
      [
        'achievements off',
        `${off.reqPerSec.median}/s`,
        `p50 ${off.latencyMs.median} ms, p99 ${off.latencyMs.p99} ms`,
      ],
      [
        'on ÷ off',
        `${round(median(pairedSustained), 3)} sustained, ${round(median(paired), 3)} at the client`,
        `per-round ratios ${paired.map((x) => round(x, 2)).join(' ')}`,
      ],
      [
        'server CPU per completion',
        `${on.serverCpuMsPerRequest} ms on, ${off.serverCpuMsPerRequest} ms off (${round(off.serverCpuMsPerRequest / on.serverCpuMsPerRequest, 3)})`,
        'Strapi process, /proc, medians of batches (on includes draining the engine); steadier than rates on a shared machine',
      ],
      [
        'SQL statements per completion',
        `${statements.on.perRequest} on, ${statements.off.perRequest} off`,
        'one member completing every lesson, engine drained (on)',
      ],
      (() => {
        // The notification writes' share of what achievements add (statements, database time).
        const n = statements.on.notifications;
        const extra = statements.on.perRequest - statements.off.perRequest;
        const extraMs = statements.on.dbMsPerRequest - statements.off.dbMsPerRequest;
        return [
          'notification writes per completion',
          `${n.perRequest} statements of the ${round(extra, 1)} achievements add (${round((100 * n.perRequest) / extra, 1)} %)`,
          `${n.dbMsPerRequest} ms of the ${round(extraMs, 2)} ms database time they add (${round((100 * n.dbMsPerRequest) / extraMs, 1)} %)`,
        ];
      })(),
    ],
    bar: {
      text: 'on / off >= 0.95 (sustained: includes draining the engine)',
      value: round(median(pairedSustained), 3),
      met: median(pairedSustained) >= 0.95,
    },
  };
  function reqsPerBatch() {
    return perMembers * nLessons;
  }
  if (process.send) process.send({ result });
  else console.log(JSON.stringify(result, null, 2));
} finally {
  load.stop();
  await server.stop();
  await db.drop();
}
process.exit(0);
