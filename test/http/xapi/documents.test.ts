import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type TestApp } from '../../helper.js';
import { agentParam, basic, statement } from './helper.js';

let t: TestApp;
let v2: Record<string, string>;
let v1: Record<string, string>;
beforeAll(async () => {
  t = await build();
  v2 = await basic(t, ['xapi:state', 'xapi:profile', 'xapi:statements/write']);
  v1 = await basic(t, ['xapi:state', 'xapi:profile'], '1.0.3');
});
afterAll(() => t.close());

const activity = () => encodeURIComponent(`https://drill.example.jp/sets/${randomUUID()}`);
const req = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, body?: unknown) =>
  t.app.inject({ method, url, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

describe('State', () => {
  it('stores, lists, merges and deletes State documents with ETags and Last-Modified', async () => {
    const base = `/xapi/activities/state?activityId=${activity()}&agent=${agentParam()}`;
    expect((await req('PUT', `${base}&stateId=a`, v2, { page: 1 })).statusCode).toBe(204);
    expect((await req('POST', `${base}&stateId=a`, v2, { done: true })).statusCode).toBe(204);
    const got = await req('GET', `${base}&stateId=a`, v2);
    expect(got.json()).toEqual({ page: 1, done: true });
    expect(got.headers['etag']).toMatch(/^"[0-9a-f]{40}"$/);
    expect(got.headers['last-modified']).toBeTruthy();
    await req('PUT', `${base}&stateId=b`, { ...v2, 'if-none-match': '*' }, { x: 1 });
    expect((await req('GET', base, v2)).json()).toEqual(['a', 'b']);
    const text = await t.app.inject({ method: 'PUT', url: `${base}&stateId=c`, headers: { ...v2, 'content-type': 'text/plain', 'if-none-match': '*' }, payload: 'plain' });
    expect(text.statusCode).toBe(204);
    expect((await req('POST', `${base}&stateId=c`, v2, { y: 1 })).statusCode).toBe(400);
    expect((await req('DELETE', base, v2)).statusCode).toBe(204);
    expect((await req('GET', base, v2)).json()).toEqual([]);
    expect((await req('GET', `${base}&stateId=a`, v2)).statusCode).toBe(404);
  });

  it('applies the concurrency rules per version: 409 on State under 2.0 only', async () => {
    const base = `/xapi/activities/state?activityId=${activity()}&agent=${agentParam()}&stateId=s`;
    await req('PUT', base, v2, { n: 1 });
    expect((await req('PUT', base, v2, { n: 2 })).statusCode).toBe(409);
    expect((await req('PUT', base, v1, { n: 2 })).statusCode).toBe(204);
    const etag = (await req('GET', base, v2)).headers['etag'] as string;
    expect((await req('PUT', base, { ...v2, 'if-match': '"0000"' }, { n: 3 })).statusCode).toBe(412);
    expect((await req('PUT', base, { ...v2, 'if-match': etag }, { n: 3 })).statusCode).toBe(204);
    expect((await req('PUT', base, { ...v2, 'if-none-match': '*' }, { n: 4 })).statusCode).toBe(412);
    expect((await req('GET', base, v2)).json()).toEqual({ n: 3 });
  });

  it('needs the state scope and valid parameters', async () => {
    const writer = await basic(t, ['xapi:statements/write']);
    const base = `/xapi/activities/state?activityId=${activity()}&agent=${agentParam()}&stateId=s`;
    expect((await req('GET', base, writer)).statusCode).toBe(403);
    expect((await req('GET', `/xapi/activities/state?activityId=not-an-iri&agent=${agentParam()}`, v2)).statusCode).toBe(400);
    expect((await req('GET', `/xapi/activities/state?activityId=${activity()}&agent={}`, v2)).statusCode).toBe(400);
  });
});

describe('profiles, Activities and Agents', () => {
  it('requires a precondition to replace a profile; under 1.0.3 even to create one', async () => {
    const base = `/xapi/activities/profile?activityId=${activity()}&profileId=p`;
    expect((await req('PUT', base, v1, { a: 1 })).statusCode).toBe(400);
    expect((await req('PUT', base, v2, { a: 1 })).statusCode).toBe(204);
    expect((await req('PUT', base, v2, { a: 2 })).statusCode).toBe(409);
    const agentBase = `/xapi/agents/profile?agent=${agentParam()}&profileId=p`;
    expect((await req('PUT', agentBase, { ...v2, 'if-none-match': '*' }, { b: 1 })).statusCode).toBe(204);
    expect((await req('GET', agentBase, v2)).json()).toEqual({ b: 1 });
  });

  it('keeps the canonical Activity definition, merging language maps', async () => {
    const id = `https://drill.example.jp/q/${randomUUID()}`;
    const post = (definition: unknown) => req('POST', '/xapi/statements', v2, statement({ object: { id, definition } }));
    await post({ name: { 'ja-JP': '問題' }, type: 'http://adlnet.gov/expapi/activities/question' });
    await post({ name: { 'en-US': 'Question' } });
    const a = await req('GET', `/xapi/activities?activityId=${encodeURIComponent(id)}`, v2);
    expect(a.json()).toEqual({ objectType: 'Activity', id, definition: { name: { 'ja-JP': '問題', 'en-US': 'Question' }, type: 'http://adlnet.gov/expapi/activities/question' } });
  });
});
