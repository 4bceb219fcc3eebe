import http from 'http';
import type { AddressInfo } from 'net';
import { CONTENT_API_ACTIONS } from '../../common/constants';
import {
  apiToken,
  registerMember,
  setupTestApp,
  superAdminToken,
  type Member,
} from './helpers/strapi';
import { academy, ok } from './support/academy';
import { enableAchievements } from './support/achievements';
import { mulberry32 } from './support/random';

/**
 * Fuzz on every database (issue 17): seeded malformed requests over every route the plugin
 * declares (content API and admin, read from its route definitions at run time, so a route
 * added later is fuzzed without touching this file) and every route of the academy's own APIs.
 * Hostile ids, query values and body fields: NUL and other control characters, overlong and
 * invalid UTF-8 as raw bytes, numbers past 2^53 and past the Date range, ids past 2^31−1, deep
 * JSON, 1 MB bodies, wrong content types. Not one answer may be a 5xx, and no statement may fail
 * in the database except a unique key refusing a duplicate (what passes validation passes the
 * database). A 5xx is printed with the request, minimised, and the seed that replays it.
 */
const app = setupTestApp();

const SEED = Number(process.env.FUZZ_SEED ?? 0x17f0_22ed);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2_000);
const CONCURRENCY = 4;
/** An SSE stream that opened is hung up on at once (its status is what the fuzz checks). */
const STREAM_TIMEOUT_MS = 1_000;

interface Route {
  method: string;
  /** With `:name` parameters, as declared. */
  path: string;
  kind: 'content-api' | 'admin' | 'academy';
}

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Raw bytes: invalid UTF-8 is sent as it is. */
  body?: Buffer;
  route: string;
}

/** Path segments: ids of every wrong kind, encoded as a client might send them. */
const HOSTILE_SEGMENTS = [
  '0',
  '-1',
  '-2147483649',
  '2147483647',
  '2147483648',
  '4294967296',
  '9007199254740992',
  '9007199254740993',
  '99999999999999999999999999',
  '1e400',
  '1.5',
  '0x1F',
  'NaN',
  'Infinity',
  '%00',
  'a%00b',
  '%01%02%1F',
  '%7F',
  '%C0%AF',
  '%C0%80',
  '%ED%A0%80',
  '%FF%FE',
  '%E0%A4%A',
  '%',
  '%2e%2e',
  '%0d%0a',
  '%E2%80%AE',
  "1'--",
  '__proto__',
  'constructor',
  'x'.repeat(300),
  'a'.repeat(5000),
  'site',
  'course%3Ax',
  'course:%00',
  'me',
];

const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2147483648,
  -2147483649,
  9007199254740993,
  8640000000000001,
  -8640000000000001,
  1e300,
  -0,
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\u0001\u0002\u0007\u001b[31m',
  '\u007f\u0085\u2028\u2029',
  '\ud800',
  '\udfff\ud800',
  '\ufeff',
  'x'.repeat(10_000),
  '2147483648',
  '9007199254740993',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00.000Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '1970-01-01',
  'not a date',
  '2026-02-30',
  'Etc/GMT+12',
  'Mars/Olympus',
  'site',
  'course:',
  'week',
  '__proto__',
  [],
  [null],
  ['\u0000'],
  [2147483648],
  {},
  { $gt: 0 },
  { __proto__: { admin: true } },
  { constructor: { prototype: { x: 1 } } },
];

/** Body keys the plugin's and the academy's routes read, and a few they do not. */
const BODY_KEYS = [
  'type',
  'userId',
  'key',
  'occurredAt',
  'subject',
  'data',
  'badges',
  'public',
  'leaderboards',
  'credentials',
  'email',
  'language',
  'before',
  'ids',
  'all',
  'name',
  'slug',
  'description',
  'points',
  'criteria',
  'tier',
  'category',
  'repeatable',
  'maxRepeats',
  'secret',
  'autoRevoke',
  'image',
  'order',
  'enabled',
  'card',
  'badge',
  'badgeDocumentId',
  'reason',
  'amount',
  'note',
  'members',
  'userIds',
  'full',
  'notify',
  'host',
  'title',
  'body',
  'post',
  'comment',
  'kind',
  'helpful',
  'avatar',
  'bio',
  'timezone',
  'socialLinks',
  'ticket',
  'token',
  '__proto__',
];

const QUERY_KEYS = [
  'page',
  'pageSize',
  'category',
  'period',
  'at',
  'board',
  'q',
  'cursor',
  'before',
  'limit',
  'unseen',
  'ticket',
  'lastEventId',
  'token',
  'status',
  'sort',
  'filters[id][$gt]',
  'populate',
  'format',
  'from',
  'to',
];

const RAW_QUERY_VALUES = [
  '%00',
  'a%00',
  '%01%1B',
  '%C0%AF',
  '%FF',
  '%ED%A0%80',
  '-1',
  '0',
  '2147483648',
  '9007199254740993',
  '1e400',
  '8640000000000001',
  '%2B275760-09-13T00%3A00%3A00.001Z',
  '0001-01-01',
  'NaN',
  '',
  'x'.repeat(3000),
  'site',
  'all',
  'week',
  'true',
];

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'application/xml',
  'application/octet-stream',
  'application/vnd.api+json',
];

const deepJson = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** A lone surrogate has no UTF-8 form: it goes as the bytes a careless client would send. */
const encode = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
};

const fillParams = (path: string, value: () => string) =>
  path.replace(/:([A-Za-z_]+)/g, () => value());

/** The plugin's routes as Strapi holds them, and the academy's own APIs' routes. */
const declaredRoutes = (): Route[] => {
  const routes: Route[] = [];
  const plugin = app.strapi.plugin('achievements') as any;
  for (const [name, router] of Object.entries<any>(plugin.routes)) {
    const kind = name === 'admin' || router.type === 'admin' ? 'admin' : 'content-api';
    for (const r of router.routes)
      routes.push({
        method: r.method,
        path: kind === 'admin' ? `/achievements${r.path}` : `/api/achievements${r.path}`,
        kind,
      });
  }
  for (const api of Object.values<any>(app.strapi.apis)) {
    for (const router of Object.values<any>(api.routes ?? {})) {
      for (const r of router.routes ?? [])
        routes.push({ method: r.method, path: `/api${r.path}`, kind: 'academy' });
    }
  }
  return routes;
};

/** SQLSTATE class 22 (PostgreSQL) or its MariaDB equivalents: a value that does not fit. */
const isDataException = (error: any) =>
  /^22[0-9A-Z]{3}$/.test(String(error?.code ?? '')) ||
  [1292, 1366, 1525, 1264, 1441, 1300].includes(Number(error?.errno));

describe('fuzz over every declared route (plugin content API, admin, academy)', () => {
  let member: Member;
  let other: Member;
  let adminJwt: string;
  let token: string;
  let base: string;
  let routes: Route[];
  const realIds: string[] = [];
  const queryErrors: string[] = [];

  beforeAll(async () => {
    await enableAchievements(app);
    member = await registerMember(app);
    other = await registerMember(app);
    adminJwt = await superAdminToken(app);
    token = await apiToken(app, Object.values(CONTENT_API_ACTIONS));
    const post = ok(await academy(app).createPost(other, 'Fuzz me', 'x')).body.data.documentId;
    const badge = await app.strapi.db.query('plugin::achievements.badge').findOne({});
    realIds.push(
      String(member.user.id),
      member.user.documentId,
      String(other.user.id),
      post,
      badge.documentId
    );
    routes = declaredRoutes();
    const server = app.strapi.server.httpServer;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app.strapi.db.connection.on('query-error', (error: any, query: any) => {
      // A unique key refusing a duplicate is how the plugin keeps things exactly once.
      const code = String(error?.code ?? '');
      if (code === '23505' || code === 'ER_DUP_ENTRY' || code.startsWith('SQLITE_CONSTRAINT'))
        return;
      // Strapi's core read routes of the academy pass `filters` values to the database
      // unchecked; the academy answers the database's refusal of one with a 400
      // (src/middlewares/refuse-bad-input.ts). Every statement of the plugin, and every write,
      // must pass.
      const sql = String(query?.sql ?? '');
      // Strapi's own probe of a MySQL 8 setting, which MariaDB does not have.
      if (code === 'ER_UNKNOWN_SYSTEM_VARIABLE' && sql.includes('sql_require_primary_key')) return;
      if (/^select /i.test(sql) && !sql.includes('achievements_') && isDataException(error)) return;
      queryErrors.push(`${code} ${error?.message} — ${String(query?.sql).slice(0, 200)}`);
    });
  });

  const generate = (random: () => number): FuzzRequest[] => {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const segment = () => (random() < 0.25 ? pick(realIds) : pick(HOSTILE_SEGMENTS));
    const value = (depth = 0): unknown => {
      const x = random();
      if (x < 0.7 || depth > 2) return pick(HOSTILE_VALUES);
      if (x < 0.85)
        return Array.from({ length: 1 + Math.floor(random() * 3) }, () => value(depth + 1));
      return object(depth + 1);
    };
    const object = (depth = 0): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      for (let i = 0, n = 1 + Math.floor(random() * 4); i < n; i += 1)
        o[pick(BODY_KEYS)] = value(depth);
      return o;
    };
    const body = (): Buffer => {
      const x = random();
      if (x < 0.55) return Buffer.from(JSON.stringify(object()));
      if (x < 0.6) return Buffer.from(JSON.stringify({ data: object() }));
      if (x < 0.65) return Buffer.from(deepJson(random() < 0.5 ? 500 : 20_000));
      if (x < 0.7) return Buffer.from(deepArray(random() < 0.5 ? 300 : 50_000));
      if (x < 0.74)
        // About 1 MB: a long string in a field, or many fields.
        return Buffer.from(
          random() < 0.5
            ? JSON.stringify({ [pick(BODY_KEYS)]: 'x'.repeat(1_048_576) })
            : JSON.stringify({ badges: Array(120_000).fill('a1b2c3') })
        );
      if (x < 0.82) {
        // Invalid UTF-8 as raw bytes inside a JSON string: overlong '/', a lone continuation,
        // a surrogate encoded in UTF-8, bytes that never appear in UTF-8.
        const bad = pick([
          [0xc0, 0xaf],
          [0xe0, 0x80, 0xaf],
          [0x80],
          [0xed, 0xa0, 0x80],
          [0xff, 0xfe],
          [0xf8, 0x88, 0x80, 0x80, 0x80],
          [0x00],
        ]);
        return Buffer.concat([
          Buffer.from(`{"${pick(BODY_KEYS)}":"a`),
          Buffer.from(bad),
          Buffer.from('b"}'),
        ]);
      }
      if (x < 0.86) return Buffer.from(`{"userId":1${'0'.repeat(400)},"occurredAt":1e999}`);
      if (x < 0.9) return Buffer.from(pick(['', '{', 'null', '[]', '"x"', '0', 'a=1&b=%00']));
      return Buffer.from(JSON.stringify(value()));
    };
    const query = () => {
      const parts = Array.from(
        { length: 1 + Math.floor(random() * 3) },
        () =>
          `${encodeURIComponent(pick(QUERY_KEYS))}=${
            random() < 0.6 ? pick(RAW_QUERY_VALUES) : encode(String(pick(HOSTILE_VALUES)))
          }`
      );
      return parts.join('&');
    };

    const list: FuzzRequest[] = [];
    for (let i = 0; i < REQUESTS; i += 1) {
      // Every route in turn first, then at random: each is reached whatever the seed.
      const route = i < routes.length * 2 ? routes[i % routes.length] : pick(routes);
      const method =
        random() < 0.9 ? route.method : pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
      let path = fillParams(route.path, segment);
      if (random() < 0.6) path += `?${query()}`;
      const headers: Record<string, string> = {};
      const auth = random();
      const who =
        route.kind === 'admin'
          ? auth < 0.75
            ? adminJwt
            : pick([member.jwt, token, `${adminJwt}x`])
          : auth < 0.55
            ? member.jwt
            : auth < 0.7
              ? token
              : auth < 0.75
                ? adminJwt
                : null;
      if (who) headers.Authorization = `Bearer ${who}`;
      let payload: Buffer | undefined;
      if (!['GET', 'HEAD', 'DELETE'].includes(method) || random() < 0.1) {
        payload = body();
        headers['Content-Type'] = random() < 0.75 ? 'application/json' : pick(CONTENT_TYPES);
      }
      list.push({
        method,
        path,
        headers,
        body: payload,
        route: `${route.method} ${route.path}`,
      });
    }
    return list;
  };

  /** The size of the request's head (request line and headers) as sent. */
  const headBytes = (r: FuzzRequest) =>
    Buffer.byteLength(`${r.method} ${r.path} HTTP/1.1\r\n`) +
    Object.entries(r.headers ?? {}).reduce(
      (sum, [k, v]) => sum + Buffer.byteLength(`${k}: ${String(v)}\r\n`),
      0
    );

  /** Sends one request; an open stream (SSE) is hung up on as soon as its head arrives. */
  const send = (r: FuzzRequest): Promise<{ status: number; text: string }> =>
    new Promise((resolve) => {
      const req = http.request(
        `${base}${r.path}`,
        {
          method: r.method,
          headers: {
            ...r.headers,
            ...(r.body ? { 'Content-Length': String(r.body.length) } : {}),
          },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
            req.destroy();
            resolve({ status, text: '(event stream)' });
            return;
          }
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += text.length < 2000 ? c : ''));
          res.on('end', () => resolve({ status, text }));
          res.on('error', () => resolve({ status, text }));
        }
      );
      req.setTimeout(STREAM_TIMEOUT_MS * 30, () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) =>
        resolve(
          // A head past Node's limit is refused by Node's own parser, before Strapi: Node 20
          // answers 431, Node 24 resets the socket while a body is still being sent.
          headBytes(r) > http.maxHeaderSize && (e.code === 'ECONNRESET' || e.code === 'EPIPE')
            ? { status: 431, text: `Node refused the head (${e.code})` }
            : { status: -1, text: String(e.message) }
        )
      );
      if (r.body) req.write(r.body);
      req.end();
    });

  /** The smallest request (fewer query parts, body fields, headers) that still gets a 5xx. */
  const minimise = async (r: FuzzRequest): Promise<FuzzRequest> => {
    let current = r;
    const fails = async (c: FuzzRequest) => (await send(c)).status >= 500;
    const [p, q] = current.path.split('?');
    if (q !== undefined) {
      const without = { ...current, path: p };
      if (await fails(without)) current = without;
      else {
        for (const part of q.split('&')) {
          const trial = {
            ...current,
            path: `${p}?${(current.path.split('?')[1] ?? '')
              .split('&')
              .filter((x) => x !== part)
              .join('&')}`,
          };
          if (await fails(trial)) current = trial;
        }
      }
    }
    if (current.body) {
      const noBody = { ...current, body: undefined };
      if (await fails(noBody)) current = noBody;
      else {
        try {
          const parsed = JSON.parse(current.body.toString('utf8'));
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
            for (const key of Object.keys(parsed)) {
              const rest = { ...parsed };
              delete rest[key];
              const trial = { ...current, body: Buffer.from(JSON.stringify(rest)) };
              if (await fails(trial)) current = trial;
            }
          }
        } catch {
          // Not JSON: kept as it is.
        }
      }
    }
    return current;
  };

  const describeRequest = (r: FuzzRequest) => {
    const body = r.body
      ? r.body.length > 300
        ? `<${r.body.length} bytes: ${JSON.stringify(r.body.subarray(0, 120).toString('latin1'))}…>`
        : JSON.stringify(r.body.toString('latin1'))
      : '(none)';
    const auth = r.headers.Authorization
      ? r.headers.Authorization === `Bearer ${adminJwt}`
        ? 'admin'
        : r.headers.Authorization === `Bearer ${member.jwt}`
          ? 'member'
          : r.headers.Authorization === `Bearer ${token}`
            ? 'api token'
            : 'bad token'
      : 'anonymous';
    return `${r.method} ${r.path.slice(0, 300)} [${auth}, ${r.headers['Content-Type'] ?? 'no content type'}] body ${body}`;
  };

  it(`answers ${REQUESTS} seeded malformed requests over every route with no 5xx and no failed statement`, async () => {
    expect(routes.filter((r) => r.kind === 'content-api').length).toBeGreaterThan(20);
    expect(routes.filter((r) => r.kind === 'admin').length).toBeGreaterThan(30);
    expect(routes.filter((r) => r.kind === 'academy').length).toBeGreaterThan(5);
    // Routes other issues added are among them (read from the plugin, not listed here).
    for (const path of [
      '/api/achievements/me/notifications/stream',
      '/api/achievements/me/notifications/stream-ticket',
      '/api/achievements/me/preferences',
      '/api/achievements/me/privacy',
      '/api/achievements/leaderboards/:board',
      '/api/achievements/me/rank',
      '/achievements/members/:id/points',
    ])
      expect(routes.map((r) => r.path)).toContain(path);

    console.log(
      `fuzz: seed ${SEED} (FUZZ_SEED=${SEED} replays it), ${REQUESTS} requests over ${routes.length} routes on ${app.db.client}`
    );
    const requests = generate(mulberry32(SEED));
    expect(generate(mulberry32(SEED)).map((r) => r.path)).toEqual(requests.map((r) => r.path));

    const started = Date.now();
    const statuses = new Map<number, number>();
    const reached = new Set<string>();
    const failed: FuzzRequest[] = [];
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const r = requests[next++];
        const res = await send(r);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500 || res.status < 0) failed.push(r);
        if (res.status > 0 && res.status !== 404 && res.status !== 405) reached.add(r.route);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `fuzz: ${requests.length} requests in ${seconds.toFixed(1)} s on ${app.db.client}: ${[
        ...statuses,
      ]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}; ${reached.size} of ${routes.length} routes answered other than 404/405`
    );

    const reports: string[] = [];
    // The first failure of each route, minimised (a route's other failures are usually alike).
    const firstPerRoute = [...new Map(failed.map((r) => [r.route, r])).values()];
    console.log(`fuzz: ${failed.length} 5xx on ${firstPerRoute.length} routes`);
    for (const r of firstPerRoute.slice(0, 30)) {
      const small = await minimise(r);
      const res = await send(small);
      reports.push(
        `${r.route}: ${describeRequest(small)} → ${res.status} ${res.text.slice(0, 300)}`
      );
    }
    if (reports.length) console.log(`fuzz: 5xx (minimised)\n${reports.join('\n')}`);
    expect(reports).toEqual([]);
    expect(queryErrors).toEqual([]);
    // The fuzz reached the handlers, not only the router.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(REQUESTS / 10);
    expect(reached.size).toBeGreaterThan(routes.length / 2);
  }, 300_000);

  it('the API still answers normally afterwards', async () => {
    const res = await app.request().get(`/api/achievements/users/${other.user.id}/card`);
    expect(res.status).toBe(200);
  });
});
