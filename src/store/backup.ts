import { pgDump } from '@electric-sql/pglite-tools/pg_dump';
import type { Store } from './db.js';

/**
 * A plain-SQL dump of the embedded database (schema, data and migration state), restorable with `psql` into an
 * empty PostgreSQL database — the way an embedded installation moves to PostgreSQL — or with restoreEmbedded.
 * On PostgreSQL, use pg_dump itself (docs/operations.md).
 */
export async function dumpEmbedded(store: Store): Promise<string> {
  if (!store.pglite) throw new Error('dumpEmbedded works on the embedded database; on PostgreSQL use pg_dump');
  const file = await pgDump({ pg: store.pglite, args: ['--no-owner', '--no-privileges'] });
  // PGlite's pg_dump is PostgreSQL 18; this setting does not exist before 17, and Debian 12 ships 15.
  return (await file.text()).replace(/^SET transaction_timeout = 0;\n/m, '');
}

/** Loads a dump into an empty embedded database. */
export async function restoreEmbedded(store: Store, sqlText: string): Promise<void> {
  if (!store.pglite) throw new Error('restoreEmbedded works on the embedded database; on PostgreSQL use psql');
  const { rows } = await store.pglite.query<{ n: number }>("select count(*)::int as n from pg_tables where schemaname = 'public'");
  if (rows[0]!.n > 0) throw new Error('The target database is not empty: restore into a new SHIRUBE_DATA_DIR');
  await store.pglite.exec(sqlText);
  // The dump empties search_path for its session; this session goes on being used.
  await store.pglite.exec('RESET search_path');
}
