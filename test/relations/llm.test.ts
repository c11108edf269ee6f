import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore } from '../helper.js';
import type { Store } from '../../src/store/db.js';
import { candidateSpace } from '../../src/relations/candidates.js';
import { combineFrameworks, crossCandidateSpace } from '../../src/relations/cross.js';
import { blockPrompt } from '../../src/relations/prompts/index.js';
import { buildCourseOfStudyPackages, parseCodeTable } from '../../src/case/import/cscode.js';
import { relationFramework } from '../../src/relations/framework.js';
import { llmEstimator } from '../../src/relations/llm.js';
import type { LlmProvider } from '../../src/relations/providers.js';
import { loadConfig, type LlmSettings } from '../../src/config.js';
import { fakeLlm, smallPackage, type FakeLlm } from './fixtures.js';

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

  it('gives up after maxRetries with a bad_gateway error that does not contain the key', async () => {
    const e = llmEstimator({ provider: 'openai-chat', model: 'always-failing', llm: envFor(llm.url)['openai-chat'], db: store.db, baseDelayMs: 1, maxRetries: 1 });
    llm.failNext(500, 5);
    const err = await e.estimate(fw, candidateSpace(fw, { modes: ['domain'] })).catch((x: Error) => x);
    llm.failNext(0, 0);
    expect(err).toMatchObject({ code: 'bad_gateway' });
    expect((err as Error).message).toContain('HTTP 500');
    expect((err as Error).message).not.toContain(KEY);
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
