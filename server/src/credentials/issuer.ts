/**
 * Where the issuer lives: its did:web, and the URLs of everything it publishes. did:web means
 * https, so `did:web:<host>:api:achievements` resolves at
 * `https://<host>/api/achievements/did.json` (a port is written `%3A`).
 */
export interface IssuerLocation {
  /** e.g. `academy.example` or `localhost%3A1337` as written in the DID */
  host: string;
  did: string;
  /** e.g. `https://academy.example/api/achievements` */
  apiBase: string;
}

/**
 * `configuredHost` (Settings) wins; otherwise the host of Strapi's public URL. `fallbackUrl` is
 * Strapi's public URL or its listen address; its scheme is kept for the links when no host is
 * configured (a local demo on http), https otherwise.
 */
export const issuerLocation = (configuredHost: string, fallbackUrl: string): IssuerLocation => {
  let origin: string;
  if (configuredHost) {
    origin = `https://${configuredHost.replace(/^https?:\/\//, '').replace(/\/.*$/, '')}`;
  } else {
    origin = new URL(fallbackUrl).origin;
  }
  const url = new URL(origin);
  const host = encodeURIComponent(url.host);
  return {
    host,
    did: `did:web:${host}:api:achievements`,
    apiBase: `${url.origin}/api/achievements`,
  };
};

/** The https URL a did:web (or one of its verification methods) resolves at. */
export const didWebUrl = (did: string): string => {
  const [bare] = did.split('#');
  const parts = bare.replace(/^did:web:/, '').split(':');
  const host = decodeURIComponent(parts.shift()!);
  const path = parts.length ? parts.map(decodeURIComponent).join('/') : '.well-known';
  return `https://${host}/${path}/did.json`;
};
