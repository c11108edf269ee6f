// npm run bench (progress part; alone: npx tsx bench/progress.ts) — the learning map and the class heatmap with
// BENCH_PROGRESS_SCALE statements stored (default 1,000,000) on a real PostgreSQL; prints JSON.
//
// Setup (not measured): the 算数 framework, the demo precedes set and the demo class (35 learners); the statements
// and their evidence rows are inserted directly in SQL (the LRS bench measures ingestion), then mastery_day is
// built from the evidence with the same replay the LRS hook uses. Measured: map data for one learner (217 items)
// and the class heatmap (35 × 217), as latency percentiles, and the same computed from the raw statements in the
// same run (read the statements, find each one's CFItem from its Course of Study Code, replay BKT and the rules):
// the ratio is the figure to report.
import { sql } from 'kysely';
import { ensureDemoFramework } from '../src/case/demo.js';
import { loadConfig } from '../src/config.js';
import { migrateToLatest, openStore } from '../src/store/db.js';
import { createScratchDatabase } from '../test/pg-database.js';
import { MATH_2017_DOCUMENT, DEMO_CLASS, frameworkStructure, heatmap, learningMap, seedDemoRoster } from '../src/progress/index.js';
import { replay } from '../src/progress/mastery.js';
import { upsertMasteryDays } from '../src/store/progress.js';
import { DEFAULT_LABELS, DEFAULT_RULE, evaluate } from '../src/progress/rules.js';

const SCALE = Number(process.env['BENCH_PROGRESS_SCALE'] ?? 1_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 20);
const adminUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['SHIRUBE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const COS = 'https://w3id.org/japan-xapi/extensions/course-of-study-code';
const TZ = 'Asia/Tokyo';
const log = (msg: string) => process.stderr.write(`[bench:progress] ${msg}\n`);

function percentiles(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => Math.round((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0) * 10) / 10;
  return { p50: at(50), p95: at(95), max: at(100), runs: s.length };
}
async function timed(runs: number, fn: () => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return percentiles(ms);
}

const database = await createScratchDatabase(adminUrl, 'shirube_bench_progress');
const store = await openStore({ databaseUrl: database.url });
const config = loadConfig({ SHIRUBE_PUBLIC_URL: 'http://bench.test', SHIRUBE_TIMEZONE: TZ });
try {
  const db = store.db;
  await migrateToLatest(db);
  await ensureDemoFramework(db, log);
  await seedDemoRoster(db, config.publicUrl);
  const s = await frameworkStructure(db, MATH_2017_DOCUMENT);
  const learners = (await sql<{ learner_id: string }>`select learner_id from roster_person where learner_id is not null order by id`.execute(db)).rows.map((r) => r.learner_id);
  const items = s.items.map((i) => ({ id: i.id, code: i.code }));
  log(`inserting ${SCALE} statements and their evidence (35 learners × ${items.length} items, one school year)`);
  let t0 = performance.now();
  // Statement n: learner n % 35, item (n / 35) % 217, a year of timestamps, correct with a chance rising over the year.
  const CHUNK = 100_000;
  for (let from = 0; from < SCALE; from += CHUNK) {
    const to = Math.min(SCALE, from + CHUNK) - 1;
    await sql`
      with src as (
        select n, (${learners}::text[])[1 + n % ${learners.length}] as learner,
               (${items.map((i) => i.id)}::text[])[1 + (n / ${learners.length}) % ${items.length}] as item,
               (${items.map((i) => i.code)}::text[])[1 + (n / ${learners.length}) % ${items.length}] as code,
               timestamptz '2025-04-08 00:00:00+09' + (n::double precision / ${SCALE} * 345 * 86400) * interval '1 second' as ts,
               (hashtext(n::text) & 1023) / 1023.0 < 0.35 + 0.55 * n::double precision / ${SCALE} as ok
        from generate_series(${from}::int, ${to}::int) n
      ), st as (
        insert into xapi_statement (id, payload, stored, timestamp, version, verb_iri, object_activity_id, learner_id)
        select md5('bench' || n)::uuid,
          jsonb_build_object('id', md5('bench' || n)::uuid, 'actor', jsonb_build_object('account', jsonb_build_object('homePage', 'http://bench.test/roster/demo-school', 'name', learner)),
            'verb', jsonb_build_object('id', 'http://adlnet.gov/expapi/verbs/answered'),
            'object', jsonb_build_object('id', 'https://drill.example/q/' || code || '/' || (n % 7), 'definition', jsonb_build_object('extensions', jsonb_build_object(${COS}::text, jsonb_build_array(code)))),
            'result', jsonb_build_object('success', ok, 'score', jsonb_build_object('scaled', case when ok then 1 else 0 end)),
            'timestamp', to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
          ts, ts, '1.0.3', 'http://adlnet.gov/expapi/verbs/answered', 'https://drill.example/q/' || code || '/' || (n % 7), learner
        from src
        returning 1
      )
      insert into evidence (statement_id, item_id, learner_id, timestamp, score, success, via)
      select md5('bench' || n)::uuid, item, learner, ts, case when ok then 1 else 0 end, ok, 'course_of_study_code' from src`.execute(db);
    log(`  ${to + 1} / ${SCALE}`);
  }
  const insertSeconds = (performance.now() - t0) / 1000;
  log('building mastery_day from the evidence (the LRS hook’s replay)');
  t0 = performance.now();
  for (const learner of learners) {
    const rows = (await sql<{ item_id: string; timestamp: Date; score: number; success: boolean }>`
      select item_id, timestamp, score, success from evidence where learner_id = ${learner} order by item_id, timestamp`.execute(db)).rows;
    const byItem = new Map<string, typeof rows>();
    for (const r of rows) (byItem.get(r.item_id) ?? byItem.set(r.item_id, []).get(r.item_id)!).push(r);
    const days = [...byItem].flatMap(([item, rs]) => replay(learner, item, rs.map((r) => ({ timestamp: new Date(r.timestamp), score: r.score, correct: r.success })), TZ));
    for (let i = 0; i < days.length; i += 1000) await upsertMasteryDays(db, days.slice(i, i + 1000));
  }
  const masterySeconds = (performance.now() - t0) / 1000;
  await sql`analyze`.execute(db);
  const counts = (await sql<{ statements: number; evidence: number; mastery_days: number }>`
    select (select count(*) from xapi_statement)::int as statements, (select count(*) from evidence)::int as evidence, (select count(*) from mastery_day)::int as mastery_days`.execute(db)).rows[0]!;
  log(`stored: ${JSON.stringify(counts)}`);

  const one = learners[0]!;
  const o = { timeZone: TZ };
  await learningMap(db, { framework: MATH_2017_DOCUMENT, learnerId: one, view: 'curriculum' }, o); // warm the structure cache
  const map = await timed(RUNS, () => learningMap(db, { framework: MATH_2017_DOCUMENT, learnerId: one, view: 'curriculum' }, o));
  const mapAsOf = await timed(RUNS, () => learningMap(db, { framework: MATH_2017_DOCUMENT, learnerId: one, asOf: '2025-09-30', view: 'curriculum' }, o));
  const heat = await timed(RUNS, () => heatmap(db, { classId: DEMO_CLASS, framework: MATH_2017_DOCUMENT }, o));

  // The same from raw statements: read, resolve each statement's CFItem by its Course of Study Code, replay.
  const byCode = new Map(items.map((i) => [i.code, i.id]));
  const fromRaw = async (learnerIds: string[]) => {
    const out = new Map<string, string>();
    for (const l of learnerIds) {
      const { rows } = await sql<{ payload: any }>`select payload from xapi_statement where learner_id = ${l} and not voided order by timestamp`.execute(db);
      const answers = new Map<string, Array<{ timestamp: Date; score: number; correct: boolean }>>();
      for (const { payload } of rows) {
        const id = byCode.get(payload.object?.definition?.extensions?.[COS]?.[0]);
        if (!id) continue;
        const ok = payload.result?.success === true;
        (answers.get(id) ?? answers.set(id, []).get(id)!).push({ timestamp: new Date(payload.timestamp), score: payload.result?.score?.scaled ?? (ok ? 1 : 0), correct: ok });
      }
      for (const item of items) {
        const days = replay(l, item.id, answers.get(item.id) ?? [], TZ);
        const last = days.at(-1);
        out.set(`${l} ${item.id}`, evaluate(last?.attempts ?? 0, last?.recent ?? [], last?.p ?? 0.2, DEFAULT_RULE, DEFAULT_LABELS, Date.now() / 1000).state);
      }
    }
    return out;
  };
  const rawMap = await timed(Math.max(3, Math.floor(RUNS / 4)), () => fromRaw([one]));
  const rawHeat = await timed(2, () => fromRaw(learners));
  // Same answers both ways.
  const check = await fromRaw([one]);
  const viaStore = await learningMap(db, { framework: MATH_2017_DOCUMENT, learnerId: one, view: 'curriculum' }, o);
  const agree = viaStore.nodes.every((n) => n.progress!.state === check.get(`${one} ${n.id}`));

  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'progress',
        database: 'postgresql',
        stored: counts,
        setupSeconds: { insert: Math.round(insertSeconds), mastery: Math.round(masterySeconds) },
        mapOneLearnerMs: map,
        mapOneLearnerAsOfMs: mapAsOf,
        classHeatmapMs: heat,
        fromRawStatements: { mapOneLearnerMs: rawMap, classHeatmapMs: rawHeat },
        ratio: { map: Math.round((rawMap.p50 / map.p50) * 10) / 10, heatmap: Math.round((rawHeat.p50 / heat.p50) * 10) / 10 },
        sameStatesAsRaw: agree,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await store.close();
  await database.drop();
}
