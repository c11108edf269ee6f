import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../../src/auth/index.js';
import { ensureShippedFrameworks } from '../../src/case/demo.js';
import { getFramework } from '../../src/case/index.js';
import { frameworkStructure } from '../../src/progress/framework.js';
import { SCREENSHOT_DIR, skipWithoutChromium, startRig, type BrowserRig, signInThroughForm } from './support.js';

const skip = skipWithoutChromium('the cross-subject relations browser test');
// 算数 grade 5 「簡単な場合について，比例の関係があることを知ること。」 → 理科 grade 5 振り子 (the period and the length).
const MATH_ITEM = '8250253311100000';
const SCIENCE_ITEM = '8260253121100000';
const USER = { username: 'sato', displayName: '佐藤 作成者', password: 'correct horse battery staple' };

describe.skipIf(skip)('a cross-subject run (算数 → 理科) in Chromium', () => {
  let rig: BrowserRig;
  let page: Page;
  let math: string;
  let science: string;
  let scienceTitle: string;

  beforeAll(async () => {
    rig = await startRig({
      expectedErrors: /401 \(Unauthorized\)/,
      prepare: async (store) => {
        [math, science] = (await ensureShippedFrameworks(store.db, () => {})) as [string, string];
        scienceTitle = (await getFramework(store.db, science)).title;
        await createUser(store.db, { ...USER, roles: [{ role: 'author', scopeType: 'framework', scopeId: math }] });
      },
    });
    page = rig.page;
    await signInThroughForm(page, rig.base, `/relations?framework=${math}`, USER);
    await page.getByRole('heading', { level: 1, name: '関係の推定とレビュー' }).waitFor();
  }, 180_000);

  afterAll(() => rig?.close());

  it('the author picks 理科 as the other framework, runs, and accepts a suggestion naming a 理科 item', async () => {
    const panel = page.getByRole('region', { name: '推定を実行' });
    await panel.waitFor();
    const target = panel.getByLabel('もう一つの枠組み（任意）');
    expect(await target.inputValue()).toBe('');
    await target.selectOption(science);
    await panel.getByRole('button', { name: '実行' }).click();
    await panel.getByText(`${scienceTitle} との間の関係`).waitFor();
    await page.locator('[data-run-status="done"]').waitFor({ timeout: 60_000 });
    const done = (await panel.locator('[data-run-status]').textContent())!;
    expect(Number(/完了: (\d+) 件の提案/.exec(done)?.[1])).toBeGreaterThan(0);

    // The queue marks the 理科 end of each suggestion.
    const other = page.locator(`.relation-item-other[data-framework="${science}"]`).first();
    await other.waitFor();
    expect(await other.locator('.relation-item-framework').textContent()).toBe(`他の枠組み: ${scienceTitle}`);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'relations-cross-ja.png'), fullPage: true });
    const row = page.locator('.relation-row').filter({ has: page.locator('.relation-item-other') }).first();
    await row.getByRole('button', { name: '採択', exact: true }).click();

    await page.getByRole('status').filter({ hasText: '1 件を採択しました。' }).waitFor();
    // The accepted link is in both learning maps' crossLinks.
    expect((await frameworkStructure(rig.store.db, math)).crossLinks.map((l) => l.other.framework.identifier)).toEqual([science]);
    expect((await frameworkStructure(rig.store.db, science)).crossLinks.map((l) => l.other.framework.identifier)).toEqual([math]);
    expect(rig.problems).toEqual([]);
  });

  it('adds a relation from a 算数 item to a 理科 item picked from the other framework', async () => {
    const form = page.getByRole('region', { name: '関係を追加' });
    await form.getByLabel('前の項目をコードまたは語で検索').fill(MATH_ITEM);
    await form.getByLabel('前の項目', { exact: true }).selectOption({ index: 1 });
    await form.getByLabel('後の項目の枠組み').selectOption(science);
    await form.getByLabel('後の項目をコードまたは語で検索').fill(SCIENCE_ITEM);
    const destination = form.getByLabel('後の項目', { exact: true });
    await expect.poll(() => destination.locator('option').count()).toBe(2);
    await destination.selectOption({ index: 1 });
    await form.getByLabel('種類').selectOption('precedes');
    await form.getByRole('button', { name: '追加' }).click();
    await form.getByRole('status').filter({ hasText: '関係を追加しました' }).waitFor();
    const links = (await frameworkStructure(rig.store.db, science)).crossLinks;
    expect(links.map((l) => [l.other.code, l.type])).toContainEqual([MATH_ITEM, 'precedes']);
    expect(links.find((l) => l.other.code === MATH_ITEM)!.item).toBe((await frameworkStructure(rig.store.db, science)).items.find((i) => i.code === SCIENCE_ITEM)!.id);
    expect(rig.problems).toEqual([]);
  });
});
