import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
// One statement per query: PGlite's extended protocol takes no multi-statement strings.
const statements = (ddl: string) => ddl.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements(`
    -- One row naming the current state of the stored frameworks: a new random token in every transaction that
    -- writes a CFPackage, so a process may cache what it derives from them (the LRS's Course of Study Code
    -- lookup) under the token it read. Random rather than a counter: a token is never reused, by another
    -- database or after a restore.
    create table case_generation (
      id boolean primary key default true check (id),
      token uuid not null default gen_random_uuid()
    );
    insert into case_generation default values;
  `)) {
    await sql.raw(s).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table case_generation`.execute(db);
}
