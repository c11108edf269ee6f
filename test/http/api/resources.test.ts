import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, build, session, sessionOf, type TestApp } from '../../helper.js';
import { MATH_2017_DOCUMENT } from '../../../src/progress/index.js';
import { answered, demoClass, post } from '../../progress/fixture.js';

/**
 * Learning resources aligned to CFItems (docs/resources.md): registered by teachers, authors, administrators and
 * vendors' API clients (resources:write), one at a time or from CSV; every write authorised and audited, bad input a
 * 400 naming the field; listed on the item's detail (the map's panel) and the next steps. Both databases.
 */
const G4_DIV = '8250243121100000'; // 4年 除法 (ア)
const G4_DIV_B = '8250243121200000';
let t: TestApp;
let d: Awaited<ReturnType<typeof demoClass>>;
let admin: Record<string, string>;
let teacher: Record<string, string>;
let otherTeacher: Record<string, string>;
let learner: Record<string, string>;
let learnerId: string;
let vendor: Record<string, string>;
let reader: Record<string, string>;
const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown, contentType?: string) =>
  t.app.inject({ method, url, headers: { ...headers, ...(contentType ? { 'content-type': contentType } : {}) }, ...(payload === undefined ? {} : { payload: payload as string }) });
const itemId = (code: string) => d.structure.items.find((i) => i.code === code)!.id;
const audits = async (action: string) => t.store.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();
const count = async () => Number((await t.store.db.selectFrom('learning_resource' as never).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

beforeAll(async () => {
  t = await build();
  d = await demoClass(t);
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  teacher = await sessionOf(t, d.teacherUserId);
  otherTeacher = await session(t, [{ role: 'teacher', scopeType: 'class', scopeId: 'another-class' }]);
  learner = await sessionOf(t, d.learnerUserIds[0]!);
  learnerId = (await inject('GET', '/api/me', learner)).json().learnerId;
  vendor = await bearer(t, ['resources:write']);
  reader = await bearer(t, ['xapi:statements/write']);
}, 120_000);
afterAll(() => t.close());

describe('registering a resource', () => {
  it('a teacher registers a drill by Course of Study Code: 201, aligned, LRMI alignment, audited; again the same URL replaces it', async () => {
    const body = { title: 'わり算ドリル 1', url: 'https://drills.example.org/div/1', type: 'drill', language: 'ja', provider: 'Example drills', items: [G4_DIV] };
    const r = await inject('POST', '/api/resources', teacher, body);
    expect(r.statusCode, r.body).toBe(201);
    const res = r.json();
    expect(res).toMatchObject({ title: 'わり算ドリル 1', url: 'https://drills.example.org/div/1', type: 'drill', language: 'ja', provider: 'Example drills', learningResourceType: 'practice' });
    expect(res.items).toEqual([expect.objectContaining({ id: itemId(G4_DIV), code: G4_DIV, uri: `${t.config.publicUrl}/uri/${itemId(G4_DIV)}`, framework: expect.objectContaining({ identifier: MATH_2017_DOCUMENT }) })]);
    expect(res.educationalAlignment).toEqual([{ '@type': 'AlignmentObject', alignmentType: 'teaches', educationalFramework: expect.stringContaining('算数'), targetName: G4_DIV, targetUrl: `${t.config.publicUrl}/uri/${itemId(G4_DIV)}`, targetDescription: expect.any(String) }]);
    expect((await audits('resource.create')).map((a) => a.target_id)).toEqual([res.id]);
    const again = await inject('POST', '/api/resources', teacher, { ...body, title: 'わり算ドリル 1（改）', items: [G4_DIV, itemId(G4_DIV_B)] });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: res.id, title: 'わり算ドリル 1（改）' });
    expect(again.json().items.map((i: { code: string }) => i.code)).toEqual([G4_DIV, G4_DIV_B].sort((a, b) => (itemId(a) < itemId(b) ? -1 : 1)));
    expect(await audits('resource.update')).toHaveLength(1);
  });

  it('refuses bad input with a 400 naming the field, storing nothing', async () => {
    const ok = { title: 'x', url: 'https://example.org/x', items: [G4_DIV] };
    const before = await count();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...ok, url: 'javascript:alert(1)' }, 'url'],
      [{ ...ok, url: 'ftp://example.org/x' }, 'url'],
      [{ ...ok, url: 'not a url' }, 'url'],
      [{ ...ok, url: 'https://user:pw@example.org/' }, 'url'],
      [{ ...ok, title: '   ' }, 'title'],
      [{ ...ok, type: 'game' }, 'type'],
      [{ ...ok, language: 'Japanese!' }, 'language'],
      [{ ...ok, items: [] }, 'items'],
      [{ ...ok, items: ['9999999999999999'] }, 'items.0'],
      [{ ...ok, items: [G4_DIV, 'https://elsewhere.example/ims/case/v1p1/CFItems/00000000-0000-4000-8000-000000000000'] }, 'items.1'],
      [{ url: ok.url, items: ok.items }, 'title'],
    ];
    for (const [payload, field] of cases) {
      const r = await inject('POST', '/api/resources', teacher, payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error.field, JSON.stringify(payload)).toBe(field);
      expect(r.json().error.message).toContain(field);
    }
    expect(await count()).toBe(before);
  });

  it('lets learners and other API clients not register (403), nobody signed in 401; a vendor’s client with resources:write does', async () => {
    const body = { title: '動画: わり算', url: 'https://videos.example.org/div', type: 'video', items: [itemId(G4_DIV)] };
    expect((await inject('POST', '/api/resources', learner, body)).statusCode).toBe(403);
    expect((await inject('POST', '/api/resources', reader, body)).statusCode).toBe(403);
    expect((await inject('POST', '/api/resources', {}, body)).statusCode).toBe(401);
    const r = await inject('POST', '/api/resources', vendor, { ...body, items: [`${t.config.publicUrl}/uri/${itemId(G4_DIV)}`] });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().id;
    expect((await audits('resource.create')).find((a) => a.target_id === id)!.actor).toMatch(/^client:/);
    // The vendor changes its own; another teacher may not; an administrator may remove it.
    expect((await inject('PUT', `/api/resources/${id}`, vendor, { ...body, title: '動画: わり算のしかた' })).json().title).toBe('動画: わり算のしかた');
    expect((await inject('PUT', `/api/resources/${id}`, otherTeacher, body)).statusCode).toBe(403);
    expect((await inject('DELETE', `/api/resources/${id}`, otherTeacher)).statusCode).toBe(403);
    expect((await inject('DELETE', `/api/resources/${id}`, admin)).statusCode).toBe(204);
    expect((await inject('GET', `/api/resources/${id}`, teacher)).statusCode).toBe(404);
    expect((await audits('resource.delete')).map((a) => [a.target_id, a.actor])).toEqual([[id, `user:${admin['userId']}`]]);
  });
});

describe('CSV import', () => {
  it('registers every row (codes by space or semicolon), all or nothing: a bad row is a 400 naming its line', async () => {
    const before = await count();
    const badCsv = `title,url,type,codes\n除法の練習,https://example.org/a,drill,${G4_DIV}\n除法の動画,javascript:alert(1),video,${G4_DIV}\n`;
    const bad = await inject('POST', '/api/resources/import', teacher, badCsv, 'text/csv');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('line 3.url');
    const unknown = await inject('POST', '/api/resources/import', teacher, `title,url,type,codes\nx,https://example.org/x,drill,${G4_DIV};1234\n`, 'text/csv');
    expect(unknown.json().error.field).toBe('line 2.codes');
    expect((await inject('POST', '/api/resources/import', teacher, 'name,link\na,b\n', 'text/csv')).json().error.field).toBe('title');
    expect(await count()).toBe(before);
    const csv = `title,url,type,codes,language,provider\n除法の練習,https://example.org/a,drill,${G4_DIV} ${G4_DIV_B},ja,\nDivision video,https://example.org/b,video,${G4_DIV_B},en,Example\n`;
    const r = await inject('POST', '/api/resources/import', teacher, csv, 'text/csv');
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ created: 2, updated: 0 });
    expect(r.json().resources.map((x: { title: string; language: string; items: unknown[] }) => [x.title, x.language, x.items.length])).toEqual([
      ['除法の練習', 'ja', 2],
      ['Division video', 'en', 1],
    ]);
    expect((await inject('POST', '/api/resources/import', teacher, csv, 'text/csv')).json()).toMatchObject({ created: 0, updated: 2 });
    expect(await count()).toBe(before + 2);
    expect((await audits('resource.import')).map((a) => (a.details as { rows: number }).rows)).toEqual([2, 2]);
    expect((await inject('POST', '/api/resources/import', learner, csv, 'text/csv')).statusCode).toBe(403);
  });
});

describe('where resources show', () => {
  it('lists an item’s resources by code or id, and the learner’s item detail and next steps link to them', async () => {
    const byCode = (await inject('GET', `/api/resources?item=${G4_DIV_B}`, learner)).json();
    expect(byCode.resources.map((r: { title: string }) => r.title)).toEqual(['Division video', 'わり算ドリル 1（改）', '除法の練習']);
    expect((await inject('GET', `/api/resources?item=${itemId(G4_DIV_B)}`, learner)).json().total).toBe(3);
    expect((await inject('GET', '/api/resources?item=nothing-here', learner)).json().error.field).toBe('item');
    expect((await inject('GET', '/api/resources', {})).statusCode).toBe(401);
    const detail = (await inject('GET', `/api/progress/learners/${learnerId}/items/${itemId(G4_DIV)}?framework=${MATH_2017_DOCUMENT}`, learner)).json();
    expect(detail.resources.map((r: { title: string; url: string }) => [r.title, r.url])).toEqual([
      ['わり算ドリル 1（改）', 'https://drills.example.org/div/1'],
      ['除法の練習', 'https://example.org/a'],
    ]);
    // Next steps: a 4th grader who has started 除法 (ア) sees it among the next steps with its resources.
    await post(t, d.writer, [answered(d.agents[0]!, G4_DIV, false, '2025-06-01T01:00:00Z')]);
    const next = (await inject('GET', `/api/progress/learners/${learnerId}/next-steps?framework=${MATH_2017_DOCUMENT}&limit=100`, learner)).json();
    const step = next.items.find((s: { item: { code: string } }) => s.item.code === G4_DIV);
    expect(step.resources.map((r: { title: string }) => r.title)).toEqual(['わり算ドリル 1（改）', '除法の練習']);
    expect(next.items.filter((s: { resources: unknown[] }) => s.resources.length).length).toBeGreaterThanOrEqual(1);
  });
});
