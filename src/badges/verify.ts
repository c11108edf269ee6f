import { checkStatus as checkBitstringStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { extractBaked } from './bake.js';
import { schemaError } from './schema.js';
import { isCompactJws, jwsPayload, verifyJwt } from './verify-jwt.js';
import { isOb2, verifyOb2 } from './verify-ob2.js';
import { allSuites, isObj, list, lookupOf, messageOf, verificationLoader, verifyEmbeddedProofs, type Check, type Obj, type Resolve } from './verify-proof.js';

export { didKeyDocument, verificationLoader, type Check, type Resolve } from './verify-proof.js';

/** What a person wants to see of the verified credential: the badge, its issuer, the aligned item. */
export interface CredentialSummary {
  id: string | null;
  name: string | null;
  issuer: { id: string | null; name?: string | null };
  validFrom: string | null;
  validUntil: string | null;
  achievement: { id: string | null; name: string | null; humanCode: string | null; alignment: Array<Record<string, string>> } | null;
}

export interface Verdict {
  verified: boolean;
  /** True when the status list says revoked (the signature may still be valid). */
  revoked: boolean;
  checks: Check[];
  warnings: string[];
  credential: CredentialSummary;
}

export interface VerifyOptions {
  /**
   * Documents the verification may use without fetching: DID documents, keys, status lists, and for OB 2.0 the
   * BadgeClass and issuer an assertion points to (the routes answer this Shirube's own documents).
   */
  resolve: Resolve;
  /** What is not found there, fetched from other hosts (remote-resolver.ts); unset: offline. Never JSON-LD contexts. */
  remote?: Resolve;
  now?: Date;
}

/** The most credentials a CLR may bundle for one verification (each is verified, and may need fetches). */
export const MAX_BUNDLED = 100;

const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const VC_V1 = 'https://www.w3.org/2018/credentials/v1';
const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
const CLR_CONTEXT = 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json';
// The names each context goes by (the 1EdTech validator's aliases and version patterns, VerifiableCredential.java).
const CONTEXT_NAMES: Record<string, RegExp> = {
  [VC_V2]: /^https:\/\/www\.w3\.org\/(ns\/credentials\/v2|2018\/credentials\/v1)$/,
  [OB_CONTEXT]: /^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/(context(-\d+\.\d+\.\d+)?\.json|context\/ob_v3p0\.jsonld)$/,
  [CLR_CONTEXT]: /^https:\/\/purl\.imsglobal\.org\/spec\/clr\/v2p0\/context(-\d+\.\d+\.\d+)?\.json$/,
};

const idOf = (v: unknown) => (typeof v === 'string' ? v : isObj(v) && typeof v['id'] === 'string' ? v['id'] : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : null);

function summarise(c: Obj | undefined, badge?: Obj, issuer?: Obj): CredentialSummary {
  const ob2 = badge !== undefined || (c !== undefined && isOb2(c));
  const subject = isObj(c?.['credentialSubject']) ? c['credentialSubject'] : {};
  const achievement = ob2 ? badge : isObj(subject['achievement']) ? subject['achievement'] : undefined;
  const iss = ob2 ? issuer : c?.['issuer'];
  return {
    id: str(c?.['id']),
    name: str(c?.['name']) ?? str(achievement?.['name']),
    issuer: { id: idOf(iss) ?? null, ...(isObj(iss) ? { name: str(iss['name']) } : {}) },
    validFrom: str(c?.[ob2 ? 'issuedOn' : 'validFrom']) ?? str(c?.['issuanceDate']),
    validUntil: str(c?.[ob2 ? 'expires' : 'validUntil']) ?? str(c?.['expirationDate']),
    achievement: achievement
      ? { id: str(achievement['id']), name: str(achievement['name']), humanCode: str(achievement['humanCode']), alignment: Array.isArray(achievement['alignment']) ? (achievement['alignment'] as Array<Record<string, string>>) : [] }
      : null,
  };
}

/** The @context check: required contexts in order, under their aliases (a warning) or not at all (an error). */
function contextCheck(contexts: unknown[], required: string[], warnings: string[]): string | null {
  for (const [i, url] of required.entries()) {
    const got = contexts[i];
    if (typeof got !== 'string' || !CONTEXT_NAMES[url]!.test(got)) return `@context must have ${url} (or an alias) at position ${i + 1}, found ${typeof got === 'string' ? got : 'none'}`;
    if (got === VC_V1) warnings.push('Uses the VC Data Model 1.1 context (OB 3.0 now uses VC 2.0)');
    else if (got !== url) warnings.push(`@context has ${got} at position ${i + 1}; the current one is ${url}`);
  }
  return null;
}

/** A JSON credential (W3C VC: OB 3.0, CLR 2.0, endorsement), with its embedded proof or the JWT that carried it. */
async function verifyVc(credential: Obj, o: VerifyOptions, now: Date, jwt?: Awaited<ReturnType<typeof verifyJwt>>): Promise<Verdict> {
  const checks: Check[] = [];
  const warnings: string[] = [...(jwt?.warnings ?? [])];
  const done = (revoked = false): Verdict => ({ verified: checks.every((c) => c.ok), revoked, checks, warnings, credential: summarise(credential) });
  const types = list(credential['type']);
  const contexts = list(credential['@context']);
  const clr = types.includes('ClrCredential');
  const achievement = types.includes('OpenBadgeCredential') || types.includes('AchievementCredential');
  if (!types.includes('VerifiableCredential') || !(achievement || clr || types.includes('EndorsementCredential'))) {
    checks.push({ check: 'format', ok: false, message: 'type must contain VerifiableCredential and OpenBadgeCredential (or AchievementCredential, EndorsementCredential, ClrCredential)' });
    return done();
  }
  const contextError = contextCheck(contexts, clr ? [VC_V2, CLR_CONTEXT, OB_CONTEXT] : [VC_V2, OB_CONTEXT], warnings);
  checks.push(contextError ? { check: 'format', ok: false, message: contextError } : { check: 'format', ok: true, message: clr ? 'A CLR 2.0 credential' : 'An Open Badges 3.0 credential' });
  const v2 = contexts[0] === VC_V2;

  if (clr) checks.push({ check: 'schema', ok: true, message: 'Schema not checked (no CLR 2.0 JSON Schema is shipped)' });
  else if (!v2 || !achievement) checks.push({ check: 'schema', ok: true, message: `Schema not checked (${!v2 ? 'VC 1.1' : 'EndorsementCredential'})` });
  else {
    const schema = schemaError(credential);
    checks.push(schema ? { check: 'schema', ok: false, message: `OB 3.0 JSON Schema: ${schema}` } : { check: 'schema', ok: true, message: 'Valid against the OB 3.0 JSON Schema' });
  }

  const loader = verificationLoader(credential, o.resolve, o.remote);
  let signers: string[];
  if (jwt) {
    checks.push(...jwt.checks);
    signers = jwt.signer ? [jwt.signer] : [];
  } else {
    const r = await verifyEmbeddedProofs(credential, loader, now);
    checks.push(r.check);
    warnings.push(...r.warnings);
    signers = r.signers;
  }

  const validFrom = Date.parse(String(credential['validFrom'] ?? credential['issuanceDate'] ?? ''));
  const untilRaw = credential['validUntil'] ?? credential['expirationDate'];
  const validUntil = untilRaw === undefined ? undefined : Date.parse(String(untilRaw));
  if (Number.isNaN(validFrom)) checks.push({ check: 'dates', ok: false, message: 'validFrom is missing or not a date' });
  else if (validFrom > now.getTime() + 300_000) checks.push({ check: 'dates', ok: false, message: `Not valid before ${new Date(validFrom).toISOString()}` });
  else if (validUntil !== undefined && (Number.isNaN(validUntil) || validUntil < now.getTime())) checks.push({ check: 'dates', ok: false, message: `Expired (validUntil ${String(untilRaw)})` });
  else checks.push({ check: 'dates', ok: true, message: validUntil === undefined ? 'Valid from its validFrom, no expiry' : 'Within its validity period' });

  const issuerId = idOf(credential['issuer']);
  const controllers = signers.map((s) => s.split('#')[0]!);
  if (typeof issuerId !== 'string') checks.push({ check: 'issuer', ok: false, message: 'The issuer has no id' });
  else if (controllers.length && controllers.every((c) => c !== issuerId)) {
    // A DID issuer must sign with its own keys; other issuers (URLs, urn:uuid) are often signed by a did:key.
    if (issuerId.startsWith('did:')) checks.push({ check: 'issuer', ok: false, message: `Signed by ${controllers[0]}, not by the issuer ${issuerId}` });
    else {
      warnings.push(`The signing key (${controllers[0]}) is not the issuer's own (${issuerId})`);
      checks.push({ check: 'issuer', ok: true, message: `Issuer ${issuerId}` });
    }
  } else checks.push({ check: 'issuer', ok: true, message: controllers.length ? `Issued and signed by ${issuerId}` : `Issuer ${issuerId}` });

  const status = await statusCheck(credential, loader, o);
  if (status) checks.push(status.check);
  if (clr) {
    // As the CLR validator does: every bundled credential is verified on its own as well.
    const subject = isObj(credential['credentialSubject']) ? credential['credentialSubject'] : {};
    const bundled = list(subject['verifiableCredential']);
    const failures: string[] = [];
    if (bundled.length > MAX_BUNDLED) {
      checks.push({ check: 'credentials', ok: false, message: `The CLR bundles ${bundled.length} credentials; Shirube verifies at most ${MAX_BUNDLED} at a time` });
      return done(status?.revoked);
    }
    for (const [i, c] of bundled.entries()) {
      const v = await verifyCredential(c, { ...o, now });
      if (!v.verified) failures.push(`#${i + 1} (${v.credential.id ?? 'no id'}): ${v.checks.filter((x) => !x.ok).map((x) => `${x.check}: ${x.message}`).join('; ')}`);
      warnings.push(...v.warnings.map((w) => `Bundled credential #${i + 1}: ${w}`));
    }
    checks.push(failures.length
      ? { check: 'credentials', ok: false, message: `Bundled credentials that fail: ${failures.join(' | ')}` }
      : { check: 'credentials', ok: true, message: bundled.length ? `All ${bundled.length} bundled credentials verify` : 'No bundled credentials' });
  }
  return done(status?.revoked);
}

/**
 * The 1EdTech Revocation List Status Method (as the 1EdTech validator reads it, RevocationListProbe): the list at the
 * entry's id has `revokedCredential` items; the credential is revoked when its id is there with `revoked` true or absent.
 */
async function revocationListStatus(entry: Obj, credentialId: unknown, lookup: Resolve): Promise<{ revoked: boolean; reason?: string }> {
  if (typeof entry['id'] !== 'string') throw new Error('the 1EdTechRevocationList entry has no id (the list URL)');
  const doc = await lookup(entry['id']);
  if (!doc) throw new Error(`the revocation list ${entry['id']} cannot be fetched offline`);
  const hit = list(doc['revokedCredential']).filter(isObj).find((r) => r['id'] === credentialId && r['revoked'] !== false);
  return hit ? { revoked: true, ...(typeof hit['revocationReason'] === 'string' ? { reason: hit['revocationReason'] } : {}) } : { revoked: false };
}

/** The status check: BitstringStatusListEntry (the list's own proof verified too) and 1EdTechRevocationList. */
async function statusCheck(credential: Obj, loader: ReturnType<typeof verificationLoader>, o: VerifyOptions): Promise<{ check: Check; revoked: boolean } | undefined> {
  if (credential['credentialStatus'] === undefined) return undefined;
  const entries = list(credential['credentialStatus']).filter(isObj);
  const other = entries.filter((e) => e['type'] !== 'BitstringStatusListEntry' && e['type'] !== '1EdTechRevocationList');
  if (other.length || !entries.length) return { revoked: false, check: { check: 'status', ok: false, message: `Status method ${other.map((e) => String(e['type'])).join(', ') || '(none)'} cannot be checked (Shirube checks BitstringStatusListEntry and 1EdTechRevocationList)` } };
  const bitstring = entries.filter((e) => e['type'] === 'BitstringStatusListEntry');
  const lists = entries.filter((e) => e['type'] === '1EdTechRevocationList');
  const reasons: string[] = [];
  let revoked = false;
  if (bitstring.length) {
    const r = await checkBitstringStatus({ credential: { ...credential, credentialStatus: bitstring.length === 1 ? bitstring[0] : bitstring }, documentLoader: loader, suite: allSuites(), verifyMatchingIssuers: true });
    if (!r.verified) return { revoked: false, check: { check: 'status', ok: false, message: `The status list could not be checked: ${messageOf(r.error ?? r.results?.find((x) => !x.verified)?.error)}` } };
    revoked = !!r.results?.some((x) => x.status);
  }
  for (const entry of lists) {
    try {
      const r = await revocationListStatus(entry, credential['id'], lookupOf(o.resolve, o.remote));
      revoked ||= r.revoked;
      if (r.reason) reasons.push(r.reason);
    } catch (e) {
      return { revoked: false, check: { check: 'status', ok: false, message: `The 1EdTechRevocationList could not be checked: ${messageOf(e)}` } };
    }
  }
  if (revoked) return { revoked, check: { check: 'status', ok: false, message: `Revoked by its issuer${reasons.length ? `: ${reasons.join('; ')}` : ''}` } };
  return { revoked, check: { check: 'status', ok: true, message: 'Not revoked' } };
}

async function ob2Verdict(doc: Obj, o: VerifyOptions, now: Date, jws?: string): Promise<Verdict> {
  const r = await verifyOb2(doc, lookupOf(o.resolve, o.remote), now, jws);
  return { verified: r.checks.every((c) => c.ok), revoked: r.revoked, checks: r.checks, warnings: r.warnings, credential: summarise(doc, r.badge ?? (isObj(doc['badge']) ? doc['badge'] : undefined), r.issuer) };
}

const formatFailure = (message: string): Verdict => ({ verified: false, revoked: false, checks: [{ check: 'format', ok: false, message }], warnings: [], credential: summarise(undefined) });

/**
 * Verifies a credential, from Shirube or elsewhere: an Open Badges 3.0 / CLR 2.0 credential with an embedded proof
 * (eddsa-rdfc-2022, or the legacy eddsa-2022 and Ed25519Signature2020), a VC-JWT (compact JWS string), a baked PNG or
 * SVG (bytes), or an Open Badges 2.0 assertion. Checks format, the OB 3.0 JSON Schema, the proof, validity dates, the
 * issuer's tie to the key and the status list. `resolve` answers what it may use offline; `remote`, when given, fetches
 * the rest (never a JSON-LD context).
 */
export async function verifyCredential(input: unknown, o: VerifyOptions): Promise<Verdict> {
  const now = o.now ?? new Date();
  let value = input;
  if (value instanceof Uint8Array) {
    const baked = extractBaked(Buffer.from(value));
    if (baked === undefined) return formatFailure('No baked credential found: a PNG with an openbadgecredential (or OB 2.0 openbadges) iTXt chunk, or an SVG with <openbadges:credential> (or <openbadges:assertion>)');
    value = baked;
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (isCompactJws(text)) {
      const payload = jwsPayload(text);
      // OB 2.0 signed the assertion itself (no JWT claims): judged by the OB 2.0 rules with this JWS.
      if (payload && isOb2(payload)) return ob2Verdict(payload, o, now, text);
      const jwt = await verifyJwt(text, o.resolve, now, o.remote);
      if (!jwt.credential) return { ...formatFailure(''), checks: jwt.checks };
      return verifyVc(jwt.credential, o, now, jwt);
    }
    try {
      value = JSON.parse(text);
    } catch {
      return formatFailure('Neither a JSON credential nor a compact JWS (VC-JWT)');
    }
  }
  if (!isObj(value)) return formatFailure('A credential is a JSON object, a compact JWS, or a baked PNG or SVG');
  if (isOb2(value)) return ob2Verdict(value, o, now);
  return verifyVc(value, o, now);
}
