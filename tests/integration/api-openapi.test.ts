import { API_OPERATIONS } from '../../common/api';
import { setupTestApp } from './helpers/strapi';
import {
  API_PREFIX,
  buildOpenApiDocument,
  committedDocument,
  expectDocumented,
  responseProblems,
  validateJson,
  writeDocument,
} from './support/openapi';

const app = setupTestApp();

/**
 * The OpenAPI document is generated from common/api.ts. After changing the API, regenerate it:
 *   UPDATE_OPENAPI=1 npx jest -c jest.integration.config.js api-openapi
 */
describe('the OpenAPI document', () => {
  it('is the one generated from common/api.ts (regenerate with UPDATE_OPENAPI=1)', () => {
    const generated = buildOpenApiDocument();
    if (process.env.UPDATE_OPENAPI === '1') writeDocument(generated);
    expect(committedDocument()).toEqual(generated);
  });

  it('is OpenAPI 3.1 and every $ref in it resolves', () => {
    const doc = committedDocument() as any;
    expect(doc.openapi).toBe('3.1.0');
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const name = ref.slice(8, -1).replace('#/components/schemas/', '');
      expect(doc.components.schemas[name]).toBeDefined();
    }
  });

  it('documents exactly the routes the plugin registers, with their users-permissions actions', () => {
    const routers = app.strapi.plugin('achievements').routes as unknown as Record<string, any>;
    const routes = routers['content-api'].routes as Array<{
      method: string;
      path: string;
      handler: string;
      config?: { auth?: false };
    }>;
    const registered = routes
      .map((r) => ({
        route: `${r.method} ${r.path}`,
        action: r.config?.auth === false ? null : `plugin::achievements.${r.handler}`,
      }))
      .sort((a, b) => a.route.localeCompare(b.route));
    const documented = API_OPERATIONS.map((op) => ({
      route: `${op.method} ${op.path}`,
      action: op.action,
    })).sort((a, b) => a.route.localeCompare(b.route));
    expect(registered).toEqual(documented);
  });

  it('is served at /api/achievements/openapi.json, with an ETag that answers 304', async () => {
    const url = `${API_PREFIX}/openapi.json`;
    const res = expectDocumented('GET', url, await app.request().get(url));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.text)).toEqual(committedDocument());
    expect(res.headers.etag).toBeTruthy();
    const again = expectDocumented(
      'GET',
      url,
      await app.request().get(url).set('If-None-Match', res.headers.etag)
    );
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  it.each([
    ['card.js', 'achievements-card'],
    ['notifier.js', 'achievements-notifier'],
    ['leaderboard.js', 'achievements-leaderboard'],
  ])('serves the web component module at /api/achievements/%s', async (file, element) => {
    const url = `${API_PREFIX}/${file}`;
    const res = expectDocumented('GET', url, await app.request().get(url));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.text).toContain(`customElements.define('${element}'`);
    expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+/);
  });

  it('serves the module the components import as ./achievements-shared.js', async () => {
    const url = `${API_PREFIX}/achievements-shared.js`;
    const res = expectDocumented('GET', url, await app.request().get(url));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.text).toContain('export const themeStyles');
  });

  it('the validator rejects what the document forbids (so passing means something)', () => {
    const doc = committedDocument() as any;
    const card = {
      enabled: true,
      position: 'side',
      badgesToShow: 3,
      user: { id: 1, documentId: 'abc', username: 'ada' },
      badges: [],
      totalEarned: 0,
      totalAvailable: 19,
      points: 0,
      level: { number: 1, name: 'Novice', points: 0 },
    };
    const ref = { $ref: '#/components/schemas/Card' };
    expect(validateJson(ref, card, doc)).toEqual([]);
    expect(validateJson(ref, { ...card, user: { ...card.user, email: 'a@b.c' } }, doc)).toEqual([
      '$.user: unexpected property "email"',
    ]);
    expect(validateJson(ref, { ...card, position: 'left' }, doc)[0]).toMatch(/position/);
    expect(validateJson(ref, { ...card, totalEarned: -1 }, doc)[0]).toMatch(/totalEarned/);
    const { points: _points, ...withoutPoints } = card;
    expect(validateJson(ref, withoutPoints, doc)[0]).toMatch(/points/);
    // An undocumented success status is a problem; an error body must be the Error shape.
    const created = { status: 201, text: '{}', headers: {} } as any;
    expect(responseProblems('GET', `${API_PREFIX}/users/1/card`, created)).toEqual([
      `GET ${API_PREFIX}/users/1/card → 201: status not documented for GET /users/{userId}/card`,
    ]);
    const teapot = {
      status: 418,
      text: '{"oops":true}',
      headers: { 'content-type': 'application/json' },
    } as any;
    expect(responseProblems('GET', `${API_PREFIX}/users/1/card`, teapot).join('\n')).toMatch(
      /unexpected property "oops"/
    );
  });
});
