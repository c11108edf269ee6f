import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../../src/auth/index.js';
import { importCourseOfStudyCodes } from '../../src/case/import/cscode.js';
import { importCaseJson } from '../../src/case/import/case-json.js';
import type { LearningMap } from '../../web/src/types/progress-api.js';
import { frameworkStructure } from '../../src/progress/index.js';
import type { MapItem } from '../../src/progress/framework.js';
import { plainText } from '../../web/src/lib/rich-text.js';
import { SCREENSHOT_DIR, skipWithoutChromium, startRig, type BrowserRig } from './support.js';

/**
 * The learning map of frameworks other than 算数 on the real server: 理科 (two domains, grades 3–6) and Smarter
 * Balanced (no Course of Study levels, Markdown statements, no precedes among its leaves). Screenshots
 * map-science-ja.png and map-smarter-balanced-ja.png go to $TMPDIR/shirube-e2e.
 */
const skip = skipWithoutChromium('the map browser test (other frameworks)');
const SHARED = new URL('../../../shared/data/', import.meta.url);
const USER = { username: 'suzuki', displayName: '鈴木', password: 'correct horse battery staple' };

describe.skipIf(skip)('the learning map of 理科 and Smarter Balanced in Chromium', () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;
  const ids: Record<'science' | 'sb', string> = { science: '', sb: '' };
  const link = {} as { from: string; to: MapItem };

  beforeAll(async () => {
    rig = await startRig({
      prepare: async (store) => {
        await createUser(store.db, { ...USER, roles: [{ role: 'admin', scopeType: 'global', scopeId: '' }] });
        ids.science = (await importCourseOfStudyCodes(store.db, readFileSync(new URL('cscode/elementary-science-2017.csv', SHARED), 'utf8')))[0]!.identifier;
        ids.sb = (await importCaseJson(store.db, JSON.parse(readFileSync(new URL('case-frameworks/smarter-balanced-math-content-spec.v1p0.cfpackage.json', SHARED), 'utf8')))).identifier;
        // A third document links the first 理科 content item to a Smarter Balanced item.
        const [from, to] = await Promise.all([frameworkStructure(store.db, ids.science), frameworkStructure(store.db, ids.sb)]);
        link.from = from.items[0]!.id;
        link.to = to.items[0]!;
        const end = (id: string) => ({ identifier: id, uri: `https://example.org/i/${id}`, title: id });
        await importCaseJson(store.db, {
          CFDocument: { identifier: 'c2d7c0de-0000-4000-8000-000000000000', uri: 'https://example.org/d', creator: 'test', title: 'links', lastChangeDateTime: '2026-01-01T00:00:00Z' },
          CFItems: [],
          CFAssociations: [{ identifier: 'c2d7c0de-0000-4000-8000-000000000001', associationType: 'isRelatedTo', lastChangeDateTime: '2026-01-01T00:00:00Z', uri: 'https://example.org/a/1', originNodeURI: end(link.from), destinationNodeURI: end(link.to.id) }],
        });
      },
    });
    ({ page, base } = rig);
    expect((await page.request.post(`${base}/api/auth/sign-in`, { data: { username: USER.username, password: USER.password } })).status()).toBe(200);
  }, 300_000);
  afterAll(() => rig?.close());

  const open = async (framework: string) => {
    const map = (await (await page.request.get(`${base}/api/progress/map?framework=${framework}`)).json()) as LearningMap;
    await page.goto(`${base}/map?framework=${framework}`);
    const canvas = page.locator('.learning-map[data-status="ready"]');
    await canvas.waitFor({ timeout: 30_000 });
    expect(Number(await canvas.getAttribute('data-node-count'))).toBe(map.nodes.length);
    return map;
  };

  it('draws every 理科 content item', async () => {
    const map = await open(ids.science);
    expect(map.nodes.length).toBe(72);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-science-ja.png') });
  });

  it('draws every Smarter Balanced leaf with its related links on, as it has no precedes among them', async () => {
    const map = await open(ids.sb);
    expect(map.edges.some((e) => e.type === 'precedes')).toBe(false);
    await expect.poll(() => page.getByRole('checkbox', { name: /関連/ }).isChecked()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-smarter-balanced-ja.png') });
    expect(rig.problems).toEqual([]);
  });

  it("names a linked item of another framework in the item's panel and opens it on that framework's map", async () => {
    await page.goto(`${base}/map?framework=${ids.science}&item=${link.from}`);
    const a = page.locator('.cross-links a');
    await a.waitFor();
    expect(await a.textContent()).toContain(link.to.code);
    expect(await a.getAttribute('href')).toBe(`/map?framework=${ids.sb}&item=${link.to.id}`);
    expect(await page.locator('.cross-links').textContent()).toContain('Smarter Balanced Math Content Specification');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-cross-link-ja.png') });
    await a.click();
    await page.locator('.learning-map[data-status="ready"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.full-statement').textContent()).toContain(plainText(link.to.fullStatement).slice(0, 20));
  });
});
