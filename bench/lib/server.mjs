// A Strapi server process for the HTTP benchmarks: boots the academy, listens on 127.0.0.1:PORT,
// and answers commands from the coordinator over IPC (setup, switch achievements, drain, stats).
import { boot, setEnabled, achievements } from './app.mjs';
import { createMembers, createCourses } from './seed.mjs';
import {
  generateMembers,
  generatePoints,
  generateRoles,
  generateBadges,
  generateAchievements,
  generateCompletions,
  generateHistory,
  ceiling,
} from './generate.mjs';
import inspector from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import fs from 'node:fs';
import crypto from 'node:crypto';

const env = JSON.parse(process.env.BENCH_SERVER_ENV);
const port = Number(process.env.BENCH_PORT);
let ceil = null;
// The ceiling routes: the same data as the plugin's read routes, one raw query each (P3).
const beforeListen = (strapi) => {
  // First in the chain (koa composes the list when the server starts listening).
  strapi.server.app.middleware.unshift(async (ctx, next) => {
    const m = /^\/bench\/ceiling\/(card|member)\/(\d+)$/.exec(ctx.path);
    if (!m) return next();
    ceil ??= ceiling(strapi);
    ctx.body = await ceil[m[1]](Number(m[2]));
  });
};
const strapi = await boot(env, { listen: true, port, beforeListen });
let peakRss = process.memoryUsage().rss;
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100).unref();

const count = async (uid, where) => {
  const t = strapi.db.metadata.get(uid).tableName;
  const q = strapi.db.connection(t);
  if (where) where(q);
  return Number((await q.count({ n: '*' }))[0].n);
};

let traced = [];
let session = null;
const started = new Map();
const onQuery = (q) => {
  traced.push(q);
  started.set(q.__knexQueryUid, process.hrtime.bigint());
};
const onResponse = (_r, q) => {
  const t0 = started.get(q.__knexQueryUid);
  started.delete(q.__knexQueryUid);
  const hit = t0 === undefined ? null : traced.find((x) => x.__knexQueryUid === q.__knexQueryUid);
  if (hit) hit.ms = Number(process.hrtime.bigint() - t0) / 1e6;
};
const handlers = {
  async setup({ members = 0, courses = 0, modules = 2, lessons = 5 }) {
    const lessonIds = courses ? await createCourses(strapi, { courses, modules, lessons }) : [];
    const list = members ? await createMembers(strapi, members) : [];
    return { lessonIds, members: list };
  },
  async enable({ value }) {
    await setEnabled(strapi, value);
    return { enabled: value };
  },
  async drain({ timeoutMs = 300_000 } = {}) {
    const t0 = Date.now();
    await achievements(strapi, 'evaluator').drain(timeoutMs);
    return { ms: Date.now() - t0 };
  },
  async engine({ run }) {
    const e = achievements(strapi, 'evaluator');
    if (run) e.start();
    else await e.stop();
    return { run };
  },
  async pending() {
    return { pending: await achievements(strapi, 'events').pendingCount() };
  },
  async stats() {
    const ev = 'plugin::achievements.event';
    const t = strapi.db.metadata.get(ev);
    const col = (a) => t.attributes[a].columnName ?? a;
    const ach = strapi.db.metadata.get('plugin::achievements.achievement');
    const acol = (a) => ach.attributes[a].columnName ?? a;
    const dupGroups = await strapi.db
      .connection(ach.tableName)
      .select(acol('userId'), acol('badgeId'), acol('sequence'))
      .count({ n: '*' })
      .groupBy(acol('userId'), acol('badgeId'), acol('sequence'))
      .havingRaw('count(*) > 1');
    return {
      events: await count(ev),
      unprocessed: await count(ev, (q) => q.whereNull(col('processedAt'))),
      claimedMoreThanOnce: await count(ev, (q) => q.where(col('attempts'), '>', 1)),
      achievements: await count('plugin::achievements.achievement'),
      duplicateAchievements: dupGroups.length,
      lessonCompletions: await count('api::lesson-completion.lesson-completion'),
    };
  },
  async generateMembers({ n, at }) {
    const [first, last] = await generateMembers(strapi, n, at ? new Date(at) : undefined);
    return { first, last };
  },
  async generatePoints(args) {
    await generateRoles(strapi, args);
    return { made: await generatePoints(strapi, args) };
  },
  /** Members' users-permissions JWTs, to call /me routes as them. */
  async tokens({ ids }) {
    const jwt = strapi.plugin('users-permissions').service('jwt');
    const out = {};
    for (const id of ids) out[id] = await jwt.issue({ id });
    return out;
  },
  async generateBadges({ total }) {
    return { badgeIds: await generateBadges(strapi, total) };
  },
  async generateAchievements(args) {
    return { made: await generateAchievements(strapi, args) };
  },
  async generateCompletions(args) {
    return { made: await generateCompletions(strapi, args) };
  },
  async generateHistory(args) {
    return await generateHistory(strapi, args);
  },
  /**
   * One backfill run (the run times its own phases: state.timings) and the peak RSS of this
   * process while it ran (sampled every 100 ms).
   */
  async backfill(opts = {}) {
    peakRss = process.memoryUsage().rss;
    // How long this process's event loop was kept from live requests at a time.
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const t0 = Date.now();
    const final = await achievements(strapi, 'recalculation').run(opts);
    loop.disable();
    return {
      ms: Date.now() - t0,
      status: final.status,
      error: final.error,
      added: final.added,
      processed: final.processed,
      phases: final.timings
        ? { replay: final.timings.replayMs, evaluate: final.timings.evaluateMs }
        : null,
      replayed: final.replayed ?? null,
      evaluated: final.evaluated ?? null,
      peakRssMb: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20),
      eventLoopDelayMs: {
        p99: Math.round(loop.percentile(99) / 1e6),
        max: Math.round(loop.max / 1e6),
      },
    };
  },
  /**
   * A CPU profile of this process between { on: true } and { on: false, file } (written as a
   * .cpuprofile for bench/lib/profile-top.mjs): one phase of a workload rather than its life.
   */
  async profile({ on, file }) {
    session ??= new inspector.Session();
    const post = (method, params) =>
      new Promise((resolve, reject) =>
        session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)))
      );
    if (on) {
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 1000 });
      await post('Profiler.start');
      return {};
    }
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    session = null;
    fs.writeFileSync(file, JSON.stringify(profile));
    return { file };
  },
  async analyze() {
    const k = strapi.db.connection;
    if (strapi.db.dialect.client !== 'mysql') {
      await k.raw('ANALYZE');
      return {};
    }
    const [tables] = await k.raw(
      'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()'
    );
    await k.raw(`ANALYZE TABLE ${tables.map((r) => `\`${r.t}\``).join(', ')}`);
    return {};
  },
  /** Records every SQL statement until called with { on: false }: what one request costs. */
  async trace({ on, summary = false }) {
    if (on) {
      traced = [];
      strapi.db.connection.on('query', onQuery);
      strapi.db.connection.on('query-response', onResponse);
      return {};
    }
    strapi.db.connection.removeListener('query', onQuery);
    strapi.db.connection.removeListener('query-response', onResponse);
    const out = traced;
    traced = [];
    if (!summary) return { queries: out.map((q) => q.sql) };
    const by = new Map();
    for (const q of out) {
      const k = q.sql
        .replace(/\s+/g, ' ')
        .replace(/\(\?(, \?)+\)/g, '(?…)')
        .slice(0, 140);
      by.set(k, (by.get(k) ?? 0) + 1);
    }
    // Statements and their time in the database on one table (P1: the notifications' share).
    const onTable = (table) => {
      const mine = out.filter((q) => q.sql.includes(table));
      return { n: mine.length, ms: mine.reduce((a, q) => a + (q.ms ?? 0), 0) };
    };
    return {
      total: out.length,
      ms: out.reduce((a, q) => a + (q.ms ?? 0), 0),
      notifications: onTable('achievements_notifications'),
      top: [...by]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([sql, n]) => ({ n, sql })),
    };
  },
  /** P9: credentials on (the secret is in this process's environment), issuer on `host`. */
  async credentialsOn({ host }) {
    await achievements(strapi, 'settings').update({ credentials: { enabled: true, host } });
    await achievements(strapi, 'credentials').bootstrap();
    return {};
  },
  /** P9: held achievements (documentId, member) in id order, and users-permissions tokens. */
  async heldAchievements() {
    const t = strapi.db.metadata.get('plugin::achievements.achievement');
    const col = (a) => t.attributes[a].columnName ?? a;
    const held = await strapi.db
      .connection(t.tableName)
      .select({ documentId: col('documentId'), userId: col('userId') })
      .whereNull(col('revokedAt'))
      .orderBy('id');
    const jwt = strapi.plugin('users-permissions').service('jwt');
    const tokens = {};
    for (const { userId } of held) tokens[userId] ??= await jwt.issue({ id: userId });
    return { held, tokens };
  },
  /**
   * P9: first issues in this process, one at a time: the whole issue (forViewer: status index,
   * Data Integrity proof, VC-JWT, insert) and the proof's split between canonicalization and
   * the Ed25519 signature.
   */
  async issueCredentials({ held }) {
    const service = achievements(strapi, 'credentials');
    const out = [];
    for (const { documentId, userId } of held) {
      const t0 = performance.now();
      await service.forViewer(documentId, userId);
      const totalMs = performance.now() - t0;
      const { canonicalizeMs, signMs } = service.lastTimings();
      out.push({ totalMs, canonicalizeMs, signMs });
    }
    return { timings: out };
  },
  /**
   * P9: status lists holding `entries` handed-out indexes in all (each list at most half
   * full, as the plugin fills them), `revokedShare` of them revoked, written raw; the plugin
   * signs each on its first fetch.
   */
  async generateStatusLists({ entries, revokedShare }) {
    const t = strapi.db.metadata.get('plugin::achievements.status-list');
    const col = (a) => t.attributes[a].columnName ?? a;
    const length = 131_072;
    const perList = length / 2;
    const lists = [];
    for (let left = entries; left > 0; left -= perList) {
      const used = Buffer.alloc(length / 8);
      const revoked = Buffer.alloc(length / 8);
      const n = Math.min(perList, left);
      for (let made = 0; made < n;) {
        const i = Math.floor(Math.random() * length);
        if (used[i >> 3] & (0x80 >> (i & 7))) continue;
        used[i >> 3] |= 0x80 >> (i & 7);
        if (Math.random() < revokedShare) revoked[i >> 3] |= 0x80 >> (i & 7);
        made += 1;
      }
      const listId = crypto.randomBytes(8).toString('hex');
      const at = new Date();
      await strapi.db.connection(t.tableName).insert({
        [col('documentId')]: `bsl${listId}`,
        [col('createdAt')]: at,
        [col('updatedAt')]: at,
        [col('listId')]: listId,
        [col('length')]: length,
        [col('allocated')]: n,
        [col('revokedBits')]: revoked.toString('base64'),
        [col('usedBits')]: used.toString('base64'),
        [col('version')]: 1,
      });
      lists.push(listId);
    }
    return { lists };
  },
  /**
   * P9: `n` more credential rows, copies of the newest one for achievements that do not exist
   * (never fetched): a site that has issued many, for the reads by achievement and member.
   */
  async fillCredentials({ n }) {
    const t = strapi.db.metadata.get('plugin::achievements.credential');
    const col = (a) => t.attributes[a].columnName ?? a;
    const k = strapi.db.connection;
    const model = await k(t.tableName).first('*').orderBy('id', 'desc');
    const { id: _id, ...copy } = model;
    for (let i = 0; i < n; i += 500) {
      const rows = [];
      for (let j = i; j < Math.min(n, i + 500); j++)
        rows.push({
          ...copy,
          [col('documentId')]: `bcf${j}`,
          [col('achievementDocumentId')]: `bfa${j}`,
          [col('userId')]: 1_000_000 + (j % 50_000),
          [col('statusIndex')]: j,
        });
      await k(t.tableName).insert(rows);
    }
    return { made: n };
  },
  /** P9: revokes one more handed-out index of a list, as a revocation would (version + 1). */
  async revokeOne({ listId }) {
    const t = strapi.db.metadata.get('plugin::achievements.status-list');
    const col = (a) => t.attributes[a].columnName ?? a;
    const k = strapi.db.connection;
    const row = await k(t.tableName)
      .first({ revoked: col('revokedBits'), used: col('usedBits'), version: col('version') })
      .where(col('listId'), listId);
    const used = Buffer.from(row.used, 'base64');
    const revoked = Buffer.from(row.revoked, 'base64');
    for (;;) {
      const i = Math.floor(Math.random() * used.length * 8);
      const bit = 0x80 >> (i & 7);
      if (!(used[i >> 3] & bit) || revoked[i >> 3] & bit) continue;
      revoked[i >> 3] |= bit;
      break;
    }
    await k(t.tableName)
      .where(col('listId'), listId)
      .update({
        [col('revokedBits')]: revoked.toString('base64'),
        [col('version')]: row.version + 1,
      });
    return {};
  },
  /** A full collection first (the process runs with --expose-gc for P7), then the RSS. */
  async gc() {
    global.gc?.();
    await new Promise((r) => setTimeout(r, 200));
    global.gc?.();
    // Where the memory is: V8's heap, buffers outside it, and the rest (sockets, malloc, code).
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    return { rss, heapTotal, heapUsed, external, arrayBuffers };
  },
  async openStreams() {
    return { open: achievements(strapi, 'notificationStream').openCount() };
  },
  async rss() {
    return { rss: process.memoryUsage().rss, peakRss };
  },
  async resetPeak() {
    peakRss = process.memoryUsage().rss;
    return {};
  },
  /**
   * Soak: an admin's edit of a badge through the service the admin's Badges page calls (the
   * description, and the points every other edit, so the catalog and points move under load).
   */
  async adminEdit({ n }) {
    const editor = achievements(strapi, 'badgeEditor');
    const list = await editor.list();
    const badge = list[n % list.length];
    await editor.update(badge.documentId, {
      description: `Edited under load (${n})`,
      ...(n % 2 ? { points: (badge.points ?? 0) + 1 } : {}),
    });
    return { documentId: badge.documentId };
  },
  async knex({ sql, bindings = [] }) {
    const r = await strapi.db.connection.raw(sql, bindings);
    return { rows: r.rows ?? r };
  },
  async stop() {
    await strapi.destroy();
    setImmediate(() => process.exit(0));
    return {};
  },
};

process.on('message', async ({ id, cmd, args }) => {
  try {
    process.send({ id, ok: true, value: await handlers[cmd](args ?? {}) });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true, pid: process.pid });
