// P9 — Open Badges credentials (issue 14): fetching an issued credential (the stored signed
// document), the first issue of one (in-process, with the proof's split between
// canonicalization and the Ed25519 signature, and over HTTP), and fetching a signed status list
// when 100k indexes have been handed out (plus the fetch just after a revocation, which
// re-signs the list).
import { createDatabase } from './lib/app.mjs';
import { startServer, startLoad } from './lib/procs.mjs';
import { median, p99, round, scaled } from './lib/stats.mjs';
import { cpuMs } from './lib/cpu.mjs';
import { topOf } from './lib/profile-top.mjs';
import path from 'path';

const client = process.env.BENCH_DB ?? 'sqlite';
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const members = scaled(200, 20);
const perMember = 3;
const firstIssues = scaled(150, 20); // in-process, one at a time
const firstIssuesHttp = scaled(100, 20); // over HTTP, one at a time
const perRound = scaled(300, 50); // fetches per round and side
const statusEntries = Number(process.env.BENCH_P9_STATUS_ENTRIES ?? 100_000);
const resigns = scaled(30, 10);
const fillerCredentials = Number(process.env.BENCH_P9_CREDENTIALS ?? scaled(50_000, 1000));
const port = 25000 + (process.pid % 2000);
const HOST = 'academy.bench';

const db = await createDatabase(client);
const server = await startServer(
  // Benchmark-only secret: the keys of this throw-away database are encrypted with it.
  { ...db.env, ACHIEVEMENTS_CREDENTIALS_SECRET: 'bench-credentials-secret-0123456789-abcdef' },
  port
);
const load = startLoad();
const out = { id: 'P9', title: `Open Badges credentials (${client})`, db: client, table: [] };

/** p50 / p99 of latencies, rate, and the server's CPU per request over a list of requests. */
const measure = async (requests, { concurrency: c = concurrency } = {}) => {
  const c0 = cpuMs(server.pid);
  const res = await load.run({ port, requests, concurrency: c, maxSeconds: 120 });
  const c1 = cpuMs(server.pid);
  if ((res.statuses['200'] ?? 0) !== res.done)
    throw new Error(`unexpected statuses ${JSON.stringify(res.statuses)}`);
  return {
    latencies: res.latencies,
    rps: (res.done / res.wallMs) * 1000,
    cpu: c1 - c0,
    n: res.done,
  };
};

const figures = (runs) => {
  const lat = runs.flatMap((r) => r.latencies);
  return {
    latencyMs: { median: round(median(lat), 2), p99: round(p99(lat), 2) },
    reqPerSec: round(median(runs.map((r) => r.rps)), 1),
    serverCpuMs: round(runs.reduce((a, r) => a + r.cpu, 0) / runs.reduce((a, r) => a + r.n, 0), 2),
    requests: lat.length,
  };
};

try {
  await server.call('enable', { value: true });
  await server.call('engine', { run: false }); // the data is generated: nothing to evaluate
  await server.call('credentialsOn', { host: HOST });
  const { badgeIds } = await server.call('generateBadges', { total: 0 }); // the seeded catalog
  const r = await server.call('generateMembers', { n: members });
  await server.call('generateAchievements', {
    first: r.first,
    last: r.last,
    n: members * perMember,
    badgeIds,
  });
  const { held, tokens } = await server.call('heldAchievements');
  const auth = (userId) => ({ Authorization: `Bearer ${tokens[userId]}` });
  const credentialPath = (a) => `/api/achievements/credentials/${a.documentId}`;

  // First issue, in-process: 10 warm-up issues, then `firstIssues` measured.
  await server.call('issueCredentials', { held: held.slice(0, 10) });
  // A site that has issued many before (BENCH_P9_CREDENTIALS rows, 50k by default, copies of
  // the last one): the credentials measured below come after them in the table.
  await server.call('fillCredentials', { n: fillerCredentials });
  await server.call('analyze');
  const inProcess = (
    await server.call('issueCredentials', { held: held.slice(10, 10 + firstIssues) })
  ).timings;
  const part = (k) => inProcess.map((t) => t[k]);
  const rest = inProcess.map((t) => t.totalMs - t.canonicalizeMs - t.signMs);
  out.firstIssue = {
    issues: inProcess.length,
    totalMs: { median: round(median(part('totalMs')), 2), p99: round(p99(part('totalMs')), 2) },
    canonicalizeMs: {
      median: round(median(part('canonicalizeMs')), 2),
      p99: round(p99(part('canonicalizeMs')), 2),
    },
    ed25519SignMs: { median: round(median(part('signMs')), 3), p99: round(p99(part('signMs')), 3) },
    restMs: { median: round(median(rest), 2), p99: round(p99(rest), 2) },
  };

  // First issue over HTTP (the holder's first download), one request at a time.
  const httpStart = 10 + firstIssues;
  const httpIssues = held.slice(httpStart, httpStart + firstIssuesHttp);
  out.firstIssueHttp = figures([
    await measure(
      httpIssues.map((a) => ({ path: credentialPath(a), headers: auth(a.userId) })),
      { concurrency: 1 }
    ),
  ]);

  // Fetching issued credentials (stored, signed once), vs GET /config as Strapi's floor.
  const issued = held.slice(0, httpStart + httpIssues.length);
  const pick = () => issued[Math.floor(Math.random() * issued.length)];
  const sides = {
    credential: () => {
      const a = pick();
      return { path: credentialPath(a), headers: auth(a.userId) };
    },
    credentialJwt: () => {
      const a = pick();
      return {
        path: credentialPath(a),
        headers: { ...auth(a.userId), Accept: 'application/vc+jwt' },
      };
    },
    floor: () => ({ path: '/api/achievements/config' }),
  };

  // Status lists with `statusEntries` indexes handed out, 2 % of them revoked.
  const { lists } = await server.call('generateStatusLists', {
    entries: statusEntries,
    revokedShare: 0.02,
  });
  sides.statusList = () => ({
    path: `/api/achievements/status-lists/${lists[Math.floor(Math.random() * lists.length)]}`,
  });

  const runs = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  const batch = (k) => Array.from({ length: perRound }, sides[k]);
  for (const k of Object.keys(sides)) await measure(batch(k)); // warm-up (signs the lists)
  for (let i = 0; i < rounds; i++) {
    const keys = i % 2 ? Object.keys(sides).reverse() : Object.keys(sides);
    for (const k of keys) runs[k].push(await measure(batch(k)));
  }
  for (const k of Object.keys(sides)) out[k] = figures(runs[k]);

  // The fetch just after a revocation: the list is re-signed (gzip, canonicalization, Ed25519).
  const resigned = [];
  for (let i = 0; i < resigns; i++) {
    const listId = lists[i % lists.length];
    await server.call('revokeOne', { listId });
    resigned.push(
      await measure([{ path: `/api/achievements/status-lists/${listId}` }], { concurrency: 1 })
    );
  }
  out.statusListAfterRevocation = figures(resigned);

  // BENCH_PROFILE=<dir>: after the measurements, a CPU profile of the server during one more
  // batch of fetches and during 30 more first issues (top self-time functions in the result).
  if (process.env.BENCH_PROFILE) {
    const profiled = async (name, work) => {
      const file = path.join(process.env.BENCH_PROFILE, `p9-${name}-${process.pid}.cpuprofile`);
      await server.call('profile', { on: true });
      await work();
      await server.call('profile', { on: false, file });
      return { file, top: topOf(file, 15) };
    };
    const more = held.slice(httpStart + httpIssues.length, httpStart + httpIssues.length + 30);
    out.profiles = {
      fetch: await profiled('fetch', () => measure(batch('credential'))),
      firstIssue: await profiled('first-issue', () =>
        server.call('issueCredentials', { held: more })
      ),
    };
  }

  out.scale = {
    members,
    achievements: held.length,
    issuedInProcess: inProcess.length + 10,
    issuedOverHttp: httpIssues.length,
    credentialRows: issued.length + fillerCredentials,
    statusEntries,
    statusLists: lists.length,
    requestsPerRoundPerSide: perRound,
    rounds,
    concurrency,
  };
  const f = out.firstIssue;
  out.table = [
    [
      `fetch an issued credential (JSON-LD; ${(issued.length + fillerCredentials).toLocaleString('en')} stored)`,
      `p50 ${out.credential.latencyMs.median} ms, p99 ${out.credential.latencyMs.p99} ms`,
      `${out.credential.reqPerSec}/s at ${concurrency} concurrent · server CPU ${out.credential.serverCpuMs} ms/req (floor GET /config: p99 ${out.floor.latencyMs.p99} ms, ${out.floor.serverCpuMs} ms/req)`,
    ],
    [
      'fetch an issued credential (VC-JWT)',
      `p50 ${out.credentialJwt.latencyMs.median} ms, p99 ${out.credentialJwt.latencyMs.p99} ms`,
      `${out.credentialJwt.reqPerSec}/s · server CPU ${out.credentialJwt.serverCpuMs} ms/req`,
    ],
    [
      'first issue over HTTP (one at a time)',
      `p50 ${out.firstIssueHttp.latencyMs.median} ms, p99 ${out.firstIssueHttp.latencyMs.p99} ms`,
      `${out.firstIssueHttp.requests} issues · server CPU ${out.firstIssueHttp.serverCpuMs} ms/req`,
    ],
    [
      'first issue in-process: where the time goes',
      `total p50 ${f.totalMs.median} ms, p99 ${f.totalMs.p99} ms`,
      `canonicalization (RDFC-1.0 of document and proof options, hashing) p50 ${f.canonicalizeMs.median} / p99 ${f.canonicalizeMs.p99} ms; Ed25519 signature p50 ${f.ed25519SignMs.median} ms; the rest (status index, RS256 VC-JWT, reads and insert) p50 ${f.restMs.median} / p99 ${f.restMs.p99} ms; ${f.issues} issues`,
    ],
    [
      `status list fetch (${statusEntries.toLocaleString('en')} entries, ${lists.length} lists)`,
      `p50 ${out.statusList.latencyMs.median} ms, p99 ${out.statusList.latencyMs.p99} ms`,
      `${out.statusList.reqPerSec}/s · server CPU ${out.statusList.serverCpuMs} ms/req`,
    ],
    [
      'status list fetch just after a revocation (re-signed)',
      `p50 ${out.statusListAfterRevocation.latencyMs.median} ms, p99 ${out.statusListAfterRevocation.latencyMs.p99} ms`,
      `${out.statusListAfterRevocation.requests} fetches, one at a time · server CPU ${out.statusListAfterRevocation.serverCpuMs} ms/req`,
    ],
  ];
  const value = {
    fetchP99Ms: out.credential.latencyMs.p99,
    firstIssueP99Ms: out.firstIssueHttp.latencyMs.p99,
    statusListP99Ms: out.statusList.latencyMs.p99,
  };
  out.bar = {
    text: 'fetch p99 <= 30 ms; first issue p99 <= 150 ms; status list (100k entries) p99 <= 30 ms',
    value,
    met:
      value.fetchP99Ms <= 30 &&
      value.firstIssueP99Ms <= 150 &&
      value.statusListP99Ms <= 30 &&
      statusEntries >= 100_000,
  };
  if (process.send) process.send({ result: out });
  else console.log(JSON.stringify(out, null, 2));
} finally {
  load.stop();
  await server.stop();
  await db.drop();
}
process.exit(0);
