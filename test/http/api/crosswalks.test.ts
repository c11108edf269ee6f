import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { build, session, type TestApp } from '../../helper.js';
import { ensureShippedFrameworks } from '../../../src/case/demo.js';
import { auditEntries } from '../../../src/store/auth.js';
import { getFramework, setFrameworkAdoptionStatus } from '../../../src/case/frameworks.js';
import { schemaErrors } from '../case/support.js';

type Headers = Record<string, string>;
const cred = (s: { cookie: string; 'x-csrf-token': string }): Headers => ({ cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] });

/**
 * Crosswalks through the API on the frameworks `npm start` ships: 算数 2017 ↔ 理科 2017, suggested matches, links made
 * and removed, the crosswalk served by the CASE API and exported like any framework.
 */
describe('/api/crosswalks: 算数 ↔ 理科', () => {
  let t: TestApp;
  let math: string;
  let science: string;
  let admin: Headers;
  let mathAuthor: Headers;
  let cw: any;
  beforeAll(async () => {
    t = await build();
    [math, science] = (await ensureShippedFrameworks(t.store.db, () => {})) as [string, string];
    admin = cred(await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]));
    mathAuthor = cred(await session(t, [{ role: 'author', scopeType: 'framework', scopeId: math }]));
  }, 120_000);
  afterAll(() => t?.close());

  const send = (method: 'POST' | 'DELETE', url: string, body: unknown, headers: Headers = admin) =>
    t.app.inject({ method, url, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  const get = (url: string, headers: Headers = {}) => t.app.inject({ method: 'GET', url, headers });

  it('creating one: 401 for nobody, 403 for a learner, 400 naming the field for bad input, then 201', async () => {
    const body = { source: math, target: science, title: '算数 ↔ 理科 2017' };
    expect((await send('POST', '/api/crosswalks', body, {})).statusCode).toBe(401);
    const learner = cred(await session(t, [{ role: 'learner', scopeType: 'self', scopeId: '' }]));
    expect((await send('POST', '/api/crosswalks', body, learner)).statusCode).toBe(403);
    const bad: Array<[unknown, string]> = [
      [{ ...body, source: 'no-such-framework' }, 'source'],
      [{ ...body, target: 'no-such-framework' }, 'target'],
      [{ ...body, target: math }, 'target'],
      [{ ...body, title: '  ' }, 'title'],
      [{ source: math, target: science }, 'title'],
    ];
    for (const [b, field] of bad) {
      const r = await send('POST', '/api/crosswalks', b);
      expect(r.statusCode, JSON.stringify(b)).toBe(400);
      expect(r.json().error.field ?? r.json().error.message).toContain(field);
    }
    expect((await get('/api/crosswalks')).json().crosswalks).toEqual([]);
    const r = await send('POST', '/api/crosswalks', body);
    expect(r.statusCode).toBe(201);
    cw = r.json();
    expect(cw).toMatchObject({ title: body.title, source: { identifier: math }, target: { identifier: science }, adoptionStatus: 'Draft' });
    expect((await get('/api/crosswalks')).json().crosswalks.map((c: any) => c.identifier)).toEqual([cw.identifier]);
    // A crosswalk is not a source of another.
    expect((await send('POST', '/api/crosswalks', { ...body, source: cw.identifier })).json().error.field).toBe('source');
    expect((await auditEntries(t.store.db, 'CFDocument', cw.identifier)).map((e) => e.action)).toEqual(['crosswalk.create']);
  });

  it("lists both frameworks' items; suggestions rank 理科's items by the estimator's similarity", async () => {
    const view = (await get(`/api/crosswalks/${cw.identifier}`)).json();
    expect(view.sourceItems.length).toBeGreaterThan(20);
    expect(view.targetItems.length).toBeGreaterThan(20);
    expect(view.links).toEqual([]);
    const targetIds = new Set(view.targetItems.map((i: any) => i.identifier));
    // 算数 3年 「重さ」 and 理科 3年 「物と重さ」: the word should bring them together.
    const weight = view.sourceItems.find((i: any) => i.text.includes('重さ'));
    expect(weight).toBeDefined();
    const r = await get(`/api/crosswalks/${cw.identifier}/suggestions?item=${weight.identifier}&limit=5`);
    expect(r.statusCode).toBe(200);
    const s = r.json().suggestions as any[];
    expect(s).toHaveLength(5);
    for (const x of s) {
      expect(targetIds.has(x.identifier)).toBe(true);
      expect(x.score).toBeGreaterThanOrEqual(0);
      expect(x.score).toBeLessThanOrEqual(1);
    }
    expect(s.map((x) => x.score)).toEqual([...s.map((x) => x.score)].sort((a, b) => b - a));
    expect(s[0].score).toBeGreaterThan(0);
    expect(s.some((x) => x.text.includes('重さ'))).toBe(true);
    // Bad input names the field.
    expect((await get(`/api/crosswalks/${cw.identifier}/suggestions?item=${view.targetItems[0].identifier}`)).json().error.field).toBe('item');
    expect((await get(`/api/crosswalks/${cw.identifier}/suggestions`)).statusCode).toBe(400);
    expect((await get(`/api/crosswalks/${cw.identifier}/suggestions?item=x&limit=0`)).statusCode).toBe(400);
    expect((await get(`/api/crosswalks/no-such/suggestions?item=x`)).statusCode).toBe(404);
    // A framework is not a crosswalk.
    expect((await get(`/api/crosswalks/${math}`)).statusCode).toBe(404);
    // A crosswalk into a Private Draft shows nothing of it to those who may not read it; the vectors follow the change.
    const status = (await getFramework(t.store.db, science)).adoptionStatus ?? 'Draft';
    await setFrameworkAdoptionStatus(t.store.db, science, { adoptionStatus: 'Private Draft', newVersion: true }, { actor: 'test' });
    expect((await get(`/api/crosswalks/${cw.identifier}`)).statusCode).toBe(404);
    expect((await get(`/api/crosswalks/${cw.identifier}/suggestions?item=${weight.identifier}&limit=5`)).statusCode).toBe(404);
    const asAdmin = await get(`/api/crosswalks/${cw.identifier}/suggestions?item=${weight.identifier}&limit=5`, admin);
    expect(asAdmin.json().suggestions).toEqual(s);
    await setFrameworkAdoptionStatus(t.store.db, science, status, { actor: 'test' });
  });

  let links: any[] = [];
  it('links: exactMatchOf and isRelatedTo become CFAssociations of the crosswalk; the same twice is 409; authorised like framework writes', async () => {
    const view = (await get(`/api/crosswalks/${cw.identifier}`)).json();
    const [a, b] = view.sourceItems;
    const [x, y] = view.targetItems;
    const url = `/api/crosswalks/${cw.identifier}/associations`;
    const body = { origin: a.identifier, destination: x.identifier, associationType: 'exactMatchOf' };
    expect((await send('POST', url, body, {})).statusCode).toBe(401);
    // An author of 算数 is no author of the crosswalk.
    expect((await send('POST', url, body, mathAuthor)).statusCode).toBe(403);
    const bad: Array<[unknown, string]> = [
      [{ ...body, origin: x.identifier }, 'origin'],
      [{ ...body, destination: a.identifier }, 'destination'],
      [{ ...body, associationType: 'precedes' }, 'associationType'],
      [{ ...body, score: 2 }, 'score'],
    ];
    for (const [bb, field] of bad) {
      const r = await send('POST', url, bb);
      expect(r.statusCode, JSON.stringify(bb)).toBe(400);
      expect(JSON.stringify(r.json().error)).toContain(field);
    }
    const one = await send('POST', url, { ...body, score: 0.5 });
    expect(one.statusCode).toBe(201);
    expect(one.json()).toMatchObject({ associationType: 'exactMatchOf', originNodeURI: { identifier: a.identifier }, destinationNodeURI: { identifier: x.identifier } });
    expect((await send('POST', url, body)).statusCode).toBe(409);
    const two = await send('POST', url, { origin: b.identifier, destination: y.identifier, associationType: 'isRelatedTo' });
    expect(two.statusCode).toBe(201);
    // Retyped and back: the same link of the other type is a conflict.
    const retype = (assoc: string, associationType: string, h: Headers = admin) =>
      t.app.inject({ method: 'PUT', url: `${url}/${assoc}`, headers: { ...h, 'content-type': 'application/json' }, payload: JSON.stringify({ associationType }) });
    expect((await retype(two.json().identifier, 'exactMatchOf', mathAuthor)).statusCode).toBe(403);
    expect((await retype(two.json().identifier, 'precedes')).json().error.message).toContain('associationType');
    expect((await retype('no-such', 'exactMatchOf')).statusCode).toBe(404);
    expect((await retype(two.json().identifier, 'exactMatchOf')).json()).toMatchObject({ identifier: two.json().identifier, associationType: 'exactMatchOf' });
    expect((await get(`/ims/case/v1p1/CFAssociations/${two.json().identifier}`)).json().associationType).toBe('exactMatchOf');
    expect((await retype(two.json().identifier, 'isRelatedTo')).statusCode).toBe(200);
    expect((await send('POST', url, { origin: b.identifier, destination: y.identifier, associationType: 'exactMatchOf' })).statusCode).toBe(201);
    const dup = (await get(`/api/crosswalks/${cw.identifier}`)).json().links.at(-1);
    expect((await retype(dup.identifier, 'isRelatedTo')).statusCode).toBe(409);
    expect((await send('DELETE', `${url}/${dup.identifier}`, undefined)).statusCode).toBe(204);
    links = [one.json(), two.json()];
    expect((await get(`/api/crosswalks/${cw.identifier}`)).json().links.map((l: any) => l.identifier)).toEqual(links.map((l) => l.identifier));
    expect((await auditEntries(t.store.db, 'CFAssociation', links[0].identifier)).map((e) => e.action)).toEqual(['crosswalk.link']);
  });

  it('the CASE API serves the crosswalk like any framework (official 1.1 schemas), /uri/ resolves its links', async () => {
    const pkg = await get(`/ims/case/v1p1/CFPackages/${cw.identifier}`);
    expect(pkg.statusCode).toBe(200);
    expect(schemaErrors('getCFPackage', pkg.json())).toEqual([]);
    const p = pkg.json();
    expect(p.CFDocument).toMatchObject({ identifier: cw.identifier, frameworkType: 'crosswalk', extensions: { shirubeCrosswalk: { source: { identifier: math }, target: { identifier: science } } } });
    expect(p.CFItems ?? []).toEqual([]);
    expect(p.CFAssociations.map((a: any) => [a.associationType, a.originNodeURI.identifier, a.destinationNodeURI.identifier]))
      .toEqual(links.map((l) => [l.associationType, l.originNodeURI.identifier, l.destinationNodeURI.identifier]));
    const assoc = await get(`/ims/case/v1p1/CFAssociations/${links[0].identifier}`);
    expect(assoc.statusCode).toBe(200);
    expect(schemaErrors('getCFAssociation', assoc.json())).toEqual([]);
    expect((await get(`/uri/${links[1].identifier}`, { accept: 'application/json' })).json()).toMatchObject({ associationType: 'isRelatedTo' });
    expect((await get(`/ims/case/v1p1/CFDocuments/${cw.identifier}`)).json()).toMatchObject({ frameworkType: 'crosswalk' });
    // The source item's associations, from every document, hold the link.
    const ofItem = (await get(`/ims/case/v1p1/CFItemAssociations/${links[0].originNodeURI.identifier}`)).json();
    expect(ofItem.CFAssociations.map((a: any) => a.identifier)).toContain(links[0].identifier);
  });

  it('exports as CASE JSON and as CSV (one row per link)', async () => {
    const json = await get(`/api/frameworks/${cw.identifier}/export?format=case-json-1.1`);
    expect(json.statusCode).toBe(200);
    expect(JSON.parse(json.body).CFAssociations).toHaveLength(2);
    const csv = await get(`/api/frameworks/${cw.identifier}/export?format=csv`);
    expect(csv.statusCode).toBe(200);
    const rows = parse(csv.body, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r['associationType'], r['originNodeIdentifier'], r['destinationNodeIdentifier']]))
      .toEqual(links.map((l) => [l.associationType, l.originNodeURI.identifier, l.destinationNodeURI.identifier]));
  });

  it('removing a link: 204, audited, gone from the CASE API; again is 404', async () => {
    const url = `/api/crosswalks/${cw.identifier}/associations/${links[0].identifier}`;
    expect((await send('DELETE', url, undefined, mathAuthor)).statusCode).toBe(403);
    expect((await send('DELETE', url, undefined)).statusCode).toBe(204);
    expect((await send('DELETE', url, undefined)).statusCode).toBe(404);
    expect((await get(`/ims/case/v1p1/CFAssociations/${links[0].identifier}`)).statusCode).toBe(404);
    expect((await auditEntries(t.store.db, 'CFAssociation', links[0].identifier)).map((e) => e.action)).toEqual(['crosswalk.link', 'crosswalk.unlink']);
    expect((await get(`/api/crosswalks/${cw.identifier}`)).json().links.map((l: any) => l.identifier)).toEqual([links[1].identifier]);
    const log = (await get(`/api/audit?framework=${cw.identifier}`, admin)).json();
    expect(log.entries.map((e: any) => e.action).sort()).toEqual(['crosswalk.create', 'crosswalk.link', 'crosswalk.link', 'crosswalk.link', 'crosswalk.retype', 'crosswalk.retype', 'crosswalk.unlink', 'crosswalk.unlink']);
  });

  it('deleting the crosswalk (as a framework) removes its links and leaves both frameworks whole', async () => {
    const before = (await get(`/ims/case/v1p1/CFPackages/${science}`)).json().CFItems.length;
    expect((await send('DELETE', `/api/frameworks/${cw.identifier}`, undefined)).statusCode).toBe(204);
    expect((await get(`/ims/case/v1p1/CFAssociations/${links[1].identifier}`)).statusCode).toBe(404);
    expect((await get(`/api/crosswalks`)).json().crosswalks).toEqual([]);
    expect((await get(`/ims/case/v1p1/CFPackages/${science}`)).json().CFItems).toHaveLength(before);
  });
});
