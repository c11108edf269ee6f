import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../helper.js';
import { buildCourseOfStudyPackages, parseCodeTable } from '../../src/case/import/cscode.js';
import { candidateSpace, ensemble, evaluate, offlineEstimator, type Proposal } from '../../src/relations/index.js';
import { relationFramework, gradeOf } from '../../src/relations/framework.js';
import { charGrams, words } from '../../src/relations/text.js';
import { smallPackage } from './fixtures.js';

const sansu = () => relationFramework(buildCourseOfStudyPackages(parseCodeTable(readFileSync(`${SHARED}data/cscode/elementary-math-2017.csv`)), {})[0]!);

describe('text', () => {
  it('segments Japanese without spaces, normalises full-width digits, drops single kana', () => {
    const w = words('２けたの数の加法及び減法の計算', 'ja');
    expect(w).toContain('2');
    expect(w).toContain('加法');
    expect(w).not.toContain('の');
    expect(charGrams('加法と減法', 2)).toEqual(['加法', '法と', 'と減', '減法']);
  });
  it('reads grades from educationLevel', () => {
    expect([gradeOf(['KG']), gradeOf(['03']), gradeOf(['09', '10']), gradeOf(undefined)]).toEqual([0, 3, 9, undefined]);
  });
});

describe('candidate space on 算数', () => {
  it('relates the 217 content items, within far fewer pairs than all ordered pairs, in hierarchy blocks', async () => {
    const fw = sansu();
    expect(fw.items).toHaveLength(217);
    expect(fw.language).toBe('ja');
    const space = candidateSpace(fw);
    expect(space.allPairs).toBe(217 * 216);
    expect(space.pairs.size).toBeLessThan(space.allPairs / 2);
    expect(new Set(space.blocks.map((b) => b.mode))).toEqual(new Set(['domain', 'grade', 'viewpoint', 'family']));
    const byId = new Map(fw.items.map((i) => [i.identifier, i]));
    for (const b of space.blocks.filter((x) => x.mode === 'domain')) {
      for (const [o, d] of b.pairs) expect(byId.get(d)!.grade! - byId.get(o)!.grade!).toBeGreaterThanOrEqual(0);
    }
    // Family blocks: a later grade's item of another domain (測定 → 図形).
    for (const b of space.blocks.filter((x) => x.mode === 'family')) {
      for (const [o, d] of b.pairs) {
        expect(byId.get(d)!.grade!).toBeGreaterThan(byId.get(o)!.grade!);
        expect(byId.get(o)!.domainLabel).toContain('測定');
        expect(byId.get(d)!.domainLabel).toContain('図形');
      }
    }
    for (const b of space.blocks.filter((x) => x.mode === 'viewpoint')) {
      for (const [o, d] of b.pairs) expect(byId.get(o)!.viewpoint).not.toBe(byId.get(d)!.viewpoint);
    }
    const started = Date.now();
    const r = await offlineEstimator().estimate(fw, space);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.proposals.length).toBeGreaterThan(100);
    for (const p of r.proposals) {
      expect(space.pairs.has(`${p.origin}\t${p.destination}`)).toBe(true);
      expect(p.confidence).toBeGreaterThan(0);
      expect(p.confidence).toBeLessThanOrEqual(1);
    }
  });
});

describe('evaluation', () => {
  const fw = relationFramework(smallPackage());
  const [a, b, c] = fw.items;
  const p = (o: typeof a, d: typeof a, type: Proposal['type']): Proposal => ({ origin: o!.identifier, destination: d!.identifier, type, confidence: 0.5 });

  it('scores precedes with direction, isRelatedTo without, by code or identifier; closure credits implied precedes', () => {
    const truth = [
      { origin: a!.code!, destination: b!.code!, type: 'precedes' as const },
      { origin: b!.identifier, destination: c!.identifier, type: 'precedes' as const },
      { origin: c!.code!, destination: a!.code!, type: 'isRelatedTo' as const },
      { origin: 'nowhere', destination: a!.code!, type: 'precedes' as const },
    ];
    const preds = new Map([['x', [p(b, a, 'precedes'), p(b, c, 'precedes'), p(a, c, 'isRelatedTo'), p(a, c, 'precedes')]]]);
    const e = evaluate(fw, truth, preds);
    expect(e.truthInScope).toBe(3);
    expect(e.truthOutOfScope).toBe(1);
    const pre = e.scores.find((s) => s.type === 'precedes' && s.domain === '(all)')!;
    expect(pre).toMatchObject({ truth: 2, predicted: 3, tp: 1 });
    expect(pre.precision).toBeCloseTo(1 / 3);
    expect(pre.recall).toBeCloseTo(1 / 2);
    expect(e.scores.find((s) => s.type === 'isRelatedTo' && s.domain === '(all)')).toMatchObject({ tp: 1, precision: 1, recall: 1, f1: 1 });
    // What each estimator missed, by kind of pair (all three items: grade 1, Number, one category).
    expect(e.missed.filter((m) => m.type === 'precedes')).toEqual([
      { type: 'precedes', kind: 'same grade', truth: 2, missed: { x: 1 } },
      { type: 'precedes', kind: 'same domain', truth: 2, missed: { x: 1 } },
      { type: 'precedes', kind: 'within category', truth: 2, missed: { x: 1 } },
    ]);
    const space = { pairs: new Set([`${b!.identifier}\t${c!.identifier}`]) };
    const covered = evaluate(fw, truth, preds, { space });
    expect(covered.coverage!.find((x) => x.type === 'precedes' && x.domain === '(all)')).toEqual({ type: 'precedes', domain: '(all)', truth: 2, inSpace: 1, found: { x: 1 } });
    expect(covered.missed.find((m) => m.kind === 'outside the candidate space')).toEqual({ type: 'precedes', kind: 'outside the candidate space', truth: 1, missed: { x: 1 } });
    const closed = evaluate(fw, truth, preds, { closure: true }).scores.find((s) => s.type === 'precedes' && s.domain === '(all)')!;
    expect(closed.precision).toBeCloseTo(2 / 3);
    expect(closed.recall).toBeCloseTo(1 / 2);
  });

  it('ensemble keeps what enough lists agree on', () => {
    const out = ensemble([[p(a, b, 'precedes'), p(a, c, 'isRelatedTo')], [p(a, b, 'precedes'), p(c, a, 'isRelatedTo')], [p(b, c, 'precedes')]], 2);
    expect(out.map((x) => x.type).sort()).toEqual(['isRelatedTo', 'precedes']);
    expect(out.find((x) => x.type === 'precedes')!.confidence).toBeCloseTo(0.5 * (2 / 3));
  });
});
