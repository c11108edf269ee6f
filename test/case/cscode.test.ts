import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore, SHARED } from '../helper.js';
import type { Store } from '../../src/store/db.js';
import { loadPackage } from '../../src/store/case.js';
import { buildCourseOfStudyPackages, importCourseOfStudyCodes, parseCodeTable } from '../../src/case/import/cscode.js';
import { COURSE_OF_STUDY_NAMESPACE, findItemByCourseOfStudyCode, lodUri } from '../../src/case/cscode.js';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { importCaseJson } from '../../src/case/import/case-json.js';
import { uuidv5 } from '../../src/case/uuid.js';
import { LOCAL_BASE, type CFItem } from '../../src/case/model.js';
import { isShirubeError } from '../../src/errors.js';

const CSV = readFileSync(`${SHARED}data/cscode/elementary-math-2017.csv`);
const table = parseCodeTable(CSV);
const byCode = new Map(table.map((r) => [r['code']!, r]));

const count = async (store: Store, t: 'cf_item' | 'cf_association' | 'cf_document' | 'cf_definition') =>
  Number((await store.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe('CSCASE: the Course of Study Code table as CASE', () => {
  const [pkg] = buildCourseOfStudyPackages(table, { version: '82V11' });
  const items = pkg!.CFItems;
  const itemById = new Map(items.map((i) => [i.identifier, i]));

  it('builds one CFDocument for 算数 with the MEXT attribution', () => {
    expect(buildCourseOfStudyPackages(table)).toHaveLength(1);
    const d = pkg!.CFDocument;
    expect(d.title).toBe('小学校学習指導要領（平成29年告示）算数');
    expect(d).toMatchObject({ creator: '文部科学省', publisher: '文部科学省', language: 'ja', subject: ['算数'], adoptionStatus: 'Implemented', version: '82V11' });
    expect(d.identifier).toBe(uuidv5('CFDocument:8250000000000000', COURSE_OF_STUDY_NAMESPACE));
    expect(d['notes']).toContain('文部科学省');
    expect(d['notes']).toContain('教育データプラス研究会');
    expect(d['notes']).toContain('加工');
    expect(d['licenseURI']).toMatchObject({ title: expect.stringContaining('公共データ利用規約') });
    expect(pkg!.CFDefinitions?.CFLicenses?.[0]?.identifier).toBe((d['licenseURI'] as { identifier: string }).identifier);
    expect(d.uri.startsWith(LOCAL_BASE)).toBe(true);
  });

  it('makes a CFItem for every coded row, with the text exactly as given and the code as humanCodingScheme', () => {
    expect(items).toHaveLength(632);
    for (const i of items) {
      const row = byCode.get(i.humanCodingScheme!)!;
      expect(i.fullStatement).toBe(row['text']);
      expect(i.identifier).toBe(uuidv5(row['code']!, COURSE_OF_STUDY_NAMESPACE));
      expect(i['listEnumeration']).toBe(row['section_number'] || undefined);
      expect((i.extensions!['courseOfStudy'] as Record<string, unknown>)['lodUri']).toBe(lodUri(row['code']!));
    }
    expect(items.filter((i) => i.CFItemType === '学習内容')).toHaveLength(217);
  });

  it('gives every item an isChildOf chain up to the subject, and the subject item one to the document', () => {
    const assocs = pkg!.CFAssociations;
    expect(assocs).toHaveLength(632);
    expect(assocs.every((a) => a.associationType === 'isChildOf')).toBe(true);
    const parentOf = new Map(assocs.map((a) => [a.originNodeURI.identifier, a.destinationNodeURI.identifier]));
    expect(parentOf.size).toBe(632);
    const root = items.find((i) => i.humanCodingScheme === '8250000000000000')!;
    expect(parentOf.get(root.identifier)).toBe(pkg!.CFDocument.identifier);
    for (const i of items) {
      let at = i.identifier;
      for (let hops = 0; at !== root.identifier; hops++) {
        expect(hops).toBeLessThan(20);
        at = parentOf.get(at)!;
        expect(itemById.has(at)).toBe(true);
      }
      const row = byCode.get(i.humanCodingScheme!)!;
      if (i !== root) expect(itemById.get(parentOf.get(i.identifier)!)!.humanCodingScheme).toBe(row['parent_code']);
    }
  });

  it('attaches the 5 〔用語・記号〕 quirk rows to their semantic parent, keeping the LOD parent in extensions', () => {
    const quirks = table.filter((r) => r['parent_code'] !== r['lod_parent_code'] && r['level'] !== 'subject');
    expect(quirks).toHaveLength(5);
    for (const r of quirks) {
      const a = pkg!.CFAssociations.find((x) => x.originNodeURI.identifier === uuidv5(r['code']!, COURSE_OF_STUDY_NAMESPACE))!;
      expect(a.destinationNodeURI.identifier).toBe(uuidv5(r['parent_code']!, COURSE_OF_STUDY_NAMESPACE));
      expect(itemById.get(a.destinationNodeURI.identifier)!.fullStatement).toBe('〔用語・記号〕');
      const item = itemById.get(a.originNodeURI.identifier)!;
      expect((item.extensions!['courseOfStudy'] as Record<string, unknown>)['lodParentCode']).toBe(r['lod_parent_code']);
    }
  });

  it('orders siblings by the table order and numbers them from 1', () => {
    const grade1 = uuidv5('8250210000000000', COURSE_OF_STUDY_NAMESPACE);
    const kids = pkg!.CFAssociations.filter((a) => a.destinationNodeURI.identifier === grade1).sort((a, b) => a.sequenceNumber! - b.sequenceNumber!);
    expect(kids.map((a) => a.sequenceNumber)).toEqual([1, 2]);
    expect(kids.map((a) => itemById.get(a.originNodeURI.identifier)!.listEnumeration)).toEqual(['１', '２']);
  });

  it('defines a CFItemType per level and sets educationLevel from the grade digit', () => {
    const types = pkg!.CFDefinitions!.CFItemTypes!;
    expect(types.map((t) => t['typeCode']).sort()).toEqual([...new Set(table.map((r) => r['level']))].sort());
    for (const t of types) expect(t).toMatchObject({ title: expect.any(String), description: expect.any(String), hierarchyCode: expect.any(String) });
    const byHcs = (c: string) => items.find((i) => i.humanCodingScheme === c)!;
    expect(byHcs('8250213111100000').educationLevel).toEqual(['01']);
    expect(byHcs('82503A0140000000').educationLevel).toEqual(['01', '02']);
    expect(byHcs('8250000000000000').educationLevel).toEqual(['01', '02', '03', '04', '05', '06']);
    for (const i of items) {
      const grade = byCode.get(i.humanCodingScheme!)!['grade'];
      if (grade) expect(i.educationLevel).toEqual(grade.split(',').map((g) => g.padStart(2, '0')));
    }
  });

  it('works for another subject: derives the title from the code digits, not from 算数', () => {
    // 理科's root carries grade span L (3–6) in digit 6; its rows nest the same way.
    const csv = [
      'code,parent_code,level,section_number,text,order',
      '82600L0000000000,82n0000000000000,subject,第４節,理科,2288',
      '82601L0000000000,82600L0000000000,section,第１,目標,2289',
      '8260130000000000,82600L0000000000,grade,〔第３学年〕,〔第３学年〕,2290',
    ].join('\n');
    const [science] = buildCourseOfStudyPackages(parseCodeTable(csv));
    expect(science!.CFDocument.title).toBe('小学校学習指導要領（平成29年告示）理科');
    expect(science!.CFItems.find((i) => i.humanCodingScheme === '82600L0000000000')!.educationLevel).toEqual(['03', '04', '05', '06']);
    expect(science!.CFItems.find((i) => i.humanCodingScheme === '8260130000000000')!.educationLevel).toEqual(['03']);
    expect(science!.CFAssociations).toHaveLength(3);
  });

  it('names the row and column of bad input', () => {
    const bad = (csv: string) => {
      try {
        buildCourseOfStudyPackages(parseCodeTable(csv));
      } catch (e) {
        if (isShirubeError(e)) return `${e.code} ${e.field}`;
        throw e;
      }
      return 'accepted';
    };
    expect(bad('code,text\n8250000000000000,算数')).toBe('invalid_request parent_code');
    expect(bad('code,parent_code,text\n825,82n0000000000000,算数')).toBe('invalid_request rows[0].code');
    expect(bad('code,parent_code,level,text\n8250000000000000,82n0000000000000,subject,算数\n8250100000000000,8259999999999999,section,目標')).toBe('invalid_request rows[1].parent_code');
    expect(bad('code,parent_code,text\n8250000000000000,82n0000000000000,算数\n8250000000000000,82n0000000000000,算数')).toBe('invalid_request rows[1].code');
    expect(bad('code,parent_code,text\n"8250000000000000,82n0000000000000,算数')).toBe('invalid_request (body)');
  });
});

describe('CSCASE import', () => {
  let store: Store;
  beforeAll(async () => { store = await freshStore(); });
  afterAll(async () => { await store.close(); });

  it('stores the framework as a Course of Study framework; importing again updates instead of duplicating', async () => {
    const progress: Array<[number, number]> = [];
    const [first] = await importCourseOfStudyCodes(store.db, CSV, {}, (done, total) => progress.push([done, total]));
    expect(first!.counts).toMatchObject({ CFItems: 632, CFAssociations: 632 });
    expect(progress.at(-1)![0]).toBe(progress.at(-1)![1]);
    expect(progress.length).toBeGreaterThan(3);
    const counts = [await count(store, 'cf_item'), await count(store, 'cf_association'), await count(store, 'cf_document'), await count(store, 'cf_definition')];
    const ids = (await loadPackage(store.db, first!.identifier))!.items.map((i) => i.identifier).sort();
    const [second] = await importCourseOfStudyCodes(store.db, CSV);
    expect(second!.identifier).toBe(first!.identifier);
    expect([await count(store, 'cf_item'), await count(store, 'cf_association'), await count(store, 'cf_document'), await count(store, 'cf_definition')]).toEqual(counts);
    expect(counts).toEqual([632, 632, 1, 18]);
    expect((await loadPackage(store.db, first!.identifier))!.items.map((i) => i.identifier).sort()).toEqual(ids);
    expect((await loadPackage(store.db, first!.identifier))!.document.isCourseOfStudy).toBe(true);
  });

  it('looks items up by Course of Study Code only in Course of Study frameworks', async () => {
    const found = await findItemByCourseOfStudyCode(store.db, '8250213111100000');
    expect(found?.item.fullStatement).toBe(byCode.get('8250213111100000')!['text']);
    // Another framework using the same code as humanCodingScheme is not a Course of Study framework.
    const pkg = JSON.parse(readFileSync(`${SHARED}data/case-frameworks/act-holistic-framework-math.v1p0.cfpackage.json`, 'utf8'));
    pkg.CFItems[0].humanCodingScheme = '8250300350000000';
    await importCaseJson(store.db, pkg);
    const hit = await findItemByCourseOfStudyCode(store.db, '8250300350000000');
    expect((hit!.item as CFItem).identifier).toBe(uuidv5('8250300350000000', COURSE_OF_STUDY_NAMESPACE));
    expect(await findItemByCourseOfStudyCode(store.db, '8259999999999990')).toBeUndefined();
    await expect(findItemByCourseOfStudyCode(store.db, 'nope')).rejects.toMatchObject({ code: 'invalid_request', field: 'code' });
  });

  it('loads the demo framework from assets only into an empty database', async () => {
    expect(await ensureDemoFramework(store.db, () => {})).toBeUndefined();
    const empty = await freshStore();
    try {
      const messages: string[] = [];
      const id = await ensureDemoFramework(empty.db, (m) => messages.push(m));
      expect(id).toBe(uuidv5('CFDocument:8250000000000000', COURSE_OF_STUDY_NAMESPACE));
      expect((await loadPackage(empty.db, id!))!.items).toHaveLength(632);
      expect(messages).toHaveLength(1);
    } finally {
      await empty.close();
    }
  });
});
