// npm run bench — the LRS on a real PostgreSQL (not a test; prints JSON).
//
// 1. Seed: BENCH_SCALE statements (default 1,000,000) inserted directly into PostgreSQL — the rows the LRS
//    writes for them (xapi_statement, its actor and activity links, evidence), 1,000-statement transactions on
//    BENCH_CONCURRENCY clients — then their rollups in one SQL statement. The database then holds the size.
// 2. Batch POST: BENCH_POSTS statements (default min(BENCH_SCALE, 100,000)) through POST /xapi/statements in
//    batches of 100, on the same number of clients.
// 3. Raw PostgreSQL at the same size: the same number of statements of the same shape, inserted directly as in
//    1 but in 100-statement transactions like 2. The ratio of the rates of 2 and 3 is the figure to report.
// 4. Single-statement POSTs, and GET ?agent=&activity=&related_activities=true, with latency percentiles.
// BENCH_DATABASE_URL (else SHIRUBE_TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres) names the
// server; a fresh database is created and dropped (BENCH_KEEP=1 keeps it).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { createApiClient } from '../src/auth/index.js';
import { ensureDemoFramework } from '../src/case/demo.js';
import { loadConfig } from '../src/config.js';
import { migrateToLatest, openStore } from '../src/store/db.js';
import { createScratchDatabase } from '../test/pg-database.js';
import { COS, HOME, drillStatement, logger, percentiles, pool as runPool } from './common.js';

const SCALE = Number(process.env['BENCH_SCALE'] ?? 1_000_000);
const POSTS = Number(process.env['BENCH_POSTS'] ?? Math.min(SCALE, 100_000));
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 4);
const adminUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['SHIRUBE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PUBLIC_URL = 'http://127.0.0.1';
const LEARNERS = Math.max(10, Math.min(100_000, Math.floor(SCALE / 100)));
const ACTIVITIES = 5_000;
const SETS = 200;
const BATCH = 100;

const log = logger('bench');
const pool = (total: number, job: (i: number) => Promise<void>) => runPool(CONCURRENCY, total, job);
// Random timestamps in half a year: many attempts are older than their (learner, item)'s last one.
const makeStatement = (codes: string[]) =>
  drillStatement({ codes, learners: LEARNERS, activities: ACTIVITIES, sets: SETS, timestamp: () => new Date(Date.UTC(2026, 3, 1) + Math.floor(Math.random() * 180 * 86_400_000)).toISOString() });

type Seeded = { items: Map<string, string[]>; learners: Map<string, string>; clientId: string; authority: unknown };

/**
 * Inserts `n` statements the way the LRS stores them (payload with stored/authority/version, actor and activity
 * links, one evidence row per item of the Course of Study Code), `batch` statements a transaction.
 */
async function insertDirectly(raw: pg.Pool, codes: string[], seeded: Seeded, n: number, batch: number, progress?: (done: number) => void) {
  return pool(Math.ceil(n / batch), async (i) => {
    const stored = new Date();
    const rows = Array.from({ length: Math.min(batch, n - i * batch) }, () => makeStatement(codes));
    const st = rows.map((s) => ({ ...s, stored: stored.toISOString(), authority: seeded.authority, version: '1.0.0' }));
    const learnerOf = (s: (typeof st)[number]) => seeded.learners.get(s.actor.account.name)!;
    const ifi = (s: (typeof st)[number]) => `account:${HOME} ${s.actor.account.name}`;
    const evidence = st.flatMap((s) => (seeded.items.get(s.object.definition.extensions[COS][0]!) ?? []).map((item) => ({ s, item })));
    const cx = await raw.connect();
    try {
      await cx.query('begin');
      await cx.query(
        `insert into xapi_statement (id, payload, stored, timestamp, version, verb_iri, object_activity_id, learner_id, client_id)
         select * from unnest($1::uuid[], $2::jsonb[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
        [st.map((s) => s.id), st.map((s) => JSON.stringify(s)), st.map(() => stored), st.map((s) => s.timestamp), st.map(() => '1.0.0'), st.map((s) => s.verb.id), st.map((s) => s.object.id), st.map(learnerOf), st.map(() => seeded.clientId)],
      );
      await cx.query('insert into statement_to_actor select * from unnest($1::uuid[], $2::text[], $3::text[])', [
        st.flatMap((s) => [s.id, s.id]),
        st.flatMap((s) => [ifi(s), `account:${PUBLIC_URL}/api/admin/clients ${seeded.clientId}`]),
        st.flatMap(() => ['actor', 'authority']),
      ]);
      await cx.query('insert into statement_to_activity select * from unnest($1::uuid[], $2::text[], $3::text[])', [
        st.flatMap((s) => [s.id, s.id]),
        st.flatMap((s) => [s.object.id, s.context.contextActivities.grouping[0]!.id]),
        st.flatMap(() => ['object', 'grouping']),
      ]);
      await cx.query(
        `insert into evidence (statement_id, item_id, learner_id, timestamp, score, success, via)
         select *, 'course_of_study_code' from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::float8[], $6::bool[])`,
        [evidence.map((e) => e.s.id), evidence.map((e) => e.item), evidence.map((e) => learnerOf(e.s)), evidence.map((e) => e.s.timestamp), evidence.map((e) => e.s.result.score.scaled), evidence.map((e) => e.s.result.score.scaled >= 1)],
      );
      await cx.query('commit');
    } finally {
      cx.release();
    }
    progress?.((i + 1) * batch);
  });
}

async function main() {
  const benchStart = performance.now();
  const database = await createScratchDatabase(adminUrl, 'shirube_bench');
  const store = await openStore({ databaseUrl: database.url });
  const raw = new pg.Pool({ connectionString: database.url, max: CONCURRENCY });
  raw.on('error', (e) => log(`idle connection lost: ${e.message}`));
  try {
    await migrateToLatest(store.db);
    await ensureDemoFramework(store.db, log);
    const itemRows = (await raw.query<{ c: string; id: string }>('select human_coding_scheme c, identifier id from cf_item where human_coding_scheme is not null')).rows;
    const items = new Map<string, string[]>();
    for (const r of itemRows) items.set(r.c, [...(items.get(r.c) ?? []), r.id]);
    const codes = [...items.keys()];
    const c = await createApiClient(store.db, { name: 'bench', scopes: ['xapi:all'] });

    // The learners and their actors, as the LRS would have created them.
    const learners = new Map(Array.from({ length: LEARNERS }, (_, i) => [`s${i}`, randomUUID()]));
    await raw.query('insert into learner (id) select * from unnest($1::text[])', [[...learners.values()]]);
    await raw.query('insert into xapi_actor (ifi, learner_id) select * from unnest($1::text[], $2::text[])', [[...learners.keys()].map((n) => `account:${HOME} ${n}`), [...learners.values()]]);
    const seeded: Seeded = { items, learners, clientId: c.clientId, authority: { objectType: 'Agent', account: { homePage: `${PUBLIC_URL}/api/admin/clients`, name: c.clientId } } };

    log(`seed: ${SCALE} statements inserted directly (${LEARNERS} learners, ${codes.length} Course of Study Codes, ${CONCURRENCY} clients)`);
    let lastLog = 0;
    // The seed only makes the size: 1,000-statement transactions. The figure to compare is 3., in batches of 100.
    const seed = await insertDirectly(raw, codes, seeded, SCALE, 1000, (done) => {
      if (done - lastLog >= 100_000) log(`  ${(lastLog = done)} statements`);
    });
    log('seed: rollups and daily rollups from the evidence, activities; analyze');
    const seedAggregates = performance.now();
    await raw.query(`insert into evidence_rollup select learner_id, item_id, count(*), count(*) filter (where success), coalesce(sum(score), 0), count(score), min(timestamp), max(timestamp) from evidence group by 1, 2`);
    await raw.query(
      `insert into evidence_rollup_day select learner_id, item_id, (timestamp at time zone 'Asia/Tokyo')::date, count(*), count(*) filter (where success), coalesce(sum(score), 0), count(score) from evidence group by 1, 2, 3`,
    );
    // The canonical Activity definitions the LRS would have kept (the sets have none).
    await raw.query(`insert into xapi_activity (id, definition) select distinct on (object_activity_id) object_activity_id, payload->'object'->'definition' from xapi_statement order by object_activity_id`);
    await raw.query(`insert into xapi_activity (id) select distinct activity_id from statement_to_activity where usage = 'grouping'`);
    await raw.query('analyze');
    const seedAggregateSeconds = (performance.now() - seedAggregates) / 1000;

    const config = loadConfig({ SHIRUBE_PUBLIC_URL: PUBLIC_URL, SHIRUBE_LOG_LEVEL: 'silent', SHIRUBE_DEMO: '0' });
    const app = await buildApp({ config, store, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/xapi`;
    const headers = { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' };
    const post = async (body: unknown) => {
      const r = await fetch(`${base}/statements`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (r.status !== 200) throw new Error(`POST ${r.status}: ${await r.text()}`);
      await r.arrayBuffer();
    };

    const batches = Math.ceil(POSTS / BATCH);
    log(`batch POST: ${POSTS} statements in ${batches} batches of ${BATCH}, ${CONCURRENCY} clients`);
    const batch = await pool(batches, async (i) => {
      await post(Array.from({ length: Math.min(BATCH, POSTS - i * BATCH) }, () => makeStatement(codes)));
      if (i % 200 === 0) log(`  ${i * BATCH} statements`);
    });

    log(`raw PostgreSQL at the same size: ${POSTS} statements of the same shape inserted directly`);
    const rawRun = await insertDirectly(raw, codes, seeded, POSTS, BATCH);

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
      if (r.status !== 200) throw new Error(`GET ${r.status}: ${await r.text()}`);
      returned += ((await r.json()) as { statements: unknown[] }).statements.length;
    });

    const size = (await raw.query<{ s: string }>('select pg_database_size(current_database()) s')).rows[0]!.s;
    const count = (await raw.query<{ n: string }>('select count(*) n from xapi_statement')).rows[0]!.n;
    const evidenceRows = (await raw.query<{ n: string }>('select count(*) n from evidence')).rows[0]!.n;
    const rate = (n: number, s: number) => Math.round(n / s);
    const lrsRate = rate(POSTS, batch.seconds);
    const rawRate = rate(POSTS, rawRun.seconds);
    process.stdout.write(
      `${JSON.stringify(
        {
          scale: SCALE,
          concurrency: CONCURRENCY,
          statementsStored: Number(count),
          evidenceRows: Number(evidenceRows),
          databaseBytes: Number(size),
          seed: { statements: SCALE, statementsPerSecond: rate(SCALE, seed.seconds), seconds: Math.round(seed.seconds), rollupSeconds: Math.round(seedAggregateSeconds) },
          batchPost: { statements: POSTS, statementsPerSecond: lrsRate, seconds: Math.round(batch.seconds), batchLatencyMs: percentiles(batch.latencies) },
          rawPostgres: { statements: POSTS, statementsPerSecond: rawRate, seconds: Math.round(rawRun.seconds), batchLatencyMs: percentiles(rawRun.latencies) },
          ratioLrsToRaw: Math.round((lrsRate / rawRate) * 1000) / 1000,
          singlePost: { statements: singles, statementsPerSecond: rate(singles, single.seconds), latencyMs: percentiles(single.latencies) },
          getAgentActivityRelated: { queries, statementsReturned: returned, queriesPerSecond: rate(queries, query.seconds), latencyMs: percentiles(query.latencies) },
          totalSeconds: Math.round((performance.now() - benchStart) / 1000),
        },
        null,
        2,
      )}\n`,
    );
    await app.close();
  } finally {
    await raw.end();
    await store.close();
    if (process.env['BENCH_KEEP'] === '1') log(`kept database ${database.url}`);
    else await database.drop();
  }
}

await main();
