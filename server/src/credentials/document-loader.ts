/**
 * The JSON-LD document loader of every sign and verify: the bundled contexts (VC v2, Open
 * Badges 3.0.x, Data Integrity, Multikey, Bitstring Status List) and nothing else. Any other
 * URL is refused, so nothing is ever fetched from the network, and a credential using a term
 * no bundled context defines fails to sign instead of being signed over a guess.
 */
export type DocumentLoader = (url: string) => Promise<{
  contextUrl: null;
  documentUrl: string;
  document: unknown;
}>;

export const OB_CONTEXT_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const VC_V2_CONTEXT_URL = 'https://www.w3.org/ns/credentials/v2';
export const MULTIKEY_CONTEXT_URL = 'https://w3id.org/security/multikey/v1';
export const DID_CONTEXT_URL = 'https://www.w3.org/ns/did/v1';

export const createDocumentLoader = (
  contexts: Map<string, unknown>,
  /** Extra documents (a test's DID documents), looked up after the contexts. */
  extra?: (url: string) => Promise<unknown | undefined>
): DocumentLoader => {
  return async (url: string) => {
    const context = contexts.get(url);
    if (context !== undefined) return { contextUrl: null, documentUrl: url, document: context };
    const document = extra ? await extra(url) : undefined;
    if (document !== undefined) return { contextUrl: null, documentUrl: url, document };
    throw new Error(`document loader: "${url}" is not a bundled document; nothing is fetched`);
  };
};
