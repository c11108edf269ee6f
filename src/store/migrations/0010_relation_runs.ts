import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  for (const s of [
    // Runs started from the web UI run in the server's background: their state, progress and what went wrong.
    `alter table estimation_run add column status text not null default 'done' check (status in ('queued', 'running', 'done', 'failed'))`,
    `alter table estimation_run add column progress_done integer not null default 0`,
    `alter table estimation_run add column progress_total integer not null default 0`,
    // Suggestions so far (an LLM run's proposals while it runs; the stored ones once done).
    `alter table estimation_run add column suggestions integer not null default 0`,
    `alter table estimation_run add column error text`,
    `alter table estimation_run add column started_by text`,
    // Written while a run works: a run whose heartbeat stopped was interrupted (a restart, a crash).
    `alter table estimation_run add column heartbeat_at timestamptz not null default now()`,
    // A queued run does not know its candidate space yet.
    `alter table estimation_run alter column candidate_pairs set default 0`,
    `alter table estimation_run alter column all_pairs set default 0`,
    `update estimation_run set status = 'failed', error = 'interrupted; start it again' where finished_at is null`,
    // One run per framework at a time, across every server instance and the CLI.
    `create unique index estimation_run_active_idx on estimation_run (document_identifier) where status in ('queued', 'running')`,
  ]) {
    await sql.raw(s).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index estimation_run_active_idx`.execute(db);
  for (const c of ['heartbeat_at', 'started_by', 'error', 'suggestions', 'progress_total', 'progress_done', 'status']) {
    await sql.raw(`alter table estimation_run drop column ${c}`).execute(db);
  }
}
