import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, build, session, type TestApp } from '../../helper.js';
import { FRAMEWORKS, SB } from '../case/support.js';
import { ensureShippedFrameworks } from '../../../src/case/demo.js';
import { importCaseJson } from '../../../src/case/import/case-json.js';
import { setFrameworkAdoptionStatus } from '../../../src/case/frameworks.js';
import { listDocuments, loadPackage } from '../../../src/store/case.js';

/**
 * GET /api/search (docs/search.md) over 算数 and 理科 (Japanese, Course of Study Codes), Smarter Balanced (English,
 * Draft, grades) and ACT as a Private Draft. Every expected answer is computed by a plain scan of the stored packages
 * (each word a substring of the item's NFKC, lower-case text), never written down. Both databases.
 */
let t: TestApp;
let admin: Record<string, string>;
let reader: Record<string, string>;
let math: string;
let science: string;
let sb: string;
let act: string;
const SB_JSON = JSON.parse(readFileSync(join(FRAMEWORKS, SB), 'utf8'));
const ACT_JSON = JSON.parse(readFileSync(join(FRAMEWORKS, 'act-holistic-framework-math.v1p0.cfpackage.json'), 'utf8'));

const get = async (query: Record<string, string | number>, headers: Record<string, string> = {}) => {
  const r = await t.app.inject({ method: 'GET', url: `/api/search?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`, headers });
  return { status: r.statusCode, body: r.json() };
};
type Hit = { identifier: string; humanCodingScheme: string | null; fullStatement: string; educationLevel: string[]; match: string; uri: string; framework: { identifier: string } };
const norm = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ');

const packages = new Map<string, NonNullable<Awaited<ReturnType<typeof loadPackage>>>>();
/** The oracle: (framework, item) pairs of these frameworks whose text holds every word (a scan of the packages). */
async function scan(frameworks: string[], words: string[], keep: (p: Record<string, unknown>) => boolean = () => true): Promise<string[]> {
  const out: string[] = [];
  for (const id of frameworks) {
    if (!packages.has(id)) packages.set(id, (await loadPackage(t.store.db, id))!);
    const pkg = packages.get(id)!;
    for (const i of pkg.items) {
      const p = i.payload;
      const text = norm([p['humanCodingScheme'], p['abbreviatedStatement'], p['fullStatement'], p['alternativeLabel'], ...((p['conceptKeywords'] as string[]) ?? []), p['CFItemType'], p['notes']].filter((x) => typeof x === 'string').join(' '));
      if (words.every((w) => text.includes(norm(w))) && keep(p)) out.push(`${id} ${i.identifier}`);
    }
  }
  return out.sort();
}
const pairs = (items: Hit[]) => items.map((h) => `${h.framework.identifier} ${h.identifier}`).sort();
/** Every page of a search, following nextCursor. */
async function all(query: Record<string, string | number>, headers: Record<string, string> = {}): Promise<Hit[]> {
  const out: Hit[] = [];
  let cursor: string | null = null;
  do {
    const r = await get({ ...query, limit: 100, ...(cursor ? { cursor } : {}) }, headers);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    out.push(...r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor);
  return out;
}

beforeAll(async () => {
  t = await build();
  [math, science] = (await ensureShippedFrameworks(t.store.db, () => {})) as [string, string];
  sb = (await importCaseJson(t.store.db, SB_JSON)).identifier;
  act = (await importCaseJson(t.store.db, ACT_JSON)).identifier;
  await setFrameworkAdoptionStatus(t.store.db, act, 'Private Draft', { actor: 'test' });
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  reader = await bearer(t, ['case:read']);
}, 120_000);
afterAll(() => t.close());

describe('words in Japanese and English', () => {
  it('finds Japanese words written without spaces, one kanji, and several words together, as the scan does', async () => {
    for (const q of ['分数', '円', '電気の通り道', '乗法 筆算', '図形 面積 求め']) {
      const words = q.split(' ');
      const expected = await scan([math, science, sb], words);
      expect(expected.length, q).toBeGreaterThan(0);
      const got = await all({ q });
      expect(pairs(got), q).toEqual(expected);
      expect(got.every((h) => h.match === 'text' && h.uri === `${t.config.publicUrl}/uri/${h.identifier}`)).toBe(true);
    }
  });

  it('folds full-width and half-width forms and case; an English plural finds the singular', async () => {
    expect(pairs(await all({ q: 'ＦＲＡＣＴＩＯＮ' }))).toEqual(await scan([math, science, sb], ['fraction']));
    expect(pairs(await all({ q: 'ﾃﾞｰﾀ' }))).toEqual(await scan([math, science, sb], ['データ']));
    const plural = await all({ q: 'Fractions equivalent' });
    expect(pairs(plural)).toEqual(await scan([math, science, sb], ['fraction', 'equivalent']));
    expect(plural.length).toBeGreaterThan(0);
  });

  it('words in another order than written do not match (bigrams are checked against the text)', async () => {
    const forward = await all({ q: '分数' });
    const backward = await all({ q: '数分' });
    expect(pairs(backward)).toEqual(await scan([math, science, sb], ['数分']));
    expect(backward.length).toBeLessThan(forward.length);
  });
});

describe('codes', () => {
  it('a 16-digit Course of Study Code finds its item first; a humanCodingScheme prefix ranks the codes it starts', async () => {
    const pkg = (await loadPackage(t.store.db, math))!;
    const item = pkg.items.find((i) => i.humanCodingScheme === '8250243121100000')!;
    const r = await get({ q: '8250243121100000' });
    expect(r.body.items[0]).toMatchObject({ identifier: item.identifier, humanCodingScheme: '8250243121100000', match: 'code', fullStatement: item.payload['fullStatement'] });

    const prefix = await all({ q: 'm.g3' });
    const starts = (await loadPackage(t.store.db, sb))!.items.filter((i) => i.humanCodingScheme?.toLowerCase().startsWith('m.g3'));
    expect(starts.length).toBeGreaterThan(1);
    expect(prefix.slice(0, starts.length).map((h) => h.match)).toEqual(starts.map((i) => (i.humanCodingScheme!.toLowerCase() === 'm.g3' ? 'code' : 'code-prefix')).sort());
    expect(new Set(prefix.slice(0, starts.length).map((h) => h.identifier))).toEqual(new Set(starts.map((i) => i.identifier)));
    expect(pairs(prefix)).toEqual(await scan([math, science, sb], ['m.g3']));
  });
});

describe('filters', () => {
  it('by status, subject, grade and framework, with or without words', async () => {
    const draft = await all({ status: 'Draft', q: 'number' });
    expect(pairs(draft)).toEqual(await scan([sb], ['number']));
    const science_ = await all({ subject: '理科', q: '水' });
    expect(pairs(science_)).toEqual(await scan([science], ['水']));
    const g3 = await all({ grade: '3', q: '分数' });
    expect(pairs(g3)).toEqual(await scan([math, science, sb], ['分数'], (p) => ((p['educationLevel'] as string[]) ?? []).includes('03')));
    expect(g3.length).toBeGreaterThan(0);
    expect(pairs(await all({ grade: '03', q: '分数' }))).toEqual(pairs(g3));
    const one = await get({ framework: science, limit: 5 });
    expect(one.body.total).toBe((await loadPackage(t.store.db, science))!.items.length);
    expect(one.body.items.every((h: Hit) => h.framework.identifier === science)).toBe(true);
    expect((await get({ status: 'Retired' })).body).toEqual({ total: 0, items: [], nextCursor: null });
  });

  it('pages with a cursor: the pages together are the whole answer, in order, once each', async () => {
    const whole = (await get({ q: '数', limit: 100 })).body;
    expect(whole.total).toBeGreaterThan(30);
    const paged: Hit[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await get({ q: '数', limit: 13, ...(cursor ? { cursor } : {}) });
      expect(r.body.total).toBe(whole.total);
      paged.push(...r.body.items);
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor && pages < 3);
    expect(paged.map((h) => h.identifier)).toEqual(whole.items.slice(0, paged.length).map((h: Hit) => h.identifier));
  });

  it('what the filters may be set to', async () => {
    const f = (await t.app.inject({ method: 'GET', url: '/api/search/filters' })).json();
    expect(f.subjects).toEqual(expect.arrayContaining(['算数', '理科']));
    expect(f.statuses).toEqual(expect.arrayContaining(['Implemented', 'Draft']));
    expect(f.statuses).not.toContain('Private Draft');
    expect(f.grades).toEqual(expect.arrayContaining(['01', '03', '06']));
    expect(f.frameworks.map((x: { identifier: string }) => x.identifier).sort()).toEqual([math, science, sb].sort());
  });
});

describe('visibility', () => {
  it('a Private Draft is searched only by those who may read it', async () => {
    const words = ['differentiate', 'figures'];
    const expected = await scan([act], words);
    expect(expected.length).toBeGreaterThan(0);
    expect((await all({ q: words.join(' ') })).filter((h) => h.framework.identifier === act)).toEqual([]);
    const r = await get({ q: 'figures', framework: act });
    expect(r.status).toBe(404);
    expect(r.body.error.field).toBe('framework');
    for (const who of [admin, reader]) expect(pairs(await all({ q: words.join(' '), framework: act }, who))).toEqual(expected);
    expect(pairs(await all({ q: words.join(' '), status: 'Private Draft' }, admin))).toEqual(expected);
  });
});

describe('the index follows every write', () => {
  it('an import through the API, a CASE PUT, an adoption status change and a delete', async () => {
    const changed = structuredClone(SB_JSON);
    const item = changed.CFItems.find((i: { humanCodingScheme?: string }) => i.humanCodingScheme === 'M.G3.C1NBT.TE');
    item.fullStatement = '検索語ヤマビコ: place value';
    const put = await t.app.inject({ method: 'PUT', url: `/ims/case/v1p1/CFPackages/${sb}`, headers: { ...admin, 'content-type': 'application/json' }, payload: changed });
    expect(put.statusCode, put.body).toBeLessThan(300);
    expect((await all({ q: 'ヤマビコ' })).map((h) => h.identifier)).toEqual([item.identifier]);
    expect((await all({ q: 'place value understanding' })).map((h) => h.identifier)).not.toContain(item.identifier);

    const status = await t.app.inject({ method: 'PUT', url: `/api/frameworks/${sb}/adoption-status`, headers: admin, payload: { adoptionStatus: 'Implemented' } });
    expect(status.statusCode).toBe(200);
    expect((await all({ q: 'ヤマビコ', status: 'Draft' }))).toEqual([]);
    expect((await all({ q: 'ヤマビコ', status: 'Implemented' })).map((h) => h.identifier)).toEqual([item.identifier]);

    const reimport = await t.app.inject({ method: 'POST', url: '/api/frameworks/import', headers: { ...admin, 'content-type': 'application/json' }, payload: SB_JSON });
    expect(reimport.statusCode, reimport.body).toBe(201);
    expect(await all({ q: 'ヤマビコ' })).toEqual([]);

    const del = await t.app.inject({ method: 'DELETE', url: `/ims/case/v1p1/CFPackages/${sb}`, headers: admin });
    expect(del.statusCode).toBeLessThan(300);
    expect((await all({ q: 'place value' })).filter((h) => h.framework.identifier === sb)).toEqual([]);
    const rows = await t.store.db.selectFrom('cf_item_search' as never).select('document_identifier' as never).where('document_identifier' as never, '=', sb as never).execute();
    expect(rows).toEqual([]);
    expect((await listDocuments(t.store.db)).map((d) => d.identifier)).not.toContain(sb);
  });
});

describe('bad input', () => {
  it('a 400 naming the field', async () => {
    for (const [query, field] of [
      [{ status: 'Approved' }, 'status'],
      [{ cursor: 'not-a-cursor' }, 'cursor'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ q: 'a b c d e f g h i j k' }, 'q'],
      [{ sort: 'title' }, 'sort'],
    ] as Array<[Record<string, string | number>, string]>) {
      const r = await get(query);
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(r.body.error.field, JSON.stringify(query)).toBe(field);
      expect(r.body.error.message).toContain(field);
    }
  });
});
