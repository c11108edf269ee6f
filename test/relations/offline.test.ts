import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED } from '../helper.js';
import { candidateSpace, offlineEstimator } from '../../src/relations/index.js';
import { domainFamily } from '../../src/relations/candidates.js';
import { pairKinds, type Evaluation } from '../../src/relations/evaluate.js';
import { fitWeights, itemResolver, LIMITS, type TrainingSet } from '../../src/relations/learn.js';
import { japaneseTerms } from '../../src/relations/morphology.js';
import { heldOut, sharedTruths, type HeldOutResult, type SharedTruth } from '../../src/relations/shared-truths.js';
import { fittedWeights } from '../../src/relations/weights.js';

const ASSETS = fileURLToPath(new URL('../../assets/frameworks', import.meta.url));
const score = (e: Evaluation, estimator: string, type: string) => e.scores.find((s) => s.estimator === estimator && s.type === type && s.domain === '(all)')!;

describe('Japanese morphology', () => {
  it('keeps content words (lemmas) and drops particles and the Course of Study boilerplate', async () => {
    const [thinking, knowledge] = await japaneseTerms([
      '数量の関係に着目し，計算の意味や計算の仕方を考えたり，日常生活に生かしたりすること。',
      '２位数の加法及びその逆の減法の計算が，１位数などについての基本的な計算を基にしてできることを理解すること。',
    ]);
    expect(thinking).toEqual(expect.arrayContaining(['数量', '計算', '意味']));
    for (const w of ['着目', '日常', '生活', '生かす', '考える', 'の', 'こと']) expect(thinking).not.toContain(w);
    expect(knowledge).toEqual(expect.arrayContaining(['2', '加法', '減法', '計算']));
    expect(knowledge).not.toContain('理解');
  });
});

describe('the offline estimator on the shared ground truths (held out, beside TF-IDF in the same run)', () => {
  let truths: SharedTruth[];
  let results: HeldOutResult[];
  let sets: TrainingSet[];
  beforeAll(async () => {
    truths = sharedTruths(`${SHARED}data`, ASSETS);
    ({ results, sets } = await heldOut(truths, 5));
  }, 600_000);
  const result = (name: string) => results.find((r) => r.name === name)!.evaluation;

  it('cross-validated by domain folds, it beats the TF-IDF baseline on every truth; Smarter Balanced precedes F ≥ 0.15', () => {
    for (const r of results) {
      const [cv, tf] = [score(r.evaluation, 'offline-cv', 'precedes'), score(r.evaluation, 'tfidf', 'precedes')];
      expect(cv.f1, r.name).toBeGreaterThan(tf.f1);
    }
    expect(score(result('smarter-balanced'), 'offline-cv', 'precedes').f1).toBeGreaterThanOrEqual(0.15);
    expect(score(result('ccss'), 'offline-cv', 'isRelatedTo').f1).toBeGreaterThan(score(result('ccss'), 'tfidf', 'isRelatedTo').f1);
  });

  it('the candidate space holds the truth it reports, per domain, and stays far smaller than all ordered pairs', () => {
    for (const t of truths) {
      const e = result(t.name);
      expect(t.space.pairs.size).toBeLessThan(t.space.allPairs / 2);
      // Counted here independently of evaluate: precedes truth pairs whose ordered pair is a candidate.
      const resolve = itemResolver(t.framework);
      const seen = new Set<string>();
      let inside = 0;
      for (const r of t.truth.filter((x) => x.type === 'precedes')) {
        const [a, b] = [resolve(r.origin), resolve(r.destination)];
        if (!a || !b || a === b || a.ancestors.has(b.identifier) || b.ancestors.has(a.identifier) || seen.has(`${a.identifier}>${b.identifier}`)) continue;
        seen.add(`${a.identifier}>${b.identifier}`);
        if (t.space.pairs.has(`${a.identifier}\t${b.identifier}`)) inside++;
      }
      const all = e.coverage!.find((c) => c.type === 'precedes' && c.domain === '(all)')!;
      expect(all).toMatchObject({ truth: seen.size, inSpace: inside });
      const domains = e.coverage!.filter((c) => c.type === 'precedes' && c.domain !== '(all)');
      expect(domains.reduce((s, c) => s + c.inSpace, 0)).toBe(inside);
      expect(domains.reduce((s, c) => s + c.found['offline-cv']!, 0)).toBe(score(e, 'offline-cv', 'precedes').tp);
      // Missed pairs by kind: each axis splits the truth; outside the space is the truth less what is in it.
      const kind = (k: (typeof pairKinds)[number]) => e.missed.find((m) => m.type === 'precedes' && m.kind === k);
      expect((kind('same grade')?.truth ?? 0) + (kind('next grade')?.truth ?? 0) + (kind('further grade')?.truth ?? 0)).toBe(seen.size);
      expect((kind('same domain')?.truth ?? 0) + (kind('cross-domain')?.truth ?? 0)).toBe(seen.size);
      expect(kind('outside the candidate space')?.truth ?? 0).toBe(seen.size - inside);
      expect(kind('outside the candidate space')?.missed['offline-cv'] ?? 0).toBe(seen.size - inside);
    }
    // The family rule widens CCSS beyond one domain at a time: more of its truth is inside than in the three older modes.
    const ccss = truths.find((t) => t.name === 'ccss')!;
    const older = candidateSpace(ccss.framework, { modes: ['domain', 'grade', 'viewpoint'] });
    const resolve = itemResolver(ccss.framework);
    const insideOlder = new Set(ccss.truth.filter((r) => r.type === 'precedes').map((r) => `${resolve(r.origin)?.identifier}\t${resolve(r.destination)?.identifier}`).filter((k) => older.pairs.has(k))).size;
    expect(result('ccss').coverage!.find((c) => c.type === 'precedes' && c.domain === '(all)')!.inSpace).toBeGreaterThan(insideOlder + 100);
    const fw = ccss.framework;
    const family = domainFamily(fw);
    const oa = fw.items.find((i) => i.code === '5.OA.A.1')!;
    const ee = fw.items.find((i) => i.code === '6.EE.A.1')!;
    expect(family(oa, ee)).toBe(true);
    expect(family(ee, oa)).toBe(false);
  });

  it('the shipped weights are what fitting on all the shared truths gives (scripts/fit-relations.ts)', () => {
    const w = fitWeights(sets);
    expect(fittedWeights.fittedOn).toEqual(w.fittedOn);
    expect(fittedWeights.precedes.threshold).toBe(w.precedes.threshold);
    expect(fittedWeights.related.threshold).toBe(w.related.threshold);
    fittedWeights.precedes.weights.forEach((x, i) => expect(x).toBeCloseTo(w.precedes.weights[i]!, 4));
    fittedWeights.related.weights.forEach((x, i) => expect(x).toBeCloseTo(w.related.weights[i]!, 4));
  });

  it('on 算数: at most 2 prerequisites and 2 successors per item, no precedes implied by two others, in the candidate space', async () => {
    const t = truths.find((x) => x.name === 'sansu-curated')!;
    const r = await offlineEstimator().estimate(t.framework, t.space);
    const precedes = r.proposals.filter((p) => p.type === 'precedes');
    expect(precedes.length).toBeGreaterThan(100);
    const count = (key: 'origin' | 'destination') => {
      const m = new Map<string, number>();
      for (const p of precedes) m.set(p[key], (m.get(p[key]) ?? 0) + 1);
      return Math.max(...m.values());
    };
    expect(count('destination')).toBeLessThanOrEqual(LIMITS.perDestination);
    expect(count('origin')).toBeLessThanOrEqual(LIMITS.perOrigin);
    const edges = new Set(precedes.map((p) => `${p.origin}\t${p.destination}`));
    for (const p of precedes) {
      expect(t.space.pairs.has(`${p.origin}\t${p.destination}`)).toBe(true);
      expect(p.confidence).toBeGreaterThan(0);
      expect(p.confidence).toBeLessThanOrEqual(1);
      const via = precedes.filter((q) => q.origin === p.origin && edges.has(`${q.destination}\t${p.destination}`));
      expect(via).toEqual([]);
    }
  });
});
