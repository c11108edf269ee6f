import { importJWK, SignJWT } from 'jose';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as store from '../store/badges.js';
import { ShirubeError } from '../errors.js';
import { activeKeyPair, type BadgeContext } from './issuers.js';

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * The VC-JWT form of an issued credential (OB 3.0 §VC-JWT, NOTES.md §2.2), made on demand from the stored credential:
 * a compact JWS whose payload is the credential with its embedded proof (the spec adds the embedded proof before the
 * JWT) plus `iss`, `jti`, `nbf`, `sub` and `exp`; header `{alg, typ: "JWT", kid}`, `kid` being the DID URL of the
 * issuer's active key, resolvable from its DID document.
 *
 * Algorithm: EdDSA (Ed25519), with the issuer's one Multikey, not RS256. The spec names RS256 as the minimum a
 * verifier supports and permits others; a second (RSA) key per issuer would be one more secret to encrypt, rotate and
 * publish, and the same key behind both proofs lets a verifier check either against one DID document entry. The cost:
 * a verifier that knows only RS256 cannot check the JWT, but can check the same credential's embedded proof.
 */
export async function credentialJwt(ctx: BadgeContext, c: store.CredentialRow): Promise<string> {
  const vc = c.payload as { id: string; issuer: { id: string }; validFrom: string; validUntil?: string; credentialSubject: { id?: string } };
  const subject = vc.credentialSubject.id;
  if (!subject) {
    throw new ShirubeError('conflict', 'This credential was issued before Shirube gave subjects an id; VC-JWT needs one as `sub`. Download it as JSON, PNG or SVG (embedded proof) instead', 'format');
  }
  const issuer = (await store.getIssuer(ctx.db, { id: c.issuerId }))!;
  // Switched between did:web and did:key since: the active key no longer belongs to the credential's issuer id.
  if (issuer.did !== vc.issuer.id) throw new ShirubeError('conflict', 'The issuer’s DID changed since this credential was issued; download it as JSON, PNG or SVG (embedded proof) instead', 'format');
  const key = await activeKeyPair(ctx, issuer);
  const jwk = await Ed25519Multikey.toJwk({ keyPair: key, secretKey: true });
  // The Multikey secret is seed ‖ public key; a JWK's `d` is the 32-byte seed.
  const secret = await importJWK({ ...jwk, d: Buffer.from(jwk.d!, 'base64url').subarray(0, 32).toString('base64url') }, 'EdDSA');
  const jwt = new SignJWT(vc).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: key.id! }).setIssuer(vc.issuer.id).setJti(vc.id).setSubject(subject).setNotBefore(seconds(vc.validFrom));
  if (vc.validUntil) jwt.setExpirationTime(seconds(vc.validUntil));
  return jwt.sign(secret);
}
