import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { packageToRows } from '../../src/case/package.js';
import { savePackage } from '../../src/store/case.js';
import { kitchenSink } from '../http/case/support.js';
import { session } from '../helper.js';
import { axeViolations, SCREENSHOT_DIR, signInAs, skipWithoutChromium, startRig, type BrowserRig } from './support.js';

/**
 * /suppliers in Chromium on the real server, in Japanese: a vendor asks for an API key and gets its claim link; an
 * administrator approves it with fewer scopes; the vendor opens the claim link signed out and collects the secret,
 * which gets a token; the alignment check of pasted codes shows each line's status and downloads the CSV report. No
 * serious or critical axe violation on the page.
 */
const skip = skipWithoutChromium('the suppliers browser test');
const A = '8250213111100000';
/** A small Implemented Course of Study framework holding the code A. */
const framework = kitchenSink('算数', { adoptionStatus: 'Implemented' });
framework.CFItems[0] = { ...framework.CFItems[0]!, humanCodingScheme: A };

describe.skipIf(skip)('the suppliers page in Chromium', () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;
  let adminId: string;

  beforeAll(async () => {
    // Signed out, the page's session request is a 401 (the browser logs it).
    rig = await startRig({ prepare: (s) => s.db.transaction().execute((trx) => savePackage(trx, packageToRows(framework, { authored: false, isCourseOfStudy: true }))), expectedErrors: /status of 401 / });
    ({ page, base } = rig);
    adminId = (await session({ app: rig.app, store: rig.store, config: rig.config, close: rig.close }, [{ role: 'admin', scopeType: 'global', scopeId: '' }])).userId;
  }, 120_000);

  afterAll(async () => {
    if (page) await page.screenshot({ path: join(SCREENSHOT_DIR, 'suppliers.png'), fullPage: true });
    expect(rig?.problems ?? []).toEqual([]);
    await rig?.close();
  });

  it('asks for a key, an administrator approves it, the vendor collects the secret once by the claim link', async () => {
    await page.goto(`${base}/suppliers`);
    await page.getByRole('heading', { level: 1, name: '事業者向け：API キーと整合性チェック' }).waitFor();
    await page.getByLabel('組織名').fill('株式会社ドリル');
    await page.getByLabel('連絡先メールアドレス').fill('dev@drill.example.jp');
    await page.getByLabel('利用目的').fill('算数ドリルの結果を xAPI で送る');
    await page.getByRole('checkbox', { name: /^xapi:statements\/write / }).check();
    await page.getByRole('checkbox', { name: /^resources:write / }).check();
    await page.getByRole('button', { name: '申請する' }).click();
    await page.getByText('申請を受け付けました。').waitFor();
    const token = await page.getByTestId('claim-token').textContent();
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    for (const v of await axeViolations(page)) expect.soft(v).toBe('');

    await signInAs(rig, base, adminId);
    await page.goto(`${base}/suppliers`);
    const request = page.getByRole('article', { name: '株式会社ドリル' });
    await request.getByText('dev@drill.example.jp', { exact: false }).waitFor();
    await request.getByRole('checkbox', { name: /^resources:write / }).uncheck();
    await request.getByRole('button', { name: '承認する' }).click();
    await page.getByRole('status').filter({ hasText: '株式会社ドリル の申請を承認しました。' }).waitFor();
    for (const v of await axeViolations(page)) expect.soft(v).toBe('');

    // The claim link opened afresh, signed out.
    await page.context().clearCookies();
    await page.goto('about:blank');
    await page.goto(`${base}/suppliers#claim=${token}`);
    await page.getByRole('button', { name: '状況を確認' }).click();
    await page.getByRole('status').filter({ hasText: '承認済み（シークレット未受け取り）' }).waitFor();
    await page.getByRole('button', { name: 'シークレットを受け取る（一度だけ）' }).click();
    const secret = await page.getByTestId('client-secret').textContent();
    const clientId = await page.getByTestId('client-id').textContent();
    await page.getByRole('status').filter({ hasText: '承認済み（シークレット受け取り済み）' }).waitFor();
    const tok = await page.request.post(`${base}/oauth/token`, { form: { grant_type: 'client_credentials', client_id: clientId!, client_secret: secret! } });
    expect(tok.status()).toBe(200);
    expect((await tok.json()).scope).toBe('xapi:statements/write');
  });

  it('checks pasted codes: each line’s status in Japanese, and the CSV report to download', async () => {
    await page.getByLabel('または貼り付け（1 行に 1 つ）').fill(`${A}\nNOPE\n`);
    await page.getByRole('button', { name: 'チェックする' }).click();
    await page.getByRole('heading', { name: '2 行の結果' }).waitFor();
    const rows = page.locator('.alignment-table tbody tr');
    expect(await rows.locator('.alignment-status').allTextContents()).toEqual(['公式', '不明']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV をダウンロード' }).click()]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\n')[1]).toMatch(new RegExp(`^1,${A},official,`));
    expect(csv).toContain('2,NOPE,unknown');
    for (const v of await axeViolations(page)) expect.soft(v).toBe('');
  });
});
