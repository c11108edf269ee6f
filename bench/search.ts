// npm run bench (search part; alone: npx tsx bench/search.ts) — GET /api/search at 10 frameworks / 10,000 CFItems;
// prints JSON.
//
// Data, from the real tables in ../shared/data scaled: 10 frameworks of BENCH_SEARCH_ITEMS items each (default
// 1,000): five from the Course of Study Code tables (算数, 理科; Japanese, 16-digit codes) and five from CASE packages
// (Smarter Balanced, ACT; English), each item a real item's text and code (repeated items get a suffixed code), with
// fresh identifiers and a mix of adoption statuses (one Private Draft). Imported through the real import path, which
// also builds the search index (timed).
// Measured, through the whole API (app.inject: routing, visibility, the query, the JSON): a mix of Japanese words,
// English words, codes, code prefixes and filters, BENCH_SEARCH_RUNS rounds (default 30), p50/p95 per kind and over
// all. Baselines in the same run and database: the primary-key look-up of one CFItem (the database's floor) and a
// plain ILIKE scan of the items' fullStatement for the same words (what search without an index costs).
// On PGlite (in memory), then on PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL names a server (a scratch
// database is created and dropped).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { buildCourseOfStudyPackages, parseCodeTable } from '../src/case/import/cscode.js';
import { importCaseJson } from '../src/case/import/case-json.js';
import { uuidv5 } from '../src/case/uuid.js';
import { migrateToLatest, openStore, type Store } from '../src/store/db.js';
import { createScratchDatabase } from '../test/pg-database.js';
import { logger, percentiles } from './common.js';

const PER_FRAMEWORK = Number(process.env['BENCH_SEARCH_ITEMS'] ?? 1000);
const RUNS = Number(process.env['BENCH_SEARCH_RUNS'] ?? 30);
const SHARED = new URL('../../shared/data/', import.meta.url).pathname;
const NAMESPACE = '0b7a1c52-6d1e-4f0e-9a3b-5e2f7c9d1a40';
const pgUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'];
const log = logger('bench:search');

type Item = Record<string, unknown> & { identifier: string; fullStatement: string; humanCodingScheme?: string };

const codeTable = (file: string) => buildCourseOfStudyPackages(parseCodeTable(readFileSync(join(SHARED, 'cscode', file))))[0]!;
const casePackage = (file: string) => JSON.parse(readFileSync(join(SHARED, 'case-frameworks', file), 'utf8'));
const sources = [
  { pkg: codeTable('elementary-math-2017.csv'), status: 'Implemented' },
  { pkg: casePackage('smarter-balanced-math-content-spec.v1p0.cfpackage.json'), status: 'Draft' },
  { pkg: codeTable('elementary-science-2017.csv'), status: 'Implemented' },
  { pkg: casePackage('act-holistic-framework-math.v1p0.cfpackage.json'), status: 'Adopted' },
  { pkg: codeTable('elementary-math-2017.csv'), status: 'Private Draft' },
  { pkg: casePackage('smarter-balanced-math-content-spec.v1p0.cfpackage.json'), status: 'Implemented' },
  { pkg: codeTable('elementary-science-2017.csv'), status: 'Draft' },
  { pkg: casePackage('smarter-balanced-math-content-spec.v1p0.cfpackage.json'), status: 'Retired' },
  { pkg: codeTable('elementary-math-2017.csv'), status: 'Adopted' },
  { pkg: casePackage('act-holistic-framework-math.v1p0.cfpackage.json'), status: 'Implemented' },
];

/** Framework n: PER_FRAMEWORK items cycled from its source's, fresh identifiers, no associations. */
function scaled(n: number) {
  const { pkg, status } = sources[n]!;
  const id = uuidv5(`framework:${n}`, NAMESPACE);
  const src = pkg.CFItems as Item[];
  const items = Array.from({ length: PER_FRAMEWORK }, (_, j) => {
    const { uri: _u, CFDocumentURI: _d, ...item } = src[j % src.length]!;
    const round = Math.floor(j / src.length);
    const code = item.humanCodingScheme && round ? `${item.humanCodingScheme}-${round}` : item.humanCodingScheme;
    return { ...item, identifier: uuidv5(`item:${n}:${j}`, NAMESPACE), ...(code ? { humanCodingScheme: code } : {}), lastChangeDateTime: '2026-01-01T00:00:00+00:00' };
  });
  const { uri: _u, CFPackageURI: _p, ...doc } = pkg.CFDocument;
  return { CFDocument: { ...doc, identifier: id, title: `${doc.title} (${n + 1})`, adoptionStatus: status, lastChangeDateTime: '2026-01-01T00:00:00+00:00' }, CFItems: items, CFAssociations: [] };
}

const queries: Array<{ kind: string; q: Record<string, string> }> = [
  { kind: 'japanese', q: { q: '分数' } },
  { kind: 'japanese', q: { q: '電気の通り道' } },
  { kind: 'japanese', q: { q: '図形 面積' } },
  { kind: 'japanese', q: { q: '円' } },
  { kind: 'japanese', q: { q: '数' } },
  { kind: 'english', q: { q: 'fractions' } },
  { kind: 'english', q: { q: 'place value' } },
  { kind: 'english', q: { q: 'geometry measurement' } },
  { kind: 'code', q: { q: '8250243121100000' } },
  { kind: 'code', q: { q: 'M.G3.C1NBT.TE' } },
  { kind: 'code-prefix', q: { q: 'M.G3' } },
  { kind: 'code-prefix', q: { q: '825024' } },
  { kind: 'filters', q: { status: 'Draft', grade: '03' } },
  { kind: 'filters', q: { subject: '算数', q: '図形' } },
  { kind: 'filters', q: { status: 'Implemented', q: 'number', grade: '05' } },
];
/** The words of the text queries, for the ILIKE baseline. */
const words = queries.filter((x) => x.kind === 'japanese' || x.kind === 'english').map((x) => x.q['q']!.split(' ')[0]!);

const round = (n: number) => Math.round(n * 100) / 100;

async function measure(store: Store, engine: string) {
  const app = await buildApp({ config: loadConfig({ SHIRUBE_LOG_LEVEL: 'silent', SHIRUBE_DEMO: '0' }), store, logger: false });
  await app.ready();
  try {
    const t0 = performance.now();
    for (let n = 0; n < sources.length; n++) await importCaseJson(store.db, scaled(n));
    const importSeconds = round((performance.now() - t0) / 1000);
    const counts = await sql<{ items: number; rows: number }>`select (select count(*) from cf_item)::int as items, (select count(*) from cf_item_search)::int as rows`.execute(store.db);
    log(`${engine}: ${counts.rows[0]!.items} items imported and indexed in ${importSeconds} s`);
    const ids = (await store.db.selectFrom('cf_item').select('identifier').execute()).map((r) => r.identifier);

    const byKind = new Map<string, number[]>();
    const hits = new Map<string, number>();
    const search: number[] = [];
    const pk: number[] = [];
    const ilike: number[] = [];
    for (let r = -2; r < RUNS; r++) {
      // Two warm-up rounds, not counted.
      for (const { kind, q } of queries) {
        const s = performance.now();
        const res = await app.inject({ method: 'GET', url: `/api/search?${new URLSearchParams(q)}` });
        const ms = performance.now() - s;
        if (res.statusCode !== 200) throw new Error(`search ${JSON.stringify(q)}: ${res.statusCode} ${res.body}`);
        if (r < 0) continue;
        hits.set(JSON.stringify(q), res.json().total);
        search.push(ms);
        byKind.set(kind, [...(byKind.get(kind) ?? []), ms]);
      }
      for (let i = 0; i < queries.length; i++) {
        const s = performance.now();
        await store.db.selectFrom('cf_item').select('payload').where('identifier', '=', ids[(r + 2) * queries.length + (i % ids.length)]!).executeTakeFirst();
        if (r >= 0) pk.push(performance.now() - s);
      }
      for (const w of words) {
        const s = performance.now();
        await sql`select identifier, payload from cf_item where payload ->> 'fullStatement' ilike ${`%${w}%`} limit 20`.execute(store.db);
        if (r >= 0) ilike.push(performance.now() - s);
      }
    }
    const all = percentiles(search);
    const key = percentiles(pk);
    const scan = percentiles(ilike);
    return {
      engine,
      frameworks: sources.length,
      items: counts.rows[0]!.items,
      indexRows: counts.rows[0]!.rows,
      importAndIndexSeconds: importSeconds,
      runs: RUNS,
      searchMs: all,
      searchMsByKind: Object.fromEntries([...byKind].map(([k, v]) => [k, percentiles(v)])),
      totals: Object.fromEntries(hits),
      baselines: { primaryKeyLookupMs: key, ilikeScanMs: scan },
      ratios: { p95VsPrimaryKey: round(all.p95 / key.p95), p95VsIlikeScan: round(all.p95 / scan.p95), p50VsIlikeScan: round(all.p50 / scan.p50) },
      target: { p95UnderMs: 50, met: all.p95 < 50 },
    };
  } finally {
    await app.close();
  }
}

const results = [];
{
  const store = await openStore({});
  await migrateToLatest(store.db);
  results.push(await measure(store, 'pglite'));
  await store.close();
}
if (pgUrl) {
  const database = await createScratchDatabase(pgUrl, 'shirube_bench_search');
  const store = await openStore({ databaseUrl: database.url });
  try {
    await migrateToLatest(store.db);
    results.push(await measure(store, 'postgresql'));
  } finally {
    await store.close();
    await database.drop();
  }
}
process.stdout.write(`${JSON.stringify({ bench: 'search', results }, null, 2)}\n`);
