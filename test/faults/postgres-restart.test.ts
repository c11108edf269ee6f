import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freePort, signIn, stop, xapiClient } from '../cli-process.js';
import { skipWithoutPostgres, throwawayCluster, type Cluster } from '../pg-cluster.js';
import { drillStatement } from '../lrs/drill-statement.js';

// Faults of the database under a running server, on a PostgreSQL server of the test's own (the shared one of
// SHIRUBE_TEST_DATABASE_URL must not be restarted): the server and its clients over real sockets. A client keeps an
// xAPI batch until it is acknowledged (200), retrying after a 503 as Retry-After says, with the same statement ids.
// The server killed alone (SIGKILL) is test/lrs/durability.test.ts, on PGlite and PostgreSQL.

const WRITERS = 4;
const BATCH = 10;
const ADMIN_PASSWORD = `admin-${randomUUID()}`;

let cluster: Cluster;
let dir: string;
let headers: Record<string, string>;

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  SHIRUBE_DATA_DIR: dir,
  DATABASE_URL: cluster.url('shirube'),
  SHIRUBE_LOG_LEVEL: 'fatal',
  SHIRUBE_ADMIN_PASSWORD: ADMIN_PASSWORD,
  ...extra,
});
const { serve } = cli(env);

interface Ingest {
  /** Ids of statements the server answered 200 for. */
  acknowledged: string[];
  /** Count of answers by status. */
  statuses: Map<number, number>;
  /** Retry-After values of the 503 answers. */
  retryAfter: Set<string | null>;
  /** Answers other than 200 and 503, and failed connections while the server was meant to be up. */
  unexpected: string[];
  /** Lets every writer finish its batch (until acknowledged) and waits for them. */
  finish(): Promise<void>;
  /** The server is being killed: failed connections are expected from now on, and end the writers. */
  serverKilled(): void;
}

/** WRITERS clients POSTing batches of BATCH statements of `learner`, each batch again after a 503 until it is acknowledged. */
function ingest(base: string, learner: string): Ingest {
  const r: Omit<Ingest, 'finish' | 'serverKilled'> = { acknowledged: [], statuses: new Map(), retryAfter: new Set(), unexpected: [] };
  let finishing = false;
  let killed = false;
  const writer = async () => {
    while (!finishing && !killed) {
      const body = JSON.stringify(Array.from({ length: BATCH }, () => drillStatement(learner)));
      for (;;) {
        let res: Response;
        try {
          res = await fetch(`${base}/xapi/statements`, { method: 'POST', headers, body });
        } catch (e) {
          if (!killed) r.unexpected.push(`connection: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`);
          return;
        }
        r.statuses.set(res.status, (r.statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200) {
          r.acknowledged.push(...((await res.json()) as string[]));
          break;
        }
        const text = await res.text();
        if (res.status !== 503) {
          r.unexpected.push(`${res.status}: ${text}`);
          break;
        }
        r.retryAfter.add(res.headers.get('retry-after'));
        await new Promise((w) => setTimeout(w, Number(res.headers.get('retry-after') ?? 1) * 1000));
      }
    }
  };
  const writers = Array.from({ length: WRITERS }, writer);
  return {
    ...r,
    finish: async () => {
      finishing = true;
      await Promise.all(writers);
    },
    serverKilled: () => {
      killed = true;
    },
  };
}

/** Resolves once `check` is true, looking every 50 ms (no deadline: the test's timeout is the bound). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((w) => setTimeout(w, 50));
}

/** Waits until the writers have `n` more statements acknowledged, or fails with what went wrong instead. */
async function acknowledged(load: Ingest, n: number): Promise<void> {
  const target = load.acknowledged.length + n;
  await until(() => load.acknowledged.length >= target || load.unexpected.length > 0);
  expect(load.unexpected).toEqual([]);
}

/** Every acknowledged id is served by GET /xapi/statements and stored with its evidence (SQL). */
async function expectStored(base: string, ids: string[]): Promise<void> {
  for (const id of ids) expect((await fetch(`${base}/xapi/statements?statementId=${id}`, { headers })).status, id).toBe(200);
  const db = new pg.Client({ connectionString: cluster.url('shirube') });
  await db.connect();
  try {
    const stored = await db.query<{ n: number }>('select count(*)::int as n from xapi_statement where id = any($1::uuid[])', [ids]);
    const withEvidence = await db.query<{ n: number }>('select count(distinct statement_id)::int as n from evidence where statement_id = any($1::uuid[])', [ids]);
    expect(stored.rows[0]!.n).toBe(ids.length);
    expect(withEvidence.rows[0]!.n).toBe(ids.length);
  } finally {
    await db.end();
  }
}

describe.skipIf(skipWithoutPostgres('the PostgreSQL fault tests'))('faults: PostgreSQL restarted or crashed under the server', () => {
  let server: ChildProcess | undefined;
  let port: number;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shirube-faults-'));
    cluster = await throwawayCluster();
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query('create database shirube');
    await admin.end();
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = await serve(port);
    headers = await xapiClient(base, await signIn(base, 'admin', ADMIN_PASSWORD));
  });
  afterAll(async () => {
    if (server) await stop(server);
    await cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('PostgreSQL restarted (immediate) mid-ingest: 200 or 503 with Retry-After, never 500, in every API; nothing acknowledged lost; the pool recovers', async () => {
    const load = ingest(base, `pupil-${randomUUID()}`);
    await acknowledged(load, 60);
    await cluster.stop('immediate');

    // While it is down, every API answers 503 with Retry-After in its own error format.
    const down = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(base + path, init);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after'), path).toBe('5');
      return res;
    };
    const xapi = await down('/xapi/statements?limit=1', { headers });
    expect(xapi.headers.get('content-type')).toContain('text/plain');
    expect(await xapi.text()).toContain('The database does not answer');
    for (const path of ['/ims/case/v1p1/CFDocuments', '/ims/case/v1p0/CFDocuments', `/uri/${randomUUID()}`]) {
      const body = (await (await down(path, { headers: { accept: 'application/json' } })).json()) as { imsx_codeMajor: string; imsx_codeMinor: { imsx_codeMinorField: Array<{ imsx_codeMinorFieldValue: string }> } };
      expect(body.imsx_codeMajor, path).toBe('failure');
      expect(body.imsx_codeMinor.imsx_codeMinorField[0]!.imsx_codeMinorFieldValue, path).toBe('server_busy');
    }
    expect(((await (await down('/api/frameworks')).json()) as { error: { code: string } }).error.code).toBe('unavailable');
    const token = await down('/oauth/token', { method: 'POST', headers: { authorization: headers['authorization']!, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    expect(((await token.json()) as { error: string }).error).toBe('temporarily_unavailable');
    // Outside the APIs: a web UI page asked for with a session cookie, which is looked up in the database.
    await down('/', { headers: { cookie: 'shirube_session=a-session-token' } });
    expect(((await (await down('/ready')).json()) as { status: string }).status).toBe('unavailable');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    // The writers had batches in flight when it stopped, or sent some since.
    await until(() => (load.statuses.get(503) ?? 0) >= 1);

    await cluster.start();
    await until(async () => (await fetch(`${base}/ready`)).status === 200);
    await acknowledged(load, 60);
    await load.finish();

    expect(load.unexpected).toEqual([]);
    expect([...load.statuses.keys()].sort()).toEqual([200, 503]);
    expect([...load.retryAfter]).toEqual(['5']);
    expect(new Set(load.acknowledged).size).toBe(load.acknowledged.length);
    await expectStored(base, load.acknowledged);
    // The pool reconnected for the other APIs too.
    expect((await fetch(`${base}/ims/case/v1p1/CFDocuments`)).status).toBe(200);
    expect((await fetch(`${base}/api/frameworks`)).status).toBe(200);
  }, 180_000);

  it('power loss: the server SIGKILLed and PostgreSQL crashed together mid-ingest, both started again: nothing acknowledged lost', async () => {
    const load = ingest(base, `pupil-${randomUUID()}`);
    await acknowledged(load, 60);
    load.serverKilled();
    await Promise.all([stop(server!, 'SIGKILL'), cluster.stop('immediate')]);
    await load.finish();
    expect(load.unexpected).toEqual([]);

    await cluster.start();
    server = await serve(port);
    await expectStored(base, load.acknowledged);
  }, 180_000);
});
