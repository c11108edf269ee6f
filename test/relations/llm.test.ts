import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore } from '../helper.js';
import type { Store } from '../../src/store/db.js';
import { candidateSpace } from '../../src/relations/candidates.js';
import { combineFrameworks, crossCandidateSpace } from '../../src/relations/cross.js';
import { blockPrompt } from '../../src/relations/prompts/index.js';
import { buildCourseOfStudyPackages, parseCodeTable } from '../../src/case/import/cscode.js';
import { relationFramework } from '../../src/relations/framework.js';
import { answerBudget, llmEstimator } from '../../src/relations/llm.js';
import { EstimateStopped } from '../../src/relations/estimator.js';
import { splitBlocks } from '../../src/relations/candidates.js';
import type { LlmProvider } from '../../src/relations/providers.js';
import { loadConfig, type LlmSettings } from '../../src/config.js';
import { fakeLlm, promptOf, smallPackage, type FakeLlm, type FakeReply } from './fixtures.js';

let store: Store;
let llm: FakeLlm;
beforeAll(async () => {
  store = await freshStore();
  llm = await fakeLlm();
});
afterAll(async () => {
  await llm.close();
  await store.close();
});

const KEY = 'sk-test-secret-key';
// Keys and endpoints reach the estimator only through loadConfig, as in the server and the CLI.
const envFor = (url: string): Record<LlmProvider, LlmSettings> => ({
  openai: loadConfig({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${url}/v1` }).llm,
  'openai-chat': loadConfig({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${url}/v1` }).llm,
  anthropic: loadConfig({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: `${url}/v1` }).llm,
  google: loadConfig({ GOOGLE_GENERATIVE_AI_API_KEY: KEY, GOOGLE_GENERATIVE_AI_BASE_URL: `${url}/v1beta` }).llm,
  'openai-compatible': loadConfig({ SHIRUBE_LLM_BASE_URL: `${url}/v1` }).llm,
});
const paths: Record<LlmProvider, RegExp> = {
  openai: /^\/v1\/responses$/,
  'openai-chat': /^\/v1\/chat\/completions$/,
  anthropic: /^\/v1\/messages$/,
  google: /^\/v1beta\/models\/gemini-2\.0-flash:generateContent$/,
  'openai-compatible': /^\/v1\/chat\/completions$/,
};
const models: Record<LlmProvider, string> = { openai: 'gpt-4o-mini', 'openai-chat': 'gpt-4o-mini', anthropic: 'claude-3-5-haiku-latest', google: 'gemini-2.0-flash', 'openai-compatible': 'llama3' };

describe('LLM estimator over each provider protocol', () => {
  const fw = relationFramework(smallPackage());
  const space = candidateSpace(fw);

  it('asks once per hierarchy block, not per pair', () => {
    expect(space.blocks.length).toBeGreaterThan(1);
    expect(space.pairs.size).toBeGreaterThan(space.blocks.length * 3);
  });

  for (const provider of Object.keys(paths) as LlmProvider[]) {
    it(`${provider}: one call per block, structured output used, cached rerun makes no call`, async () => {
      const start = llm.requests.length;
      const progress: Array<[number, number]> = [];
      const e = llmEstimator({ provider, model: models[provider], llm: envFor(llm.url)[provider], db: store.db, baseDelayMs: 1 });
      const first = await e.estimate(fw, space, { onProgress: (d, t) => progress.push([d, t]) });
      const calls = llm.requests.slice(start);
      expect(calls).toHaveLength(space.blocks.length);
      for (const c of calls) expect(c.path).toMatch(paths[provider]);
      expect(first.usage).toMatchObject({ requests: space.blocks.length, cachedRequests: 0, inputTokens: 100 * space.blocks.length, outputTokens: 20 * space.blocks.length });
      expect(progress.at(-1)).toEqual([space.blocks.length, space.blocks.length]);
      // The fake proposes I1 precedes I2 in every block; only pairs in the block's candidate space are kept.
      expect(first.proposals.length).toBeGreaterThan(0);
      for (const p of first.proposals) expect(space.pairs.has(`${p.origin}\t${p.destination}`)).toBe(true);
      // The prompt is English for an English framework and carries the definitions.
      expect(JSON.stringify(calls[0]!.body)).toContain('precedes: the origin must be learned before the destination');
      // The key went in a header, nowhere in a body.
      expect(calls.every((c) => !JSON.stringify(c.body).includes(KEY))).toBe(true);

      const again = await e.estimate(fw, space);
      expect(llm.requests.length - start).toBe(space.blocks.length);
      expect(again.usage).toMatchObject({ requests: 0, cachedRequests: space.blocks.length, inputTokens: 0, costUsd: 0 });
      expect(again.proposals).toEqual(first.proposals);
    });
  }

  it('the number of calls follows blocks: a framework twice as large per block costs the same number of calls', async () => {
    const wide = candidateSpace(fw, { modes: ['domain'] });
    const e = llmEstimator({ provider: 'openai-chat', model: 'gpt-4o-mini', llm: envFor(llm.url)['openai-chat'], db: store.db, temperature: 0.5 });
    const start = llm.requests.length;
    await e.estimate(fw, wide);
    expect(llm.requests.length - start).toBe(wide.blocks.length);
    expect(wide.blocks.length).toBe(2);
  });

  it('retries 429 and 5xx with back-off, then succeeds', async () => {
    const e = llmEstimator({ provider: 'openai-compatible', model: 'retry-model', llm: envFor(llm.url)['openai-compatible'], db: store.db, baseDelayMs: 1 });
    const one = candidateSpace(fw, { modes: ['domain'] });
    llm.failNext(429, 2);
    const start = llm.requests.length;
    const r = await e.estimate(fw, { ...one, blocks: one.blocks.slice(0, 1) });
    expect(llm.requests.length - start).toBe(3);
    expect(r.usage.requests).toBe(1);
    llm.failNext(503, 1);
    const r2 = await llmEstimator({ provider: 'openai-compatible', model: 'retry-model-2', llm: envFor(llm.url)['openai-compatible'], db: store.db, baseDelayMs: 1 }).estimate(fw, { ...one, blocks: one.blocks.slice(0, 1) });
    expect(r2.usage.requests).toBe(1);
  });

  it('a provider that keeps failing (500): each block is retried, then skipped; after 3 in a row the run stops, without the key in any message', async () => {
    const e = llmEstimator({ provider: 'openai-chat', model: 'always-failing', llm: envFor(llm.url)['openai-chat'], db: store.db, baseDelayMs: 1, maxRetries: 1 });
    llm.failNext(500, 100);
    const err = await e.estimate(fw, space).catch((x: unknown) => x);
    llm.failNext(0, 0);
    expect(err).toBeInstanceOf(EstimateStopped);
    const stopped = err as EstimateStopped;
    expect(stopped.cause).toMatchObject({ code: 'bad_gateway' });
    expect(stopped.message).toMatch(/3 blocks in a row got no usable answer \(the last: the request failed \(HTTP 500\)/);
    expect(stopped.message).not.toContain(KEY);
    expect(stopped.partial.blocks!.map((b) => [b.status, b.attempts])).toEqual([['skipped', 2], ['skipped', 2], ['skipped', 2]]);
    // Failed HTTP calls are not paid answers.
    expect(stopped.partial.usage).toMatchObject({ requests: 0, inputTokens: 0 });
  });

  it('a missing key is an input error naming the variable', () => {
    expect(() => llmEstimator({ provider: 'anthropic', model: 'x', llm: loadConfig({}).llm, db: store.db })).toThrow(/ANTHROPIC_API_KEY is not set on the server/);
  });
});

describe('LLM estimator across two frameworks (算数 → 理科, shipped assets)', () => {
  const shipped = (file: string) => relationFramework(buildCourseOfStudyPackages(parseCodeTable(readFileSync(new URL(`../../assets/frameworks/${file}`, import.meta.url))), {})[0]!);
  const [sansu, rika] = [shipped('elementary-math-2017.csv'), shipped('elementary-science-2017.csv')];
  const fw = combineFrameworks(sansu, rika);
  const space = crossCandidateSpace(fw, sansu.identifier, rika.identifier);
  const subjectOfId = new Map(fw.items.map((i) => [i.identifier, i.subject]));

  it('one call per grade × domain-pair block, each prompt about both subjects; answers within one subject are dropped', async () => {
    // This model answers "I1 precedes I2" and "I1 precedes the last item": items are listed by grade, 算数 first in a
    // grade, so the first is within one subject and the second crosses them (算数 → 理科, or 理科 → 算数 a grade up).
    const model = await fakeLlm((body: { messages: Array<{ content: string }> }) => {
      const last = [...body.messages.at(-1)!.content.matchAll(/^(I\d+) /gm)].at(-1)![1];
      return { relations: [{ origin: 'I1', destination: 'I2', type: 'precedes', confidence: 0.9, rationale: '同じ教科' }, { origin: 'I1', destination: last, type: 'precedes', confidence: 0.8, rationale: '教科をまたぐ' }] };
    });
    try {
      const e = llmEstimator({ provider: 'openai-chat', model: 'gpt-4o-mini', llm: envFor(model.url)['openai-chat'], db: store.db, baseDelayMs: 1 });
      const r = await e.estimate(fw, space);
      expect(model.requests).toHaveLength(space.blocks.length);
      for (const c of model.requests) {
        const [system, user] = c.body.messages.map((m: { content: string }) => m.content);
        expect(system).toContain('2つの教科');
        expect(user).toMatch(/\[算数 \/ 第\d学年/);
        expect(user).toMatch(/\[理科 \/ 第\d学年/);
      }
      // Kept: exactly the answered pairs in their block's (cross) candidate space.
      const expected = new Set<string>();
      for (const b of space.blocks) {
        const { labels } = blockPrompt(fw, b);
        for (const d of [labels.get('I2')!, labels.get(`I${labels.size}`)!]) if (b.pairs.some(([x, y]) => x === labels.get('I1') && y === d)) expected.add(`${labels.get('I1')}\t${d}`);
      }
      expect(expected.size).toBeGreaterThan(0);
      expect(new Set(r.proposals.map((p) => `${p.origin}\t${p.destination}`))).toEqual(expected);
      for (const p of r.proposals) expect(subjectOfId.get(p.origin)).not.toBe(subjectOfId.get(p.destination));
      expect(r.proposals.every((p) => p.rationale === '教科をまたぐ')).toBe(true);
    } finally {
      await model.close();
    }
  });
});

describe('LLM runs survive their providers (each protocol: OpenAI Responses and chat, Anthropic Messages, Google generateContent, OpenAI-compatible)', () => {
  const fw = relationFramework(smallPackage());
  const space = candidateSpace(fw);
  const geometry = space.blocks.findIndex((b) => b.label === 'Geometry');
  const good = { relations: [{ origin: 'I1', destination: 'I2', type: 'precedes', confidence: 0.9, rationale: 'I1 comes before I2' }] };
  /** A model that answers `bad` for the Geometry domain block (its first `times` requests), and well otherwise. */
  async function modelFailingGeometry(bad: FakeReply, times = Infinity) {
    let n = 0;
    return fakeLlm((body) => (/^Block: Geometry$/m.test(promptOf(body)) && n++ < times ? bad : good));
  }

  it('the fixture finds the block', () => expect(geometry).toBeGreaterThanOrEqual(0));

  for (const provider of Object.keys(paths) as LlmProvider[]) {
    it(`${provider}: an answer that is not JSON is retried, then its block is skipped and named; the rest of the run completes; both paid answers counted`, async () => {
      const model = await modelFailingGeometry({ raw: 'Sure! Here are the relations: I1 → I2' });
      try {
        const blocks: string[] = [];
        const e = llmEstimator({ provider, model: `${models[provider]}-badjson`, llm: envFor(model.url)[provider], db: store.db, baseDelayMs: 1 });
        const r = await e.estimate(fw, space, { onBlock: async (o) => void blocks.push(`${o.label}:${o.status}`) });
        expect(model.requests).toHaveLength(space.blocks.length + 1);
        const skipped = r.blocks!.filter((b) => b.status === 'skipped');
        expect(skipped).toHaveLength(1);
        expect(skipped[0]).toMatchObject({ label: 'Geometry', attempts: 2, requests: 2, inputTokens: 200, outputTokens: 40, proposals: 0 });
        expect(skipped[0]!.reason).toMatch(/^the answer was not the JSON asked for .*; skipped after 2 attempts$/);
        expect(r.blocks!.filter((b) => b.status === 'ok')).toHaveLength(space.blocks.length - 1);
        // Reported as each block finished, in order.
        expect(blocks).toEqual(space.blocks.map((b) => `${b.label}:${b.label === 'Geometry' ? 'skipped' : 'ok'}`));
        expect(r.usage).toMatchObject({ requests: space.blocks.length + 1, inputTokens: 100 * (space.blocks.length + 1), outputTokens: 20 * (space.blocks.length + 1) });
        expect(r.proposals.length).toBeGreaterThan(0);
        // The skipped block's pairs were not answered.
        const geometryPairs = space.blocks[geometry]!.pairs.map(([o, d]) => `${o}\t${d}`);
        expect(geometryPairs.some((k) => r.answered!.has(k))).toBe(false);
        expect(r.answered!.size).toBe(space.pairs.size - geometryPairs.length);
      } finally {
        await model.close();
      }
    });

    it(`${provider}: an answer cut off at the output limit is retried; the block says so; a hung request times out and is skipped`, async () => {
      const cut = await modelFailingGeometry({ raw: '{"relations":[{"origin":"I1","destination":"I2","type":"prec', truncated: true }, 1);
      try {
        const r = await llmEstimator({ provider, model: `${models[provider]}-cut`, llm: envFor(cut.url)[provider], db: store.db, baseDelayMs: 1 }).estimate(fw, space);
        const block = r.blocks![geometry]!;
        expect(block).toMatchObject({ status: 'retried', attempts: 2, requests: 2 });
        expect(block.reason).toMatch(/cut off at the output limit|not the JSON asked for/);
        expect(r.blocks!.every((b) => b.status !== 'skipped')).toBe(true);
      } finally {
        await cut.close();
      }
      const hung = await modelFailingGeometry({ hang: true });
      try {
        const r = await llmEstimator({ provider, model: `${models[provider]}-hung`, llm: envFor(hung.url)[provider], db: store.db, baseDelayMs: 1, timeoutMs: 300 }).estimate(fw, space);
        expect(r.blocks![geometry]).toMatchObject({ status: 'skipped', attempts: 2, requests: 0, reason: 'no answer within 0.3 s; skipped after 2 attempts' });
        expect(r.blocks!.filter((b) => b.status === 'ok')).toHaveLength(space.blocks.length - 1);
      } finally {
        await hung.close();
      }
    });
  }

  it('a refused key (401) stops the run at once: nothing retried, the message names the status', async () => {
    const model = await fakeLlm(() => ({ status: 401 }));
    try {
      const err = await llmEstimator({ provider: 'anthropic', model: 'claude-3-5-haiku-refused', llm: envFor(model.url).anthropic, db: store.db, baseDelayMs: 1 }).estimate(fw, space).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(EstimateStopped);
      expect((err as Error).message).toContain('HTTP 401');
      expect(model.requests).toHaveLength(1);
      expect((err as EstimateStopped).partial.proposals).toEqual([]);
    } finally {
      await model.close();
    }
  });

  it('a caller abort (cancel) stops the request in flight and keeps the blocks answered', async () => {
    let n = 0;
    const model = await fakeLlm(() => (n++ < 2 ? good : { hang: true }));
    try {
      const controller = new AbortController();
      const e = llmEstimator({ provider: 'google', model: 'gemini-2.0-flash-abort', llm: envFor(model.url).google, db: store.db });
      const run = e.estimate(fw, space, { signal: controller.signal, onBlock: async (o) => void (o.position === 1 && setTimeout(() => controller.abort(new Error('cancelled')), 50)) });
      const err = await run.catch((x: unknown) => x);
      expect(err).toBeInstanceOf(EstimateStopped);
      expect((err as EstimateStopped).cause).toMatchObject({ message: 'cancelled' });
      expect((err as EstimateStopped).partial.blocks).toHaveLength(2);
      expect((err as EstimateStopped).partial.usage.requests).toBe(2);
      expect((err as EstimateStopped).partial.proposals.length).toBeGreaterThan(0);
    } finally {
      await model.close();
    }
  });

  it("rationales come in the reviewer's language and name the items by code and text, not by the prompt's labels", async () => {
    const model = await fakeLlm(() => good);
    try {
      for (const language of ['en', 'ja'] as const) {
        const start = model.requests.length;
        const r = await llmEstimator({ provider: 'openai-chat', model: 'gpt-4o-mini-lang', llm: envFor(model.url)['openai-chat'], db: store.db, language }).estimate(fw, space);
        expect(promptOf(model.requests[start]!.body)).toContain(language === 'ja' ? 'Write each rationale in Japanese.' : 'Write each rationale in English.');
        const byId = new Map(fw.items.map((i) => [i.identifier, i]));
        for (const p of r.proposals) {
          const [o, d] = [byId.get(p.origin)!, byId.get(p.destination)!];
          const q = (i: typeof o) => (language === 'ja' ? `${i.code}「${i.text.length > 24 ? `${i.text.slice(0, 24)}…` : i.text}」` : `${i.code} "${i.text.length > 24 ? `${i.text.slice(0, 24)}…` : i.text}"`);
          expect(p.rationale).toBe(`${q(o)} comes before ${q(d)}`);
          expect(p.rationale).not.toMatch(/\bI\d\b/);
        }
      }
    } finally {
      await model.close();
    }
  });
});

describe('blocks cut to fit the output limit', () => {
  const sansu = relationFramework(buildCourseOfStudyPackages(parseCodeTable(readFileSync(new URL('../../assets/frameworks/elementary-math-2017.csv', import.meta.url))), {})[0]!);
  const space = candidateSpace(sansu);

  for (const maxOutput of [4096, 8192]) {
    it(`算数 at ${maxOutput} output tokens: every block fits, every pair is asked exactly once`, () => {
      const { maxItems, maxRelations } = answerBudget(maxOutput, 'ja');
      const blocks = splitBlocks(space.blocks, maxItems);
      expect(Math.max(...space.blocks.map((b) => b.items.length))).toBeGreaterThan(maxItems);
      expect(Math.max(...blocks.map((b) => b.items.length))).toBeLessThanOrEqual(maxItems);
      const asked = blocks.flatMap((b) => b.pairs.map(([o, d]) => `${b.key.split('#')[0]}\t${o}\t${d}`));
      expect(new Set(asked).size).toBe(asked.length);
      expect(asked.length).toBe(space.blocks.reduce((n, b) => n + b.pairs.length, 0));
      for (const b of blocks) {
        const ids = new Set(b.items.map((i) => i.identifier));
        for (const [o, d] of b.pairs) expect(ids.has(o) && ids.has(d)).toBe(true);
      }
      // The prompt says how many relations fit.
      expect(blockPrompt(sansu, blocks[0]!, { maxRelations }).prompt).toContain(`関係は多くても ${maxRelations} 件までにしてください。`);
      console.log(`算数 ${maxOutput}: ${space.blocks.length} blocks (largest ${Math.max(...space.blocks.map((b) => b.items.length))} items) → ${blocks.length} blocks of at most ${maxItems} items, ${maxRelations} relations`);
    });
  }
});
