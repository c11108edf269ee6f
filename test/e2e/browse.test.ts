import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../../src/auth/index.js';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { importCaseJson } from '../../src/case/import/case-json.js';
import { SHARED } from '../helper.js';
import { SCREENSHOT_DIR, skipWithoutChromium, startRig, type BrowserRig } from './support.js';

const skip = skipWithoutChromium('the browser test');

const CONTENT_CODE = '8250213111100000';
const CONTENT_TEXT = 'ものとものとを対応させることによって，ものの個数を比べること。';
/** From the subject down to the content item's parent (the Course of Study Code hierarchy). */
const PATH_CODES = ['8250000000000000', '8250200000000000', '8250210000000000', '8250213000000000', '8250213100000000', '8250213110000000', '8250213111000000'];
const PRIVATE_TITLE = 'ACT Holistic Framework, Math';
const USER = { username: 'yamada', displayName: '山田 先生', password: 'correct horse battery staple' };

describe.skipIf(skip)('browsing the 算数 framework in Chromium', () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;
  let problems: string[];

  beforeAll(async () => {
    rig = await startRig({
      expectedErrors: /401 \(Unauthorized\)/,
      prepare: async (store) => {
        expect(await ensureDemoFramework(store.db, () => {})).toBeTruthy();
        // A private draft only a reviewer of it may see: the list must grow after signing in.
        const act = JSON.parse(readFileSync(`${SHARED}data/case-frameworks/act-holistic-framework-math.v1p0.cfpackage.json`, 'utf8'));
        act.CFDocument.adoptionStatus = 'Private Draft';
        const { identifier: actId } = await importCaseJson(store.db, act);
        await createUser(store.db, { ...USER, roles: [{ role: 'reviewer', scopeType: 'framework', scopeId: actId }] });
      },
    });
    ({ page, base, problems } = rig);
  });

  afterAll(() => rig?.close());

  const row = (code: string) => page.getByRole('treeitem', { name: new RegExp(`^${code}`) });

  it('signs in through the form (a wrong password first), and then sees the private draft it may review', async () => {
    await page.goto(base + '/');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ja');
    await page.getByRole('heading', { level: 1, name: 'フレームワーク一覧' }).waitFor();
    await page.getByRole('link', { name: /算数/ }).waitFor();
    expect(await page.getByRole('link', { name: PRIVATE_TITLE }).count()).toBe(0);
    await page.getByRole('link', { name: 'サインイン' }).click();
    await page.getByLabel('ユーザー名').fill(USER.username);
    await page.getByLabel('パスワード').fill('not the password');
    await page.getByRole('button', { name: 'サインイン' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('ユーザー名またはパスワードが正しくありません');
    await page.getByLabel('パスワード').fill(USER.password);
    await page.getByRole('button', { name: 'サインイン' }).click();
    await page.getByText(`${USER.displayName} としてサインイン中`).waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'サインアウト' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    const privateCard = page.locator('.framework-card', { has: page.getByRole('link', { name: PRIVATE_TITLE }) });
    await privateCard.waitFor();
    expect(await privateCard.locator('.badge.private').textContent()).toBe('非公開');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'frameworks-ja.png') });
  });

  it("opens the private draft's tree with the session (CASE API + cookie)", async () => {
    await page.getByRole('link', { name: PRIVATE_TITLE }).click();
    await row('H.A.MATH.GM').waitFor();
    await page.getByRole('link', { name: /一覧へ戻る/ }).click();
  });

  it('opens 算数 (2017) and expands the tree down to a content item, by mouse and by keyboard', async () => {
    await page.getByRole('link', { name: /算数/ }).first().click();
    await page.getByRole('tree').waitFor();
    const [first, ...rest] = PATH_CODES;
    await expect.poll(() => row(first!).getAttribute('aria-expanded')).toBe('false');
    // Mouse: the disclosure triangle of the first three levels.
    for (const code of [first!, ...rest.slice(0, 2)]) {
      await row(code).locator('.twisty').click();
      await expect.poll(() => row(code).getAttribute('aria-expanded')).toBe('true');
    }
    // Keyboard: focus moves down with ArrowDown to each next level, ArrowRight opens it.
    for (const code of rest.slice(2)) {
      const target = row(code);
      await target.focus();
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => target.getAttribute('aria-expanded')).toBe('true');
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-level'))).toBe(String(PATH_CODES.indexOf(code) + 2));
    }
    await expect.poll(() => row(CONTENT_CODE).getAttribute('aria-level')).toBe(String(PATH_CODES.length + 1));
  });

  it('opens the item panel with its text, code and associations', async () => {
    await row(CONTENT_CODE).click();
    const panel = page.locator('article.item-panel');
    await expect.poll(() => panel.getByRole('heading', { level: 2 }).textContent()).toContain(CONTENT_CODE);
    expect(await panel.locator('.full-statement').textContent()).toContain(CONTENT_TEXT);
    expect(await panel.getByRole('heading', { level: 4 }).allTextContents()).toContainEqual(expect.stringContaining('上位の項目'));
    const parentLink = panel.locator('[data-association-type="isChildOf"][data-inverse="false"] a').first();
    expect(await parentLink.textContent()).toContain(PATH_CODES.at(-1));
    expect(await panel.getByRole('link', { name: /URIページを開く/ }).getAttribute('href')).toMatch(/^\/uri\/[0-9a-f-]{36}$/);
    expect(await row(CONTENT_CODE).getAttribute('aria-selected')).toBe('true');
    expect(page.url()).toMatch(/\/frameworks\/[0-9a-f-]{36}\/items\/[0-9a-f-]{36}$/);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'item-ja.png'), fullPage: false });
  });

  it('keeps the item on reload (the server falls back to the UI for deep links)', async () => {
    await page.reload();
    await expect.poll(() => page.locator('article.item-panel .full-statement').textContent()).toContain(CONTENT_TEXT);
    expect(await row(CONTENT_CODE).getAttribute('aria-selected')).toBe('true');
  });

  it('filters the tree by text and by code', async () => {
    const search = page.getByRole('searchbox');
    await search.fill('個数を比べる');
    await row(CONTENT_CODE).waitFor();
    expect(await page.locator('.tree-row.match').count()).toBeGreaterThanOrEqual(1);
    await search.fill('8250213111200000');
    await expect.poll(() => page.locator('.tree-row.match').count()).toBe(1);
    await search.fill('');
  });

  it('switches to English, and the choice survives a reload', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByRole('heading', { level: 3, name: 'Associations' }).waitFor();
    expect(await page.getByRole('heading', { level: 4 }).allTextContents()).toContainEqual(expect.stringContaining('Parent'));
    await page.reload();
    await page.getByRole('heading', { level: 3, name: 'Associations' }).waitFor();
    expect(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'item-en.png') });
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    expect(await page.request.get(`${base}/api/auth/session`).then((r) => r.status())).toBe(401);
    expect(problems).toEqual([]);
  });
});
