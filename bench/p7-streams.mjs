// P7 — live notification streams on one process: 1,000 open `GET /me/notifications/stream`
// (each opened with its own ticket), then: idle CPU of the Strapi process with them open vs
// none, its memory after a full GC (open vs before, and vs after closing them), and how long an award takes to reach
// its member's stream (lesson completions through the member API, paced, award → event).
import http from 'http';
import { createDatabase } from './lib/app.mjs';
import { startServer } from './lib/procs.mjs';
import { median, p99, round } from './lib/stats.mjs';
import { cpuMs } from './lib/cpu.mjs';

const client = process.env.BENCH_DB ?? 'sqlite';
const STREAMS = Number(process.env.BENCH_P7_STREAMS ?? 1000);
const AWARDS = Number(process.env.BENCH_P7_AWARDS ?? 200);
const IDLE_SECONDS = Number(process.env.BENCH_P7_IDLE_S ?? 20);
const port = 23000 + (process.pid % 2000);
// No keep-alive: a reused socket the server is closing at that instant resets the request.
const agent = new http.Agent({ keepAlive: false, maxSockets: 64 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const request = (method, path, jwt, body) =>
  new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          authorization: `Bearer ${jwt}`,
          'content-type': 'application/json',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, body: text && JSON.parse(text) }));
      }
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });

/** One stream per member, each on its own socket; `onEvent(userId, event, data)`. */
const openStream = async (member, onEvent) => {
  const { status, body } = await request(
    'POST',
    '/api/achievements/me/notifications/stream-ticket',
    member.jwt
  );
  if (status !== 200) throw new Error(`ticket: ${status} ${JSON.stringify(body)}`);
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path: `/api/achievements/me/notifications/stream?ticket=${encodeURIComponent(body.ticket)}`,
        agent: false,
      },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream: ${res.statusCode}`));
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk) => {
          buffer += chunk;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) onEvent(member.id, event, JSON.parse(data));
          }
        });
        resolve(req);
      }
    );
    req.on('error', reject);
  });
};

const db = await createDatabase(client);
const server = await startServer(db.env, port, { execArgv: ['--expose-gc'] });
const streams = [];
try {
  await server.call('enable', { value: true });
  const { lessonIds, members } = await server.call('setup', {
    courses: 1,
    modules: 1,
    lessons: 1,
    members: STREAMS,
  });
  await server.call('drain');
  // Warm every path once (a ticket, a stream, an award) before measuring the baseline.
  const warm = await openStream(members[0], () => {});
  warm.destroy();
  await sleep(500);

  const idleCpu = async () => {
    const c0 = cpuMs(server.pid);
    const t0 = Date.now();
    await sleep(IDLE_SECONDS * 1000);
    return round((100 * (cpuMs(server.pid) - c0)) / (Date.now() - t0), 2);
  };
  const idleWithout = await idleCpu();
  const before = await server.call('gc');

  const received = new Map();
  const onEvent = (userId, event, data) => {
    if (event === 'achievement.earned') received.set(userId, { at: Date.now(), data });
  };
  const t0 = Date.now();
  for (let i = 0; i < members.length; i += 50)
    streams.push(
      ...(await Promise.all(members.slice(i, i + 50).map((m) => openStream(m, onEvent))))
    );
  const openMs = Date.now() - t0;
  const { open } = await server.call('openStreams');
  await sleep(1000);
  // The streams idle, before any award: what holding them costs, over the process before.
  const idleStreams = await server.call('gc');

  // Awards, paced (10 a second) so each is measured alone rather than queued behind a burst.
  const lesson = lessonIds[0];
  const sent = new Map();
  const responded = [];
  const statuses = {};
  for (const m of members.slice(0, AWARDS)) {
    sent.set(m.id, Date.now());
    request('POST', `/api/lessons/${lesson}/complete`, m.jwt, {}).then(
      (r) => {
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        responded.push(Date.now() - sent.get(m.id));
      },
      (e) => (statuses[e.code ?? 'error'] = (statuses[e.code ?? 'error'] ?? 0) + 1)
    );
    await sleep(100);
  }
  // A loaded machine evaluates late: wait for every award (the bar is award → stream).
  const deadline = Date.now() + 60_000;
  while (received.size < AWARDS && Date.now() < deadline) await sleep(100);
  await server.call('drain');
  // Awards not delivered: were they written at all (a slow engine) or lost on the way?
  const missing = [...sent.keys()].filter((id) => !received.has(id));
  const { rows: written } = missing.length
    ? await server.call('knex', {
        sql: `select count(distinct user_id) as n from achievements_notifications where kind = 'achievement.earned' and user_id in (${missing.map(() => '?').join(',')})`,
        bindings: missing,
      })
    : { rows: [{ n: 0 }] };
  const lost = Number(written[0]?.n ?? 0);
  const idleWith = await idleCpu();
  const withStreams = await server.call('gc');
  // The same process with no streams: every stream closed, a full GC. RSS before the streams
  // opened is a poor baseline (setup's garbage is returned to the system later, or not).
  for (const stream of streams.splice(0)) stream.destroy();
  while ((await server.call('openStreams')).open > 0) await sleep(100);
  const withoutStreams = await server.call('gc');
  const mb = (bytes) => round(bytes / 2 ** 20, 1);
  /** A memory difference, split: V8 heap used, buffers outside it, and native rest of RSS. */
  const split = (a, b) => ({
    rss: mb(a.rss - b.rss),
    heapUsed: mb(a.heapUsed - b.heapUsed),
    external: mb(a.external - b.external),
    native: mb(a.rss - a.heapTotal - a.external - (b.rss - b.heapTotal - b.external)),
  });
  // Two views of "the same process with no streams", both after a full GC: the streams open
  // and idle vs before they opened, and after the awards vs once every stream closed. The bar
  // takes the larger.
  const idleView = split(idleStreams, before);
  const closeView = split(withStreams, withoutStreams);
  const memoryMb = Math.max(idleView.rss, closeView.rss);
  const heapMb = Math.max(idleView.heapUsed, closeView.heapUsed);
  const awardToStream = [];
  const requestToStream = [];
  let foreign = 0;
  for (const [userId, { at, data }] of received) {
    if (!sent.has(userId)) foreign += 1;
    awardToStream.push(at - Date.parse(data.createdAt));
    requestToStream.push(at - sent.get(userId));
  }
  const result = {
    id: 'P7',
    title: `${STREAMS} open notification streams on one process (${client})`,
    db: client,
    scale: { streams: STREAMS, open, awards: AWARDS, idleSeconds: IDLE_SECONDS },
    openMs,
    idleCpuPctOfOneCore: { without: idleWithout, with: idleWith },
    memoryMbAboveNoStreams: memoryMb,
    heapMbAboveNoStreams: heapMb,
    memoryMb: { idleVsBefore: idleView, afterAwardsVsClosed: closeView },
    awardToStreamMs: {
      median: round(median(awardToStream), 1),
      p99: round(p99(awardToStream), 1),
      max: Math.max(...awardToStream),
    },
    requestToStreamMs: {
      median: round(median(requestToStream), 1),
      p99: round(p99(requestToStream), 1),
    },
    delivered: received.size,
    writtenNotDelivered: lost,
    completionStatuses: statuses,
    foreign,
    table: [
      [
        'streams opened',
        `${open} open on the server`,
        `${STREAMS} tickets + streams in ${round(openMs / 1000, 1)} s`,
      ],
      [
        'idle CPU, Strapi process',
        `${idleWith} % of one core with ${open} streams, ${idleWithout} % with none`,
        `/proc utime+stime over ${IDLE_SECONDS} s, engine drained; one poller every 500 ms, heartbeats every 25 s`,
      ],
      [
        'memory above no streams',
        `${memoryMb} MB RSS (${heapMb} MB heap)`,
        `the larger of two views, each after a full GC: streams idle vs before they opened ` +
          `${JSON.stringify(idleView)}; after the awards vs every stream closed ${JSON.stringify(closeView)} ` +
          `(MB; native = RSS outside V8's heap and external buffers: sockets, malloc)`,
      ],
      [
        'award → its stream',
        `p50 ${round(median(awardToStream), 1)} ms, p99 ${round(p99(awardToStream), 1)} ms`,
        `${received.size}/${AWARDS} delivered in 60 s (${lost} of the rest were written, i.e. lost; completion responses ${JSON.stringify(statuses)}), ${foreign} to a member who earned nothing; ` +
          `completion request → event p50 ${round(median(requestToStream), 1)} ms, p99 ${round(p99(requestToStream), 1)} ms ` +
          `(its response alone p50 ${round(median(responded), 1)} ms)`,
      ],
    ],
  };
  result.bar = {
    text: 'award → stream p99 <= 1 s; idle CPU <= 5 % of one core; memory <= 50 MB above no streams',
    value: {
      p99Ms: result.awardToStreamMs.p99,
      idleCpuPct: idleWith,
      memoryMb,
      delivered: `${received.size}/${AWARDS}`,
    },
    // Every award written reaches its stream (a completion the client lost wrote none).
    met:
      result.awardToStreamMs.p99 <= 1000 &&
      idleWith <= 5 &&
      memoryMb <= 50 &&
      lost === 0 &&
      received.size === (statuses[201] ?? 0) &&
      foreign === 0,
  };
  if (process.send) process.send({ result });
  else console.log(JSON.stringify(result, null, 2));
} finally {
  for (const s of streams) s.destroy();
  await server.stop();
  await db.drop();
}
process.exit(0);
