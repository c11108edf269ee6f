import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore, SHARED } from '../helper.js';
import type { Store } from '../../src/store/db.js';
import { loadPackage, savePackage, deletePackage } from '../../src/store/case.js';
import { packageToRows, rowsToPackage } from '../../src/case/package.js';

/** Empty definition lists carry no data; the store does not keep them. */
const withoutEmptyLists = (pkg: any) => {
  const defs = Object.fromEntries(Object.entries(pkg.CFDefinitions ?? {}).filter(([, v]) => !Array.isArray(v) || v.length));
  const { CFDefinitions: _, ...rest } = pkg;
  return Object.keys(defs).length ? { ...rest, CFDefinitions: defs } : rest;
};

describe('store: CASE packages', () => {
  let store: Store;
  beforeAll(async () => { store = await freshStore(); });
  afterAll(async () => { await store.close(); });

  it('saves and loads the ACT package verbatim', async () => {
    const pkg = JSON.parse(readFileSync(`${SHARED}data/case-frameworks/act-holistic-framework-math.v1p0.cfpackage.json`, 'utf8'));
    await store.db.transaction().execute((trx) => savePackage(trx, packageToRows(pkg, { authored: false })));
    const rows = await loadPackage(store.db, pkg.CFDocument.identifier);
    expect(rows?.items).toHaveLength(28);
    expect(rowsToPackage(rows!)).toEqual(withoutEmptyLists(pkg));
  });

  it('deletes a package and the items only it held', async () => {
    const pkg = JSON.parse(readFileSync(`${SHARED}data/case-frameworks/act-holistic-framework-math.v1p0.cfpackage.json`, 'utf8'));
    await store.db.transaction().execute((trx) => deletePackage(trx, pkg.CFDocument.identifier));
    expect(await loadPackage(store.db, pkg.CFDocument.identifier)).toBeUndefined();
    const n = await store.db.selectFrom('cf_item').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
  });
});
