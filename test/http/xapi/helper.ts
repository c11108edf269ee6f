import { randomUUID } from 'node:crypto';
import { createApiClient } from '../../../src/auth/index.js';
import type { TestApp } from '../../helper.js';

/** HTTP Basic credentials of a new API client with these scopes, and the xAPI version header. */
export async function basic(t: TestApp, scopes: string[], version = '2.0.0'): Promise<Record<string, string>> {
  const c = await createApiClient(t.store.db, { name: `xapi ${scopes.join(' ')}`, scopes });
  return {
    authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
    'x-experience-api-version': version,
  };
}

/** A minimal valid statement by a learner identified by account name. */
export function statement(over: Record<string, unknown> = {}, learner = 'pupil-1'): Record<string, unknown> {
  return {
    id: randomUUID(),
    actor: { objectType: 'Agent', account: { homePage: 'https://idp.example.jp', name: learner } },
    verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { 'ja-JP': '回答した', 'en-US': 'answered' } },
    object: { objectType: 'Activity', id: 'https://drill.example.jp/items/q5' },
    ...over,
  };
}

export const agentParam = (learner = 'pupil-1') => encodeURIComponent(JSON.stringify({ account: { homePage: 'https://idp.example.jp', name: learner } }));
