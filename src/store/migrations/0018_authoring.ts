import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Every authored change of a framework (docs/authoring.md): who, when, which entity, its payload before and after.
  // No foreign key: the history of a framework outlives its deletion.
  await sql`
    create table cf_change (
      id bigserial primary key,
      document_identifier text not null,
      at timestamptz not null default now(),
      actor text not null,
      action text not null,
      entity_type text not null,
      entity_identifier text not null,
      before jsonb,
      after jsonb
    )`.execute(db);
  await sql`create index cf_change_document on cf_change (document_identifier, id)`.execute(db);
  await sql`create index cf_change_entity on cf_change (entity_identifier, id)`.execute(db);
  // Published versions: the whole package as it was when it became Adopted / Implemented, never changed afterwards.
  await sql`
    create table cf_version (
      document_identifier text not null,
      version integer not null,
      adoption_status text not null,
      published_at timestamptz not null,
      published_by text not null,
      last_change_id bigint,
      package jsonb not null,
      primary key (document_identifier, version)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table cf_version`.execute(db);
  await sql`drop table cf_change`.execute(db);
}
