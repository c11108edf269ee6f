import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore } from '../helper.js';
import type { Store } from '../../src/store/db.js';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { DEMO_RUBRICS_DOCUMENT, MATH_2017_DOCUMENT, ensureDemoRubrics, frameworkRules, frameworkStructure } from '../../src/progress/index.js';
import { loadPackage } from '../../src/store/case.js';
import { rowsToPackage } from '../../src/case/index.js';
import { serializePackage } from '../../src/case/serialize.js';
import { schemaErrors } from '../http/case/support.js';

/** The demo's A/B/C rubrics for the grade-4 算数 items (docs/demo.md): their own CASE document, loaded once. */
let store: Store;
beforeAll(async () => {
  store = await freshStore();
  await ensureDemoFramework(store.db, () => {});
}, 60_000);
afterAll(() => store.close());

describe('ensureDemoRubrics', () => {
  it('loads one rubric per grade-4 content item, once; each grades its item with A/B/C', async () => {
    expect(await ensureDemoRubrics(store.db, 'http://shirube.test')).toBe(true);
    expect(await ensureDemoRubrics(store.db, 'http://shirube.test')).toBe(false);
    const grade4 = (await frameworkStructure(store.db, MATH_2017_DOCUMENT)).items.filter((i) => i.grade === '4');
    const rows = (await loadPackage(store.db, DEMO_RUBRICS_DOCUMENT))!;
    expect(rows.rubrics).toHaveLength(grade4.length);
    const { rubrics } = await frameworkRules(store.db, MATH_2017_DOCUMENT);
    expect([...rubrics.keys()].sort()).toEqual(grade4.map((i) => i.id).sort());
    for (const r of rubrics.values()) {
      expect(r.levels.map((l) => [l.quality, l.min])).toEqual([['A', 0.8], ['B', 0.5], ['C', 0]]);
      expect(r.mastery).toBe(r.levels[0]!.identifier);
    }
  });

  it('is a schema-valid CASE 1.1 package (getCFPackage)', async () => {
    const rows = (await loadPackage(store.db, DEMO_RUBRICS_DOCUMENT))!;
    const pkg = serializePackage(rows, { version: '1.1', publicUrl: 'http://shirube.test' });
    expect(schemaErrors('getCFPackage', pkg)).toEqual([]);
    expect(rowsToPackage(rows).CFRubrics?.[0]?.CFRubricCriteria?.[0]?.['CFRubricCriterionLevels']).toHaveLength(3);
  });
});
