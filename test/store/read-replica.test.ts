import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { migrateToLatest, openStore, type Store } from '../../src/store/db.js';
import pg from 'pg';
import { MATH_2017_DOCUMENT, learnerOfUser } from '../../src/progress/index.js';
import { pgTool, skipWithoutPostgres, throwawayCluster, type Cluster } from '../pg-cluster.js';
import { session, type TestApp } from '../helper.js';
import { answered, demoClass, post } from '../progress/fixture.js';

/**
 * DATABASE_READ_URL on a real streaming replica (pg_basebackup -R of a primary of the test's own): the learning map
 * and dashboards read the replica while it is fresh within the bound, and the primary when it is not.
 */
const skip = skipWithoutPostgres('the read replica test');
const CODE = '8250223111100000';

describe.skipIf(skip)('read replica (DATABASE_READ_URL)', () => {
  let primary: Cluster;
  let replica: Cluster;
  const stores: Store[] = [];
  const apps: TestApp[] = [];
  let learnerId = '';

  async function onReplica(query: string) {
    const client = new pg.Client({ connectionString: replica.url() });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  }

  /** Shirube on the primary with the replica for reads, stale reads allowed up to `maxLag` seconds. */
  async function instance(maxLag: number): Promise<TestApp> {
    const config = loadConfig({ SHIRUBE_PUBLIC_URL: 'http://shirube.test', SHIRUBE_LOG_LEVEL: 'silent', SHIRUBE_DEMO: '0', DATABASE_URL: primary.url(), DATABASE_READ_URL: replica.url(), DATABASE_READ_MAX_LAG_SECONDS: String(maxLag) });
    const store = await openStore({ databaseUrl: config.databaseUrl, readUrl: config.databaseReadUrl, maxReadLagSeconds: config.databaseReadMaxLagSeconds });
    stores.push(store);
    const app = await buildApp({ config, store });
    await app.ready();
    const t = { app, store, config, close: () => app.close() };
    apps.push(t);
    return t;
  }

  beforeAll(async () => {
    primary = await throwawayCluster();
    const setup = await openStore({ databaseUrl: primary.url() });
    await migrateToLatest(setup.db);
    await setup.close();
    const backup = join(primary.workDir, 'standby');
    await pgTool('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', backup, '-R', '-X', 'stream', '--no-sync']);
    replica = await primary.fromBackup(backup, { hot_standby: 'on' });
    await replica.start();
  });

  afterAll(async () => {
    for (const t of apps) await t.close();
    for (const s of stores) await s.close();
    await replica?.destroy();
    await primary?.destroy();
  });

  it('serves maps from the replica while fresh, from the primary once replay lags past the bound, and back', async () => {
    const strict = await instance(2);
    const lenient = await instance(3600);
    const d = await demoClass(strict);
    const me = d.agents[0]!;
    learnerId = (await learnerOfUser(strict.store.db, d.learnerUserIds[0]!))!;
    const teacher = await session(strict, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
    const attempts = async (t: TestApp) => {
      const res = await t.app.inject({ url: `/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${learnerId}`, headers: teacher });
      expect(res.statusCode).toBe(200);
      return res.json().nodes.find((n: { code: string }) => n.code === CODE).progress?.attempts ?? 0;
    };

    await post(strict, d.writer, [answered(me, CODE, true, '2025-05-01T01:00:00Z')]);
    // Replication catches up: the replica is fresh and reads go there.
    await expect.poll(async () => (await strict.store.reader()) !== strict.store.db, { timeout: 60_000, interval: 200 }).toBe(true);
    expect(await attempts(strict)).toBe(1);

    await expect.poll(async () => (await lenient.store.reader()) !== lenient.store.db, { timeout: 60_000, interval: 200 }).toBe(true);

    // Replay paused on the replica: a new answer is on the primary only.
    await onReplica('select pg_wal_replay_pause()');
    await post(strict, d.writer, [answered(me, CODE, true, '2025-05-02T01:00:00Z')]);
    // Within its hour-long bound the lenient instance still reads the replica: the map lacks the new answer.
    expect(await attempts(lenient)).toBe(1);
    // Past its two-second bound the strict instance reads the primary: the map has it.
    await expect.poll(async () => (await strict.store.reader()) === strict.store.db, { timeout: 60_000, interval: 200 }).toBe(true);
    expect(strict.store.replicaStaleness!()).toBeGreaterThan(2);
    expect(await attempts(strict)).toBe(2);

    // Replay resumed: both read the replica again, which now has the answer.
    await onReplica('select pg_wal_replay_resume()');
    await expect.poll(async () => (await strict.store.reader()) !== strict.store.db, { timeout: 60_000, interval: 200 }).toBe(true);
    expect(await attempts(strict)).toBe(2);
    await expect.poll(() => attempts(lenient), { timeout: 60_000, interval: 200 }).toBe(2);

    // The staleness is exported for monitoring.
    const metrics = await strict.app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/^shirube_read_replica_staleness_seconds \d/m);
  });

  it('a replica that is down costs no error: reads go to the primary', async () => {
    const t = await instance(5);
    await replica.stop('immediate');
    const teacher = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
    const res = await t.app.inject({ url: `/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${learnerId}`, headers: teacher });
    expect(res.statusCode).toBe(200);
    expect(await t.store.reader()).toBe(t.store.db);
    expect(t.store.replicaStaleness!()).toBe(Infinity);
    const metrics = await t.app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/^shirube_read_replica_staleness_seconds \+Inf/m);
  });

  it('refuses a replica without a primary, and a bound that is not a number of seconds', () => {
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://replica.internal/shirube' })).toThrow(/DATABASE_URL: must have property DATABASE_URL when property DATABASE_READ_URL is present/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db.internal/shirube', DATABASE_READ_URL: 'postgres://replica.internal/shirube', DATABASE_READ_MAX_LAG_SECONDS: 'soon' })).toThrow(/DATABASE_READ_MAX_LAG_SECONDS: must match pattern/);
  });
});
