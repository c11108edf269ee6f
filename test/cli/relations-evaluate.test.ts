import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli-process.js';
import { SHARED } from '../helper.js';
import { testDatabaseUrl } from '../database-url.js';
import { createScratchDatabase, type ScratchDatabase } from '../pg-database.js';
import { candidateSpace, courseOfStudyCommentary, evaluate, type Evaluation } from '../../src/relations/index.js';
import { relationFramework } from '../../src/relations/framework.js';

const CSV = `${SHARED}data/cscode/elementary-science-2017.csv`;
const TSV = `${SHARED}data/cscode/raw/jp-cos-commentary_cs-basic-advanced-20250816_science.tsv`;

let dir: string;
let database: ScratchDatabase | undefined;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shirube-cli-evaluate-'));
  const admin = testDatabaseUrl();
  if (admin) database = await createScratchDatabase(admin, 'shirube_cli_eval');
});
afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

// PGlite in the data directory, or the PostgreSQL test database when SHIRUBE_TEST_DATABASE_URL is set.
const { run } = cli(() => {
  const { DATABASE_URL: _db, ...rest } = process.env;
  return { ...rest, SHIRUBE_DATA_DIR: dir, SHIRUBE_DEMO: '0', SHIRUBE_LOG_LEVEL: 'warn', ...(database ? { DATABASE_URL: database.url } : {}) };
});

describe('shirube relations evaluate: coverage of the candidate space, missed pairs by kind, held-out offline', () => {
  it('prints per domain the truth inside the space and found, the missed kinds, and offline-cv (JSON and text)', async () => {
    expect((await run(['migrate'])).code).toBe(0);
    const out = join(dir, 'cos');
    const ds = await run(['relations', 'dataset', 'cos-commentary', '--csv', CSV, '--relations', TSV, '--out', out]);
    expect(ds.code, ds.stderr).toBe(0);
    const imported = await run(['import', 'cscode', CSV]);
    expect(imported.code, imported.stderr).toBe(0);
    const framework = /\(([0-9a-f-]{36})\)/.exec(imported.stdout)![1]!;
    const args = ['relations', 'evaluate', '--framework', framework, '--ground-truth', join(out, 'ground-truth.csv'), '--item-types', '内容項目', '--max-grade-gap', '2', '--cross-validate', '2'];

    const json = await run([...args, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const e = JSON.parse(json.stdout) as Evaluation;
    // The same evaluation computed here from the shared files, for what does not depend on the estimators' output.
    const d = courseOfStudyCommentary(readFileSync(CSV), readFileSync(TSV));
    const fw = relationFramework(d.package, { itemTypes: ['内容項目'] });
    const space = candidateSpace(fw, { maxGradeGap: 2 });
    const want = evaluate(fw, d.truth, new Map(), { space });
    expect(e.truthInSpace).toEqual(want.truthInSpace);
    expect(e.coverage!.map(({ type, domain, truth, inSpace }) => ({ type, domain, truth, inSpace }))).toEqual(want.coverage!.map(({ type, domain, truth, inSpace }) => ({ type, domain, truth, inSpace })));
    const all = e.coverage!.find((c) => c.type === 'precedes' && c.domain === '(all)')!;
    expect(all.inSpace).toBeLessThan(all.truth); // one pair is 3 grades apart
    expect(Object.keys(all.found).sort()).toEqual(['offline', 'offline-cv', 'tfidf']);
    const cv = e.scores.find((s) => s.estimator === 'offline-cv' && s.type === 'precedes' && s.domain === '(all)')!;
    expect(cv.tp).toBe(all.found['offline-cv']);
    const outside = e.missed.find((m) => m.type === 'precedes' && m.kind === 'outside the candidate space')!;
    expect(outside).toMatchObject({ truth: all.truth - all.inSpace, missed: { offline: all.truth - all.inSpace, 'offline-cv': all.truth - all.inSpace } });

    const text = await run([...args, '--by-domain']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Truth relations per domain: inside the candidate space, and found by each estimator:');
    expect(text.stdout).toMatch(/precedes\s+\(all\)\s+19\s+18 \(94\.7%\)/);
    expect(text.stdout).toMatch(/precedes\s+outside the candidate space\s+1\s+1\s+1\s+/);
    expect(text.stderr).toMatch(/offline-cv: \d+ proposals in \d+ ms, 2 folds of domains/);
    // The shipped weights were fitted on this framework's relations: the CLI says its offline figures are in-sample.
    expect(text.stderr).toContain('in-sample');

    const bad = await run([...args.slice(0, -1), '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--cross-validate: an integer from 2 to 20');
  }, 300_000);
});
