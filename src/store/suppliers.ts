import { sql, type ColumnType, type Kysely } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './tables.js';

type DefaultNow = ColumnType<Date, Date | string | undefined, Date | string>;

export type ClientRequestStatus = 'pending' | 'approved' | 'rejected';

export interface ApiClientRequestTable {
  id: string;
  organization: string;
  contact_email: string;
  purpose: string;
  requested_scopes: string[];
  status: ColumnType<ClientRequestStatus, ClientRequestStatus | undefined, ClientRequestStatus>;
  claim_token_hash: string;
  created_at: DefaultNow;
  decided_at: Date | null;
  decided_by: string | null;
  decision_note: string | null;
  granted_scopes: string[] | null;
  client_id: string | null;
  claimed_at: Date | null;
}

export interface ApiClientUsageTable {
  client_id: string;
  /** YYYY-MM-DD (UTC). */
  day: ColumnType<string, string, string>;
  requests: number;
  errors: number;
}

/** The tables of migration 0020. */
export type SupplierTables = { api_client_request: ApiClientRequestTable; api_client_usage: ApiClientUsageTable };

const sdb = (db: Db): Kysely<Database & SupplierTables> => db.withTables<SupplierTables>();

export interface ClientRequestRow {
  id: string;
  organization: string;
  contactEmail: string;
  purpose: string;
  requestedScopes: string[];
  status: ClientRequestStatus;
  createdAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  decisionNote: string | null;
  grantedScopes: string[] | null;
  clientId: string | null;
  claimedAt: Date | null;
}

const toRequest = (r: Omit<ApiClientRequestTable, 'created_at' | 'status' | 'claim_token_hash'> & { created_at: Date; status: ClientRequestStatus }): ClientRequestRow => ({
  id: r.id,
  organization: r.organization,
  contactEmail: r.contact_email,
  purpose: r.purpose,
  requestedScopes: r.requested_scopes,
  status: r.status,
  createdAt: new Date(r.created_at),
  decidedAt: r.decided_at && new Date(r.decided_at),
  decidedBy: r.decided_by,
  decisionNote: r.decision_note,
  grantedScopes: r.granted_scopes,
  clientId: r.client_id,
  claimedAt: r.claimed_at && new Date(r.claimed_at),
});

export async function insertClientRequest(
  db: Db,
  r: Pick<ClientRequestRow, 'id' | 'organization' | 'contactEmail' | 'purpose' | 'requestedScopes'> & { claimTokenHash: string },
): Promise<ClientRequestRow> {
  const row = await sdb(db)
    .insertInto('api_client_request')
    .values({ id: r.id, organization: r.organization, contact_email: r.contactEmail, purpose: r.purpose, requested_scopes: r.requestedScopes, claim_token_hash: r.claimTokenHash })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRequest(row);
}

export async function countPendingClientRequests(db: Db): Promise<number> {
  const { n } = await sdb(db).selectFrom('api_client_request').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
  return Number(n);
}

export async function listClientRequests(db: Db, status?: ClientRequestStatus): Promise<ClientRequestRow[]> {
  let q = sdb(db).selectFrom('api_client_request').selectAll();
  if (status) q = q.where('status', '=', status);
  return (await q.orderBy('created_at', 'desc').orderBy('id').limit(1000).execute()).map(toRequest);
}

export async function getClientRequest(db: Db, id: string): Promise<ClientRequestRow | undefined> {
  const r = await sdb(db).selectFrom('api_client_request').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toRequest(r);
}

export async function findClientRequestByToken(db: Db, claimTokenHash: string): Promise<ClientRequestRow | undefined> {
  const r = await sdb(db).selectFrom('api_client_request').selectAll().where('claim_token_hash', '=', claimTokenHash).executeTakeFirst();
  return r && toRequest(r);
}

/** Decides a pending request; false when it is no longer pending (decided by somebody else meanwhile). */
export async function decideClientRequest(
  db: Db,
  id: string,
  d: { status: 'approved' | 'rejected'; decidedBy: string; note: string | null; grantedScopes: string[] | null; clientId: string | null },
): Promise<boolean> {
  const r = await sdb(db)
    .updateTable('api_client_request')
    .set({ status: d.status, decided_at: new Date(), decided_by: d.decidedBy, decision_note: d.note, granted_scopes: d.grantedScopes, client_id: d.clientId })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Marks an approved request's secret as handed out; false when it already was (once, on any instance). */
export async function markClientRequestClaimed(db: Db, id: string): Promise<boolean> {
  const r = await sdb(db)
    .updateTable('api_client_request')
    .set({ claimed_at: new Date() })
    .where('id', '=', id)
    .where('status', '=', 'approved')
    .where('claimed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Erases a request (its contact address is personal data); the client it led to stays. */
export async function deleteClientRequest(db: Db, id: string): Promise<boolean> {
  const r = await sdb(db).deleteFrom('api_client_request').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// Usage

export interface UsageIncrement {
  clientId: string;
  day: string;
  requests: number;
  errors: number;
}

/** Adds counts in one statement: instances adding at once all count. */
export async function addClientUsage(db: Db, rows: UsageIncrement[]): Promise<void> {
  if (!rows.length) return;
  await sdb(db)
    .insertInto('api_client_usage')
    .values(rows.map((r) => ({ client_id: r.clientId, day: r.day, requests: r.requests, errors: r.errors })))
    .onConflict((oc) =>
      oc.columns(['client_id', 'day']).doUpdateSet({
        requests: sql<number>`api_client_usage.requests + excluded.requests`,
        errors: sql<number>`api_client_usage.errors + excluded.errors`,
      }),
    )
    .execute();
}

/** Counts per client and day from `since` (a YYYY-MM-DD day), newest day first; of one client or all. */
export async function clientUsage(db: Db, since: string, clientId?: string): Promise<UsageIncrement[]> {
  let q = sdb(db)
    .selectFrom('api_client_usage')
    .select(['client_id', sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), 'requests', 'errors'])
    .where('day', '>=', since);
  if (clientId !== undefined) q = q.where('client_id', '=', clientId);
  const rows = await q.orderBy('day', 'desc').orderBy('client_id').execute();
  return rows.map((r) => ({ clientId: r.client_id, day: r.day, requests: r.requests, errors: r.errors }));
}
