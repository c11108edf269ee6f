import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, build, session, type TestApp } from '../../helper.js';

/**
 * Authoring a framework through /api/frameworks/… (docs/authoring.md): the tree, every CFItem field, associations,
 * definitions and rubrics, with ETag / If-Match, field-naming 400s that store nothing, the audit log; the adoption
 * status workflow (an Adopted framework is frozen); the history, published versions (CASE JSON, XLSX) and diffs.
 */
type Headers = Record<string, string>;
type Res = { statusCode: number; headers: Record<string, unknown>; json(): any; body: string; rawPayload: Buffer };
let t: TestApp;
let admin: Headers;
let author: Headers;
let author2: Headers;
let learner: Headers;
let writer: Headers;
let F: string;
let G: string;
const ids: Record<string, string> = {};

const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers: Headers = {}, payload?: unknown): Promise<Res> =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) }) as unknown as Promise<Res>;
const etag = (r: Res) => r.headers['etag'] as string;
const err = (r: Res) => ({ status: r.statusCode, ...r.json().error });
const count = async (table: 'cf_item' | 'cf_association' | 'cf_definition') => Number((await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const changes = async () => Number((await t.store.db.selectFrom('cf_change' as never).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const tree = async (): Promise<any> => (await call('GET', `/api/frameworks/${F}/tree`, author)).json();
const shape = (nodes: any[]): unknown[] => nodes.map((n) => [n.humanCodingScheme, n.association.sequenceNumber, ...(n.children.length ? [shape(n.children)] : [])]);
const addItem = async (code: string, parent?: string, sequenceNumber?: number, fw = F) => {
  const r = await call('POST', `/api/frameworks/${fw}/items`, author, { CFItem: { fullStatement: `${code} の内容`, humanCodingScheme: code }, ...(parent ? { parent } : {}), ...(sequenceNumber ? { sequenceNumber } : {}) });
  expect(r.statusCode, r.body).toBe(201);
  ids[code] = r.json().identifier;
  return r;
};

beforeAll(async () => {
  t = await build();
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  const org = await call('POST', '/api/admin/organizations', admin, { name: 'Board', kind: 'board' });
  author = await session(t, [{ role: 'author', scopeType: 'organization', scopeId: org.json().id }]);
  author2 = await session(t, [{ role: 'author', scopeType: 'organization', scopeId: org.json().id }]);
  learner = await session(t, [{ role: 'learner', scopeType: 'self', scopeId: '' }]);
  writer = await bearer(t, ['case:write']);
}, 120_000);
afterAll(() => t?.close());

describe('(a) the item-level API', () => {
  it('creates a framework: 401 / 403 for others, 400 naming the field, a Private Draft hidden from the public', async () => {
    expect((await call('POST', '/api/frameworks', {}, { title: 'x', creator: 'y' })).statusCode).toBe(401);
    expect((await call('POST', '/api/frameworks', learner, { title: 'x', creator: 'y' })).statusCode).toBe(403);
    expect(err(await call('POST', '/api/frameworks', author, { creator: 'y' }))).toMatchObject({ status: 400, field: 'title' });
    expect(err(await call('POST', '/api/frameworks', author, { title: 'x', creator: 'y', officialSourceURL: 'not a uri' }))).toMatchObject({ status: 400, field: 'officialSourceURL' });
    expect(err(await call('POST', '/api/frameworks', author, { title: 'x', creator: 'y', adoptionStatus: 'Adopted' }))).toMatchObject({ status: 400, field: 'adoptionStatus' });
    const r = await call('POST', '/api/frameworks', author, { title: '算数 (学校版)', creator: '教育委員会', language: 'ja', subject: ['算数'] });
    expect(r.statusCode, r.body).toBe(201);
    F = r.json().identifier;
    expect(r.json()).toMatchObject({ title: '算数 (学校版)', adoptionStatus: 'Private Draft', uri: `http://shirube.test/uri/${F}` });
    expect(etag(r)).toMatch(/^".+"$/);
    expect((await call('GET', `/ims/case/v1p1/CFDocuments/${F}`)).statusCode).toBe(404);
    expect((await call('GET', `/ims/case/v1p1/CFDocuments/${F}`, writer)).statusCode).toBe(200);
    G = (await call('POST', '/api/frameworks', author, { title: '他の枠組み', creator: '教育委員会', adoptionStatus: 'Draft' })).json().identifier;
  });

  it('adds definitions and items to the tree with every CFItem field; bad input is a 400 naming the field and stores nothing', async () => {
    const type = await call('POST', `/api/frameworks/${F}/definitions/CFItemTypes`, author, { title: '内容', hierarchyCode: '1', description: '' });
    expect(type.statusCode, type.body).toBe(201);
    ids['type'] = type.json().identifier;
    const concept = await call('POST', `/api/frameworks/${F}/definitions/CFConcepts`, author, { title: '数', hierarchyCode: '1', keywords: '整数' });
    ids['concept'] = concept.json().identifier;
    const license = await call('POST', `/api/frameworks/${F}/definitions/CFLicenses`, author, { title: 'CC BY 4.0', licenseText: 'https://creativecommons.org/licenses/by/4.0/' });
    ids['license'] = license.json().identifier;
    const subject = await call('POST', `/api/frameworks/${F}/definitions/CFSubjects`, author, { title: '算数', hierarchyCode: '2' });
    ids['subject'] = subject.json().identifier;
    expect(err(await call('POST', `/api/frameworks/${F}/definitions/CFLicenses`, author, { title: 'no text' }))).toMatchObject({ status: 400, field: 'licenseText' });

    const full = {
      fullStatement: '分数 $\\frac{1}{2}$ の **意味** を理解する', alternativeLabel: '分数', humanCodingScheme: 'A', listEnumeration: '1', abbreviatedStatement: '分数',
      conceptKeywords: ['分数'], conceptKeywordsURI: { identifier: ids['concept'] }, notes: '## 注\n- 図を用いる', subject: ['算数'], subjectURI: [{ identifier: ids['subject'] }],
      language: 'ja', educationLevel: ['03', '04'], CFItemTypeURI: { identifier: ids['type'] }, licenseURI: { identifier: ids['license'] },
      statusStartDate: '2026-04-01', extensions: { 'ext:shirube': { reviewed: true } },
    };
    const r = await call('POST', `/api/frameworks/${F}/items`, author, { CFItem: full });
    expect(r.statusCode, r.body).toBe(201);
    ids['A'] = r.json().identifier;
    expect(r.json()).toMatchObject({
      ...full, CFItemType: '内容', uri: `http://shirube.test/uri/${ids['A']}`,
      CFItemTypeURI: { identifier: ids['type'], title: '内容', uri: `http://shirube.test/uri/${ids['type']}` },
      conceptKeywordsURI: { identifier: ids['concept'], title: '数' }, CFDocumentURI: { identifier: F },
    });
    expect(r.headers['location']).toBe(`/api/frameworks/${F}/items/${ids['A']}`);
    await addItem('B');
    await addItem('A1', ids['A']);
    await addItem('A2', ids['A'], 1);
    expect(shape((await tree()).children)).toEqual([['A', 1, [['A2', 1], ['A1', 2]]], ['B', 2]]);

    const before = [await count('cf_item'), await count('cf_association'), await changes()];
    const bad: Array<[unknown, string]> = [
      [{ CFItem: { fullStatement: '' } }, 'CFItem.fullStatement'],
      [{ CFItem: { fullStatement: 'x', colour: 'red' } }, 'CFItem.colour'],
      [{ CFItem: { fullStatement: 'x', educationLevel: [3] } }, 'CFItem.educationLevel'],
      [{ CFItem: { fullStatement: 'x', CFItemTypeURI: { identifier: '00000000-0000-4000-8000-000000000000' } } }, 'CFItem.CFItemTypeURI.identifier'],
      [{ CFItem: { fullStatement: 'x', statusStartDate: '2026-13-45' } }, 'CFItem.statusStartDate'],
      [{ CFItem: { fullStatement: 'x', language: 'ja jp' } }, 'CFItem.language'],
      [{ CFItem: { fullStatement: 'x' }, parent: '00000000-0000-4000-8000-000000000000' }, 'parent'],
      [{ CFItem: { fullStatement: 'x', identifier: ids['A'] } }, 'CFItem.identifier'],
      [{ CFItem: { fullStatement: 'x\u0000' } }, 'CFItem.fullStatement'],
    ];
    for (const [body, field] of bad) {
      const res = await call('POST', `/api/frameworks/${F}/items`, author, body);
      expect(res.statusCode, field).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, field).toBeLessThan(500);
      expect(res.json().error.field, res.body).toBe(field);
    }
    expect([await count('cf_item'), await count('cf_association'), await changes()]).toEqual(before);
  });

  it('needs If-Match to change an item (428), refuses a stale one (412): two authors never overwrite each other', async () => {
    const url = `/api/frameworks/${F}/items/${ids['A1']}`;
    const got = await call('GET', url, author);
    expect(got.statusCode).toBe(200);
    expect(err(await call('PATCH', url, author, { notes: 'x' }))).toMatchObject({ status: 428, code: 'precondition_required', field: 'If-Match' });
    const first = await call('PATCH', url, { ...author, 'if-match': etag(got) }, { notes: '先の変更' });
    expect(first.statusCode, first.body).toBe(200);
    expect(etag(first)).not.toBe(etag(got));
    const second = await call('PATCH', url, { ...author2, 'if-match': etag(got) }, { notes: '後の変更' });
    expect(err(second)).toMatchObject({ status: 412, code: 'precondition_failed', field: 'If-Match' });
    let now = await call('GET', url, author);
    expect(now.json().notes).toBe('先の変更');
    expect(etag(now)).toBe(etag(first));
    // At the same moment (on PostgreSQL truly concurrent): one wins, the other gets 412.
    const race = await Promise.all(['甲', '乙'].map((notes, i) => call('PATCH', url, { ...[author, author2][i]!, 'if-match': etag(now) }, { notes })));
    expect(race.map((r) => r.statusCode).sort()).toEqual([200, 412]);
    now = await call('GET', url, author);
    expect(now.json().notes).toBe(race.find((r) => r.statusCode === 200)!.json().notes);
    // PATCH null removes a field; PUT replaces them all; bad input names the field and keeps the item.
    const removed = await call('PATCH', url, { ...author, 'if-match': etag(now) }, { notes: null, educationLevel: ['04'] });
    expect(removed.json()).not.toHaveProperty('notes');
    expect(removed.json().educationLevel).toEqual(['04']);
    expect(err(await call('PUT', url, { ...author, 'if-match': etag(removed) }, { humanCodingScheme: 'A1' }))).toMatchObject({ status: 400, field: 'fullStatement' });
    const put = await call('PUT', url, { ...author, 'if-match': etag(removed) }, { fullStatement: 'A1 の新しい内容', humanCodingScheme: 'A1' });
    expect(put.statusCode, put.body).toBe(200);
    // The search index follows (docs/search.md).
    const found = (await call('GET', `/api/search?q=${encodeURIComponent('新しい内容')}&framework=${F}`, author)).json();
    expect(JSON.stringify(found)).toContain(ids['A1']);
    expect(put.json()).not.toHaveProperty('educationLevel');
    // The CASE API and its caches see the change at once; lastChangeDateTime of the item and of the document agree.
    const served = await call('GET', `/ims/case/v1p1/CFItems/${ids['A1']}`, writer);
    expect(served.json()).toMatchObject({ fullStatement: 'A1 の新しい内容', lastChangeDateTime: put.json().lastChangeDateTime });
    const doc = (await call('GET', `/ims/case/v1p1/CFDocuments/${F}`, writer)).json();
    expect(doc.lastChangeDateTime).toBe(put.json().lastChangeDateTime);
  });

  it('moves and reorders (isChildOf + sequenceNumber), refuses cycles, deletes with children only when asked', async () => {
    const move = async (code: string, body: unknown) => {
      const got = await call('GET', `/api/frameworks/${F}/items/${ids[code]}`, author);
      return call('PUT', `/api/frameworks/${F}/items/${ids[code]}/placement`, { ...author, 'if-match': etag(got) }, body);
    };
    await addItem('C');
    expect((await move('C', { parent: ids['A'], sequenceNumber: 1 })).statusCode).toBe(200);
    expect(shape((await tree()).children)).toEqual([['A', 1, [['C', 1], ['A2', 2], ['A1', 3]]], ['B', 2]]);
    expect((await move('A1', { parent: ids['A'], sequenceNumber: 1 })).statusCode).toBe(200);
    expect((await move('B', { parent: F, sequenceNumber: 1 })).statusCode).toBe(200);
    expect(shape((await tree()).children)).toEqual([['B', 1], ['A', 2, [['A1', 1], ['C', 2], ['A2', 3]]]]);
    expect(err(await move('A', { parent: ids['A1'] }))).toMatchObject({ status: 400, field: 'parent' });
    expect(err(await call('PUT', `/api/frameworks/${F}/items/${ids['A']}/placement`, author, { parent: F }))).toMatchObject({ status: 428 });
    // The CASE package has the same tree.
    const pkg = (await call('GET', `/ims/case/v1p1/CFPackages/${F}`, writer)).json();
    const childOf = pkg.CFAssociations.filter((a: any) => a.associationType === 'isChildOf' && a.destinationNodeURI.identifier === ids['A']);
    expect(childOf.sort((a: any, b: any) => a.sequenceNumber - b.sequenceNumber).map((a: any) => a.originNodeURI.identifier)).toEqual([ids['A1'], ids['C'], ids['A2']]);

    const a = await call('GET', `/api/frameworks/${F}/items/${ids['A']}`, author);
    expect(err(await call('DELETE', `/api/frameworks/${F}/items/${ids['A']}`, { ...author, 'if-match': etag(a) }))).toMatchObject({ status: 409, field: 'withChildren' });
    const c = await call('GET', `/api/frameworks/${F}/items/${ids['C']}`, author);
    expect((await call('DELETE', `/api/frameworks/${F}/items/${ids['C']}`, { ...author, 'if-match': etag(c) })).statusCode).toBe(204);
    expect(shape((await tree()).children)).toEqual([['B', 1], ['A', 2, [['A1', 1], ['A2', 2]]]]);
    expect((await call('GET', `/ims/case/v1p1/CFItems/${ids['C']}`, writer)).statusCode).toBe(404);
  });

  it('adds associations of every type, to items of other frameworks and outside Shirube', async () => {
    await addItem('X', undefined, undefined, G);
    const post = (body: unknown) => call('POST', `/api/frameworks/${F}/associations`, author, body);
    const cross = await post({ associationType: 'exactMatchOf', originNodeURI: { identifier: ids['A1'] }, destinationNodeURI: { identifier: ids['X'] } });
    expect(cross.statusCode, cross.body).toBe(201);
    expect(cross.json()).toMatchObject({ destinationNodeURI: { identifier: ids['X'], title: 'X', uri: `http://shirube.test/uri/${ids['X']}` }, CFDocumentURI: { identifier: F } });
    const ext = await post({ associationType: 'ext:alignsTo', originNodeURI: { identifier: ids['A2'] }, destinationNodeURI: { identifier: 'MA.4.NBT.1', uri: 'https://example.org/standards/MA.4.NBT.1', title: 'Place value' }, notes: 'vendor' });
    expect(ext.statusCode, ext.body).toBe(201);
    expect(ext.json().associationType).toBe('ext:alignsTo');
    for (const type of ['isPeerOf', 'isPartOf', 'precedes', 'isRelatedTo', 'exemplar', 'hasSkillLevel', 'isTranslationOf']) {
      expect((await post({ associationType: type, originNodeURI: { identifier: ids['A1'] }, destinationNodeURI: { identifier: ids['A2'] } })).statusCode, type).toBe(201);
    }
    expect(err(await post({ associationType: 'likes', originNodeURI: { identifier: ids['A1'] }, destinationNodeURI: { identifier: ids['A2'] } }))).toMatchObject({ status: 400, field: 'associationType' });
    expect(err(await post({ associationType: 'isRelatedTo', originNodeURI: { identifier: ids['A1'] }, destinationNodeURI: { identifier: 'nowhere' } }))).toMatchObject({ status: 400, field: 'destinationNodeURI.uri' });
    const items = (await call('GET', `/ims/case/v1p1/CFItemAssociations/${ids['X']}`, writer)).json();
    expect(items.CFAssociations.map((a: any) => a.identifier)).toContain(cross.json().identifier);
    // Change and delete with If-Match.
    const url = `/api/frameworks/${F}/associations/${ext.json().identifier}`;
    const changed = await call('PATCH', url, { ...author, 'if-match': etag(ext) }, { notes: null, sequenceNumber: 3 });
    expect(changed.json()).toMatchObject({ sequenceNumber: 3 });
    expect(changed.json()).not.toHaveProperty('notes');
    expect(err(await call('DELETE', url, { ...author, 'if-match': etag(ext) }))).toMatchObject({ status: 412 });
    expect((await call('DELETE', url, { ...author, 'if-match': etag(changed) })).statusCode).toBe(204);
  });

  it('definitions and rubrics take If-Match too; a definition items link to is not deleted', async () => {
    const url = `/api/frameworks/${F}/definitions/CFItemTypes/${ids['type']}`;
    const got = await call('GET', url, author);
    expect(err(await call('DELETE', url, { ...author, 'if-match': etag(got) }))).toMatchObject({ status: 409, field: 'definitionId' });
    const renamed = await call('PATCH', url, { ...author, 'if-match': etag(got) }, { title: '内容項目' });
    expect(renamed.json()).toMatchObject({ title: '内容項目', hierarchyCode: '1' });
    const rubricUrl = `/api/frameworks/${F}/rubrics/9b0c2f4e-1d3a-4b5c-8d6e-7f8091a2b3c4`;
    const rubric = { CFRubricCriteria: [{ CFItemURI: { identifier: ids['A1'] }, CFRubricCriterionLevels: [{ quality: 'A', score: 3 }, { quality: 'B', score: 2 }, { quality: 'C', score: 1 }] }] };
    const created = await call('PUT', rubricUrl, author, rubric);
    expect(created.statusCode, created.body).toBe(201);
    expect(err(await call('PUT', rubricUrl, author, rubric))).toMatchObject({ status: 428 });
    expect(etag(await call('GET', rubricUrl, author))).toBe(etag(created));
    expect((await call('PUT', rubricUrl, { ...author, 'if-match': etag(created) }, rubric)).statusCode).toBe(200);
  });

  it('audits every write', async () => {
    const log = (await call('GET', `/api/audit?framework=${F}&limit=1000`, author)).json().entries.map((e: any) => e.action);
    for (const a of ['framework.create', 'framework.item.create', 'framework.item.update', 'framework.item.move', 'framework.item.delete', 'framework.association.create',
      'framework.association.update', 'framework.association.delete', 'framework.definition.create', 'framework.definition.update', 'rubric.create', 'rubric.update']) {
      expect(log, a).toContain(a);
    }
  });
});

describe('(b) the adoption-status workflow', () => {
  const status = (body: unknown) => call('PUT', `/api/frameworks/${F}/adoption-status`, author, body);

  it('Draft is public; Adopted freezes the framework and a version; a change makes a new item with replacedBy', async () => {
    expect((await status({ adoptionStatus: 'Draft' })).statusCode).toBe(200);
    expect((await call('GET', `/ims/case/v1p1/CFDocuments/${F}`)).json()).toMatchObject({ adoptionStatus: 'Draft' });
    const adopted = await status({ adoptionStatus: 'Adopted', statusStartDate: '2026-04-01' });
    expect(adopted.json()).toMatchObject({ adoptionStatus: 'Adopted', version: 1, marks: { official: true, verified: true } });
    expect(etag(adopted)).toBe(etag(await call('GET', `/api/frameworks/${F}/document`, author)));
    expect((await call('GET', `/ims/case/v1p1/CFDocuments/${F}`)).json()).toMatchObject({ adoptionStatus: 'Adopted', statusStartDate: '2026-04-01' });
    // Official and verified (an organization registered here owns it): in CASE 1.1 extensions and on the /uri/ page.
    expect((await call('GET', `/ims/case/v1p1/CFDocuments/${F}`)).json().extensions).toEqual({ shirube: { official: true, verified: true } });
    expect((await call('GET', `/ims/case/v1p0/CFDocuments/${F}`)).json()).not.toHaveProperty('extensions');
    const page = (await call('GET', `/uri/${F}.html?lang=ja`)).body;
    expect(page).toContain('✔ 公式');
    expect(page).toContain('✔ 発行元確認済み');

    const a1 = await call('GET', `/api/frameworks/${F}/items/${ids['A1']}`, author);
    expect(err(await call('PATCH', `/api/frameworks/${F}/items/${ids['A1']}`, { ...author, 'if-match': etag(a1) }, { fullStatement: '変えた' }))).toMatchObject({ status: 409, field: 'fullStatement' });
    expect(err(await call('POST', `/api/frameworks/${F}/items`, author, { CFItem: { fullStatement: 'z' } }))).toMatchObject({ status: 409, field: 'CFItem' });
    const noted = await call('PATCH', `/api/frameworks/${F}/items/${ids['A1']}`, { ...author, 'if-match': etag(a1) }, { notes: '注記は変えられる' });
    expect(noted.statusCode, noted.body).toBe(200);

    const replaced = await call('POST', `/api/frameworks/${F}/items/${ids['A1']}/replacement`, author, { fullStatement: 'A1 の改訂版' });
    expect(replaced.statusCode, replaced.body).toBe(201);
    const newId = replaced.json().identifier;
    expect(replaced.json()).toMatchObject({ fullStatement: 'A1 の改訂版', humanCodingScheme: 'A1' });
    expect(shape((await tree()).children)).toEqual([['B', 1], ['A', 2, [['A1', 1], ['A2', 2]]]]);
    expect((await tree()).children[1].children[0].identifier).toBe(newId);
    const old = (await call('GET', `/ims/case/v1p1/CFItemAssociations/${ids['A1']}`, writer)).json();
    expect(old.CFItem.statusEndDate).toBe(new Date().toISOString().slice(0, 10));
    expect(old.CFAssociations.find((a: any) => a.associationType === 'replacedBy')).toMatchObject({ destinationNodeURI: { identifier: newId } });
    ids['A1v2'] = newId;
  });

  it('leaves official statuses only for Deprecated / Retired, or for a new version when asked', async () => {
    expect(err(await status({ adoptionStatus: 'Private Draft' }))).toMatchObject({ status: 409, field: 'adoptionStatus' });
    expect(err(await status({ adoptionStatus: 'Draft', statusStartDate: '2026-1-1' }))).toMatchObject({ status: 400, field: 'statusStartDate' });
    expect((await status({ adoptionStatus: 'Deprecated' })).json()).toMatchObject({ adoptionStatus: 'Deprecated' });
    const deprecated = (await call('GET', `/ims/case/v1p1/CFDocuments/${F}`)).json();
    expect(deprecated.statusEndDate).toBe(new Date().toISOString().slice(0, 10));
    expect(deprecated.extensions).toEqual({ shirube: { official: false, verified: true } });
    const reopened = await status({ adoptionStatus: 'Draft', newVersion: true });
    expect(reopened.json()).toMatchObject({ adoptionStatus: 'Draft' });
    expect((await call('GET', `/ims/case/v1p1/CFDocuments/${F}`)).json()).not.toHaveProperty('statusEndDate');
    const a2 = await call('GET', `/api/frameworks/${F}/items/${ids['A2']}`, author);
    expect((await call('PATCH', `/api/frameworks/${F}/items/${ids['A2']}`, { ...author, 'if-match': etag(a2) }, { fullStatement: 'A2 の第2版' })).statusCode).toBe(200);
    expect((await status({ adoptionStatus: 'Implemented' })).json()).toMatchObject({ adoptionStatus: 'Implemented', version: 2 });
  });
});

describe('(c) history, versions, diffs', () => {
  it('keeps every change with who, when, before and after', async () => {
    expect((await call('GET', `/api/frameworks/${F}/history`)).statusCode).toBe(401);
    const h = (await call('GET', `/api/frameworks/${F}/history?entity=${ids['A2']}&limit=1000`, author)).json();
    const updates = h.changes.filter((c: any) => c.action === 'update' && c.entityType === 'CFItem');
    expect(updates[0]).toMatchObject({ actor: `user:${author['userId']}`, before: { fullStatement: 'A2 の内容' }, after: { fullStatement: 'A2 の第2版' } });
    expect(h.changes.at(-1)).toMatchObject({ action: 'create', before: null, after: { identifier: ids['A2'] } });
    expect(Date.parse(h.changes[0].at)).toBeGreaterThan(Date.parse(h.changes.at(-1).at) - 1);
    expect(err(await call('GET', `/api/frameworks/${F}/history?since=yesterday`, author))).toMatchObject({ status: 400, field: 'since' });
    // An import replacing the framework is in its history too.
    const pkg = (await call('GET', `/api/frameworks/${G}/export`, author)).json();
    expect((await call('POST', '/api/frameworks/import', author, pkg)).statusCode).toBe(201);
    expect((await call('GET', `/api/frameworks/${G}/history?limit=1`, author)).json().changes[0]).toMatchObject({ action: 'import', entityType: 'CFPackage', after: { CFItems: 1, format: 'case-json' } });
  });

  it('lists published versions, serves them unchanged as CASE JSON and XLSX, and diffs any two', async () => {
    expect((await call('GET', `/api/frameworks/${F}/versions`)).json().versions.map((v: any) => [v.version, v.adoptionStatus])).toEqual([[1, 'Adopted'], [2, 'Implemented']]);
    const v1 = await call('GET', `/api/frameworks/${F}/versions/1`);
    expect(v1.statusCode).toBe(200);
    const pkg = v1.json();
    expect(pkg.CFDocument).toMatchObject({ identifier: F, adoptionStatus: 'Adopted' });
    expect(pkg.CFItems.find((i: any) => i.identifier === ids['A2']).fullStatement).toBe('A2 の内容');
    expect(pkg.CFItems.map((i: any) => i.identifier)).not.toContain(ids['A1v2']);
    expect((await call('GET', `/api/frameworks/${F}/versions/1`)).body).toBe(v1.body);
    const xlsx = await call('GET', `/api/frameworks/${F}/versions/1?format=xlsx`);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect(err(await call('GET', `/api/frameworks/${F}/versions/9`))).toMatchObject({ status: 404, field: 'version' });

    const diff = (await call('GET', `/api/frameworks/${F}/diff?from=1&to=2`, author)).json();
    expect(diff.CFItems.changed.find((c: any) => c.identifier === ids['A2']).fields).toEqual([{ field: 'fullStatement', before: 'A2 の内容', after: 'A2 の第2版' }]);
    expect(diff.CFDocument.find((c: any) => c.field === 'adoptionStatus')).toMatchObject({ before: 'Adopted', after: 'Implemented' });
    const none = (await call('GET', `/api/frameworks/${F}/diff?from=2`, author)).json();
    expect(none.CFItems).toEqual({ added: [], removed: [], changed: [] });
    const first = (await call('GET', `/api/frameworks/${F}/diff?from=1&to=current`, author)).json();
    expect(first.CFItems.added.map((i: any) => i.identifier)).toEqual([ids['A1v2']]);
    expect(err(await call('GET', `/api/frameworks/${F}/diff?from=x`, author))).toMatchObject({ status: 400, field: 'from' });
  });

  it('publishes the routes in the OpenAPI document', async () => {
    const doc = (await call('GET', '/openapi.json')).json();
    for (const p of ['/api/frameworks/{id}/items', '/api/frameworks/{id}/items/{itemId}', '/api/frameworks/{id}/items/{itemId}/placement', '/api/frameworks/{id}/tree',
      '/api/frameworks/{id}/associations/{associationId}', '/api/frameworks/{id}/definitions/{list}/{definitionId}', '/api/frameworks/{id}/history',
      '/api/frameworks/{id}/versions/{version}', '/api/frameworks/{id}/diff']) {
      expect(doc.paths, p).toHaveProperty([p]);
    }
    expect(doc.paths['/api/frameworks/{id}/items/{itemId}'].patch.requestBody.content['application/json'].schema.properties).toHaveProperty('fullStatement');
  });
});
