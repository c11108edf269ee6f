import { describe, expect, it } from 'vitest';
import { offlineReason } from '../../src/relations/offline.js';
import { ensemble } from '../../src/relations/ensemble.js';
import type { RelationItem } from '../../src/relations/model.js';
import { translator } from '../../web/src/lib/i18n/translate.js';
import { estimatorText, rationaleText, relationTypeText } from '../../web/src/features/relations/lib/rationale.js';

/** The reasons the estimators write, as the review queue shows them: Japanese words in Japanese, as written in English. */
const item = (id: string, grade: number, domain: string, category: string, order = 0): RelationItem => ({
  identifier: id, code: undefined, text: id, grade, gradeLabel: `${grade}`, domain, domainLabel: domain, category, categoryLabel: category,
  viewpoint: undefined, order, path: [], ancestors: new Set(),
});

describe('estimator reasons in the reviewer’s language', () => {
  const ja = translator('ja');
  const en = translator('en');
  const a = item('a', 3, 'A', 'A1');
  const pairs: Array<[RelationItem, RelationItem]> = [
    [a, item('b', 3, 'A', 'A1')],
    [a, item('c', 4, 'A', 'A2')],
    [a, item('d', 1, 'B', 'B1')],
  ];

  it('translates every offline reason (place and grade gap) into Japanese, and shows the English as the estimator wrote it', () => {
    const reasons = pairs.map(([x, y]) => offlineReason(x, y));
    expect(new Set(reasons).size).toBe(3);
    for (const r of reasons) {
      expect(rationaleText(en, r)).toBe(r);
      expect(rationaleText(ja, r), r).not.toMatch(/[A-Za-z]/);
    }
    expect(pairs.map(([x, y]) => rationaleText(ja, offlineReason(x, y)))).toEqual(['同じ単元、同じ学年', '同じ領域、1 学年上', '別の領域、2 学年下']);
  });

  it('translates the ensemble’s agreement and leaves an LLM’s or a reviewer’s own words alone', () => {
    const p = { origin: 'a', destination: 'b', type: 'precedes' as const, confidence: 0.8 };
    const [agreed] = ensemble([[p], [p], []], 2);
    expect(rationaleText(en, agreed!.rationale!)).toBe(agreed!.rationale);
    expect(rationaleText(ja, agreed!.rationale!)).toBe('3 個の推定器のうち 2 個が一致');
    expect(rationaleText(ja, 'I1 は I2 の前提')).toBe('I1 は I2 の前提');
  });

  it('names relation types and estimators in words, and an unknown one as the API gives it', () => {
    expect([relationTypeText(ja, 'precedes'), relationTypeText(ja, 'isRelatedTo'), relationTypeText(ja, 'exemplar')]).toEqual(['系統性', '関連', 'exemplar']);
    expect([relationTypeText(en, 'precedes'), relationTypeText(en, 'isRelatedTo')]).toEqual(['precedes', 'isRelatedTo']);
    expect([estimatorText(ja, 'offline'), estimatorText(ja, 'reviewer'), estimatorText(ja, 'llm', 'gpt-4o-mini'), estimatorText(ja, 'ensemble')]).toEqual(['オフライン推定', 'レビュアーが追加', 'LLM gpt-4o-mini', 'ensemble']);
  });
});
