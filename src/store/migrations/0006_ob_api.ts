import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
// One statement per query: PGlite's extended protocol takes no multi-statement strings.
const statements = (ddl: string) => ddl.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements(`
    -- Open Badges 3.0 API clients (wallets, other platforms), registered dynamically (RFC 7591). Kept apart from
    -- api_client: anybody may register one, and it may only act for a learner who consented, never on its own.
    create table ob_client (
      id text primary key,
      secret_hash text not null,
      client_name text not null,
      client_uri text,
      logo_uri text,
      tos_uri text,
      policy_uri text,
      redirect_uris text[] not null,
      scopes text[] not null,
      created_at timestamptz not null default now()
    );

    -- A learner's consent to a client (one per authorization code exchanged): the scopes it may use. Revoking it
    -- deletes the row, and with it every token issued under it.
    create table ob_grant (
      id text primary key,
      client_id text not null references ob_client(id) on delete cascade,
      user_id text not null references app_user(id) on delete cascade,
      learner_id text not null,
      scopes text[] not null,
      created_at timestamptz not null default now()
    );
    create index ob_grant_learner_idx on ob_grant (learner_id);
    create index ob_grant_client_idx on ob_grant (client_id);

    -- Authorization codes (SHA-256 digests): single-use, short-lived, bound to the client, the redirect URI and the
    -- PKCE challenge. A used code keeps its grant, so that a replayed code revokes what it gave (RFC 6749 §4.1.2).
    create table ob_authorization_code (
      code_hash text primary key,
      client_id text not null references ob_client(id) on delete cascade,
      user_id text not null references app_user(id) on delete cascade,
      learner_id text not null,
      redirect_uri text not null,
      scopes text[] not null,
      code_challenge text not null,
      expires_at timestamptz not null,
      used_at timestamptz,
      grant_id text references ob_grant(id) on delete set null
    );
    create index ob_authorization_code_learner_idx on ob_authorization_code (learner_id);

    -- Access and refresh tokens of a grant (SHA-256 digests). A refresh token is used once (rotation); used_at
    -- marks it, so that a replayed one revokes the grant.
    create table ob_token (
      token_hash text primary key,
      grant_id text not null references ob_grant(id) on delete cascade,
      kind text not null check (kind in ('access', 'refresh')),
      scopes text[] not null,
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index ob_token_grant_idx on ob_token (grant_id);

    -- Credentials another platform (or the learner's wallet) put into a learner's passport (upsertCredential),
    -- verified before they were stored: the JSON credential, or a VC-JWT's compact JWS.
    create table ob_external_credential (
      learner_id text not null,
      credential_id text not null,
      payload jsonb,
      compact_jws text,
      client_id text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (learner_id, credential_id),
      check ((payload is null) <> (compact_jws is null))
    );

    -- The learner's own OB 3.0 Profile (getProfile / putProfile): an opaque id, and only what the learner set.
    create table ob_profile (
      learner_id text primary key,
      profile_id text not null unique,
      payload jsonb not null,
      updated_at timestamptz not null default now()
    );
  `)) {
    await sql.raw(s).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table ob_profile, ob_external_credential, ob_token, ob_authorization_code, ob_grant, ob_client`.execute(db);
}
