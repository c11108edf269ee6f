import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../../src/auth/index.js';
import type { LearningMap, Me } from '../../web/src/types/progress-api.js';
import { mathMap, progressOf, syntheticMap } from '../web/map-fixture.js';
import { SCREENSHOT_DIR, skipWithoutChromium, startRig, type BrowserRig } from './support.js';

/**
 * The learning map's budgets in real Chromium: 217 items rendered in < 1 s; 5,000 items laid out (in the Web
 * Worker) in < 3 s with the page responsive meanwhile and the map pannable after. The map data is served by the
 * test in the exact shape of GET /api/progress/map (docs/progress-api.md), so only the browser side is measured.
 */
const skip = skipWithoutChromium('the map budget test');
const USER = { username: 'sato', displayName: '佐藤 先生', password: 'correct horse battery staple' };

// Budgets are wall-clock measurements on a 2-core machine where another test file runs beside this one: a
// measurement disturbed by that neighbour is taken again; a real regression fails every attempt.
describe.skipIf(skip)('learning map budgets in Chromium', { retry: 2 }, () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;
  let problems: string[];
  let served: LearningMap;

  beforeAll(async () => {
    rig = await startRig({ prepare: async (store) => void (await createUser(store.db, { ...USER, roles: [{ role: 'admin' }] })) });
    ({ page, base, problems } = rig);
    expect((await page.request.post(`${base}/api/auth/sign-in`, { data: { username: USER.username, password: USER.password } })).status()).toBe(200);
    const me: Me = { user: { id: 'u1', username: USER.username, displayName: USER.displayName, roles: [{ role: 'admin' }] }, csrfToken: 'x', learnerId: null, classes: [] };
    await page.route('**/api/me', (r) => r.fulfill({ json: me }));
    await page.route('**/api/progress/map?**', (r) => r.fulfill({ json: served }));
    await page.route('**/api/progress/learners/*/next-steps?**', (r) => r.fulfill({ json: { items: [] } }));
    await page.route('**/api/progress/learners/*/changes?**', (r) => r.fulfill({ json: { from: '2025-04-01', to: '2025-07-20', summary: { mastered: 0, started: 0, regressed: 0 }, changes: [] } }));
  });

  afterAll(() => rig?.close());

  /** Opens the map and waits until it is drawn; returns the component's own timings and the wall time from navigation. */
  async function open(map: LearningMap) {
    served = map;
    const t0 = Date.now();
    await page.goto(`${base}/map?framework=${map.framework.identifier}&learner=learner-1`);
    const canvas = page.locator('.learning-map[data-status="ready"][data-render-ms]');
    await canvas.waitFor({ timeout: 20_000 });
    const wall = Date.now() - t0;
    const renderMs = Number(await canvas.getAttribute('data-render-ms'));
    const firstFrameMs = Number(await canvas.getAttribute('data-first-frame-ms'));
    const layoutMs = Number(await canvas.getAttribute('data-layout-ms'));
    return { wall, renderMs, firstFrameMs, layoutMs };
  }

  it('renders the 217 items of 算数 in under a second', async () => {
    const map = mathMap({ stateOf: (n, i) => progressOf(i % 3 === 0 ? 'mastered' : i % 3 === 1 ? 'in_progress' : 'not_started', i % 11 === 0) });
    const t = await open(map);
    console.log(`map budget: 217 items: layout (worker) ${t.layoutMs} ms, first screenful ${t.firstFrameMs} ms, all drawn ${t.renderMs} ms after the data arrived; ${t.wall} ms from navigation (bundle, session, data)`);
    expect(Number(await page.locator('.learning-map').getAttribute('data-node-count'))).toBe(217);
    expect(t.renderMs).toBeLessThan(1000);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-217.png') });
  });

  it('lays out 5,000 items off the main thread in under 3 s, and the map stays pannable', async () => {
    served = syntheticMap(5000);
    // The main thread's longest gap between animation frames while the page loads and lays out the map.
    await page.addInitScript(() => {
      const w = window as unknown as { __maxFrameGap: number };
      w.__maxFrameGap = 0;
      let last = performance.now();
      const tick = (now: number) => {
        w.__maxFrameGap = Math.max(w.__maxFrameGap, now - last);
        last = now;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const t = await open(served);
    console.log(`map budget: 5,000 items: laid out in the worker ${t.layoutMs} ms (data in hand → positions back), first screenful ${t.firstFrameMs} ms, all drawn ${t.renderMs} ms; ${t.wall} ms from navigation`);
    expect(Number(await page.locator('.learning-map').getAttribute('data-node-count'))).toBe(5000);
    expect(t.layoutMs).toBeLessThan(3000);
    expect(t.firstFrameMs).toBeLessThan(3000);

    // Pan by dragging: the view moves, and each drag step is handled quickly.
    const canvas = page.locator('.learning-map');
    const box = (await canvas.boundingBox())!;
    const before = await canvas.getAttribute('data-pan');
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    const t0 = Date.now();
    const steps = 20;
    for (let i = 1; i <= steps; i++) await page.mouse.move(cx - i * 15, cy - i * 10);
    await page.mouse.up();
    const panMs = (Date.now() - t0) / steps;
    await expect.poll(() => canvas.getAttribute('data-pan')).not.toBe(before);
    const gap = await page.evaluate(() => (window as unknown as { __maxFrameGap: number }).__maxFrameGap);
    console.log(`map budget: 5,000 items: ${panMs.toFixed(1)} ms per drag step; longest main-thread frame gap during load ${gap.toFixed(0)} ms`);
    expect(panMs).toBeLessThan(200);
    // Streaming in chunks keeps the main thread from freezing (without it: several seconds).
    expect(gap).toBeLessThan(1500);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-5000.png') });
    expect(problems).toEqual([]);
  });
});
