import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
// One statement per query: PGlite's extended protocol takes no multi-statement strings.
const statements = (ddl: string) => ddl.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements(`
    -- A person whose learning is recorded. xAPI actors map to learners (xapi_actor); an unknown actor creates one.
    create table learner (
      id text primary key,
      display_name text,
      created_at timestamptz not null default now()
    );

    -- Each inverse functional identifier ('mbox:mailto:a@b', 'account:<homePage> <name>', ...) belongs to one learner.
    create table xapi_actor (
      ifi text primary key,
      learner_id text not null references learner(id) on delete cascade,
      name text,
      created_at timestamptz not null default now()
    );
    create index xapi_actor_learner_idx on xapi_actor (learner_id);

    create table xapi_statement (
      id uuid primary key,
      -- Insertion order: the order of stored, and the cursor of 'more' links.
      seq bigserial not null unique,
      -- The Statement as the LRS returns it (format=exact): verbatim apart from the properties the LRS sets.
      payload jsonb not null,
      stored timestamptz not null,
      timestamp timestamptz not null,
      version text not null,
      verb_iri text not null,
      object_activity_id text,
      -- The target of a StatementRef object (voiding).
      object_statement_id uuid,
      learner_id text references learner(id) on delete cascade,
      registration uuid,
      -- The API client whose credentials wrote it (the authority), for xapi:statements/read/mine.
      client_id text,
      voided boolean not null default false,
      attachment_sha2 text[] not null default '{}'
    );
    create index xapi_statement_stored_idx on xapi_statement (stored);
    create index xapi_statement_verb_idx on xapi_statement (verb_iri, seq);
    create index xapi_statement_activity_idx on xapi_statement (object_activity_id, seq);
    create index xapi_statement_registration_idx on xapi_statement (registration, seq);
    create index xapi_statement_learner_idx on xapi_statement (learner_id, seq);
    create index xapi_statement_ref_idx on xapi_statement (object_statement_id);

    -- Agents and Groups of a statement, for agent= and related_agents= queries. usage: actor, object, authority,
    -- instructor, team, context (2.0 contextAgents/Groups), and sub_* inside a SubStatement.
    create table statement_to_actor (
      statement_id uuid not null references xapi_statement(id) on delete cascade,
      ifi text not null,
      usage text not null,
      primary key (statement_id, ifi, usage)
    );
    create index statement_to_actor_ifi_idx on statement_to_actor (ifi, usage);

    -- Activities of a statement, for activity= and related_activities= queries. usage: object, parent, grouping,
    -- category, other, and sub_* inside a SubStatement.
    create table statement_to_activity (
      statement_id uuid not null references xapi_statement(id) on delete cascade,
      activity_id text not null,
      usage text not null,
      primary key (statement_id, activity_id, usage)
    );
    create index statement_to_activity_activity_idx on statement_to_activity (activity_id, usage);

    -- The canonical Activity definition (the Activities resource), merged from the statements received.
    create table xapi_activity (
      id text primary key,
      definition jsonb,
      updated_at timestamptz not null default now()
    );

    create table xapi_attachment (
      sha2 text primary key,
      content_type text not null,
      content bytea not null,
      created_at timestamptz not null default now()
    );

    -- State, Activity Profile and Agent Profile documents. Absent keys are '' so that the unique key works.
    create table xapi_document (
      kind text not null check (kind in ('state', 'activity_profile', 'agent_profile')),
      activity_id text not null default '',
      agent_ifi text not null default '',
      registration text not null default '',
      document_id text not null,
      learner_id text references learner(id) on delete cascade,
      content bytea not null,
      content_type text not null,
      etag text not null,
      updated timestamptz not null,
      primary key (kind, activity_id, agent_ifi, registration, document_id)
    );
    create index xapi_document_learner_idx on xapi_document (learner_id);

    -- One row per (statement, CFItem) the statement is linked to: the evidence everything later builds on.
    create table evidence (
      statement_id uuid not null references xapi_statement(id) on delete cascade,
      item_id text not null,
      learner_id text not null references learner(id) on delete cascade,
      timestamp timestamptz not null,
      -- In [0, 1]; null when the statement says nothing about correctness.
      score double precision,
      success boolean,
      voided boolean not null default false,
      -- How the link was found: result_extension, context_activity, activity_extension, course_of_study_code.
      via text not null,
      primary key (statement_id, item_id)
    );
    create index evidence_learner_item_idx on evidence (learner_id, item_id, timestamp);
    create index evidence_item_idx on evidence (item_id);

    -- References to CFItems that did not resolve (unknown or foreign items): stored and flagged, never rejected.
    create table evidence_unresolved (
      statement_id uuid not null references xapi_statement(id) on delete cascade,
      reference text not null,
      via text not null,
      primary key (statement_id, reference, via)
    );

    create table evidence_rollup (
      learner_id text not null references learner(id) on delete cascade,
      item_id text not null,
      attempts integer not null,
      correct integer not null,
      -- Sum of the scores of the attempts that have one; scored counts them.
      score_sum double precision not null,
      scored integer not null,
      first_at timestamptz not null,
      last_at timestamptz not null,
      primary key (learner_id, item_id)
    );
    create index evidence_rollup_item_idx on evidence_rollup (item_id);

    -- The same per calendar day in SHIRUBE_TIMEZONE.
    create table evidence_rollup_day (
      learner_id text not null references learner(id) on delete cascade,
      item_id text not null,
      day date not null,
      attempts integer not null,
      correct integer not null,
      score_sum double precision not null,
      scored integer not null,
      primary key (learner_id, item_id, day)
    )
  `)) {
    await sql.raw(s).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table evidence_rollup_day, evidence_rollup, evidence_unresolved, evidence, xapi_document, xapi_attachment,
      xapi_activity, statement_to_activity, statement_to_actor, xapi_statement, xapi_actor, learner;
  `.execute(db);
}
