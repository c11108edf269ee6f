import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import * as store from '../store/suppliers.js';
import { audit, setApiClientSecret } from '../store/auth.js';
import { ShirubeError } from '../errors.js';
import { insertApiClient } from './accounts.js';
import { apiScopes } from './principal.js';
import { hashGeneratedSecret, randomToken, tokenDigest } from './secrets.js';

/**
 * Supplier self-service (docs/suppliers.md): a vendor asks for an API client, an administrator approves (choosing the
 * scopes) or rejects, and the vendor collects the secret once with the claim token it got when it asked. The secret
 * is made at that moment (the approved client's first secret is never shown), so it exists nowhere else.
 */

/** Scopes a vendor may ask for and an approval may grant: everything but administration. */
export const requestableScopes = Object.keys(apiScopes).filter((s) => s !== 'case:admin');
/** Days an approved request's secret may be collected; after that the vendor asks again. */
export const CLAIM_DAYS = 14;
/** Pending requests kept at most: a bound on what anonymous callers can make an administrator read. */
export const MAX_PENDING = 200;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface ClientRequestInput {
  organization: string;
  contactEmail: string;
  purpose: string;
  scopes: string[];
}

/** A request as administrators see it: never the claim token or its digest. */
export interface ClientRequestView {
  id: string;
  organization: string;
  contactEmail: string;
  purpose: string;
  requestedScopes: string[];
  status: store.ClientRequestStatus;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  decisionNote: string | null;
  grantedScopes: string[] | null;
  clientId: string | null;
  claimedAt: string | null;
}

const view = (r: store.ClientRequestRow): ClientRequestView => ({
  ...r,
  createdAt: r.createdAt.toISOString(),
  decidedAt: r.decidedAt?.toISOString() ?? null,
  claimedAt: r.claimedAt?.toISOString() ?? null,
});

function checkRequestable(scopes: readonly string[], field: string): string[] {
  if (!scopes.length) throw new ShirubeError('invalid_request', `${field}: at least one scope`, field);
  const bad = scopes.filter((s) => !requestableScopes.includes(s));
  if (bad.length) throw new ShirubeError('invalid_request', `${field}: not available to suppliers: ${bad.join(' ')}; choose from ${requestableScopes.join(' ')}`, field);
  return [...new Set(scopes)];
}

function text(v: string, field: string, max: number): string {
  const s = v.trim();
  if (!s) throw new ShirubeError('invalid_request', `${field}: is required`, field);
  if (s.length > max) throw new ShirubeError('invalid_request', `${field}: at most ${max} characters`, field);
  return s;
}

/** Files a pending request; the claim token in the answer is shown this once (only its digest is kept). */
export async function submitClientRequest(db: Db, input: ClientRequestInput): Promise<{ id: string; status: 'pending'; createdAt: string; claimToken: string }> {
  const organization = text(input.organization, 'organization', 200);
  const contactEmail = text(input.contactEmail, 'contactEmail', 254);
  if (!EMAIL.test(contactEmail)) throw new ShirubeError('invalid_request', 'contactEmail: an e-mail address (name@example.jp)', 'contactEmail');
  const purpose = text(input.purpose, 'purpose', 2000);
  const scopes = checkRequestable(input.scopes, 'scopes');
  if ((await store.countPendingClientRequests(db)) >= MAX_PENDING) {
    throw new ShirubeError('busy', `Too many requests are waiting for an administrator (${MAX_PENDING}); try again later`);
  }
  const claimToken = randomToken();
  const id = randomUUID();
  const r = await db.transaction().execute(async (trx) => {
    const row = await store.insertClientRequest(trx, { id, organization, contactEmail, purpose, requestedScopes: scopes, claimTokenHash: tokenDigest(claimToken) });
    // The contact address is personal data: the audit log names the organization only.
    await audit(trx, { actor: 'anonymous', action: 'client_request.create', targetType: 'api_client_request', targetId: id, details: { organization, scopes } });
    return row;
  });
  return { id, status: 'pending', createdAt: r.createdAt.toISOString(), claimToken };
}

export async function listClientRequests(db: Db, status?: store.ClientRequestStatus): Promise<ClientRequestView[]> {
  return (await store.listClientRequests(db, status)).map(view);
}

async function pending(db: Db, id: string): Promise<store.ClientRequestRow> {
  const r = await store.getClientRequest(db, id);
  if (!r) throw new ShirubeError('not_found', `No client request ${id}`, 'id');
  if (r.status !== 'pending') throw new ShirubeError('conflict', `The request is already ${r.status}`, 'id');
  return r;
}

/** Approves: makes the API client with the scopes the administrator chose (the requested ones by default). */
export async function approveClientRequest(db: Db, id: string, d: { scopes?: string[] | undefined; name?: string | undefined; note?: string | undefined }, actor: string): Promise<ClientRequestView> {
  const r = await pending(db, id);
  const scopes = checkRequestable(d.scopes ?? r.requestedScopes, 'scopes');
  return db.transaction().execute(async (trx) => {
    // The secret made here is dropped unseen: the vendor's is made when it claims (claimClientSecret).
    const client = await insertApiClient(trx, { name: d.name?.trim() || r.organization, scopes }, actor);
    if (!(await store.decideClientRequest(trx, id, { status: 'approved', decidedBy: actor, note: d.note?.trim() || null, grantedScopes: scopes, clientId: client.clientId }))) {
      throw new ShirubeError('conflict', 'The request was decided meanwhile', 'id');
    }
    await audit(trx, { actor, action: 'client_request.approve', targetType: 'api_client_request', targetId: id, details: { clientId: client.clientId, scopes } });
    return view((await store.getClientRequest(trx, id))!);
  });
}

export async function rejectClientRequest(db: Db, id: string, note: string | undefined, actor: string): Promise<ClientRequestView> {
  await pending(db, id);
  return db.transaction().execute(async (trx) => {
    if (!(await store.decideClientRequest(trx, id, { status: 'rejected', decidedBy: actor, note: note?.trim() || null, grantedScopes: null, clientId: null }))) {
      throw new ShirubeError('conflict', 'The request was decided meanwhile', 'id');
    }
    await audit(trx, { actor, action: 'client_request.reject', targetType: 'api_client_request', targetId: id });
    return view((await store.getClientRequest(trx, id))!);
  });
}

/** Erases a request with its contact address (personal data); a client it led to stays until revoked. */
export async function deleteClientRequest(db: Db, id: string, actor: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await store.deleteClientRequest(trx, id))) throw new ShirubeError('not_found', `No client request ${id}`, 'id');
    await audit(trx, { actor, action: 'client_request.delete', targetType: 'api_client_request', targetId: id });
  });
}

/** What the holder of a claim token may know: its request's state, never the contact address. */
export interface ClaimStatus {
  id: string;
  organization: string;
  status: store.ClientRequestStatus | 'claimed' | 'expired';
  requestedScopes: string[];
  grantedScopes: string[] | null;
  clientId: string | null;
  note: string | null;
  createdAt: string;
  decidedAt: string | null;
  /** Until when the secret may be collected (approved, not yet claimed). */
  claimUntil: string | null;
}

const claimDeadline = (r: store.ClientRequestRow) => (r.decidedAt ? new Date(r.decidedAt.getTime() + CLAIM_DAYS * 86_400_000) : null);

async function byToken(db: Db, token: string): Promise<store.ClientRequestRow> {
  const r = token ? await store.findClientRequestByToken(db, tokenDigest(token)) : undefined;
  if (!r) throw new ShirubeError('not_found', 'token: no request has this claim token', 'token');
  return r;
}

function claimStatus(r: store.ClientRequestRow, now: Date): ClaimStatus {
  const until = claimDeadline(r);
  const status = r.status !== 'approved' ? r.status : r.claimedAt ? 'claimed' : until && until <= now ? 'expired' : 'approved';
  return {
    id: r.id,
    organization: r.organization,
    status,
    requestedScopes: r.requestedScopes,
    grantedScopes: r.grantedScopes,
    clientId: r.status === 'approved' ? r.clientId : null,
    note: r.decisionNote,
    createdAt: r.createdAt.toISOString(),
    decidedAt: r.decidedAt?.toISOString() ?? null,
    claimUntil: status === 'approved' ? until!.toISOString() : null,
  };
}

/** The state of the request a claim token belongs to (no side effect). */
export async function clientRequestStatus(db: Db, token: string, now = new Date()): Promise<ClaimStatus> {
  return claimStatus(await byToken(db, token), now);
}

/**
 * Hands out the approved client's secret, once: a new secret is made, its hash replaces the client's, and the request
 * is marked claimed in the same transaction. A second claim (on any instance) is a 409.
 */
export async function claimClientSecret(db: Db, token: string, now = new Date()): Promise<ClaimStatus & { clientSecret: string }> {
  const r = await byToken(db, token);
  const s = claimStatus(r, now);
  if (s.status !== 'approved') {
    const why = { pending: 'is waiting for an administrator', rejected: 'was rejected', claimed: 'was already collected; ask an administrator to revoke the client and request again if it is lost', expired: `was not collected within ${CLAIM_DAYS} days; request again` }[s.status];
    throw new ShirubeError('conflict', `The secret ${why}`, 'token');
  }
  const clientSecret = randomToken();
  await db.transaction().execute(async (trx) => {
    if (!(await store.markClientRequestClaimed(trx, r.id))) throw new ShirubeError('conflict', 'The secret was already collected', 'token');
    if (!(await setApiClientSecret(trx, r.clientId!, hashGeneratedSecret(clientSecret)))) throw new ShirubeError('conflict', 'The client was revoked; request again', 'token');
    await audit(trx, { actor: `client_request:${r.id}`, action: 'client_request.claim', targetType: 'api_client', targetId: r.clientId });
  });
  return { ...s, status: 'claimed', claimUntil: null, clientSecret };
}
