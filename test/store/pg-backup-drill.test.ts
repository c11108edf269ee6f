import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { migrateToLatest, openStore } from '../../src/store/db.js';
import { build, type TestApp } from '../helper.js';
import { basic } from '../http/xapi/helper.js';
import { drillStatement, DRILL_HOME } from '../lrs/drill-statement.js';
import { archiveDir, pgTool, skipWithoutPostgres, throwawayCluster, type Cluster } from '../pg-cluster.js';

// The restore drills of docs/operations.md ("Backups"), with PostgreSQL's own tools and the commands the docs give,
// on a PostgreSQL server of the test's own that archives its WAL: a logical dump restored into a new database, and a
// base backup recovered to a point in time. What counts is that Shirube serves the restored data.

const LEARNER = 'pupil-drill';
const agent = encodeURIComponent(JSON.stringify({ account: { homePage: DRILL_HOME, name: LEARNER } }));

let cluster: Cluster;
let source: TestApp;
let headers: Record<string, string>;
let framework: string;
let first: string[];
const opened: TestApp[] = [];

/** Shirube on the database at `url`, migrated (returns what that applied: nothing, for a restored database). */
async function appOn(url: string): Promise<TestApp & { applied: string[] }> {
  const store = await openStore({ databaseUrl: url });
  const applied = await migrateToLatest(store.db);
  const t = await build({}, store);
  opened.push(t);
  return { ...t, applied };
}

/** Stores `n` drill statements through the xAPI; returns their ids once acknowledged. */
async function post(t: TestApp, n: number): Promise<string[]> {
  const res = await t.app.inject({ method: 'POST', url: '/xapi/statements', headers, payload: Array.from({ length: n }, () => drillStatement(LEARNER)) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const status = async (t: TestApp, id: string) => (await t.app.inject({ method: 'GET', url: `/xapi/statements?statementId=${id}`, headers })).statusCode;

/** Resolves once `check` is true, looking every 100 ms (no deadline: the test's timeout is the bound). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((w) => setTimeout(w, 100));
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

describe.skipIf(skipWithoutPostgres('the PostgreSQL backup and restore drills'))('backups on PostgreSQL: restore drills', () => {
  beforeAll(async () => {
    cluster = await throwawayCluster({ archive: true });
    await query(cluster.url(), 'create database shirube');
    source = await appOn(cluster.url('shirube'));
    framework = (await ensureDemoFramework(source.store.db, () => {}))!;
    headers = { ...(await basic(source, ['xapi:all'], '1.0.3')), 'content-type': 'application/json' };
    first = await post(source, 20);
  });
  afterAll(async () => {
    for (const t of opened) await t.close();
    await cluster?.destroy();
  });

  it('pg_dump, pg_restore into a new database: Shirube serves the same frameworks and statements, and goes on storing', async () => {
    const dump = join(cluster.workDir, 'shirube.dump');
    await pgTool('pg_dump', ['--format=custom', `--file=${dump}`, cluster.url('shirube')]);
    await query(cluster.url(), 'create database shirube_restored');
    await pgTool('pg_restore', ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${cluster.url('shirube_restored')}`, dump]);

    const restored = await appOn(cluster.url('shirube_restored'));
    expect(restored.applied).toEqual([]);
    for (const url of ['/ims/case/v1p1/CFDocuments', `/ims/case/v1p1/CFPackages/${framework}`, `/xapi/statements?agent=${agent}&limit=500`]) {
      const [was, is] = await Promise.all([source, restored].map((t) => t.app.inject({ method: 'GET', url, headers })));
      expect(is!.statusCode, url).toBe(200);
      expect(is!.json(), url).toEqual(was!.json());
    }
    expect(((await restored.app.inject({ method: 'GET', url: `/xapi/statements?agent=${agent}&limit=500`, headers })).json() as { statements: unknown[] }).statements).toHaveLength(20);
    // The API client came along, and the sequences too: new statements are stored after the restored ones.
    const more = await post(restored, 5);
    const latest = (await restored.app.inject({ method: 'GET', url: `/xapi/statements?agent=${agent}&limit=5`, headers })).json() as { statements: Array<{ id: string }> };
    expect(latest.statements.map((s) => s.id).sort()).toEqual([...more].sort());
  });

  it('base backup and archived WAL, recovered to a time between two batches: the first batch is there, the second not', async () => {
    const base = join(cluster.workDir, 'base');
    await pgTool('pg_basebackup', [`--dbname=${cluster.url()}`, `--pgdata=${base}`, '--checkpoint=fast', '--wal-method=stream']);
    const kept = await post(source, 10);
    const [{ t: target }] = (await sql<{ t: string }>`select clock_timestamp()::text as t`.execute(source.store.db)).rows as [{ t: string }];
    const lost = await post(source, 10);
    // The WAL file holding the second batch goes to the archive.
    const [{ f }] = (await sql<{ f: string }>`select pg_walfile_name(pg_switch_wal()) as f`.execute(source.store.db)).rows as [{ f: string }];
    await until(async () => {
      const [a] = await query<{ last: string | null; failed: number }>(cluster.url(), 'select last_archived_wal as last, failed_count::int as failed from pg_stat_archiver');
      if (a!.failed > 0) throw new Error('archive_command failed: see the cluster log');
      return (a!.last ?? '') >= f;
    });

    const restoredCluster = await cluster.fromBackup(base, {
      restore_command: `cp ${archiveDir(cluster)}/%f %p`,
      recovery_target_time: target,
      recovery_target_action: 'promote',
      archive_mode: 'off',
    }, 'recovery.signal');
    await restoredCluster.start();
    try {
      await until(async () => !(await query<{ r: boolean }>(restoredCluster.url(), 'select pg_is_in_recovery() as r'))[0]!.r);
      const restored = await appOn(restoredCluster.url('shirube'));
      expect(restored.applied).toEqual([]);
      for (const id of [...first, ...kept]) expect(await status(restored, id), id).toBe(200);
      for (const id of lost) expect(await status(restored, id), id).toBe(404);
      expect(await status(source, lost[0]!)).toBe(200);
    } finally {
      for (const t of opened.splice(-1)) await t.close();
      await restoredCluster.destroy();
    }
  });
});
