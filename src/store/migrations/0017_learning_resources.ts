import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Drills, videos, worksheets… aligned to CFItems (docs/resources.md): registered by teachers, authors, admins and
  // vendors' API clients; the learning map's item panel and the next steps link to them.
  await sql`
    create table learning_resource (
      id text primary key,
      title text not null,
      url text not null,
      type text not null,
      language text not null,
      provider text,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table learning_resource_alignment (
      resource_id text not null references learning_resource(id) on delete cascade,
      item_identifier text not null,
      primary key (resource_id, item_identifier)
    )`.execute(db);
  await sql`create index learning_resource_alignment_item on learning_resource_alignment (item_identifier)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table learning_resource_alignment`.execute(db);
  await sql`drop table learning_resource`.execute(db);
}
