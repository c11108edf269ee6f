import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // What a framework's badge candidates need beyond each achievement's rule, chosen by its teachers: the evidence
  // the rule counts must fall on at least min_days days (a burst of answers on one day is not enough by default).
  await sql`
    create table badge_criteria (
      framework_identifier text primary key,
      min_days integer not null check (min_days between 1 and 30),
      updated_by text not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table badge_criteria`.execute(db);
}
