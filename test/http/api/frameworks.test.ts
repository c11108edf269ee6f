import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, build, session, SHARED, type TestApp } from '../../helper.js';
import { snapshot } from '../../case/import/support.js';

const FRAMEWORKS = `${SHARED}data/case-frameworks/`;
const actText = readFileSync(`${FRAMEWORKS}act-holistic-framework-math.v1p0.cfpackage.json`, 'utf8');
const act = JSON.parse(actText);
const ACT_ID = act.CFDocument.identifier as string;
const cscodes = readFileSync(`${SHARED}data/cscode/elementary-math-2017.csv`);
const ccssCsv = readFileSync(`${FRAMEWORKS}ccss-ela-items.opensalt-format.csv`);
const json = { 'content-type': 'application/json' };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type Headers = Record<string, string>;
const cred = (s: { cookie: string; 'x-csrf-token': string }): Headers => ({ cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] });

describe('/api/frameworks', () => {
  let t: TestApp;
  let admin: Headers;
  let writer: Headers;
  let reader: Headers;
  let reviewer: Headers;
  let orgAuthor: Headers;
  let orgId: string;
  beforeAll(async () => {
    t = await build({ SHIRUBE_BODY_LIMIT: String(6 * 1024 * 1024) });
    admin = cred(await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]));
    writer = await bearer(t, ['case:write']);
    reader = await bearer(t, ['case:read']);
    const org = await t.app.inject({ method: 'POST', url: '/api/admin/organizations', headers: { ...admin, ...json }, payload: { name: 'Board 1', kind: 'board' } });
    orgId = org.json().id;
    reviewer = cred(await session(t, [{ role: 'reviewer', scopeType: 'organization', scopeId: orgId }]));
    orgAuthor = cred(await session(t, [{ role: 'author', scopeType: 'organization', scopeId: orgId }]));
  });
  afterAll(async () => { await t.close(); });

  const post = (headers: Headers, payload: string | Buffer, type = 'application/json', query = '') =>
    t.app.inject({ method: 'POST', url: `/api/frameworks/import${query}`, headers: { ...headers, 'content-type': type }, payload });
  /** The request's status and error, and that the database did not change. */
  const rejected = async (res: Promise<{ statusCode: number; json(): any }>) => {
    const before = await snapshot(t.store.db);
    const r = await res;
    expect(await snapshot(t.store.db)).toBe(before);
    return { status: r.statusCode, ...r.json().error };
  };

  it('refuses writes from nobody (401) and from the wrong role (403), before reading the body', async () => {
    expect(await rejected(post({}, actText))).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(await rejected(post(reader, actText))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await rejected(post(reviewer, actText))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await rejected(t.app.inject({ method: 'DELETE', url: `/api/frameworks/${ACT_ID}` }))).toMatchObject({ status: 401 });
    expect(await rejected(t.app.inject({ method: 'PUT', url: `/api/frameworks/${ACT_ID}/adoption-status`, headers: { ...reader, ...json }, payload: { adoptionStatus: 'Draft' } }))).toMatchObject({ status: 403 });
  });

  it('imports a CASE JSON package (201) and audits it', async () => {
    const r = await post(writer, actText);
    expect(r.statusCode).toBe(201);
    expect(r.json().frameworks[0]).toMatchObject({ identifier: ACT_ID, counts: { CFItems: 28, CFAssociations: 28 } });
    const log = await t.store.db.selectFrom('audit_log').selectAll().where('target_id', '=', ACT_ID).execute();
    expect(log.map((l) => l.action)).toEqual(['framework.import']);
    expect(log[0]!.actor).toMatch(/^client:/);
  });

  it('imports the Course of Study Code table and an OpenSALT CSV as raw uploads', async () => {
    const cs = await post(admin, cscodes, 'text/csv', '?format=cscode&version=82V11');
    expect(cs.statusCode).toBe(201);
    expect(cs.json().frameworks[0].counts).toMatchObject({ CFItems: 632, CFAssociations: 632 });
    const ccss = await post(orgAuthor, ccssCsv, 'text/csv', '?title=CCSS%20ELA&creator=CCSSO&identifier=0b4b5e2c-0f5d-4f5f-9a43-4d0f6a1d3e11');
    expect(ccss.statusCode).toBe(201);
    const list = (await t.app.inject({ method: 'GET', url: '/api/frameworks', headers: orgAuthor })).json().frameworks;
    expect(list.find((f: any) => f.identifier === '0b4b5e2c-0f5d-4f5f-9a43-4d0f6a1d3e11')).toMatchObject({ organizationId: orgId, canAuthor: true, title: 'CCSS ELA' });
    expect(list.find((f: any) => f.identifier === ACT_ID)).toMatchObject({ canAuthor: false });
  });

  it('exports every format, also anonymously for public frameworks, and re-imports its XLSX', async () => {
    for (const [format, type] of [['case-json-1.0', 'application/json'], ['case-json-1.1', 'application/json'], ['xlsx', XLSX], ['csv', 'text/csv']]) {
      const r = await t.app.inject({ method: 'GET', url: `/api/frameworks/${ACT_ID}/export?format=${format}` });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toContain(type);
      expect(r.headers['content-disposition']).toMatch(/^attachment; filename=".+"$/);
    }
    const pkg = (await t.app.inject({ method: 'GET', url: `/api/frameworks/${ACT_ID}/export?format=case-json-1.1` })).json();
    expect(pkg.CFItems).toHaveLength(28);
    expect(pkg.CFDocument.CFPackageURI).toBeUndefined();
    const xlsx = (await t.app.inject({ method: 'GET', url: `/api/frameworks/${ACT_ID}/export?format=xlsx` })).rawPayload;
    const again = await post(writer, xlsx, XLSX);
    expect(again.statusCode).toBe(201);
    expect(again.json().frameworks[0]).toMatchObject({ identifier: ACT_ID, counts: { CFItems: 28, CFAssociations: 28 } });
    expect((await t.app.inject({ method: 'GET', url: `/api/frameworks/${ACT_ID}/export?format=pdf` })).json().error).toMatchObject({ code: 'invalid_request', field: 'format' });
  });

  it('answers bad input with a 4xx naming the field, and changes nothing', async () => {
    expect(await rejected(post(writer, '{"CFDocument": {'))).toMatchObject({ status: 400, code: 'invalid_request', field: '(body)' });
    expect(await rejected(post(writer, JSON.stringify({ ...act, CFDocument: { ...act.CFDocument, title: 42 } })))).toMatchObject({ status: 400, field: 'CFDocument.title' });
    const noId = { ...act, CFItems: act.CFItems.map((x: any, i: number) => (i === 12 ? { ...x, identifier: undefined } : x)) };
    expect(await rejected(post(writer, JSON.stringify(noId)))).toMatchObject({ status: 400, field: 'CFItems[12].identifier', message: 'CFItems[12].identifier: is required' });
    expect(await rejected(post(writer, JSON.stringify({ CFItems: [] })))).toMatchObject({ status: 400, field: 'CFDocument' });
    expect(await rejected(post(writer, ''))).toMatchObject({ status: 400, field: '(body)' });
    expect(await rejected(post(writer, 'a,b', 'application/octet-stream'))).toMatchObject({ status: 400, field: 'format' });
    expect(await rejected(post(writer, ccssCsv, 'text/csv'))).toMatchObject({ status: 400, field: 'title' });
    expect(await rejected(post(writer, ccssCsv, 'text/csv', '?format=xlsx&title=x&creator=y'))).toMatchObject({ status: 400, field: '(body)' });
    expect(await rejected(post(writer, 'code,parent_code,text\n825,82n0000000000000,算数', 'text/csv', '?format=cscode'))).toMatchObject({ status: 400, field: 'rows[0].code' });
    expect(await rejected(post(writer, actText, 'application/json', '?colour=red'))).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(await rejected(post(writer, JSON.stringify({ url: 'http://127.0.0.1:1/ims/case/v1p0/CFPackages/x', colour: 'red' })))).toMatchObject({ status: 400, field: 'colour' });
    expect(await rejected(post(writer, JSON.stringify({ url: 42 })))).toMatchObject({ status: 400, field: 'url' });
    expect(await rejected(post(writer, JSON.stringify({ url: 'http://127.0.0.1:1/ims/case/v1p0/CFPackages/x', timeoutMs: 'soon' })))).toMatchObject({ status: 400, field: 'timeoutMs' });
    expect(await rejected(post(writer, JSON.stringify({ url: 'http://127.0.0.1:1/ims/case/v1p0/CFPackages/x' })))).toMatchObject({ status: 502, code: 'bad_gateway' });
    const big = readFileSync(`${FRAMEWORKS}smarter-balanced-math-content-spec.v1p0.cfpackage.json`);
    expect(await rejected(post(writer, Buffer.concat([big, big])))).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(await rejected(t.app.inject({ method: 'PUT', url: `/api/frameworks/${ACT_ID}/adoption-status`, headers: { ...writer, ...json }, payload: { adoptionStatus: 'Published!' } }))).toMatchObject({ status: 400, field: 'adoptionStatus' });
    expect(await rejected(t.app.inject({ method: 'PUT', url: `/api/frameworks/${ACT_ID}/adoption-status`, headers: { ...writer, ...json }, payload: {} }))).toMatchObject({ status: 400, field: 'adoptionStatus' });
  });

  it('lets only the framework\'s authors replace it', async () => {
    const own = cred(await session(t, [{ role: 'author', scopeType: 'framework', scopeId: ACT_ID }]));
    expect((await post(own, actText)).statusCode).toBe(201);
    const other = JSON.stringify({ ...act, CFDocument: { ...act.CFDocument, identifier: '5d2d1c1e-7c59-4d8e-8f5e-0f7f5d0e1a22' } });
    expect(await rejected(post(own, other))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await rejected(post(orgAuthor, actText))).toMatchObject({ status: 403 });
  });

  it('publishes through adoption statuses; a Private Draft is hidden from the public', async () => {
    const put = (status: string) => t.app.inject({ method: 'PUT', url: `/api/frameworks/${ACT_ID}/adoption-status`, headers: { ...admin, ...json }, payload: { adoptionStatus: status } });
    const r = await put('Private Draft');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ adoptionStatus: 'Private Draft', isPublic: false });
    expect(Date.now() - Date.parse(r.json().lastChangeDateTime)).toBeLessThan(60_000);
    const anonymousList = (await t.app.inject({ method: 'GET', url: '/api/frameworks' })).json().frameworks;
    expect(anonymousList.map((f: any) => f.identifier)).not.toContain(ACT_ID);
    expect((await t.app.inject({ method: 'GET', url: `/api/frameworks/${ACT_ID}/export?format=csv` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/frameworks', headers: reader })).json().frameworks.map((f: any) => f.identifier)).toContain(ACT_ID);
    const exported = await t.app.inject({ method: 'GET', url: `/api/frameworks/${ACT_ID}/export?format=case-json-1.1`, headers: admin });
    expect(exported.json().CFDocument).toMatchObject({ adoptionStatus: 'Private Draft', lastChangeDateTime: r.json().lastChangeDateTime });
    expect((await put('Implemented')).json()).toMatchObject({ adoptionStatus: 'Implemented', isPublic: true });
    const log = await t.store.db.selectFrom('audit_log').select('action').where('action', '=', 'framework.adoption-status').execute();
    expect(log).toHaveLength(2);
  });

  it('deletes a framework (204, audited); then it is gone', async () => {
    const r = await t.app.inject({ method: 'DELETE', url: `/api/frameworks/${ACT_ID}`, headers: writer });
    expect(r.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/frameworks/${ACT_ID}`, headers: writer })).json().error).toMatchObject({ code: 'not_found' });
    expect((await t.app.inject({ method: 'GET', url: `/api/frameworks/${ACT_ID}/export` })).statusCode).toBe(404);
    expect(await t.store.db.selectFrom('audit_log').select('actor').where('action', '=', 'framework.delete').execute()).toHaveLength(1);
  });

  it('appears in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const p of ['/api/frameworks/import', '/api/frameworks/', '/api/frameworks/{id}/adoption-status', '/api/frameworks/{id}', '/api/frameworks/{id}/export', '/api/frameworks/remote-documents']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });
});
