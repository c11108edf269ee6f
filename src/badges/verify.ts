import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { checkStatus as checkBitstringStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { documentLoader, type DocumentLoader } from './document-loader.js';
import { DID_CONTEXT } from './issuers.js';
import { schemaError } from './schema.js';

type Obj = Record<string, unknown>;
export type Resolve = (url: string) => Promise<Obj | undefined>;

export interface Check {
  check: 'format' | 'schema' | 'proof' | 'status' | 'dates' | 'issuer';
  ok: boolean;
  message: string;
}

export interface Verdict {
  verified: boolean;
  /** True when the status list says revoked (the signature may still be valid). */
  revoked: boolean;
  checks: Check[];
  warnings: string[];
}

const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
const ED25519_MULTIBASE = /^z6Mk[1-9A-HJ-NP-Za-km-z]+$/;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const messageOf = (e: unknown): string => {
  if (!e) return 'unknown error';
  const err = e as { message?: string; errors?: unknown[] };
  if (err.errors?.length) return err.errors.map(messageOf).join('; ');
  return err.message ?? String(e);
};

/** A did:key's document (did:key is self-resolving: the key is the identifier). */
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
 * proves only that the holder of that key signed; the checks say so.
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

const suite = () => new DataIntegrityProof({ cryptosuite });

/** The loader a verification uses: shipped contexts, did:key, what `resolve` answers, keys carried in the proof. */
export function verificationLoader(credential: Obj, resolve: Resolve): DocumentLoader {
  const carried = carriedKeys(credential);
  return documentLoader(async (url) => {
    if (url.startsWith('did:key:')) return carried.get(url) ?? didKeyDocument(url);
    return (await resolve(url)) ?? carried.get(url);
  });
}

const supported = (p: unknown) => isObj(p) && p['type'] === 'DataIntegrityProof' && p['cryptosuite'] === 'eddsa-rdfc-2022';

/**
 * Verifies an Open Badges 3.0 credential, from Shirube or elsewhere: format, the OB 3.0 JSON Schema, the
 * eddsa-rdfc-2022 proof, BitstringStatusList status, validity dates and the issuer's tie to the key. Never fetches:
 * `resolve` answers DID documents and status lists (this Shirube's, in-process); a status it cannot read fails.
 */
export async function verifyCredential(input: unknown, o: { resolve: Resolve; now?: Date }): Promise<Verdict> {
  const checks: Check[] = [];
  const warnings: string[] = [];
  const done = (revoked = false): Verdict => ({ verified: checks.every((c) => c.ok), revoked, checks, warnings });
  const now = o.now ?? new Date();
  if (!isObj(input)) {
    checks.push({ check: 'format', ok: false, message: 'A credential is a JSON object' });
    return done();
  }
  const credential = input;
  const types = list(credential['type']);
  const contexts = list(credential['@context']);
  const v2 = contexts[0] === 'https://www.w3.org/ns/credentials/v2';
  const achievement = types.includes('OpenBadgeCredential') || types.includes('AchievementCredential');
  if (!types.includes('VerifiableCredential') || !(achievement || types.includes('EndorsementCredential'))) {
    checks.push({ check: 'format', ok: false, message: 'type must contain VerifiableCredential and OpenBadgeCredential (or AchievementCredential, EndorsementCredential)' });
    return done();
  }
  if (!v2) warnings.push('Uses the VC Data Model 1.1 context (OB 3.0 now uses VC 2.0)');
  checks.push({ check: 'format', ok: true, message: 'An Open Badges 3.0 credential' });

  const schema = v2 && achievement ? schemaError(credential) : null;
  const schemaNote = !v2 ? 'Schema not checked (VC 1.1)' : achievement ? 'Valid against the OB 3.0 JSON Schema' : 'Schema not checked (EndorsementCredential)';
  checks.push(schema ? { check: 'schema', ok: false, message: `OB 3.0 JSON Schema: ${schema}` } : { check: 'schema', ok: true, message: schemaNote });

  const proofs = list(credential['proof']);
  const usable = proofs.filter(supported);
  const loader = verificationLoader(credential, o.resolve);
  if (!proofs.length) checks.push({ check: 'proof', ok: false, message: 'The credential has no proof' });
  else if (!usable.length) {
    const kinds = proofs.map((p) => (isObj(p) ? [p['type'], p['cryptosuite']].filter(Boolean).join('/') : 'invalid')).join(', ');
    checks.push({ check: 'proof', ok: false, message: `No supported proof (Shirube verifies DataIntegrityProof eddsa-rdfc-2022; found ${kinds})` });
  } else {
    // Other proof types (which may have no JSON-LD definition) are left aside: one valid proof suffices.
    if (usable.length < proofs.length) warnings.push(`${proofs.length - usable.length} proof(s) of an unsupported type ignored`);
    const doc = { ...credential, proof: usable.length === 1 ? usable[0] : usable };
    const r = await vc.verifyCredential({
      credential: doc,
      suite: suite(),
      documentLoader: loader,
      // Status is checked below, with its own verdict.
      checkStatus: async () => ({ verified: true }),
      now,
    });
    checks.push(r.verified ? { check: 'proof', ok: true, message: 'The eddsa-rdfc-2022 signature is valid' } : { check: 'proof', ok: false, message: `Signature: ${messageOf(r.error ?? r.results?.find((x) => !x.verified)?.error)}` });
  }

  const validFrom = Date.parse(String(credential['validFrom'] ?? credential['issuanceDate'] ?? ''));
  const untilRaw = credential['validUntil'] ?? credential['expirationDate'];
  const validUntil = untilRaw === undefined ? undefined : Date.parse(String(untilRaw));
  if (Number.isNaN(validFrom)) checks.push({ check: 'dates', ok: false, message: 'validFrom is missing or not a date' });
  else if (validFrom > now.getTime() + 300_000) checks.push({ check: 'dates', ok: false, message: `Not valid before ${new Date(validFrom).toISOString()}` });
  else if (validUntil !== undefined && (Number.isNaN(validUntil) || validUntil < now.getTime())) checks.push({ check: 'dates', ok: false, message: `Expired (validUntil ${String(untilRaw)})` });
  else checks.push({ check: 'dates', ok: true, message: validUntil === undefined ? 'Valid from its validFrom, no expiry' : 'Within its validity period' });

  const issuer = credential['issuer'];
  const issuerId = typeof issuer === 'string' ? issuer : isObj(issuer) ? issuer['id'] : undefined;
  const controllers = usable.map((p) => String((p as Obj)['verificationMethod'] ?? '').split('#')[0]);
  if (typeof issuerId !== 'string') checks.push({ check: 'issuer', ok: false, message: 'The issuer has no id' });
  else if (controllers.length && controllers.every((c) => c !== issuerId)) {
    // A DID issuer must sign with its own keys; other issuers (URLs, urn:uuid) are often signed by a did:key.
    if (issuerId.startsWith('did:')) checks.push({ check: 'issuer', ok: false, message: `Signed by ${controllers[0]}, not by the issuer ${issuerId}` });
    else {
      warnings.push(`The signing key (${controllers[0]}) is not the issuer's own (${issuerId})`);
      checks.push({ check: 'issuer', ok: true, message: `Issuer ${issuerId}` });
    }
  } else checks.push({ check: 'issuer', ok: true, message: `Issued and signed by ${issuerId}` });

  let revoked = false;
  const status = credential['credentialStatus'];
  if (status !== undefined) {
    const entries = list(status).filter(isObj);
    if (entries.some((e) => e['type'] !== 'BitstringStatusListEntry')) {
      checks.push({ check: 'status', ok: false, message: `Status method ${entries.map((e) => String(e['type'])).join(', ')} cannot be checked (Shirube checks BitstringStatusListEntry)` });
    } else {
      const r = await checkBitstringStatus({ credential, documentLoader: loader, suite: suite(), verifyMatchingIssuers: true });
      revoked = !!r.results?.some((x) => x.status);
      if (!r.verified) checks.push({ check: 'status', ok: false, message: `The status list could not be checked: ${messageOf(r.error ?? r.results?.find((x) => !x.verified)?.error)}` });
      else if (revoked) checks.push({ check: 'status', ok: false, message: 'Revoked by its issuer' });
      else checks.push({ check: 'status', ok: true, message: 'Not revoked' });
    }
  }
  return done(revoked);
}
