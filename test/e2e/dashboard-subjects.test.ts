import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Config } from '../../src/config.js';
import type { Store } from '../../src/store/db.js';
import { ensureShippedFrameworks } from '../../src/case/demo.js';
import { runDemo } from '../../src/cli/demo.js';
import { DEMO_CLASS, SCIENCE_2017_DOCUMENT } from '../../src/progress/index.js';
import type { Heatmap, LearningMap } from '../../web/src/types/progress-api.js';
import { SCREENSHOT_DIR, skipWithoutChromium, startRig, type BrowserRig, getJson, signInWith } from './support.js';

/**
 * One class, two subjects (docs/demo.md): the teacher of 4年1組 switches the dashboard from 算数 to 理科 and opens
 * a learner's 理科 map from the heatmap; learner01 switches their own map to 理科.
 */
const skip = skipWithoutChromium('the subject switch browser test');

describe.skipIf(skip)('the demo class in 算数 and 理科 (Chromium)', () => {
  let rig: BrowserRig;
  let store: Store;
  let config: Config;
  let page: Page;
  let base: string;
  let problems: string[];
  let signIns: Array<{ username: string; password: string }>;

  beforeAll(async () => {
    rig = await startRig({ expectedErrors: /40[13] \((Unauthorized|Forbidden)\)/, prepare: async (s) => void (await ensureShippedFrameworks(s.db, () => {})) });
    ({ store, config, page, base, problems } = rig);
    ({ signIns } = await runDemo(store.db, config, base, { simulation: { days: 6 } }));
  }, 300_000);
  afterAll(() => rig?.close());

  const signIn = (username: string) => signInWith(page, base, username, signIns.find((s) => s.username === username)!.password);
  const api = <T,>(path: string) => getJson<T>(page, base, path);
  const nodes = () => page.locator('.learning-map[data-status="ready"]');

  it('lets the teacher view 4年1組 in 理科: heatmap of grade-4 理科 items, then a learner’s 理科 map', async () => {
    await signIn('teacher');
    await page.goto(`${base}/dashboard`);
    const subject = page.getByLabel('教科');
    await subject.waitFor();
    expect(await subject.locator('option').allTextContents()).toEqual(['算数', '理科']);
    await subject.selectOption({ label: '理科' });
    await expect.poll(() => new URL(page.url()).searchParams.get('framework')).toBe(SCIENCE_2017_DOCUMENT);
    const heatmap = await api<Heatmap>(`/api/progress/classes/${DEMO_CLASS}/heatmap?framework=${SCIENCE_2017_DOCUMENT}&grade=4`);
    expect(heatmap.items.every((i) => i.code?.startsWith('826'))).toBe(true);
    const table = page.locator('table.heatmap');
    await expect.poll(() => table.locator('thead th').count()).toBe(heatmap.items.length + 2);
    expect(await table.locator('tbody tr').count()).toBe(35);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-science-ja.png'), fullPage: true });
    const first = table.locator('tbody th a').first();
    const name = await first.textContent();
    const learner = heatmap.learners.find((l) => l.displayName === name)!;
    await first.click();
    await nodes().waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).searchParams.get('framework')).toBe(SCIENCE_2017_DOCUMENT);
    expect(new URL(page.url()).searchParams.get('learner')).toBe(learner.id);
    const map = await api<LearningMap>(`/api/progress/map?framework=${SCIENCE_2017_DOCUMENT}&learner=${learner.id}`);
    expect(Number(await nodes().getAttribute('data-node-count'))).toBe(map.nodes.length);
    expect(await page.getByLabel('教科').inputValue()).toBe(SCIENCE_2017_DOCUMENT);
  });

  it('lets learner01 switch their own map to 理科', async () => {
    await page.request.post(`${base}/api/auth/sign-out`);
    await signIn('learner01');
    await page.goto(`${base}/map`);
    await nodes().waitFor({ timeout: 20_000 });
    await page.getByLabel('教科').selectOption({ label: '理科' });
    await expect.poll(() => new URL(page.url()).searchParams.get('framework')).toBe(SCIENCE_2017_DOCUMENT);
    const map = await api<LearningMap>(`/api/progress/map?framework=${SCIENCE_2017_DOCUMENT}`);
    await expect.poll(async () => Number(await page.locator('.learning-map[data-status="ready"]').getAttribute('data-node-count').catch(() => '0'))).toBe(map.nodes.length);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-science-learner-ja.png') });
    expect(problems).toEqual([]);
  });
});
