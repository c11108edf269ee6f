// npm run bench — the LRS on a real PostgreSQL (not a test; prints JSON).
//
// BENCH_SCALE statements (default 1,000,000) go through POST /xapi/statements in batches of 100; then the same
// rows are inserted directly into PostgreSQL (a copy of xapi_statement and its link tables, 100-row INSERTs,
// same concurrency): the ratio of the two rates is the figure to report. Then single-statement POSTs and
// GET ?agent=&activity=&related_activities=true, with latency percentiles, and the database size.
// BENCH_DATABASE_URL (else SHIRUBE_TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres) names the
// server; a fresh database is created and dropped. BENCH_CONCURRENCY sets the parallel clients (default 4).
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { createApiClient } from '../src/auth/index.js';
import { ensureDemoFramework } from '../src/case/demo.js';
import { loadConfig } from '../src/config.js';
import { migrateToLatest, openStore } from '../src/store/db.js';

const SCALE = Number(process.env['BENCH_SCALE'] ?? 1_000_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 4);
const adminUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['SHIRUBE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const COS = 'https://w3id.org/japan-xapi/extensions/course-of-study-code';
const HOME = 'https://idp.example.jp';
const LEARNERS = Math.max(10, Math.min(100_000, Math.floor(SCALE / 100)));
const ACTIVITIES = 5_000;
const SETS = 200;

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;

function percentiles(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => Math.round((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0) * 100) / 100;
  return { p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

/** Runs `total` jobs on CONCURRENCY workers; returns the wall time and each job's latency. */
async function pool(total: number, job: (i: number) => Promise<void>) {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await job(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies };
}

function makeStatement(codes: string[]) {
  const set = Math.floor(Math.random() * SETS);
  return {
    id: randomUUID(),
    actor: { objectType: 'Agent', account: { homePage: HOME, name: `s${Math.floor(Math.random() * LEARNERS)}` } },
    verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { en: 'answered' } },
    object: {
      objectType: 'Activity',
      id: `https://drill.example.jp/q/${Math.floor(Math.random() * ACTIVITIES)}`,
      definition: { type: 'http://adlnet.gov/expapi/activities/cmi.interaction', extensions: { [COS]: [pick(codes)] } },
    },
    result: { score: { scaled: Math.round(Math.random() * 100) / 100, raw: 1, max: 1 }, response: 'b', duration: 'PT12S' },
    context: { platform: 'bench', language: 'ja-JP', contextActivities: { grouping: [{ id: `https://drill.example.jp/sets/${set}` }] } },
    timestamp: new Date(Date.UTC(2026, 3, 1) + Math.floor(Math.random() * 180 * 86_400_000)).toISOString(),
  };
}

async function main() {
  const name = `shirube_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString() });
  const raw = new pg.Pool({ connectionString: url.toString(), max: CONCURRENCY });
  try {
    await migrateToLatest(store.db);
    await ensureDemoFramework(store.db, log);
    const codes = (await raw.query<{ c: string }>("select human_coding_scheme c from cf_item where human_coding_scheme is not null")).rows.map((r) => r.c);
    const config = loadConfig({ SHIRUBE_PUBLIC_URL: 'http://127.0.0.1', SHIRUBE_LOG_LEVEL: 'silent', SHIRUBE_DEMO: '0' });
    const app = await buildApp({ config, store, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/xapi`;
    const c = await createApiClient(store.db, { name: 'bench', scopes: ['xapi:all'] });
    const headers = { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' };
    const post = async (body: unknown) => {
      const r = await fetch(`${base}/statements`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (r.status !== 200) throw new Error(`POST ${r.status}: ${await r.text()}`);
      await r.arrayBuffer();
    };

    const batches = Math.ceil(SCALE / 100);
    log(`batch POST: ${SCALE} statements in ${batches} batches of 100, ${CONCURRENCY} clients`);
    const batch = await pool(batches, async (i) => {
      await post(Array.from({ length: Math.min(100, SCALE - i * 100) }, () => makeStatement(codes)));
      if (i % 500 === 0) log(`  ${i * 100} statements`);
    });

    log('raw PostgreSQL: the same rows (statement, actor and activity links) in 100-row INSERTs');
    await raw.query('create table raw_statement (like xapi_statement including all)');
    await raw.query('create table raw_to_actor (like statement_to_actor including all)');
    await raw.query('create table raw_to_activity (like statement_to_activity including all)');
    const rawRun = await pool(batches, async (i) => {
      const rows = (await raw.query('select id, payload, stored, timestamp, version, verb_iri, object_activity_id, learner_id, registration, client_id from xapi_statement order by seq offset $1 limit 100', [i * 100])).rows;
      const cx = await raw.connect();
      try {
        await cx.query('begin');
        await cx.query(
          `insert into raw_statement (id, payload, stored, timestamp, version, verb_iri, object_activity_id, learner_id, registration, client_id)
           select * from unnest($1::uuid[], $2::jsonb[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::uuid[], $10::text[])`,
          [rows.map((r) => r.id), rows.map((r) => JSON.stringify(r.payload)), rows.map((r) => r.stored), rows.map((r) => r.timestamp), rows.map((r) => r.version), rows.map((r) => r.verb_iri), rows.map((r) => r.object_activity_id), rows.map((r) => r.learner_id), rows.map((r) => r.registration), rows.map((r) => r.client_id)],
        );
        await cx.query('insert into raw_to_actor select statement_id, ifi, usage from statement_to_actor where statement_id = any($1::uuid[])', [rows.map((r) => r.id)]);
        await cx.query('insert into raw_to_activity select statement_id, activity_id, usage from statement_to_activity where statement_id = any($1::uuid[])', [rows.map((r) => r.id)]);
        await cx.query('commit');
      } finally {
        cx.release();
      }
    });

    const singles = Math.min(5_000, Math.max(500, Math.floor(SCALE / 200)));
    log(`single POST: ${singles} statements`);
    const single = await pool(singles, async () => post(makeStatement(codes)));

    const queries = 500;
    log(`GET agent+activity (related_activities): ${queries} queries`);
    let returned = 0;
    const query = await pool(queries, async () => {
      const agent = encodeURIComponent(JSON.stringify({ account: { homePage: HOME, name: `s${Math.floor(Math.random() * LEARNERS)}` } }));
      const activity = encodeURIComponent(`https://drill.example.jp/sets/${Math.floor(Math.random() * SETS)}`);
      const r = await fetch(`${base}/statements?agent=${agent}&activity=${activity}&related_activities=true`, { headers });
      returned += ((await r.json()) as { statements: unknown[] }).statements.length;
    });

    const size = (await raw.query<{ s: string }>('select pg_database_size(current_database()) s')).rows[0]!.s;
    const count = (await raw.query<{ n: string }>('select count(*) n from xapi_statement')).rows[0]!.n;
    const rate = (n: number, s: number) => Math.round(n / s);
    const lrsRate = rate(SCALE, batch.seconds);
    const rawRate = rate(SCALE, rawRun.seconds);
    process.stdout.write(
      `${JSON.stringify(
        {
          scale: SCALE,
          concurrency: CONCURRENCY,
          statementsStored: Number(count),
          databaseBytes: Number(size),
          batchPost: { statementsPerSecond: lrsRate, seconds: Math.round(batch.seconds), batchLatencyMs: percentiles(batch.latencies) },
          rawPostgres: { statementsPerSecond: rawRate, seconds: Math.round(rawRun.seconds), batchLatencyMs: percentiles(rawRun.latencies) },
          ratioLrsToRaw: Math.round((lrsRate / rawRate) * 1000) / 1000,
          singlePost: { statements: singles, statementsPerSecond: rate(singles, single.seconds), latencyMs: percentiles(single.latencies) },
          getAgentActivityRelated: { queries, statementsReturned: returned, queriesPerSecond: rate(queries, query.seconds), latencyMs: percentiles(query.latencies) },
        },
        null,
        2,
      )}\n`,
    );
    await app.close();
  } finally {
    await raw.end();
    await store.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
