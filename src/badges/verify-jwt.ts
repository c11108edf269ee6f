import * as jose from 'jose';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { didKeyDocument, ED25519_MULTIBASE, isObj, messageOf, type Check, type Obj, type Resolve } from './verify-proof.js';

/** A compact JWS: three base64url parts (OB 3.0 VC-JWT, NOTES.md §2.2). */
export const isCompactJws = (s: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(s);

/** The JSON payload of a compact JWS, unverified (to tell what it carries), or undefined. */
export function jwsPayload(jws: string): Obj | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'));
    return isObj(payload) ? payload : undefined;
  } catch {
    return undefined;
  }
}

// RS256 is the spec's minimum; ES256 is what the 1EdTech validator also takes; EdDSA is what Shirube's keys sign with.
const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
const HEADERS = new Set(['alg', 'kid', 'jwk', 'typ']);
const CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];

export interface JwtVerdict {
  /** The credential the JWT carries (its `vc` claim, or the payload less the JWT claims); undefined if unreadable. */
  credential?: Obj;
  checks: Check[];
  warnings: string[];
  /** The key's DID URL or URL when the header names one by `kid`. */
  signer?: string;
}

/** A Multikey (Ed25519) as a public JWK. */
async function multikeyJwk(publicKeyMultibase: string): Promise<jose.JWK> {
  const keyPair = await Ed25519Multikey.from({ type: 'Multikey', publicKeyMultibase });
  return (await Ed25519Multikey.toJwk({ keyPair })) as jose.JWK;
}

/** The public JWK in a verification method (publicKeyJwk, or an Ed25519 publicKeyMultibase), or a bare JWK. */
async function jwkOf(doc: Obj | undefined): Promise<jose.JWK | undefined> {
  if (!doc) return undefined;
  if (typeof doc['kty'] === 'string') return doc as jose.JWK;
  if (isObj(doc['publicKeyJwk'])) return doc['publicKeyJwk'] as jose.JWK;
  const mb = doc['publicKeyMultibase'];
  return typeof mb === 'string' && ED25519_MULTIBASE.test(mb) ? multikeyJwk(mb) : undefined;
}

/**
 * The key a `kid` names: a did:key, a DID URL or URL `resolve` answers (this Shirube's did:web), an Ed25519 key carried
 * in the URL's fragment, or a bare fragment of a DID issuer (the validator's "kid as hint"); then, when fetching is on,
 * the DID document or key `remote` fetches (a failed fetch throws why).
 */
async function kidJwk(kid: string, issuerId: string | undefined, resolve: Resolve, remote?: Resolve): Promise<{ url: string; jwk?: jose.JWK }> {
  const url = !/^[a-z][a-z0-9+.-]*:/i.test(kid) && issuerId?.startsWith('did:') ? `${issuerId}#${kid.replace(/^#/, '')}` : kid;
  if (url.startsWith('did:key:')) {
    const doc = didKeyDocument(url.includes('#') ? url : `${url}#${url.slice('did:key:'.length)}`);
    return { url, jwk: await jwkOf(doc) };
  }
  const fragment = url.split('#')[1];
  const doc = (await resolve(url)) ?? (fragment && ED25519_MULTIBASE.test(fragment) ? undefined : await remote?.(url));
  if (doc) {
    const methods = Array.isArray(doc['verificationMethod']) ? (doc['verificationMethod'] as Obj[]) : [];
    return { url, jwk: await jwkOf(methods.find((m) => m['id'] === url) ?? doc) };
  }
  return { url, jwk: fragment && ED25519_MULTIBASE.test(fragment) ? await multikeyJwk(fragment) : undefined };
}

const seconds = (v: unknown) => {
  const t = Date.parse(String(v ?? ''));
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
};
const idOf = (v: unknown) => (typeof v === 'string' ? v : isObj(v) && typeof v['id'] === 'string' ? v['id'] : undefined);

/**
 * The JWT claims against the credential they wrap (OB 3.0 §VC-JWT: iss = issuer.id, jti = id, sub =
 * credentialSubject.id, nbf = validFrom, exp = validUntil). A contradiction fails; a missing claim is a warning, as
 * the 1EdTech validator accepts badges without them (its simple-jwt fixtures have no `sub`).
 */
function claimsCheck(payload: jose.JWTPayload, credential: Obj, now: Date, warnings: string[]): Check {
  const expected: Array<[string, unknown, unknown]> = [
    ['iss', payload.iss, idOf(credential['issuer'])],
    ['jti', payload.jti, credential['id']],
    ['sub', payload.sub, idOf(credential['credentialSubject'])],
    ['nbf', payload.nbf, seconds(credential['validFrom'] ?? credential['issuanceDate'])],
    ['exp', payload.exp, seconds(credential['validUntil'] ?? credential['expirationDate'])],
  ];
  const wrong: string[] = [];
  for (const [claim, got, want] of expected) {
    if (want === undefined) continue;
    if (got === undefined) warnings.push(`The JWT has no ${claim} claim`);
    else if (got !== want) wrong.push(`${claim} is ${String(got)}, the credential says ${String(want)}`);
  }
  if (typeof payload.exp === 'number' && payload.exp * 1000 < now.getTime()) wrong.push(`the JWT expired at ${new Date(payload.exp * 1000).toISOString()}`);
  return wrong.length ? { check: 'claims', ok: false, message: `JWT claims: ${wrong.join('; ')}` } : { check: 'claims', ok: true, message: 'The JWT claims match the credential' };
}

/** Verifies a VC-JWT: the JOSE header, the signature with the key it names, and the claims against the credential. */
export async function verifyJwt(jws: string, resolve: Resolve, now: Date, remote?: Resolve): Promise<JwtVerdict> {
  const warnings: string[] = [];
  let header: jose.ProtectedHeaderParameters;
  let payload: jose.JWTPayload;
  try {
    header = jose.decodeProtectedHeader(jws);
    payload = jose.decodeJwt(jws);
  } catch (e) {
    return { checks: [{ check: 'format', ok: false, message: `Not a readable compact JWS: ${messageOf(e)}` }], warnings };
  }
  const credential = isObj(payload['vc']) ? payload['vc'] : Object.fromEntries(Object.entries(payload).filter(([k]) => !CLAIMS.includes(k)));
  const checks: Check[] = [];
  const extra = Object.keys(header).filter((h) => !HEADERS.has(h));
  if (extra.length) warnings.push(`The JOSE header has headers OB 3.0 does not allow: ${extra.join(', ')}`);
  if (header.typ !== undefined && header.typ !== 'JWT') warnings.push(`The JOSE header's typ is ${header.typ}, not JWT`);

  let signer: string | undefined;
  const proof = await (async (): Promise<Check> => {
    if (!header.alg || !ALGORITHMS.includes(header.alg)) return { check: 'proof', ok: false, message: `JWT algorithm ${header.alg ?? '(none)'} is not accepted (${ALGORITHMS.join(', ')})` };
    let jwk: jose.JWK | undefined;
    if (header.jwk) {
      if ('d' in header.jwk) return { check: 'proof', ok: false, message: 'The JOSE header carries a private key (jwk with d)' };
      jwk = header.jwk;
    } else if (typeof header.kid === 'string') {
      let found: Awaited<ReturnType<typeof kidJwk>>;
      try {
        found = await kidJwk(header.kid, idOf(credential['issuer']), resolve, remote);
      } catch (e) {
        return { check: 'proof', ok: false, message: `The key ${header.kid} (kid) cannot be resolved: ${messageOf(e)}` };
      }
      signer = found.url;
      if (!found.jwk) return { check: 'proof', ok: false, message: remote ? `The key ${found.url} (kid) has no public key Shirube can use (publicKeyJwk, or an Ed25519 publicKeyMultibase)` : `The key ${found.url} (kid) cannot be resolved offline: Shirube resolves did:key, its own did:web and keys in the URL fragment` };
      jwk = found.jwk;
    } else return { check: 'proof', ok: false, message: 'The JOSE header has neither jwk nor kid: no key to verify with' };
    try {
      await jose.compactVerify(jws, await jose.importJWK(jwk, header.alg), { algorithms: [header.alg] });
      return { check: 'proof', ok: true, message: `The JWT signature (${header.alg}) is valid` };
    } catch (e) {
      return { check: 'proof', ok: false, message: `JWT signature: ${messageOf(e)}` };
    }
  })();
  checks.push(proof, claimsCheck(payload, credential, now, warnings));
  return { credential, checks, warnings, ...(signer ? { signer } : {}) };
}
