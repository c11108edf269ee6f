import { readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStore, migrateToLatest } from '../../src/store/db.js';
import { dumpEmbedded } from '../../src/store/backup.js';
import { loadPackage, savePackage } from '../../src/store/case.js';
import { packageToRows, rowsToPackage } from '../../src/case/package.js';
import { SHARED } from '../helper.js';
import { testDatabaseUrl } from '../database-url.js';
import { createScratchDatabase } from '../pg-database.js';

const adminUrl = testDatabaseUrl();

// Runs in CI's PostgreSQL pass: an embedded installation's dump, loaded the way docs/operations.md says (psql runs
// the same simple-query protocol as pg here), gives a PostgreSQL database Shirube opens with nothing to migrate.
describe.skipIf(!adminUrl)('store: moving an embedded installation to PostgreSQL', () => {
  it('restores an embedded dump into a new PostgreSQL database', async () => {
    const pkg = JSON.parse(readFileSync(`${SHARED}data/case-frameworks/act-holistic-framework-math.v1p0.cfpackage.json`, 'utf8'));
    const embedded = await openStore({});
    await migrateToLatest(embedded.db);
    await embedded.db.transaction().execute((trx) => savePackage(trx, packageToRows(pkg, { authored: false })));
    const dump = await dumpEmbedded(embedded);

    const database = await createScratchDatabase(adminUrl!, 'shirube_move');
    const target = new pg.Client({ connectionString: database.url });
    await target.connect();
    await target.query(dump);
    await target.end();

    const moved = await openStore({ databaseUrl: database.url });
    try {
      expect(await migrateToLatest(moved.db)).toEqual([]);
      expect(rowsToPackage((await loadPackage(moved.db, pkg.CFDocument.identifier))!)).toEqual(
        rowsToPackage((await loadPackage(embedded.db, pkg.CFDocument.identifier))!),
      );
    } finally {
      await moved.close();
      await embedded.close();
      await database.drop();
    }
  });
});
