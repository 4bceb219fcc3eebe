import crypto from 'crypto';
import type { AddressInfo } from 'net';
import supertest from 'supertest';
import { CONTENT_API_ACTIONS } from '../../common/constants';
import { apiToken, registerMember, setupTestApp, type Member } from './helpers/strapi';
import { enableAchievements } from './support/achievements';
import { mulberry32 } from './support/random';
import { API_PREFIX, operationFor, responseProblems } from './support/openapi';

const app = setupTestApp();

/** Deterministic: the same seed sends the same requests in the same order. */
const SEED = 0x5eed_ac4e;
const REQUESTS = 640;
/** A bound on wall time, so a slow machine shortens the run rather than timing it out. */
const TIME_BUDGET_MS = 90_000;

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';

interface FuzzRequest {
  method: Method;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const SEGMENTS = [
  '0',
  '-1',
  '1.5',
  '1e3',
  '0x10',
  '99999999999999999999',
  '2147483648',
  '9007199254740993',
  "1' OR '1'='1",
  '1;DROP TABLE up_users',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'NaN',
  'true',
  '%00',
  '%',
  '%zz',
  '%C0%AF',
  '%E0%A4%A',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '%F0%9F%8F%86',
  '%20',
  '%0d%0aSet-Cookie:x=1',
  '<script>alert(1)</script>',
  '${7*7}',
  '{{7*7}}',
  '*',
  '[]',
  '{}',
  '%7B%22%24gt%22%3A0%7D',
  'me',
  'card',
];

const QUERIES = [
  'page=',
  'page[]=1',
  'page[$gt]=1',
  'pageSize=1e2',
  'pageSize=-0',
  'page=00001',
  'pageSize=100',
  'category[0]=a',
  'category[$ne]=x',
  'a[b][c][d][e][f][g]=1',
  '__proto__[admin]=1',
  'constructor[prototype][x]=1',
  'category=%00',
  'category=%',
  'page=1&page=1&page=1',
  'populate=*',
  'fields[0]=email',
  'filters[email][$contains]=@',
  'sort=password',
  'locale=xx',
  'pagination[pageSize]=1000000',
  'status=draft',
  'pageSize=100000000000000000000',
  '=',
  '&&&',
  '%ff=1',
  'page=%E2%80%AE1',
];

// Malformed multipart bodies have their own test below (a Strapi-wide 500).
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/xml',
  'application/octet-stream',
  '',
  'application/json; charset=utf-16',
];

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const BODIES = [
  '',
  '{',
  '}',
  '{"badges":',
  '[1,2',
  'null',
  'true',
  '"badges"',
  '123',
  '[]',
  '{}',
  '{"badges":null}',
  '{"badges":[null]}',
  '{"badges":[{"$ne":1}]}',
  '{"badges":["a","a"]}',
  '{"badges":[1e309]}',
  '{"public":"true"}',
  '{"public":1}',
  '{"public":null}',
  '{"__proto__":{"public":false}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '{"badges":"' + 'x'.repeat(5000) + '"}',
  JSON.stringify({ badges: Array(5000).fill('first-lesson') }),
  deep(200),
  deep(3000),
  '{"type":"lesson.watched","userId":-1,"key":""}',
  '{"type":"lesson.watched","userId":"__proto__","key":"k"}',
  '{"type":"x","userId":1e400,"key":1}',
  'badges=first-lesson&badges=x',
  '--xyz\r\nContent-Disposition: form-data; name="badges"\r\n\r\nx\r\n--xyz--',
  '<badges><b>x</b></badges>',
  '\u0000\u0001\u0002',
  '{"badges":["\uD800"]}',
];

const TEMPLATES: Array<{ path: string; methods: Method[] }> = [
  { path: '/users/{ref}/card', methods: ['GET', 'HEAD', 'PUT', 'DELETE'] },
  { path: '/users/{ref}', methods: ['GET', 'HEAD', 'POST', 'PATCH'] },
  { path: '/badges', methods: ['GET', 'HEAD', 'POST'] },
  { path: '/me', methods: ['GET', 'PUT', 'DELETE'] },
  { path: '/me/featured', methods: ['PUT', 'POST', 'GET'] },
  { path: '/me/privacy', methods: ['PUT', 'PATCH'] },
  { path: '/me/notifications', methods: ['GET', 'POST', 'DELETE'] },
  { path: '/me/notifications/count', methods: ['GET', 'PUT'] },
  { path: '/me/notifications/seen', methods: ['POST', 'GET'] },
  { path: '/me/notifications/stream-ticket', methods: ['POST', 'GET'] },
  // GET opens a stream that never ends: its refusals are notifications-stream.test.ts's.
  { path: '/me/notifications/stream', methods: ['POST', 'DELETE'] },
  { path: '/events', methods: ['POST', 'GET'] },
  { path: '/config', methods: ['GET', 'OPTIONS'] },
  { path: '/openapi.json', methods: ['GET'] },
  { path: '/card.js', methods: ['GET'] },
  { path: '/notifier.js', methods: ['GET'] },
  { path: '/users/{ref}/card/{ref}', methods: ['GET'] },
  { path: '/users//card', methods: ['GET'] },
  { path: '//users/{ref}', methods: ['GET'] },
];

describe('fuzzed requests to the plugin’s routes', () => {
  let ada: Member;
  let blocked: Member;
  let token: string;
  let base: string;
  /**
   * Legacy `{ id }` tokens signed with the app's secret but naming no member, a bad id or none:
   * valid signatures in 'legacy-support' mode, not access tokens in 'refresh' mode.
   */
  let forged: string[];

  beforeAll(async () => {
    await enableAchievements(app);
    ada = await registerMember(app);
    blocked = await registerMember(app);
    await app.strapi.db
      .query('plugin::users-permissions.user')
      .update({ where: { id: blocked.user.id }, data: { blocked: true } });
    token = await apiToken(app, Object.values(CONTENT_API_ACTIONS));
    const secret = app.strapi.config.get('plugin::users-permissions.jwtSecret') as string;
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    forged = [{ id: 999_999 }, { id: 'a' }, {}].map((payload) => {
      const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
      const signature = crypto.createHmac('sha256', secret).update(unsigned).digest('base64url');
      return `${unsigned}.${signature}`;
    });
    // Loopback only: the server listens on 127.0.0.1 and every request goes there.
    const server = app.strapi.server.httpServer;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  const generate = (random: () => number): FuzzRequest[] => {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const jwt = (): string =>
      pick([
        ada.jwt,
        blocked.jwt,
        `${ada.jwt.slice(0, -2)}xx`,
        ...forged,
        token,
        `${token}x`,
        'x'.repeat(4000),
        '',
      ]);
    const ref = () =>
      pick([
        () => pick(SEGMENTS),
        () => String(ada.user.id),
        () => ada.user.documentId,
        () => String(blocked.user.id),
        () =>
          encodeURIComponent(
            String.fromCharCode(
              ...Array.from({ length: 1 + Math.floor(random() * 12) }, () =>
                Math.floor(random() * 0xd7ff)
              )
            )
          ),
        () => 'a'.repeat(1 + Math.floor(random() * 3000)),
        () => String(Math.floor(random() * 2 ** 53)),
      ])();

    const list: FuzzRequest[] = [];
    for (let i = 0; i < REQUESTS; i += 1) {
      const template = pick(TEMPLATES);
      const method = pick(template.methods);
      let path = `${API_PREFIX}${template.path.replace(/\{ref\}/g, () => ref())}`;
      if (random() < 0.5) {
        const parts = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(QUERIES));
        path += `?${parts.join('&')}`;
      }
      if (random() < 0.05) path += `&long=${'q'.repeat(6000)}`;
      const headers: Record<string, string> = {};
      const auth = random();
      if (auth < 0.25) headers.Authorization = `Bearer ${jwt()}`;
      else if (auth < 0.3)
        headers.Authorization = pick(['Bearer', 'Basic YTpi', 'bearer  x', 'Token x', '']);
      if (random() < 0.15)
        headers['If-None-Match'] = pick(['*', 'W/"x"', '"', 'x'.repeat(3000), '"a", "b"']);
      if (random() < 0.1) headers.Accept = pick(['text/html', '*/*;q=x', 'application/xml', '']);
      if (random() < 0.05) headers['Accept-Encoding'] = pick(['gzip;q=2', 'br, zstd, x', '']);
      if (random() < 0.05) headers['X-Forwarded-For'] = pick(['::1', 'x', '1.1.1.1, , ,']);
      let body: string | undefined;
      if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS' && random() < 0.9) {
        body = pick(BODIES);
        headers['Content-Type'] = pick(CONTENT_TYPES);
      }
      list.push({ method, path, headers, body });
    }
    return list;
  };

  it(`answers ${REQUESTS} malformed requests without a single 5xx, each as documented`, async () => {
    const requests = generate(mulberry32(SEED));
    // Same seed, same requests: a failure can be replayed.
    expect(generate(mulberry32(SEED)).map((r) => r.path)).toEqual(requests.map((r) => r.path));

    const started = Date.now();
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    for (const r of requests) {
      if (Date.now() - started > TIME_BUDGET_MS) break;
      let req = supertest(base)[r.method.toLowerCase() as 'get'](r.path);
      for (const [name, value] of Object.entries(r.headers)) {
        if (value !== '') req = req.set(name, value);
      }
      if (r.body !== undefined) req = req.send(r.body);
      const res = await req.ok(() => true);
      sent += 1;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const where = `#${sent} ${r.method} ${r.path.slice(0, 160)} ${JSON.stringify(r.headers).slice(0, 160)} body=${JSON.stringify(r.body ?? null).slice(0, 80)}`;
      if (res.status >= 500) failures.push(`${where} → ${res.status} ${res.text.slice(0, 200)}`);
      else if (
        operationFor(r.method, r.path) &&
        ['GET', 'PUT', 'POST', 'HEAD'].includes(r.method)
      ) {
        failures.push(...responseProblems(r.method, r.path, res).map((p) => `${where}: ${p}`));
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(500);
    // The fuzzer reached the handlers, not only the router: successes and refusals both occur.
    expect(statuses.get(200)).toBeGreaterThan(10);
    expect(statuses.get(400)).toBeGreaterThan(50);
    expect(statuses.get(404)).toBeGreaterThan(10);
  });

  /**
   * Kept out of the loop above so that a failure here names its cause: Strapi's body middleware
   * passes formidable's "malformed multipart" error (httpCode 400, no `status`) on to the error
   * middleware, which answers 500 — on every route of the app, before routing. The app fixes it
   * with koa-body's `onError` in config/middlewares.ts (see the report of issue 4).
   */
  it.each([
    ['PUT', '/me/featured'],
    ['PUT', '/me/privacy'],
    ['POST', '/events'],
  ] as const)('a malformed multipart body to %s %s is a 4xx', async (method, path) => {
    for (const body of [
      '{"badges":[]}',
      '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nx',
    ]) {
      const req =
        method === 'PUT'
          ? supertest(base).put(`${API_PREFIX}${path}`)
          : supertest(base).post(`${API_PREFIX}${path}`);
      const res = await req
        .set('Authorization', `Bearer ${ada.jwt}`)
        .set('Content-Type', 'multipart/form-data; boundary=xyz')
        .send(body);
      expect({ body, status: res.status >= 500 ? res.status : '4xx' }).toEqual({
        body,
        status: '4xx',
      });
    }
  });

  it('the API still answers normally afterwards', async () => {
    const res = await supertest(base).get(`${API_PREFIX}/users/${ada.user.id}/card`);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(ada.user.id);
  });
});
