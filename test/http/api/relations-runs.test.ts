import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anotherInstance, build, session, type TestApp } from '../../helper.js';
import { importCaseJson } from '../../../src/case/import/case-json.js';
import { candidateSpace, loadRelationFramework } from '../../../src/relations/index.js';
import { auditEntries } from '../../../src/store/auth.js';
import { getRun } from '../../../src/store/relations.js';
import { fakeLlm, promptOf, smallPackage, type FakeLlm } from '../../relations/fixtures.js';

type Headers = Record<string, string>;
const cred = (s: { cookie: string; 'x-csrf-token': string }): Headers => ({ cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] });
const COMPAT_KEY = 'sk-compat-secret-0123456789';

describe('/api/relations/:framework/runs: estimation runs in the background', () => {
  let t: TestApp;
  let llm: FakeLlm;
  let fw: string;
  let blocks: number;
  let author: Headers;
  let reviewer: Headers;
  /** What the model answers to a request body; a test may change it (default: the fixture's I1 precedes I2). */
  let answer: ((body: any) => unknown) | undefined;
  beforeAll(async () => {
    const good = { relations: [{ origin: 'I1', destination: 'I2', type: 'precedes', confidence: 0.9, rationale: 'I1 comes first' }] };
    llm = await fakeLlm((body) => (answer ? answer(body) : good));
    // The OpenAI-compatible server is configured through loadConfig, as `shirube serve` reads it; OPENAI_API_KEY is not.
    t = await build({ SHIRUBE_LLM_BASE_URL: `${llm.url}/v1`, SHIRUBE_LLM_API_KEY: COMPAT_KEY });
    fw = (await importCaseJson(t.store.db, smallPackage())).identifier;
    blocks = candidateSpace(await loadRelationFramework(t.store.db, fw)).blocks.length;
    author = cred(await session(t, [{ role: 'author', scopeType: 'framework', scopeId: fw }]));
    reviewer = cred(await session(t, [{ role: 'reviewer', scopeType: 'framework', scopeId: fw }]));
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await llm.close();
  });

  const post = (body: unknown, headers: Headers = author, app = t.app) =>
    app.inject({ method: 'POST', url: `/api/relations/${fw}/runs`, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const get = (url: string, headers: Headers = reviewer) => t.app.inject({ method: 'GET', url, headers });
  /** Polls the run as the UI does until it is done or failed; returns every state seen. */
  async function finish(id: string): Promise<{ last: any; seen: string[] }> {
    const seen: string[] = [];
    for (let i = 0; i < 600; i++) {
      const r = await get(`/api/relations/${fw}/runs/${id}`);
      expect(r.statusCode).toBe(200);
      const run = r.json();
      seen.push(run.status);
      if (run.status === 'done' || run.status === 'failed' || run.status === 'cancelled') return { last: run, seen };
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`run ${id} did not finish`);
  }

  it('401 for nobody, 403 for teachers, learners and reviewers (only authors and admins start runs)', async () => {
    const nobody = await post({ estimator: 'offline' }, {});
    expect(nobody.statusCode).toBe(401);
    expect(nobody.json().error.code).toBe('unauthorized');
    // Even a faulty body: who asks is checked first.
    expect((await post({ estimator: 'nope' }, {})).statusCode).toBe(401);
    expect((await get(`/api/relations/${fw}/runs`, {})).statusCode).toBe(401);
    expect((await get('/api/relations/providers', {})).statusCode).toBe(401);
    const teacher = cred(await session(t, [{ role: 'teacher', scopeType: 'class', scopeId: '4-1' }]));
    const learner = cred(await session(t, [{ role: 'learner', scopeType: 'self', scopeId: '' }]));
    for (const h of [teacher, learner, reviewer]) expect((await post({ estimator: 'offline' }, h)).statusCode).toBe(403);
    for (const h of [teacher, learner]) {
      expect((await get(`/api/relations/${fw}/runs`, h)).statusCode).toBe(403);
      expect((await get('/api/relations/providers', h)).statusCode).toBe(403);
    }
    // A reviewer reads runs, and learns they may not start one.
    expect((await get(`/api/relations/${fw}/runs`)).json()).toMatchObject({ canStart: false, runs: [] });
    expect((await get(`/api/relations/${fw}/runs`, author)).json()).toMatchObject({ canStart: true, runs: [] });
  });

  it('bad input is a 400 naming the field, and starts nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'estimator'],
      [{ estimator: 'magic' }, 'estimator'],
      [{ estimator: 'llm', provider: 'openai-compatible' }, 'model'],
      [{ estimator: 'llm', provider: 'acme', model: 'x' }, 'provider'],
      [{ estimator: 'llm', model: 'has space' }, 'model'],
      [{ estimator: 'offline', maxGradeGap: -1 }, 'maxGradeGap'],
      [{ estimator: 'offline', modes: ['sideways'] }, 'modes.0'],
      [{ estimator: 'offline', apiKey: 'x' }, 'apiKey'],
    ];
    for (const [body, field] of cases) {
      const r = await post(body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error).toMatchObject({ code: 'invalid_request', field });
      expect(r.json().error.message).toContain(field);
    }
    expect((await get(`/api/relations/${fw}/runs`)).json().runs).toEqual([]);
    expect((await t.app.inject({ method: 'POST', url: '/api/relations/no-such-framework/runs', headers: { ...author, 'content-type': 'application/json' }, payload: '{"estimator":"offline"}' })).statusCode).toBe(404);
  });

  it('says which providers are configured, never a key or URL; the config never shows the key', async () => {
    const r = await get('/api/relations/providers', author);
    expect(r.statusCode).toBe(200);
    const byName = Object.fromEntries(r.json().providers.map((p: { provider: string; configured: boolean; variable: string }) => [p.provider, p]));
    expect(byName['openai-compatible']).toEqual({ provider: 'openai-compatible', configured: true, variable: 'SHIRUBE_LLM_BASE_URL' });
    expect(byName['openai']).toEqual({ provider: 'openai', configured: false, variable: 'OPENAI_API_KEY' });
    expect(byName['anthropic'].configured).toBe(false);
    expect(r.body).not.toContain(COMPAT_KEY);
    expect(r.body).not.toContain(llm.url);
    expect(t.config.llm.compatibleApiKey).toBe(COMPAT_KEY);
    expect(JSON.stringify(t.config)).not.toContain(COMPAT_KEY);
    expect(JSON.parse(JSON.stringify(t.config)).llm).toMatchObject({ compatibleApiKey: '[redacted]', openaiApiKey: null });
  });

  it('an offline run goes from queued to done through the API; its suggestions join the review queue', async () => {
    const r = await post({ estimator: 'offline' });
    expect(r.statusCode).toBe(202);
    const queued = r.json();
    expect(queued).toMatchObject({ status: 'queued', estimator: 'offline', framework: fw, error: null });
    expect(r.headers['location']).toBe(`/api/relations/${fw}/runs/${queued.id}`);
    const { last } = await finish(queued.id);
    expect(last).toMatchObject({ status: 'done', error: null, progress: { done: blocks, total: blocks } });
    expect(last.suggestions).toBeGreaterThan(0);
    expect(last.candidatePairs).toBeGreaterThan(0);
    const queue = (await get(`/api/relations/${fw}/suggestions?estimator=offline&limit=1000`)).json();
    expect(queue.total).toBe(last.suggestions);
    expect(queue.suggestions.every((s: { status: string }) => s.status === 'pending')).toBe(true);
    expect((await auditEntries(t.store.db, 'estimation_run', queued.id)).map((e) => e.action)).toEqual(['relation.run']);
  });

  it('an LLM run against an OpenAI-compatible server set in the config: done, one call per block, tokens counted', async () => {
    const before = llm.requests.length;
    const r = await post({ estimator: 'llm', provider: 'openai-compatible', model: 'llama3' });
    expect(r.statusCode).toBe(202);
    const { last } = await finish(r.json().id);
    expect(last).toMatchObject({ status: 'done', model: 'openai-compatible:llama3', requests: blocks, cachedRequests: 0, inputTokens: 100 * blocks, outputTokens: 20 * blocks, progress: { done: blocks, total: blocks } });
    expect(last.suggestions).toBeGreaterThan(0);
    const calls = llm.requests.slice(before);
    expect(calls).toHaveLength(blocks);
    expect(calls[0]!.path).toBe('/v1/chat/completions');
    expect(calls[0]!.headers['authorization']).toBe(`Bearer ${COMPAT_KEY}`);
    expect(JSON.stringify(last)).not.toContain(COMPAT_KEY);
    const queue = (await get(`/api/relations/${fw}/suggestions?estimator=llm&limit=1000`)).json();
    expect(queue.total).toBe(last.suggestions);
  });

  it('a provider without a key: the run fails with a message saying what to do', async () => {
    const r = await post({ estimator: 'llm', provider: 'openai', model: 'gpt-4o-mini' });
    expect(r.statusCode).toBe(202);
    const { last } = await finish(r.json().id);
    expect(last.status).toBe('failed');
    expect(last.error).toMatch(/^OPENAI_API_KEY is not set on the server: set it .* and start the run again/);
  });

  it('one run per framework at a time: 409 while one works, and a new one once it is done', async () => {
    const release = llm.hold();
    const first = await post({ estimator: 'llm', provider: 'openai-compatible', model: 'slow-model' });
    expect(first.statusCode).toBe(202);
    try {
      const second = await post({ estimator: 'offline' });
      expect(second.statusCode).toBe(409);
      expect(second.json().error.code).toBe('conflict');
      expect(second.json().error.message).toContain(first.json().id);
      // While held, the run shows as running at block 0.
      await expect.poll(async () => (await get(`/api/relations/${fw}/runs/${first.json().id}`)).json().status).toBe('running');
    } finally {
      release();
    }
    expect((await finish(first.json().id)).last.status).toBe('done');
    const third = await post({ estimator: 'tfidf' });
    expect(third.statusCode).toBe(202);
    expect((await finish(third.json().id)).last.status).toBe('done');
  });

  it('a server closing stops its run, which then shows as failed: start it again', async () => {
    const other = await anotherInstance(t);
    const release = llm.hold();
    const r = await post({ estimator: 'llm', provider: 'openai-compatible', model: 'interrupted-model' }, author, other.app);
    expect(r.statusCode).toBe(202);
    await expect.poll(async () => (await get(`/api/relations/${fw}/runs/${r.json().id}`)).json().status).toBe('running');
    await other.close();
    release();
    const run = (await get(`/api/relations/${fw}/runs/${r.json().id}`)).json();
    expect(run).toMatchObject({ status: 'failed', error: 'Interrupted by a restart of the server; start it again' });
  });

  it('a run left running by a killed server is failed when a server starts (its heartbeat stopped)', async () => {
    const r = await post({ estimator: 'offline' });
    const id = r.json().id;
    expect((await finish(id)).last.status).toBe('done');
    // As if the process died mid-run a minute ago: the row still says running, and nothing beats for it.
    await sql`update estimation_run set status = 'running', finished_at = null, heartbeat_at = now() - interval '1 minute' where id = ${id}`.execute(t.store.db);
    const restarted = await anotherInstance(t);
    try {
      // Failed at start, before anyone reads it.
      expect(await getRun(t.store.db, id)).toMatchObject({ status: 'failed', error: 'Interrupted by a restart of the server; start it again' });
    } finally {
      await restarted.close();
    }
  });

  describe('LLM runs that survive their provider (OpenAI-compatible server)', () => {
    const isGeometry = (body: any) => /^Block: Geometry$/m.test(promptOf(body));

    it('a block answered with bad JSON is retried, then skipped and named; the run completes with it skipped; every paid answer counted', async () => {
      answer = (body) => (isGeometry(body) ? { raw: 'not json at all' } : undefined) ?? { relations: [{ origin: 'I1', destination: 'I2', type: 'precedes', confidence: 0.9, rationale: 'I1 comes first' }] };
      try {
        const before = llm.requests.length;
        const r = await post({ estimator: 'llm', provider: 'openai-compatible', model: 'bad-json-model', language: 'en' });
        expect(r.statusCode).toBe(202);
        const { last } = await finish(r.json().id);
        expect(last).toMatchObject({ status: 'done', error: null, skippedBlocks: 1, requests: blocks + 1, inputTokens: 100 * (blocks + 1), outputTokens: 20 * (blocks + 1), progress: { done: blocks, total: blocks } });
        expect(llm.requests.length - before).toBe(blocks + 1);
        const skipped = last.blocks.filter((b: { status: string }) => b.status === 'skipped');
        expect(skipped).toEqual([expect.objectContaining({ label: 'Geometry', attempts: 2, requests: 2, reason: expect.stringMatching(/^the answer was not the JSON asked for .*; skipped after 2 attempts$/) })]);
        expect(last.blocks).toHaveLength(blocks);
        expect(last.suggestions).toBeGreaterThan(0);
        // Rationales name the items by code and text.
        const queue = (await get(`/api/relations/${fw}/suggestions?estimator=llm&limit=1000`)).json();
        const mine = queue.suggestions.filter((x: { runId: string }) => x.runId === last.id);
        expect(mine).toHaveLength(last.suggestions);
        for (const q of mine) {
          expect(q.rationale).toContain(`${q.origin.code} "`);
          expect(q.rationale).not.toMatch(/\bI\d+\b/);
        }
      } finally {
        answer = undefined;
      }
    });

    it('a refused key after two good blocks fails the run; its requests, tokens and suggestions are kept and shown; a rerun asks only the rest', async () => {
      let calls = 0;
      answer = () => (calls++ < 2 ? undefined : { status: 401 }) ?? { relations: [{ origin: 'I1', destination: 'I2', type: 'precedes', confidence: 0.9, rationale: 'I1 comes first' }] };
      try {
        const r = await post({ estimator: 'llm', provider: 'openai-compatible', model: 'refusing-model' });
        const { last } = await finish(r.json().id);
        expect(last).toMatchObject({ status: 'failed', requests: 2, inputTokens: 200, outputTokens: 40, skippedBlocks: 0 });
        expect(last.suggestions).toBeGreaterThan(0);
        expect(last.error).toMatch(/HTTP 401.* \(\d+ new suggestions? from the 2 blocks answered kept\)$/);
        expect(last.blocks.map((b: { status: string }) => b.status)).toEqual(['ok', 'ok']);
        const queue = (await get(`/api/relations/${fw}/suggestions?limit=1000`)).json();
        expect(queue.suggestions.filter((x: { runId: string }) => x.runId === last.id)).toHaveLength(last.suggestions);
        // Answered blocks come from the cache: a rerun pays for the others only.
        answer = undefined;
        const again = (await finish((await post({ estimator: 'llm', provider: 'openai-compatible', model: 'refusing-model' })).json().id)).last;
        expect(again).toMatchObject({ status: 'done', requests: blocks - 2, cachedRequests: 2 });
      } finally {
        answer = undefined;
      }
    });

    it('a hung server: each request times out (timeoutSeconds), its block is skipped, and the run completes', async () => {
      answer = (body) => (isGeometry(body) ? { hang: true } : undefined) ?? { relations: [] };
      try {
        const r = await post({ estimator: 'llm', provider: 'openai-compatible', model: 'hung-model', timeoutSeconds: 1 });
        const { last } = await finish(r.json().id);
        expect(last).toMatchObject({ status: 'done', skippedBlocks: 1, requests: blocks - 1 });
        expect(last.params).toMatchObject({ timeoutSeconds: 1 });
        expect(last.blocks.find((b: { status: string }) => b.status === 'skipped')).toMatchObject({ label: 'Geometry', reason: 'no answer within 1 s; skipped after 2 attempts', requests: 0 });
      } finally {
        answer = undefined;
      }
    });

    it('cancel: authors of the framework stop a running run (its request aborted); it shows as cancelled with what it did; audited; a second cancel is 409', async () => {
      const release = llm.hold();
      try {
        const r = await post({ estimator: 'llm', provider: 'openai-compatible', model: 'cancelled-model' });
        const id = r.json().id;
        await expect.poll(async () => (await get(`/api/relations/${fw}/runs/${id}`)).json().status).toBe('running');
        const cancel = (headers: Headers, runId = id) => t.app.inject({ method: 'POST', url: `/api/relations/${fw}/runs/${runId}/cancel`, headers });
        expect((await cancel({})).statusCode).toBe(401);
        expect((await cancel(reviewer)).statusCode).toBe(403);
        expect((await cancel(author, 'no-such-run')).statusCode).toBe(404);
        const c = await cancel(author);
        expect(c.statusCode).toBe(202);
        expect(c.json()).toMatchObject({ id, cancelRequested: true });
        const { last } = await finish(id);
        expect(last).toMatchObject({ status: 'cancelled', cancelledBy: expect.stringMatching(/^user:/), requests: 0 });
        expect(last.error).toMatch(/^Cancelled by user:/);
        const again = await cancel(author);
        expect(again.statusCode).toBe(409);
        expect(again.json().error.message).toContain('cancelled');
        expect((await auditEntries(t.store.db, 'estimation_run', id)).map((e) => e.action)).toEqual(['relation.run', 'relation.run.cancel']);
        // The framework is free again.
        const next = await post({ estimator: 'offline' });
        expect(next.statusCode).toBe(202);
        release();
        expect((await finish(next.json().id)).last.status).toBe('done');
      } finally {
        release();
      }
    });
  });
});
