import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCourseOfStudyPackages, parseCodeTable } from '../../src/case/import/cscode.js';
import { candidateSpace, combineFrameworks, crossCandidateSpace, offlineEstimator, subjectOf } from '../../src/relations/index.js';
import { pairKey as pairKeyOf } from '../../src/relations/candidates.js';
import { relationFramework } from '../../src/relations/framework.js';
import { blockPrompt } from '../../src/relations/prompts/index.js';
import type { RelationFramework } from '../../src/relations/index.js';

/** The shipped 算数 and 理科 2017 tables (assets/frameworks), as `npm start` loads them. */
const shipped = (file: string) => relationFramework(buildCourseOfStudyPackages(parseCodeTable(readFileSync(new URL(`../../assets/frameworks/${file}`, import.meta.url))), {})[0]!);
const sansu = shipped('elementary-math-2017.csv');
const rika = shipped('elementary-science-2017.csv');

/** The ordered pairs the grade rule allows, counted from the two frameworks' items, not from the code under test. */
function expectedPairs(a: RelationFramework, b: RelationFramework, gap: number): Set<string> {
  const out = new Set<string>();
  for (const x of a.items) {
    for (const y of b.items) {
      if (x.grade === undefined || y.grade === undefined) continue;
      const d = y.grade - x.grade;
      if (d >= 0 && d <= gap) out.add(pairKeyOf(x.identifier, y.identifier));
      if (-d >= 0 && -d <= gap) out.add(pairKeyOf(y.identifier, x.identifier));
    }
  }
  return out;
}

describe('cross-subject candidate space: 算数 2017 → 理科 2017 (shipped assets)', () => {
  const fw = combineFrameworks(sansu, rika);
  const byId = new Map(fw.items.map((i) => [i.identifier, i]));
  const frameworkOf = (id: string) => byId.get(id)!.framework;

  it('combines both frameworks: items keep their framework and subject; domain keys do not collide', () => {
    expect(fw.items).toHaveLength(sansu.items.length + rika.items.length);
    expect(fw.language).toBe('ja');
    expect(subjectOf(sansu.title)).toBe('算数');
    expect(subjectOf(rika.title)).toBe('理科');
    for (const i of fw.items) expect([i.framework, i.subject]).toEqual(sansu.items.some((x) => x.identifier === i.identifier) ? [sansu.identifier, '算数'] : [rika.identifier, '理科']);
    // Both subjects have a domain "A" (数と計算, 物質・エネルギー): in the combined framework they are two domains.
    const raw = (f: RelationFramework) => new Set(f.items.map((i) => i.domain));
    expect([...raw(sansu)].filter((d) => raw(rika).has(d)).length).toBeGreaterThan(0);
    const domains = (id: string) => new Set(fw.items.filter((i) => i.framework === id).map((i) => i.domain));
    expect([...domains(sansu.identifier)].filter((d) => domains(rika.identifier).has(d))).toEqual([]);
    const categories = (id: string) => new Set(fw.items.filter((i) => i.framework === id).map((i) => i.category));
    expect([...categories(sansu.identifier)].filter((c) => categories(rika.identifier).has(c))).toEqual([]);
    // The frameworks themselves are untouched.
    expect(sansu.items.every((i) => i.framework === undefined && !i.domain.includes('|'))).toBe(true);
    expect(() => combineFrameworks(sansu, sansu)).toThrow(/targetFramework/);
  });

  for (const gap of [1, 0]) {
    it(`holds exactly the pairs across the two frameworks that the grade rule allows (maxGradeGap ${gap})`, () => {
      const space = crossCandidateSpace(fw, sansu.identifier, rika.identifier, { maxGradeGap: gap });
      const expected = expectedPairs(sansu, rika, gap);
      expect(space.pairs.size).toBe(expected.size);
      expect([...space.pairs].every((k) => expected.has(k))).toBe(true);
      expect(space.allPairs).toBe(2 * sansu.items.length * rika.items.length);
      expect(space.modes).toEqual(['cross']);
      for (const k of space.pairs) {
        const [o, d] = k.split('\t') as [string, string];
        expect(frameworkOf(o)).not.toBe(frameworkOf(d));
        const step = byId.get(d)!.grade! - byId.get(o)!.grade!;
        expect(step).toBeGreaterThanOrEqual(0);
        expect(step).toBeLessThanOrEqual(gap);
      }
      // Both directions: 算数 → 理科 and 理科 → 算数.
      expect([...space.pairs].some((k) => frameworkOf(k.split('\t')[0]!) === rika.identifier)).toBe(true);
      expect([...space.pairs].some((k) => frameworkOf(k.split('\t')[0]!) === sansu.identifier)).toBe(true);
      if (gap === 0) expect([...space.pairs].every((k) => { const [o, d] = k.split('\t'); return byId.get(o!)!.grade === byId.get(d!)!.grade; })).toBe(true);
    });
  }

  it('splits into blocks of one grade and domain of each framework, each far smaller than a framework', () => {
    const space = crossCandidateSpace(fw, sansu.identifier, rika.identifier);
    const keys = new Set<string>();
    let pairs = 0;
    for (const b of space.blocks) {
      expect(b.mode).toBe('cross');
      expect(keys.has(b.key)).toBe(false);
      keys.add(b.key);
      const sides = [sansu.identifier, rika.identifier].map((id) => b.items.filter((i) => i.framework === id));
      for (const side of sides) {
        expect(side.length).toBeGreaterThan(0);
        expect(new Set(side.map((i) => `${i.grade}/${i.domain}`)).size).toBe(1);
      }
      expect(b.label).toMatch(/^算数 第\d学年 .+ ↔ 理科 第\d学年 .+$/);
      const members = new Set(b.items.map((i) => i.identifier));
      for (const [o, d] of b.pairs) expect(members.has(o) && members.has(d)).toBe(true);
      expect(b.items.length).toBeLessThan(rika.items.length);
      pairs += b.pairs.length;
    }
    // Blocks do not overlap: every pair is asked about once.
    expect(pairs).toBe(space.pairs.size);
    // 理科 is grades 3–6: a block per (算数 grade, 理科 grade) within one grade, per domain pair.
    const gradePairs = new Set(space.blocks.map((b) => b.key.split(':')[1]));
    const expectedGradePairs = new Set<string>();
    for (const ga of new Set(sansu.items.map((i) => i.grade!))) for (const gb of new Set(rika.items.map((i) => i.grade!))) if (Math.abs(ga - gb) <= 1) expectedGradePairs.add(`${ga}-${gb}`);
    expect(gradePairs).toEqual(expectedGradePairs);
  });

  it('the offline estimator works unchanged on it: every proposal crosses the frameworks and is in the space', async () => {
    const space = crossCandidateSpace(fw, sansu.identifier, rika.identifier);
    const { proposals } = await offlineEstimator().estimate(fw, space);
    expect(proposals.length).toBeGreaterThan(0);
    for (const p of proposals) {
      expect(frameworkOf(p.origin)).not.toBe(frameworkOf(p.destination));
      expect(space.pairs.has(pairKeyOf(p.origin, p.destination)) || (p.type === 'isRelatedTo' && space.pairs.has(pairKeyOf(p.destination, p.origin)))).toBe(true);
    }
  });

  it('LLM prompts name both subjects and each item’s subject; a same-framework prompt is unchanged', () => {
    const space = crossCandidateSpace(fw, sansu.identifier, rika.identifier);
    const block = space.blocks.find((b) => b.label.includes('第5学年') && b.label.includes('データの活用'))!;
    const { system, prompt, labels } = blockPrompt(fw, block);
    expect(system).toContain('2つの教科');
    expect(prompt).toContain('教科をまたぐ関係だけ');
    const lines = prompt.split('\n').filter((l) => /^I\d+ /.test(l));
    expect(lines).toHaveLength(block.items.length);
    expect(lines.every((l) => /^I\d+ \[(算数|理科) \/ 第\d学年/.test(l))).toBe(true);
    expect(labels.size).toBe(block.items.length);
    const own = blockPrompt(sansu, candidateSpace(sansu).blocks[0]!);
    expect(own.system).not.toContain('2つの教科');
    expect(own.prompt).not.toMatch(/\[(算数|理科) \//);
  });
});
