// P8 — leaderboards at scale (issue 13): GET /api/achievements/leaderboards/:board (top 50 of
// the site or a course, this week, this month or all time) and GET /me/rank (random members'
// JWTs) vs Strapi's own floor route GET /api/achievements/config, in the same process, in
// interleaved rounds. Steps: 10k then 100k members, 20 points entries each over the last year
// (200k, then 2M entries), written set-based; the totals are rebuilt from them by the plugin
// itself (what an upgrade does), and that rebuild is timed.
import { createDatabase } from './lib/app.mjs';
import { startServer, startLoad } from './lib/procs.mjs';
import { median, p99, round, SCALE } from './lib/stats.mjs';
import { cpuMs } from './lib/cpu.mjs';

const client = process.env.BENCH_DB ?? 'sqlite';
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const perSide = Number(process.env.BENCH_P8_REQUESTS ?? 200);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PER_MEMBER = 20;
const maxMembers = Number(process.env.BENCH_P8_MAX ?? Math.max(10_000, 100_000 * SCALE));
const steps = [10_000, 100_000].filter((n) => n <= maxMembers);
if (!steps.includes(maxMembers)) steps.push(maxMembers);
const port = 25000 + (process.pid % 2000);
const TOKENS = 500;

const db = await createDatabase(client);
const server = await startServer(db.env, port);
const load = startLoad();
const out = {
  id: 'P8',
  title: `leaderboard and /me/rank vs the /config floor (${client})`,
  db: client,
  steps: [],
  table: [],
};
try {
  await server.call('enable', { value: true });
  await server.call('engine', { run: false }); // nothing to process: the data is generated
  let first = null;
  let last = null;
  for (const target of steps) {
    const t0 = Date.now();
    const r = await server.call('generateMembers', {
      n: target - (last === null ? 0 : last - first + 1),
    });
    if (first === null) first = r.first;
    const { made } = await server.call('generatePoints', {
      first: r.first,
      last: r.last,
      perMember: PER_MEMBER,
    });
    last = r.last;
    await server.call('analyze');
    const genMs = Date.now() - t0;
    // The totals were made for fewer entries: forget them, and let the plugin rebuild them
    // from the entries on the next board read, as after an upgrade.
    await server.call('knex', {
      sql: 'delete from strapi_core_store_settings where key = ?',
      bindings: ['plugin_achievements_point-totals'],
    });
    await new Promise((resolve) => setTimeout(resolve, 10_500)); // the process's check interval
    const r0 = Date.now();
    const warm = await load.run({
      port,
      requests: [{ path: '/api/achievements/leaderboards/site?period=all' }],
      concurrency: 1,
      maxSeconds: 1200,
    });
    if ((warm.statuses['200'] ?? 0) !== 1)
      throw new Error(`rebuild: ${JSON.stringify(warm.statuses)}`);
    const rebuildMs = Date.now() - r0;
    await server.call('analyze');

    const ids = Array.from(
      { length: TOKENS },
      () => first + Math.floor(Math.random() * (last - first + 1))
    );
    const tokens = await server.call('tokens', { ids });
    const boards = ['site', 'site', 'site', 'course:c0', 'course:c3'];
    const periods = ['week', 'month', 'all'];
    const any = (list) => list[Math.floor(Math.random() * list.length)];
    const sides = {
      board: () => ({
        path: `/api/achievements/leaderboards/${any(boards)}?period=${any(periods)}&pageSize=50`,
      }),
      rank: () => {
        const id = any(ids);
        return {
          path: `/api/achievements/me/rank?board=${any(boards)}&period=${any(periods)}`,
          headers: { Authorization: `Bearer ${tokens[id]}` },
        };
      },
      floor: () => ({ path: '/api/achievements/config' }),
    };
    const acc = Object.fromEntries(
      Object.keys(sides).map((k) => [k, { rps: [], lat: [], cpu: 0, n: 0 }])
    );
    const runSide = async (k, record = true) => {
      const reqs = Array.from({ length: perSide }, () => sides[k]());
      const c0 = cpuMs(server.pid);
      const res = await load.run({ port, requests: reqs, concurrency, maxSeconds: 60 });
      const c1 = cpuMs(server.pid);
      if ((res.statuses['200'] ?? 0) !== res.done)
        throw new Error(`${k}: ${JSON.stringify(res.statuses)}`);
      if (!record) return;
      acc[k].rps.push((res.done / res.wallMs) * 1000);
      acc[k].lat.push(...res.latencies);
      acc[k].cpu += c1 - c0;
      acc[k].n += res.done;
    };
    for (let w = 0; w < (out.steps.length === 0 ? 3 : 1); w++)
      for (const k of Object.keys(sides)) await runSide(k, false);
    const keys = Object.keys(sides);
    for (let i = 0; i < rounds; i++)
      for (const k of i % 2 ? [...keys].reverse() : keys) await runSide(k);
    const f = (k) => ({
      reqPerSec: round(median(acc[k].rps), 1),
      latencyMs: { median: round(median(acc[k].lat), 2), p99: round(p99(acc[k].lat), 2) },
      serverCpuMs: round(acc[k].cpu / acc[k].n, 2),
    });
    const step = {
      members: last - first + 1,
      entries: (last - first + 1) * PER_MEMBER,
      generateSeconds: round(genMs / 1000, 1),
      rebuildSeconds: round(rebuildMs / 1000, 1),
      board: f('board'),
      rank: f('rank'),
      floor: f('floor'),
    };
    step.boardVsFloor = round(step.board.reqPerSec / step.floor.reqPerSec, 3);
    step.rankVsFloor = round(step.rank.reqPerSec / step.floor.reqPerSec, 3);
    out.steps.push(step);
    process.stderr.write(
      `  P8 ${step.members} members / ${step.entries} entries (generated ${step.generateSeconds} s, totals rebuilt ${step.rebuildSeconds} s): board ${step.board.reqPerSec}/s p99 ${step.board.latencyMs.p99} ms (${step.boardVsFloor}x floor), rank ${step.rank.reqPerSec}/s p99 ${step.rank.latencyMs.p99} ms (${step.rankVsFloor}x), floor ${step.floor.reqPerSec}/s; CPU ms/req board ${step.board.serverCpuMs} rank ${step.rank.serverCpuMs} floor ${step.floor.serverCpuMs}\n`
    );
    void made;
  }
  const a = out.steps[0];
  const b = out.steps[out.steps.length - 1];
  out.scale = {
    steps: out.steps.map((s) => s.members),
    perMember: PER_MEMBER,
    requestsPerSidePerRound: perSide,
    rounds,
    concurrency,
  };
  out.p99Growth = {
    board: round(b.board.latencyMs.p99 / a.board.latencyMs.p99, 2),
    rank: round(b.rank.latencyMs.p99 / a.rank.latencyMs.p99, 2),
    from: a.members,
    to: b.members,
  };
  for (const s of out.steps) {
    const n = s.members.toLocaleString('en');
    out.table.push([
      `${n} members · board (top 50)`,
      `${s.board.reqPerSec}/s vs floor ${s.floor.reqPerSec}/s = ${s.boardVsFloor}x`,
      `p50 ${s.board.latencyMs.median} ms, p99 ${s.board.latencyMs.p99} ms · server CPU ${s.board.serverCpuMs} vs ${s.floor.serverCpuMs} ms/req`,
    ]);
    out.table.push([
      `${n} members · /me/rank`,
      `${s.rank.reqPerSec}/s vs floor ${s.floor.reqPerSec}/s = ${s.rankVsFloor}x`,
      `p50 ${s.rank.latencyMs.median} ms, p99 ${s.rank.latencyMs.p99} ms · server CPU ${s.rank.serverCpuMs} ms/req`,
    ]);
    out.table.push([
      `${n} members · data`,
      `${s.entries.toLocaleString('en')} entries generated in ${s.generateSeconds} s`,
      `totals rebuilt from them in ${s.rebuildSeconds} s (first board read after an upgrade)`,
    ]);
  }
  const reached = b.members >= 100_000;
  const met =
    out.steps.every((s) => s.board.latencyMs.p99 <= 30 && s.rank.latencyMs.p99 <= 30) &&
    out.steps.every((s) => s.boardVsFloor >= 0.85 && s.rankVsFloor >= 0.85) &&
    out.p99Growth.board <= 1.5 &&
    out.p99Growth.rank <= 1.5;
  out.bar = {
    text: `p99 <= 30 ms; >= 0.85x the /config floor; p99 growth <= 1.5x 10k→100k members${reached ? '' : ' (100k step: BENCH_P8_MAX=100000)'}`,
    value: {
      worstRatio: Math.min(...out.steps.flatMap((s) => [s.boardVsFloor, s.rankVsFloor])),
      worstP99Ms: Math.max(
        ...out.steps.flatMap((s) => [s.board.latencyMs.p99, s.rank.latencyMs.p99])
      ),
      p99Growth: out.p99Growth,
    },
    met: met && reached,
    metUpToMeasuredScale: met,
  };
  if (process.send) process.send({ result: out });
  else console.log(JSON.stringify(out, null, 2));
} finally {
  load.stop();
  await server.stop();
  await db.drop();
}
process.exit(0);
