import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build, type TestApp } from '../../helper.js';
import { ACT, LEGACY, kitchenSink, realPackage, schemaErrors, storePackage } from './support.js';

let t: TestApp;
const names = ['Alpha', 'beta', 'Gamma', 'delta', 'Epsilon'];
beforeAll(async () => {
  t = await build();
  for (const n of names) await storePackage(t, kitchenSink(n));
  await storePackage(t, realPackage(ACT));
  await storePackage(t, realPackage(LEGACY));
  await storePackage(t, kitchenSink('Secret', { adoptionStatus: 'Private Draft' }));
}, 60_000);
afterAll(() => t.close());

const list = async (query: string, v = 'v1p1') => {
  const res = await t.app.inject(`/ims/case/${v}/CFDocuments${query}`);
  return { res, titles: res.statusCode === 200 ? res.json().CFDocuments.map((d: { title?: string }) => d.title) : [] };
};

describe('getAllCFDocuments', () => {
  test('every public document, in the default order (title, Unicode collation), valid against the schema', async () => {
    const { res, titles } = await list('');
    expect(res.statusCode).toBe(200);
    expect(titles).toEqual(['ACT Holistic Framework, Math', 'Alpha', 'beta', 'delta', 'Epsilon', 'Gamma', 'What Standards Could Be']);
    expect(schemaErrors('getAllCFDocuments', res.json())).toEqual([]);
    expect(res.headers['x-total-count']).toBe('7');
  });

  test('limit/offset with X-Total-Count and first/prev/next/last links that keep the other parameters', async () => {
    const { res, titles } = await list("?limit=2&offset=2&filter=creator%3D'Shirube%20tests'");
    expect(titles).toEqual(['delta', 'Epsilon']);
    expect(res.headers['x-total-count']).toBe('5');
    const links = Object.fromEntries(String(res.headers['link']).split(', ').map((l) => {
      const [, url, rel] = /^<([^>]+)>; rel="(\w+)"$/.exec(l)!;
      const u = new URL(url!);
      return [rel, `${u.origin}${u.pathname} ${u.searchParams.get('limit')} ${u.searchParams.get('offset')} ${u.searchParams.get('filter')}`];
    }));
    const base = 'http://shirube.test/ims/case/v1p1/CFDocuments';
    expect(links).toEqual({
      first: `${base} 2 0 creator='Shirube tests'`,
      prev: `${base} 2 0 creator='Shirube tests'`,
      next: `${base} 2 4 creator='Shirube tests'`,
      last: `${base} 2 4 creator='Shirube tests'`,
    });
  });

  test('sort and orderBy', async () => {
    expect((await list('?sort=title&orderBy=desc')).titles.slice(0, 3)).toEqual(['What Standards Could Be', 'Gamma', 'Epsilon']);
    expect((await list('?sort=lastChangeDateTime&orderBy=asc')).titles[0]).toBe('What Standards Could Be');
  });

  test('an unknown sort field: 200, default order, and a warning saying invalid_sort_field', async () => {
    const { res, titles } = await list('?sort=colour');
    expect(res.statusCode).toBe(200);
    expect(titles[0]).toBe('ACT Holistic Framework, Math');
    expect(res.headers['warning']).toMatch(/^299 - ".*invalid_sort_field/);
  });

  test('filter: case-insensitive, AND/OR, nested fields, 1.1 fields only under v1p1', async () => {
    expect((await list("?filter=title%3D'ALPHA'%20OR%20title%3D'gamma'")).titles).toEqual(['Alpha', 'Gamma']);
    expect((await list(`?filter=${encodeURIComponent("licenseURI.title~'cc by' AND title>'D'")}`)).titles).toEqual(['delta', 'Epsilon', 'Gamma']);
    expect((await list(`?filter=${encodeURIComponent("frameworkType='coursecodes'")}`)).titles).toHaveLength(5);
    const v10 = await list(`?filter=${encodeURIComponent("frameworkType='coursecodes'")}`, 'v1p0');
    expect(v10.res.statusCode).toBe(400);
  });

  test('an unknown filter field: no data, 400 imsx_StatusInfo naming filter', async () => {
    const { res } = await list(`?filter=${encodeURIComponent("colour='red'")}`);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.CFDocuments).toBeUndefined();
    expect(body.imsx_codeMinor.imsx_codeMinorField[0]).toEqual({ imsx_codeMinorFieldName: 'filter', imsx_codeMinorFieldValue: 'invalid_selection_field' });
    expect(body.imsx_description).toContain('invalid_filter_field');
    expect(schemaErrors('getAllCFDocuments', body, true)).toEqual([]);
  });

  test('a malformed filter is a 400 naming filter', async () => {
    const { res } = await list(`?filter=${encodeURIComponent("title='x")}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldName).toBe('filter');
  });

  test('fields: only those; unknown → all; blank → 400 invalid_selection_field', async () => {
    const only = (await list('?fields=identifier,title&limit=1')).res.json().CFDocuments[0];
    expect(Object.keys(only)).toEqual(['identifier', 'title']);
    const all = (await list('?fields=identifier,colour&limit=1')).res.json().CFDocuments[0];
    expect(Object.keys(all)).toContain('CFPackageURI');
    const blank = (await list('?fields=')).res;
    expect(blank.statusCode).toBe(400);
    expect(blank.json().imsx_codeMinor.imsx_codeMinorField[0]).toEqual({ imsx_codeMinorFieldName: 'fields', imsx_codeMinorFieldValue: 'invalid_selection_field' });
  });

  test.each([['limit=0', 'limit'], ['limit=x', 'limit'], ['offset=-1', 'offset'], ['orderBy=up', 'orderBy']])('bad %s is a 400 naming %s', async (q, field) => {
    const { res } = await list(`?${q}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldName).toContain(field);
    expect(schemaErrors('getAllCFDocuments', res.json(), true)).toEqual([]);
  });

  test('ETag and 304 on the list too', async () => {
    const { res } = await list('');
    const again = await t.app.inject({ url: '/ims/case/v1p1/CFDocuments', headers: { 'if-none-match': res.headers['etag'] as string } });
    expect(again.statusCode).toBe(304);
  });
});
