import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { createSession } from '../../src/auth/index.js';
import { SESSION_COOKIE } from '../../src/http/plugins/auth.js';
import { session, type TestApp } from '../helper.js';
import { answered, demoClass, post } from '../progress/fixture.js';
import { MATH_2017_DOCUMENT } from '../../src/progress/index.js';
import { SCREENSHOT_DIR, skipWithoutChromium, startRig, type BrowserRig } from './support.js';

/**
 * Badges on the learning map, in Chromium on the real server: the teacher sees a learner's candidates marked on
 * their map, approves one from the item panel and dismisses another; the learner's passport shows the badge with
 * their map, the badge's item marked and selected from the badge; the teacher revokes it with a reason from the
 * dashboard, and the passport and the public verification page say revoked. Japanese, then English.
 */
const skip = skipWithoutChromium('the badges-on-the-map browser test');
const A = '8250213111100000'; // 1年 数の構成と表し方 (ア)
const B = '8250213111200000'; // 1年 数の構成と表し方 (イ)

describe.skipIf(skip)('badges on the learning map and the passport in Chromium', () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;
  let d: Awaited<ReturnType<typeof demoClass>>;
  /** Learner ids of the demo's first two learners (青木 あおい, 石田 はると). */
  let learners: [string, string];
  const idOf = (code: string) => d.structure.items.find((i) => i.code === code)!.id;
  const cookieOf = async (userId: string) => {
    const s = await createSession(rig.store.db, userId);
    return { cookie: `${SESSION_COOKIE}=${s.token}`, 'x-csrf-token': s.csrfToken };
  };
  const signInAs = async (userId: string) => {
    const s = await createSession(rig.store.db, userId);
    await page.context().clearCookies();
    await page.context().addCookies([{ name: SESSION_COOKIE, value: s.token, url: base }]);
  };
  const canvas = () => page.locator('.learning-map');
  /** The legend's list of marked items is folded under its count: opened, unless it is already. */
  const unfold = async (legend: ReturnType<Page['locator']>) => {
    if ((await legend.locator('details').getAttribute('open')) === null) await legend.locator('summary').click();
  };
  const ready = () => page.locator('.learning-map[data-status="ready"]').waitFor({ timeout: 20_000 });

  beforeAll(async () => {
    rig = await startRig({ prepare: async (s) => void (await ensureDemoFramework(s.db, () => {})) });
    ({ page, base } = rig);
    const t: TestApp = { app: rig.app, store: rig.store, config: rig.config, close: rig.close };
    d = await demoClass(t);
    const admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
    expect((await rig.app.inject({ method: 'POST', url: '/api/badges/achievements/defaults', headers: admin, payload: { framework: MATH_2017_DOCUMENT } })).json()).toEqual({ created: 217 });
    const mastered = (agent: Record<string, unknown>, code: string) => ['2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04'].map((day) => answered(agent, code, true, `${day}T01:00:00Z`));
    await post(t, d.writer, [...mastered(d.agents[0]!, A), ...mastered(d.agents[0]!, B), ...mastered(d.agents[1]!, A)]);
    const own = async (userId: string) => (await rig.app.inject({ method: 'GET', url: '/api/badges/passport', headers: await cookieOf(userId) })).json().learnerId as string;
    learners = [await own(d.learnerUserIds[0]!), await own(d.learnerUserIds[1]!)];
  }, 120_000);

  afterAll(() => rig?.close());

  it('marks the learner’s candidates on the teacher’s map; the item panel approves one and dismisses another', async () => {
    await signInAs(d.teacherUserId);
    await page.goto(`${base}/map?learner=${learners[0]}`);
    await ready();
    await expect.poll(() => canvas().getAttribute('data-badge-candidates')).toBe([idOf(A), idOf(B)].sort().join(' '));
    // The legend explains the mark and lists the marked items (the canvas's text alternative).
    const legend = page.locator('.badge-legend[data-badge="candidate"]');
    expect(await legend.locator('summary').textContent()).toContain('バッジ候補: 2');
    await unfold(legend);
    await legend.getByRole('list', { name: 'バッジ候補のある項目' }).getByRole('button', { name: new RegExp(A) }).click();
    await expect.poll(() => canvas().getAttribute('data-selected')).toBe(idOf(A));
    const panel = page.locator('.map-panel');
    const badges = panel.getByRole('region', { name: 'バッジ' });
    expect(await badges.textContent()).toContain('解答 4 問 · 正答 4 問');
    await badges.getByRole('button', { name: `青木 あおい さんの ${A} を承認` }).click();
    await page.getByRole('dialog', { name: '1 件のバッジを発行しますか？' }).getByRole('button', { name: '1 件を承認して発行' }).click();
    await badges.getByRole('status').filter({ hasText: '1 件のバッジを発行しました。' }).waitFor();
    await expect.poll(() => canvas().getAttribute('data-badge-issued')).toBe(idOf(A));
    await expect.poll(() => canvas().getAttribute('data-badge-candidates')).toBe(idOf(B));
    await page.locator('.badge-legend[data-badge="issued"]').filter({ hasText: 'バッジ取得: 1' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'badges-map-ja.png') });

    // Dismissal needs a reason.
    await unfold(legend);
    await legend.getByRole('button', { name: new RegExp(B) }).click();
    await expect.poll(() => canvas().getAttribute('data-selected')).toBe(idOf(B));
    const dismiss = badges.getByRole('button', { name: '見送る', exact: true });
    expect(await dismiss.isDisabled()).toBe(true);
    await badges.getByLabel('見送る理由').fill('次の単元で確認する');
    await dismiss.click();
    await badges.getByRole('status').filter({ hasText: '1 件の候補を見送りました。' }).waitFor();
    await expect.poll(() => canvas().getAttribute('data-badge-candidates')).toBe('');
    const dismissed = (await rig.app.inject({ method: 'GET', url: `/api/badges/candidates?status=dismissed&learner=${learners[0]}`, headers: await cookieOf(d.teacherUserId) })).json();
    expect(dismissed.candidates.map((c: { achievement: { humanCode: string }; reason: string }) => [c.achievement.humanCode, c.reason])).toEqual([[B, '次の単元で確認する']]);
  });

  it('shows the learner’s passport with their map: the badge’s item is marked, and selecting the badge selects it', async () => {
    await signInAs(d.learnerUserIds[0]!);
    await page.goto(`${base}/passport`);
    const card = page.locator('.badge-card');
    await card.first().waitFor();
    expect(await card.count()).toBe(1);
    expect(await card.textContent()).toContain(A);
    await page.getByRole('region', { name: '学習マップ' }).waitFor();
    await ready();
    await expect.poll(() => canvas().getAttribute('data-badge-issued')).toBe(idOf(A));
    const name = (await card.getByRole('heading', { level: 2 }).textContent())!;
    await card.getByRole('button', { name: `${name} をマップで見る` }).click();
    await expect.poll(() => canvas().getAttribute('data-selected')).toBe(idOf(A));
    expect(await card.getAttribute('aria-current')).toBe('true');
    // The same badge as a VC-JWT, and as an OB 2.0 assertion for older backpacks.
    const jwt = await page.request.get(base + (await card.getByRole('link', { name: `${name} を VC-JWT でダウンロード` }).getAttribute('href'))!);
    expect((await jwt.text()).split('.')).toHaveLength(3);
    const ob2 = await page.request.get(base + (await card.getByRole('link', { name: `${name} を OB 2.0（古いバックパック用） JSON でダウンロード` }).getAttribute('href'))!);
    expect((await ob2.json()).type).toBe('Assertion');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'passport-map-ja.png'), fullPage: true });
  });

  it('lets the teacher revoke the badge with a reason; the passport and the verification page say revoked', async () => {
    await signInAs(d.teacherUserId);
    await page.goto(`${base}/dashboard`);
    const section = page.getByRole('region', { name: 'バッジの候補' });
    await section.getByRole('button', { name: '発行済み' }).click();
    const row = section.locator('table.badge-table tbody tr', { hasText: '青木 あおい' });
    await row.waitFor();
    expect(await row.textContent()).toContain('有効');
    await row.getByRole('button', { name: `青木 あおい さんの ${A} のバッジを取り消す` }).click();
    const dialog = page.getByRole('dialog', { name: 'バッジを取り消しますか？' });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: '取り消す', exact: true });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('取り消す理由（必須）').fill('評価の誤りのため');
    await confirm.click();
    await section.getByRole('status').filter({ hasText: `青木 あおい さんの ${A} のバッジを取り消しました。` }).waitFor();
    await row.filter({ hasText: '取り消し済み' }).waitFor();
    expect(await dialog.isVisible()).toBe(false);

    await signInAs(d.learnerUserIds[0]!);
    await page.goto(`${base}/passport`);
    const card = page.locator('.badge-card[data-status="revoked"]');
    await card.waitFor();
    expect(await card.textContent()).toContain('取り消し済み');
    expect(await card.textContent()).toContain('理由: 評価の誤りのため');
    await ready();
    await expect.poll(() => canvas().getAttribute('data-badge-issued')).toBe('');
    await card.getByRole('link', { name: /の検証ページ$/ }).click();
    await page.waitForURL(/\/badges\/credentials\//);
    expect(await page.locator('.verdict.bad').textContent()).toContain('取り消し済み：発行者がこのバッジを取り消しました');
  });

  it('works in English: the candidate marker, its legend and the approval from the panel', async () => {
    await signInAs(d.teacherUserId);
    await page.goto(`${base}/map?learner=${learners[1]}`);
    await ready();
    await page.getByRole('button', { name: 'English' }).click();
    const legend = page.locator('.badge-legend[data-badge="candidate"]');
    await legend.filter({ hasText: 'Badge candidate: 1' }).waitFor();
    await unfold(legend);
    await legend.getByRole('list', { name: 'Items with a badge candidate' }).getByRole('button', { name: new RegExp(A) }).click();
    const badges = page.locator('.map-panel').getByRole('region', { name: 'Badge' });
    await badges.getByRole('button', { name: `Approve ${A} for 石田 はると` }).click();
    await page.getByRole('dialog', { name: 'Issue 1 badge(s)?' }).getByRole('button', { name: 'Approve and issue 1' }).click();
    await badges.getByRole('status').filter({ hasText: '1 badge(s) issued.' }).waitFor();
    await expect.poll(() => canvas().getAttribute('data-badge-issued')).toBe(idOf(A));
    await page.getByRole('button', { name: '日本語' }).click();
    expect(rig.problems).toEqual([]);
  });
});
