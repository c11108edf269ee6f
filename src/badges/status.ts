import { randomUUID } from 'node:crypto';
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

/** The signed BitstringStatusListCredential of a list, built from the revoked credentials as they are now. */
export async function statusListCredential(ctx: BadgeContext, listId: string): Promise<Record<string, unknown> | undefined> {
  const s = await store.getStatusList(ctx.db, listId);
  if (!s) return undefined;
  const issuer = (await store.getIssuer(ctx.db, { id: s.issuerId }))!;
  const list = await createList({ length: s.length });
  for (const i of s.revoked) list.setStatus(i, true);
  const credential = await createCredential({ id: statusListUrl(ctx.publicUrl, listId), list, statusPurpose: s.purpose });
  return signCredential(ctx, issuer, { ...credential, issuer: issuer.did, validFrom: isoSeconds(new Date()) });
}

/** ISO 8601 without milliseconds, in UTC. */
export const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
