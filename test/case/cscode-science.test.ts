import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, SHARED, type TestApp } from '../helper.js';
import { buildCourseOfStudyPackages, parseCodeTable } from '../../src/case/import/cscode.js';
import { COURSE_OF_STUDY_NAMESPACE } from '../../src/case/cscode.js';
import { ensureShippedFrameworks } from '../../src/case/demo.js';
import { uuidv5 } from '../../src/case/uuid.js';
import type { CFItem, CFPackage } from '../../src/case/model.js';
import { operationOf, schemaErrors } from '../http/case/support.js';

// 理科 2017 is read from the shipped asset, which must equal the reference table it was copied from.
const SHIPPED = new URL('../../assets/frameworks/elementary-science-2017.csv', import.meta.url);
const table = parseCodeTable(readFileSync(SHIPPED));
const byCode = new Map(table.map((r) => [r['code']!, r]));
const ext = (i: CFItem) => i.extensions!['courseOfStudy'] as Record<string, unknown>;
const SCIENCE_DOCUMENT = uuidv5('CFDocument:82600L0000000000', COURSE_OF_STUDY_NAMESPACE);
const MATH_DOCUMENT = uuidv5('CFDocument:8250000000000000', COURSE_OF_STUDY_NAMESPACE);

describe('CSCASE: 理科 (2017) from the Course of Study Code table, unchanged', () => {
  const [pkg, ...others] = buildCourseOfStudyPackages(table, { version: '82V11' });
  const items = pkg!.CFItems;
  const itemById = new Map(items.map((i) => [i.identifier, i]));

  it('ships the reference table byte for byte', () => {
    expect(readFileSync(SHIPPED).equals(readFileSync(`${SHARED}data/cscode/elementary-science-2017.csv`))).toBe(true);
  });

  it('builds one framework for 理科 with 271 items, 72 of them content items', () => {
    expect(others).toHaveLength(0);
    expect(pkg!.CFDocument.identifier).toBe(SCIENCE_DOCUMENT);
    expect(pkg!.CFDocument.title).toBe('小学校学習指導要領（平成29年告示）理科');
    expect(pkg!.CFDocument.subject).toEqual(['理科']);
    expect(items).toHaveLength(271);
    expect(items.filter((i) => ext(i)['level'] === 'content')).toHaveLength(72);
    for (const i of items) expect(i.identifier).toBe(uuidv5(i.humanCodingScheme!, COURSE_OF_STUDY_NAMESPACE));
  });

  it('follows parent_code for every row (the 7 semantic choices of the README included) and keeps the LOD parent', () => {
    const parentOf = new Map(pkg!.CFAssociations.map((a) => [a.originNodeURI.identifier, a.destinationNodeURI.identifier]));
    expect(parentOf.size).toBe(271);
    for (const i of items) {
      const row = byCode.get(i.humanCodingScheme!)!;
      const parent = parentOf.get(i.identifier)!;
      if (row['code'] === '82600L0000000000') expect(parent).toBe(SCIENCE_DOCUMENT);
      else expect(itemById.get(parent)!.humanCodingScheme).toBe(row['parent_code']);
      expect(ext(i)['lodParentCode']).toBe(row['lod_parent_code'] || undefined);
    }
    // The four grade headings sit under 第２ 各学年の目標及び内容, not the root as in code2broader.
    for (const g of ['8260230000000000', '8260240000000000', '8260250000000000', '8260260000000000']) {
      expect(itemById.get(parentOf.get(uuidv5(g, COURSE_OF_STUDY_NAMESPACE))!)!.humanCodingScheme).toBe('82602L0000000000');
    }
  });

  it('reads grade digit L as grades 3–6 and 3–6 as single grades', () => {
    const lRows = items.filter((i) => i.humanCodingScheme![5] === 'L');
    expect(lRows).toHaveLength(20);
    for (const i of lRows) expect(i.educationLevel).toEqual(['03', '04', '05', '06']);
    for (const i of items.filter((x) => /[3-6]/.test(x.humanCodingScheme![5]!))) expect(i.educationLevel).toEqual([`0${i.humanCodingScheme![5]}`]);
  });

  it('gives the 理科 levels their own CFItemTypes (grade_goal_item, handling_subitem) and keeps ruby marks', () => {
    const types = new Map(pkg!.CFDefinitions!.CFItemTypes!.map((t) => [t.typeCode, t]));
    expect(types.get('grade_goal_item')?.title).toBe('学年の目標の細目');
    expect(types.get('handling_subitem')?.title).toBe('内容の取扱いの細目');
    expect([...types.keys()].filter((k) => !(k as string).match(/^[a-z_]+$/))).toEqual([]);
    const counts = new Map<string, number>();
    for (const i of items) counts.set(i.CFItemType!, (counts.get(i.CFItemType!) ?? 0) + 1);
    expect(counts.get('学年の目標の細目')).toBe(24);
    expect(counts.get('内容の取扱いの細目')).toBe(10);
    expect(items.some((i) => i.fullStatement.includes('圧《お》す'))).toBe(true);
  });
});

describe('npm start loads 算数 and 理科, served strictly schema-valid', () => {
  let t: TestApp;
  let ids: string[];
  beforeAll(async () => {
    t = await build();
    ids = await ensureShippedFrameworks(t.store.db, () => {});
  }, 120_000);
  afterAll(() => t.close());

  it('loads both into an empty database, and nothing into one that has frameworks', async () => {
    expect(ids).toEqual([MATH_DOCUMENT, SCIENCE_DOCUMENT]);
    expect(await ensureShippedFrameworks(t.store.db, () => {})).toEqual([]);
    const res = await t.app.inject({ url: '/ims/case/v1p1/CFDocuments' });
    expect(res.json().CFDocuments.map((d: { title: string }) => d.title)).toEqual(expect.arrayContaining(['小学校学習指導要領（平成29年告示）算数', '小学校学習指導要領（平成29年告示）理科']));
  });

  it('answers the 理科 CFPackage, its items, associations and item types valid against the official v1p1 schemas', async () => {
    const res = await t.app.inject({ url: `/ims/case/v1p1/CFPackages/${SCIENCE_DOCUMENT}` });
    expect(res.statusCode).toBe(200);
    const served = res.json() as CFPackage;
    expect(schemaErrors('getCFPackage', served)).toEqual([]);
    expect(served.CFItems).toHaveLength(271);
    expect(served.CFAssociations).toHaveLength(271);
    const sample: Array<[keyof typeof operationOf, string]> = [
      ...served.CFItems.filter((_, i) => i % 10 === 0).map((i) => ['CFItems', i.identifier] as [keyof typeof operationOf, string]),
      ...served.CFAssociations.filter((_, i) => i % 30 === 0).map((a) => ['CFAssociations', a.identifier] as [keyof typeof operationOf, string]),
      ...served.CFDefinitions!.CFItemTypes!.map((d) => ['CFItemTypes', d.identifier] as [keyof typeof operationOf, string]),
      ['CFDocuments', SCIENCE_DOCUMENT],
    ];
    for (const [endpoint, id] of sample) {
      const r = await t.app.inject({ url: `/ims/case/v1p1/${endpoint}/${id}` });
      expect(r.statusCode, `${endpoint}/${id}`).toBe(200);
      expect(schemaErrors(operationOf[endpoint], r.json()), `${endpoint}/${id}`).toEqual([]);
    }
  });

  it('resolves a 理科 content item by its Course of Study Code', async () => {
    const found = await t.app.inject({ url: '/uri/code/8260243251100000', headers: { accept: 'application/json' } });
    expect(found.statusCode).toBe(302);
    expect(found.headers.location).toMatch(new RegExp(`/uri/${uuidv5('8260243251100000', COURSE_OF_STUDY_NAMESPACE)}$`));
    const res = await t.app.inject({ url: new URL(String(found.headers.location), 'http://x').pathname, headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().fullStatement).toBe(byCode.get('8260243251100000')!['text']);
  });
});
