import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../../src/auth/index.js';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { offlineEstimator, runEstimation } from '../../src/relations/index.js';
import { auditEntries } from '../../src/store/auth.js';
import { skipWithoutChromium, startRig, type BrowserRig } from './support.js';

const skip = skipWithoutChromium('the relations browser test');
const USER = { username: 'suzuki', displayName: '鈴木 指導主事', password: 'correct horse battery staple' };

describe.skipIf(skip)('reviewing relation suggestions in Chromium', () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;
  let problems: string[];
  let fw: string;

  beforeAll(async () => {
    rig = await startRig({
      expectedErrors: /401 \(Unauthorized\)/,
      prepare: async (store) => {
        fw = (await ensureDemoFramework(store.db, () => {}))!;
        await runEstimation(store.db, fw, offlineEstimator());
        await createUser(store.db, { ...USER, roles: [{ role: 'reviewer', scopeType: 'framework', scopeId: fw }] });
      },
    });
    ({ page, base, problems } = rig);
  }, 180_000);

  afterAll(() => rig?.close());

  it('a reviewer signs in, moves with j, accepts with a; the CASE package then holds the CFAssociation', async () => {
    await page.goto(`${base}/sign-in?next=${encodeURIComponent('/relations')}`);
    await page.getByLabel('ユーザー名').fill(USER.username);
    await page.getByLabel('パスワード').fill(USER.password);
    await page.getByRole('button', { name: 'サインイン' }).click();
    await page.getByRole('heading', { level: 1, name: '関係の推定とレビュー' }).waitFor();
    await page.getByRole('link', { name: '関係レビュー' }).waitFor();
    const rows = page.locator('.relation-row');
    await rows.first().waitFor();
    // Both items side by side with their place in the hierarchy.
    await expect.poll(() => rows.first().locator('.relation-item').count()).toBe(2);
    expect(await rows.first().locator('.relation-path li').count()).toBeGreaterThan(0);

    await page.keyboard.press('j');
    await expect.poll(() => rows.nth(1).getAttribute('aria-current')).toBe('true');
    const id = (await rows.nth(1).getAttribute('data-suggestion'))!;
    const pending = (await (await fetch(`${base}/ims/case/v1p1/CFPackages/${fw}`)).json()) as { CFAssociations: Array<{ identifier: string }> };
    await page.keyboard.press('a');
    await page.getByRole('status').filter({ hasText: '1 件を採択しました。' }).waitFor();
    // The accepted suggestion left the pending queue.
    await expect.poll(() => page.locator(`[data-suggestion="${id}"]`).count()).toBe(0);

    const pkg = (await (await fetch(`${base}/ims/case/v1p1/CFPackages/${fw}`)).json()) as { CFAssociations: Array<{ identifier: string; associationType: string; extensions?: { shirubeProvenance?: { suggestion: string; estimator: string; acceptedBy: string } } }> };
    expect(pkg.CFAssociations.length).toBe(pending.CFAssociations.length + 1);
    const made = pkg.CFAssociations.find((a) => a.extensions?.shirubeProvenance?.suggestion === id);
    expect(made).toBeDefined();
    expect(made!.extensions!.shirubeProvenance).toMatchObject({ estimator: 'offline', acceptedBy: expect.stringMatching(/^user:/) });
    expect((await auditEntries(rig.store.db, 'relation_suggestion', id)).map((e) => e.action)).toEqual(['relation.accept']);
    expect(problems).toEqual([]);
  });

  it('the evaluation page shows the P/R/F table for a pasted ground truth', async () => {
    await page.getByRole('link', { name: '評価' }).click();
    await page.getByRole('textbox').fill('origin,destination,type\n8250213111100000,8250223111100000,precedes\n');
    await page.getByRole('button', { name: '評価する' }).click();
    const table = page.locator('table.relations-scores');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(4);
    // The estimator and the relation type in words (the API says offline, precedes).
    expect(await table.locator('tbody tr').first().textContent()).toContain('オフライン推定');
    expect(await table.locator('thead').textContent()).toContain('適合率');
    expect(problems).toEqual([]);
  });
});
