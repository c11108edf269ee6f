import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli-process.js';
import { fakeLlm, promptOf, smallPackage, type FakeLlm } from '../relations/fixtures.js';

let dir: string;
let llm: FakeLlm;
// The Geometry domain block answers no JSON; the held model answers nothing until released.
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shirube-cli-llm-'));
  llm = await fakeLlm((body) => (/^Block: Geometry$/m.test(promptOf(body)) ? { raw: 'no JSON' } : { relations: [{ origin: 'I1', destination: 'I2', type: 'precedes', confidence: 0.9, rationale: 'I1 first' }] }));
});
afterAll(async () => {
  await llm.close();
  rmSync(dir, { recursive: true, force: true });
});

const { start, run } = cli(() => {
  const { DATABASE_URL: _db, ...rest } = process.env;
  return { ...rest, SHIRUBE_DATA_DIR: dir, SHIRUBE_DEMO: '0', SHIRUBE_LOG_LEVEL: 'warn', SHIRUBE_LLM_BASE_URL: `${llm.url}/v1` };
});

describe('shirube relations estimate --estimator llm, relations runs --run, audit', () => {
  it('prints the skipped block, completes; Ctrl-C cancels a run (cancelled, with its message); the audit log shows the CLI run', async () => {
    const file = join(dir, 'small.json');
    const pkg = smallPackage();
    writeFileSync(file, JSON.stringify(pkg));
    expect((await run(['import', 'case-json', file])).code).toBe(0);
    const fw = pkg.CFDocument.identifier;

    const r = await run(['relations', 'estimate', '--framework', fw, '--estimator', 'llm', '--provider', 'openai-compatible', '--model', 'cli-model', '--language', 'ja']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/skipped block \d+ "Geometry" \(6 items, \d+ pairs\): the answer was not the JSON asked for .*; skipped after 2 attempts/);
    expect(r.stdout).toMatch(/Completed with 1 skipped block/);
    const id = /\(run ([0-9a-f-]{36})\)/.exec(r.stdout)![1]!;
    const runs = await run(['relations', 'runs', '--framework', fw, '--run', id]);
    expect(runs.stdout).toMatch(/Geometry\s+6\s+\d+\s+skipped\s+2/);
    expect(runs.stdout).toContain(`Run ${id}: done, 1 skipped block.`);

    // Ctrl-C while the model keeps its answer.
    const release = llm.hold();
    const child = start(['relations', 'estimate', '--framework', fw, '--estimator', 'llm', '--provider', 'openai-compatible', '--model', 'cli-held']);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // The first block is being asked once the progress line is out (the model holds its answer).
    await expect.poll(() => stderr, { timeout: 60_000 }).toContain('Estimating (hierarchy blocks): 0%');
    const waited = new Promise<number | null>((res) => child.on('close', res));
    child.kill('SIGINT');
    const code = await waited;
    release();
    expect(code).toBe(2);
    expect(stderr).toContain('shirube: Cancelled by Ctrl-C');
    const list = JSON.parse((await run(['relations', 'runs', '--framework', fw, '--json'])).stdout) as Array<{ model: string; status: string; error: string }>;
    expect(list.find((x) => x.model === 'openai-compatible:cli-held')).toMatchObject({ status: 'cancelled', error: 'Cancelled by Ctrl-C' });

    const audit = await run(['audit', '--framework', fw, '--action', 'framework.*', '--json']);
    expect(audit.code, audit.stderr).toBe(0);
    const entries = JSON.parse(audit.stdout) as { total: number; entries: Array<{ actor: string; targetId: string }> };
    expect(entries.total).toBe(1);
    expect(entries.entries[0]).toMatchObject({ actor: expect.stringMatching(/^cli:/), targetId: fw });
    const bad = await run(['audit', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('shirube: since: a date (2026-01-31)');
  }, 240_000);
});
