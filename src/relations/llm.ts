import { createHash } from 'node:crypto';
import { APICallError, generateText, NoObjectGeneratedError, Output } from 'ai';
import { z } from 'zod';
import type { LlmSettings } from '../config.js';
import type { Db } from '../store/db.js';
import { cachedResponse, cacheResponse } from '../store/relations.js';
import { ShirubeError } from '../errors.js';
import { pairKey, splitBlocks, type Block, type CandidateSpace } from './candidates.js';
import type { BlockOutcome, EstimateContext, EstimateResult, Estimator } from './estimator.js';
import { EstimateStopped, noUsage, type Usage } from './estimator.js';
import type { Proposal, RelationFramework, RelationItem } from './model.js';
import { blockPrompt, PROMPT_VERSION, rationaleForReviewer, type ReviewLanguage } from './prompts/index.js';
import { costUsd, languageModel, maxOutputTokens, type LlmProvider } from './providers.js';

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
  /** Keys and endpoints, from loadConfig (docs/config.md); its request timeout unless `timeoutMs` is given. */
  llm: LlmSettings;
  /** The response cache lives in the database. */
  db: Db;
  /** Retries after a 429, a 5xx or no connection (default 4), waiting retry-after or baseDelayMs × 2^n (default 1000). */
  maxRetries?: number | undefined;
  baseDelayMs?: number | undefined;
  temperature?: number | undefined;
  /** One request's time limit (default: the configuration's, 120 s). */
  timeoutMs?: number | undefined;
  /** Retries of a block whose answer was unusable (not the JSON asked for, cut off) or timed out (default 1). */
  answerRetries?: number | undefined;
  /** The longest answer asked for, in tokens (default: the model's, at most 8,192; providers.ts). */
  maxOutputTokens?: number | undefined;
  /** The reviewers' language, for rationales (default: the framework's). */
  language?: ReviewLanguage | undefined;
  /** After this many blocks in a row got no usable answer the run stops, keeping what it has (default 3). */
  maxConsecutiveSkips?: number | undefined;
}

/**
 * What an answer costs in output tokens, to cut blocks to the output limit: one relation as JSON with a short
 * rationale (Japanese text takes more tokens), and about 1.5 relations per item asked about. An estimate on the safe
 * side, not a count.
 */
const TOKENS_PER_RELATION: Record<ReviewLanguage, number> = { ja: 110, en: 80 };
const RELATIONS_PER_ITEM = 1.5;
const ANSWER_OVERHEAD = 256;

/** How many relations an answer of `maxOutput` tokens holds, and how many items a block may have so that it fits. */
export function answerBudget(maxOutput: number, language: ReviewLanguage): { maxRelations: number; maxItems: number } {
  const maxRelations = Math.max(1, Math.floor((maxOutput - ANSWER_OVERHEAD) / TOKENS_PER_RELATION[language]));
  return { maxRelations, maxItems: Math.max(2, Math.floor(maxRelations / RELATIONS_PER_ITEM)) };
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => {
    clearTimeout(t);
    reject(signal.reason);
  }, { once: true });
});

/** Seconds or an HTTP date, as in Retry-After; at most a minute. */
function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  const v = headers?.['retry-after'] ?? headers?.['Retry-After'];
  if (!v) return undefined;
  const s = Number(v);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(v) - Date.now();
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 60_000) : undefined;
}

/**
 * One request's result. `unusable`: an answer came (and is paid for) but cannot be used, or none came in time;
 * retried `answerRetries` times. `unavailable`: 429, 5xx or no connection; retried `maxRetries` times with back-off.
 * `refused`: the provider refuses this request (another 4xx, e.g. too long a prompt); skipped at once. `fatal`: no
 * request can succeed (401, 403, 404: key, rights, model); the run stops.
 */
type Attempt =
  | { ok: true; answer: Answer; inputTokens: number; outputTokens: number }
  | { ok: false; kind: 'unusable' | 'unavailable' | 'refused' | 'fatal'; reason: string; paid: boolean; inputTokens: number; outputTokens: number; waitMs?: number | undefined };

/**
 * The LLM estimator: one request per hierarchy block (never per pair; blocks too large for the model's output limit
 * are split), structured output checked against relationsSchema, answers cached by hash(provider, model, prompt) so
 * that a rerun costs nothing. A block whose answer is unusable or that gets none is retried, then skipped with its
 * reason, and the run goes on; every answer paid for is counted. Rationales name items by code and text.
 */
export function llmEstimator(opts: LlmOptions): Estimator {
  const maxRetries = opts.maxRetries ?? 4;
  const baseDelayMs = opts.baseDelayMs ?? 1000;
  const temperature = opts.temperature ?? 0;
  const timeoutMs = opts.timeoutMs ?? opts.llm.requestTimeoutMs;
  const answerRetries = opts.answerRetries ?? 1;
  const maxOutput = opts.maxOutputTokens ?? maxOutputTokens(opts.model);
  const maxConsecutiveSkips = opts.maxConsecutiveSkips ?? 3;
  const model = languageModel(opts.provider, opts.model, opts.llm);
  const who = `${opts.provider} ${opts.model}`;

  async function call(system: string, prompt: string, signal: AbortSignal | undefined): Promise<Attempt> {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const r = await generateText({
        model, system, prompt, temperature, maxOutputTokens: maxOutput, maxRetries: 0, abortSignal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        output: Output.object({ schema: relationsSchema }),
      });
      return { ok: true, answer: r.output, inputTokens: r.usage.inputTokens ?? 0, outputTokens: r.usage.outputTokens ?? 0 };
    } catch (e) {
      // Stopped by the caller (a cancel, a server closing): not the provider's failure.
      if (signal?.aborted) throw signal.reason;
      const none = { paid: false, inputTokens: 0, outputTokens: 0 };
      if (timeout.aborted) return { ok: false, kind: 'unusable', reason: `no answer within ${timeoutMs / 1000} s`, ...none };
      if (NoObjectGeneratedError.isInstance(e)) {
        const paid = { paid: true, inputTokens: e.usage?.inputTokens ?? 0, outputTokens: e.usage?.outputTokens ?? 0 };
        const reason = e.finishReason === 'length' ? `the answer was cut off at the output limit (${maxOutput} tokens)` : `the answer was not the JSON asked for (${e.message.slice(0, 120)})`;
        return { ok: false, kind: 'unusable', reason, ...paid };
      }
      if (APICallError.isInstance(e)) {
        // The message names the provider's status, never the key or the prompt.
        const status = e.statusCode;
        const reason = `the request failed (HTTP ${status ?? 'no answer'}): ${e.message.slice(0, 200)}`;
        if (status === undefined || status === 429 || status >= 500) return { ok: false, kind: 'unavailable', reason, waitMs: retryAfterMs(e.responseHeaders), ...none };
        if (status === 401 || status === 403 || status === 404) return { ok: false, kind: 'fatal', reason, ...none };
        if (status < 300) return { ok: false, kind: 'unusable', reason: `the answer could not be read (${e.message.slice(0, 120)})`, ...none, paid: true };
        return { ok: false, kind: 'refused', reason, ...none };
      }
      return { ok: false, kind: 'unusable', reason: `the answer could not be read (${(e as Error).message.slice(0, 120)})`, ...none };
    }
  }

  /** Asks one block until it has an answer or is given up; adds what each answer cost to `usage`. */
  async function askBlock(block: Block, position: number, system: string, prompt: string, usage: Usage, signal: AbortSignal | undefined): Promise<{ outcome: BlockOutcome; answer?: Answer }> {
    const outcome: BlockOutcome = {
      position, key: block.key, label: block.label, items: block.items.length, pairs: block.pairs.length, status: 'ok', cached: false, attempts: 0,
      reason: null, proposals: 0, requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0,
    };
    const key = createHash('sha256').update(JSON.stringify([opts.provider, opts.model, temperature, PROMPT_VERSION, system, prompt])).digest('hex');
    const hit = await cachedResponse(opts.db, key);
    const parsed = hit && relationsSchema.safeParse(hit.response);
    if (parsed?.success) {
      usage.cachedRequests++;
      return { outcome: { ...outcome, cached: true }, answer: parsed.data };
    }
    let unusable = 0;
    let unavailable = 0;
    for (;;) {
      signal?.throwIfAborted();
      outcome.attempts++;
      const a = await call(system, prompt, signal);
      if (a.ok || a.paid) {
        const cost = costUsd(opts.model, a.inputTokens, a.outputTokens);
        for (const u of [usage, outcome]) {
          u.requests++;
          u.inputTokens += a.inputTokens;
          u.outputTokens += a.outputTokens;
          u.costUsd += cost;
        }
      }
      if (a.ok) {
        await cacheResponse(opts.db, { key, provider: opts.provider, model: opts.model, response: a.answer, inputTokens: a.inputTokens, outputTokens: a.outputTokens });
        return { outcome: { ...outcome, status: outcome.attempts > 1 ? 'retried' : 'ok' }, answer: a.answer };
      }
      outcome.reason = a.reason;
      if (a.kind === 'fatal') throw new ShirubeError('bad_gateway', `${who}: ${a.reason}`);
      const again = a.kind === 'unusable' ? unusable++ < answerRetries : a.kind === 'unavailable' ? unavailable++ < maxRetries : false;
      if (!again) return { outcome: { ...outcome, status: 'skipped', reason: `${a.reason}; skipped after ${outcome.attempts} attempt${outcome.attempts > 1 ? 's' : ''}` } };
      if (a.kind === 'unavailable') await sleep(a.waitMs ?? baseDelayMs * 2 ** (unavailable - 1) * (1 + Math.random() * 0.2), signal);
    }
  }

  return {
    name: 'llm',
    model: `${opts.provider}:${opts.model}`,
    promptVersion: PROMPT_VERSION,
    params: {
      provider: opts.provider, model: opts.model, temperature, promptVersion: PROMPT_VERSION, maxOutputTokens: maxOutput, timeoutSeconds: timeoutMs / 1000,
      ...(opts.language ? { language: opts.language } : {}),
    },
    async estimate(fw: RelationFramework, space: CandidateSpace, ctx: EstimateContext = {}): Promise<EstimateResult> {
      const language = opts.language ?? fw.language;
      const { maxRelations, maxItems } = answerBudget(maxOutput, language);
      const blocks = splitBlocks(space.blocks, maxItems);
      const items = new Map<string, RelationItem>(fw.items.map((i) => [i.identifier, i]));
      const usage = noUsage();
      const best = new Map<string, Proposal>();
      const outcomes: BlockOutcome[] = [];
      const answered = new Set<string>();
      const sofar = () => ({ proposals: [...best.values()], usage: { ...usage }, blocks: outcomes, answered });
      let skippedInARow = 0;
      ctx.onProgress?.(0, blocks.length);
      try {
        for (const [n, block] of blocks.entries()) {
          ctx.signal?.throwIfAborted();
          const { system, prompt, labels } = blockPrompt(fw, block, { language, maxRelations });
          const { outcome, answer } = await askBlock(block, n, system, prompt, usage, ctx.signal);
          if (answer) {
            const allowed = new Set(block.pairs.map(([o, d]) => pairKey(o, d)));
            for (const k of allowed) answered.add(k);
            for (const r of answer.relations) {
              const o = labels.get(r.origin.trim());
              const d = labels.get(r.destination.trim());
              // Only pairs of this block's candidate space count (isRelatedTo in either order).
              if (!o || !d || !(allowed.has(pairKey(o, d)) || (r.type === 'isRelatedTo' && allowed.has(pairKey(d, o))))) continue;
              outcome.proposals++;
              const k = `${r.type}\t${r.type === 'isRelatedTo' && d < o ? `${d}\t${o}` : `${o}\t${d}`}`;
              if ((best.get(k)?.confidence ?? -1) < r.confidence) {
                best.set(k, { origin: o, destination: d, type: r.type, confidence: r.confidence, rationale: rationaleForReviewer(r.rationale, labels, items, language) });
              }
            }
          }
          outcomes.push(outcome);
          skippedInARow = outcome.status === 'skipped' ? skippedInARow + 1 : 0;
          const skipped = outcomes.filter((o) => o.status === 'skipped').length;
          await ctx.onBlock?.(outcome, { proposals: best.size, usage: { ...usage }, skipped });
          ctx.onProgress?.(n + 1, blocks.length, { proposals: best.size, usage: { ...usage } });
          if (skippedInARow >= maxConsecutiveSkips && n + 1 < blocks.length) {
            throw new ShirubeError('bad_gateway', `${who}: ${skippedInARow} blocks in a row got no usable answer (the last: ${outcome.reason}); the run stopped with what ${n + 1 - skipped} answered blocks gave. Start it again later: answered blocks come from the cache at no cost`);
          }
        }
      } catch (e) {
        throw new EstimateStopped(e, sofar());
      }
      return sofar();
    },
  };
}
