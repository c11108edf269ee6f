import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createSession } from '../../src/auth/index.js';
import { SESSION_COOKIE } from '../../src/http/plugins/auth.js';
import { ensureIssuer, loadSecretKey } from '../../src/badges/index.js';
import { savePerson } from '../../src/progress/index.js';
import { getIssuer } from '../../src/store/badges.js';
import { upsertSchool } from '../../src/store/progress-rosters.js';
import { session } from '../helper.js';
import { bearer, obWallet, READ, type Client } from '../http/ob/support.js';
import { SCREENSHOT_DIR, skipWithoutChromium, startRig, type BrowserRig } from './support.js';

/**
 * A learner's connected apps and the issuers' DID method in Chromium on the real server: a wallet gets the learner's
 * consent through the real OAuth flow, the learner finds it on /passport and disconnects it by keyboard (its token
 * then gets 401); an administrator switches an issuer to did:key and sees the new DID, and disables a client.
 */
const skip = skipWithoutChromium('the connected apps browser test');

describe.skipIf(skip)('connected apps and issuer DIDs in Chromium', () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;
  let learnerUserId: string;
  let adminUserId: string;
  const wallet = obWallet(() => base);
  const signInAs = async (userId: string) => {
    const s = await createSession(rig.store.db, userId);
    await page.context().clearCookies();
    await page.context().addCookies([{ name: SESSION_COOKIE, value: s.token, url: base }]);
    return { cookie: `${SESSION_COOKIE}=${s.token}` };
  };
  const tokenStatus = async (token: string) => (await wallet.http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(token) })).status;

  beforeAll(async () => {
    rig = await startRig();
    ({ page, base } = rig);
    await upsertSchool(rig.store.db, { id: 'school-1', name: 'しるべ小学校', kind: 'school', parentId: null });
    learnerUserId = (await savePerson(rig.store.db, { id: 'pupil-1', role: 'student', displayName: '児童 一', username: 'pupil1', schoolId: 'school-1', source: 'manual' }, base)).userId!;
    adminUserId = (await session({ app: rig.app, store: rig.store, config: rig.config, close: rig.close }, [{ role: 'admin', scopeType: 'global', scopeId: '' }])).userId;
    await ensureIssuer({ db: rig.store.db, publicUrl: rig.config.publicUrl, secret: loadSecretKey({ secretKey: rig.config.secretKey, dataDir: rig.config.dataDir }) }, { id: 'school-1', name: 'しるべ小学校' });
  }, 60_000);

  afterAll(async () => {
    if (page) await page.screenshot({ path: join(SCREENSHOT_DIR, 'connected-apps.png'), fullPage: true });
    expect(rig?.problems ?? []).toEqual([]);
    await rig?.close();
  });

  it('shows the learner the wallet they allowed on /passport, and disconnecting it (by keyboard) ends its token', async () => {
    const cookie = await signInAs(learnerUserId);
    const g = await wallet.grant(cookie, READ);
    expect(await tokenStatus(g.access_token)).toBe(200);

    await page.goto(`${base}/passport`);
    const apps = page.getByRole('region', { name: '連携しているアプリ' });
    const card = apps.getByRole('listitem').filter({ hasText: 'テスト財布 Wallet' });
    await card.waitFor();
    await card.getByText('あなたのバッジ（オープンバッジの証明書）を読み取る').waitFor();
    await card.getByText('接続中').waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'connected-apps-passport.png'), fullPage: true });
    const disconnect = card.getByRole('button', { name: 'テスト財布 Wallet との連携を解除' });
    await disconnect.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'テスト財布 Wallet との連携を解除しますか？' });
    await dialog.waitFor();
    // Cancel has the focus first (Enter changes nothing by accident); Shift+Tab goes to the confirming button.
    const focused = () => page.evaluate(() => document.activeElement?.textContent);
    expect(await focused()).toBe('キャンセル');
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('連携を解除');
    await page.keyboard.press('Enter');
    await apps.getByRole('status').filter({ hasText: 'テスト財布 Wallet との連携を解除しました。' }).waitFor();
    await apps.getByText('連携しているアプリはありません。').waitFor();
    expect(await tokenStatus(g.access_token)).toBe(401);
    expect((await wallet.refresh(g.client, g.refresh_token)).json().error).toBe('invalid_grant');
  });

  it('lets an administrator switch an issuer to did:key (the new DID shows) and disable an Open Badges API client', async () => {
    const client: Client = await wallet.register(READ, { client_name: 'Abusive Wallet' });
    const g = await wallet.grant(await signInAs(learnerUserId), READ, client);
    await signInAs(adminUserId);
    await page.goto(`${base}/badges/achievements`);
    const issuers = page.getByRole('region', { name: '発行者と署名鍵' });
    await issuers.getByText('公開ホスト名がない場合').waitFor();
    const row = issuers.getByRole('row', { name: /しるべ小学校/ });
    await row.getByText('did:web', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'しるべ小学校 を did:key に切り替え' }).click();
    await row.getByRole('button', { name: '切り替える' }).click();
    const done = issuers.getByRole('status').filter({ hasText: 'しるべ小学校 を切り替えました。新しい DID: did:key:z' });
    await done.waitFor();
    const issuer = (await getIssuer(rig.store.db, { id: 'school-1' }))!;
    expect(issuer.didMethod).toBe('key');
    expect(await done.textContent()).toContain(issuer.did);
    await row.locator('code.did', { hasText: issuer.did }).waitFor();
    await row.getByRole('button', { name: 'しるべ小学校 を did:web に切り替え' }).waitFor();

    const clients = page.getByRole('region', { name: 'オープンバッジ API のクライアント' });
    const clientRow = clients.getByRole('row', { name: /Abusive Wallet/ });
    await clientRow.getByRole('button', { name: 'Abusive Wallet を無効にする' }).click();
    const dialog = page.getByRole('dialog', { name: 'Abusive Wallet を無効にしますか？' });
    await dialog.getByText('許可している 1 人の学習者').waitFor();
    await dialog.getByRole('button', { name: '無効にする' }).click();
    await clients.getByRole('status').filter({ hasText: 'Abusive Wallet を無効にしました。' }).waitFor();
    await clientRow.getByText(/^無効（/).waitFor();
    expect(await tokenStatus(g.access_token)).toBe(401);
  });
});
