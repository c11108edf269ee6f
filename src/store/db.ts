import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, type LogConfig } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import pg from 'pg';
import * as m0001 from './migrations/0001_case_and_accounts.js';
import * as m0002 from './migrations/0002_lrs.js';
import * as m0003 from './migrations/0003_relations.js';
import * as m0004 from './migrations/0004_progress.js';
import * as m0005 from './migrations/0005_badges.js';
import * as m0006 from './migrations/0006_ob_api.js';
import * as m0007 from './migrations/0007_ob_connected_apps.js';
import * as m0008 from './migrations/0008_shared_state.js';
import * as m0009 from './migrations/0009_achievement_groups.js';
import * as m0010 from './migrations/0010_relation_runs.js';
import * as m0011 from './migrations/0011_case_generation.js';
import * as m0012 from './migrations/0012_run_blocks_and_proposals.js';
import * as m0013 from './migrations/0013_lrs_partial_indexes.js';
import * as m0014 from './migrations/0014_badge_criteria.js';
import * as m0015 from './migrations/0015_lti.js';
import * as m0017 from './migrations/0017_learning_resources.js';
import * as m0018 from './migrations/0018_authoring.js';
import * as m0019 from './migrations/0019_search.js';
import * as m0020 from './migrations/0020_suppliers.js';
import type { Database } from './tables.js';
import { readRouting } from './replica.js';

export type Db = Kysely<Database>;

// Return timestamptz as Date and bigint counts as numbers (counts never exceed 2^53 here).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

const migrations: Record<string, Migration> = {
  '0001_case_and_accounts': m0001,
  '0002_lrs': m0002,
  '0003_relations': m0003,
  '0004_progress': m0004,
  '0005_badges': m0005,
  '0006_ob_api': m0006,
  '0007_ob_connected_apps': m0007,
  '0008_shared_state': m0008,
  '0009_achievement_groups': m0009,
  '0010_relation_runs': m0010,
  '0011_case_generation': m0011,
  '0012_run_blocks_and_proposals': m0012,
  '0013_lrs_partial_indexes': m0013,
  '0014_badge_criteria': m0014,
  '0015_lti': m0015,
  '0017_learning_resources': m0017,
  '0018_authoring': m0018,
  '0019_search': m0019,
  '0020_suppliers': m0020,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export interface Store {
  readonly db: Db;
  /**
   * Where reads that may lag may go (the learning map, dashboards): a streaming replica while it is fresh within
   * DATABASE_READ_MAX_LAG_SECONDS (./replica.ts), else `db`.
   */
  reader(): Promise<Db>;
  /** Seconds the replica may lag behind now (undefined without a replica). */
  readonly replicaStaleness?: () => number;
  readonly kind: 'pglite' | 'postgres';
  /** The embedded engine, for backups (see ./backup.ts); undefined on PostgreSQL. */
  readonly pglite?: PGlite;
  close(): Promise<void>;
}

/** A pooled connection to a PostgreSQL server. */
function postgres(url: string, log?: LogConfig): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // A connection the server drops (restart, failover) must not crash the process: pg emits 'error' on the client,
  // which has no listener while a query holds it (only idle ones have the pool's). Its queries fail (503 with
  // Retry-After, src/errors.ts), the pool discards it and connects anew for the next query.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(log ? { log } : {}) });
}

/**
 * Opens PostgreSQL when a URL is given (with a read replica at `readUrl`), else PGlite: in `dataDir` (persistent) or
 * in memory when dataDir is undefined (tests). PGlite allows one process per directory: see ./lock.ts. `log` sees
 * every query with its duration (bench/ingest-profile.ts). `loadDataDir` starts PGlite from a dump of its data
 * directory (`pglite.dumpDataDir()`): the tests' migrated template, three times faster than initdb and migrations.
 */
export async function openStore(opts: { databaseUrl?: string | undefined; dataDir?: string | undefined; readUrl?: string | undefined; maxReadLagSeconds?: number; log?: LogConfig; loadDataDir?: Blob }): Promise<Store> {
  if (opts.databaseUrl) {
    const db = postgres(opts.databaseUrl, opts.log);
    if (!opts.readUrl) return { db, reader: async () => db, kind: 'postgres', close: () => db.destroy() };
    const replica = postgres(opts.readUrl);
    const routing = readRouting(db, replica, { maxLagMs: (opts.maxReadLagSeconds ?? 10) * 1000 });
    return {
      db,
      reader: routing.reader,
      replicaStaleness: routing.staleness,
      kind: 'postgres',
      close: async () => void (await Promise.all([db.destroy(), replica.destroy()])),
    };
  }
  let dir: string | undefined;
  if (opts.dataDir) {
    dir = join(opts.dataDir, 'pgdata');
    mkdirSync(dir, { recursive: true });
  }
  const pglite = await PGlite.create({ ...(dir ? { dataDir: dir } : {}), ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}) });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }), ...(opts.log ? { log: opts.log } : {}) });
  return { db, reader: async () => db, kind: 'pglite', pglite, close: () => db.destroy() };
}

/** Applies pending migrations; returns the names applied. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  // Unordered: a database that applied a later-numbered migration first (0004 landed before 0003) still migrates.
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'shirube_migration',
    migrationLockTableName: 'shirube_migration_lock',
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
