import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { ShirubeError } from '../errors.js';
import { parseCasePackage } from '../case/import/case-json.js';
import { allSuggestions, listRunBlocks, listRuns, listSuggestions, type RunBlockRow, type RunRow, type SuggestionStatus } from '../store/relations.js';
import {
  cancelRun, candidateSpace, ccssCoherenceMap, courseOfStudyCommentary, ensemble, estimatorFor, evaluate, holdOut, llmProviders, loadRelationFramework,
  parseGroundTruth, parseModes, readRun, relationTypes, reviewLanguages, runEstimation, truthCsv,
  type CandidateOptions, type Evaluation, type Proposal, type RelationType,
} from '../relations/index.js';
import { RunCancelled } from '../relations/estimate.js';
import { crossValidate, trainingSet } from '../relations/learn.js';
import { fittedWeights } from '../relations/weights.js';
import { printTable, readInput, withStore } from './context.js';
import { progressReporter } from './progress.js';

interface SpaceOptions {
  modes?: string;
  maxGradeGap?: string;
  itemTypes?: string;
}

const spaceOptions = (cmd: Command) =>
  cmd
    .option('--modes <list>', 'hierarchy constraints on candidate pairs: domain, grade, viewpoint, family (comma-separated)', 'domain,grade,viewpoint,family')
    .option('--max-grade-gap <n>', 'largest grade distance within a domain', '2')
    .option('--item-types <list>', 'CFItemTypes to relate (default: Course of Study content items, else the commonest leaf type)');

function candidateOptions(o: SpaceOptions): CandidateOptions & { itemTypes?: string[] } {
  const gap = Number(o.maxGradeGap ?? 2);
  if (!Number.isInteger(gap) || gap < 0 || gap > 20) throw new ShirubeError('invalid_request', '--max-grade-gap: must be an integer from 0 to 20', 'maxGradeGap');
  return { modes: parseModes(o.modes ?? 'domain,grade,viewpoint,family'), maxGradeGap: gap, ...(o.itemTypes ? { itemTypes: o.itemTypes.split(',').map((s) => s.trim()) } : {}) };
}

interface EstimatorOptions {
  provider?: string;
  model?: string;
  language?: string;
  timeout?: string;
  maxOutputTokens?: string;
}

const int = (v: string | undefined, flag: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ShirubeError('invalid_request', `${flag}: an integer`, flag.slice(2));
  return n;
};

/** A block given up, as the CLI prints it. */
const skippedLine = (b: RunBlockRow) => `  skipped block ${b.position + 1} "${b.label}" (${b.items} items, ${b.pairs} pairs): ${b.reason ?? ''}\n`;

/** A run's state in a few words: done, done with N skipped blocks, failed, cancelled... */
const runState = (r: RunRow) => (r.status === 'done' && r.skippedBlocks ? `done, ${r.skippedBlocks} skipped block${r.skippedBlocks === 1 ? '' : 's'}` : r.status);

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const f3 = (x: number) => x.toFixed(3);

export function printEvaluation(e: Evaluation, json: boolean, all: boolean): void {
  const rows = e.scores.filter((s) => all || s.domain === '(all)');
  printTable(
    rows.map((s) => ({ estimator: s.estimator, type: s.type, domain: s.domain, truth: String(s.truth), predicted: String(s.predicted), tp: String(s.tp), precision: f3(s.precision), recall: f3(s.recall), f1: f3(s.f1) })),
    json,
    e,
  );
  if (json) return;
  process.stdout.write(`Ground truth: ${e.truthInScope} relations between the framework's items (${e.truthOutOfScope} rows outside them or along the hierarchy left out).\n`);
  const estimators = [...new Set(e.scores.map((s) => s.estimator))];
  if (e.truthInSpace) {
    const inside = relationTypes.map((t) => `${e.truthInSpace![t]} of ${e.scores.find((s) => s.type === t && s.domain === '(all)')?.truth ?? 0} ${t}`).join(', ');
    process.stdout.write(`Inside the candidate space (the recall ceiling of the offline and stored runs; tfidf compares all pairs): ${inside}.\n\nTruth relations per domain: inside the candidate space, and found by each estimator:\n`);
    printTable(
      (e.coverage ?? []).filter((c) => all || c.domain === '(all)').map((c) => ({
        type: c.type, domain: c.domain, truth: String(c.truth), 'in space': `${c.inSpace} (${pct(c.inSpace / Math.max(1, c.truth))})`,
        ...Object.fromEntries(estimators.map((n) => [`found ${n}`, String(c.found[n] ?? 0)])),
      })),
      false,
    );
  }
  process.stdout.write('\nTruth relations missed, by kind of pair (a pair counts once per line that fits it):\n');
  printTable(e.missed.map((m) => ({ type: m.type, kind: m.kind, truth: String(m.truth), ...Object.fromEntries(estimators.map((n) => [`missed ${n}`, String(m.missed[n] ?? 0)])) })), false);
  if (e.judged) {
    const left = Object.entries(e.judged.predictionsLeftOut).map(([k, n]) => `${k} ${n}`).join(', ');
    process.stdout.write(`Judged: only relations with an end among ${e.judged.items} items scored (${e.judged.notEstimated} listed items are not estimation items); left out ${e.judged.truthLeftOut} truth relations, and predictions: ${left || 'none'}.\n`);
  }
}

/** A file of item references (codes or identifiers), one a line; blank lines and # comments skipped. */
const refList = (text: string) => text.split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);

export function relationsCommand(program: Command): void {
  const rel = program.command('relations').description('estimate, review and evaluate precedes / isRelatedTo between the items of a framework (docs/relations.md)');

  spaceOptions(
    rel.command('estimate')
      .description('run an estimator on a framework and store its proposals as suggestions for review')
      .requiredOption('--framework <id>', 'the CFDocument identifier')
      .addOption(new Option('--estimator <name>', 'offline (no network), tfidf (baseline) or llm').choices(['offline', 'tfidf', 'llm']).default('offline'))
      .addOption(new Option('--provider <name>', 'with llm: the provider').choices([...llmProviders]).default('openai'))
      .option('--model <name>', 'with llm: the model (e.g. gpt-4o-mini, claude-3-5-haiku-latest, gemini-2.0-flash, llama3.1)')
      .addOption(new Option('--language <lang>', "with llm: the rationales' language (the reviewer's; default the framework's)").choices([...reviewLanguages]))
      .option('--timeout <seconds>', 'with llm: one request\'s time limit (default SHIRUBE_LLM_TIMEOUT_SECONDS, 120)')
      .option('--max-output-tokens <n>', "with llm: the longest answer asked for (default the model's, at most 8192); blocks are cut to fit it")
      .option('--target <id>', 'cross-subject: relate the items of --framework to those of this other framework (pairs across the two only, by grade; --modes does not apply, --max-grade-gap defaults to 1); suggestions go to --framework\'s queue')
      .option('--json', 'print the run as JSON'),
  ).action(async (o: SpaceOptions & EstimatorOptions & { framework: string; estimator: string; target?: string; json?: boolean }, cmd: Command) => {
    const progress = progressReporter('Estimating (hierarchy blocks)');
    // Ctrl-C stops the run between blocks (its request aborted) and keeps what the finished blocks gave.
    const stop = new AbortController();
    const onSigint = () => stop.abort(new RunCancelled('Ctrl-C'));
    process.once('SIGINT', onSigint);
    const r = await withStore(async ({ db, config, actor }) => {
      try {
        // Keys and base URLs come from the configuration (docs/config.md), as in the server; they are never printed.
        const estimator = estimatorFor(
          { estimator: o.estimator, provider: o.provider, model: o.model, language: o.language, timeoutSeconds: int(o.timeout, '--timeout'), maxOutputTokens: int(o.maxOutputTokens, '--max-output-tokens') },
          { db, llm: config.llm },
        );
        const space = candidateOptions(o);
        // A cross-subject run's grade gap is 1 unless asked for (the same-framework default is 2).
        if (o.target && cmd.getOptionValueSource('maxGradeGap') === 'default') delete space.maxGradeGap;
        return await runEstimation(db, o.framework, estimator, {
          ...space, ...(o.target ? { targetFramework: o.target } : {}), onProgress: progress.onProgress, startedBy: actor, signal: stop.signal,
          onBlock: async (b) => {
            if (b.status === 'skipped') {
              progress.finish();
              process.stderr.write(skippedLine(b));
            }
          },
        });
      } finally {
        progress.finish();
        process.off('SIGINT', onSigint);
      }
    });
    const summary = {
      run: r.run.id, framework: o.framework, ...(o.target ? { targetFramework: o.target } : {}), estimator: r.run.estimator, model: r.run.model, items: r.framework.items.length,
      candidatePairs: r.space.pairs.size, allPairs: r.space.allPairs, blocks: r.space.blocks.length, proposals: r.proposals.length, stored: r.stored,
      ...r.usage, durationMs: r.durationMs,
      ...(r.blocks.length ? { asked: r.blocks.length, skippedBlocks: r.blocks.filter((b) => b.status === 'skipped'), retriedBlocks: r.blocks.filter((b) => b.status === 'retried').length } : {}),
    };
    if (o.json) return void process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(
      `${r.framework.title}: ${summary.items} items; candidate space ${summary.candidatePairs} of ${summary.allPairs} ordered pairs (${pct(summary.candidatePairs / Math.max(1, summary.allPairs))}) in ${summary.blocks} hierarchy blocks.\n` +
        `${summary.estimator}${summary.model ? ` ${summary.model}` : ''}: ${summary.proposals} proposals, ${summary.stored} new suggestions (run ${summary.run}) in ${(summary.durationMs / 1000).toFixed(1)} s.\n` +
        (summary.estimator === 'llm' ? `Requests ${summary.requests} (+${summary.cachedRequests} from cache), tokens ${summary.inputTokens} in / ${summary.outputTokens} out, cost ≈ $${summary.costUsd.toFixed(4)}.\n` : '') +
        (summary.asked !== undefined && summary.asked !== summary.blocks ? `The ${summary.blocks} blocks were cut into ${summary.asked} to fit the model's answer.\n` : '') +
        (summary.retriedBlocks ? `${summary.retriedBlocks} blocks answered after a retry.\n` : '') +
        (summary.skippedBlocks?.length ? `Completed with ${summary.skippedBlocks.length} skipped block${summary.skippedBlocks.length === 1 ? '' : 's'} (their pairs keep earlier suggestions; run again to ask them: answered blocks come from the cache):\n${summary.skippedBlocks.map(skippedLine).join('')}` : ''),
    );
  });

  spaceOptions(
    rel.command('evaluate')
      .description('precision, recall and F per relation type × domain × estimator against a ground-truth file')
      .requiredOption('--framework <id>', 'the CFDocument identifier')
      .requiredOption('--ground-truth <file>', 'CSV origin,destination,type (code or identifier; type precedes or isRelatedTo), or JSON')
      .option('--estimators <list>', 'estimators to run now, without storing (offline, tfidf; comma-separated; "" for none)', 'offline,tfidf')
      .option('--runs <ids>', 'also score these stored runs (comma-separated run ids)')
      .option('--ensemble <votes>', 'also score the agreement of the listed runs and estimators: relations proposed by at least <votes> of them')
      .option('--closure', 'count a precedes as right when the ground truth implies it (A→B→C makes A→C right)')
      .option('--judged <file>', 'score only relations with an end among these items (codes or identifiers, one a line): those whose relations the ground truth lists completely')
      .option('--cross-validate <folds>', "also score the offline estimator held out: its weights fitted on the ground truth's other domains only, the domains dealt into this many folds (docs/relations.md)")
      .option('--by-domain', 'one row per domain as well as the totals')
      .option('--json', 'print the evaluation as JSON'),
  ).action(async (o: SpaceOptions & { framework: string; groundTruth: string; estimators: string; runs?: string; ensemble?: string; closure?: boolean; judged?: string; crossValidate?: string; byDomain?: boolean; json?: boolean }) => {
    const truth = parseGroundTruth((await readInput(o.groundTruth)).toString('utf8'));
    const judged = o.judged ? refList((await readInput(o.judged)).toString('utf8')) : undefined;
    const e = await withStore(async ({ db, config }) => {
      const opts = candidateOptions(o);
      const fw = await loadRelationFramework(db, o.framework, opts);
      const space = candidateSpace(fw, opts);
      const predictions = new Map<string, Proposal[]>();
      for (const name of o.estimators.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (name === 'llm') throw new ShirubeError('invalid_request', '--estimators: run the llm estimator with `relations estimate`, then score it with --runs', 'estimators');
        const started = Date.now();
        predictions.set(name, (await estimatorFor({ estimator: name }, { db, llm: config.llm }).estimate(fw, space)).proposals);
        if (!o.json) process.stderr.write(`${name}: ${predictions.get(name)!.length} proposals in ${Date.now() - started} ms over ${space.pairs.size} of ${space.allPairs} ordered pairs\n`);
      }
      if (o.crossValidate !== undefined) {
        const folds = Number(o.crossValidate);
        if (!Number.isInteger(folds) || folds < 2 || folds > 20) throw new ShirubeError('invalid_request', '--cross-validate: an integer from 2 to 20', 'crossValidate');
        const started = Date.now();
        const cv = crossValidate(await trainingSet('ground truth', fw, space, truth), folds);
        predictions.set('offline-cv', cv.proposals);
        if (!o.json) process.stderr.write(`offline-cv: ${cv.proposals.length} proposals in ${Date.now() - started} ms, ${cv.folds.length} folds of domains, each scored with weights fitted on the others\n`);
      }
      const shipped = fittedWeights.fittedOn.find((f) => f.framework === fw.identifier);
      if (shipped && predictions.has('offline') && !o.json) {
        process.stderr.write(`Note: the shipped offline weights were fitted on this framework's relations (${shipped.name}): its "offline" figures are in-sample; --cross-validate gives held-out ones.\n`);
      }
      for (const run of o.runs?.split(',').map((s) => s.trim()).filter(Boolean) ?? []) {
        const rows = await allSuggestions(db, o.framework, [run]);
        if (!rows.length) throw new ShirubeError('invalid_request', `--runs: run ${run} has no suggestions in framework ${o.framework}`, 'runs');
        const label = `${rows[0]!.estimator}${rows[0]!.model ? `:${rows[0]!.model}` : ''}@${run.slice(0, 8)}`;
        predictions.set(label, rows.map((s) => ({ origin: s.originIdentifier, destination: s.destinationIdentifier, type: s.associationType, confidence: s.confidence })));
      }
      if (o.ensemble) {
        const votes = Number(o.ensemble);
        if (!Number.isInteger(votes) || votes < 1 || votes > predictions.size) throw new ShirubeError('invalid_request', `--ensemble: an integer from 1 to ${predictions.size}`, 'ensemble');
        predictions.set(`ensemble≥${votes}`, ensemble([...predictions.values()], votes));
      }
      return evaluate(fw, truth, predictions, { closure: o.closure, space, judged });
    });
    printEvaluation(e, o.json === true, o.byDomain === true);
  });

  rel.command('list')
    .description("list a framework's suggestions (highest confidence first)")
    .requiredOption('--framework <id>', 'the CFDocument identifier')
    .option('--status <list>', 'pending, accepted, rejected, superseded (comma-separated)', 'pending')
    .addOption(new Option('--type <type>', 'precedes or isRelatedTo').choices([...relationTypes]))
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (o: { framework: string; status: string; type?: RelationType; limit: string; json?: boolean }) => {
      const { total, rows } = await withStore(({ db }) =>
        listSuggestions(db, { documentIdentifier: o.framework, status: o.status.split(',').map((s) => s.trim()) as SuggestionStatus[], type: o.type, limit: Math.max(1, Math.min(10_000, Number(o.limit) || 50)) }),
      );
      printTable(rows.map((s) => ({ id: s.id, type: s.associationType, origin: s.originIdentifier, destination: s.destinationIdentifier, confidence: s.confidence.toFixed(3), estimator: s.model ? `${s.estimator}:${s.model}` : s.estimator, status: s.status, domain: s.domain })), o.json === true, { total, suggestions: rows });
      if (!o.json) process.stdout.write(`${rows.length} of ${total} suggestions.\n`);
    });

  rel.command('runs')
    .description("list a framework's estimation runs with their state, candidate space, tokens and cost; with --run, one run's blocks (ok, retried, skipped and why)")
    .requiredOption('--framework <id>', 'the CFDocument identifier')
    .option('--run <id>', "one run: its message and each block's outcome")
    .option('--json', 'print JSON')
    .action(async (o: { framework: string; run?: string; json?: boolean }) => {
      if (o.run) {
        const { run, blocks } = await withStore(async ({ db }) => ({ run: await readRun(db, o.framework, o.run!), blocks: await listRunBlocks(db, o.run!) }));
        printTable(blocks.map((b) => ({ block: String(b.position + 1), label: b.label, items: String(b.items), pairs: String(b.pairs), status: b.cached ? `${b.status} (cache)` : b.status, attempts: String(b.attempts), proposals: String(b.proposals), tokens: `${b.inputTokens}/${b.outputTokens}`, reason: b.reason ?? '' })), o.json === true, { run, blocks });
        if (!o.json) process.stdout.write(`Run ${run.id}: ${runState(run)}${run.error ? `: ${run.error}` : ''}.\n`);
        return;
      }
      const runs = await withStore(({ db }) => listRuns(db, o.framework));
      printTable(runs.map((r) => ({ run: r.id, estimator: r.model ? `${r.estimator}:${r.model}` : r.estimator, target: String(r.params['targetFramework'] ?? '—'), status: runState(r), suggestions: String(r.suggestions), candidates: `${r.candidatePairs}/${r.allPairs}`, requests: `${r.requests}+${r.cachedRequests} cached`, tokens: `${r.inputTokens}/${r.outputTokens}`, cost: `$${r.costUsd.toFixed(4)}`, started: r.startedAt.toISOString() })), o.json === true, runs);
    });

  rel.command('cancel')
    .description('cancel a queued or running run of a server on the same PostgreSQL database (it stops at its next block, within 5 s, keeping what its finished blocks gave); a run of this terminal stops with Ctrl-C')
    .requiredOption('--framework <id>', 'the CFDocument identifier')
    .requiredOption('--run <id>', 'the run')
    .action(async (o: { framework: string; run: string }) => {
      const run = await withStore(({ db, actor }) => cancelRun(db, o.framework, o.run, { actor }));
      process.stdout.write(run.status === 'cancelled' ? `Run ${run.id} cancelled.\n` : `Run ${run.id} asked to stop: it stops at its next block (\`relations runs --framework ${o.framework} --run ${run.id}\` shows it).\n`);
    });

  const ds = rel.command('dataset').description('turn shared prerequisite data into a framework (CASE JSON) and a ground-truth CSV, written to --out');
  const write = async (out: string, d: { package: unknown; truth: Parameters<typeof truthCsv>[0] }, importWith = 'the package with `shirube import case-json`') => {
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'package.json'), JSON.stringify(d.package));
    await writeFile(join(out, 'ground-truth.csv'), truthCsv(d.truth));
    process.stdout.write(`Wrote ${join(out, 'package.json')} and ${join(out, 'ground-truth.csv')} (${d.truth.length} relations). Import ${importWith}.\n`);
  };
  ds.command('ccss <dir>')
    .description('the CCSS Math Coherence Map (a folder with coherence-map.json) as a framework; its precedes/related links as ground truth')
    .requiredOption('--out <dir>', 'where to write package.json and ground-truth.csv (outside the repository)')
    .action(async (dir: string, o: { out: string }) => write(o.out, ccssCoherenceMap(dir)));
  ds.command('holdout <package>')
    .description("a CFPackage without its precedes/isRelatedTo associations, which become the ground truth (e.g. Smarter Balanced's)")
    .requiredOption('--out <dir>', 'where to write package.json and ground-truth.csv (outside the repository)')
    .action(async (file: string, o: { out: string }) => write(o.out, holdOut(parseCasePackage(await readInput(file)))));
  ds.command('cos-commentary')
    .description("a Course of Study code table's framework (as `import cscode` builds it) with the commentary's 基礎/応用 (basicItem/advancedItem) relations as precedes ground truth")
    .requiredOption('--csv <file>', 'the code table of one subject (e.g. ../shared/data/cscode/elementary-science-2017.csv)')
    .requiredOption('--relations <file>', 'TSV subject_code, relation (basicItem or advancedItem), object_code (jp-cos-commentary)')
    .requiredOption('--out <dir>', 'where to write package.json, ground-truth.csv and judged.txt (outside the repository)')
    .option('--json', 'print the report as JSON')
    .action(async (o: { csv: string; relations: string; out: string; json?: boolean }) => {
      const d = courseOfStudyCommentary(await readInput(o.csv), await readInput(o.relations));
      const r = d.report;
      await write(o.out, d, `the code table with \`shirube import cscode ${o.csv}\` (the same identifiers; the shipped 理科 is this framework too)`);
      // The commentary lists the relations of its subject items: those are the judged items (evaluate --judged).
      await writeFile(join(o.out, 'judged.txt'), `# subject codes of ${o.relations} inside the framework\n${r.subjects.join('\n')}\n`);
      if (o.json) return void process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      process.stdout.write(
        `${r.rows} relation rows (basicItem ${r.basicItem}, advancedItem ${r.advancedItem}): ${r.rowsInside} with both ends in ${d.package.CFDocument.title} give ${r.pairs} distinct precedes pairs (${r.repeatedRows} rows repeat a pair).\n` +
          `${r.rowsOutside} rows (${r.pairsOutside} distinct pairs) have an end outside the framework and are not in the ground truth: ${r.codesOutside.length} codes ${r.codesOutside.join(' ')}.\n` +
          `Truth ends by level: ${Object.entries(r.endLevels).map(([k, n]) => `${k} ${n}`).join(', ')}${r.itemType ? `; relate them with --item-types ${r.itemType}` : ''}.\n` +
          `${r.subjects.length} subject items written to ${join(o.out, 'judged.txt')} (evaluate --judged).\n`,
      );
    });
}
