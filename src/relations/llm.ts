import { createHash } from 'node:crypto';
import { APICallError, generateText, Output } from 'ai';
import { z } from 'zod';
import type { LlmSettings } from '../config.js';
import type { Db } from '../store/db.js';
import { cachedResponse, cacheResponse } from '../store/relations.js';
import { ShirubeError } from '../errors.js';
import { pairKey, type CandidateSpace } from './candidates.js';
import type { EstimateContext, EstimateResult, Estimator } from './estimator.js';
import { noUsage } from './estimator.js';
import type { Proposal, RelationFramework } from './model.js';
import { blockPrompt, PROMPT_VERSION } from './prompts/index.js';
import { costUsd, languageModel, type LlmProvider } from './providers.js';

/** What every model must answer, validated before use. */
export const relationsSchema = z.object({
  relations: z.array(z.object({
    origin: z.string(),
    destination: z.string(),
    type: z.enum(['precedes', 'isRelatedTo']),
    confidence: z.number().min(0).max(1),
    rationale: z.string(),
  })),
});
type Answer = z.infer<typeof relationsSchema>;

export interface LlmOptions {
  provider: LlmProvider;
  model: string;
  /** Keys and endpoints, from loadConfig (docs/config.md). */
  llm: LlmSettings;
  /** The response cache lives in the database. */
  db: Db;
  /** Retries after a 429 or 5xx (default 4), waiting retry-after or baseDelayMs × 2^n (default 1000). */
  maxRetries?: number | undefined;
  baseDelayMs?: number | undefined;
  temperature?: number | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds or an HTTP date, as in Retry-After; at most a minute. */
function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  const v = headers?.['retry-after'] ?? headers?.['Retry-After'];
  if (!v) return undefined;
  const s = Number(v);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(v) - Date.now();
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 60_000) : undefined;
}

/**
 * The LLM estimator: one request per hierarchy block (never per pair), structured output checked against
 * relationsSchema, answers cached by hash(provider, model, prompt) so that a rerun costs nothing.
 */
export function llmEstimator(opts: LlmOptions): Estimator {
  const maxRetries = opts.maxRetries ?? 4;
  const baseDelayMs = opts.baseDelayMs ?? 1000;
  const temperature = opts.temperature ?? 0;
  const model = languageModel(opts.provider, opts.model, opts.llm);

  async function ask(system: string, prompt: string, signal: AbortSignal | undefined): Promise<{ answer: Answer; inputTokens: number; outputTokens: number; cached: boolean }> {
    const key = createHash('sha256').update(JSON.stringify([opts.provider, opts.model, temperature, PROMPT_VERSION, system, prompt])).digest('hex');
    const hit = await cachedResponse(opts.db, key);
    if (hit) {
      const parsed = relationsSchema.safeParse(hit.response);
      if (parsed.success) return { answer: parsed.data, inputTokens: hit.inputTokens, outputTokens: hit.outputTokens, cached: true };
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await generateText({ model, system, prompt, temperature, maxOutputTokens: 4096, maxRetries: 0, abortSignal: signal, output: Output.object({ schema: relationsSchema }) });
        const answer = r.output;
        const inputTokens = r.usage.inputTokens ?? 0;
        const outputTokens = r.usage.outputTokens ?? 0;
        await cacheResponse(opts.db, { key, provider: opts.provider, model: opts.model, response: answer, inputTokens, outputTokens });
        return { answer, inputTokens, outputTokens, cached: false };
      } catch (e) {
        // Stopped by the caller (a server closing): not the provider's failure.
        if (signal?.aborted) throw signal.reason;
        const retryable = APICallError.isInstance(e) && (e.statusCode === 429 || (e.statusCode ?? 0) >= 500);
        if (!retryable || attempt >= maxRetries) {
          // The message names the provider's status, never the key or the prompt.
          const status = APICallError.isInstance(e) ? ` (HTTP ${e.statusCode ?? '?'})` : '';
          throw new ShirubeError('bad_gateway', `${opts.provider} ${opts.model}: the request failed${status}: ${(e as Error).message.slice(0, 200)}`);
        }
        const wait = retryAfterMs((e as APICallError).responseHeaders) ?? baseDelayMs * 2 ** attempt * (1 + Math.random() * 0.2);
        await sleep(wait);
      }
    }
  }

  return {
    name: 'llm',
    model: `${opts.provider}:${opts.model}`,
    promptVersion: PROMPT_VERSION,
    params: { provider: opts.provider, model: opts.model, temperature, promptVersion: PROMPT_VERSION },
    async estimate(fw: RelationFramework, space: CandidateSpace, ctx: EstimateContext = {}): Promise<EstimateResult> {
      const usage = noUsage();
      const best = new Map<string, Proposal>();
      ctx.onProgress?.(0, space.blocks.length);
      for (const [n, block] of space.blocks.entries()) {
        ctx.signal?.throwIfAborted();
        const { system, prompt, labels } = blockPrompt(fw, block);
        const allowed = new Set(block.pairs.map(([o, d]) => pairKey(o, d)));
        const { answer, inputTokens, outputTokens, cached } = await ask(system, prompt, ctx.signal);
        if (cached) usage.cachedRequests++;
        else {
          usage.requests++;
          usage.inputTokens += inputTokens;
          usage.outputTokens += outputTokens;
          usage.costUsd += costUsd(opts.model, inputTokens, outputTokens);
        }
        for (const r of answer.relations) {
          const o = labels.get(r.origin.trim());
          const d = labels.get(r.destination.trim());
          // Only pairs of this block's candidate space count (isRelatedTo in either order).
          if (!o || !d || !(allowed.has(pairKey(o, d)) || (r.type === 'isRelatedTo' && allowed.has(pairKey(d, o))))) continue;
          const k = `${r.type}\t${r.type === 'isRelatedTo' && d < o ? `${d}\t${o}` : `${o}\t${d}`}`;
          if ((best.get(k)?.confidence ?? -1) < r.confidence) best.set(k, { origin: o, destination: d, type: r.type, confidence: r.confidence, rationale: r.rationale });
        }
        ctx.onProgress?.(n + 1, space.blocks.length, { proposals: best.size, usage: { ...usage } });
      }
      return { proposals: [...best.values()], usage };
    },
  };
}
