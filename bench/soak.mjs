// `npm run soak [-- --minutes 20]`: mixed member traffic for a bounded time on PostgreSQL with two
// Strapi processes on one database, the engine running in both, recalculations and admin badge
// edits interleaved. Loopback only (127.0.0.1). Prints requests, 5xx, ledger lag p99, each
// process's RSS at start and end with a per-minute trend (least-squares slope), and lost and
// duplicated facts: every lesson completion, post and reaction that answered 2xx must have
// exactly one ledger row, and no achievement may be held twice.
//   --minutes N (default 20) · --concurrency N (default 6) · --seed N (the traffic mix)
import fs from 'fs';
import http from 'http';
import path from 'path';
import { createRequire } from 'module';
import { fileURLToPath } from 'url';
import { execSync } from 'child_process';
import { createDatabase } from './lib/app.mjs';
import { startServer } from './lib/procs.mjs';
import { p99, round } from './lib/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const minutes = Number(arg('minutes', 20));
const concurrency = Number(arg('concurrency', 6));
// PostgreSQL only: the checks below are written in its SQL.
const client = 'postgres';
if (!(minutes > 0) || !(concurrency > 0)) {
  console.error('usage: node bench/soak.mjs [--minutes N] [--concurrency N] [--seed N]');
  process.exit(2);
}

// The same build steps as bench/run.mjs: the plugin, then the academy.
if (!fs.existsSync(path.join(root, 'dist/server/index.js')))
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
if (!fs.existsSync(path.join(root, 'examples/lms-academy/dist/src/index.js'))) {
  const { compileStrapi } = createRequire(path.join(root, 'package.json'))('@strapi/strapi');
  await compileStrapi({ appDir: path.join(root, 'examples/lms-academy'), ignoreDiagnostics: true });
}

const log = (...a) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}]`, ...a);

/** A small seeded generator: the same seed makes the same traffic mix. */
const SEED = Number(arg('seed', 0x50a4));
let seed = SEED;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(random() * list.length)];

const portA = 27000 + (process.pid % 1000);
const portB = portA + 1000;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency * 2 });
let retries = 0;
const request = (port, method, p, jwt, body, retried = false) =>
  new Promise((resolve) => {
    const data = body === undefined ? null : JSON.stringify(body);
    const t0 = performance.now();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: p,
        agent,
        headers: {
          ...(jwt ? { authorization: `Bearer ${jwt}` } : {}),
          ...(data
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }
            : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let json = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode, body: json, text, ms: performance.now() - t0 });
        });
      }
    );
    req.on('error', (e) => {
      // A keep-alive socket the server closed as it was reused: the request never reached it,
      // so it is sent again once on a fresh socket (and counted), as bench/lib/load.mjs does.
      if (e.code === 'ECONNRESET' && req.reusedSocket && !retried) {
        retries += 1;
        resolve(request(port, method, p, jwt, body, true));
        return;
      }
      resolve({ status: 0, error: e.code ?? e.message, ms: 0 });
    });
    if (data) req.write(data);
    req.end();
  });

const slope = (points) => {
  // Least squares of y on x: MB per minute.
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const sxy = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const sxx = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return sxx ? sxy / sxx : 0;
};

const db = await createDatabase(client);
// A busy machine (the soak runs niced) may take minutes to boot Strapi.
const boot = { execArgv: ['--expose-gc'], startTimeoutMs: 600_000 };
const a = await startServer(db.env, portA, boot);
const b = await startServer(db.env, portB, boot);
const servers = [a, b];
let exitCode = 0;
try {
  for (const s of servers) await s.call('enable', { value: true });
  const { lessonIds, members } = await a.call('setup', {
    courses: 3,
    modules: 2,
    lessons: 5,
    members: 120,
  });
  await a.call('drain');
  log(
    `${client}, two processes (:${portA}, :${portB}), ${lessonIds.length} lessons, ${members.length} members, ${minutes} min, concurrency ${concurrency}, seed ${SEED}`
  );

  // What answered 2xx: the facts that must be in the ledger exactly once afterwards.
  const completed = new Set(); // `${userId}:${lessonDocumentId}` answered 201
  const postsMade = []; // { userId, documentId, deleted }
  const livePosts = []; // documentIds of posts not deleted, to comment and react on
  const reactions = []; // { userId, documentId, deleted }
  const statuses = {};
  const fiveHundreds = [];
  const errorCodes = {};
  const refusals = {}; // 4xx by route: refusals the traffic provokes on purpose or by races
  const latencies = [];
  let requests = 0;
  let errors = 0;
  let recalculations = 0;
  let adminEdits = 0;

  const rssSamples = { a: [], b: [] };
  const sampleRss = async (minute) => {
    for (const [name, s] of [
      ['a', a],
      ['b', b],
    ]) {
      const { rss } = await s.call('gc');
      rssSamples[name].push([minute, rss / 2 ** 20]);
    }
  };
  await sampleRss(0);
  const startedAt = Date.now();
  const endAt = startedAt + minutes * 60_000;

  const note = (label, r) => {
    requests += 1;
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status === 0) {
      errors += 1;
      errorCodes[`${label} ${r.error}`] = (errorCodes[`${label} ${r.error}`] ?? 0) + 1;
    }
    if (r.status >= 400 && r.status < 500)
      refusals[`${label} ${r.status}`] = (refusals[`${label} ${r.status}`] ?? 0) + 1;
    else latencies.push(r.ms);
    if (r.status >= 500 && fiveHundreds.length < 20)
      fiveHundreds.push(`${label} → ${r.status} ${r.text?.slice(0, 200)}`);
  };

  const oneStep = async () => {
    const port = random() < 0.5 ? portA : portB;
    const m = pick(members);
    const x = random();
    if (x < 0.3) {
      const lesson = pick(lessonIds);
      const r = await request(port, 'POST', `/api/lessons/${lesson}/complete`, m.jwt, {});
      note('POST /api/lessons/:id/complete', r);
      if (r.status === 201) completed.add(`${m.id}:${lesson}`);
    } else if (x < 0.4) {
      const r = await request(port, 'POST', '/api/posts', m.jwt, { title: 'Soak', body: 'x' });
      note('POST /api/posts', r);
      if (r.status === 201) {
        const post = { userId: m.id, documentId: r.body.data.documentId, deleted: false };
        postsMade.push(post);
        livePosts.push(post);
      }
    } else if (x < 0.45 && livePosts.length) {
      // Delete one of the member's own posts, or try someone else's (refused, 4xx).
      const i = Math.floor(random() * livePosts.length);
      const post = livePosts[i];
      const owner = members.find((mm) => mm.id === post.userId);
      const who = random() < 0.8 ? owner : m;
      const r = await request(port, 'DELETE', `/api/posts/${post.documentId}`, who.jwt);
      note('DELETE /api/posts/:id', r);
      if (r.status === 204) {
        post.deleted = true;
        livePosts.splice(livePosts.indexOf(post), 1);
      }
    } else if (x < 0.53 && livePosts.length) {
      const post = pick(livePosts);
      const r = await request(port, 'POST', '/api/reactions', m.jwt, {
        post: post.documentId,
        kind: 'like',
      });
      note('POST /api/reactions', r);
      if (r.status === 201)
        reactions.push({ userId: m.id, documentId: r.body.data.documentId, deleted: false });
    } else if (x < 0.57 && reactions.length) {
      const reaction = pick(reactions.filter((rr) => !rr.deleted).slice(-50));
      if (!reaction) return;
      const owner = members.find((mm) => mm.id === reaction.userId);
      const r = await request(port, 'DELETE', `/api/reactions/${reaction.documentId}`, owner.jwt);
      note('DELETE /api/reactions/:id', r);
      if (r.status === 204) reaction.deleted = true;
    } else if (x < 0.62 && livePosts.length) {
      const r = await request(port, 'POST', '/api/comments', m.jwt, {
        post: pick(livePosts).documentId,
        body: 'Nice',
      });
      note('POST /api/comments', r);
    } else {
      const other = pick(members);
      const read = pick([
        ['GET', '/api/achievements/me', m.jwt],
        ['GET', `/api/achievements/users/${other.id}/card`, null],
        ['GET', `/api/achievements/users/${other.id}`, null],
        ['GET', '/api/achievements/badges', null],
        ['GET', '/api/achievements/me/notifications', m.jwt],
        ['GET', '/api/achievements/me/notifications/count', m.jwt],
        ['POST', '/api/achievements/me/notifications/seen', m.jwt, { all: true }],
        ['GET', '/api/achievements/leaderboards/site?period=week', m.jwt],
        ['GET', '/api/achievements/me/rank?board=site&period=all', m.jwt],
        ['GET', '/api/achievements/config', null],
      ]);
      const r = await request(port, read[0], read[1], read[2], read[3]);
      note(`${read[0]} ${read[1].replace(/\d+/g, ':id')}`, r);
    }
  };

  const worker = async () => {
    while (Date.now() < endAt) await oneStep();
  };

  // Interleaved: a recalculation every 4 minutes (alternating processes), an admin edit of a
  // badge every 45 s, RSS after a full GC every minute.
  const background = async () => {
    let nextRecalc = startedAt + 2 * 60_000;
    let nextEdit = startedAt + 45_000;
    let nextSample = startedAt + 60_000;
    let minute = 0;
    while (Date.now() < endAt) {
      const now = Date.now();
      if (now >= nextSample) {
        minute += 1;
        nextSample += 60_000;
        await sampleRss(minute);
        const last = (k) => round(rssSamples[k].at(-1)[1], 1);
        log(
          `minute ${minute}: ${requests} requests, 5xx ${Object.entries(statuses)
            .filter(([s]) => Number(s) >= 500)
            .reduce((n, [, c]) => n + c, 0)}, RSS ${last('a')} / ${last('b')} MB`
        );
      }
      if (now >= nextEdit) {
        nextEdit += 45_000;
        await (adminEdits % 2 ? b : a).call('adminEdit', { n: adminEdits });
        adminEdits += 1;
      }
      if (now >= nextRecalc) {
        nextRecalc += 4 * 60_000;
        const r = await (recalculations % 2 ? b : a).call('backfill', {});
        recalculations += 1;
        log(`recalculation ${recalculations}: ${r.status} in ${r.ms} ms`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  await Promise.all([...Array.from({ length: concurrency }, worker), background()]);
  const trafficSeconds = (Date.now() - startedAt) / 1000;
  for (const s of servers) await s.call('drain');
  await sampleRss(minutes);

  // Facts: each 2xx write must have exactly one ledger row of its type for its member.
  const { rows: ledger } = await a.call('knex', {
    sql: `select type, user_id as "userId", subject, key from achievements_events where type in ('lesson.completed', 'post.published', 'post.retracted')`,
  });
  const byKey = new Map();
  for (const row of ledger) {
    const k = `${row.type}|${row.userId}|${row.subject}`;
    byKey.set(k, (byKey.get(k) ?? 0) + 1);
  }
  const expected = [
    ...[...completed].map((c) => {
      const [userId, lesson] = c.split(':');
      return `lesson.completed|${userId}|${lesson}`;
    }),
    ...postsMade.map((p) => `post.published|${p.userId}|${p.documentId}`),
    ...postsMade.filter((p) => p.deleted).map((p) => `post.retracted|${p.userId}|${p.documentId}`),
  ];
  let lost = 0;
  let duplicated = 0;
  const lostSamples = [];
  for (const k of expected) {
    const n = byKey.get(k) ?? 0;
    if (n === 0) {
      lost += 1;
      if (lostSamples.length < 5) lostSamples.push(k);
    }
    if (n > 1) duplicated += n - 1;
  }
  const { rows: reactionRows } = await a.call('knex', {
    sql: `select count(*)::int as n from achievements_events where type = 'reaction.received'`,
  });
  const stats = await a.call('stats');
  const { rows: lagRows } = await a.call('knex', {
    sql: `select extract(epoch from (processed_at - created_at)) * 1000 as ms from achievements_events where processed_at is not null and source is distinct from 'backfill'`,
  });
  const lag = lagRows.map((r) => Number(r.ms));
  const fiveXX = Object.entries(statuses)
    .filter(([s]) => Number(s) >= 500)
    .reduce((n, [, c]) => n + c, 0);
  const rss = (k) => ({
    startMb: round(rssSamples[k][0][1], 1),
    endMb: round(rssSamples[k].at(-1)[1], 1),
    slopeMbPerMinute: round(slope(rssSamples[k]), 3),
    samplesMb: rssSamples[k].map((p) => round(p[1], 0)),
  });
  const result = {
    db: client,
    processes: 2,
    minutes: round(trafficSeconds / 60, 2),
    seed: SEED,
    requests,
    requestsPerSecond: round(requests / trafficSeconds, 1),
    statuses,
    fiveXX,
    connectionErrors: errors,
    errorCodes,
    retriedOnStaleSocket: retries,
    refusals,
    latencyMs: { p99: round(p99(latencies), 1) },
    recalculations,
    adminEdits,
    ledgerLagMs: { p99: round(p99(lag), 0), max: round(Math.max(...lag), 0), events: lag.length },
    rss: { a: rss('a'), b: rss('b') },
    facts: {
      expected: expected.length,
      lessonCompletions: completed.size,
      posts: postsMade.length,
      postsDeleted: postsMade.filter((p) => p.deleted).length,
      reactionsReceived: reactionRows[0].n,
      lost,
      duplicated,
      lostSamples,
    },
    engine: {
      unprocessed: stats.unprocessed,
      duplicateAchievements: stats.duplicateAchievements,
      achievements: stats.achievements,
    },
    fiveXXSamples: fiveHundreds,
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(
    [
      `soak: ${result.minutes} min on ${client}, 2 processes: ${requests} requests (${result.requestsPerSecond}/s), 5xx ${fiveXX}, connection errors ${errors}`,
      `ledger lag p99 ${result.ledgerLagMs.p99} ms (max ${result.ledgerLagMs.max} ms, ${lag.length} events); ${recalculations} recalculations, ${adminEdits} admin edits`,
      `RSS a ${result.rss.a.startMb} → ${result.rss.a.endMb} MB (slope ${result.rss.a.slopeMbPerMinute} MB/min), b ${result.rss.b.startMb} → ${result.rss.b.endMb} MB (slope ${result.rss.b.slopeMbPerMinute} MB/min)`,
      `facts: ${expected.length} expected, lost ${lost}, duplicated ${duplicated}; duplicate achievements ${stats.duplicateAchievements}, unprocessed ${stats.unprocessed}`,
    ].join('\n')
  );
  if (fiveXX || lost || duplicated || stats.duplicateAchievements || stats.unprocessed)
    exitCode = 1;
} finally {
  agent.destroy();
  await Promise.all(servers.map((s) => s.stop()));
  await db.drop();
}
process.exit(exitCode);
