import type { Db } from '../store/db.js';
import { getDocument } from '../store/case.js';
import { importCaseJson, uuidv5 } from '../case/index.js';
import { MATH_2017_DOCUMENT } from './demo-precedes.js';
import { frameworkStructure } from './framework.js';

/** Our namespace for the demo rubrics (generated once; never change it). */
const NAMESPACE = 'e3a9c1d4-5b7f-4a26-8c0e-9d2f6b4a1c38';
export const DEMO_RUBRICS_DOCUMENT = uuidv5('CFDocument:demo-rubrics:825-grade-4', NAMESPACE);
/** The set's lastChangeDateTime, its version: a database holding an older one gets this one. */
const SET_VERSION = '2026-12-06T00:00:00+00:00';

/**
 * The three levels of 観点別学習状況の評価 (A「十分満足できる」, B「おおむね満足できる」, C「努力を要する」), with the
 * mean correct rate each starts at: the same thresholds as the default labels, so the demo's states stay as they were.
 */
const LEVELS = [
  { quality: 'A', score: 0.8, text: (c: string) => `「${c}」の内容を確実に身に付け、説明したり活用したりできる（十分満足できる状況）` },
  { quality: 'B', score: 0.5, text: (c: string) => `「${c}」の内容をおおむね身に付けている（おおむね満足できる状況）` },
  { quality: 'C', score: 0, text: (c: string) => `「${c}」の内容の習得に支援を要する（努力を要する状況）` },
] as const;

/**
 * A CASE package of its own holding one CFRubric per grade-4 content item of 算数 2017 (the demo class's grade),
 * each with one criterion naming the item and levels A/B/C (docs/demo.md). The MEXT framework stays as published.
 */
export async function demoRubricsPackage(db: Db, publicUrl: string) {
  const s = await frameworkStructure(db, MATH_2017_DOCUMENT);
  const uri = (id: string) => `${publicUrl}/uri/${id}`;
  const id = (name: string) => uuidv5(name, NAMESPACE);
  const now = SET_VERSION;
  return {
    CFDocument: {
      identifier: DEMO_RUBRICS_DOCUMENT,
      uri: uri(DEMO_RUBRICS_DOCUMENT),
      title: '算数 第4学年 評価規準（A/B/C）— Shirube デモ',
      creator: 'Shirube team',
      language: 'ja',
      adoptionStatus: 'Draft',
      description: '小学校学習指導要領（平成29年告示）算数の第4学年の内容の項目ごとの CFRubric。A/B/C の各段階と、その段階が始まる平均正答率（docs/demo.md）。デモ用のもので、実際には学校や教育委員会が作成します。',
      lastChangeDateTime: now,
    },
    CFItems: [],
    CFAssociations: [],
    CFRubrics: s.items.filter((i) => i.grade === '4').map((i) => {
      const rubricId = id(`rubric:${i.code}`);
      const criterionId = id(`criterion:${i.code}`);
      return {
        identifier: rubricId,
        uri: uri(rubricId),
        title: `${i.code} ${i.category ?? ''} ${i.sectionNumber ?? ''}`.trim(),
        description: i.fullStatement,
        lastChangeDateTime: now,
        CFRubricCriteria: [{
          identifier: criterionId,
          uri: uri(criterionId),
          category: i.category ?? undefined,
          description: i.fullStatement,
          CFItemURI: { title: i.code, identifier: i.id, uri: uri(i.id) },
          position: 1,
          rubricId,
          lastChangeDateTime: now,
          CFRubricCriterionLevels: LEVELS.map((l, n) => {
            const levelId = id(`level:${i.code}:${l.quality}`);
            return { identifier: levelId, uri: uri(levelId), quality: l.quality, score: l.score, description: l.text(i.category ?? i.code), position: n + 1, rubricCriterionId: criterionId, lastChangeDateTime: now };
          }),
        }],
      };
    }),
  };
}

/** Loads the demo rubrics when 算数 2017 is present and the set is missing or older; the import is one transaction. */
export async function ensureDemoRubrics(db: Db, publicUrl: string): Promise<boolean> {
  if (!(await getDocument(db, MATH_2017_DOCUMENT))) return false;
  const stored = await getDocument(db, DEMO_RUBRICS_DOCUMENT);
  if (stored && stored.lastChange.getTime() === Date.parse(SET_VERSION)) return false;
  await importCaseJson(db, await demoRubricsPackage(db, publicUrl), { audit: { actor: 'system', action: 'framework.import.demo' } });
  return true;
}
