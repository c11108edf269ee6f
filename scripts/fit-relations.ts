// npx tsx scripts/fit-relations.ts [--data ../shared/data] [--folds 5] [--check]
//
// Fits the offline relation estimator's weights (src/relations/learn.ts) on all the shared ground truths
// (src/relations/shared-truths.ts) and writes them to src/relations/weights.ts; prints each truth's held-out figures
// (domain-fold cross-validation, and fitted on the other truths only) beside the TF-IDF baseline of the same run.
// --check writes nothing and exits 1 when the shipped weights differ from a fresh fit (same data, same code).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitWeights } from '../src/relations/learn.js';
import { heldOut, sharedTruths } from '../src/relations/shared-truths.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const a = process.argv.slice(2);
const opt = (name: string, def: string) => (a.includes(`--${name}`) ? a[a.indexOf(`--${name}`) + 1]! : def);
const data = resolve(opt('data', join(root, '../shared/data')));
const folds = Number(opt('folds', '5'));
const out = join(root, 'src/relations/weights.ts');

const truths = sharedTruths(data, join(root, 'assets/frameworks'));
const { results, sets } = await heldOut(truths, folds, (m) => process.stderr.write(`${m}\n`));
const f3 = (x: number) => x.toFixed(3);
for (const r of results) {
  process.stdout.write(`\n${r.name}: ${r.items} items, candidate space ${r.candidatePairs} of ${r.allPairs} ordered pairs (${(100 * r.candidatePairs / r.allPairs).toFixed(1)} %)\n`);
  for (const s of r.evaluation.scores.filter((x) => x.domain === '(all)' && x.truth > 0)) {
    const c = r.evaluation.coverage?.find((x) => x.type === s.type && x.domain === '(all)');
    process.stdout.write(`  ${s.estimator.padEnd(13)} ${s.type.padEnd(12)} truth ${s.truth} (in space ${c?.inSpace ?? '?'}) predicted ${s.predicted} tp ${s.tp}  P ${f3(s.precision)} R ${f3(s.recall)} F ${f3(s.f1)}\n`);
  }
  process.stdout.write('  missed (offline-cv / offline-lodo / tfidf) of the truth, by kind:\n');
  for (const m of r.evaluation.missed) process.stdout.write(`    ${m.type.padEnd(12)} ${m.kind.padEnd(28)} ${String(m.truth).padStart(4)}: ${m.missed['offline-cv']} / ${m.missed['offline-lodo']} / ${m.missed['tfidf']}\n`);
}
const weights = fitWeights(sets);
const round = (x: number) => Number(x.toFixed(6));
const text = `// Made by scripts/fit-relations.ts (do not edit): the offline estimator's weights, fitted on all the shared ground
// truths (docs/relations.md#how-the-weights-are-fitted). Figures measured with them on those truths are in-sample;
// the held-out figures come from cross-validation (relations evaluate --cross-validate, or the script's output).
import type { OfflineWeights } from './learn.js';

export const fittedWeights: OfflineWeights = ${JSON.stringify({
  ...weights,
  precedes: { ...weights.precedes, weights: weights.precedes.weights.map(round) },
  related: { ...weights.related, weights: weights.related.weights.map(round) },
}, null, 2)};
`;
if (a.includes('--check')) {
  const same = readFileSync(out, 'utf8') === text;
  process.stdout.write(same ? `\n${out} is what a fresh fit gives.\n` : `\n${out} differs from a fresh fit: run the script without --check.\n`);
  process.exit(same ? 0 : 1);
}
writeFileSync(out, text);
process.stdout.write(`\nWrote ${out} (fitted on ${weights.fittedOn.map((f) => `${f.name} ${f.precedes} precedes + ${f.isRelatedTo} isRelatedTo`).join(', ')}).\n`);
