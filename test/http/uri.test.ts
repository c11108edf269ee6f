import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bearer, build, type TestApp } from '../helper.js';
import { localUri, type CFPackage } from '../../src/case/model.js';
import { kitchenSink, schemaErrors, storePackage } from './case/support.js';

/** The kitchen sink with 16-digit Course of Study Codes and a statement that must be escaped. */
function courseOfStudy(name: string, codes: string[], status?: string): CFPackage {
  const pkg = kitchenSink(name, status ? { adoptionStatus: status } : {});
  pkg.CFItems = pkg.CFItems.map((i, n) => ({ ...i, humanCodingScheme: codes[n]!, fullStatement: n === 2 ? `<script>alert("${name}")</script> & 数と計算` : `${name} 項目${n + 1}` }));
  return pkg;
}

let t: TestApp;
const cos = courseOfStudy('算数', ['8260200000000000', '8260210000000000', '8260211000000000']);
const twin = courseOfStudy('算数 (別版)', ['8260200000000000', '8260210000000001', '8260211000000001']);
const notCos = courseOfStudy('Not a Course of Study', ['8260210000000000', '1', '2']);
const draft = courseOfStudy('下書き', ['8260299999999999', '8260299999999998', '8260299999999997'], 'Private Draft');

beforeAll(async () => {
  t = await build();
  await storePackage(t, cos, { isCourseOfStudy: true });
  await storePackage(t, twin, { isCourseOfStudy: true });
  await storePackage(t, notCos);
  await storePackage(t, draft, { isCourseOfStudy: true });
}, 60_000);
afterAll(() => t.close());

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const [item1, item2, item3] = cos.CFItems.map((i) => i.identifier) as [string, string, string];

describe('JSON', () => {
  test('no Accept, Accept: application/json and the .json suffix give the CASE 1.1 JSON of each kind', async () => {
    for (const [id, op] of [
      [item2, 'getCFItem'], [cos.CFDocument.identifier, 'getCFDocument'], [cos.CFAssociations[0]!.identifier, 'getCFAssociation'],
      [cos.CFDefinitions!.CFLicenses![0]!.identifier, 'getCFLicense'], [cos.CFRubrics![0]!.identifier, 'getCFRubric'],
    ] as const) {
      for (const [url, headers] of [[`/uri/${id}`, {}], [`/uri/${id}`, { accept: 'application/json' }], [`/uri/${id}.json`, HTML]] as const) {
        const res = await get(url, headers);
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['content-type']).toContain('application/json');
        expect(schemaErrors(op, res.json()), `${op} ${url}`).toEqual([]);
      }
    }
    expect((await get(`/uri/${item2}`)).json().identifier).toBe(item2);
  });

  test('a concept is served as the object itself', async () => {
    const concept = cos.CFDefinitions!.CFConcepts![0]!;
    expect((await get(`/uri/${concept.identifier}`)).json()).toMatchObject({ identifier: concept.identifier, title: concept.title, hierarchyCode: '1' });
  });

  test('unknown → 404 imsx_StatusInfo; caching headers and CORS', async () => {
    const res = await get('/uri/11111111-1111-4111-8111-111111111111');
    expect(res.statusCode).toBe(404);
    expect(schemaErrors('getCFItem', res.json(), true)).toEqual([]);
    const ok = await get(`/uri/${item1}`);
    expect(ok.headers['access-control-allow-origin']).toBe('*');
    expect((await get(`/uri/${item1}`, { 'if-none-match': ok.headers['etag'] as string })).statusCode).toBe(304);
  });
});

describe('HTML', () => {
  test('an item page in Japanese by default: statement, code, type, level, breadcrumb, children, associations, JSON link', async () => {
    const res = await get(`/uri/${item2}`, HTML);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-language']).toBe('ja');
    const page = res.body;
    expect(page).toContain('<html lang="ja">');
    expect(page).toContain('算数 項目2');
    expect(page).toContain('学習指導要領コード');
    expect(page).toContain('8260210000000000');
    expect(page).toContain('Standard');
    expect(page).toContain('06');
    // Breadcrumb: the framework, then the parent item, then this one.
    const crumbs = /<nav aria-label="階層"><ol>(.*?)<\/ol><\/nav>/s.exec(page)![1]!;
    expect(crumbs.indexOf(`/uri/${cos.CFDocument.identifier}?lang=ja`)).toBeLessThan(crumbs.indexOf(`/uri/${item1}?lang=ja`));
    expect(crumbs).toContain('aria-current="page"');
    // Children: item 3, by code and abbreviated statement.
    expect(page).toContain(`<a href="/uri/${item3}?lang=ja">8260211000000000 Abbr 3</a>`);
    expect(page).toContain(`href="/uri/${item2}.json"`);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });

  test('everything from the data is escaped', async () => {
    const page = (await get(`/uri/${item3}`, HTML)).body;
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('&lt;script&gt;alert(&quot;算数&quot;)&lt;/script&gt; &amp; 数と計算');
  });

  test('associations across, with their type and direction; targets outside Shirube as text', async () => {
    const page = (await get(`/uri/${item1}?lang=en`, HTML)).body;
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('Course of Study Code');
    expect(page).toContain('is translation of');
    expect(page).toContain('ext:isPrerequisiteOf');
    expect(page).toContain('<code>urn:x:42</code>');
    expect(page).toContain('to this item');
  });

  test('English from Accept-Language; Japanese when it prefers Japanese', async () => {
    expect((await get(`/uri/${item1}`, { ...HTML, 'accept-language': 'en-US,en;q=0.9,ja;q=0.5' })).body).toContain('<html lang="en">');
    expect((await get(`/uri/${item1}`, { ...HTML, 'accept-language': 'ja,en;q=0.5' })).body).toContain('<html lang="ja">');
    expect((await get(`/uri/${item1}`, { ...HTML, 'accept-language': 'fr' })).body).toContain('<html lang="ja">');
  });

  test('a document page lists its top-level items; association and definition pages render', async () => {
    const doc = (await get(`/uri/${cos.CFDocument.identifier}`, HTML)).body;
    expect(doc).toContain(`href="/uri/${item1}?lang=ja"`);
    expect(doc).not.toContain(`href="/uri/${item2}?lang=ja"`);
    const assoc = await get(`/uri/${cos.CFAssociations[1]!.identifier}`, HTML);
    expect(assoc.statusCode).toBe(200);
    expect(assoc.body).toContain(`href="/uri/${item2}?lang=ja"`);
    const license = await get(`/uri/${cos.CFDefinitions!.CFLicenses![0]!.identifier}?lang=en`, HTML);
    expect(license.body).toContain('License (CFLicense)');
  });

  test('unknown → a 404 page', async () => {
    const res = await get('/uri/11111111-1111-4111-8111-111111111111', HTML);
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('見つかりません');
  });
});

describe('Private Draft', () => {
  const id = draft.CFItems[0]!.identifier;
  test('invisible anonymously, visible with case:read', async () => {
    expect((await get(`/uri/${id}`)).statusCode).toBe(404);
    expect((await get(`/uri/${id}`, HTML)).statusCode).toBe(404);
    expect((await get('/uri/code/8260299999999999')).statusCode).toBe(404);
    const auth = await bearer(t, ['case:read']);
    expect((await get(`/uri/${id}`, auth)).statusCode).toBe(200);
    expect((await get('/uri/code/8260299999999999', auth)).statusCode).toBe(302);
  });
});

describe('/uri/code/{Course of Study Code}', () => {
  test('one match → 302 to its /uri (only Course of Study frameworks count)', async () => {
    const res = await get('/uri/code/8260210000000000?lang=en');
    expect(res.statusCode).toBe(302);
    expect(res.headers['location']).toBe(`http://shirube.test/uri/${item2}?lang=en`);
  });

  test('several matches → 300 with the choices', async () => {
    const res = await get('/uri/code/8260200000000000');
    expect(res.statusCode).toBe(300);
    expect(res.json().choices.map((c: { identifier: string }) => c.identifier).sort()).toEqual([item1, twin.CFItems[0]!.identifier].sort());
    const page = await get('/uri/code/8260200000000000', HTML);
    expect(page.statusCode).toBe(300);
    expect(page.body).toContain(`href="/uri/${item1}?lang=ja"`);
  });

  test('not 16 digits → 400 naming code; unknown → 404', async () => {
    const bad = await get('/uri/code/82602');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldName).toBe('code');
    expect((await get('/uri/code/9999999999999999')).statusCode).toBe(404);
  });
});

describe('authored URIs follow SHIRUBE_PUBLIC_URL', () => {
  test.each(['https://a.example', 'https://b.example/shirube'])('%s', async (publicUrl) => {
    const t2 = await build({ SHIRUBE_PUBLIC_URL: publicUrl });
    try {
      const pkg = kitchenSink('Authored here');
      pkg.CFDocument = { ...pkg.CFDocument, uri: localUri(pkg.CFDocument.identifier) };
      pkg.CFItems = pkg.CFItems.map((i) => ({ ...i, uri: localUri(i.identifier), CFDocumentURI: { title: 'Authored here', identifier: pkg.CFDocument.identifier, uri: localUri(pkg.CFDocument.identifier) } }));
      await storePackage(t2, pkg, { authored: true });
      const id = pkg.CFItems[0]!.identifier;
      const item = (await t2.app.inject(`/uri/${id}`)).json();
      expect(item.uri).toBe(`${publicUrl}/uri/${id}`);
      expect(item.CFDocumentURI.uri).toBe(`${publicUrl}/uri/${pkg.CFDocument.identifier}`);
      const viaApi = (await t2.app.inject(`/ims/case/v1p1/CFPackages/${pkg.CFDocument.identifier}`)).json();
      expect(viaApi.CFDocument.uri).toBe(`${publicUrl}/uri/${pkg.CFDocument.identifier}`);
      expect(JSON.stringify(viaApi)).not.toContain('shirube-local:');
    } finally {
      await t2.close();
    }
  }, 60_000);
});
