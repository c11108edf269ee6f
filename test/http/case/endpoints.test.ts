import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bearer, build, session, type TestApp } from '../../helper.js';
import type { CFPackage } from '../../../src/case/model.js';
import { ACT, LEGACY, SB, kitchenSink, operationOf, realPackage, schemaErrors, storePackage } from './support.js';

let t: TestApp;
const sink = kitchenSink('Kitchen sink');
const hidden = kitchenSink('Hidden draft', { adoptionStatus: 'Private Draft' });
const packages: Record<string, CFPackage> = { SB: realPackage(SB), ACT: realPackage(ACT), LEGACY: realPackage(LEGACY), sink };

beforeAll(async () => {
  t = await build();
  for (const pkg of [...Object.values(packages), hidden]) await storePackage(t, pkg);
}, 120_000);
afterAll(() => t.close());

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

/** Every single-resource URL the package offers, by endpoint (a sample of the big ones). */
function urlsOf(pkg: CFPackage): Array<[keyof typeof operationOf, string]> {
  const every = <T>(xs: T[] | undefined, n: number) => (xs ?? []).filter((_, i) => i % n === 0);
  const defs = pkg.CFDefinitions ?? {};
  return [
    ['CFDocuments', pkg.CFDocument.identifier],
    ['CFPackages', pkg.CFDocument.identifier],
    ...every(pkg.CFItems, 25).flatMap((i) => [['CFItems', i.identifier], ['CFItemAssociations', i.identifier]] as Array<[keyof typeof operationOf, string]>),
    ...every(pkg.CFAssociations, 100).map((a) => ['CFAssociations', a.identifier] as [keyof typeof operationOf, string]),
    ...(defs.CFConcepts ?? []).map((d) => ['CFConcepts', d.identifier] as [keyof typeof operationOf, string]),
    ...(defs.CFSubjects ?? []).map((d) => ['CFSubjects', d.identifier] as [keyof typeof operationOf, string]),
    ...(defs.CFLicenses ?? []).map((d) => ['CFLicenses', d.identifier] as [keyof typeof operationOf, string]),
    ...(defs.CFItemTypes ?? []).map((d) => ['CFItemTypes', d.identifier] as [keyof typeof operationOf, string]),
    ...(defs.CFAssociationGroupings ?? []).map((d) => ['CFAssociationGroupings', d.identifier] as [keyof typeof operationOf, string]),
    ...(pkg.CFRubrics ?? []).map((r) => ['CFRubrics', r.identifier] as [keyof typeof operationOf, string]),
  ];
}

/** Fields CASE 1.0 does not have (1.0 classes are additionalProperties: false). */
function only11(v: unknown, path = '', parentKey = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => only11(x, `${path}[${i}]`, parentKey));
  if (typeof v !== 'object' || v === null) return [];
  const o = v as Record<string, unknown>;
  const bad = ['extensions', 'caseVersion', 'frameworkType', 'targetType'].filter((k) => k in o);
  if ('associationType' in o) {
    if ('notes' in o) bad.push('notes');
    if (!['isChildOf', 'isPeerOf', 'isPartOf', 'exactMatchOf', 'precedes', 'isRelatedTo', 'replacedBy', 'exemplar', 'hasSkillLevel'].includes(o['associationType'] as string)) bad.push(`associationType=${o['associationType']}`);
  }
  if ('fullStatement' in o && ('subject' in o || 'subjectURI' in o)) bad.push('item subject');
  return [...bad.map((k) => `${path}.${k}`), ...Object.entries(o).flatMap(([k, x]) => only11(x, `${path}.${k}`, k))];
}

describe.each(Object.entries(packages))('%s', (name, pkg) => {
  test('every v1p1 endpoint answers 200 with a body valid against the official schema', async () => {
    for (const [endpoint, id] of urlsOf(pkg)) {
      const res = await get(`/ims/case/v1p1/${endpoint}/${id}`);
      expect(res.statusCode, `${endpoint}/${id}`).toBe(200);
      expect(schemaErrors(operationOf[endpoint], res.json()), `${name} ${endpoint}/${id}`).toEqual([]);
    }
  }, 120_000);

  test('every v1p0 endpoint answers 200 without CASE 1.1-only fields', async () => {
    for (const [endpoint, id] of urlsOf(pkg)) {
      const res = await get(`/ims/case/v1p0/${endpoint}/${id}`);
      expect(res.statusCode, `${endpoint}/${id}`).toBe(200);
      expect(only11(res.json()), `${name} ${endpoint}/${id}`).toEqual([]);
    }
  }, 120_000);

  test('the package holds every item, association and definition of the source', async () => {
    const body = (await get(`/ims/case/v1p1/CFPackages/${pkg.CFDocument.identifier}`)).json();
    expect(body.CFItems.map((i: { identifier: string }) => i.identifier)).toEqual(pkg.CFItems.map((i) => i.identifier));
    expect(new Set(body.CFAssociations.map((a: { identifier: string }) => a.identifier))).toEqual(new Set(pkg.CFAssociations.map((a) => a.identifier)));
    for (const list of ['CFConcepts', 'CFSubjects', 'CFLicenses', 'CFItemTypes', 'CFAssociationGroupings'] as const) {
      expect(body.CFDefinitions?.[list]?.length ?? 0, list).toBe(pkg.CFDefinitions?.[list]?.length ?? 0);
    }
  }, 60_000);
});

describe('CFPackage URI extras', () => {
  test('strict by default; ?uriExtras=1 adds CFPackageURI and CFDocumentURI (Smarter Balanced)', async () => {
    const id = packages['SB']!.CFDocument.identifier;
    const strict = (await get(`/ims/case/v1p1/CFPackages/${id}`)).json();
    expect(strict.CFDocument.CFPackageURI).toBeUndefined();
    expect(strict.CFItems.some((i: object) => 'CFDocumentURI' in i)).toBe(false);
    const extras = (await get(`/ims/case/v1p1/CFPackages/${id}?uriExtras=1`)).json();
    expect(extras.CFDocument.CFPackageURI).toEqual({
      title: 'Smarter Balanced Math Content Specification', identifier: id, uri: expect.stringContaining(id),
    });
    expect(extras.CFItems.every((i: { CFDocumentURI?: { identifier: string } }) => i.CFDocumentURI?.identifier === id)).toBe(true);
    expect(extras.CFAssociations.every((a: { CFDocumentURI?: { identifier: string } }) => a.CFDocumentURI?.identifier === id)).toBe(true);
    expect(schemaErrors('getCFPackage', extras).length).toBeGreaterThan(0);
  }, 60_000);

  test('SHIRUBE_CASE_URI_EXTRAS=1 makes extras the default; ?uriExtras=0 turns them off', async () => {
    const t2 = await build({ SHIRUBE_CASE_URI_EXTRAS: '1' });
    try {
      await storePackage(t2, packages['ACT']!);
      const id = packages['ACT']!.CFDocument.identifier;
      const on = await t2.app.inject(`/ims/case/v1p1/CFPackages/${id}`);
      expect(on.json().CFDocument.CFPackageURI.identifier).toBe(id);
      const off = await t2.app.inject(`/ims/case/v1p1/CFPackages/${id}?uriExtras=0`);
      expect(schemaErrors('getCFPackage', off.json())).toEqual([]);
    } finally {
      await t2.close();
    }
  }, 60_000);
});

describe('1.1 → 1.0', () => {
  test('the kitchen sink degrades: 1.1-only fields removed, isTranslationOf and ext: types become isRelatedTo', async () => {
    const v11 = (await get(`/ims/case/v1p1/CFPackages/${sink.CFDocument.identifier}`)).json();
    const v10 = (await get(`/ims/case/v1p0/CFPackages/${sink.CFDocument.identifier}`)).json();
    expect(v11.CFDocument).toMatchObject({ caseVersion: '1.1', frameworkType: 'CourseCodes', extensions: { docExt: true } });
    expect(v11.CFAssociations.map((a: { associationType: string }) => a.associationType)).toEqual(['isChildOf', 'isChildOf', 'isChildOf', 'isTranslationOf', 'ext:isPrerequisiteOf']);
    expect(v10.CFAssociations.map((a: { associationType: string }) => a.associationType)).toEqual(['isChildOf', 'isChildOf', 'isChildOf', 'isRelatedTo', 'isRelatedTo']);
    expect(v11.extensions).toEqual({ packageExt: 'yes' });
    expect(v11.CFDefinitions.extensions).toEqual({ defExt: 1 });
    expect(v10.extensions).toBeUndefined();
    expect(only11(v10)).toEqual([]);
    expect(v10.CFDocument.adoptionStatus).toBe('Implemented');
  });

  test('set endpoints return the definition first, then its children by hierarchyCode', async () => {
    const defs = sink.CFDefinitions!;
    const set = (await get(`/ims/case/v1p1/CFConcepts/${defs.CFConcepts![0]!.identifier}`)).json();
    expect(set.CFConcepts.map((c: { hierarchyCode: string }) => c.hierarchyCode)).toEqual(['1', '1.1']);
    const leaf = (await get(`/ims/case/v1p1/CFItemTypes/${defs.CFItemTypes![1]!.identifier}`)).json();
    expect(leaf.CFItemTypes.map((c: { title: string }) => c.title)).toEqual(['Component']);
  });

  test('a definition asked for under another kind is unknown', async () => {
    const license = sink.CFDefinitions!.CFLicenses![0]!.identifier;
    expect((await get(`/ims/case/v1p1/CFConcepts/${license}`)).statusCode).toBe(404);
  });
});

describe('errors', () => {
  test.each([['v1p1', 'invalid_uuid'], ['v1p0', 'invaliduuid']])('an invalid UUID is a 404 with %s codeMinor %s', async (v, minor) => {
    for (const bad of ['not-a-uuid', 'A33FC64E-5C40-11E7-82C4-3D54268AA9EE', '0190c0d2-7b1e-7c3a-9d7e-2a4b5c6d7e8f']) {
      const res = await get(`/ims/case/${v}/CFItems/${bad}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe(minor);
      if (v === 'v1p1') expect(schemaErrors('getCFItem', res.json(), true)).toEqual([]);
    }
  });

  test('an unknown identifier is 404 unknownobject on every endpoint, with a valid error body', async () => {
    const missing = '11111111-1111-4111-8111-111111111111';
    for (const [endpoint, operation] of Object.entries(operationOf)) {
      for (const v of ['v1p0', 'v1p1']) {
        const res = await get(`/ims/case/${v}/${endpoint}/${missing}`);
        expect(res.statusCode, `${v} ${endpoint}`).toBe(404);
        expect(res.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe('unknownobject');
        if (v === 'v1p1') expect(schemaErrors(operation, res.json(), true)).toEqual([]);
      }
    }
  });

  test('an unknown CASE path is a 404 in imsx_StatusInfo', async () => {
    const res = await get('/ims/case/v1p1/CFNothing/x');
    expect(res.statusCode).toBe(404);
    expect(schemaErrors('getCFItem', res.json(), true)).toEqual([]);
  });
});

describe('Private Draft', () => {
  const doc = hidden.CFDocument.identifier;
  const item = hidden.CFItems[0]!.identifier;
  const urls = urlsOf(hidden);

  test('a Private Draft framework and everything only it holds are unknown to the public', async () => {
    for (const [endpoint, id] of urls) {
      for (const v of ['v1p0', 'v1p1']) expect((await get(`/ims/case/${v}/${endpoint}/${id}`)).statusCode, `${v} ${endpoint}`).toBe(404);
    }
    const list = (await get('/ims/case/v1p1/CFDocuments')).json();
    expect(list.CFDocuments.map((d: { identifier: string }) => d.identifier)).not.toContain(doc);
  });

  test('a client with case:read sees it, privately cached', async () => {
    const auth = await bearer(t, ['case:read']);
    for (const [endpoint, id] of urls) {
      const res = await get(`/ims/case/v1p1/${endpoint}/${id}`, auth);
      expect(res.statusCode, endpoint).toBe(200);
      expect(schemaErrors(operationOf[endpoint], res.json()), endpoint).toEqual([]);
    }
    const res = await get(`/ims/case/v1p1/CFItems/${item}`, auth);
    expect(res.headers['cache-control']).toBe('private, no-cache');
    const list = (await get('/ims/case/v1p1/CFDocuments', auth)).json();
    expect(list.CFDocuments.map((d: { identifier: string }) => d.identifier)).toContain(doc);
  });

  test('a signed-in person without a role on it does not', async () => {
    const { cookie } = await session(t, []);
    expect((await get(`/ims/case/v1p1/CFDocuments/${doc}`, { cookie })).statusCode).toBe(404);
    expect((await get(`/ims/case/v1p1/CFItems/${item}`, { cookie })).statusCode).toBe(404);
  });

  test('a bad bearer token is a 401 in imsx_StatusInfo', async () => {
    const res = await get(`/ims/case/v1p0/CFDocuments/${doc}`, { authorization: 'Bearer nope' });
    expect(res.statusCode).toBe(401);
    expect(res.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe('unauthorisedrequest');
  });
});

describe('HTTP caching and CORS', () => {
  const url = `/ims/case/v1p1/CFItems/${sink.CFItems[0]!.identifier}`;

  test('ETag and Last-Modified, with 304 for If-None-Match and If-Modified-Since', async () => {
    const res = await get(url);
    const etag = res.headers['etag'] as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers['last-modified']).toBe(new Date('2024-04-01T09:00:00Z').toUTCString());
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    expect((await get(url)).headers['etag']).toBe(etag);
    const cached = await get(url, { 'if-none-match': etag });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');
    expect((await get(url, { 'if-none-match': '"other"' })).statusCode).toBe(200);
    expect((await get(url, { 'if-modified-since': res.headers['last-modified'] as string })).statusCode).toBe(304);
    expect((await get(url, { 'if-modified-since': 'Mon, 01 Jan 2024 00:00:00 GMT' })).statusCode).toBe(200);
    // 1.0 and 1.1 bodies differ, and so do their validators.
    expect((await get(url.replace('v1p1', 'v1p0'))).headers['etag']).not.toBe(etag);
  });

  test('any origin may read, and preflights are answered', async () => {
    expect((await get(url)).headers['access-control-allow-origin']).toBe('*');
    const pre = await t.app.inject({ method: 'OPTIONS', url, headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-headers']).toContain('Authorization');
    expect(pre.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('discovery', () => {
  test('the official CASE 1.1 OpenAPI document is served verbatim', async () => {
    const { readFileSync } = await import('node:fs');
    const { SHARED } = await import('../../helper.js');
    const res = await get('/ims/case/v1p1/discovery/imscasev1p1_openapi3_v1p0.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.body).toBe(readFileSync(`${SHARED}/spec/case/v1p1/openapi/imscasev1p1_openapi3_v1p0.json`, 'utf8'));
  });
});

test('every CASE route is in the OpenAPI document of the server, for both versions', async () => {
  const doc = (await get('/openapi.json')).json();
  for (const v of ['v1p0', 'v1p1']) {
    expect(doc.paths).toHaveProperty([`/ims/case/${v}/CFDocuments`]);
    for (const endpoint of Object.keys(operationOf)) expect(doc.paths, `${v} ${endpoint}`).toHaveProperty([`/ims/case/${v}/${endpoint}/{sourcedId}`]);
  }
  expect(doc.paths).toHaveProperty(['/uri/{identifier}']);
  expect(doc.paths).toHaveProperty(['/uri/code/{code}']);
});
