import type { DocumentLoader } from './document-loader';
import type { VcLibs } from './libs';

/** Where the time of one Data Integrity signature went (ms). */
export interface SignTimings {
  /** RDF canonicalization of document and proof options, and hashing */
  canonicalizeMs: number;
  /** the Ed25519 signature itself */
  signMs: number;
}

/**
 * Adds an `eddsa-rdfc-2022` Data Integrity proof with the given Ed25519 key. The signer is
 * wrapped only to time it; canonicalization is what the rest of the call costs.
 */
export const signDataIntegrity = async <T extends Record<string, unknown>>(
  libs: VcLibs,
  credential: T,
  key: {
    verificationMethod: string;
    controller: string;
    secretKeyMultibase: string;
    publicKeyMultibase: string;
  },
  documentLoader: DocumentLoader
): Promise<{ signed: T & { proof: Record<string, unknown> }; timings: SignTimings }> => {
  const keyPair = await libs.Ed25519Multikey.from({
    type: 'Multikey',
    id: key.verificationMethod,
    controller: key.controller,
    publicKeyMultibase: key.publicKeyMultibase,
    secretKeyMultibase: key.secretKeyMultibase,
  });
  const inner = keyPair.signer();
  let signMs = 0;
  const signer = {
    id: key.verificationMethod,
    algorithm: inner.algorithm,
    async sign(options: { data: Uint8Array }) {
      const started = performance.now();
      try {
        return await inner.sign(options);
      } finally {
        signMs += performance.now() - started;
      }
    },
  };
  const suite = new libs.DataIntegrityProof({ signer, cryptosuite: libs.eddsaRdfc2022 });
  const started = performance.now();
  const signed = await libs.vc.issue({ credential: { ...credential }, suite, documentLoader });
  const total = performance.now() - started;
  return { signed, timings: { canonicalizeMs: total - signMs, signMs } };
};

/** The VC-JWT form: RS256, `kid` a URL answering the one public JWK. */
export const signJwt = async (
  libs: VcLibs,
  claims: Record<string, unknown>,
  key: { kidUrl: string; privateJwk: Record<string, unknown> }
): Promise<string> => {
  const privateKey = await libs.jose.importJWK(key.privateJwk as any, 'RS256');
  return new libs.jose.CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kidUrl })
    .sign(privateKey);
};
