import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { LlmSettings } from '../config.js';
import { ShirubeError } from '../errors.js';

export const llmProviders = ['openai', 'openai-chat', 'anthropic', 'google', 'openai-compatible'] as const;
export type LlmProvider = (typeof llmProviders)[number];

/** What configures each provider: its key, or for an OpenAI-compatible server its URL (docs/config.md). */
const required: Record<LlmProvider, { setting: Exclude<keyof LlmSettings, 'requestTimeoutMs'>; variable: string }> = {
  openai: { setting: 'openaiApiKey', variable: 'OPENAI_API_KEY' },
  'openai-chat': { setting: 'openaiApiKey', variable: 'OPENAI_API_KEY' },
  anthropic: { setting: 'anthropicApiKey', variable: 'ANTHROPIC_API_KEY' },
  google: { setting: 'googleApiKey', variable: 'GOOGLE_GENERATIVE_AI_API_KEY' },
  'openai-compatible': { setting: 'compatibleBaseUrl', variable: 'SHIRUBE_LLM_BASE_URL' },
};

/** Which providers are configured, and the variable each needs: what a UI may know, never a key. */
export function providerStatus(llm: LlmSettings): Array<{ provider: LlmProvider; configured: boolean; variable: string }> {
  return llmProviders.map((provider) => ({ provider, configured: llm[required[provider].setting] !== undefined, variable: required[provider].variable }));
}

function need(llm: LlmSettings, provider: LlmProvider): string {
  const { setting, variable } = required[provider];
  const v = llm[setting];
  if (!v) throw new ShirubeError('invalid_request', `${variable} is not set on the server: set it in the environment of \`shirube serve\` (or of the CLI) and start the run again (docs/config.md)`, 'provider');
  return v;
}

export function languageModel(provider: LlmProvider, model: string, llm: LlmSettings): LanguageModel {
  switch (provider) {
    case 'openai':
    case 'openai-chat': {
      const openai = createOpenAI({ apiKey: need(llm, provider), ...(llm.openaiBaseUrl ? { baseURL: llm.openaiBaseUrl } : {}) });
      return provider === 'openai' ? openai.responses(model) : openai.chat(model);
    }
    case 'anthropic':
      return createAnthropic({ apiKey: need(llm, provider), ...(llm.anthropicBaseUrl ? { baseURL: llm.anthropicBaseUrl } : {}) })(model);
    case 'google':
      return createGoogleGenerativeAI({ apiKey: need(llm, provider), ...(llm.googleBaseUrl ? { baseURL: llm.googleBaseUrl } : {}) })(model);
    case 'openai-compatible':
      return createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: need(llm, provider),
        ...(llm.compatibleApiKey ? { apiKey: llm.compatibleApiKey } : {}),
        supportsStructuredOutputs: true,
      })(model);
  }
}

/**
 * List prices in USD per million tokens (input, output), for the cost column only; check the provider's price page
 * before relying on them. A model not listed costs 0 (its tokens are still counted). Longest prefix wins.
 */
export const PRICES: Readonly<Record<string, readonly [number, number]>> = {
  'gpt-4o-mini': [0.15, 0.6],
  'gpt-4o': [2.5, 10],
  'gpt-4.1-nano': [0.1, 0.4],
  'gpt-4.1-mini': [0.4, 1.6],
  'gpt-4.1': [2, 8],
  'claude-3-5-haiku': [0.8, 4],
  'claude-haiku-4-5': [1, 5],
  'claude-sonnet-4': [3, 15],
  'gemini-2.0-flash': [0.1, 0.4],
  'gemini-2.5-flash': [0.3, 2.5],
  'gemini-2.5-pro': [1.25, 10],
};

/** The entry of a table keyed by model-name prefixes that fits a model: the longest prefix. */
function byPrefix<T>(table: Readonly<Record<string, T>>, model: string): T | undefined {
  const key = Object.keys(table).filter((k) => model.startsWith(k)).sort((a, b) => b.length - a.length)[0];
  return key === undefined ? undefined : table[key];
}

export function costUsd(model: string, inputTokens: number, outputTokens: number): number {
  const price = byPrefix(PRICES, model);
  if (!price) return 0;
  const [i, o] = price;
  return (inputTokens * i + outputTokens * o) / 1e6;
}

/**
 * The most output tokens each model may answer with (the providers' model pages); a model not listed gets 4,096.
 * Runs ask for at most 8,192 (a longer answer takes longer than a request should), unless told otherwise.
 */
export const MAX_OUTPUT_TOKENS: Readonly<Record<string, number>> = {
  'gpt-4o': 16_384,
  'gpt-4.1': 32_768,
  'claude-3-5-haiku': 8_192,
  'claude-haiku-4-5': 64_000,
  'claude-sonnet-4': 64_000,
  'gemini-2.0-flash': 8_192,
  'gemini-2.5': 65_536,
};

export const maxOutputTokens = (model: string): number => Math.min(8_192, byPrefix(MAX_OUTPUT_TOKENS, model) ?? 4_096);
