import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
// One statement per query: PGlite's extended protocol takes no multi-statement strings.
const statements = (ddl: string) => ddl.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements(`
    -- Most statements have no registration and are not StatementRefs: indexes of only the statements that do
    -- cost nothing to the others' inserts (a B-tree keeps NULLs, so every insert wrote both).
    drop index xapi_statement_registration_idx;
    create index xapi_statement_registration_idx on xapi_statement (registration, seq) where registration is not null;
    drop index xapi_statement_ref_idx;
    create index xapi_statement_ref_idx on xapi_statement (object_statement_id) where object_statement_id is not null;
  `)) {
    await sql.raw(s).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const s of statements(`
    drop index xapi_statement_registration_idx;
    create index xapi_statement_registration_idx on xapi_statement (registration, seq);
    drop index xapi_statement_ref_idx;
    create index xapi_statement_ref_idx on xapi_statement (object_statement_id);
  `)) {
    await sql.raw(s).execute(db);
  }
}
