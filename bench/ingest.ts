// npm run bench (ingest part; alone: npx tsx bench/ingest.ts) — batch ingest of drill statements, side by side in
// one run (prints JSON):
//
// - Shirube on PostgreSQL and on the embedded default (PGlite), each as `npm start` leaves it: the shipped 算数 and
//   理科 frameworks, the demo class with its rubrics, default achievements and a school year of statements (~25,000,
//   through /xapi). Then `shirube serve` runs as its own process and BENCH_INGEST_STATEMENTS drill statements
//   (default 10,000; 1,000 learners, 5,000 questions) are POSTed in batches of 100 on BENCH_INGEST_CLIENTS clients
//   (default 8).
// - The peer: Learning Locker's xAPI statements service (npm `xapi-statements`, in memory), when BENCH_PEER names
//   its dist/index.js (it is not a dependency: `npm install --prefix /tmp/peer xapi-statements@5.0.1`, then
//   BENCH_PEER=/tmp/peer/node_modules/xapi-statements/dist/index.js). The same batches, the same clients.
// - The plain PostgreSQL limit: the same statements as jsonb rows of a table with a primary key and one (actor,
//   item) index, one multi-row INSERT of 100 rows a transaction, one client, on the same server.
//
// All run at once and take turns: BENCH_INGEST_ROUNDS rounds (default 5), each system POSTing the same slice of the
// statements in each. The figures to report are the ratios, measured in the same run: the machine is shared (its
// load average is printed after each round). BENCH_DATABASE_URL (else SHIRUBE_TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)
// names the server; a fresh database is created and dropped.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { createApiClient } from '../src/auth/index.js';
import { ensureShippedFrameworks } from '../src/case/demo.js';
import { runDemo } from '../src/cli/demo.js';
import { loadConfig } from '../src/config.js';
import { migrateToLatest, openStore } from '../src/store/db.js';
import { cli, freePort } from '../test/cli-process.js';
import { createScratchDatabase } from '../test/pg-database.js';
import { COS, drillStatement, logger, percentiles, pool } from './common.js';

const STATEMENTS = Number(process.env['BENCH_INGEST_STATEMENTS'] ?? 10_000);
const CLIENTS = Number(process.env['BENCH_INGEST_CLIENTS'] ?? 8);
const ROUNDS = Number(process.env['BENCH_INGEST_ROUNDS'] ?? 5);
const BATCH = 100;
const adminUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['SHIRUBE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = logger('bench:ingest');

type Statement = ReturnType<typeof drillStatement>;
type Kind = 'postgres' | 'pglite';

/** A Shirube database prepared as `npm start` leaves it, and the credentials of a drill client. */
async function prepare(kind: Kind, dir: string, databaseUrl?: string) {
  const port = await freePort();
  const env = { SHIRUBE_PUBLIC_URL: `http://127.0.0.1:${port}`, SHIRUBE_LOG_LEVEL: 'silent', SHIRUBE_DEMO: '0', SHIRUBE_DATA_DIR: dir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
  const config = loadConfig(env);
  const store = await openStore({ databaseUrl, dataDir: dir });
  try {
    await migrateToLatest(store.db);
    await ensureShippedFrameworks(store.db, () => {});
    const app = await buildApp({ config, store, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const t0 = performance.now();
    const demo = await runDemo(store.db, config, `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, { passwords: false });
    log(`${kind}: the demo class's ${demo.statements} statements in ${Math.round((performance.now() - t0) / 1000)} s`);
    await app.close();
    const c = await createApiClient(store.db, { name: 'bench drill', scopes: ['xapi:statements/write'] });
    return { port, env, demoStatements: demo.statements, authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}` };
  } finally {
    await store.close();
  }
}

type Prepared = Awaited<ReturnType<typeof prepare>>;

/** A server process; resolves once `ready` appears in its output. */
async function started(child: ChildProcess, ready: string): Promise<ChildProcess> {
  let out = '';
  await new Promise<void>((res, rej) => {
    const seen = (d: Buffer) => {
      out += d;
      if (out.includes(ready)) res();
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.once('exit', (code) => rej(new Error(`exited with ${code}: ${out.slice(-2000)}`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

async function stop(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** One system's rounds: their time and batch latencies add up. */
class Tally {
  seconds = 0;
  statements = 0;
  latencies: number[] = [];
  add(n: number, run: { seconds: number; latencies: number[] }) {
    this.statements += n;
    this.seconds += run.seconds;
    this.latencies.push(...run.latencies);
  }
  get result() {
    return { statements: this.statements, statementsPerSecond: Math.round(this.statements / this.seconds), seconds: Math.round(this.seconds * 10) / 10, batchLatencyMs: percentiles(this.latencies) };
  }
}

/** POSTs the statements in batches of 100 on CLIENTS clients; every batch must be acknowledged. */
function poster(url: string, authorization: string) {
  const headers = { authorization, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' };
  return (statements: Statement[]) =>
    pool(CLIENTS, Math.ceil(statements.length / BATCH), async (i) => {
      const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify(statements.slice(i * BATCH, (i + 1) * BATCH)) });
      if (r.status !== 200) throw new Error(`POST ${url}: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    });
}

/** A prepared Shirube served by `shirube serve` in its own process. */
async function serveShirube(target: Prepared) {
  const { start } = cli((extra) => ({ ...process.env, ...target.env, SHIRUBE_LOG_LEVEL: 'warn', ...extra }));
  const server = await started(start(['serve'], { PORT: String(target.port), HOST: '127.0.0.1' }), 'Shirube is running at');
  return { post: poster(`http://127.0.0.1:${target.port}/xapi/statements`, target.authorization), stop: () => stop(server) };
}

/** The peer in memory, in its own process. */
async function servePeer(entry: string) {
  const dir = mkdtempSync(join(tmpdir(), 'shirube-bench-peer-'));
  const port = await freePort();
  const env = { PATH: process.env['PATH'], EXPRESS_PORT: String(port), AUTH_REPO: 'test', EVENTS_REPO: 'test', MODELS_REPO: 'memory', STORAGE_REPO: 'memory', WINSTON_CONSOLE_LEVEL: 'info', EXPRESS_MORGAN_DIRECTORY: dir, FS_LOCAL_STORAGE_DIR: dir };
  const server = await started(spawn(process.execPath, [entry], { cwd: dir, env, stdio: 'pipe' }), 'Listening on port');
  return {
    post: poster(`http://127.0.0.1:${port}/xAPI/statements`, `Basic ${Buffer.from('bench:bench').toString('base64')}`),
    stop: async () => {
      await stop(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The same statements as jsonb rows with a primary key and an (actor, item) index: multi-row INSERTs, one client. */
async function plainInsert(databaseUrl: string) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  await c.query('create table plain_statement (id uuid primary key, actor text not null, item text not null, payload jsonb not null)');
  await c.query('create index on plain_statement (actor, item)');
  return {
    post: (statements: Statement[]) =>
      pool(1, Math.ceil(statements.length / BATCH), async (i) => {
        const rows = statements.slice(i * BATCH, (i + 1) * BATCH);
        const values = rows.map((_, j) => `($${j * 4 + 1}, $${j * 4 + 2}, $${j * 4 + 3}, $${j * 4 + 4})`).join(', ');
        await c.query(
          `insert into plain_statement (id, actor, item, payload) values ${values}`,
          rows.flatMap((s) => [s.id, `account:${s.actor.account.homePage} ${s.actor.account.name}`, s.object.definition.extensions[COS][0], JSON.stringify(s)]),
        );
      }),
    stop: () => c.end(),
  };
}

async function main() {
  const load = [loadavg()[0]!];
  const database = await createScratchDatabase(adminUrl, 'shirube_bench_ingest');
  const dirs = { postgres: mkdtempSync(join(tmpdir(), 'shirube-bench-pg-')), pglite: mkdtempSync(join(tmpdir(), 'shirube-bench-pglite-')) };
  try {
    const targets = { postgres: await prepare('postgres', dirs.postgres, database.url), pglite: await prepare('pglite', dirs.pglite) };
    load.push(loadavg()[0]!);
    // The statements every system gets: answers to the shipped frameworks' items by 1,000 learners, sent as they
    // are answered (timestamps in the order of the list).
    const codes = await (async () => {
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      try {
        return (await c.query<{ c: string }>('select distinct human_coding_scheme c from cf_item where human_coding_scheme is not null order by 1')).rows.map((r) => r.c);
      } finally {
        await c.end();
      }
    })();
    const t0 = Date.now();
    const statements = Array.from({ length: STATEMENTS }, (_, i) => drillStatement({ codes, learners: 1_000, activities: 5_000, sets: 200, timestamp: () => new Date(t0 + i * 10).toISOString() }));

    // The systems take turns, a slice of the statements each in every round (the same slices in the same order),
    // so that they share the machine's load as it changes; a system's rate is its statements over its own time.
    const peerEntry = process.env['BENCH_PEER'];
    if (!peerEntry) log('peer: skipped (set BENCH_PEER to its dist/index.js)');
    const systems = {
      postgres: await serveShirube(targets.postgres),
      pglite: await serveShirube(targets.pglite),
      plain: await plainInsert(database.url),
      ...(peerEntry ? { peer: await servePeer(peerEntry) } : {}),
    };
    const tallies = Object.fromEntries(Object.keys(systems).map((k) => [k, new Tally()])) as Record<keyof typeof systems, Tally>;
    try {
      const slice = Math.ceil(STATEMENTS / ROUNDS / BATCH) * BATCH;
      for (let r = 0; r * slice < STATEMENTS; r++) {
        const part = statements.slice(r * slice, (r + 1) * slice);
        for (const [name, system] of Object.entries(systems)) {
          tallies[name as keyof typeof systems].add(part.length, await system.post(part));
        }
        log(`round ${r + 1}: ${Math.min(STATEMENTS, (r + 1) * slice)} statements each`);
        load.push(loadavg()[0]!);
      }
    } finally {
      for (const system of Object.values(systems)) await system.stop();
    }
    const postgres = { demoStatements: targets.postgres.demoStatements, ...tallies.postgres.result };
    const pglite = { demoStatements: targets.pglite.demoStatements, ...tallies.pglite.result };
    const plain = tallies.plain.result;
    const peer = tallies.peer?.result ?? null;
    const ratio = (a: number, b: number | undefined) => (b ? Math.round((a / b) * 1000) / 1000 : null);
    process.stdout.write(
      `${JSON.stringify(
        {
          statementsPosted: STATEMENTS,
          clients: CLIENTS,
          batch: BATCH,
          codes: codes.length,
          loadAverage1m: load.map((l) => Math.round(l * 10) / 10),
          shirubePostgres: postgres,
          shirubePglite: pglite,
          peer,
          plainInsert: plain,
          ratios: {
            postgresToPeer: ratio(postgres.statementsPerSecond, peer?.statementsPerSecond),
            postgresToPlainInsert: ratio(postgres.statementsPerSecond, plain.statementsPerSecond),
            pgliteToPostgres: ratio(pglite.statementsPerSecond, postgres.statementsPerSecond),
          },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await database.drop();
    for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  }
}

await main();
