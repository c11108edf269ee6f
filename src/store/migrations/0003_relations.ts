import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
// One statement per query: PGlite's extended protocol takes no multi-statement strings.
const statements = (ddl: string) => ddl.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements(`
    -- One run of an estimator over a framework: what was asked, how big the space was, what it cost.
    create table estimation_run (
      id text primary key,
      document_identifier text not null references cf_document(identifier) on delete cascade,
      estimator text not null,
      model text,
      params jsonb not null,
      candidate_pairs integer not null,
      all_pairs integer not null,
      requests integer not null default 0,
      cached_requests integer not null default 0,
      input_tokens integer not null default 0,
      output_tokens integer not null default 0,
      cost_usd double precision not null default 0,
      started_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index estimation_run_doc_idx on estimation_run (document_identifier);

    -- A proposed precedes / isRelatedTo between two items of a framework, waiting for (or after) a reviewer's decision.
    create table relation_suggestion (
      id text primary key,
      document_identifier text not null references cf_document(identifier) on delete cascade,
      origin_identifier text not null,
      destination_identifier text not null,
      association_type text not null check (association_type in ('precedes', 'isRelatedTo')),
      -- The relation's domain (its destination's), to filter and sort the review queue.
      domain text not null default '',
      estimator text not null,
      model text,
      prompt_version text,
      run_id text references estimation_run(id) on delete set null,
      confidence double precision not null check (confidence >= 0 and confidence <= 1),
      rationale text,
      created_at timestamptz not null default now(),
      status text not null default 'pending' check (status in ('pending', 'accepted', 'rejected', 'superseded')),
      decided_by text,
      decided_at timestamptz,
      comment text,
      -- The CFAssociation an accepted suggestion became.
      association_identifier text
    );
    create index relation_suggestion_doc_status_idx on relation_suggestion (document_identifier, status);
    create index relation_suggestion_pair_idx on relation_suggestion (document_identifier, origin_identifier, destination_identifier);

    -- LLM responses by hash of provider + model + prompt: a rerun costs nothing.
    create table llm_cache (
      key text primary key,
      provider text not null,
      model text not null,
      response jsonb not null,
      input_tokens integer not null default 0,
      output_tokens integer not null default 0,
      created_at timestamptz not null default now()
    );
  `)) {
    await sql.raw(s).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table llm_cache, relation_suggestion, estimation_run`.execute(db);
}
