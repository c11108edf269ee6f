import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../../src/auth/index.js';
import type { LearningMap } from '../../web/src/types/progress-api.js';
import { mathMap, progressOf, serveMapOnly, syntheticMap } from '../web/map-fixture.js';
import { SCREENSHOT_DIR, skipWithoutChromium, startRig, type BrowserRig } from './support.js';

/**
 * The learning map at 217 and 5,000 items in real Chromium: every item drawn, the layout made in the Web Worker,
 * the big map streamed in chunks after a first screenful, and pannable after. The map data is served by the test in
 * the exact shape of GET /api/progress/map (docs/progress-api.md). How fast is measured by `npm run bench`
 * (bench/map.ts, against Cytoscape alone in the same run), not here: wall-clock budgets fail on a loaded machine.
 */
const skip = skipWithoutChromium('the map scale test');
const USER = { username: 'sato', displayName: '佐藤 先生', password: 'correct horse battery staple' };

describe.skipIf(skip)('the learning map at scale in Chromium', () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;
  let problems: string[];
  let served: LearningMap;

  beforeAll(async () => {
    rig = await startRig({ prepare: async (store) => void (await createUser(store.db, { ...USER, roles: [{ role: 'admin' }] })) });
    ({ page, base, problems } = rig);
    expect((await page.request.post(`${base}/api/auth/sign-in`, { data: { username: USER.username, password: USER.password } })).status()).toBe(200);
    await serveMapOnly(page, USER, () => served);
  });

  afterAll(() => rig?.close());

  /** Opens the map and waits until it is drawn; returns what the component reports of how it drew it. */
  async function open(map: LearningMap) {
    served = map;
    const workers: string[] = [];
    const onWorker = (w: { url(): string }) => workers.push(w.url());
    page.on('worker', onWorker);
    await page.goto(`${base}/map?framework=${map.framework.identifier}&learner=learner-1`);
    const canvas = page.locator('.learning-map[data-status="ready"][data-render-ms]');
    await canvas.waitFor({ timeout: 60_000 });
    page.off('worker', onWorker);
    const num = async (name: string) => Number(await canvas.getAttribute(name));
    return { workers, nodes: await num('data-node-count'), edges: await num('data-edge-count'), chunks: await num('data-chunks'), firstFrameMs: await num('data-first-frame-ms'), renderMs: await num('data-render-ms'), layoutMs: await num('data-layout-ms') };
  }

  it('draws the 217 items of 算数, laid out in the Web Worker: a first screenful, then the rest at once', async () => {
    const map = mathMap({ stateOf: (n, i) => progressOf(i % 3 === 0 ? 'mastered' : i % 3 === 1 ? 'in_progress' : 'not_started', i % 11 === 0) });
    const t = await open(map);
    expect(t.nodes).toBe(217);
    expect(t.edges).toBeGreaterThan(0);
    expect(t.workers).toEqual([expect.stringMatching(/layout/)]);
    expect(t.chunks).toBeLessThanOrEqual(2);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-217.png') });
  });

  it('draws 5,000 items, a first screenful then the rest in chunks, and the map pans', async () => {
    const t = await open(syntheticMap(5000));
    expect(t.nodes).toBe(5000);
    expect(t.workers).toEqual([expect.stringMatching(/layout/)]);
    // Streaming keeps the main thread from freezing: several frames, the first before the last.
    expect(t.chunks).toBeGreaterThan(2);
    expect(t.firstFrameMs).toBeLessThan(t.renderMs);

    // Pan by dragging: the view moves.
    const canvas = page.locator('.learning-map');
    const box = (await canvas.boundingBox())!;
    const before = await canvas.getAttribute('data-pan');
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(cx - i * 15, cy - i * 10);
    await page.mouse.up();
    await expect.poll(() => canvas.getAttribute('data-pan')).not.toBe(before);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-5000.png') });
    expect(problems).toEqual([]);
  });
});
