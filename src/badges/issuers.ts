import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { Db } from '../store/db.js';
import * as store from '../store/badges.js';
import { uuidv5 } from '../case/index.js';
import { ShirubeError } from '../errors.js';
import { decrypt, encrypt, type SecretKey } from './secret.js';
import type { RemoteFetcher } from './remote-resolver.js';

/** What the badge domain needs from the running server. */
export interface BadgeContext {
  db: Db;
  publicUrl: string;
  secret: SecretKey;
  /** Fetches what verification needs from other hosts (SHIRUBE_VERIFY_FETCH); unset: verification stays offline. */
  remote?: RemoteFetcher;
}

export type IssuerRow = store.IssuerRow;
export const DEFAULT_ISSUER = 'shirube';
const NAMESPACE = '5b1c2f1e-7a43-5f0e-9c61-6f6e2d6a0b03';
const SAFE_ID = /^[A-Za-z0-9._-]{1,100}$/;

export const DID_CONTEXT = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'];

/** did:web of an issuer under SHIRUBE_PUBLIC_URL (path form): resolves to <publicUrl>/issuers/<id>/did.json. */
export function didWebOf(publicUrl: string, issuerId: string): string {
  const u = new URL(publicUrl);
  const path = [...u.pathname.split('/').filter(Boolean), 'issuers', issuerId];
  return ['did:web', encodeURIComponent(u.host), ...path.map(encodeURIComponent)].join(':');
}

/** The HTTPS (or, for a local test server, HTTP) URL a did:web resolves to. */
export function didWebDocumentUrl(did: string, scheme: 'https' | 'http' = 'https'): string {
  const [, , host, ...path] = did.split(':');
  if (!host) throw new ShirubeError('invalid_request', `Not a did:web: ${did}`);
  const tail = path.length ? path.map(decodeURIComponent).join('/') : '.well-known';
  return `${scheme}://${decodeURIComponent(host)}/${tail}/did.json`;
}

export const issuerProfileUrl = (publicUrl: string, issuerId: string) => `${publicUrl}/issuers/${encodeURIComponent(issuerId)}`;

/** The issuer for an organisation (null: Shirube itself), created with its first key on first use. */
export async function ensureIssuer(ctx: BadgeContext, org: { id: string; name: string } | null, didMethod: 'web' | 'key' = 'web'): Promise<IssuerRow> {
  const found = await store.getIssuer(ctx.db, { organizationId: org?.id ?? null });
  if (found) return found;
  const id = org ? (SAFE_ID.test(org.id) && org.id !== DEFAULT_ISSUER ? org.id : uuidv5(org.id, NAMESPACE)) : DEFAULT_ISSUER;
  const issuer: IssuerRow = { id, organizationId: org?.id ?? null, name: org?.name ?? 'Shirube', url: issuerProfileUrl(ctx.publicUrl, id), didMethod, did: didWebOf(ctx.publicUrl, id) };
  await store.insertIssuer(ctx.db, issuer);
  return rotateKey(ctx, issuer.id, didMethod);
}

/**
 * A new signing key becomes active; the old ones stay in the DID document's assertionMethod, so credentials signed
 * with them still verify. With did:key the issuer's DID is the new key's (old did:key credentials resolve by
 * themselves). Returns the issuer as it is now.
 */
export async function rotateKey(ctx: BadgeContext, issuerId: string, didMethod?: 'web' | 'key'): Promise<IssuerRow> {
  const issuer = await store.getIssuer(ctx.db, { id: issuerId });
  if (!issuer) throw new ShirubeError('not_found', `No issuer ${issuerId}`, 'issuerId');
  const method = didMethod ?? issuer.didMethod;
  const key = await Ed25519Multikey.generate();
  const did = method === 'key' ? `did:key:${key.publicKeyMultibase}` : didWebOf(ctx.publicUrl, issuer.id);
  if (did !== issuer.did || method !== issuer.didMethod) await store.updateIssuer(ctx.db, issuer.id, { did, didMethod: method });
  await store.addActiveKey(ctx.db, {
    verificationMethod: `${did}#${key.publicKeyMultibase}`,
    issuerId: issuer.id,
    publicKeyMultibase: key.publicKeyMultibase,
    secretKeyEnc: encrypt(ctx.secret, key.secretKeyMultibase!),
  });
  return { ...issuer, did, didMethod: method };
}

/** The issuer's DID document: every key it ever had (retired ones stay for old credentials). */
export async function didDocument(db: Db, issuer: IssuerRow): Promise<Record<string, unknown>> {
  const keys = (await store.issuerKeys(db, issuer.id)).filter((k) => k.verificationMethod.startsWith(`${issuer.did}#`));
  const methods = keys.map((k) => ({ id: k.verificationMethod, type: 'Multikey', controller: issuer.did, publicKeyMultibase: k.publicKeyMultibase }));
  return { '@context': DID_CONTEXT, id: issuer.did, verificationMethod: methods, assertionMethod: methods.map((m) => m.id) };
}

/** The OB 3.0 Profile of the issuer, as embedded in its credentials. */
export const issuerProfile = (issuer: IssuerRow) => ({
  id: issuer.did,
  type: ['Profile'],
  name: issuer.name,
  ...(issuer.url ? { url: issuer.url } : {}),
});

/** The active key pair, decrypted, ready to sign. */
export async function activeKeyPair(ctx: BadgeContext, issuer: IssuerRow): Promise<Ed25519Multikey.Ed25519KeyPair> {
  const key = (await store.issuerKeys(ctx.db, issuer.id)).find((k) => k.active);
  if (!key) throw new ShirubeError('internal', `Issuer ${issuer.id} has no active key`);
  return Ed25519Multikey.from({
    type: 'Multikey',
    id: key.verificationMethod,
    controller: issuer.did,
    publicKeyMultibase: key.publicKeyMultibase,
    secretKeyMultibase: decrypt(ctx.secret, key.secretKeyEnc),
  });
}
