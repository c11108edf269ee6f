import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
// One statement per query: PGlite's extended protocol takes no multi-statement strings.
const statements = (ddl: string) => ddl.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements(`
    -- LTI 1.3 platforms (an LMS, a 学習eポータル) that launch Shirube as a tool: one row per (issuer, client_id).
    create table lti_platform (
      id text primary key,
      label text not null,
      issuer text not null,
      client_id text not null,
      deployment_ids text[] not null,
      auth_login_url text not null,
      access_token_url text not null,
      jwks_url text not null,
      -- The school new classes of this platform's contexts belong to (none: an administrator links contexts to classes).
      school_id text references organization(id) on delete set null,
      -- Whether the platform's system or institution Administrator role makes a Shirube administrator.
      trust_administrators boolean not null default false,
      created_at timestamptz not null default now(),
      unique (issuer, client_id)
    );

    -- A course or class of a platform (the launch's context claim), and the Shirube class its members are enrolled in.
    create table lti_context (
      id text primary key,
      platform_id text not null references lti_platform(id) on delete cascade,
      context_id text not null,
      title text not null,
      class_id text references roster_class(id) on delete set null,
      -- Names and Role Provisioning Services: where the context's members are read (from the latest launch).
      memberships_url text,
      updated_at timestamptz not null default now(),
      unique (platform_id, context_id)
    );
    create index lti_context_class_idx on lti_context (class_id);

    -- Launches between the login initiation and the platform's form post of the id_token (any instance may receive it).
    -- The state is a bearer secret: only its SHA-256 digest is kept. Taken (deleted) once.
    create table lti_pending_launch (
      state_hash text primary key,
      platform_id text not null references lti_platform(id) on delete cascade,
      nonce text not null,
      expires_at timestamptz not null
    );
    create index lti_pending_launch_platform_idx on lti_pending_launch (platform_id, expires_at);
    create index lti_pending_launch_expires_idx on lti_pending_launch (expires_at);

    -- The tool's own RS256 keys (deep linking responses, client assertions), the private part encrypted with the
    -- secret key (AES-256-GCM, as issuers' badge keys); the oldest active key signs, all are published.
    create table lti_tool_key (
      kid text primary key,
      public_jwk jsonb not null,
      private_jwk_enc text not null,
      created_at timestamptz not null default now()
    );

    alter table roster_class drop constraint roster_class_source_check;
    alter table roster_class add constraint roster_class_source_check check (source in ('manual', 'oneroster', 'lti'));
    alter table roster_person drop constraint roster_person_source_check;
    alter table roster_person add constraint roster_person_source_check check (source in ('manual', 'oneroster', 'lti'));
    alter table enrollment drop constraint enrollment_source_check;
    alter table enrollment add constraint enrollment_source_check check (source in ('manual', 'oneroster', 'lti'));
  `)) {
    await sql.raw(s).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table lti_tool_key, lti_pending_launch, lti_context, lti_platform`.execute(db);
}
