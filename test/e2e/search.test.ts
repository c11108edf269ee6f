import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../../src/auth/index.js';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { importCaseJson } from '../../src/case/import/case-json.js';
import { SHARED } from '../helper.js';
import { SCREENSHOT_DIR, axeViolations, getJson, signInWith, skipWithoutChromium, startRig, type BrowserRig } from './support.js';

const skip = skipWithoutChromium('the search browser test');
const frameworks = join(SHARED, 'data/case-frameworks');
const USER = { username: 'kensaku', displayName: '検索 先生', password: 'a long search passphrase 標' };
type Answer = { total: number; items: Array<{ identifier: string; fullStatement: string; humanCodingScheme: string | null; framework: { identifier: string } }> };

/**
 * The search page (docs/search.md) in Chromium, Japanese then English: the words, the filters in the URL, the count
 * and the results as GET /api/search answers them, a result opening the item's page, a code search, more pages, and a
 * private draft's items only after signing in as its reviewer; no serious or critical axe violation.
 */
describe.skipIf(skip)('search in Chromium', () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;
  let actId: string;

  beforeAll(async () => {
    rig = await startRig({
      // The session check of a signed-out page.
      expectedErrors: /401 \(Unauthorized\)/,
      prepare: async (store) => {
        expect(await ensureDemoFramework(store.db, () => {})).toBeTruthy();
        await importCaseJson(store.db, JSON.parse(readFileSync(join(frameworks, 'smarter-balanced-math-content-spec.v1p0.cfpackage.json'), 'utf8')));
        const act = JSON.parse(readFileSync(join(frameworks, 'act-holistic-framework-math.v1p0.cfpackage.json'), 'utf8'));
        act.CFDocument.adoptionStatus = 'Private Draft';
        actId = (await importCaseJson(store.db, act)).identifier;
        await createUser(store.db, { ...USER, roles: [{ role: 'reviewer', scopeType: 'framework', scopeId: actId }] });
      },
    });
    ({ page, base } = rig);
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
    expect(rig?.problems ?? []).toEqual([]);
  });

  const count = () => page.locator('.search-count').textContent();
  const hits = () => page.locator('.search-hit');

  it('in Japanese: words, a grade filter kept in the URL, a result opening its item, a code', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '検索' }).click();
    await page.getByRole('heading', { level: 1, name: '検索' }).waitFor();
    await page.getByText('語句かコードを入れるか、絞り込みを選んで検索してください。').waitFor();

    await page.getByRole('searchbox', { name: '検索する語句またはコード' }).fill('分数');
    await page.getByRole('button', { name: '検索', exact: true }).click();
    const all = await getJson<Answer>(page, base, '/api/search?q=%E5%88%86%E6%95%B0&limit=20');
    await expect.poll(count).toBe(`${all.total} 件`);
    expect(await hits().count()).toBe(Math.min(20, all.total));
    expect(await hits().first().locator('mark').first().textContent()).toBe('分数');

    await page.getByLabel('学年').selectOption({ label: '第3学年' });
    await page.getByRole('button', { name: '検索', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('grade')).toBe('03');
    const g3 = await getJson<Answer>(page, base, '/api/search?q=%E5%88%86%E6%95%B0&grade=03&limit=20');
    expect(g3.total).toBeLessThan(all.total);
    await expect.poll(count).toBe(`${g3.total} 件`);
    expect(await hits().allTextContents()).toEqual(g3.items.map((i) => expect.stringContaining(i.fullStatement.slice(0, 10))));
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'search-ja.png') });

    await hits().first().getByRole('link').first().click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/frameworks/${g3.items[0]!.framework.identifier}/items/${g3.items[0]!.identifier}`);
    await page.locator('.item-panel').getByText(g3.items[0]!.fullStatement).first().waitFor();

    await page.goto(`${base}/search?q=8250243121100000`);
    await expect.poll(() => hits().first().textContent()).toContain('コードが一致');
    expect(await hits().first().locator('.code').textContent()).toBe('8250243121100000');
  }, 120_000);

  it('in English: more pages, and a private draft only for its reviewer', async () => {
    await page.evaluate(() => localStorage.setItem('shirube.language', 'en'));
    await page.goto(`${base}/search?q=differentiate`);
    await page.getByRole('heading', { level: 1, name: 'Search' }).waitFor();
    await expect.poll(count).toBe('Nothing found. Try fewer words or remove a filter.');

    await signInWith(page, base, USER.username, USER.password);
    await page.goto(`${base}/search?q=differentiate`);
    const act = await getJson<Answer>(page, base, '/api/search?q=differentiate');
    expect(act.total).toBeGreaterThan(0);
    expect(act.items.every((i) => i.framework.identifier === actId)).toBe(true);
    await expect.poll(count).toBe(`${act.total} found`);

    await page.getByRole('searchbox').fill('fractions');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const fractions = await getJson<Answer>(page, base, '/api/search?q=fractions&limit=100');
    expect(fractions.total).toBeGreaterThan(40);
    await expect.poll(count).toBe(`${fractions.total} found`);
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect.poll(() => hits().count()).toBe(40);
    expect((await hits().allTextContents()).slice(20, 40)).toEqual(fractions.items.slice(20, 40).map((i) => expect.stringContaining(i.fullStatement.slice(0, 10))));
    expect(await axeViolations(page)).toEqual([]);
  }, 120_000);
});
