import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, build, type TestApp } from '../../helper.js';
import { agentParam, basic, statement } from './helper.js';

let t: TestApp;
let writer: Record<string, string>;
let reader: Record<string, string>;
beforeAll(async () => {
  t = await build();
  writer = await basic(t, ['xapi:statements/write']);
  reader = await basic(t, ['xapi:statements/read']);
});
afterAll(() => t.close());

const post = (body: unknown, headers = writer) => t.app.inject({ method: 'POST', url: '/xapi/statements', headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const get = (query: string, headers = reader) => t.app.inject({ method: 'GET', url: `/xapi/statements?${query}`, headers });

describe('credentials and versions', () => {
  it('answers 401 without credentials and with a wrong secret, 403 without the scope', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/xapi/statements', headers: { 'x-experience-api-version': '2.0.0' } });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic/);
    const wrong = await get('', { ...reader, authorization: `Basic ${Buffer.from('nobody:nothing').toString('base64')}` });
    expect(wrong.statusCode).toBe(401);
    expect((await get('', writer)).statusCode).toBe(403);
    expect((await post(statement(), reader)).statusCode).toBe(403);
  });

  it('accepts OAuth bearer tokens with xapi scopes', async () => {
    const auth = await bearer(t, ['xapi:all']);
    const r = await get('', { ...auth, 'x-experience-api-version': '1.0.3' } as Record<string, string>);
    expect(r.statusCode).toBe(200);
    expect(r.headers['x-experience-api-version']).toBe('1.0.3');
  });

  it('requires X-Experience-API-Version except on About, and names the version on every response', async () => {
    const { ['x-experience-api-version']: _, ...noVersion } = reader;
    const r = await get('', noVersion);
    expect(r.statusCode).toBe(400);
    expect(r.headers['x-experience-api-version']).toBeDefined();
    expect((await get('', { ...reader, 'x-experience-api-version': '3.0.0' })).statusCode).toBe(400);
    const about = await t.app.inject({ url: '/xapi/about' });
    expect(about.statusCode).toBe(200);
    expect(about.json().version).toEqual(expect.arrayContaining(['1.0.3', '2.0.0']));
  });

  it('answers CORS preflights and exposes the xAPI headers', async () => {
    const r = await t.app.inject({ method: 'OPTIONS', url: '/xapi/statements', headers: { origin: 'https://drill.example.jp', 'access-control-request-method': 'POST' } });
    expect(r.statusCode).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('https://drill.example.jp');
    expect(r.headers['access-control-allow-headers']).toMatch(/X-Experience-API-Version/);
    expect(r.headers['access-control-expose-headers']).toMatch(/X-Experience-API-Consistent-Through/);
  });
});

describe('statements', () => {
  it('stores a statement with stored, timestamp, authority and version, and returns it by id', async () => {
    const s = statement();
    const r = await post(s);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual([s['id']]);
    const g = await get(`statementId=${s['id']}`);
    expect(g.statusCode).toBe(200);
    const back = g.json();
    expect(back.actor).toEqual(s['actor']);
    expect(back.version).toBe('2.0.0');
    expect(back.authority.account.name).toBeTruthy();
    expect(back.timestamp).toBe(back.stored);
    expect(g.headers['last-modified']).toBe(new Date(back.stored).toUTCString());
    expect(g.headers['x-experience-api-consistent-through']).toBeTruthy();
  });

  it('rejects invalid statements with 400 naming the property, and stores nothing of a bad batch', async () => {
    const good = statement();
    const bad = statement({ actor: { mbox: 'not-an-email' } });
    const r = await post([good, bad]);
    expect(r.statusCode).toBe(400);
    expect(r.body).toMatch(/statements\.1\.actor\.mbox/);
    expect((await get(`statementId=${good['id']}`)).statusCode).toBe(404);
    const ext = await post(statement({ result: { extensions: { cfItemId: 'x' } } }));
    expect(ext.statusCode).toBe(400);
    expect(ext.body).toMatch(/extension keys must be IRIs/);
  });

  it('converts timestamps to UTC under 2.0 and keeps them under 1.0.3', async () => {
    const s2 = statement({ timestamp: '2026-04-10T09:00:00.123+09:00' });
    await post(s2);
    expect((await get(`statementId=${s2['id']}`)).json().timestamp).toBe('2026-04-10T00:00:00.123Z');
    const w1 = await basic(t, ['xapi:all'], '1.0.3');
    const s1 = statement({ timestamp: '2026-04-10T09:00:00.123+09:00' });
    await post(s1, w1);
    expect((await get(`statementId=${s1['id']}`, w1)).json().timestamp).toBe('2026-04-10T09:00:00.123+09:00');
  });

  it('is idempotent for the same id and content, 409 for other content', async () => {
    const s = statement();
    expect((await post(s)).statusCode).toBe(200);
    expect((await post(s)).statusCode).toBe(200);
    const put = await t.app.inject({ method: 'PUT', url: `/xapi/statements?statementId=${s['id']}`, headers: { ...writer, 'content-type': 'application/json' }, payload: JSON.stringify({ ...s, verb: { id: 'http://example.com/other' } }) });
    expect(put.statusCode).toBe(409);
  });

  it('voids a statement: only voidedStatementId returns it, and queries leave it out', async () => {
    const s = statement({ object: { id: 'https://drill.example.jp/items/void-me' } });
    await post(s);
    await post(statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: s['id'] } }));
    expect((await get(`statementId=${s['id']}`)).statusCode).toBe(404);
    expect((await get(`voidedStatementId=${s['id']}`)).json().id).toBe(s['id']);
    const list = await get(`activity=${encodeURIComponent('https://drill.example.jp/items/void-me')}`);
    expect(list.json().statements.map((x: { id: string }) => x.id)).not.toContain(s['id']);
  });

  it('filters by agent, verb, activity with related_activities, and pages with more', async () => {
    const learner = `pager-${randomUUID()}`;
    const parent = `https://drill.example.jp/sets/${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = statement({ context: { contextActivities: { parent: { id: parent } } } }, learner);
      ids.push(String(s['id']));
      await post(s);
    }
    const first = await get(`agent=${agentParam(learner)}&activity=${encodeURIComponent(parent)}&related_activities=true&limit=2&ascending=true`);
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.statements.map((x: { id: string }) => x.id)).toEqual(ids.slice(0, 2));
    expect(page1.statements[0].context.contextActivities.parent).toEqual([{ id: parent }]);
    const seen = [...page1.statements];
    let more: string = page1.more;
    while (more) {
      const next = (await t.app.inject({ method: 'GET', url: more, headers: reader })).json();
      seen.push(...next.statements);
      more = next.more;
    }
    expect(seen.map((x) => x.id)).toEqual(ids);
    const unrelated = await get(`agent=${agentParam(learner)}&activity=${encodeURIComponent(parent)}`);
    expect(unrelated.json().statements).toEqual([]);
    const ids2 = await get(`agent=${agentParam(learner)}&format=ids&limit=1`);
    expect(ids2.json().statements[0].verb).toEqual({ id: 'http://adlnet.gov/expapi/verbs/answered' });
  });

  it('restricts xapi:statements/read/mine to the client’s own statements', async () => {
    const both = await basic(t, ['xapi:statements/write', 'xapi:statements/read/mine']);
    const mine = statement();
    await post(mine, both);
    const other = statement();
    await post(other);
    expect((await get(`statementId=${mine['id']}`, both)).statusCode).toBe(200);
    expect((await get(`statementId=${other['id']}`, both)).statusCode).toBe(404);
    const all = (await get('limit=0', both)).json().statements.map((s: { id: string }) => s.id);
    expect(all).toEqual([mine['id']]);
  });

  it('accepts attachments over multipart/mixed with SHA-2 checks and returns them', async () => {
    const content = Buffer.from('こんにちは attachment');
    const sha2 = createHash('sha256').update(content).digest('hex');
    const s = statement({ attachments: [{ usageType: 'http://example.com/usage', display: { 'en-US': 'a' }, contentType: 'text/plain', length: content.length, sha2 }] });
    const boundary = 'b0undary';
    const body = (hash: string) =>
      Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(s)}\r\n--${boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ${hash}\r\n\r\n`),
        content,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
    const headers = { ...writer, 'content-type': `multipart/mixed; boundary=${boundary}` };
    const wrong = await t.app.inject({ method: 'POST', url: '/xapi/statements', headers, payload: body('0'.repeat(64)) });
    expect(wrong.statusCode).toBe(400);
    const ok = await t.app.inject({ method: 'POST', url: '/xapi/statements', headers, payload: body(sha2) });
    expect(ok.statusCode).toBe(200);
    const r = await get(`statementId=${s['id']}&attachments=true`);
    expect(r.headers['content-type']).toMatch(/^multipart\/mixed; boundary=/);
    expect(r.rawPayload.includes(content)).toBe(true);
    expect(r.body).toContain(`X-Experience-API-Hash: ${sha2}`);
  });

  it('supports the 1.0.3 alternate request syntax and rejects it under 2.0', async () => {
    const w1 = await basic(t, ['xapi:all'], '1.0.3');
    const s = statement();
    const form = new URLSearchParams({ Authorization: w1['authorization']!, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json', content: JSON.stringify(s), statementId: String(s['id']) });
    const r = await t.app.inject({ method: 'POST', url: '/xapi/statements?method=PUT', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() });
    expect(r.statusCode).toBe(204);
    expect((await get(`statementId=${s['id']}`)).statusCode).toBe(200);
    form.set('X-Experience-API-Version', '2.0.0');
    const r2 = await t.app.inject({ method: 'POST', url: '/xapi/statements?method=PUT', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() });
    expect(r2.statusCode).toBe(400);
  });
});

describe('what PostgreSQL cannot store', () => {
  it('answers a NUL character (U+0000) in a batch with 400 naming where it is, and stores nothing of the batch', async () => {
    const ok = statement();
    const bad = { ...statement(), result: { response: 'a\u0000b' } };
    const r = await post([ok, bad]);
    expect(r.statusCode).toBe(400);
    expect(r.body).toMatch(/result\.response: contains a NUL character/);
    expect((await get(`statementId=${ok.id}`)).statusCode).toBe(404);
  });
});
