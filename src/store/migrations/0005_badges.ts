import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
// One statement per query: PGlite's extended protocol takes no multi-statement strings.
const statements = (ddl: string) => ddl.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements(`
    -- An issuer of Open Badges: an organisation (school, board) or Shirube itself (organization_id null), known by
    -- its DID (did:web under SHIRUBE_PUBLIC_URL, or did:key).
    create table badge_issuer (
      id text primary key,
      organization_id text unique references organization(id) on delete set null,
      name text not null,
      url text,
      did_method text not null check (did_method in ('web', 'key')),
      did text not null unique,
      created_at timestamptz not null default now()
    );

    -- Signing keys (Ed25519 Multikey). The secret is encrypted at rest (AES-256-GCM, SHIRUBE_SECRET_KEY or the
    -- data directory's key file). Rotation retires a key but keeps it in the DID document: old credentials verify.
    create table badge_issuer_key (
      verification_method text primary key,
      issuer_id text not null references badge_issuer(id) on delete cascade,
      public_key_multibase text not null,
      secret_key_enc text not null,
      active boolean not null,
      created_at timestamptz not null default now(),
      retired_at timestamptz
    );
    create index badge_issuer_key_issuer_idx on badge_issuer_key (issuer_id);

    -- An Achievement for one CFItem or a group of items, with its machine rule.
    create table badge_achievement (
      id text primary key,
      framework_identifier text not null,
      item_ids text[] not null,
      name text not null,
      description text not null,
      image text,
      criteria_narrative text not null,
      rule jsonb not null,
      human_code text,
      alignment jsonb not null,
      enabled boolean not null default true,
      updated_at timestamptz not null default now()
    );
    create index badge_achievement_framework_idx on badge_achievement (framework_identifier);

    -- Which achievements an item's evidence may change (candidates are evaluated per changed item).
    create table badge_achievement_item (
      item_id text not null,
      achievement_id text not null references badge_achievement(id) on delete cascade,
      primary key (item_id, achievement_id)
    );

    -- A learner who meets (or met) an achievement's rule, waiting for a teacher.
    create table badge_candidate (
      achievement_id text not null references badge_achievement(id) on delete cascade,
      learner_id text not null references learner(id) on delete cascade,
      status text not null check (status in ('pending', 'dismissed', 'issued')),
      met_at timestamptz not null,
      -- Counts and period of the evidence behind it (no personal data).
      summary jsonb not null,
      reason text,
      decided_by text,
      decided_at timestamptz,
      credential_id text,
      primary key (achievement_id, learner_id)
    );
    create index badge_candidate_learner_idx on badge_candidate (learner_id);
    create index badge_candidate_status_idx on badge_candidate (status);

    -- Status lists (BitstringStatusList) per issuer and purpose; entries are handed out in order.
    create table badge_status_list (
      id text primary key,
      issuer_id text not null references badge_issuer(id) on delete cascade,
      purpose text not null,
      length integer not null,
      next_index integer not null default 0
    );

    -- Issued credentials, verbatim (with the proof).
    create table badge_credential (
      id text primary key,
      achievement_id text not null references badge_achievement(id),
      learner_id text references learner(id) on delete set null,
      issuer_id text not null references badge_issuer(id),
      payload jsonb not null,
      status_list_id text not null references badge_status_list(id),
      status_index integer not null,
      issued_at timestamptz not null default now(),
      issued_by text not null,
      revoked_at timestamptz,
      revoked_reason text,
      revoked_by text,
      unique (status_list_id, status_index)
    );
    create index badge_credential_learner_idx on badge_credential (learner_id)
  `)) {
    await sql.raw(s).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table badge_credential, badge_status_list, badge_candidate, badge_achievement_item, badge_achievement, badge_issuer_key, badge_issuer`.execute(db);
}
