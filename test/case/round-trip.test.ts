import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore, SHARED } from '../helper.js';
import type { Store } from '../../src/store/db.js';
import { loadPackage } from '../../src/store/case.js';
import { importCaseJson } from '../../src/case/import/case-json.js';
import { importSpreadsheet } from '../../src/case/import/spreadsheet.js';
import { importCourseOfStudyCodes } from '../../src/case/import/cscode.js';
import { exportFramework } from '../../src/case/export/index.js';
import { ACT, CCSS_CSV, FRAMEWORKS, LEGACY, readFramework, SMARTER } from './import/support.js';

type Obj = Record<string, any>;
const PUBLIC = 'http://shirube.test';

/**
 * The normalisations CASE JSON export may apply to an imported field (docs/case-normalisation.md, docs/import-export.md).
 * Each returns true when `out` is `src` after that normalisation; anything else is a lost or changed field.
 */
const normalisations: Array<[string, (field: string, src: unknown, out: unknown, entity: Obj) => boolean]> = [
  ['date-time without a zone is UTC', (_f, s, o) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(s) && o === `${s}Z`],
  ['plain-string LinkURI becomes an object with that uri', (f, s, o: any) => /URI$/.test(f) && typeof s === 'string' && o?.uri === s && typeof o?.identifier === 'string' && s.endsWith(o.identifier)],
  ['numeric string sequenceNumber becomes an integer', (f, s, o) => f === 'sequenceNumber' && typeof s === 'string' && o === Number(s)],
  ['null or missing required string becomes ""', (f, s, o) => f === 'description' && (s === null || s === undefined) && o === ''],
  ['legacy educationalLevel is read as educationLevel', (f, s, o, e) => (f === 'educationalLevel' && o === undefined && typeof s === 'string') || (f === 'educationLevel' && s === undefined && typeof e['educationalLevel'] === 'string' && JSON.stringify(o) === JSON.stringify(e['educationalLevel'].split(',')))],
];

/** Compares every field of a source entity with the exported one; returns the field differences no normalisation explains. */
function losses(src: Obj, out: Obj | undefined, path: string, used: Set<string>): string[] {
  if (!out) return [`${path}: missing from the export`];
  const lost: string[] = [];
  for (const f of new Set([...Object.keys(src), ...Object.keys(out)])) {
    if (JSON.stringify(src[f]) === JSON.stringify(out[f])) continue;
    const rule = normalisations.find(([, ok]) => ok(f, src[f], out[f], src));
    if (rule) used.add(rule[0]);
    else lost.push(`${path}.${f}: ${JSON.stringify(src[f])} → ${JSON.stringify(out[f])}`);
  }
  return lost;
}

describe('round trip: every real framework imports and exports with no field lost', () => {
  let store: Store;
  beforeAll(async () => { store = await freshStore(); });
  afterAll(async () => { await store.close(); });

  const cases: Array<[string, string[]]> = [
    [ACT, []],
    [LEGACY, ['date-time without a zone is UTC', 'plain-string LinkURI becomes an object with that uri', 'numeric string sequenceNumber becomes an integer', 'null or missing required string becomes ""', 'legacy educationalLevel is read as educationLevel']],
    [SMARTER, ['null or missing required string becomes ""']],
  ];
  for (const [file, expected] of cases) {
    it(`${file}: CASE JSON 1.0 with URI extras, field by field`, async () => {
      const src = readFramework(file);
      const { identifier } = await importCaseJson(store.db, src);
      const out = JSON.parse((await exportFramework(store.db, identifier, 'case-json-1.0', { publicUrl: PUBLIC, uriExtras: true })).body.toString('utf8'));
      const used = new Set<string>();
      const lost = losses(src.CFDocument, out.CFDocument, 'CFDocument', used);
      for (const list of ['CFItems', 'CFAssociations', 'CFRubrics'] as const) {
        const byId = new Map<string, Obj>((out[list] ?? []).map((x: Obj) => [x['identifier'], x]));
        // An entity listed twice with identical content is exported once (Smarter Balanced lists one association twice).
        expect(byId.size).toBe(new Set((src[list] ?? []).map((x: Obj) => x['identifier'])).size);
        (src[list] ?? []).forEach((x: Obj, i: number) => lost.push(...losses(x, byId.get(x['identifier']), `${list}[${i}]`, used)));
      }
      for (const [list, xs] of Object.entries(src.CFDefinitions ?? {}) as Array<[string, Obj[]]>) {
        // Empty definition lists carry nothing and are omitted.
        if (!xs.length) { expect(out.CFDefinitions?.[list]).toBeUndefined(); continue; }
        const byId = new Map<string, Obj>(out.CFDefinitions[list].map((x: Obj) => [x['identifier'], x]));
        xs.forEach((x, i) => lost.push(...losses(x, byId.get(x['identifier']), `CFDefinitions.${list}[${i}]`, used)));
      }
      expect(lost).toEqual([]);
      expect([...used].sort()).toEqual([...expected].sort());
    }, 60_000);
  }

  it(`${CCSS_CSV}: every column of every row survives CSV export`, async () => {
    const csv = readFileSync(FRAMEWORKS + CCSS_CSV);
    const src: Obj[] = parse(csv, { columns: true, bom: true });
    const { identifier, counts } = await importSpreadsheet(store.db, csv, 'csv', { title: 'Common Core State Standards, ELA', creator: 'NGA Center / CCSSO' });
    expect(counts.CFItems).toBe(1189);
    expect(counts.CFAssociations).toBe(1189);
    const out: Obj[] = parse((await exportFramework(store.db, identifier, 'csv', { publicUrl: PUBLIC })).body, { columns: true, bom: true });
    expect(Object.keys(out[0]!)).toEqual(Object.keys(src[0]!));
    expect(out).toHaveLength(src.length);
    const byId = new Map(out.map((r) => [r['identifier'], r]));
    for (const row of src) expect(byId.get(row['identifier'])).toEqual(row);
  }, 60_000);

  it('a framework exported to XLSX and imported again gives the same items and associations', async () => {
    const [cs] = await importCourseOfStudyCodes(store.db, readFileSync(`${SHARED}data/cscode/elementary-math-2017.csv`));
    const act = await importCaseJson(store.db, readFramework(ACT));
    for (const id of [cs!.identifier, act.identifier]) {
      const before = (await loadPackage(store.db, id))!;
      const xlsx = (await exportFramework(store.db, id, 'xlsx', { publicUrl: PUBLIC })).body;
      const other = await freshStore();
      try {
        const r = await importSpreadsheet(other.db, xlsx, 'xlsx');
        expect(r.identifier).toBe(id);
        const after = (await loadPackage(other.db, id))!;
        const fields = ['identifier', 'fullStatement', 'humanCodingScheme', 'listEnumeration', 'abbreviatedStatement', 'conceptKeywords', 'notes', 'language', 'educationLevel', 'CFItemType'];
        const pick = (x: Obj) => Object.fromEntries(fields.map((f) => [f, x[f]]));
        expect(after.items.map((i) => pick(i.payload))).toEqual(expect.arrayContaining(before.items.map((i) => pick(i.payload))));
        expect(after.items).toHaveLength(before.items.length);
        const assoc = (a: (typeof before.associations)[number]) => [a.identifier, a.associationType, a.originIdentifier, a.destinationIdentifier, a.sequenceNumber];
        expect(after.associations.map(assoc).sort()).toEqual(before.associations.map(assoc).sort());
        expect(after.document.title).toBe(before.document.title);
        expect(after.document.payload['creator']).toBe(before.document.payload['creator']);
      } finally {
        await other.close();
      }
    }
  }, 120_000);
});
