import fs from 'fs';
import { decryptSecret } from '../../server/src/credentials/secret';
import { registerMember, setupTestApp, superAdminToken, type Member } from './helpers/strapi';
import { drain, enableAchievements } from './support/achievements';
import {
  API_BASE,
  ISSUER_DID,
  TEST_HOST,
  expandSafely,
  verifyCredential,
  verifyJwt,
} from './support/credentials';

const SECRET = 'test-secret-for-credentials-0123456789-abcdef';
const app = setupTestApp({ env: { ACHIEVEMENTS_CREDENTIALS_SECRET: SECRET } });

/** Everything Strapi and the plugin print while this file runs (grepped for key material). */
const printed: string[] = [];
/** Every response body this file receives (grepped too). */
const received: string[] = [];
const originalWrite = { out: process.stdout.write, err: process.stderr.write };

const capture = (stream: NodeJS.WriteStream, original: typeof process.stdout.write) =>
  function (this: unknown, chunk: any, ...rest: any[]) {
    printed.push(String(chunk));
    return (original as any).call(stream, chunk, ...rest);
  } as typeof process.stdout.write;

beforeAll(() => {
  process.stdout.write = capture(process.stdout, originalWrite.out);
  process.stderr.write = capture(process.stderr, originalWrite.err);
});
afterAll(() => {
  process.stdout.write = originalWrite.out;
  process.stderr.write = originalWrite.err;
});

const API = '/api/achievements';

const get = async (path: string, options: { jwt?: string; accept?: string } = {}) => {
  let req = app.request().get(path);
  if (options.jwt) req = req.set('Authorization', `Bearer ${options.jwt}`);
  if (options.accept) req = req.set('Accept', options.accept);
  const res = await req;
  received.push(res.text ?? '');
  return res;
};

const admin = async (method: 'get' | 'post' | 'put' | 'delete', path: string, body?: unknown) => {
  const token = await superAdminToken(app);
  let req = app.request()[method](path).set('Authorization', `Bearer ${token}`);
  if (body !== undefined) req = req.send(body as object);
  const res = await req;
  received.push(res.text ?? '');
  return res;
};

const badgeOf = (slug: string) =>
  app.strapi.db.query('plugin::achievements.badge').findOne({ where: { slug } });

const achievementOf = async (userId: number, badgeId: number) =>
  app.strapi.db
    .query('plugin::achievements.achievement')
    .findOne({ where: { userId, badgeId }, orderBy: { id: 'desc' } });

const award = async (member: Member, slug: string) => {
  const badge = await badgeOf(slug);
  const res = await admin('post', `/achievements/members/${member.user.id}/award`, {
    badge: badge.documentId,
  });
  expect(res.status).toBe(200);
  return { badge, achievement: await achievementOf(member.user.id, badge.id) };
};

const credentialOf = async (documentId: string, jwt: string) => {
  const res = await get(`${API}/credentials/${documentId}`, { jwt });
  expect(res.status).toBe(200);
  return JSON.parse(res.text);
};

describe('Open Badges 3.0 credentials', () => {
  let ada: Member;
  let bob: Member;
  let first: { badge: any; achievement: any };
  let credential: any;

  beforeAll(async () => {
    await enableAchievements(app);
    const on = await admin('put', '/achievements/credentials/settings', {
      credentials: {
        enabled: true,
        host: TEST_HOST,
        issuer: {
          name: 'LMS Academy',
          url: 'https://academy.test',
          email: 'badges@academy.test',
          image: 'https://academy.test/logo.png',
        },
      },
    });
    expect(on.status).toBe(200);
    ada = await registerMember(app);
    bob = await registerMember(app);
    first = await award(ada, 'complete-bio');
    credential = await credentialOf(first.achievement.documentId, ada.jwt);
  });

  it('issues an OpenBadgeCredential with the shape OB 3.0 and the issue ask for', async () => {
    expect(credential['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ]);
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(credential.id).toMatch(
      new RegExp(`^${API_BASE}/credentials/${first.achievement.documentId}\\?issue=[a-f0-9]{24}$`)
    );
    expect(credential.validFrom).toBe(new Date(first.achievement.earnedAt).toISOString());
    expect(credential.issuer).toEqual({
      id: ISSUER_DID,
      type: ['Profile'],
      name: 'LMS Academy',
      url: 'https://academy.test',
      image: { id: 'https://academy.test/logo.png', type: 'Image' },
      email: 'badges@academy.test',
    });
    const subject = credential.credentialSubject;
    expect(subject.type).toEqual(['AchievementSubject']);
    expect(subject.id).toMatch(/^urn:uuid:/);
    expect(subject.identifier).toEqual([
      expect.objectContaining({
        type: 'IdentityObject',
        identityType: 'emailAddress',
        hashed: true,
        identityHash: expect.stringMatching(/^sha256\$[0-9a-f]{64}$/),
        salt: expect.stringMatching(/^[0-9a-f]{32}$/),
      }),
    ]);
    expect(JSON.stringify(credential)).not.toContain(ada.user.email);
    expect(subject.achievement).toMatchObject({
      id: `${API_BASE}/badges/${first.badge.documentId}/open-badge`,
      type: ['Achievement'],
      name: first.badge.name,
      description: first.badge.description,
      criteria: { narrative: expect.stringMatching(/\w/) },
      image: { id: expect.stringMatching(/^https:\/\/academy\.test\/uploads\//), type: 'Image' },
    });
    expect(credential.credentialStatus).toMatchObject({
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: expect.stringMatching(/^\d+$/),
      statusListCredential: expect.stringMatching(new RegExp(`^${API_BASE}/status-lists/`)),
    });
    expect(credential.proof).toMatchObject({
      type: 'DataIntegrityProof',
      cryptosuite: 'eddsa-rdfc-2022',
      proofPurpose: 'assertionMethod',
      verificationMethod: expect.stringMatching(new RegExp(`^${ISSUER_DID}#ed25519-`)),
    });
  });

  it('(1) verifies with @digitalbazaar/vc against the DID document the server publishes', async () => {
    expect(await verifyCredential(app, credential)).toEqual({ verified: true, revoked: false });
  });

  it('(1) serves the stored document: a second fetch is the same signed bytes', async () => {
    const again = await get(`${API}/credentials/${first.achievement.documentId}`, { jwt: ada.jwt });
    expect(JSON.parse(again.text)).toEqual(credential);
    const rows = await app.strapi.db
      .query('plugin::achievements.credential')
      .findMany({ where: { achievementDocumentId: first.achievement.documentId } });
    expect(rows).toHaveLength(1);
  });

  it('(1) the VC-JWT form verifies with jose and the published JWK, with OB claims', async () => {
    const res = await get(`${API}/credentials/${first.achievement.documentId}`, {
      jwt: ada.jwt,
      accept: 'application/vc+jwt',
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/vc\+jwt/);
    const { payload, protectedHeader, jwk } = await verifyJwt(app, res.text);
    expect(protectedHeader.alg).toBe('RS256');
    expect(jwk.kid).toBe(protectedHeader.kid);
    expect(payload).toMatchObject({
      iss: ISSUER_DID,
      jti: credential.id,
      sub: credential.credentialSubject.id,
      nbf: Math.floor(new Date(credential.validFrom).getTime() / 1000),
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
    });
    // A different key does not verify it.
    const jwks = JSON.parse((await get(`${API}/jwks.json`)).text);
    expect(jwks.keys.some((k: any) => k.kid === protectedHeader.kid && k.kty === 'RSA')).toBe(true);
  });

  it('(2) any single changed field fails verification', async () => {
    const tampered = [
      (c: any) => (c.name = `${c.name}!`),
      (c: any) => (c.validFrom = '2020-01-01T00:00:00.000Z'),
      (c: any) => (c.credentialSubject.id = 'urn:uuid:00000000-0000-4000-8000-000000000000'),
      (c: any) => (c.credentialSubject.achievement.id = `${API_BASE}/badges/other/open-badge`),
      (c: any) => (c.credentialSubject.achievement.name = 'Something else'),
      (c: any) => (c.issuer.name = 'Someone else'),
    ];
    for (const change of tampered) {
      const copy = structuredClone(credential);
      change(copy);
      const result = await verifyCredential(app, copy);
      expect(result.verified).toBe(false);
    }
  });

  it('(3) expands in JSON-LD safe mode, and has every property OB 3.0 requires', async () => {
    const expanded = await expandSafely(credential);
    expect(expanded).toHaveLength(1);
    const text = JSON.stringify(expanded);
    expect(text).toContain('https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential');
    expect(text).toContain('https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement');
    for (const key of [
      '@context',
      'id',
      'type',
      'issuer',
      'validFrom',
      'credentialSubject',
      'name',
    ])
      expect(credential[key]).toBeDefined();
    for (const key of ['id', 'type', 'name', 'description', 'criteria'])
      expect(credential.credentialSubject.achievement[key]).toBeDefined();
    expect(credential.issuer.id && credential.issuer.type).toBeTruthy();
  });

  it('(4) revoking flips the status bit within one request; reinstating issues a new one', async () => {
    const revoke = await admin('post', `/achievements/members/${ada.user.id}/revoke`, {
      badge: first.badge.documentId,
      reason: 'plagiarism',
    });
    expect(revoke.status).toBe(200);
    expect(await verifyCredential(app, credential)).toMatchObject({
      verified: true,
      revoked: true,
    });
    const gone = await get(`${API}/credentials/${first.achievement.documentId}`, { jwt: ada.jwt });
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.text).error.message).toMatch(/revoked/);
    // The old one stays fetchable by its id, and stays revoked.
    const old = await get(new URL(credential.id).pathname + new URL(credential.id).search, {
      jwt: ada.jwt,
    });
    expect(JSON.parse(old.text)).toEqual(credential);

    await award(ada, 'complete-bio');
    const fresh = await credentialOf(first.achievement.documentId, ada.jwt);
    expect(fresh.id).not.toBe(credential.id);
    expect(fresh.credentialStatus.statusListIndex).not.toBe(
      credential.credentialStatus.statusListIndex
    );
    expect(await verifyCredential(app, fresh)).toEqual({ verified: true, revoked: false });
    expect(await verifyCredential(app, credential)).toMatchObject({ revoked: true });

    const summaries = await admin('get', `/achievements/credentials/members/${ada.user.id}`);
    expect(summaries.status).toBe(200);
    const mine = summaries.body.data.find(
      (a: any) => a.achievement.documentId === first.achievement.documentId
    );
    expect(mine.credentials.map((c: any) => c.status)).toEqual(['revoked', 'valid']);
  });

  it('(4) deleting a badge revokes its credentials', async () => {
    const earned = await award(ada, 'social-links');
    const doc = await credentialOf(earned.achievement.documentId, ada.jwt);
    expect(await verifyCredential(app, doc)).toEqual({ verified: true, revoked: false });
    const res = await admin('delete', `/achievements/badges/${earned.badge.documentId}`);
    expect(res.status).toBe(200);
    expect(await verifyCredential(app, doc)).toMatchObject({ revoked: true });
  });

  it('(4) an auto-revoke by the evaluator revokes the credential too (through the outbox)', async () => {
    const created = await admin('post', '/achievements/badges', {
      name: 'Published once',
      tier: 'bronze',
      points: 0,
      criteria: { type: 'count', event: 'post.published', threshold: 1 },
      autoRevoke: true,
      enabled: true,
    });
    expect(created.status).toBe(201);
    const events = app.strapi.plugin('achievements').service('events');
    const fact = { userId: bob.user.id, subject: 'post-auto-revoke' };
    await events.record({ type: 'post.published', key: 'cred-auto-1', ...fact });
    await drain(app);
    const earned = await achievementOf(bob.user.id, created.body.data.id);
    const doc = await credentialOf(earned.documentId, bob.jwt);
    expect(await verifyCredential(app, doc)).toEqual({ verified: true, revoked: false });
    // The post is retracted: the evaluator revokes the achievement, the outbox its credential.
    await events.record({ type: 'post.retracted', key: 'cred-auto-2', ...fact });
    await drain(app);
    expect((await achievementOf(bob.user.id, created.body.data.id)).revokedAt).not.toBeNull();
    expect(await verifyCredential(app, doc)).toMatchObject({ verified: true, revoked: true });
  });

  it('(5) after a key rotation old credentials verify and new ones use the new keys', async () => {
    const before = await get(`${API}/credentials/${first.achievement.documentId}`, {
      jwt: ada.jwt,
    });
    const oldDoc = JSON.parse(before.text);
    const oldJwt = (
      await get(`${API}/credentials/${first.achievement.documentId}`, {
        jwt: ada.jwt,
        accept: 'application/vc+jwt',
      })
    ).text;
    const refused = await admin('post', '/achievements/credentials/keys/rotate', {});
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/confirm/);
    const rotated = await admin('post', '/achievements/credentials/keys/rotate', { confirm: true });
    expect(rotated.status).toBe(200);
    const keys = rotated.body.data.keys;
    expect(keys.filter((k: any) => k.status === 'current')).toHaveLength(2);
    expect(keys.filter((k: any) => k.status === 'retired').length).toBeGreaterThanOrEqual(2);

    expect(await verifyCredential(app, oldDoc)).toEqual({ verified: true, revoked: false });
    await verifyJwt(app, oldJwt);

    const next = await award(ada, 'profile-picture');
    const newDoc = await credentialOf(next.achievement.documentId, ada.jwt);
    const currentEd = keys.find((k: any) => k.status === 'current' && k.algorithm === 'Ed25519');
    expect(newDoc.proof.verificationMethod).toBe(`${ISSUER_DID}#${currentEd.kid}`);
    expect(oldDoc.proof.verificationMethod).not.toBe(newDoc.proof.verificationMethod);
    expect(await verifyCredential(app, newDoc)).toEqual({ verified: true, revoked: false });
    const newJwt = await get(`${API}/credentials/${next.achievement.documentId}`, {
      jwt: ada.jwt,
      accept: 'application/vc+jwt',
    });
    const currentRsa = keys.find((k: any) => k.status === 'current' && k.algorithm === 'RS256');
    const { protectedHeader } = await verifyJwt(app, newJwt.text);
    expect(protectedHeader.kid).toBe(`${API_BASE}/keys/${currentRsa.kid}`);

    const did = JSON.parse((await get(`${API}/did.json`)).text);
    expect(did.id).toBe(ISSUER_DID);
    expect(did.assertionMethod).toHaveLength(keys.length);
  });

  it('(7) another member sees a credential only for a public profile with public credentials on', async () => {
    const path = `${API}/credentials/${first.achievement.documentId}`;
    expect((await get(path, { jwt: bob.jwt })).status).toBe(404);
    expect((await get(path)).status).toBe(404);
    expect((await get(`${API}/users/${ada.user.id}/credentials`, { jwt: bob.jwt })).status).toBe(
      404
    );

    const on = await admin('put', '/achievements/credentials/settings', {
      credentials: { publicCredentials: true },
    });
    expect(on.status).toBe(200);
    expect((await get(path, { jwt: bob.jwt })).status).toBe(200);
    expect((await get(path)).status).toBe(200);
    const list = await get(`${API}/users/${ada.user.id}/credentials`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((c: any) => c.achievement.documentId)).toContain(
      first.achievement.documentId
    );

    const hide = await app
      .request()
      .put(`${API}/me/privacy`)
      .set('Authorization', `Bearer ${ada.jwt}`)
      .send({ public: false });
    expect(hide.status).toBe(200);
    expect((await get(path, { jwt: bob.jwt })).status).toBe(404);
    expect((await get(path)).status).toBe(404);
    expect((await get(path, { jwt: ada.jwt })).status).toBe(200);
  });

  it('answers bad input with a 400 that names it, unknown ids with a 404', async () => {
    const cases: Array<[string, number, RegExp]> = [
      [`${API}/credentials/NOT-AN-ID`, 400, /achievementDocumentId/],
      [`${API}/credentials/abc?issue=zzz`, 400, /issue/],
      [`${API}/credentials/abc?colour=red`, 400, /colour/],
      [`${API}/credentials/abcdefghijklmnopqrstuvwx`, 404, /no credential/],
      [`${API}/keys/BAD_KEY!`, 400, /kid/],
      [`${API}/keys/rsa-2020-01-01-00000000`, 404, /no key/],
      [`${API}/status-lists/nope`, 400, /id/],
      [`${API}/status-lists/0123456789abcdef`, 404, /no status list/],
      [`${API}/badges/BAD/open-badge`, 400, /badgeDocumentId/],
    ];
    for (const [path, status, message] of cases) {
      const res = await get(path, { jwt: ada.jwt });
      expect([path, res.status]).toEqual([path, status]);
      expect(JSON.parse(res.text).error.message).toMatch(message);
    }
    const badToken = await get(`${API}/credentials/${first.achievement.documentId}`, {
      jwt: 'not-a-token',
    });
    expect(badToken.status).toBe(401);
  });

  it('serves the status list signed, with an ETag that answers 304', async () => {
    const url = new URL(credential.credentialStatus.statusListCredential).pathname;
    const res = await get(url);
    expect(res.status).toBe(200);
    const list = JSON.parse(res.text);
    expect(list.type).toEqual(['VerifiableCredential', 'BitstringStatusListCredential']);
    expect(list.credentialSubject.encodedList).toMatch(/^u/);
    expect(await verifyCredential(app, list)).toMatchObject({ verified: true });
    const again = await app.request().get(url).set('If-None-Match', res.headers.etag);
    expect(again.status).toBe(304);
  });

  it('(6) no private key material in any response, log, or the database', async () => {
    const keyRows = await app.strapi.db.query('plugin::achievements.credential-key').findMany({});
    expect(keyRows.length).toBeGreaterThanOrEqual(4);
    const secrets: string[] = [];
    for (const row of keyRows) {
      const plain = decryptSecret(row.privateKeySealed, SECRET);
      if (row.algorithm === 'Ed25519') secrets.push(plain);
      else {
        const jwk = JSON.parse(plain);
        secrets.push(jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq);
      }
      expect(row.privateKeySealed).not.toContain(plain.slice(0, 16));
    }
    expect(secrets.every((s) => typeof s === 'string' && s.length >= 40)).toBe(true);
    // The admin's view has no sealed or plain private parts either.
    const status = await admin('get', '/achievements/credentials');
    expect(status.status).toBe(200);
    const sealed = keyRows.map((r: any) => r.privateKeySealed as string);

    const responses = received.join('\n');
    const logs = printed.join('');
    expect(responses.length).toBeGreaterThan(10_000);
    for (const needle of [...secrets, ...sealed.map((s) => s.slice(-40))]) {
      expect(responses.includes(needle)).toBe(false);
      expect(logs.includes(needle)).toBe(false);
    }

    // The database: the raw SQLite file (and its WAL), or every row of every table elsewhere.
    let raw = '';
    if (app.db.client === 'sqlite') {
      const file = app.db.env.DATABASE_FILENAME;
      for (const f of [file, `${file}-wal`])
        if (fs.existsSync(f)) raw += fs.readFileSync(f, 'latin1');
      expect(raw).toContain('BitstringStatusListCredential');
    } else {
      const knex = app.strapi.db.connection;
      const tables: string[] =
        app.db.client === 'postgres'
          ? (
              await knex.raw('select tablename from pg_tables where schemaname = current_schema()')
            ).rows.map((r: any) => r.tablename)
          : (await knex.raw('show tables'))[0].map((r: any) => Object.values(r)[0]);
      for (const table of tables) raw += JSON.stringify(await knex(table).select('*'));
      expect(raw).toContain('BitstringStatusListCredential');
    }
    for (const needle of secrets) expect(raw.includes(needle)).toBe(false);
  });
});
