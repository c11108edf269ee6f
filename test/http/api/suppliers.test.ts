import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { bearer, build, session, type TestApp } from '../../helper.js';
import { kitchenSink, storePackage } from '../case/support.js';
import type { CFPackage } from '../../../src/case/model.js';
import { alignCheck, ALIGNMENT_FAILED_EXIT } from '../../../src/cli/align.js';
import { CLAIM_FAILURES_PER_HOUR, CLIENT_REQUESTS_PER_HOUR } from '../../../src/http/api/suppliers.js';
import { CLAIM_DAYS, claimClientSecret, clientRequestStatus } from '../../../src/auth/index.js';
import { ANONYMOUS_MAX_LINES } from '../../../src/http/api/alignment.js';

/**
 * Supplier self-service and the alignment check (docs/suppliers.md): a vendor asks for an API client, an administrator
 * approves or rejects it, the vendor collects the secret once with its claim token; usage per client per day; a list
 * of CFItem references answered official / current / replaced / deprecated / unknown as JSON or CSV, 422 with failOn,
 * and the `shirube align check` command against a real socket. Both databases.
 */

/** The kitchen sink with Course of Study Codes and its framework's adoption status. */
function framework(name: string, codes: [string, string, string], status: string): CFPackage {
  const pkg = kitchenSink(name, { adoptionStatus: status });
  pkg.CFItems = pkg.CFItems.map((i, n) => ({ ...i, humanCodingScheme: codes[n]! }));
  return pkg;
}

/** An association of `type` from one item to another (of any framework), added to `pkg`. */
function associate(pkg: CFPackage, n: number, type: string, origin: string, destination: string): void {
  const node = (id: string) => ({ title: id, identifier: id, uri: `https://case.example.org/ims/case/v1p1/CFItems/${id}` });
  const identifier = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  pkg.CFAssociations.push({ ...pkg.CFAssociations[0]!, identifier, uri: `https://case.example.org/ims/case/v1p1/CFAssociations/${identifier}`, associationType: type, originNodeURI: node(origin), destinationNodeURI: node(destination) } as never);
}

const ids = (p: CFPackage) => p.CFItems.map((i) => i.identifier) as [string, string, string];
const current = framework('算数 2017', ['8260000000000001', '8260000000000002', '8260000000000003'], 'Implemented');
const [A1, A2, A3] = ids(current);
const draft = framework('算数 草案', ['8260000000000011', '8260000000000012', '8260000000000013'], 'Draft');
const [D1, D2, D3] = ids(draft);
draft.CFItems[1] = { ...draft.CFItems[1]!, statusEndDate: '2020-03-31' };
associate(draft, 1, 'replacedBy', D3, A3);
const old = framework('算数 2008', ['8260000000000021', '8260000000000022', '8260000000000023'], 'Deprecated');
const [B1, , B3] = ids(old);
associate(old, 2, 'replacedBy', B1, A1);
associate(old, 3, 'replacedBy', B3, D3);
const hidden = framework('非公開', ['8260000000000031', '8260000000000032', '8260000000000033'], 'Private Draft');
const [P1, P2] = ids(hidden);
// As another tool's isReplacedBy is imported.
associate(hidden, 4, 'ext:isReplacedBy', P2, A2);

let t: TestApp;
let admin: Record<string, string>;
let teacher: Record<string, string>;
let reader: Record<string, string>;
const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string> = {}, payload?: unknown, remoteAddress?: string) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as string }), ...(remoteAddress ? { remoteAddress } : {}) });
const audits = async (prefix: string) => t.store.db.selectFrom('audit_log').selectAll().where(sql<boolean>`starts_with(action, ${prefix})`).orderBy('id').execute();
const ask = { organization: '株式会社ドリル', contactEmail: 'dev@drill.example.jp', purpose: '算数ドリルの結果を xAPI で送る', scopes: ['xapi:statements/write', 'resources:write'] };

beforeAll(async () => {
  t = await build();
  for (const p of [current, draft, old, hidden]) await storePackage(t, p, { isCourseOfStudy: true });
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  teacher = await session(t, [{ role: 'teacher', scopeType: 'class', scopeId: 'c1' }]);
  reader = await bearer(t, ['case:read']);
}, 60_000);
afterAll(() => t.close());

describe('requesting an API client', () => {
  let token: string;
  let id: string;

  it('anonymous vendor files a request: 201 with a claim token kept only as its digest; bad input is a 400 naming the field', async () => {
    const r = await inject('POST', '/api/client-requests', {}, ask, '10.0.0.1');
    expect(r.statusCode, r.body).toBe(201);
    expect(r.headers['cache-control']).toBe('no-store');
    ({ claimToken: token, id } = r.json());
    expect(r.json()).toMatchObject({ status: 'pending', id: expect.any(String) });
    expect(token.length).toBeGreaterThanOrEqual(40);
    const stored = await sql<{ claim_token_hash: string }>`select claim_token_hash from api_client_request where id = ${id}`.execute(t.store.db);
    expect(stored.rows[0]!.claim_token_hash).not.toContain(token);
    for (const [body, field] of [
      [{ ...ask, contactEmail: 'not an address' }, 'contactEmail'],
      [{ ...ask, scopes: ['case:admin'] }, 'scopes.0'],
      [{ ...ask, organization: '  ' }, 'organization'],
      [{ ...ask, purpose: undefined }, 'purpose'],
    ] as const) {
      const bad = await inject('POST', '/api/client-requests', {}, body, '10.0.0.2');
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.json().error.field).toBe(field);
    }
    const [created] = await audits('client_request.create');
    expect(created).toMatchObject({ actor: 'anonymous', target_id: id });
    expect(JSON.stringify(created!.details)).not.toContain('dev@drill.example.jp');
  });

  it('the claim token shows the state; nothing to collect while pending (409)', async () => {
    const s = await inject('POST', '/api/client-requests/status', {}, { token });
    expect(s.statusCode).toBe(200);
    expect(s.json()).toMatchObject({ id, status: 'pending', organization: '株式会社ドリル', clientId: null });
    expect(s.json()).not.toHaveProperty('contactEmail');
    expect((await inject('POST', '/api/client-requests/claim', {}, { token })).statusCode).toBe(409);
  });

  it('administrators list and approve with the scopes they choose; others cannot', async () => {
    expect((await inject('GET', '/api/admin/client-requests', teacher)).statusCode).toBe(403);
    expect((await inject('GET', '/api/admin/client-requests')).statusCode).toBe(401);
    const list = await inject('GET', '/api/admin/client-requests?status=pending', admin);
    expect(list.json()).toEqual([expect.objectContaining({ id, contactEmail: 'dev@drill.example.jp', requestedScopes: ask.scopes, status: 'pending' })]);
    expect(JSON.stringify(list.json())).not.toContain(token);
    expect((await inject('POST', `/api/admin/client-requests/${id}/approve`, admin, { scopes: ['case:admin'] })).statusCode).toBe(400);
    const ok = await inject('POST', `/api/admin/client-requests/${id}/approve`, admin, { scopes: ['xapi:statements/write'] });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'approved', grantedScopes: ['xapi:statements/write'], clientId: expect.any(String) });
    expect((await inject('POST', `/api/admin/client-requests/${id}/reject`, admin, {})).statusCode).toBe(409);
    const clients = (await inject('GET', '/api/admin/clients', admin)).json() as Array<{ clientId: string; name: string; scopes: string[] }>;
    expect(clients.find((c) => c.clientId === ok.json().clientId)).toMatchObject({ name: '株式会社ドリル', scopes: ['xapi:statements/write'] });
  });

  it('the vendor collects the secret once; it gets tokens; a second claim is a 409; every step audited without secrets', async () => {
    const status = (await inject('POST', '/api/client-requests/status', {}, { token })).json();
    expect(status).toMatchObject({ status: 'approved', grantedScopes: ['xapi:statements/write'], claimUntil: expect.any(String) });
    const c = await inject('POST', '/api/client-requests/claim', {}, { token });
    expect(c.statusCode, c.body).toBe(200);
    const { clientId, clientSecret } = c.json();
    expect(c.json().status).toBe('claimed');
    const tok = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } });
    expect(tok.statusCode, tok.body).toBe(200);
    expect(tok.json().scope).toBe('xapi:statements/write');
    const again = await inject('POST', '/api/client-requests/claim', {}, { token });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/already collected/);
    expect((await inject('POST', '/api/client-requests/status', {}, { token })).json().status).toBe('claimed');
    const log = (await audits('client')).filter((a) => a.target_id === id || a.target_id === clientId);
    expect(log.map((a) => a.action)).toEqual(['client_request.create', 'client.create', 'client_request.approve', 'client_request.claim']);
    expect(JSON.stringify(log)).not.toContain(clientSecret);
    expect(JSON.stringify(log)).not.toContain(token);
  });

  it('a rejected request shows the note to its requester; an administrator erases a request', async () => {
    const r = (await inject('POST', '/api/client-requests', {}, ask, '10.0.0.3')).json();
    const rej = await inject('POST', `/api/admin/client-requests/${r.id}/reject`, admin, { note: '用途を具体的に書いてください' });
    expect(rej.json()).toMatchObject({ status: 'rejected', decisionNote: '用途を具体的に書いてください', clientId: null });
    expect((await inject('POST', '/api/client-requests/status', {}, { token: r.claimToken })).json()).toMatchObject({ status: 'rejected', note: '用途を具体的に書いてください' });
    expect((await inject('POST', '/api/client-requests/claim', {}, { token: r.claimToken })).statusCode).toBe(409);
    expect((await inject('DELETE', `/api/admin/client-requests/${r.id}`, admin)).statusCode).toBe(204);
    expect((await inject('POST', '/api/client-requests/status', {}, { token: r.claimToken })).statusCode).toBe(404);
  });

  it(`an approved secret not collected within ${CLAIM_DAYS} days expires`, async () => {
    const r = (await inject('POST', '/api/client-requests', {}, ask, '10.0.0.4')).json();
    await inject('POST', `/api/admin/client-requests/${r.id}/approve`, admin, {});
    const later = new Date(Date.now() + (CLAIM_DAYS + 1) * 86_400_000);
    expect((await clientRequestStatus(t.store.db, r.claimToken, later)).status).toBe('expired');
    await expect(claimClientSecret(t.store.db, r.claimToken, later)).rejects.toThrow(/not collected within/);
    expect((await inject('POST', '/api/client-requests/status', {}, { token: r.claimToken })).json().status).toBe('approved');
  });

  it('rate limits: requests per address and hour, wrong claim tokens per address', async () => {
    const codes: number[] = [];
    for (let i = 0; i <= CLIENT_REQUESTS_PER_HOUR; i++) codes.push((await inject('POST', '/api/client-requests', {}, ask, '10.0.1.1')).statusCode);
    expect(codes).toEqual([...Array(CLIENT_REQUESTS_PER_HOUR).fill(201), 429]);
    const wrong: number[] = [];
    for (let i = 0; i <= CLAIM_FAILURES_PER_HOUR; i++) wrong.push((await inject('POST', '/api/client-requests/status', {}, { token: `wrong${i}` }, '10.0.1.2')).statusCode);
    expect(wrong).toEqual([...Array(CLAIM_FAILURES_PER_HOUR).fill(404), 429]);
    expect((await inject('POST', '/api/client-requests/status', {}, { token: 'wrong' }, '10.0.1.2')).headers['retry-after']).toBeDefined();
  });
});

describe('usage per client', () => {
  it('counts each request of a client per day, errors apart; the client reads its own, administrators everybody’s', async () => {
    const vendor = await bearer(t, ['resources:write']);
    await inject('GET', '/api/resources', vendor);
    await inject('GET', '/api/resources/none', vendor);
    await inject('GET', '/api/admin/users', vendor);
    const me = await inject('GET', '/api/clients/me/usage?days=7', vendor);
    expect(me.statusCode, me.body).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    // The three requests; this one is counted when answered.
    expect(me.json()).toMatchObject({ requests: 3, errors: 2, days: [{ day: today, requests: 3, errors: 2 }] });
    expect((await inject('GET', '/api/clients/me/usage', vendor)).json().requests).toBe(4);
    expect((await inject('GET', '/api/clients/me/usage', teacher)).statusCode).toBe(403);
    expect((await inject('GET', '/api/clients/me/usage')).statusCode).toBe(401);
    const all = await inject('GET', '/api/admin/clients/usage', admin);
    expect(all.statusCode).toBe(200);
    const mine = (all.json() as Array<{ clientId: string; requests: number; name: string }>).find((u) => u.requests === 5);
    expect(mine).toMatchObject({ name: 'test resources:write' });
    expect((await inject('GET', '/api/admin/clients/usage', teacher)).statusCode).toBe(403);
  });
});

describe('alignment check', () => {
  const refs = [P1, 'NOPE', A2, '8260000000000001', D1, D2, '8260000000000021', B3, '8260000000000022', `http://shirube.test/uri/${A3}`, P2, '11111111-1111-4111-8111-111111111111'];

  it('answers each line: official, current, replaced (to the end of the chain), deprecated (framework or end date), unknown', async () => {
    const r = await inject('POST', '/api/alignment/check', {}, refs);
    expect(r.statusCode, r.body).toBe(200);
    const report = r.json();
    expect(report.results.map((x: { status: string }) => x.status)).toEqual([
      'unknown', 'unknown', 'official', 'official', 'current', 'deprecated', 'replaced', 'replaced', 'deprecated', 'official', 'unknown', 'unknown',
    ]);
    expect(report.counts).toEqual({ official: 3, current: 1, replaced: 2, deprecated: 2, unknown: 4 });
    const line = (n: number) => report.results[n - 1];
    expect(line(4)).toMatchObject({ line: 4, reference: '8260000000000001', item: { identifier: A1, humanCodingScheme: '8260000000000001', framework: { title: '算数 2017', adoptionStatus: 'Implemented' } }, replacement: null });
    expect(line(7)).toMatchObject({ status: 'replaced', item: { identifier: B1 }, replacement: { identifier: A1, humanCodingScheme: '8260000000000001', uri: expect.stringContaining(A1) } });
    // B3 → D3 → A3: the end of the chain.
    expect(line(8).replacement).toMatchObject({ identifier: A3, humanCodingScheme: '8260000000000003' });
    expect(line(6).reason).toMatch(/statusEndDate 2020-03-31/);
    expect(line(9).reason).toMatch(/Deprecated/);
    expect(line(1).item).toBeNull();
  });

  it('an API client that may read Private Drafts sees them (and their ext:isReplacedBy); a CSV column by header; CSV out', async () => {
    const csv = `drill,学習指導要領コード\nたし算,${'8260000000000031'}\nひき算,${'8260000000000032'}\nかけ算,\nわり算,8260000000000002\n`;
    const r = await inject('POST', '/api/alignment/check?format=csv', { ...reader, 'content-type': 'text/csv' }, csv);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.headers['content-disposition']).toContain('alignment-report.csv');
    const rows = r.body.trim().split('\n').map((l) => l.split(','));
    expect(rows[0]!.slice(0, 3)).toEqual(['line', 'reference', 'status']);
    expect(rows.slice(1).map((x) => x.slice(0, 3))).toEqual([['2', '8260000000000031', 'current'], ['3', '8260000000000032', 'replaced'], ['5', '8260000000000002', 'official']]);
    expect(rows[2]).toContain(A2);
    const plain = await inject('POST', '/api/alignment/check', { 'content-type': 'text/plain', accept: 'text/csv' }, `${P1}\n`);
    expect(plain.body).toContain(',unknown,');
  });

  it('failOn makes the answer 422 with the same report (curl --fail); bad input is a 400 naming the field; anonymous lists are capped', async () => {
    const fail = await inject('POST', '/api/alignment/check?failOn=unknown,replaced', {}, { references: ['8260000000000001', 'NOPE'] });
    expect(fail.statusCode).toBe(422);
    expect(fail.json()).toMatchObject({ failOn: ['unknown', 'replaced'], failed: 1, total: 2 });
    expect((await inject('POST', '/api/alignment/check?failOn=unknown', {}, ['8260000000000001'])).statusCode).toBe(200);
    const bad = await inject('POST', '/api/alignment/check?failOn=missing', {}, ['x']);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('failOn');
    const col = await inject('POST', '/api/alignment/check?column=code', { 'content-type': 'text/csv' }, 'a,b\n1,2\n');
    expect(col.json().error.field).toBe('column');
    expect((await inject('POST', '/api/alignment/check', {}, { references: [] })).statusCode).toBe(400);
    const many = Array.from({ length: ANONYMOUS_MAX_LINES + 1 }, (_, i) => `C${i}`).join('\n');
    expect((await inject('POST', '/api/alignment/check', { 'content-type': 'text/plain' }, many)).statusCode).toBe(413);
  });

  it('`shirube align check` over a real socket: writes the CSV report and exits 3 when a line fails, 0 otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shirube-align-'));
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const server = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
      await writeFile(join(dir, 'codes.csv'), `code\n8260000000000001\n8260000000000021\n`);
      const err: string[] = [];
      const out = { stdout: () => {}, stderr: (s: string) => void err.push(s) };
      const exit = await alignCheck(join(dir, 'codes.csv'), { server, failOn: 'unknown,replaced,deprecated', format: 'csv', output: join(dir, 'report.csv') }, out);
      expect(exit).toBe(ALIGNMENT_FAILED_EXIT);
      expect(err.join('')).toMatch(/2 references: 1 official, 0 current, 1 replaced, 0 deprecated, 0 unknown/);
      expect(err.join('')).toContain('line 3: 8260000000000021 is replaced → 8260000000000001');
      expect(await readFile(join(dir, 'report.csv'), 'utf8')).toContain('8260000000000021,replaced');
      expect(await alignCheck(join(dir, 'codes.csv'), { server, failOn: 'unknown', format: 'json', output: join(dir, 'report.json') }, out)).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
