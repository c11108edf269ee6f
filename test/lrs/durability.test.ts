import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freePort, stop } from '../cli-process.js';
import { createScratchDatabase } from '../pg-database.js';
import { testDatabaseUrl } from '../database-url.js';
import { drillStatement, DRILL_HOME } from './drill-statement.js';

// A 200 means committed: SIGKILL the server in the middle of ingesting, restart it, and every acknowledged
// statement is there with its evidence. Runs on PGlite, and on PostgreSQL when SHIRUBE_TEST_DATABASE_URL is set.
// Also exercises `shirube learners export|erase` on the result.

let dir: string;
let databaseUrl: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shirube-durability-'));
  const adminUrl = testDatabaseUrl();
  if (adminUrl) {
    const database = await createScratchDatabase(adminUrl, 'shirube_test');
    databaseUrl = database.url;
    dropDatabase = database.drop;
  }
});
afterAll(async () => {
  await dropDatabase?.();
  rmSync(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, ...rest } = process.env;
  return { ...rest, SHIRUBE_DATA_DIR: dir, SHIRUBE_LOG_LEVEL: 'warn', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...extra };
}

const { run, serve } = cli(env);

describe(`durability (${testDatabaseUrl() ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('loses no acknowledged statement or evidence when the server is killed with SIGKILL mid-ingest', async () => {
    const add = await run(['clients', 'add', 'drill', '--scope', 'xapi:all']);
    expect(add.code, add.stderr).toBe(0);
    const key = /client_id:\s+(\S+)/.exec(add.stdout)![1]!;
    const secret = /client_secret:\s+(\S+)/.exec(add.stdout)![1]!;
    const headers = { authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' };

    const port = await freePort();
    const base = `http://127.0.0.1:${port}/xapi`;
    const server = await serve(port);
    const learner = `pupil-${randomUUID()}`;
    const acknowledged: string[] = [];
    const ofLearner: string[] = [];
    let killed = false;
    // Four writers post batches until the server dies under them: five answers of the learner, and five of
    // learners never seen before (their learners and Activities are created in a transaction before the batch's).
    const writer = async () => {
      while (!killed) {
        const batch = [...Array.from({ length: 5 }, () => drillStatement(learner)), ...Array.from({ length: 5 }, () => drillStatement(`new-${randomUUID()}`))];
        try {
          const r = await fetch(`${base}/statements`, { method: 'POST', headers, body: JSON.stringify(batch) });
          if (r.status === 200) {
            const ids = (await r.json()) as string[];
            acknowledged.push(...ids);
            ofLearner.push(...ids.slice(0, 5));
          }
        } catch {
          // the connection died with the server: not acknowledged
        }
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    while (acknowledged.length < 100) await new Promise((r) => setTimeout(r, 20));
    const killing = stop(server, 'SIGKILL');
    killed = true;
    await Promise.all(writers);
    await killing;

    const again = await serve(port);
    try {
      for (const id of acknowledged) {
        const r = await fetch(`${base}/statements?statementId=${id}`, { headers });
        expect(r.status, id).toBe(200);
      }
    } finally {
      await stop(again);
    }

    const agent = JSON.stringify({ account: { homePage: DRILL_HOME, name: learner } });
    const exported = await run(['learners', 'export', agent]);
    expect(exported.code, exported.stderr).toBe(0);
    const data = JSON.parse(exported.stdout) as { statements: Array<{ id: string }>; evidence: Array<{ statementId: string; score: number }>; rollups: Array<{ attempts: number }> };
    const stored = new Set(data.statements.map((s) => s.id));
    const withEvidence = new Set(data.evidence.map((e) => e.statementId));
    for (const id of ofLearner) {
      expect(stored.has(id), id).toBe(true);
      expect(withEvidence.has(id), id).toBe(true);
    }
    // Every stored statement (acknowledged or not) has its evidence, and the rollup counts exactly those.
    expect(data.evidence.length).toBe(data.statements.length);
    expect(data.rollups[0]!.attempts).toBe(data.statements.length);

    const erased = await run(['learners', 'erase', agent, '--yes']);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toContain(`${data.statements.length} statement(s)`);
    const gone = await run(['learners', 'export', agent]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('No learner');
  }, 600_000);
});
