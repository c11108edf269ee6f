import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
// One statement per query: PGlite's extended protocol takes no multi-statement strings.
const statements = (ddl: string) => ddl.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements(`
    create table organization (
      id text primary key,
      name text not null,
      kind text not null check (kind in ('authority', 'board', 'school')),
      parent_id text references organization(id) on delete set null,
      created_at timestamptz not null default now()
    );

    create table cf_document (
      identifier text primary key,
      -- The CFDocument as received (imports: verbatim) or as authored here (no uri: minted when serving).
      payload jsonb not null,
      title text not null,
      creator text not null,
      adoption_status text,
      -- true when Shirube is the source of truth: uris are derived from SHIRUBE_PUBLIC_URL when serving.
      authored boolean not null,
      is_course_of_study boolean not null default false,
      organization_id text references organization(id) on delete set null,
      -- CFPackage.extensions and CFDefinitions.extensions of the package this document came with.
      package_extensions jsonb,
      definitions_extensions jsonb,
      source_url text,
      last_change_date_time timestamptz not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index cf_document_title_idx on cf_document (title);

    create table cf_item (
      identifier text primary key,
      payload jsonb not null,
      -- The item's own framework (CFDocumentURI); it may also be a member of other packages (aliasing).
      document_identifier text,
      human_coding_scheme text,
      authored boolean not null,
      last_change_date_time timestamptz not null,
      updated_at timestamptz not null default now()
    );
    create index cf_item_hcs_idx on cf_item (human_coding_scheme);

    create table cf_association (
      identifier text primary key,
      payload jsonb not null,
      document_identifier text not null references cf_document(identifier) on delete cascade,
      association_type text not null,
      origin_identifier text not null,
      destination_identifier text not null,
      sequence_number integer,
      -- Who or what proposed this association (estimator, model, reviewer...); null for imported data.
      provenance jsonb,
      position integer not null default 0,
      authored boolean not null,
      last_change_date_time timestamptz not null,
      updated_at timestamptz not null default now()
    );
    create index cf_association_doc_idx on cf_association (document_identifier);
    create index cf_association_origin_idx on cf_association (origin_identifier);
    create index cf_association_destination_idx on cf_association (destination_identifier);

    -- CFConcept, CFSubject, CFLicense, CFItemType, CFAssociationGrouping: shared between packages.
    create table cf_definition (
      identifier text primary key,
      kind text not null check (kind in ('CFConcept', 'CFSubject', 'CFLicense', 'CFItemType', 'CFAssociationGrouping')),
      payload jsonb not null,
      authored boolean not null,
      last_change_date_time timestamptz not null,
      updated_at timestamptz not null default now()
    );

    -- CFRubric with its CFRubricCriteria and CFRubricCriterionLevels nested, as in the package.
    create table cf_rubric (
      identifier text primary key,
      payload jsonb not null,
      authored boolean not null,
      last_change_date_time timestamptz not null,
      updated_at timestamptz not null default now()
    );

    -- Which entities a package holds, in package order. Items, definitions and rubrics may be in several.
    create table cf_package_member (
      document_identifier text not null references cf_document(identifier) on delete cascade,
      kind text not null check (kind in ('CFItem', 'CFDefinition', 'CFRubric')),
      identifier text not null,
      position integer not null,
      primary key (document_identifier, kind, identifier)
    );
    create index cf_package_member_identifier_idx on cf_package_member (identifier);

    create table app_user (
      id text primary key,
      username text not null unique,
      display_name text not null,
      password_hash text,
      locale text not null default 'ja',
      disabled boolean not null default false,
      created_at timestamptz not null default now()
    );

    -- Scoped roles: admin (global), author/reviewer (framework or organization), teacher (class), learner (self).
    create table role_assignment (
      user_id text not null references app_user(id) on delete cascade,
      role text not null check (role in ('admin', 'author', 'reviewer', 'teacher', 'learner')),
      scope_type text not null check (scope_type in ('global', 'framework', 'organization', 'class', 'self')),
      scope_id text not null default '',
      created_at timestamptz not null default now(),
      primary key (user_id, role, scope_type, scope_id)
    );

    create table user_session (
      token_hash text primary key,
      user_id text not null references app_user(id) on delete cascade,
      csrf_token text not null,
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    );
    create index user_session_user_idx on user_session (user_id);

    -- API clients of every API (CASE now; xAPI and Open Badges later): one table, per-API scopes.
    create table api_client (
      id text primary key,
      client_id text not null unique,
      secret_hash text not null,
      name text not null,
      scopes text[] not null,
      owner_user_id text references app_user(id) on delete set null,
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    );

    create table access_token (
      token_hash text primary key,
      client_id text not null references api_client(id) on delete cascade,
      scopes text[] not null,
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    );
    create index access_token_client_idx on access_token (client_id);

    -- OAuth 2.0 client credentials for importing from remote CASE servers, per source.
    create table case_source (
      id text primary key,
      base_url text not null unique,
      token_url text,
      client_id text,
      client_secret text,
      scope text,
      created_at timestamptz not null default now()
    );

    create table audit_log (
      id bigserial primary key,
      at timestamptz not null default now(),
      actor text not null,
      action text not null,
      target_type text not null,
      target_id text,
      details jsonb
    );
    create index audit_log_target_idx on audit_log (target_type, target_id);
  `)) {
    await sql.raw(s).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table audit_log, case_source, access_token, api_client, user_session, role_assignment, app_user,
      cf_package_member, cf_rubric, cf_definition, cf_association, cf_item, cf_document, organization;
  `.execute(db);
}
