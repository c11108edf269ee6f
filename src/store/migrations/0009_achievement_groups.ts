import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // A group achievement made from a textbook unit remembers it: {document, id} (the framework's own units or a
  // publisher's unit scheme); null for a single item or an explicit list of items.
  await sql`alter table badge_achievement add column unit jsonb`.execute(db);
  // Credentials issued for it are valid this many days (validUntil); null: no expiry.
  await sql`alter table badge_achievement add column valid_for_days integer check (valid_for_days between 1 and 3650)`.execute(db);
  // The credential's validUntil, beside its payload: the CLR and renewal candidates filter on it.
  await sql`alter table badge_credential add column valid_until timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table badge_credential drop column valid_until`.execute(db);
  await sql`alter table badge_achievement drop column valid_for_days`.execute(db);
  await sql`alter table badge_achievement drop column unit`.execute(db);
}
