import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openStore, migrateToLatest } from '../../src/store/db.js';
import { dumpEmbedded, restoreEmbedded } from '../../src/store/backup.js';
import { loadPackage, savePackage } from '../../src/store/case.js';
import { packageToRows, rowsToPackage } from '../../src/case/package.js';
import { SHARED } from '../helper.js';
import { testDatabaseUrl } from '../database-url.js';

describe.skipIf(!!testDatabaseUrl())('store: embedded backup and restore', () => {
  it('dumps and restores a framework with its migration state', async () => {
    const pkg = JSON.parse(readFileSync(`${SHARED}data/case-frameworks/opensalt-sample-what-standards-could-be.legacy.json`, 'utf8'));
    const a = await openStore({});
    await migrateToLatest(a.db);
    await a.db.transaction().execute((trx) => savePackage(trx, packageToRows(pkg, { authored: false })));
    const dump = await dumpEmbedded(a);
    expect(dump).not.toMatch(/transaction_timeout/);

    const b = await openStore({});
    await restoreEmbedded(b, dump);
    expect(await migrateToLatest(b.db)).toEqual([]);
    const restored = await loadPackage(b.db, pkg.CFDocument.identifier);
    const original = await loadPackage(a.db, pkg.CFDocument.identifier);
    expect(rowsToPackage(restored!)).toEqual(rowsToPackage(original!));
    await expect(restoreEmbedded(b, dump)).rejects.toThrow(/not empty/);
    await a.close();
    await b.close();
  });
});
