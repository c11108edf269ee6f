// The @digitalbazaar packages ship no type declarations (NOTES.md §10): only what Shirube calls.
declare module '@digitalbazaar/vc' {
  type Loader = (url: string) => Promise<{ contextUrl: null; documentUrl: string; document: unknown }>;
  export function issue(o: { credential: Record<string, unknown>; suite: unknown; documentLoader: Loader; now?: Date }): Promise<Record<string, unknown>>;
  export function verifyCredential(o: {
    credential: unknown;
    suite: unknown;
    documentLoader: Loader;
    checkStatus?: (o: { credential: unknown; documentLoader: Loader; suite: unknown }) => Promise<unknown>;
    now?: Date;
  }): Promise<{ verified: boolean; error?: unknown; results?: Array<{ verified: boolean; error?: unknown; proof?: unknown }>; statusResult?: unknown }>;
}
declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    constructor(o: { signer?: unknown; cryptosuite: unknown; date?: Date | string });
    verificationMethod?: string;
  }
}
declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: unknown;
}
declare module '@digitalbazaar/ed25519-multikey' {
  export interface Ed25519KeyPair {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
    signer(): { id: string; algorithm: string; sign(o: { data: Uint8Array }): Promise<Uint8Array> };
    export(o: { publicKey?: boolean; secretKey?: boolean; includeContext?: boolean }): Promise<Record<string, unknown>>;
  }
  export function generate(o?: { id?: string; controller?: string; seed?: Uint8Array }): Promise<Ed25519KeyPair>;
  export function from(key: Record<string, unknown>): Promise<Ed25519KeyPair>;
  export function toJwk(o: { keyPair: Ed25519KeyPair; secretKey?: boolean }): Promise<{ kty: 'OKP'; crv: 'Ed25519'; x: string; d?: string }>;
}
declare module '@digitalbazaar/vc-bitstring-status-list' {
  export interface BitstringStatusList {
    setStatus(index: number, status: boolean): void;
    getStatus(index: number): boolean;
  }
  export function createList(o: { length: number }): Promise<BitstringStatusList>;
  export function createCredential(o: { id: string; list: BitstringStatusList; statusPurpose: string }): Promise<Record<string, unknown>>;
  export function checkStatus(o: {
    credential: unknown;
    documentLoader: unknown;
    suite: unknown;
    verifyBitstringStatusListCredential?: boolean;
    verifyMatchingIssuers?: boolean;
  }): Promise<{ verified: boolean; error?: unknown; results?: Array<{ status: boolean; verified: boolean; error?: unknown }> }>;
}
declare module 'jsonld' {
  const jsonld: { canonize(doc: unknown, o: { algorithm: 'RDFC-1.0'; format: 'application/n-quads'; documentLoader: unknown; safe?: boolean }): Promise<string> };
  export default jsonld;
}
