// npx tsx bench/derive.ts — derivative frameworks (docs/derivatives.md) on a real PostgreSQL; prints JSON.
//
// The 算数 framework (632 CFItems) and BENCH_DERIVE_STATEMENTS drill statements (default 20,000; 200 learners,
// 217 content items by Course of Study Code) stored through the LRS. Measured, in the same run:
// - deriving with no evidence against importing the same framework from its code table (the rows a derivation
//   writes, without the backfill);
// - deriving with the statements' evidence (the backfill: copy, rollups, mastery replay) against deriving with none,
//   per evidence row copied;
// - writing statements by code once a derivative exists (each answer is evidence for two items) against the same
//   before it existed: the fan-out's cost at write time.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrateToLatest, openStore } from '../src/store/db.js';
import { createApiClient, issueAccessToken } from '../src/auth/index.js';
import { findApiClient } from '../src/store/auth.js';
import { importCourseOfStudyCodes } from '../src/case/import/cscode.js';
import { deleteFramework } from '../src/case/frameworks.js';
import { deriveFramework } from '../src/case/derive.js';
import { derivationBackfill } from '../src/lrs/index.js';
import { evidenceHook } from '../src/badges/index.js';
import { frameworkStructure } from '../src/progress/index.js';
import { createScratchDatabase } from '../test/pg-database.js';
import { drillStatement, logger } from './common.js';

const STATEMENTS = Number(process.env['BENCH_DERIVE_STATEMENTS'] ?? 20_000);
const BATCH = 200;
const adminUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['SHIRUBE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = logger('bench:derive');
const csv = readFileSync(new URL('../assets/frameworks/elementary-math-2017.csv', import.meta.url));

const database = await createScratchDatabase(adminUrl, 'shirube_bench_derive');
const store = await openStore({ databaseUrl: database.url });
const config = loadConfig({ SHIRUBE_PUBLIC_URL: 'http://bench.test', SHIRUBE_LOG_LEVEL: 'silent', SHIRUBE_DEMO: '0' });
const app = await buildApp({ config, store, logger: false });
const seconds = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return Math.round(performance.now() - t0) / 1000;
};
try {
  const db = store.db;
  await migrateToLatest(db);
  const importS = await seconds(() => importCourseOfStudyCodes(db, csv));
  const [math] = await importCourseOfStudyCodes(db, csv);
  const source = math!.identifier;
  const codes = (await frameworkStructure(db, source)).items.map((i) => i.code);
  const { clientId } = await createApiClient(db, { name: 'bench', scopes: ['xapi:statements/write'] });
  const { accessToken } = await issueAccessToken(db, (await findApiClient(db, clientId))!, undefined);
  let day = 0;
  const shape = { codes, learners: 200, activities: 2000, sets: 50, timestamp: () => new Date(Date.UTC(2025, 3, 1) + (day++ % 300) * 86_400_000).toISOString() };
  const write = (n: number) =>
    seconds(async () => {
      for (let i = 0; i < n; i += BATCH) {
        const res = await app.inject({ method: 'POST', url: '/xapi/statements', headers: { authorization: `Bearer ${accessToken}`, 'x-experience-api-version': '1.0.3' }, payload: Array.from({ length: Math.min(BATCH, n - i) }, () => drillStatement(shape)) });
        if (res.statusCode !== 200) throw new Error(`POST /xapi/statements: ${res.statusCode} ${res.body}`);
      }
    });
  const derive = (title: string) => {
    let result: Awaited<ReturnType<typeof deriveFramework>> | undefined;
    return seconds(async () => {
      result = await deriveFramework(db, source, { title, creator: 'bench' }, {
        actor: 'bench',
        organizationId: null,
        backfill: derivationBackfill({ timeZone: config.timeZone, onEvidence: evidenceHook(config.timeZone) }),
      });
    }).then((s) => ({ s, result: result! }));
  };

  log('deriving with no evidence');
  const empty = await derive('no evidence');
  await deleteFramework(db, empty.result.identifier, { actor: 'bench' });
  // Unmeasured: the learners and Activities are new in the first batches (a write of their own).
  log('warming up');
  await write(Math.min(4000, Math.floor(STATEMENTS / 5)));
  const half = Math.floor(STATEMENTS / 2);
  log(`writing ${half} statements (no derivative)`);
  const before = await write(half);
  log('deriving with their evidence');
  const full = await derive('with evidence');
  const rows = (await sql<{ n: number }>`select count(*)::int as n from evidence where via = 'exact_match'`.execute(db)).rows[0]!.n;
  log(`writing ${STATEMENTS - half} statements (with a derivative)`);
  const after = await write(STATEMENTS - half);
  const perSecond = (n: number, s: number) => Math.round(n / s);
  process.stdout.write(`${JSON.stringify({
    framework: { items: full.result.counts.CFItems, associations: full.result.counts.CFAssociations },
    deriveNoEvidence: { seconds: empty.s, baselineImportSeconds: importS, ratio: Math.round((empty.s / importS) * 100) / 100 },
    deriveWithEvidence: { seconds: full.s, evidenceRowsCopied: rows, pairs: full.result.evidencePairs, backfillMsPer1000Rows: Math.round(((full.s - empty.s) / rows) * 1e6) },
    writeStatementsPerSecond: { before: perSecond(half, before), withDerivative: perSecond(STATEMENTS - half, after), ratio: Math.round((perSecond(STATEMENTS - half, after) / perSecond(half, before)) * 100) / 100 },
  }, null, 2)}\n`);
} finally {
  await app.close();
  await store.close();
  await database.drop();
}
