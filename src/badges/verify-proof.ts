import * as vc from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { documentLoader, type DocumentLoader } from './document-loader.js';
import { DID_CONTEXT } from './issuers.js';
import { ShirubeError } from '../errors.js';

export type Obj = Record<string, unknown>;
/** Documents a verification may use besides the shipped contexts (DID documents, keys, status lists): this Shirube's own, or fetched. */
export type Resolve = (url: string) => Promise<Obj | undefined>;

export interface Check {
  check: 'format' | 'schema' | 'proof' | 'claims' | 'status' | 'dates' | 'issuer' | 'credentials';
  ok: boolean;
  message: string;
}

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
export const messageOf = (e: unknown): string => {
  if (!e) return 'unknown error';
  const err = e as { message?: string; errors?: unknown[]; details?: { cause?: unknown }; cause?: unknown };
  if (err.errors?.length) return err.errors.map(messageOf).join('; ');
  // jsonld wraps a loader's error in a generic one ("Dereferencing a URL did not result in…"): the loader's says why.
  if (err.details?.cause) return messageOf(err.details.cause);
  // A wrapper's message may be generic ("Verification error(s)."): its cause says which.
  return `${err.message ?? String(e)}${err.cause ? ` (${messageOf(err.cause)})` : ''}`;
};

const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
export const ED25519_MULTIBASE = /^z6Mk[1-9A-HJ-NP-Za-km-z]+$/;

/** A did:key's document (did:key is self-resolving: the key is the identifier, and the DID its controller). */
export function didKeyDocument(didUrl: string): Obj | undefined {
  const [did, fragment] = didUrl.split('#');
  const mb = did!.slice('did:key:'.length);
  if (!did!.startsWith('did:key:') || !ED25519_MULTIBASE.test(mb) || (fragment !== undefined && fragment !== mb)) return undefined;
  const vm = { id: `${did}#${mb}`, type: 'Multikey', controller: did, publicKeyMultibase: mb };
  if (fragment !== undefined) return { '@context': MULTIKEY_CONTEXT, ...vm };
  return { '@context': DID_CONTEXT, id: did, verificationMethod: [vm], assertionMethod: [vm.id], authentication: [vm.id] };
}

/**
 * Keys a credential carries in its own verification method URLs, as the 1EdTech validator reads them: an HTTPS URL
 * whose fragment is an Ed25519 Multikey (`https://issuer.example/issuers/1#z6Mk…`), or a bare did:key. Such a key
 * proves only that the holder of that key signed; the issuer check says so.
 */
function carriedKeys(credential: Obj): Map<string, Obj> {
  const docs = new Map<string, Obj>();
  for (const p of list(credential['proof'])) {
    const vm = isObj(p) ? p['verificationMethod'] : undefined;
    if (typeof vm !== 'string') continue;
    if (vm.startsWith('did:key:') && !vm.includes('#')) {
      const mb = vm.slice('did:key:'.length);
      // The method and its controller are the same URL: one document serves both lookups.
      if (ED25519_MULTIBASE.test(mb)) docs.set(vm, { '@context': DID_CONTEXT.concat(), id: vm, type: 'Multikey', controller: vm, publicKeyMultibase: mb, assertionMethod: [vm] });
      continue;
    }
    const m = /^(https?:\/\/[^#]+)#(z6Mk[1-9A-HJ-NP-Za-km-z]+)$/.exec(vm);
    if (!m) continue;
    docs.set(vm, { '@context': MULTIKEY_CONTEXT, id: vm, type: 'Multikey', controller: m[1], publicKeyMultibase: m[2] });
    const controller = docs.get(m[1]!) ?? { '@context': DID_CONTEXT, id: m[1], assertionMethod: [] as string[] };
    (controller['assertionMethod'] as string[]).push(vm);
    docs.set(m[1]!, controller);
  }
  return docs;
}

/** Every context URL a document names, at any depth (scoped contexts included). */
function contextUrls(v: unknown, into: Set<string>): void {
  if (Array.isArray(v)) for (const x of v) contextUrls(x, into);
  else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      if ((k === '@context' || k === '@import') && typeof x === 'string') into.add(x);
      else if (k === '@context' && Array.isArray(x)) for (const c of x) if (typeof c === 'string') into.add(c); else contextUrls(c, into);
      else if (typeof x === 'object') contextUrls(x, into);
    }
  }
}

/**
 * The loader a verification uses: shipped contexts, did:key, what `resolve` answers, keys carried in the proof, and
 * last (when fetching is on) `remote`. jsonld asks the same loader for contexts and documents alike, so every context
 * URL the credential or a fetched document names is refused before `remote`: contexts are never fetched.
 */
export function verificationLoader(credential: Obj, resolve: Resolve, remote?: Resolve): DocumentLoader {
  const carried = carriedKeys(credential);
  const contexts = new Set<string>();
  contextUrls(credential, contexts);
  return documentLoader(async (url) => {
    if (url.startsWith('did:key:')) return carried.get(url) ?? didKeyDocument(url);
    const found = (await resolve(url)) ?? carried.get(url);
    if (found || !remote) return found;
    if (contexts.has(url)) throw new ShirubeError('not_found', `Cannot load the JSON-LD context ${url}: Shirube uses only the contexts it ships, and never fetches one`);
    const doc = await remote(url);
    contextUrls(doc, contexts);
    return doc;
  });
}

/** Own documents first (`resolve`), then `remote` when fetching is on; a fetch that fails throws why. */
export const lookupOf = (resolve: Resolve, remote?: Resolve): Resolve => async (url) => (await resolve(url)) ?? (remote ? remote(url) : undefined);

/**
 * The embedded proof formats Shirube verifies: eddsa-rdfc-2022 (what OB 3.0 certification requires), and the two
 * older Ed25519 formats the OB 3.0 implementation guide asks verifiers to consider (NOTES.md §2.1). `eddsa-2022` is
 * the 2022 draft of eddsa-rdfc-2022: the same canonicalization (URDNA2015 = RDFC-1.0) and hashing under its old name
 * and the data-integrity/v1 context, so the current cryptosuite verifies it renamed.
 */
// digitalbazaar.d.ts declares the options Shirube's signing uses; verification also passes these.
const DataIntegrity = DataIntegrityProof as unknown as new (o: { cryptosuite: unknown; legacyContext?: boolean }) => unknown;
const verify = vc.verifyCredential as unknown as (o: { credential: unknown; suite: unknown[]; purpose: unknown; documentLoader: DocumentLoader; checkStatus: () => Promise<unknown>; now: Date; maxClockSkew: number }) => ReturnType<typeof vc.verifyCredential>;

const SUITES: Record<string, { label: string; suite: () => unknown }> = {
  'DataIntegrityProof/eddsa-rdfc-2022': { label: 'eddsa-rdfc-2022', suite: () => new DataIntegrity({ cryptosuite }) },
  'DataIntegrityProof/eddsa-2022': { label: 'eddsa-2022 (legacy)', suite: () => new DataIntegrity({ cryptosuite: { ...(cryptosuite as Obj), name: 'eddsa-2022' }, legacyContext: true }) },
  Ed25519Signature2020: { label: 'Ed25519Signature2020 (legacy)', suite: () => new Ed25519Signature2020() },
};
const kindOf = (p: unknown) => (isObj(p) ? [p['type'], p['cryptosuite']].filter((x) => typeof x === 'string').join('/') : 'invalid');
export const allSuites = () => Object.values(SUITES).map((s) => s.suite());

/**
 * Checks the embedded proofs. Other proof types (which may have no JSON-LD definition) are left aside: one valid
 * proof suffices. The proof purpose is assertionMethod only: whether the signer is the issuer is the issuer check's
 * business (an OB issuer identified by a URL or urn:uuid often signs with a did:key, and the validator accepts it).
 */
export async function verifyEmbeddedProofs(credential: Obj, loader: DocumentLoader, now: Date): Promise<{ check: Check; warnings: string[]; signers: string[] }> {
  const proofs = list(credential['proof']);
  const usable = proofs.filter((p) => SUITES[kindOf(p)]);
  const warnings: string[] = [];
  const signers = usable.map((p) => String((p as Obj)['verificationMethod'] ?? ''));
  if (!proofs.length) return { check: { check: 'proof', ok: false, message: 'The credential has no proof' }, warnings, signers };
  if (!usable.length) {
    const supported = Object.values(SUITES).map((s) => s.label).join(', ');
    return { check: { check: 'proof', ok: false, message: `No supported proof (Shirube verifies ${supported}; found ${proofs.map(kindOf).join(', ')})` }, warnings, signers };
  }
  if (usable.length < proofs.length) warnings.push(`${proofs.length - usable.length} proof(s) of an unsupported type ignored`);
  const labels = [...new Set(usable.map((p) => SUITES[kindOf(p)]!.label))];
  for (const l of labels) if (l.endsWith('(legacy)')) warnings.push(`Signed with ${l.replace(' (legacy)', '')}, an older proof format (OB 3.0 now uses eddsa-rdfc-2022)`);
  const r = await verify({
    credential: { ...credential, proof: usable.length === 1 ? usable[0] : usable },
    suite: [...new Set(usable.map(kindOf))].map((k) => SUITES[k]!.suite()),
    purpose: new jsigs.purposes.AssertionProofPurpose({ date: now }),
    documentLoader: loader,
    // Status is checked apart, with its own verdict.
    checkStatus: async () => ({ verified: true }),
    now,
    // Validity dates are the `dates` check's, with its own message: an expired credential's signature is still valid.
    maxClockSkew: Infinity,
  });
  const check: Check = r.verified
    ? { check: 'proof', ok: true, message: `The ${labels.join(', ').replaceAll(' (legacy)', '')} signature is valid` }
    : { check: 'proof', ok: false, message: `Signature: ${messageOf(r.error ?? r.results?.find((x) => !x.verified)?.error)}` };
  return { check, warnings, signers };
}
