// Type shims for what verification uses beyond digitalbazaar.d.ts (these packages ship no declarations).
declare module 'jsonld-signatures' {
  const jsigs: { purposes: { AssertionProofPurpose: new (o?: { date?: Date }) => unknown } };
  export default jsigs;
}
declare module '@digitalbazaar/ed25519-signature-2020' {
  export class Ed25519Signature2020 {
    constructor(o?: Record<string, unknown>);
  }
}
