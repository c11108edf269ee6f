import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrateToLatest, openStore } from '../../src/store/db.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A tar of a freshly migrated PGlite data directory, or '' on PostgreSQL runs: see freshStore() in test/helper.ts. */
    pgliteTemplate: string;
  }
}

/**
 * Once per run: an in-memory PGlite migrated to the latest schema, dumped to a file. Each test's fresh embedded database
 * starts from it (PGlite's initdb is most of a fresh database's cost: ~3.5 s against ~1 s to load the dump).
 */
export default async function setup(project: TestProject): Promise<() => void> {
  if (process.env['SHIRUBE_TEST_DATABASE_URL']) {
    project.provide('pgliteTemplate', '');
    return () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'shirube-pglite-template-'));
  const store = await openStore({});
  await migrateToLatest(store.db);
  const tar = await store.pglite!.dumpDataDir('none');
  await store.close();
  const file = join(dir, 'migrated.tar');
  writeFileSync(file, Buffer.from(await tar.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
