// P4 — backfill (recalculation) over a site's history: every trigger kind of the academy
// (lesson, module and course completions, published posts, comments, helpful marks, reactions,
// and the members' profiles). Per size: the first run's phases, a rerun that must add nothing,
// the p99 of a concurrent write load (lesson completions through the member API, from a second
// process) during the first run vs the same load without it, and the peak RSS of the server.
import path from 'path';
import { createDatabase } from './lib/app.mjs';
import { startServer, startLoad } from './lib/procs.mjs';
import { topOf } from './lib/profile-top.mjs';
import { median, p99, round, scaled } from './lib/stats.mjs';

const client = process.env.BENCH_DB ?? 'sqlite';
// Historical events per step (each step on a fresh database). 1M: BENCH_P4_EVENTS=1000000.
const sizes = (process.env.BENCH_P4_EVENTS ?? `${scaled(10_000)},${scaled(100_000)}`)
  .split(',')
  .map(Number);
/** Lesson completions per member; with the rest of generateHistory, ~11 events per member. */
const LESSONS_PER_MEMBER = 6;
const EVENTS_PER_MEMBER = LESSONS_PER_MEMBER + 5;
const COURSES = { courses: 2, modules: 2, lessons: 5 };
const concurrency = 4;
/** Requests per batch of the write load alone (three batches: before, between, after runs). */
const writes = Number(process.env.BENCH_P4_WRITES ?? 120);
/** During a run the load goes on in smaller batches until the run is over. */
const DURING_BATCH = 40;
const writerCount = Number(process.env.BENCH_P4_WRITERS ?? 200);
const port = 24000 + (process.pid % 2000);

const runSize = async (target, load) => {
  const db = await createDatabase(client);
  const server = await startServer(db.env, port);
  try {
    await server.call('enable', { value: false });
    const { lessonIds, members: writers } = await server.call('setup', {
      ...COURSES,
      members: writerCount,
    });
    const members = Math.max(10, Math.round(target / EVENTS_PER_MEMBER));
    const t0 = Date.now();
    // Members registered a year ago (the history spreads over the last 300 days).
    const range = await server.call('generateMembers', {
      n: members,
      at: Date.now() - 365 * 86_400_000,
    });
    const history = await server.call('generateHistory', {
      first: range.first,
      last: range.last,
      lessons: LESSONS_PER_MEMBER,
    });
    await server.call('analyze');
    const generateSeconds = round((Date.now() - t0) / 1000, 1);
    await server.call('enable', { value: true });
    await server.call('drain');

    // Each request completes a lesson not completed yet (writers × lessons pairs, in order).
    let cursor = 0;
    const writeBatch = (n) => {
      const reqs = [];
      while (reqs.length < n) {
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
    const alone = [];
    const loadAlone = async () => {
      const r = await load.run({ port, requests: writeBatch(writes), concurrency, maxSeconds: 60 });
      await server.call('drain');
      alone.push(...r.latencies);
    };
    const backfillWithLoad = async (opts = {}) => {
      let finished = false;
      const bf = server.call('backfill', opts).finally(() => {
        finished = true;
      });
      const during = [];
      do {
        const r = await load.run({
          port,
          requests: writeBatch(DURING_BATCH),
          concurrency,
          maxSeconds: 600,
        });
        during.push(...r.latencies);
      } while (!finished);
      const res = await bf;
      if (res.status !== 'done') throw new Error(`backfill ${res.status}: ${res.error}`);
      await server.call('drain');
      process.stderr.write(
        `  P4 ${client} ${target}: ${res.ms} ms ${JSON.stringify(res.phases)} added ${JSON.stringify(res.added)} replayed ${JSON.stringify(res.replayed)} evaluated ${res.evaluated} rss ${res.peakRssMb} MB\n`
      );
      return { ...res, during };
    };

    await loadAlone();
    const profileDir = process.env.BENCH_PROFILE;
    const profileFile =
      profileDir && path.join(profileDir, `p4-${client}-${target}-first-run.cpuprofile`);
    if (profileFile) await server.call('profile', { on: true });
    const first = await backfillWithLoad();
    const profile = profileFile
      ? topOf((await server.call('profile', { on: false, file: profileFile })).file, 25)
      : null;
    await loadAlone();
    // The rerun, with no write going on (a concurrent write's member would be evaluated by
    // both the live engine and the rerun, and whichever comes first awards): the writes of the
    // batch before it are the only new documents. Where its time goes: its statements, grouped.
    await server.call('trace', { on: true });
    const rerun = await server.call('backfill');
    if (rerun.status !== 'done') throw new Error(`rerun ${rerun.status}: ${rerun.error}`);
    const queries = await server.call('trace', { on: false, summary: true });
    await loadAlone();
    const stats = await server.call('stats');
    const { rows: byType } = await server.call('knex', {
      sql: 'select type, count(*) as n from achievements_events group by type order by type',
    });
    const events = first.added.events;
    const ms = (x) => round(x / 1000, 2);
    return {
      target,
      events,
      members,
      documents: history.rows,
      generateSeconds,
      ledgerByType: Object.fromEntries(byType.map((r) => [r.type, Number(r.n)])),
      firstRun: { ...first, during: undefined },
      rerun,
      writeLatencyMs: {
        alone: { n: alone.length, median: round(median(alone), 2), p99: round(p99(alone), 2) },
        duringFirstRun: {
          n: first.during.length,
          median: round(median(first.during), 2),
          p99: round(p99(first.during), 2),
        },
      },
      p99Ratio: round(p99(first.during) / p99(alone), 2),
      check: stats,
      queriesPerRerun: { total: queries.total, top: queries.top },
      profile,
      seconds: { first: ms(first.ms), rerun: ms(rerun.ms) },
    };
  } finally {
    await server.stop();
    await db.drop();
  }
};

const load = startLoad();
const steps = [];
try {
  for (const size of sizes) steps.push(await runSize(size, load));
} finally {
  load.stop();
}

const s = (ms) => `${round(ms / 1000, 2)} s`;
const table = [];
for (const r of steps) {
  const f = r.firstRun;
  const label = `${r.events.toLocaleString('en')} events`;
  table.push(
    [
      `${label} · first run`,
      `${s(f.ms)} (replay ${s(f.phases.replay)}, evaluate ${s(f.phases.evaluate)})`,
      (f.replayed
        ? `documents read set-based ${f.replayed.sql.toLocaleString('en')}, in JS ${f.replayed.js.toLocaleString('en')}; ${f.evaluated.toLocaleString('en')} members evaluated; `
        : '') +
        `peak RSS ${f.peakRssMb} MB; event loop delay p99 ${f.eventLoopDelayMs?.p99} ms, max ${f.eventLoopDelayMs?.max} ms`,
    ],
    [
      `${label} · rerun`,
      `${s(r.rerun.ms)}, added ${JSON.stringify(r.rerun.added)}`,
      (r.rerun.replayed
        ? `read ${r.rerun.replayed.sql} + ${r.rerun.replayed.js} documents, evaluated ${r.rerun.evaluated} members (the write load's, before it); `
        : '') + `${r.queriesPerRerun.total} statements; peak RSS ${r.rerun.peakRssMb} MB`,
    ],
    [
      `${label} · write p99 during / without`,
      `${r.writeLatencyMs.duringFirstRun.p99} / ${r.writeLatencyMs.alone.p99} ms = ${r.p99Ratio}x`,
      `medians ${r.writeLatencyMs.duringFirstRun.median} / ${r.writeLatencyMs.alone.median} ms (n ${r.writeLatencyMs.duringFirstRun.n} / ${r.writeLatencyMs.alone.n})`,
    ]
  );
}
const largest = steps[steps.length - 1];
const perMillion = (largest.firstRun.ms / largest.events) * 1_000; // s per 1M events
const secondsAt1M = largest.events >= 1_000_000 ? largest.firstRun.ms / 1000 : perMillion;
const rerunAddsZero = steps.every(
  (r) => r.rerun.added.events === 0 && r.rerun.added.achievements === 0
);
const value = {
  secondsPer1M: round(secondsAt1M, 1),
  measuredAt: largest.events,
  rerunSeconds: round(largest.rerun.ms / 1000, 2),
  rerunAddsZero,
  p99Ratio: Math.max(...steps.map((r) => r.p99Ratio)),
  peakRssMb: Math.max(...steps.map((r) => r.firstRun.peakRssMb)),
};
const result = {
  id: 'P4',
  title: `backfill over ${steps.map((r) => r.events.toLocaleString('en')).join(' / ')} historical events (${client})`,
  db: client,
  steps,
  table,
  bar: {
    text: '1M events <= 10 s; rerun <= 1 s and adds 0; write p99 during <= 1.5x without; peak RSS <= 1 GB',
    value,
    met:
      value.secondsPer1M <= 10 &&
      value.rerunSeconds <= 1 &&
      rerunAddsZero &&
      value.p99Ratio <= 1.5 &&
      value.peakRssMb <= 1024,
  },
};
if (process.send) process.send({ result });
else console.log(JSON.stringify(result, null, 2));
process.exit(0);
