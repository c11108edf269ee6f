import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import { ShirubeError } from '../errors.js';

export const llmProviders = ['openai', 'openai-chat', 'anthropic', 'google', 'openai-compatible'] as const;
export type LlmProvider = (typeof llmProviders)[number];

/** Credentials and endpoints, only from these environment variables (see docs/relations.md). Never logged. */
export interface LlmEnvironment {
  OPENAI_API_KEY?: string | undefined;
  OPENAI_BASE_URL?: string | undefined;
  ANTHROPIC_API_KEY?: string | undefined;
  ANTHROPIC_BASE_URL?: string | undefined;
  GOOGLE_GENERATIVE_AI_API_KEY?: string | undefined;
  GOOGLE_GENERATIVE_AI_BASE_URL?: string | undefined;
  /** An OpenAI-compatible server (Ollama, vLLM, llama.cpp): its /v1 base URL, and a key if it wants one. */
  SHIRUBE_LLM_BASE_URL?: string | undefined;
  SHIRUBE_LLM_API_KEY?: string | undefined;
}

const names = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'GOOGLE_GENERATIVE_AI_API_KEY', 'GOOGLE_GENERATIVE_AI_BASE_URL', 'SHIRUBE_LLM_BASE_URL', 'SHIRUBE_LLM_API_KEY'] as const;

/** Picks the LLM variables out of an environment (the CLI passes process.env). */
export function llmEnvironment(env: Record<string, string | undefined>): LlmEnvironment {
  return Object.fromEntries(names.flatMap((n) => (env[n] ? [[n, env[n]]] : [])));
}

const need = (v: string | undefined, name: string) => {
  if (!v) throw new ShirubeError('invalid_request', `${name}: is not set (the ${name.includes('KEY') ? 'API key' : 'server URL'} comes from the environment)`, name);
  return v;
};

export function languageModel(provider: LlmProvider, model: string, env: LlmEnvironment): LanguageModel {
  switch (provider) {
    case 'openai':
    case 'openai-chat': {
      const openai = createOpenAI({ apiKey: need(env.OPENAI_API_KEY, 'OPENAI_API_KEY'), ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}) });
      return provider === 'openai' ? openai.responses(model) : openai.chat(model);
    }
    case 'anthropic':
      return createAnthropic({ apiKey: need(env.ANTHROPIC_API_KEY, 'ANTHROPIC_API_KEY'), ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}) })(model);
    case 'google':
      return createGoogleGenerativeAI({ apiKey: need(env.GOOGLE_GENERATIVE_AI_API_KEY, 'GOOGLE_GENERATIVE_AI_API_KEY'), ...(env.GOOGLE_GENERATIVE_AI_BASE_URL ? { baseURL: env.GOOGLE_GENERATIVE_AI_BASE_URL } : {}) })(model);
    case 'openai-compatible':
      return createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: need(env.SHIRUBE_LLM_BASE_URL, 'SHIRUBE_LLM_BASE_URL'),
        ...(env.SHIRUBE_LLM_API_KEY ? { apiKey: env.SHIRUBE_LLM_API_KEY } : {}),
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

export function costUsd(model: string, inputTokens: number, outputTokens: number): number {
  const key = Object.keys(PRICES).filter((k) => model.startsWith(k)).sort((a, b) => b.length - a.length)[0];
  if (!key) return 0;
  const [i, o] = PRICES[key]!;
  return (inputTokens * i + outputTokens * o) / 1e6;
}
