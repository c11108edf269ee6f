import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { registerPlatform } from '../../src/lti/index.js';
import { MATH_2017_DOCUMENT, frameworkStructure } from '../../src/progress/index.js';
import { freePort } from '../cli-process.js';
import { CLIENT_ID, DEPLOYMENT_ID, ROLE, startPlatform, type TestPlatform } from '../http/lti/platform.js';
import { SCREENSHOT_DIR, axeViolations, skipWithoutChromium, startRig, type BrowserRig } from './support.js';

/**
 * LTI 1.3 in Chromium: a platform (LMS / 学習eポータル) on its own port launches Shirube — the login initiation, the
 * platform's auto-posted id_token, the session and the learner's map; a teacher's deep linking through the Japanese
 * picker back to the platform, whose link then opens the chosen item on the learner's map.
 */
const skip = skipWithoutChromium('the LTI browser test');

describe.skipIf(skip)('LTI 1.3 launches in Chromium', () => {
  let rig: BrowserRig;
  let platform: TestPlatform;
  let item: { id: string; code: string; fullStatement: string };

  beforeAll(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    platform = await startPlatform({ base });
    rig = await startRig({
      port,
      env: { SHIRUBE_PUBLIC_URL: base, SHIRUBE_SECRET_KEY: 'lti browser test secret key, 32+ characters' },
      prepare: async (store) => {
        await ensureDemoFramework(store.db, () => {});
        await registerPlatform(store.db, { label: '学習eポータル', issuer: platform.issuer, clientId: CLIENT_ID, deploymentIds: [DEPLOYMENT_ID], authLoginUrl: platform.authUrl, accessTokenUrl: platform.tokenUrl, jwksUrl: platform.jwksUrl }, 'system');
        const s = await frameworkStructure(store.db, MATH_2017_DOCUMENT);
        item = s.items.find((i) => i.grade === '4')!;
      },
    });
    expect(rig.base).toBe(base);
  }, 300_000);
  afterAll(async () => {
    await rig?.close();
    await platform?.close();
  });

  /** The platform's course page: its launch button starts the login initiation. */
  const launchFromPlatform = async (hint: string) => {
    await rig.page.goto(`${platform.issuer}/course?hint=${hint}`);
    await rig.page.getByRole('button', { name: 'Continue' }).click();
  };

  it('a learner launched from the platform lands on their own map, signed in', async () => {
    platform.launches.set('learner', { sub: 'pupil-7', roles: [ROLE.learner], name: '児童 七' });
    await launchFromPlatform('learner');
    await rig.page.waitForURL(`${rig.base}/map`);
    await rig.page.getByRole('heading', { level: 1, name: '児童 七 さんの学習マップ' }).waitFor();
    await rig.page.locator('.learning-map[data-status="ready"]').waitFor({ timeout: 20_000 });
    await rig.page.screenshot({ path: join(SCREENSHOT_DIR, 'lti-learner-map-ja.png') });
    expect(rig.problems).toEqual([]);
  });

  it('a teacher deep links an item through the Japanese picker; the link opens it on the learner’s map', async () => {
    const { page } = rig;
    platform.launches.set('deep', { sub: 'teacher-9', roles: [ROLE.instructor], name: '先生 九', messageType: 'LtiDeepLinkingRequest', locale: 'ja-JP' });
    await launchFromPlatform('deep');
    await page.getByRole('heading', { level: 1, name: 'リンクする内容を選ぶ' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    await page.getByRole('link', { name: /算数/ }).click();
    await page.getByRole('radio', { name: '学習マップ（学習者それぞれの自分のマップ）: ' + (await page.locator('h2').textContent()) }).waitFor();
    await page.getByRole('radio', { name: new RegExp(`^${item.code.replace(/[()[\]]/g, '\\$&')} `) }).check();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'lti-deep-link-picker-ja.png'), fullPage: false });
    // The picker is one of Shirube's own pages: axe finds nothing serious or critical (test/e2e/accessibility.test.ts).
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'この内容をリンクする' }).click();
    // The auto-posted response reaches the platform, which verified it with the tool's JWKS.
    await page.waitForURL(platform.returnUrl);
    await page.locator('#received').waitFor();
    expect(await page.locator('#received').textContent()).toContain(item.code);
    const [content] = platform.received.at(-1)!['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as Array<{ custom: Record<string, string> }>;

    // A learner launching the new link goes to that item on their map.
    platform.launches.set('link', { sub: 'pupil-7', roles: [ROLE.learner], custom: content!.custom });
    await launchFromPlatform('link');
    await page.waitForURL(`${rig.base}/map?framework=${MATH_2017_DOCUMENT}&item=${item.id}`);
    await page.locator('.learning-map[data-status="ready"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('article.map-panel .full-statement').textContent()).toBe(item.fullStatement);
    expect(rig.problems).toEqual([]);
  });

  it('refuses a login from an unknown platform with a page in Japanese that says what to fix, accessible', async () => {
    const { page } = rig;
    const r = await page.goto(`${rig.base}/lti/login?iss=${encodeURIComponent('https://unknown.example')}&login_hint=x&target_link_uri=${encodeURIComponent(`${rig.base}/lti/launch`)}`);
    expect(r!.status()).toBeGreaterThanOrEqual(400);
    expect(r!.status()).toBeLessThan(500);
    await page.getByRole('heading', { level: 1, name: /起動できません/ }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    expect(await axeViolations(page)).toEqual([]);
  });
});
