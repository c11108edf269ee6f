import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // An administrator can disable an abusive client: it can get no more codes or tokens, and its grants are gone.
  await sql`alter table ob_client add column disabled_at timestamptz`.execute(db);
  // When the client last used the grant (an API call or a refresh), for the learner's list of connected apps.
  await sql`alter table ob_grant add column last_used_at timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table ob_grant drop column last_used_at`.execute(db);
  await sql`alter table ob_client drop column disabled_at`.execute(db);
}
