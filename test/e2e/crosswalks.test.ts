import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../../src/auth/index.js';
import { ensureShippedFrameworks } from '../../src/case/demo.js';
import { SCREENSHOT_DIR, axeViolations, getJson, signInWith, skipWithoutChromium, startRig, type BrowserRig } from './support.js';

const skip = skipWithoutChromium('the crosswalk browser test');
const USER = { username: 'taiou', displayName: '対応 先生', password: 'a long crosswalk passphrase 標' };
type Suggestions = { suggestions: Array<{ identifier: string; text: string; score: number }> };
type Crosswalk = { identifier: string; sourceItems: Array<{ identifier: string; text: string }>; links: Array<{ identifier: string; associationType: string; destinationNodeURI: { identifier: string } }> };

/**
 * The crosswalk editor (docs/crosswalks.md) in Chromium: an author starts 算数 ↔ 理科, picks an item on the left, reads
 * the suggestions ranked as GET …/suggestions answers them, adds an exact match and a related one, makes the first related, removes the other, and
 * the export holds what is left; Japanese then English; no serious or critical axe violation.
 */
describe.skipIf(skip)('crosswalks in Chromium', () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    rig = await startRig({
      expectedErrors: /401 \(Unauthorized\)/,
      prepare: async (store) => {
        expect(await ensureShippedFrameworks(store.db, () => {})).toHaveLength(2);
        await createUser(store.db, { ...USER, roles: [{ role: 'admin', scopeType: 'global', scopeId: '' }] });
      },
    });
    ({ page, base } = rig);
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
    expect(rig?.problems ?? []).toEqual([]);
  });

  const suggestions = () => page.getByRole('list', { name: '候補（似ている順）' }).locator('li');

  it('in Japanese: start a crosswalk, pick an item, accept suggestions as exactMatchOf and isRelatedTo, retype one, remove one, export', async () => {
    await signInWith(page, base, USER.username, USER.password);
    await page.goto(`${base}/`);
    await page.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: 'クロスウォーク' }).click();
    await page.getByRole('heading', { level: 1, name: 'クロスウォーク' }).waitFor();
    await page.getByText('まだクロスウォークはありません。').waitFor();
    await page.getByLabel('元のフレームワーク').selectOption({ label: '小学校学習指導要領（平成29年告示）算数' });
    await page.getByLabel('対応先のフレームワーク').selectOption({ label: '小学校学習指導要領（平成29年告示）理科' });
    await page.getByLabel('名前').fill('算数 ↔ 理科');
    await page.getByRole('button', { name: '作成' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/crosswalks\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).pathname.split('/')[2]!;
    await page.getByText('左の項目を選ぶと、対応先の候補が似ている順に表示されます。').waitFor();

    const cw = await getJson<Crosswalk>(page, base, `/api/crosswalks/${id}`);
    const weight = cw.sourceItems.find((i) => i.text.includes('重さ'))!;
    await page.getByRole('searchbox', { name: '項目をコードや語句で絞り込む' }).fill('重さ');
    await page.getByRole('button', { name: weight.text.slice(0, 20) }).first().click();
    await expect.poll(() => new URL(page.url()).searchParams.get('item')).toBe(weight.identifier);
    const answer = await getJson<Suggestions>(page, base, `/api/crosswalks/${id}/suggestions?item=${weight.identifier}&limit=10`);
    await expect.poll(() => suggestions().count()).toBe(answer.suggestions.length);
    const shown = await suggestions().allTextContents();
    expect(shown).toEqual(answer.suggestions.map((s) => expect.stringContaining(s.score.toFixed(2))));
    expect(shown).toEqual(answer.suggestions.map((s) => expect.stringContaining(s.text.slice(0, 15))));

    await suggestions().nth(0).getByRole('button', { name: '完全一致として追加' }).click();
    await expect.poll(() => suggestions().nth(0).getByRole('button', { name: '完全一致として追加' }).isDisabled()).toBe(true);
    await suggestions().nth(1).getByRole('button', { name: '関連として追加' }).click();
    await page.getByRole('heading', { name: 'すべての対応（2 件）' }).waitFor();
    const linked = await getJson<Crosswalk>(page, base, `/api/crosswalks/${id}`);
    expect(linked.links.map((l) => [l.associationType, l.destinationNodeURI.identifier])).toEqual([
      ['exactMatchOf', answer.suggestions[0]!.identifier], ['isRelatedTo', answer.suggestions[1]!.identifier],
    ]);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'crosswalks-ja.png'), fullPage: true });

    // The last table lists every link: the exact match becomes a related one, then the other link is removed.
    const all = page.locator('table.crosswalk-links').last();
    await all.getByRole('button', { name: '関連に変更' }).first().click();
    await expect.poll(() => all.getByRole('cell', { name: '関連', exact: true }).count()).toBe(2);
    await all.getByRole('button', { name: '削除' }).nth(1).click();
    await page.getByRole('heading', { name: 'すべての対応（1 件）' }).waitFor();
    const href = await page.getByRole('link', { name: 'CASE JSON' }).getAttribute('href');
    const exported = await getJson<{ CFDocument: { frameworkType: string }; CFAssociations: Array<{ associationType: string; destinationNodeURI: { identifier: string } }> }>(page, base, href!);
    expect(exported.CFDocument.frameworkType).toBe('crosswalk');
    expect(exported.CFAssociations.map((a) => [a.associationType, a.destinationNodeURI.identifier])).toEqual([['isRelatedTo', answer.suggestions[0]!.identifier]]);
  }, 120_000);

  it('in English: the frameworks list opens a crosswalk in its editor', async () => {
    await page.evaluate(() => localStorage.setItem('shirube.language', 'en'));
    await page.goto(`${base}/`);
    await page.locator('.framework-card').filter({ hasText: 'Crosswalks' }).getByRole('link', { name: '算数 ↔ 理科' }).click();
    await page.getByRole('heading', { level: 1, name: 'Crosswalks' }).waitFor();
    await page.getByRole('heading', { name: 'All matches (1)' }).waitFor();
    expect(await page.locator('table.crosswalk-links').last().getByRole('cell', { name: 'Related' }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
  }, 120_000);
});
