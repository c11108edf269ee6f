// npm run soak — a real Shirube server under a steady mixed load for a long time (not a test), watching its memory.
//
// Starts `shirube serve` (the build when it is newer than the sources, else the sources through tsx) with Node.js's
// --expose-gc and bench/soak-probe.mjs, which on each sample runs a full garbage collection and reports the memory.
// Imports 算数 through the API, then runs rounds of the same work on --clients clients: xAPI batch POSTs (10 drill
// statements), GETs by id and by agent, CASE documents and the whole package, a learner's learning map, a 404 and a
// 400, /ready and /metrics. After each round a line: elapsed time, requests, rate, V8 heap after GC, RSS. Every
// answer must be the expected status.
//
// Verdict: the first --warmup share of the samples (at least 3) is warm-up (JIT, caches, pools); a least-squares
// line through the heap samples from there gives the growth over the rest of the run. It fails (exit 1) when that
// growth is more than --max-growth of the heap at the end of the warm-up, or when any answer was unexpected.
//
//   npm run soak                                   30 minutes on the embedded database (a temporary directory)
//   npm run soak -- --minutes 5
//   npm run soak -- --database-url postgres://postgres@127.0.0.1:5432/postgres   on PostgreSQL (a scratch database)
//
// Options: --minutes (30), --rounds (a number of rounds instead of minutes), --clients (4), --warmup (0.2),
// --max-growth (0.1, a share of the warm heap), --database-url. test/faults/soak.test.ts runs a short one.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLI_ENTRY, freePort, listening, serveEnv, signIn, stop, xapiClient } from '../test/cli-process.js';
import { drillStatement, DRILL_HOME } from '../test/lrs/drill-statement.js';
import { createScratchDatabase } from '../test/pg-database.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ITERATIONS = 20;
const LEARNERS = 20;
const MB = 1024 * 1024;

export interface SoakOptions {
  /** How long to run (after the server is up), unless `rounds` is given. */
  minutes?: number;
  rounds?: number;
  clients?: number;
  /** The share of the samples that is warm-up. */
  warmup?: number;
  /** The growth allowed after the warm-up, as a share of the heap at its end. */
  maxGrowth?: number;
  /** A PostgreSQL server to run on (a scratch database on it); else the embedded database. */
  databaseUrl?: string;
  log?: (line: string) => void;
}

export interface Sample {
  round: number;
  seconds: number;
  requests: number;
  heapUsed: number;
  rss: number;
  external: number;
}

export interface SoakResult {
  samples: Sample[];
  /** The sample that ends the warm-up. */
  warm: Sample;
  /** Heap growth after the warm-up along the least-squares line, in bytes (negative: it shrank). */
  growth: number;
  /** The growth allowed, in bytes. */
  bound: number;
  /** Answers that were not the expected status (at most 20 kept), and how many there were. */
  unexpected: string[];
  unexpectedCount: number;
  ok: boolean;
}

/** Slope of the least-squares line through (x, y). */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
}

/** Asks the probe in the server for a full GC and the memory after it. */
function measure(child: ChildProcess): Promise<{ heapUsed: number; rss: number; external: number }> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the server exited with ${code} during the soak`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as { heapUsed: number; rss: number; external: number });
    });
    child.send('measure');
  });
}

export async function soak(o: SoakOptions = {}): Promise<SoakResult> {
  const clients = o.clients ?? 4;
  const log = o.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dir = mkdtempSync(join(tmpdir(), 'shirube-soak-'));
  const scratch = o.databaseUrl ? await createScratchDatabase(o.databaseUrl, 'shirube_soak') : undefined;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const password = randomBytes(18).toString('base64url');
  const { DATABASE_URL: _inherited, ...env } = process.env;
  const child = spawn(process.execPath, ['--expose-gc', '--import', join(ROOT, 'bench/soak-probe.mjs'), ...CLI_ENTRY, 'serve'], {
    cwd: ROOT,
    env: { ...env, ...serveEnv(port, { SHIRUBE_DATA_DIR: dir, SHIRUBE_DEMO: '0', SHIRUBE_ADMIN_PASSWORD: password, SHIRUBE_LOG_LEVEL: 'warn', ...(scratch ? { DATABASE_URL: scratch.url } : {}) }) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  try {
    await listening(child);
    child.stderr!.resume();
    const admin = await signIn(base, 'admin', password);
    const xapi = await xapiClient(base, admin);
    const csv = readFileSync(join(ROOT, 'assets/frameworks/elementary-math-2017.csv'));
    const imported = await fetch(`${base}/api/frameworks/import?format=cscode`, { method: 'POST', headers: { ...admin, 'content-type': 'text/csv' }, body: csv });
    if (imported.status !== 201) throw new Error(`importing 算数: ${imported.status} ${await imported.text()}`);
    const framework = ((await imported.json()) as { frameworks: Array<{ identifier: string }> }).frameworks[0]!.identifier;
    log(`soak: server ${base} (${scratch ? 'PostgreSQL' : 'embedded database'}), ${clients} clients, ${o.rounds ? `${o.rounds} rounds` : `${o.minutes ?? 30} minutes`}`);

    const unexpected: string[] = [];
    let unexpectedCount = 0;
    let requests = 0;
    const learnerIds = new Map<string, string>();
    /** One request; its body read; a status other than `expected` is noted. */
    const call = async (path: string, expected: number, init: RequestInit = {}): Promise<Response | undefined> => {
      requests++;
      const res = await fetch(base + path, init);
      if (res.status === expected) return res;
      unexpectedCount++;
      if (unexpected.length < 20) unexpected.push(`${init.method ?? 'GET'} ${path.split('?')[0]}: ${res.status} ${(await res.text()).slice(0, 200)}`);
      else await res.arrayBuffer();
      return undefined;
    };
    const read = async (res: Response | undefined) => (res ? res.json() : undefined);
    const iteration = async (c: number, i: number) => {
      const learner = `soak-${(c * 7 + i) % LEARNERS}`;
      const agent = encodeURIComponent(JSON.stringify({ account: { homePage: DRILL_HOME, name: learner } }));
      const ids = ((await read(await call('/xapi/statements', 200, { method: 'POST', headers: xapi, body: JSON.stringify(Array.from({ length: 10 }, () => drillStatement(learner))) }))) ?? []) as string[];
      if (ids[0]) await read(await call(`/xapi/statements?statementId=${ids[0]}`, 200, { headers: xapi }));
      await read(await call(`/xapi/statements?agent=${agent}&limit=10`, 200, { headers: xapi }));
      await read(await call('/ims/case/v1p1/CFDocuments', 200));
      if (i % 5 === 0) await read(await call(`/ims/case/v1p1/CFPackages/${framework}`, 200));
      if (!learnerIds.has(learner)) {
        const found = (await read(await call(`/api/learners?agent=${agent}`, 200, { headers: admin }))) as { learnerId: string } | undefined;
        if (found) learnerIds.set(learner, found.learnerId);
      }
      const learnerId = learnerIds.get(learner);
      if (learnerId) await read(await call(`/api/progress/map?framework=${framework}&learner=${learnerId}`, 200, { headers: admin }));
      await (await call(`/ims/case/v1p1/CFItems/${randomUUID()}`, 404))?.arrayBuffer();
      await (await call('/xapi/statements?statementId=not-an-id', 400, { headers: xapi }))?.arrayBuffer();
      await read(await call('/ready', 200));
      if (i % 5 === 0) await (await call('/metrics', 200))?.arrayBuffer();
    };

    const samples: Sample[] = [];
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const done = (round: number) => (o.rounds ? round >= o.rounds : seconds() >= (o.minutes ?? 30) * 60);
    log('round     time  requests    req/s  heap MB   RSS MB');
    for (let round = 1; !done(round - 1); round++) {
      await Promise.all(Array.from({ length: clients }, async (_, c) => {
        for (let i = 0; i < ITERATIONS; i++) await iteration(c, i);
      }));
      const m = await measure(child);
      const s: Sample = { round, seconds: seconds(), requests, ...m };
      samples.push(s);
      const time = `${Math.floor(s.seconds / 60)}:${String(Math.floor(s.seconds % 60)).padStart(2, '0')}`;
      log(`${String(round).padStart(5)} ${time.padStart(8)} ${String(requests).padStart(9)} ${(requests / s.seconds).toFixed(0).padStart(8)} ${(s.heapUsed / MB).toFixed(1).padStart(8)} ${(s.rss / MB).toFixed(1).padStart(8)}`);
    }

    const warmIndex = Math.min(samples.length - 1, Math.max(2, Math.ceil(samples.length * (o.warmup ?? 0.2)) - 1));
    const after = samples.slice(warmIndex);
    const warm = samples[warmIndex]!;
    const growth = after.length < 2 ? 0 : slope(after.map((s) => [s.requests, s.heapUsed])) * (after.at(-1)!.requests - warm.requests);
    const bound = (o.maxGrowth ?? 0.1) * warm.heapUsed;
    const ok = unexpectedCount === 0 && after.length >= 2 && growth <= bound;
    log(
      `soak: ${requests} requests in ${seconds().toFixed(0)} s; heap after warm-up (round ${warm.round}) ${(warm.heapUsed / MB).toFixed(1)} MB, ` +
        `growth since along the trend ${(growth / MB).toFixed(2)} MB (allowed ${(bound / MB).toFixed(1)} MB); ` +
        `RSS ${(samples[0]!.rss / MB).toFixed(0)} → ${(samples.at(-1)!.rss / MB).toFixed(0)} MB; unexpected answers: ${unexpectedCount}`,
    );
    for (const u of unexpected) log(`  unexpected: ${u}`);
    log(ok ? 'soak: PASS' : 'soak: FAIL');
    return { samples, warm, growth, bound, unexpected, unexpectedCount, ok };
  } finally {
    await stop(child);
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      rounds: { type: 'string' },
      clients: { type: 'string' },
      warmup: { type: 'string' },
      'max-growth': { type: 'string' },
      'database-url': { type: 'string' },
    },
  });
  const num = (name: keyof typeof values) => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: a positive number, not "${v}"`);
    return n;
  };
  const result = await soak({
    minutes: num('minutes'),
    rounds: num('rounds'),
    clients: num('clients'),
    warmup: num('warmup'),
    maxGrowth: num('max-growth'),
    databaseUrl: values['database-url'],
  });
  process.exit(result.ok ? 0 : 1);
}
