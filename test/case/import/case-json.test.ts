import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshStore } from '../../helper.js';
import type { Store } from '../../../src/store/db.js';
import { loadPackage } from '../../../src/store/case.js';
import { rowsToPackage } from '../../../src/case/package.js';
import { importCaseJson } from '../../../src/case/import/case-json.js';
import { ACT, LEGACY, readFramework, SMARTER, snapshot } from './support.js';

/** Empty definition lists carry nothing; the store does not keep them. */
const withoutEmptyLists = (pkg: any) => {
  const defs = Object.fromEntries(Object.entries(pkg.CFDefinitions ?? {}).filter(([, v]) => !Array.isArray(v) || v.length));
  const { CFDefinitions: _, ...rest } = pkg;
  return Object.keys(defs).length ? { ...rest, CFDefinitions: defs } : rest;
};
const failure = (p: Promise<unknown>) => p.then(() => 'accepted', (e) => `${e.code}: ${e.message}`);

describe('CASE JSON import', () => {
  let store: Store;
  beforeAll(async () => { store = await freshStore(); });
  afterAll(async () => { await store.close(); });

  it('stores every real package verbatim, uris untouched', async () => {
    for (const file of [ACT, LEGACY]) {
      const pkg = readFramework(file);
      const r = await importCaseJson(store.db, JSON.stringify(pkg));
      expect(r.counts.CFItems).toBe(pkg.CFItems.length);
      expect(rowsToPackage((await loadPackage(store.db, r.identifier))!)).toEqual(withoutEmptyLists(pkg));
    }
  });

  it('reads the big Smarter Balanced package, keeping an association listed twice once', async () => {
    const pkg = readFramework(SMARTER);
    const progress: number[] = [];
    const r = await importCaseJson(store.db, Buffer.from(JSON.stringify(pkg)), {}, (done) => progress.push(done));
    expect(r.counts).toEqual({ CFItems: 585, CFAssociations: 3367, CFDefinitions: 6, CFRubrics: 0 });
    expect(progress.length).toBeGreaterThan(5);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const stored = rowsToPackage((await loadPackage(store.db, r.identifier))!);
    const seen = new Set<string>();
    const unique = pkg.CFAssociations.filter((a: any) => !seen.has(a.identifier) && seen.add(a.identifier));
    expect(stored).toEqual(withoutEmptyLists({ ...pkg, CFAssociations: unique }));
  }, 60_000);

  it('unwraps {"CFPackage": {...}} and skips a byte order mark', async () => {
    const pkg = readFramework(ACT);
    const r = await importCaseJson(store.db, `\uFEFF${JSON.stringify({ CFPackage: pkg })}`);
    expect(r.identifier).toBe(pkg.CFDocument.identifier);
  });

  it('names the field of bad input and writes nothing', async () => {
    const before = await snapshot(store.db);
    const act = () => readFramework(ACT);
    const cases: Array<[unknown, string]> = [
      ['{"CFDocument": ', 'invalid_request: (body): not valid JSON'],
      ['[1,2]', 'invalid_request: (body): a CFPackage must be a JSON object'],
      [{ CFItems: [] }, 'invalid_request: CFDocument: is required'],
      [{ ...act(), CFDocument: { ...act().CFDocument, title: 42 } }, 'invalid_request: CFDocument.title: is required and must be a string'],
      [{ ...act(), CFItems: act().CFItems.map((x: any, i: number) => (i === 12 ? { ...x, identifier: undefined } : x)) }, 'invalid_request: CFItems[12].identifier: is required'],
      [{ ...act(), CFItems: act().CFItems.map((x: any, i: number) => (i === 3 ? { ...x, fullStatement: ['x'] } : x)) }, 'invalid_request: CFItems[3].fullStatement: is required and must be a string'],
      [{ ...act(), CFItems: 'none' }, 'invalid_request: CFItems: must be an array'],
      [{ ...act(), CFAssociations: act().CFAssociations.map((x: any, i: number) => (i === 5 ? { ...x, originNodeURI: {} } : x)) }, 'invalid_request: CFAssociations[5].originNodeURI: is required'],
      [{ ...act(), CFItems: [...act().CFItems, { ...act().CFItems[0], fullStatement: 'other' }] }, 'invalid_request: CFItems[28].identifier: 3d8cdec5-83d6-49b4-9300-91a824c59758 is already used by a different entity, CFItems[0]'],
      [{ ...act(), CFItems: act().CFItems.map((x: any, i: number) => (i === 20 ? { ...x, notes: 'a\u0000b' } : x)) }, 'invalid_request: CFItems[20].notes: contains a NUL character'],
    ];
    for (const [input, message] of cases) expect(await failure(importCaseJson(store.db, input))).toContain(message);
    expect(await snapshot(store.db)).toBe(before);
  });
});

describe('CASE JSON import is one transaction', () => {
  let store: Store;
  let before: string;
  const pkg = readFramework(SMARTER);
  beforeAll(async () => {
    store = await freshStore();
    await importCaseJson(store.db, readFramework(ACT), { audit: { actor: 'test', action: 'framework.import' } });
    await importCaseJson(store.db, pkg);
  }, 60_000);
  afterAll(async () => { await store.close(); });
  beforeEach(async () => { before = await snapshot(store.db); });

  /** A new version of Smarter Balanced: every item changed, and one entity in the second half that only the database rejects. */
  const changed = () => ({
    ...pkg,
    CFDocument: { ...pkg.CFDocument, title: 'Changed' },
    CFItems: pkg.CFItems.map((x: any) => ({ ...x, fullStatement: `changed ${x.fullStatement}` })),
    CFAssociations: pkg.CFAssociations.map((x: any, i: number) => (i === 3000 ? { ...x, identifier: 'rejected-by-the-database' } : x)),
  });

  it('leaves the database byte-identical when the database rejects a row half-way', async () => {
    // A real database-side failure: a trigger refuses one association, after the document, items and most associations were written.
    await sql.raw(`create function shirube_test_reject() returns trigger language plpgsql as $$
      begin if new.identifier = 'rejected-by-the-database' then raise exception 'rejected by test trigger'; end if; return new; end $$`).execute(store.db);
    await sql.raw('create trigger shirube_test_reject before insert on cf_association for each row execute function shirube_test_reject()').execute(store.db);
    try {
      const progress: number[] = [];
      await expect(importCaseJson(store.db, changed(), { audit: { actor: 'test', action: 'framework.import' } }, (done) => progress.push(done))).rejects.toThrow(/rejected by test trigger/);
      expect(Math.max(...progress)).toBeGreaterThan(1000);
      expect(await snapshot(store.db)).toBe(before);
    } finally {
      await sql.raw('drop trigger shirube_test_reject on cf_association').execute(store.db);
      await sql.raw('drop function shirube_test_reject()').execute(store.db);
    }
  }, 60_000);

  it('leaves the database byte-identical when the import is aborted after N rows', async () => {
    const abort = (done: number) => { if (done > 1500) throw new Error('aborted after 1500 rows'); };
    await expect(importCaseJson(store.db, changed(), {}, abort)).rejects.toThrow(/aborted after 1500 rows/);
    expect(await snapshot(store.db)).toBe(before);
  }, 60_000);
});
