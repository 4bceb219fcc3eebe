// P3 — the read routes at scale: GET /api/achievements/users/:id/card and /users/:id vs
// Strapi's own floor route (GET /api/achievements/config: the router and users-permissions, no
// member data), same process, same run, at growing numbers of achievements (10 per member,
// 200 badges). Steps: 10k, 100k and 1M achievements (100k members); BENCH_P3_MAX stops earlier.
// A raw-knex read of the same data (the ceiling, no router, no users-permissions) is printed
// for reference.
import { createDatabase } from './lib/app.mjs';
import { startServer, startLoad } from './lib/procs.mjs';
import { median, p99, round, SCALE } from './lib/stats.mjs';
import { cpuMs } from './lib/cpu.mjs';

const client = process.env.BENCH_DB ?? 'sqlite';
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const perSide = Number(process.env.BENCH_P3_REQUESTS ?? 150);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PER_MEMBER = 10;
const maxAch = Number(process.env.BENCH_P3_MAX ?? Math.max(10_000, 1_000_000 * SCALE));
const steps = [10_000, 100_000, 1_000_000].filter((n) => n <= maxAch);
const port = 23000 + (process.pid % 2000);

// Telemetry is off in every benchmark server (bench/lib/app.mjs): on, it taxed only the Strapi
// side here (the ceiling routes are mounted before it) and kept TLS contexts alive (+200 MB RSS).
const db = await createDatabase(client);
const server = await startServer(db.env, port);
const load = startLoad();
const out = {
  id: 'P3',
  title: `card and member reads vs Strapi's floor route (${client})`,
  db: client,
  steps: [],
  table: [],
};
try {
  await server.call('enable', { value: true });
  await server.call('engine', { run: false }); // nothing to process: the data is generated
  const { badgeIds } = await server.call('generateBadges', { total: 200 });
  let first = null,
    last = null,
    made = 0;
  for (const target of steps) {
    const addMembers = target / PER_MEMBER - (last === null ? 0 : last - first + 1);
    const t0 = Date.now();
    const r = await server.call('generateMembers', { n: addMembers });
    if (first === null) first = r.first;
    const got = await server.call('generateAchievements', {
      first: r.first,
      last: r.last,
      n: target - made,
      badgeIds,
      offset: made,
    });
    made += got.made;
    last = r.last;
    await server.call('analyze');
    const genMs = Date.now() - t0;
    await server.call('resetPeak');
    const pick = () => first + Math.floor(Math.random() * (last - first + 1));
    const sides = {
      card: (id) => `/api/achievements/users/${id}/card`,
      member: (id) => `/api/achievements/users/${id}`,
      ceilingCard: (id) => `/bench/ceiling/card/${id}`,
      ceilingMember: (id) => `/bench/ceiling/member/${id}`,
      floor: () => '/api/achievements/config',
    };
    const acc = Object.fromEntries(
      Object.keys(sides).map((k) => [k, { rps: [], lat: [], cpu: 0, n: 0 }])
    );
    const runSide = async (k, record = true) => {
      const reqs = Array.from({ length: perSide }, () => ({ path: sides[k](pick()) }));
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
    // Warm-up: longer before the first step, or the JIT still warming up inflates the first
    // step's latencies and makes the p99 growth from it look smaller than it is.
    for (let w = 0; w < (out.steps.length === 0 ? 3 : 1); w++)
      for (const k of Object.keys(sides)) await runSide(k, false);
    if (process.env.BENCH_PROFILE) await server.call('resetPeak');
    const keys = Object.keys(sides).filter(
      (k) => !process.env.BENCH_P3_SIDES || process.env.BENCH_P3_SIDES.split(',').includes(k)
    );
    for (let i = 0; i < rounds; i++)
      for (const k of i % 2 ? [...keys].reverse() : keys) await runSide(k);
    const f = (k) => ({
      reqPerSec: round(median(acc[k].rps), 1),
      latencyMs: { median: round(median(acc[k].lat), 2), p99: round(p99(acc[k].lat), 2) },
      // Server CPU per request (user + system, 10 ms ticks over all rounds).
      serverCpuMs: round(acc[k].cpu / acc[k].n, 2),
    });
    const { peakRss } = await server.call('rss');
    const step = {
      achievements: made,
      members: last - first + 1,
      badges: badgeIds.length,
      generateSeconds: round(genMs / 1000, 1),
      card: f('card'),
      member: f('member'),
      ceilingCard: f('ceilingCard'),
      ceilingMember: f('ceilingMember'),
      frameworkFloor: f('floor'),
      peakRssMb: Math.round(peakRss / 2 ** 20),
    };
    step.cardVsFloor = round(step.card.reqPerSec / step.frameworkFloor.reqPerSec, 3);
    step.memberVsFloor = round(step.member.reqPerSec / step.frameworkFloor.reqPerSec, 3);
    step.cardVsCeiling = round(step.card.reqPerSec / step.ceilingCard.reqPerSec, 3);
    step.memberVsCeiling = round(step.member.reqPerSec / step.ceilingMember.reqPerSec, 3);
    // How high the Strapi pipeline alone lets any content-API route get (no member data).
    step.floorVsCeilingCard = round(step.frameworkFloor.reqPerSec / step.ceilingCard.reqPerSec, 3);
    out.steps.push(step);
    process.stderr.write(
      `  P3 ${made} achievements: card ${step.card.reqPerSec}/s p99 ${step.card.latencyMs.p99} ms (${step.cardVsFloor}x floor, ${step.cardVsCeiling}x ceiling), member ${step.member.reqPerSec}/s (${step.memberVsFloor}x floor, ${step.memberVsCeiling}x ceiling), floor ${step.frameworkFloor.reqPerSec}/s (${step.floorVsCeilingCard}x card ceiling); server CPU ms/req card ${step.card.serverCpuMs} member ${step.member.serverCpuMs} floor ${step.frameworkFloor.serverCpuMs} ceiling ${step.ceilingCard.serverCpuMs}/${step.ceilingMember.serverCpuMs}; peak RSS ${step.peakRssMb} MB\n`
    );
  }
  const firstStep = out.steps[0],
    lastStep = out.steps[out.steps.length - 1];
  out.scale = {
    steps: out.steps.map((s) => s.achievements),
    perMember: PER_MEMBER,
    badges: 200,
    requestsPerSidePerRound: perSide,
    rounds,
    concurrency,
  };
  out.p99Growth = {
    card: round(lastStep.card.latencyMs.p99 / firstStep.card.latencyMs.p99, 2),
    member: round(lastStep.member.latencyMs.p99 / firstStep.member.latencyMs.p99, 2),
    from: firstStep.achievements,
    to: lastStep.achievements,
  };
  for (const s of out.steps) {
    out.table.push([
      `${s.achievements.toLocaleString('en')} ach · card`,
      `${s.card.reqPerSec}/s = ${s.cardVsFloor}x the floor (ceiling ${s.ceilingCard.reqPerSec}/s: ${s.cardVsCeiling}x)`,
      `p50 ${s.card.latencyMs.median} ms, p99 ${s.card.latencyMs.p99} ms · server CPU ${s.card.serverCpuMs} vs ${s.ceilingCard.serverCpuMs} ms/req`,
    ]);
    out.table.push([
      `${s.achievements.toLocaleString('en')} ach · member`,
      `${s.member.reqPerSec}/s = ${s.memberVsFloor}x the floor (ceiling ${s.ceilingMember.reqPerSec}/s: ${s.memberVsCeiling}x)`,
      `p50 ${s.member.latencyMs.median} ms, p99 ${s.member.latencyMs.p99} ms · server CPU ${s.member.serverCpuMs} vs ${s.ceilingMember.serverCpuMs} ms/req · peak RSS ${s.peakRssMb} MB`,
    ]);
    out.table.push([
      `${s.achievements.toLocaleString('en')} ach · floor GET /config`,
      `${s.frameworkFloor.reqPerSec}/s (Strapi route + users-permissions, no member data; ${s.floorVsCeilingCard}x the card ceiling)`,
      `p99 ${s.frameworkFloor.latencyMs.p99} ms · server CPU ${s.frameworkFloor.serverCpuMs} ms/req`,
    ]);
  }
  // Issue 16: card >= 0.9x and member page >= 0.75x the floor at every step, card p99 <= 30 ms,
  // p99 growth <= 1.5x from 10k to 1M achievements.
  const worstCard = Math.min(...out.steps.map((s) => s.cardVsFloor));
  const worstMember = Math.min(...out.steps.map((s) => s.memberVsFloor));
  const worstCardP99 = Math.max(...out.steps.map((s) => s.card.latencyMs.p99));
  const reached1M = lastStep.achievements >= 1_000_000;
  const met =
    worstCard >= 0.9 &&
    worstMember >= 0.75 &&
    worstCardP99 <= 30 &&
    out.p99Growth.card <= 1.5 &&
    out.p99Growth.member <= 1.5;
  out.bar = {
    text: `card >= 0.9x and member page >= 0.75x the floor route; card p99 <= 30 ms; p99 growth <= 1.5x 10k→1M${reached1M ? '' : ' (not measured at 1M: BENCH_P3_MAX)'}`,
    value: {
      cardVsFloor: worstCard,
      memberVsFloor: worstMember,
      cardP99Ms: worstCardP99,
      p99Growth: out.p99Growth,
    },
    met: met && reached1M,
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
