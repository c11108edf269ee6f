import { createHash, randomUUID } from 'node:crypto';
import { createCredential, createList } from '@digitalbazaar/vc-bitstring-status-list';
import type { Db } from '../store/db.js';
import * as store from '../store/badges.js';
import { type BadgeContext, type IssuerRow } from './issuers.js';
import { signCredential } from './sign.js';

export const statusListUrl = (publicUrl: string, listId: string) => `${publicUrl}/badges/status/${listId}`;

/** A BitstringStatusListEntry (revocation) for a new credential of this issuer. */
export async function newStatusEntry(db: Db, publicUrl: string, issuer: IssuerRow) {
  const { listId, index } = await store.allocateStatusEntry(db, issuer.id, 'revocation', randomUUID);
  const url = statusListUrl(publicUrl, listId);
  return { listId, index, entry: { id: `${url}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(index), statusListCredential: url } };
}

/**
 * Signed lists, per database, by list id: the signature (JSON-LD canonicalization + Ed25519) is the cost of a status
 * request, and a list changes only on revocation or key rotation. Kept in memory rather than in the database because
 * each request checks the entry against the database anyway: its fingerprint is the list's state (revoked indexes,
 * the issuer's DID and active key), read from the database on every request, so a revocation or rotation by any
 * process (another server, the CLI's erasure) shows on the very next request, and no other code has to invalidate
 * anything. Processes sign their own copies of the same state, hence weak ETags (the same list, not the same bytes).
 */
const signed = new WeakMap<Db, Map<string, { fingerprint: string; credential: Promise<Record<string, unknown>> }>>();
const MAX_CACHED = 1000;

export interface StatusList {
  /** A weak ETag of the list's state: equal for the same revocations, issuer DID and signing key. */
  etag: string;
  /** The signed BitstringStatusListCredential (signed once per state). */
  credential(): Promise<Record<string, unknown>>;
}

/** A status list as it is now, or undefined if there is no such list. */
export async function statusList(ctx: BadgeContext, listId: string): Promise<StatusList | undefined> {
  const s = await store.getStatusList(ctx.db, listId);
  if (!s) return undefined;
  const issuer = (await store.getIssuer(ctx.db, { id: s.issuerId }))!;
  const key = (await store.issuerKeys(ctx.db, issuer.id)).find((k) => k.active);
  const revoked = [...s.revoked].sort((a, b) => a - b);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([ctx.publicUrl, s.id, s.purpose, s.length, issuer.did, key?.verificationMethod ?? null, revoked]))
    .digest('base64url');
  const cache = signed.get(ctx.db) ?? new Map();
  signed.set(ctx.db, cache);
  const sign = async () => {
    const list = await createList({ length: s.length });
    for (const i of revoked) list.setStatus(i, true);
    const credential = await createCredential({ id: statusListUrl(ctx.publicUrl, listId), list, statusPurpose: s.purpose });
    return signCredential(ctx, issuer, { ...credential, issuer: issuer.did, validFrom: isoSeconds(new Date()) });
  };
  return {
    etag: `W/"${fingerprint}"`,
    credential() {
      const hit = cache.get(listId);
      if (hit?.fingerprint === fingerprint) return hit.credential;
      const credential = sign();
      cache.delete(listId);
      cache.set(listId, { fingerprint, credential });
      if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
      // A failed signature is not kept.
      credential.catch(() => cache.get(listId)?.credential === credential && cache.delete(listId));
      return credential;
    },
  };
}

/** The signed BitstringStatusListCredential of a list, from the revoked credentials as they are now. */
export async function statusListCredential(ctx: BadgeContext, listId: string): Promise<Record<string, unknown> | undefined> {
  return (await statusList(ctx, listId))?.credential();
}

/** ISO 8601 without milliseconds, in UTC. */
export const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
