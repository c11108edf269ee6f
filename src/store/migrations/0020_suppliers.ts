import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // A vendor's request for an API client (docs/suppliers.md): pending until an administrator approves (an api_client
  // is made) or rejects it. The requester holds a claim token, kept only as its SHA-256 digest, that shows the
  // request's state and, once, the client's secret.
  await sql`
    create table api_client_request (
      id text primary key,
      organization text not null,
      contact_email text not null,
      purpose text not null,
      requested_scopes text[] not null,
      status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
      claim_token_hash text not null unique,
      created_at timestamptz not null default now(),
      decided_at timestamptz,
      decided_by text,
      decision_note text,
      granted_scopes text[],
      client_id text,
      claimed_at timestamptz
    )`.execute(db);
  await sql`create index api_client_request_created on api_client_request (status, created_at)`.execute(db);
  // Requests per API client per day (UTC), added to by every instance; errors are answers of 400 and above.
  await sql`
    create table api_client_usage (
      client_id text not null,
      day date not null,
      requests integer not null default 0,
      errors integer not null default 0,
      primary key (client_id, day)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table api_client_usage`.execute(db);
  await sql`drop table api_client_request`.execute(db);
}
