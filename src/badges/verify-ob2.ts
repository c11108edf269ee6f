import * as jose from 'jose';
import { OB2_CONTEXT } from './ob2.js';
import { isObj, list, messageOf, type Check, type Obj, type Resolve } from './verify-proof.js';

/** Whether a JSON document is Open Badges 2.0 (its context, or an OB 2.0 type without a VC context). */
export function isOb2(doc: Obj): boolean {
  const contexts = list(doc['@context']);
  if (contexts.includes(OB2_CONTEXT)) return true;
  if (contexts.some((c) => typeof c === 'string' && c.includes('/credentials/'))) return false;
  return list(doc['type']).some((t) => typeof t === 'string' && (t in REQUIRED || t === 'Assertion'));
}

// What OB 2.0 requires of the objects that may be judged alone (https://www.imsglobal.org/spec/ob/v2p0/).
const REQUIRED: Record<string, string[]> = {
  BadgeClass: ['id', 'name', 'description', 'image', 'criteria', 'issuer'],
  Issuer: ['id', 'name'],
  Profile: ['id', 'name'],
  AlignmentObject: ['targetName', 'targetUrl'],
};

export interface Ob2Verdict {
  checks: Check[];
  warnings: string[];
  revoked: boolean;
  badge?: Obj;
  issuer?: Obj;
}

/**
 * A signed (JWS, RS256) OB 2.0 assertion: the key is `verification.creator`, a CryptographicKey whose PEM the issuer's
 * `publicKey` must list, loaded through `resolve` like the BadgeClass.
 */
async function signedCheck(doc: Obj, issuer: Obj, verification: Obj, load: Load, jws?: string): Promise<Check> {
  if (!jws) return { check: 'proof', ok: false, message: 'A signed OB 2.0 assertion is verified from its JWS: give the compact JWS (or the image it is baked in), not the JSON' };
  const creator = verification['creator'];
  const { doc: key, error } = await load(creator);
  if (error) return { check: 'proof', ok: false, message: `The signing key ${String(creator)} could not be loaded: ${error}` };
  if (!key) return { check: 'proof', ok: false, message: `Cannot check offline: the signing key ${String(creator ?? '(no verification.creator)')} is not fetched` };
  const listed = list(issuer['publicKey']).map((k) => (isObj(k) ? k['id'] : k));
  if (!listed.includes(key['id'])) return { check: 'proof', ok: false, message: `The signing key ${String(key['id'])} is not one of the issuer's publicKey` };
  try {
    await jose.compactVerify(jws, await jose.importSPKI(String(key['publicKeyPem']), 'RS256'), { algorithms: ['RS256'] });
    return { check: 'proof', ok: true, message: `The JWS signature (RS256) by ${String(key['id'])} is valid` };
  } catch (e) {
    return { check: 'proof', ok: false, message: `JWS signature: ${messageOf(e)}` };
  }
}

/** A document given inline or by URL: found, not found offline (neither), or the reason its fetch failed. */
type Load = (ref: unknown) => Promise<{ doc?: Obj; error?: string }>;

const missing = (doc: Obj, props: string[]) => props.filter((p) => doc[p] === undefined || doc[p] === null || doc[p] === '');
const host = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
};

/**
 * Verifies an Open Badges 2.0 Assertion as the 1EdTech validator does (VerificationDependenciesProbe): a hosted
 * assertion is valid when its BadgeClass and issuer load and its id is on an origin the issuer's verification policy
 * allows (by default the issuer id's host); its hosted copy, or the issuer's RevocationList, may say it was revoked.
 * The BadgeClass, issuer, key and lists come embedded or from `resolve` (this Shirube's own, or fetched when fetching
 * is on; the validator's tests map their URLs to local files the same way); offline the check says it cannot be
 * done. Other OB 2.0 objects (BadgeClass, Issuer, AlignmentObject) get a structural check only.
 */
export async function verifyOb2(doc: Obj, resolve: Resolve, now: Date, jws?: string): Promise<Ob2Verdict> {
  const checks: Check[] = [];
  const warnings: string[] = [];
  const type = list(doc['type']).find((t): t is string => typeof t === 'string' && (t === 'Assertion' || t in REQUIRED));
  if (!type) return { checks: [{ check: 'format', ok: false, message: `An Open Badges 2.0 document of an unknown type (${list(doc['type']).join(', ') || 'none'})` }], warnings, revoked: false };
  if (type !== 'Assertion') {
    const lack = missing(doc, REQUIRED[type]!);
    checks.push({ check: 'format', ok: true, message: `An Open Badges 2.0 ${type}` });
    checks.push(lack.length ? { check: 'schema', ok: false, message: `The ${type} lacks ${lack.join(', ')}` } : { check: 'schema', ok: true, message: `The ${type} has the properties OB 2.0 requires` });
    warnings.push(`A lone ${type} is not a badge award: its structure was checked, there is no signature or hosting to verify`);
    return { checks, warnings, revoked: false };
  }

  const lack = missing(doc, ['id', 'recipient', 'badge', 'verification', 'issuedOn']);
  if (lack.length) return { checks: [{ check: 'format', ok: false, message: `The OB 2.0 Assertion lacks ${lack.join(', ')}` }], warnings, revoked: false };
  checks.push({ check: 'format', ok: true, message: 'An Open Badges 2.0 Assertion' });
  const id = String(doc['id']);
  const recipient = doc['recipient'];
  checks.push(isObj(recipient) && typeof recipient['identity'] === 'string' && typeof recipient['type'] === 'string'
    ? { check: 'schema', ok: true, message: 'The Assertion has the properties OB 2.0 requires' }
    : { check: 'schema', ok: false, message: 'recipient must be an IdentityObject with type and identity' });

  const load: Load = async (ref) => {
    try {
      return { doc: isObj(ref) ? ref : typeof ref === 'string' ? await resolve(ref) : undefined };
    } catch (e) {
      return { error: messageOf(e) };
    }
  };
  const badgeLoad = await load(doc['badge']);
  const badge = badgeLoad.doc;
  const issuerLoad = badge ? await load(badge['issuer']) : {};
  const issuer = issuerLoad.doc;
  const verification = isObj(doc['verification']) ? doc['verification'] : {};
  const method = String(verification['type'] ?? '');
  let hostedRevoked: Obj | undefined;
  if (!badge || !issuer) {
    const what = !badge ? `its BadgeClass ${String(doc['badge'])}` : `its issuer ${String(badge['issuer'])}`;
    const error = badgeLoad.error ?? issuerLoad.error;
    checks.push({ check: 'proof', ok: false, message: error ? `Verifying this OB 2.0 assertion needs ${what}: ${error}` : `Cannot check offline: verifying this OB 2.0 assertion needs ${what}, which Shirube does not fetch (fetching is off)` });
  } else if (method === 'hosted' || method === 'HostedBadge') {
    // The issuer's policy, else the default: the assertion must be hosted on the issuer id's host.
    const policy = isObj(issuer['verification']) ? issuer['verification'] : {};
    const issuerId = String(issuer['id'] ?? '');
    const origins = policy['allowedOrigins'] !== undefined ? list(policy['allowedOrigins']).map(String) : [host(issuerId)].filter((h): h is string => !!h);
    const prefixes = list(policy['startsWith']).map(String);
    if (prefixes.length && !prefixes.some((p) => id.startsWith(p))) checks.push({ check: 'proof', ok: false, message: `The assertion id ${id} starts with none of the issuer's permitted prefixes` });
    else if (!origins.length || !/^https?:/.test(issuerId)) {
      warnings.push(`Issuer ${issuerId} has no HTTP origin to enforce hosted verification against`);
      checks.push({ check: 'proof', ok: true, message: 'Hosted verification: no origin policy to enforce' });
    } else if (!origins.includes(host(id) ?? '')) checks.push({ check: 'proof', ok: false, message: `The assertion ${id} is not hosted on an origin its issuer allows (${origins.join(', ')})` });
    else {
      checks.push({ check: 'proof', ok: true, message: `Hosted verification: ${id} is on ${host(id)}, an origin its issuer allows` });
      // The hosted copy is the issuer's word: revoked (OB 2.0: HTTP 410 with revoked true), or the same document.
      const { doc: hosted, error } = await load(id);
      if (error) checks.push({ check: 'proof', ok: false, message: `The hosted copy could not be fetched: ${error}` });
      else if (!hosted) warnings.push(`The hosted copy at ${id} was not fetched (fetching is off): the given copy was judged`);
      else if (hosted['revoked'] === true) hostedRevoked = hosted;
      else if (JSON.stringify(hosted) !== JSON.stringify(doc)) checks.push({ check: 'proof', ok: false, message: `The copy hosted at ${id} differs from the given one` });
    }
  } else if (method === 'signed' || method === 'SignedBadge') {
    checks.push(await signedCheck(doc, issuer, verification, load, jws));
  } else checks.push({ check: 'proof', ok: false, message: `OB 2.0 verification type ${method || '(none)'} is not supported: Shirube verifies hosted and signed assertions` });

  const issued = Date.parse(String(doc['issuedOn']));
  const expires = doc['expires'] === undefined ? undefined : Date.parse(String(doc['expires']));
  if (Number.isNaN(issued)) checks.push({ check: 'dates', ok: false, message: 'issuedOn is not a date' });
  else if (issued > now.getTime() + 300_000) checks.push({ check: 'dates', ok: false, message: `Issued in the future (${String(doc['issuedOn'])})` });
  else if (expires !== undefined && (Number.isNaN(expires) || expires < now.getTime() || expires < issued)) checks.push({ check: 'dates', ok: false, message: `Expired (expires ${String(doc['expires'])})` });
  else checks.push({ check: 'dates', ok: true, message: expires === undefined ? 'Issued in the past, no expiry' : 'Within its validity period' });

  if (issuer) checks.push({ check: 'issuer', ok: true, message: `Issuer ${String(issuer['id'] ?? '')}` });
  // The issuer's RevocationList (OB 2.0 names it for signed badges; hosted ones listed there are revoked as well).
  let listed: Obj | undefined;
  if (issuer?.['revocationList'] !== undefined) {
    const { doc: revocations, error } = await load(issuer['revocationList']);
    if (error || !revocations) checks.push({ check: 'status', ok: false, message: error ? `The issuer's RevocationList could not be checked: ${error}` : `Cannot check offline: the issuer's RevocationList ${String(issuer['revocationList'])} is not fetched` });
    else {
      // An entry is the assertion's id, or an object with its id and maybe a reason.
      const entry = list(revocations['revokedAssertions']).find((r) => (isObj(r) ? r['id'] : r) === id);
      listed = entry === undefined ? undefined : isObj(entry) ? entry : {};
    }
  }
  const revocation = hostedRevoked ?? listed ?? (doc['revoked'] === true ? doc : undefined);
  const revoked = revocation !== undefined;
  if (revocation) checks.push({ check: 'status', ok: false, message: `Revoked by its issuer${revocation['revocationReason'] ? `: ${String(revocation['revocationReason'])}` : ''}` });
  return { checks, warnings, revoked, ...(badge ? { badge } : {}), ...(issuer ? { issuer } : {}) };
}
