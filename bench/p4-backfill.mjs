// P4 — backfill (recalculation) over historical lesson completions: wall time per phase, a rerun
// that must add nothing, and the p99 of a concurrent write load (lesson completions through the
// member API, from a second process) during the backfill vs the same load without it.
import { createDatabase } from './lib/app.mjs';
import { startServer, startLoad } from './lib/procs.mjs';
import { median, p99, round, scaled } from './lib/stats.mjs';

const client = process.env.BENCH_DB ?? 'sqlite';
// At 3k events the run lasts about as long as the write load beside it (it yields to live
// requests), so a linear extrapolation from there means little: 30k by default.
const events = Number(process.env.BENCH_P4_EVENTS ?? scaled(30_000, 1_000)); // 1M: BENCH_P4_EVENTS=1000000
const PER_MEMBER = 10;
const members = Math.ceil(events / PER_MEMBER);
const LESSONS = { courses: 2, modules: 2, lessons: 5 };
const concurrency = 4;
const writes = Number(process.env.BENCH_P4_WRITES ?? 120);
const port = 24000 + (process.pid % 2000);

const db = await createDatabase(client);
const server = await startServer(db.env, port);
const load = startLoad();
try {
  await server.call('enable', { value: false });
  const { lessonIds, members: writers } = await server.call('setup', {
    ...LESSONS,
    members: Math.ceil((writes * 5) / 20) + 1,
  });
  const template = writers.pop();
  const t0 = Date.now();
  const range = await server.call('generateMembers', { n: members });
  const { made } = await server.call('generateCompletions', {
    first: range.first,
    last: range.last,
    lessonIds,
    perMember: PER_MEMBER,
    templateUserId: template.id,
  });
  await server.call('analyze');
  const generateSeconds = round((Date.now() - t0) / 1000, 1);
  await server.call('enable', { value: true });
  await server.call('drain');

  let cursor = 0;
  const writeBatch = () => {
    const reqs = [];
    while (reqs.length < writes) {
      const m = writers[cursor % writers.length];
      const l = lessonIds[Math.floor(cursor / writers.length) % lessonIds.length];
      cursor++;
      reqs.push({
        method: 'POST',
        path: `/api/lessons/${l}/complete`,
        headers: { authorization: `Bearer ${m.jwt}` },
        body: {},
      });
    }
    return reqs;
  };
  const alone = [],
    during = [],
    runs = [];
  const loadAlone = async () => {
    const r = await load.run({ port, requests: writeBatch(), concurrency, maxSeconds: 60 });
    await server.call('drain');
    alone.push(...r.latencies);
    return r;
  };
  // The phases as the run itself timed them (state.timings).
  const timingsOfLastRun = async () => {
    const { rows } = await server.call('knex', {
      sql: 'select value from strapi_core_store_settings where key = ?',
      bindings: ['plugin_achievements_backfill'],
    });
    const value = rows[0]?.value;
    return (typeof value === 'string' ? JSON.parse(value) : value)?.timings ?? null;
  };
  const backfillWithLoad = async () => {
    const bf = server.call('backfill');
    const r = await load.run({ port, requests: writeBatch(), concurrency, maxSeconds: 600 });
    const res = await bf;
    const timings = await timingsOfLastRun();
    if (timings) res.phases = { replay: timings.replayMs, evaluate: timings.evaluateMs };
    during.push(...r.latencies);
    await server.call('drain');
    runs.push({ ...res, writesDuring: r.done, writesFinishedBeforeBackfill: r.wallMs < res.ms });
    process.stderr.write(
      `  P4 ${client} backfill: ${res.ms} ms ${JSON.stringify(res.phases)} added ${JSON.stringify(res.added)}\n`
    );
  };
  await loadAlone();
  await backfillWithLoad(); // the first run: adds the history
  await loadAlone();
  // Where the time goes: the statements of the rerun, grouped (they include the concurrent
  // writes' own statements, about 20 per completion).
  await server.call('trace', { on: true });
  await backfillWithLoad(); // the rerun: must add nothing
  const queries = await server.call('trace', { on: false, summary: true });
  const traced = runs[1];
  await loadAlone();
  const stats = await server.call('stats');
  const [firstRun, rerun] = runs;
  const perMillion = ((firstRun.ms / made) * 1_000_000) / 1000;
  const result = {
    id: 'P4',
    title: `backfill over ${made.toLocaleString('en')} historical events (${client})`,
    db: client,
    scale: { historicalEvents: made, members, perMember: PER_MEMBER, generateSeconds },
    firstRun,
    rerun,
    extrapolatedSecondsPer1M: round(perMillion, 1),
    writeLatencyMs: {
      alone: { median: round(median(alone), 2), p99: round(p99(alone), 2) },
      duringBackfill: { median: round(median(during), 2), p99: round(p99(during), 2) },
    },
    check: stats,
    queriesPerRerun: {
      total: queries.total,
      perHistoricalEvent: round(queries.total / made, 2),
      perMember: round(queries.total / members, 2),
      top: queries.top,
      tracedRunMs: traced.ms,
    },
  };
  result.p99Ratio = round(
    result.writeLatencyMs.duringBackfill.p99 / result.writeLatencyMs.alone.p99,
    2
  );
  const rerunAddsZero =
    rerun.added.events === 0 && rerun.added.achievements === 0 && rerun.status === 'done';
  result.table = [
    [
      `first run (${made.toLocaleString('en')} events)`,
      `${round(firstRun.ms / 1000, 1)} s  phases ${Object.entries(firstRun.phases)
        .map(([k, v]) => `${k} ${round(v / 1000, 1)} s`)
        .join(', ')}`,
      `→ ${result.extrapolatedSecondsPer1M} s per 1M (linear)`,
    ],
    [
      'rerun',
      `${round(rerun.ms / 1000, 1)} s, added ${JSON.stringify(rerun.added)}`,
      rerunAddsZero ? 'adds 0' : 'ADDED ROWS',
    ],
    [
      'write p99 during / without',
      `${result.writeLatencyMs.duringBackfill.p99} / ${result.writeLatencyMs.alone.p99} ms = ${result.p99Ratio}x`,
      `medians ${result.writeLatencyMs.duringBackfill.median} / ${result.writeLatencyMs.alone.median} ms`,
    ],
  ];
  const secondsAt1M = made >= 1_000_000 ? firstRun.ms / 1000 : perMillion;
  result.bar = {
    text: '<= 10 s per 1M events; rerun adds 0; write p99 during <= 2x without',
    value: {
      secondsPer1M: round(secondsAt1M, 1),
      measuredAt: made,
      rerunAddsZero,
      p99Ratio: result.p99Ratio,
    },
    met: secondsAt1M <= 10 && rerunAddsZero && result.p99Ratio <= 2,
  };
  if (process.send) process.send({ result });
  else console.log(JSON.stringify(result, null, 2));
} finally {
  load.stop();
  await server.stop();
  await db.drop();
}
process.exit(0);
