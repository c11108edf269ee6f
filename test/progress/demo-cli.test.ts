import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli-process.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shirube-demo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `shirube …` on an embedded database in a temporary directory. */
const { run } = cli(() => {
  const { DATABASE_URL: _db, ...rest } = process.env;
  return { ...rest, SHIRUBE_DATA_DIR: dir, SHIRUBE_LOG_LEVEL: 'warn' };
});

describe('shirube demo simulate', () => {
  it('seeds the demo class through /xapi and prints the demo accounts; their passwords only in a mode-600 file', async () => {
    const r = await run(['demo', 'simulate', '--days', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Posted \d+ statements for 35 learners \(算数 \d+, 理科 \d+\)/);
    expect(r.stdout).toContain('teacher  (teacher of 4年1組)');
    expect(r.stdout).toContain(`passwords in ${join(dir, 'demo-sign-ins.txt')}`);
    const file = join(dir, 'demo-sign-ins.txt');
    const kept = readFileSync(file, 'utf8');
    const passwords = [...kept.matchAll(/^ {2}\S+ \/ (\S+)/gm)].map((m) => m[1]!);
    expect(passwords.length).toBeGreaterThanOrEqual(2);
    // Printed output (often a log) names the accounts, never their passwords.
    for (const p of passwords) expect(r.stdout).not.toContain(p);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('rejects bad options with exit status 2', async () => {
    const r = await run(['demo', 'simulate', '--days', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--days/);
  }, 60_000);
});
