import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { createSession } from '../../src/auth/index.js';
import { SESSION_COOKIE } from '../../src/http/plugins/auth.js';
import { ensureIssuer, loadSecretKey } from '../../src/badges/index.js';
import { issuerKeys } from '../../src/store/badges.js';
import { session, type TestApp } from '../helper.js';
import { demoClass } from '../progress/fixture.js';
import { MATH_2017_DOCUMENT } from '../../src/progress/index.js';
import { SCREENSHOT_DIR, skipWithoutChromium, startRig, type BrowserRig } from './support.js';

/**
 * The achievements editor and issuer keys in Chromium on the real server: an administrator creates the defaults
 * and rotates an issuer's key; an author of the framework finds an achievement, gets the API's validation message
 * next to the field, then saves a correct-rate rule that the API returns; a learner gets a 403 message, not a
 * blank page; an author creates a group badge from picked items (and from a unit) with a validity. Japanese, then
 * English.
 */
const skip = skipWithoutChromium('the achievements editor browser test');
const A = '8250213111100000'; // 1年 数の構成と表し方 (ア)
const B = '8250213111200000'; // 1年 数の構成と表し方 (イ)

describe.skipIf(skip)('the achievements editor in Chromium', () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;
  let t: TestApp;
  let d: Awaited<ReturnType<typeof demoClass>>;
  let admin: { userId: string };
  let author: { userId: string; cookie: string };
  const signInAs = async (userId: string) => {
    const s = await createSession(rig.store.db, userId);
    await page.context().clearCookies();
    await page.context().addCookies([{ name: SESSION_COOKIE, value: s.token, url: base }]);
  };

  beforeAll(async () => {
    // The refused save (400) and the learner's page (403) are what the test asks for: the browser logs both.
    rig = await startRig({ prepare: async (s) => void (await ensureDemoFramework(s.db, () => {})), expectedErrors: /status of (400|403) / });
    ({ page, base } = rig);
    t = { app: rig.app, store: rig.store, config: rig.config, close: rig.close };
    d = await demoClass(t);
    admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
    author = await session(t, [{ role: 'author', scopeType: 'framework', scopeId: MATH_2017_DOCUMENT }]);
    // The demo school's issuer, as the first approval would create it.
    await ensureIssuer({ db: rig.store.db, publicUrl: rig.config.publicUrl, secret: loadSecretKey({ secretKey: rig.config.secretKey, dataDir: rig.config.dataDir }) }, { id: 'demo-school', name: 'しるべ市立しるべ小学校（デモ）' });
  }, 120_000);

  afterAll(() => rig?.close());

  it('lets an administrator create the default achievements and rotate an issuer’s signing key', async () => {
    await signInAs(admin.userId);
    await page.goto(`${base}/badges/achievements?framework=${MATH_2017_DOCUMENT}`);
    await page.getByRole('heading', { level: 1, name: 'バッジの達成基準' }).waitFor();
    await page.getByText('まだ達成基準がありません。').waitFor();
    await page.getByRole('button', { name: '既定の達成基準を作成' }).click();
    await page.getByRole('status').filter({ hasText: '217 件の達成基準を作成しました。' }).waitFor();
    await page.getByText('217 件中 1–25 件目').waitFor();
    expect(await page.locator('.achievement-table tbody tr').count()).toBe(25);
    await page.getByRole('button', { name: '次へ' }).click();
    await page.getByText('217 件中 26–50 件目').waitFor();

    const issuers = page.getByRole('region', { name: '発行者と署名鍵' });
    const before = (await issuerKeys(rig.store.db, 'demo-school')).length;
    await issuers.getByRole('button', { name: 'しるべ市立しるべ小学校（デモ） の署名鍵を更新' }).click();
    await issuers.getByRole('button', { name: '更新する' }).click();
    await issuers.getByRole('status').filter({ hasText: 'しるべ市立しるべ小学校（デモ） の署名鍵を更新しました。' }).waitFor();
    expect((await issuerKeys(rig.store.db, 'demo-school')).length).toBe(before + 1);
  });

  it('lets an author edit a rule: the API’s message sits next to the field, and the saved rule comes back from the API', async () => {
    await signInAs(author.userId);
    await page.goto(`${base}/badges/achievements`);
    await page.getByText('217 件中 1–25 件目').waitFor();
    expect(await page.getByRole('region', { name: '発行者と署名鍵' }).count()).toBe(0);
    await page.getByLabel('コード・名前で絞り込み').fill(A);
    await page.getByText('1 件中 1–1 件目').waitFor();
    const row = page.locator(`.achievement-table tr[data-achievement="${A}"]`);
    const name = (await row.getByRole('rowheader').textContent())!;
    await row.getByRole('button', { name: `${name} を編集` }).click();
    const form = page.getByRole('form', { name: `${name} を編集` });
    await form.getByRole('radio', { name: '正答率' }).check();
    await form.getByLabel('最低解答数').fill('0');
    await form.getByRole('button', { name: '保存' }).click();
    const answers = form.getByLabel('最低解答数');
    await expect.poll(() => answers.getAttribute('aria-invalid')).toBe('true');
    const message = await form.locator(`#${await answers.getAttribute('aria-describedby')}`).textContent();
    expect(message).toContain('rule.minAnswers');
    await answers.fill('12');
    await form.getByLabel('期間（日）').fill('30');
    await form.getByRole('button', { name: '保存' }).click();
    await page.getByRole('status').filter({ hasText: `「${name}」を保存しました。` }).waitFor();
    expect(await row.textContent()).toContain('直近 30 日に 12 問以上、正答率 90% 以上');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'achievements-ja.png'), fullPage: true });
    const res = await rig.app.inject({ method: 'GET', url: `/api/badges/achievements?framework=${MATH_2017_DOCUMENT}`, headers: { cookie: author.cookie } });
    expect(res.json().achievements.find((a: { humanCode: string }) => a.humanCode === A).rule).toEqual({ kind: 'correctRate', minCorrectRate: 0.9, minAnswers: 12, days: 30 });
  });

  it('shows a learner the 403 message, in Japanese and in English; the author’s page in English', async () => {
    await signInAs(d.learnerUserIds[0]!);
    await page.goto(`${base}/badges/achievements`);
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'この操作の権限がありません。' }).waitFor();
    expect(await alert.textContent()).toContain('Only teachers and administrators');
    expect(await page.getByRole('link', { name: 'バッジの達成基準' }).count()).toBe(0);
    await page.getByRole('button', { name: 'English' }).click();
    await alert.filter({ hasText: 'You are not allowed to do this.' }).waitFor();

    await signInAs(author.userId);
    await page.goto(`${base}/badges/achievements`);
    await page.getByRole('heading', { level: 1, name: 'Badge criteria (achievements)' }).waitFor();
    await page.getByText('1–25 of 217').waitFor();
    await page.getByLabel('Filter by code or name').fill(A);
    await page.locator(`.achievement-table tr[data-achievement="${A}"]`).filter({ hasText: 'At least 12 answers in the last 30 days, 90% correct or more' }).waitFor();
    await page.getByRole('button', { name: '日本語' }).click();
    expect(rig.problems).toEqual([]);
  });

  it('lets an author create a group badge from picked items (the API’s message next to the pick) and one from a unit', async () => {
    await signInAs(author.userId);
    await page.goto(`${base}/badges/achievements`);
    await page.getByText('217 件中 1–25 件目').waitFor();
    await page.getByRole('button', { name: '新しいグループバッジ' }).click();
    const form = page.getByRole('form', { name: '新しいグループバッジ' });
    await form.getByRole('radio', { name: '内容項目を選ぶ' }).check();
    const search = form.getByLabel('内容項目をコード・文で検索');
    await search.fill(A);
    await form.getByRole('button', { name: `${A} を追加` }).click();
    await form.getByLabel('名前').fill('1年 数の構成（ア）（イ）');
    await form.getByRole('button', { name: 'グループバッジを作成' }).click();
    // One item is not a group: the API names itemIds, and its message sits next to the item search.
    await expect.poll(() => search.getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator(`#${await search.getAttribute('aria-describedby')}`).textContent()).toContain('itemIds');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'achievements-group-ja.png'), fullPage: true });
    await search.fill(B);
    await form.getByRole('button', { name: `${B} を追加` }).click();
    await form.getByLabel('有効期間（日数）').fill('365');
    await form.getByRole('button', { name: 'グループバッジを作成' }).click();
    await page.getByRole('status').filter({ hasText: 'グループバッジ「1年 数の構成（ア）（イ）」を作成しました。' }).waitFor();

    await page.getByRole('button', { name: '新しいグループバッジ' }).click();
    const unitForm = page.getByRole('form', { name: '新しいグループバッジ' });
    const unit = unitForm.getByLabel('単元を選ぶ');
    const option = (await unit.locator('option', { hasText: '数の構成と表し方' }).first().textContent())!;
    await unit.selectOption({ label: option });
    const unitName = await unitForm.getByLabel('名前').inputValue();
    expect(option).toContain(unitName);
    await unitForm.getByRole('button', { name: 'グループバッジを作成' }).click();
    await page.getByRole('status').filter({ hasText: `グループバッジ「${unitName}」を作成しました。` }).waitFor();
    await page.getByLabel('コード・名前で絞り込み').fill('数の構成');
    await page.locator('.achievement-table tr', { hasText: '有効期間 365 日' }).filter({ hasText: '2 項目のグループ' }).waitFor();

    const res = await rig.app.inject({ method: 'GET', url: `/api/badges/achievements?framework=${MATH_2017_DOCUMENT}`, headers: { cookie: author.cookie } });
    const groups = res.json().achievements.filter((a: { itemIds: string[] }) => a.itemIds.length > 1);
    expect(groups.find((a: { humanCode: string }) => a.humanCode === `${A} + ${B}`)).toMatchObject({ validForDays: 365, unit: null, rule: { kind: 'mastered' } });
    expect(groups.find((a: { name: string }) => a.name === unitName)).toMatchObject({ unit: { document: MATH_2017_DOCUMENT }, validForDays: null });
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'New group badge' }).click();
    await page.getByRole('form', { name: 'New group badge' }).getByRole('radio', { name: 'Items I pick' }).waitFor();
    await page.getByRole('button', { name: '日本語' }).click();
    expect(rig.problems).toEqual([]);
  }, 60_000);
});
