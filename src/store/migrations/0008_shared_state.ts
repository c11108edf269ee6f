import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
// One statement per query: PGlite's extended protocol takes no multi-statement strings.
const statements = (ddl: string) => ddl.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements(`
    -- School-account sign-ins between the redirect to the provider and its redirect back, which may reach another
    -- instance. The state is a bearer secret: only its SHA-256 digest is kept. Taken (deleted) once.
    create table oidc_pending_sign_in (
      state_hash text primary key,
      school_id text not null,
      nonce text not null,
      code_verifier text not null,
      return_to text not null,
      expires_at timestamptz not null
    );
    create index oidc_pending_sign_in_school_idx on oidc_pending_sign_in (school_id, expires_at);
    create index oidc_pending_sign_in_expires_idx on oidc_pending_sign_in (expires_at);

    -- Failure counters (sign-in per username and per client address, OB client registrations per address), shared
    -- by every instance: a fixed window from the first failure. The key is a SHA-256 digest, never the username or
    -- address itself.
    create table rate_limit (
      bucket text not null,
      key_hash text not null,
      count integer not null,
      reset_at timestamptz not null,
      primary key (bucket, key_hash)
    );
    create index rate_limit_reset_idx on rate_limit (reset_at);
  `)) {
    await sql.raw(s).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table rate_limit, oidc_pending_sign_in`.execute(db);
}
