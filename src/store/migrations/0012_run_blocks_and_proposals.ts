import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
// One statement per query: PGlite's extended protocol takes no multi-statement strings.
const statements = (ddl: string) => ddl.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements(`
    -- What happened to each block of a run (one LLM request, or more when retried): answered, answered after a
    -- retry, or skipped and why; its own requests, tokens and cost. Written as each block finishes.
    create table estimation_run_block (
      run_id text not null references estimation_run(id) on delete cascade,
      position integer not null,
      key text not null,
      label text not null,
      items integer not null,
      pairs integer not null,
      status text not null check (status in ('ok', 'retried', 'skipped')),
      cached boolean not null default false,
      attempts integer not null default 0,
      reason text,
      proposals integer not null default 0,
      requests integer not null default 0,
      input_tokens integer not null default 0,
      output_tokens integer not null default 0,
      cost_usd double precision not null default 0,
      finished_at timestamptz not null default now(),
      primary key (run_id, position)
    );

    -- A run may be stopped by a person (cancelled) and asked to stop from any instance (cancel_requested_at).
    alter table estimation_run drop constraint estimation_run_status_check;
    alter table estimation_run add constraint estimation_run_status_check check (status in ('queued', 'running', 'done', 'failed', 'cancelled'));
    alter table estimation_run add column cancel_requested_at timestamptz;
    alter table estimation_run add column cancelled_by text;
    alter table estimation_run add column skipped_blocks integer not null default 0;

    -- What the estimator proposed, kept when a reviewer flips or retypes the suggestion, and the reviewer's changes.
    alter table relation_suggestion add column proposed_origin text;
    alter table relation_suggestion add column proposed_destination text;
    alter table relation_suggestion add column proposed_type text check (proposed_type in ('precedes', 'isRelatedTo'));
    alter table relation_suggestion add column edits jsonb not null default '[]'::jsonb;

    -- Suggestions edited before this migration: their first flip or change-type audit entry names the pair and type
    -- as they were before it, i.e. as proposed.
    update relation_suggestion s set
      proposed_origin = a.details->>'origin', proposed_destination = a.details->>'destination', proposed_type = a.details->>'type'
    from (
      select distinct on (target_id) target_id, details from audit_log
      where target_type = 'relation_suggestion' and action in ('relation.flip', 'relation.change-type')
      order by target_id, id
    ) a
    where a.target_id = s.id;
    update relation_suggestion set proposed_origin = origin_identifier, proposed_destination = destination_identifier, proposed_type = association_type
    where proposed_type is null;
    alter table relation_suggestion alter column proposed_origin set not null;
    alter table relation_suggestion alter column proposed_destination set not null;
    alter table relation_suggestion alter column proposed_type set not null;

    -- The audit log is read by time (GET /api/audit, shirube audit).
    create index audit_log_at_idx on audit_log (at);
  `)) {
    await sql.raw(s).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const s of [
    'drop index audit_log_at_idx',
    'alter table relation_suggestion drop column edits',
    'alter table relation_suggestion drop column proposed_type',
    'alter table relation_suggestion drop column proposed_destination',
    'alter table relation_suggestion drop column proposed_origin',
    'alter table estimation_run drop column skipped_blocks',
    'alter table estimation_run drop column cancelled_by',
    'alter table estimation_run drop column cancel_requested_at',
    "update estimation_run set status = 'failed' where status = 'cancelled'",
    'alter table estimation_run drop constraint estimation_run_status_check',
    "alter table estimation_run add constraint estimation_run_status_check check (status in ('queued', 'running', 'done', 'failed'))",
    'drop table estimation_run_block',
  ]) {
    await sql.raw(s).execute(db);
  }
}
