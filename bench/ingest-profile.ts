// Where a batch's time goes (npx tsx bench/ingest-profile.ts; BENCH_PROFILE_DB=pglite for the embedded database):
// the demo class as `npm start` seeds it, then BENCH_INGEST_STATEMENTS drill statements (default 3,000) POSTed in
// batches of 100 on BENCH_INGEST_CLIENTS clients (default 8) to an in-process server whose store logs every query,
// after BENCH_PROFILE_WARMUP statements (default 0) of the same kind that are not recorded (their learners and
// Activities are then known: the steady state).
// Prints the SQL statements by total time (count, total and mean ms; time waiting on locks included), the SQL
// statements per batch, and the share of the wall time the requests spent in SQL. BENCH_CPU_PROFILE=<file> also
// writes the server's CPU profile of the measured part (open it in Chrome's DevTools).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEvent } from 'kysely';
import { buildApp } from '../src/app.js';
import { createApiClient } from '../src/auth/index.js';
import { ensureShippedFrameworks } from '../src/case/demo.js';
import { runDemo } from '../src/cli/demo.js';
import { loadConfig } from '../src/config.js';
import { migrateToLatest, openStore } from '../src/store/db.js';
import { createScratchDatabase } from '../test/pg-database.js';
import { drillStatement, logger, percentiles, pool } from './common.js';

const STATEMENTS = Number(process.env['BENCH_INGEST_STATEMENTS'] ?? 3_000);
const WARMUP = Number(process.env['BENCH_PROFILE_WARMUP'] ?? 0);
const CLIENTS = Number(process.env['BENCH_INGEST_CLIENTS'] ?? 8);
const BATCH = 100;
const adminUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['SHIRUBE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = logger('bench:profile');

const byQuery = new Map<string, { n: number; ms: number }>();
let recording = false;
const record = (e: LogEvent) => {
  if (!recording) return;
  // The statement's shape: literals are parameters already; whitespace and long lists collapsed.
  const key = e.query.sql.replace(/\s+/g, ' ').replace(/\$\d+(, \$\d+)*/g, '$n').slice(0, 110);
  const q = byQuery.get(key) ?? { n: 0, ms: 0 };
  byQuery.set(key, { n: q.n + 1, ms: q.ms + e.queryDurationMillis });
};

async function main() {
  const onPglite = process.env['BENCH_PROFILE_DB'] === 'pglite';
  const dir = mkdtempSync(join(tmpdir(), 'shirube-profile-'));
  const database = onPglite ? undefined : await createScratchDatabase(adminUrl, 'shirube_profile');
  const store = await openStore({ databaseUrl: database?.url, dataDir: dir, log: record });
  try {
    await migrateToLatest(store.db);
    await ensureShippedFrameworks(store.db, () => {});
    const config = loadConfig({ SHIRUBE_PUBLIC_URL: 'http://127.0.0.1', SHIRUBE_LOG_LEVEL: 'silent', SHIRUBE_DEMO: '0', SHIRUBE_DATA_DIR: dir, SHIRUBE_LRS_WRITERS: process.env['SHIRUBE_LRS_WRITERS'] });
    const app = await buildApp({ config, store, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    log(`the demo class (${store.kind})`);
    await runDemo(store.db, config, base, { passwords: false });
    const codes = (await store.db.selectFrom('cf_item').select('human_coding_scheme').distinct().where('human_coding_scheme', 'is not', null).execute()).map((r) => r.human_coding_scheme!);
    const c = await createApiClient(store.db, { name: 'profile', scopes: ['xapi:statements/write'] });
    const headers = { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' };
    const t0 = Date.now();
    const all = Array.from({ length: WARMUP + STATEMENTS }, (_, i) => drillStatement({ codes, learners: 1_000, activities: 5_000, sets: 200, timestamp: () => new Date(t0 + i * 10).toISOString() }));
    const post = (statements: typeof all) =>
      pool(CLIENTS, Math.ceil(statements.length / BATCH), async (i) => {
        const r = await fetch(`${base}/xapi/statements`, { method: 'POST', headers, body: JSON.stringify(statements.slice(i * BATCH, (i + 1) * BATCH)) });
        if (r.status !== 200) throw new Error(`POST ${r.status}: ${await r.text()}`);
        await r.arrayBuffer();
      });
    if (WARMUP) {
      log(`warm-up: ${WARMUP} statements`);
      await post(all.slice(0, WARMUP));
    }
    log(`${STATEMENTS} statements, ${CLIENTS} clients`);
    const cpu = process.env['BENCH_CPU_PROFILE'] ? new Session() : undefined;
    cpu?.connect();
    await cpu?.post('Profiler.enable');
    await cpu?.post('Profiler.start');
    recording = true;
    const batches = Math.ceil(STATEMENTS / BATCH);
    const run = await post(all.slice(WARMUP));
    recording = false;
    if (cpu) writeFileSync(process.env['BENCH_CPU_PROFILE']!, JSON.stringify((await cpu.post('Profiler.stop')).profile));
    await app.close();
    const total = [...byQuery.values()].reduce((s, q) => s + q.ms, 0);
    const queries = [...byQuery.values()].reduce((s, q) => s + q.n, 0);
    const top = [...byQuery].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
    process.stdout.write(
      `${JSON.stringify(
        {
          database: store.kind,
          statementsPerSecond: Math.round(STATEMENTS / run.seconds),
          batchLatencyMs: percentiles(run.latencies),
          sqlPerBatch: Math.round((queries / batches) * 10) / 10,
          // Summed over the clients: the share of the requests' time spent waiting on SQL.
          sqlShareOfRequestTime: Math.round((total / run.latencies.reduce((s, l) => s + l, 0)) * 100) / 100,
          queries: top.map(([sql, q]) => ({ ms: Math.round(q.ms), n: q.n, meanMs: Math.round((q.ms / q.n) * 100) / 100, sql })),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await store.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
