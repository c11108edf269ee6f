import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { buildCourseOfStudyPackages, parseCodeTable } from '../case/import/cscode.js';
import { tfidfEstimator } from './baseline.js';
import { candidateSpace, type CandidateSpace } from './candidates.js';
import { ccssCoherenceMap, courseOfStudyCommentary, holdOut } from './datasets.js';
import { evaluate, type Evaluation, type TruthRow } from './evaluate.js';
import { relationFramework } from './framework.js';
import { crossValidate, fitWeights, LIMITS, score, select, trainingSet, type TrainingSet } from './learn.js';
import type { Proposal, RelationFramework } from './model.js';

/**
 * The ground truths the offline estimator's weights are fitted on and measured against (docs/relations.md): the
 * CCSS Coherence Map, Smarter Balanced's own associations (held out), the 理科 commentary's 基礎/応用, all from the
 * shared data folder, and the team's curated 算数 precedes set (assets/frameworks, with the shipped 算数).
 */
export interface SharedTruth {
  name: 'ccss' | 'smarter-balanced' | 'rika-commentary' | 'sansu-curated';
  framework: RelationFramework;
  truth: TruthRow[];
  space: CandidateSpace;
}

export function sharedTruths(dataDir: string, assetsDir: string): SharedTruth[] {
  const ccss = ccssCoherenceMap(join(dataDir, 'prerequisites/ccss-coherence-map'));
  const sb = holdOut(JSON.parse(readFileSync(join(dataDir, 'case-frameworks/smarter-balanced-math-content-spec.v1p0.cfpackage.json'), 'utf8')));
  const rika = courseOfStudyCommentary(
    readFileSync(join(dataDir, 'cscode/elementary-science-2017.csv')),
    readFileSync(join(dataDir, 'cscode/raw/jp-cos-commentary_cs-basic-advanced-20250816_science.tsv')),
  );
  const sansu = relationFramework(buildCourseOfStudyPackages(parseCodeTable(readFileSync(join(assetsDir, 'elementary-math-2017.csv'))), {})[0]!);
  const curated = parse(readFileSync(join(assetsDir, 'elementary-math-2017-precedes.csv')), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  const sets: Array<Omit<SharedTruth, 'space'> & { maxGradeGap: number }> = [
    { name: 'ccss', framework: relationFramework(ccss.package), truth: ccss.truth, maxGradeGap: 2 },
    { name: 'smarter-balanced', framework: relationFramework(sb.package, { itemTypes: ['Target', 'Measured Skill'] }), truth: sb.truth, maxGradeGap: 2 },
    // The commentary relates categories, up to 3 grades apart (relations.md).
    { name: 'rika-commentary', framework: relationFramework(rika.package, { itemTypes: ['内容項目'] }), truth: rika.truth, maxGradeGap: 3 },
    { name: 'sansu-curated', framework: sansu, truth: curated.map((r) => ({ origin: r['origin_code']!, destination: r['destination_code']!, type: 'precedes' as const })), maxGradeGap: 2 },
  ];
  return sets.map(({ maxGradeGap, ...s }) => ({ ...s, space: candidateSpace(s.framework, { maxGradeGap }) }));
}

export interface HeldOutResult {
  name: SharedTruth['name'];
  items: number;
  candidatePairs: number;
  allPairs: number;
  /** offline-cv: domain folds of this truth; offline-lodo: fitted on the other truths only; tfidf: the baseline. */
  evaluation: Evaluation;
}

/**
 * Held-out figures of the offline estimator on each shared truth, beside the TF-IDF baseline in the same run:
 * `offline-cv` (weights fitted on the other domain folds of the same truth: crossValidate), and `offline-lodo`
 * (weights fitted on the other truths only). Also the training sets, for fitting the shipped weights on all of them.
 */
export async function heldOut(truths: SharedTruth[], folds = 5, onProgress?: (message: string) => void): Promise<{ results: HeldOutResult[]; sets: TrainingSet[] }> {
  const sets: TrainingSet[] = [];
  for (const t of truths) {
    onProgress?.(`${t.name}: features of ${t.space.pairs.size} candidate pairs`);
    sets.push(await trainingSet(t.name, t.framework, t.space, t.truth));
  }
  const results: HeldOutResult[] = [];
  for (const [n, t] of truths.entries()) {
    onProgress?.(`${t.name}: ${folds}-fold cross-validation, fit on the other truths, TF-IDF`);
    const others = fitWeights(sets.filter((_, k) => k !== n));
    const s = score(sets[n]!.features, others);
    const predictions = new Map<string, Proposal[]>([
      ['offline-cv', crossValidate(sets[n]!, folds).proposals],
      ['offline-lodo', select(s.precedes, s.related, LIMITS)],
      ['tfidf', (await tfidfEstimator().estimate(t.framework, t.space)).proposals],
    ]);
    results.push({ name: t.name, items: t.framework.items.length, candidatePairs: t.space.pairs.size, allPairs: t.space.allPairs, evaluation: evaluate(t.framework, t.truth, predictions, { space: t.space }) });
  }
  return { results, sets };
}
