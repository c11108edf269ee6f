import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createSession } from '../../src/auth/index.js';
import { SESSION_COOKIE } from '../../src/http/plugins/auth.js';
import { extractPng } from '../../src/badges/index.js';
import type { TestApp } from '../helper.js';
import { answered, type demoClass, post } from '../progress/fixture.js';
import { SCREENSHOT_DIR, skipWithoutChromium, startBadgeRig, type BrowserRig } from './support.js';

/**
 * The badge UI on the real server: four learners of the demo class master one item through /xapi; in Chromium the
 * teacher approves one candidate with one click, two more together, and dismisses the last with a reason (by
 * keyboard), and a learner finds the badge on their passport with its downloads and public verification page.
 */
const skip = skipWithoutChromium('the badges browser test');
const A = '8250213111100000'; // 1年 数の構成と表し方 (ア)

describe.skipIf(skip)('badges in Chromium: teacher approval → learner passport', () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;
  let d: Awaited<ReturnType<typeof demoClass>>;
  let t: TestApp;
  /** The display names of learners 0–3 as the teacher sees them: 0 approved alone, 1 and 2 in bulk, 3 dismissed. */
  let names: string[];

  const cookieOf = async (userId: string) => {
    const s = await createSession(rig.store.db, userId);
    return { cookie: `${SESSION_COOKIE}=${s.token}`, 'x-csrf-token': s.csrfToken };
  };

  beforeAll(async () => {
    ({ rig, t, d } = await startBadgeRig());
    ({ page, base } = rig);
    // Four correct answers in a row: Mastered, hence a candidate (docs/badges.md).
    const days = ['2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04'];
    await post(t, d.writer, d.agents.slice(0, 4).flatMap((agent) => days.map((day) => answered(agent, A, true, `${day}T01:00:00Z`))));
    const teacher = await cookieOf(d.teacherUserId);
    const candidates = (await rig.app.inject({ method: 'GET', url: '/api/badges/candidates', headers: teacher })).json().candidates as Array<{ learnerId: string; learnerName: string }>;
    names = [];
    for (const userId of d.learnerUserIds.slice(0, 4)) {
      const { learnerId } = (await rig.app.inject({ method: 'GET', url: '/api/badges/passport', headers: await cookieOf(userId) })).json();
      names.push(candidates.find((c) => c.learnerId === learnerId)!.learnerName);
    }
  }, 120_000);

  afterAll(() => rig?.close());

  const signInAs = async (userId: string) => {
    const s = await createSession(rig.store.db, userId);
    await page.context().clearCookies();
    await page.context().addCookies([{ name: SESSION_COOKIE, value: s.token, url: base }]);
  };

  it('shows the teacher the class’s candidates: approval after a confirmation, checked ones together, undone right after, a reason dismisses', async () => {
    await signInAs(d.teacherUserId);
    await page.goto(`${base}/dashboard`);
    const section = page.getByRole('region', { name: 'バッジの候補' });
    await section.waitFor();
    const rows = section.locator('table.badge-table tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    expect((await rows.locator('th').allTextContents()).sort()).toEqual([...names].sort());
    const [first, bulk1, bulk2, second] = names as [string, string, string, string];
    // Learner, Course of Study Code and the item's statement, and the evidence summary.
    expect(await rows.first().textContent()).toContain(A);
    expect(await rows.first().textContent()).toContain('解答 4 問 · 正答 4 問');
    expect(await rows.first().textContent()).toContain(d.structure.items.find((i) => i.code === A)!.fullStatement);
    // Every approval asks first, naming the badges it issues.
    const confirm = async (n: number) => {
      const dialog = page.getByRole('dialog', { name: `${n} 件のバッジを発行しますか？` });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: `${n} 件を承認して発行` }).click();
    };
    await section.getByRole('button', { name: `${first} さんの ${A} を承認` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'キャンセル' }).click();
    expect(await rows.count()).toBe(4);
    await section.getByRole('button', { name: `${first} さんの ${A} を承認` }).click();
    expect(await page.getByRole('dialog').textContent()).toContain(`${first} さんの ${A} のバッジ`);
    await confirm(1);
    await section.getByRole('status').filter({ hasText: '1 件のバッジを発行しました。' }).waitFor();
    await expect.poll(() => rows.count()).toBe(3);
    const bulk = async () => {
      await section.getByRole('checkbox', { name: `${bulk1} さんの ${A} を選択` }).check();
      await section.getByRole('checkbox', { name: `${bulk2} さんの ${A} を選択` }).check();
      await section.getByRole('button', { name: '選択した 2 件を承認' }).click();
      await confirm(2);
      await section.getByRole('status').filter({ hasText: '2 件のバッジを発行しました。' }).waitFor();
      await expect.poll(() => rows.count()).toBe(1);
    };
    await bulk();
    // Undone right after: both credentials revoked, both candidates pending again (audited); then approved anew.
    await section.getByRole('button', { name: '元に戻す' }).click();
    await section.getByRole('status').filter({ hasText: '2 件の承認を取り消しました' }).waitFor();
    await expect.poll(() => rows.count()).toBe(3);
    expect((await rig.store.db.selectFrom('audit_log').select('action').where('action', '=', 'badge.approve.undo').execute()).length).toBe(2);
    await bulk();

    // Dismissal by keyboard: check the row, give a reason, press the button.
    await section.getByRole('checkbox', { name: `${second} さんの ${A} を選択` }).focus();
    await page.keyboard.press('Space');
    await section.getByLabel('見送る理由').focus();
    await page.keyboard.type('授業で再確認してから');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('選択した 1 件を見送る');
    await page.keyboard.press('Enter');
    await section.getByRole('status').filter({ hasText: '1 件の候補を見送りました。' }).waitFor();
    await section.getByText('承認を待っている候補はありません。').waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'badge-candidates-ja.png'), fullPage: true });
    const dismissed = (await rig.app.inject({ method: 'GET', url: '/api/badges/candidates?status=dismissed', headers: await cookieOf(d.teacherUserId) })).json();
    expect(dismissed.candidates.map((c: { learnerName: string; reason: string }) => [c.learnerName, c.reason])).toEqual([[second, '授業で再確認してから']]);
  });

  it('shows the learner the badge on their passport, with downloads and a verification page', async () => {
    await signInAs(d.learnerUserIds[0]!);
    await page.goto(`${base}/passport`);
    await page.getByRole('heading', { level: 1, name: '学びのパスポート' }).waitFor();
    const card = page.locator('.badge-card');
    await card.first().waitFor();
    expect(await card.count()).toBe(1);
    const text = (await card.textContent())!;
    expect(text).toContain(A);
    expect(text).toContain('有効');
    expect(text).toContain(d.structure.items.find((i) => i.code === A)!.fullStatement);
    const name = (await card.getByRole('heading', { level: 2 }).textContent())!;
    const png = await page.request.get(base + (await card.getByRole('link', { name: `${name} を PNG でダウンロード` }).getAttribute('href'))!);
    expect(png.headers()['content-type']).toBe('image/png');
    const credential = JSON.parse(extractPng(await png.body())!);
    expect(credential.credentialSubject.achievement.humanCode).toBe(A);
    const json = await page.request.get(base + (await card.getByRole('link', { name: `${name} を JSON でダウンロード` }).getAttribute('href'))!);
    expect(await json.json()).toEqual(credential);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'passport-ja.png'), fullPage: true });
    // The same page in English.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Learning passport' }).waitFor();
    expect(await card.textContent()).toContain('Valid');
    await card.getByRole('link', { name: `Download ${name} as SVG` }).waitFor();
    await page.getByRole('button', { name: '日本語' }).click();
    await card.getByRole('link', { name: `${name} の検証ページ` }).click();
    await page.waitForURL(/\/badges\/credentials\//);
    // The verification page in the browser's language (ja-JP).
    expect(await page.locator('.verdict.ok').textContent()).toContain('検証済み：この証明書は有効です');
    // The learner whose candidate was dismissed has no badge.
    await signInAs(d.learnerUserIds[3]!);
    await page.goto(`${base}/passport`);
    await page.getByText('まだバッジはありません。').waitFor();
    expect(rig.problems).toEqual([]);
  });
});
