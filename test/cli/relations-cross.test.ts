import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli-process.js';
import { buildCourseOfStudyPackages, parseCodeTable } from '../../src/case/import/cscode.js';
import { combineFrameworks, crossCandidateSpace } from '../../src/relations/index.js';
import { relationFramework } from '../../src/relations/framework.js';

const asset = (f: string) => new URL(`../../assets/frameworks/${f}`, import.meta.url).pathname;
const MATH = asset('elementary-math-2017.csv');
const SCIENCE = asset('elementary-science-2017.csv');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shirube-cli-cross-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { run } = cli(() => {
  const { DATABASE_URL: _db, ...rest } = process.env;
  return { ...rest, SHIRUBE_DATA_DIR: dir, SHIRUBE_DEMO: '0', SHIRUBE_LOG_LEVEL: 'warn' };
});

describe('shirube relations estimate --target (算数 → 理科)', () => {
  it('runs across the two frameworks, records the target, and refuses the framework itself as target (exit 2)', async () => {
    expect((await run(['migrate'])).code).toBe(0);
    const ids: string[] = [];
    for (const file of [MATH, SCIENCE]) {
      const r = await run(['import', 'cscode', file]);
      expect(r.code, r.stderr).toBe(0);
      ids.push(/\(([0-9a-f-]{36})\)/.exec(r.stdout)![1]!);
    }
    const [math, science] = ids as [string, string];
    // The space as the domain computes it from the same tables.
    const fw = (file: string) => relationFramework(buildCourseOfStudyPackages(parseCodeTable(readFileSync(file)), {})[0]!);
    const [a, b] = [fw(MATH), fw(SCIENCE)];
    const space = crossCandidateSpace(combineFrameworks(a, b), a.identifier, b.identifier);

    const r = await run(['relations', 'estimate', '--framework', math, '--target', science, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ framework: math, targetFramework: science, estimator: 'offline', items: a.items.length + b.items.length, candidatePairs: space.pairs.size, allPairs: space.allPairs, blocks: space.blocks.length });
    expect(summary.stored).toBeGreaterThan(0);

    const runs = await run(['relations', 'runs', '--framework', math, '--json']);
    expect(JSON.parse(runs.stdout)[0]).toMatchObject({ id: summary.run, status: 'done', params: { targetFramework: science, modes: ['cross'], maxGradeGap: 1 } });

    const self = await run(['relations', 'estimate', '--framework', math, '--target', math]);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('targetFramework: must be another framework');
  }, 180_000);
});
