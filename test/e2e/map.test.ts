import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Config } from '../../src/config.js';
import type { Store } from '../../src/store/db.js';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { runDemo } from '../../src/cli/demo.js';
import { DEMO_CLASS, MATH_2017_DOCUMENT } from '../../src/progress/index.js';
import type { Heatmap, LearnerItemDetail, LearningMap, StuckList } from '../../web/src/types/progress-api.js';
import { SCREENSHOT_DIR, skipWithoutChromium, startRig, type BrowserRig, getJson, signInWith } from './support.js';

/**
 * The learning map and the dashboards on the real server with the demo class (算数 2017, 4年1組, 35 learners and
 * simulated drill statements posted through /xapi): the map renders, the view switch works, the date slider
 * changes node states, the trace-back highlights the API's path, the teacher's heatmap and CSV, and a learner
 * sees only their own map. Screenshots go to $TMPDIR/shirube-e2e.
 */
const skip = skipWithoutChromium('the map browser test');
/** School days of drill: enough for mastered, in-progress and blocked items, quick enough to post. */
const DAYS = 45;

describe.skipIf(skip)('the learning map and dashboards in Chromium (demo class)', () => {
  let rig: BrowserRig;
  let store: Store;
  let config: Config;
  let page: Page;
  let base: string;
  let problems: string[];
  let signIns: Array<{ username: string; password: string }>;
  let learners: Heatmap['learners'];

  beforeAll(async () => {
    rig = await startRig({ expectedErrors: /40[13] \((Unauthorized|Forbidden)\)/, prepare: async (s) => void (await ensureDemoFramework(s.db, () => {})) });
    ({ store, config, page, base, problems } = rig);
    ({ signIns } = await runDemo(store.db, config, base, { simulation: { days: DAYS } }));
  }, 300_000);

  afterAll(() => rig?.close());

  const signIn = (username: string) => signInWith(page, base, username, signIns.find((s) => s.username === username)!.password);
  const api = <T,>(path: string) => getJson<T>(page, base, path);
  const canvas = () => page.locator('.learning-map');
  const ready = () => page.locator('.learning-map[data-status="ready"]').waitFor({ timeout: 20_000 });
  /** The legend's count of one state ("習得: 12"). */
  const count = async (state: string) => Number((await page.locator(`.map-legend li[data-state="${state}"]`).textContent())!.match(/(\d+)\s*$/)![1]);

  it("shows the teacher the class heatmap, filtered by grade, with the CSV of the same view", async () => {
    await signIn('teacher');
    await page.goto(`${base}/dashboard`);
    await page.getByRole('heading', { level: 1, name: 'クラスのダッシュボード' }).waitFor();
    const table = page.locator('table.heatmap');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(35);
    // 4年1組: the grade filter starts on grade 4; the columns are grade 4's content items.
    expect(await page.getByLabel('学年').inputValue()).toBe('4');
    const heatmap = await api<Heatmap>(`/api/progress/classes/${DEMO_CLASS}/heatmap?framework=${MATH_2017_DOCUMENT}&grade=4`);
    // The rows come sorted by name (ja collation): the learners in the table's order, each one of the API's.
    const names = await table.locator('tbody th a').allTextContents();
    learners = names.map((n) => heatmap.learners.find((l) => l.displayName === n)!);
    expect(learners.filter(Boolean)).toHaveLength(heatmap.learners.length);
    expect(names).toEqual(heatmap.learners.map((l) => l.displayName).sort((a, b) => a.localeCompare(b, 'ja')));
    // A head per item between the learners' column and their totals.
    expect(await table.locator('thead th').count()).toBe(heatmap.items.length + 2);
    const csv = page.getByRole('link', { name: 'CSV で書き出す' });
    expect(await csv.getAttribute('href')).toBe(`/api/progress/classes/${DEMO_CLASS}/heatmap.csv?framework=${MATH_2017_DOCUMENT}&grade=4`);
    const body = await page.request.get(base + (await csv.getAttribute('href'))!);
    expect(body.headers()['content-type']).toContain('text/csv');
    expect((await body.text()).split(/\r?\n/).filter(Boolean)).toHaveLength(36);
    // Learners stuck on the same prerequisite: the API's list, most learners first.
    const stuck = await api<StuckList>(`/api/progress/classes/${DEMO_CLASS}/stuck?framework=${MATH_2017_DOCUMENT}`);
    expect(stuck.prerequisites.length).toBeGreaterThan(0);
    const cards = page.locator('.stuck-list > li');
    await expect.poll(() => cards.count()).toBe(Math.min(8, stuck.prerequisites.length));
    const top = stuck.prerequisites[0]!;
    expect(await cards.first().textContent()).toContain(`${top.learners.length} 人`);
    expect(await cards.first().locator('.stuck-learners a').allTextContents()).toEqual(top.learners.map((l) => l.displayName));
    await page.getByLabel('領域').selectOption({ index: 1 });
    await expect.poll(async () => (await csv.getAttribute('href'))!.includes('domain=')).toBe(true);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-ja.png'), fullPage: true });
  });

  it("opens a learner's map from the heatmap: 217 items drawn, in colour and in words", async () => {
    await page.getByLabel('学年').selectOption('3');
    const first = learners[0]!;
    await page.locator('table.heatmap tbody th a').first().click();
    await page.getByRole('heading', { level: 1, name: `${first.displayName} さんの学習マップ` }).waitFor();
    await ready();
    expect(Number(await canvas().getAttribute('data-node-count'))).toBe(217);
    const map = await api<LearningMap>(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${first.id}`);
    const states = (s: string) => map.nodes.filter((n) => n.progress?.state === s).length;
    expect(await count('mastered')).toBe(states('mastered'));
    expect(await count('in_progress')).toBe(states('in_progress'));
    expect(states('mastered') + states('in_progress')).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-curriculum-ja.png') });
  });

  it('draws the relations chosen: precedes on by default, isRelatedTo on request', async () => {
    const map = await api<LearningMap>(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${learners[0]!.id}`);
    const ofType = (t: string) => map.edges.filter((e) => e.type === t).length;
    expect(ofType('precedes')).toBeGreaterThan(50);
    await expect.poll(() => canvas().getAttribute('data-edge-count')).toBe(String(ofType('precedes')));
    await page.getByLabel(/前後関係/).uncheck();
    await expect.poll(() => canvas().getAttribute('data-edge-count')).toBe('0');
    await page.getByLabel('関連').check();
    await expect.poll(() => canvas().getAttribute('data-edge-count')).toBe(String(ofType('isRelatedTo')));
    await page.getByLabel('関連').uncheck();
    await page.getByLabel(/前後関係/).check();
    await expect.poll(() => canvas().getAttribute('data-edge-count')).toBe(String(ofType('precedes')));
  });

  it('finds items by code or words', async () => {
    const search = page.getByRole('searchbox', { name: '項目を検索' });
    await search.fill('8250213111200000');
    await page.getByRole('status').filter({ hasText: '1 件' }).waitFor();
    await search.fill('');
    await expect.poll(() => page.getByRole('status').filter({ hasText: '件' }).count()).toBe(0);
    await search.fill('個数を比べる');
    await page.getByRole('status').filter({ hasText: '1 件' }).waitFor();
    await search.fill('');
    await expect.poll(() => page.getByRole('status').filter({ hasText: '件' }).count()).toBe(0);
  });

  it('switches to the unit view and back', async () => {
    const units = await api<LearningMap>(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${learners[0]!.id}&view=unit`);
    await page.getByRole('button', { name: '単元' }).click();
    await expect.poll(() => canvas().getAttribute('data-node-count')).toBe(String(units.groups.filter((g) => g.kind === 'unit').length));
    await ready();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-unit-ja.png') });
    // A unit opens by keyboard; its items open in the Course of Study view.
    await canvas().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const unitId = await canvas().getAttribute('data-focused');
    const unit = units.groups.find((g) => g.id === unitId)!;
    const panel = page.locator('article.map-panel');
    await expect.poll(() => panel.getByRole('heading', { level: 2 }).textContent()).toBe(unit.label);
    const items = units.nodes.filter((n) => n.group === unit.id);
    expect(await panel.locator('.unit-items li').count()).toBe(items.length);
    await panel.locator('.unit-items li button').first().click();
    await expect.poll(() => canvas().getAttribute('data-node-count')).toBe('217');
    await ready();
    await expect.poll(() => canvas().getAttribute('data-selected')).toBe(items[0]!.id);
    expect(await page.getByRole('button', { name: '学習指導要領' }).getAttribute('aria-pressed')).toBe('true');
    await page.locator('article.map-panel').getByRole('button', { name: '閉じる' }).click();
  });

  it('replays change with the date slider: at the start of the school year nothing is mastered', async () => {
    const now = { mastered: await count('mastered'), inProgress: await count('in_progress') };
    const slider = page.getByRole('slider', { name: '日付' });
    await slider.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => page.locator('.date-value').textContent()).toContain('2025/04/01');
    await expect.poll(() => count('mastered')).toBe(0);
    expect(await count('in_progress')).toBe(0);
    // A month in, part of today's progress is there.
    for (let i = 0; i < 5; i++) await page.keyboard.press('PageUp');
    await expect.poll(() => page.locator('.date-value').textContent()).toContain('2025/05/06');
    await expect.poll(async () => (await count('mastered')) + (await count('in_progress'))).toBeGreaterThan(0);
    const early = await api<LearningMap>(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${learners[0]!.id}&asOf=2025-05-06`);
    expect(await count('mastered')).toBe(early.nodes.filter((n) => n.progress?.state === 'mastered').length);
    expect(await count('mastered')).toBeLessThanOrEqual(now.mastered);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-2025-05-06-ja.png') });
    await page.keyboard.press('End');
    await expect.poll(() => count('mastered')).toBe(now.mastered);
  });

  it('opens an item with a trace-back and highlights exactly its path on the map', async () => {
    // The API's own answer decides which item and which path: the first not-mastered item with a trace-back.
    let found: { learner: string; detail: LearnerItemDetail } | undefined;
    for (const l of learners.slice(0, 8)) {
      const map = await api<LearningMap>(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${l.id}`);
      for (const n of map.nodes.filter((x) => x.progress && x.progress.state !== 'mastered' && x.progress.blocked)) {
        const detail = await api<LearnerItemDetail>(`/api/progress/learners/${l.id}/items/${n.id}?framework=${MATH_2017_DOCUMENT}`);
        if (detail.traceBack.length > 0) {
          found = { learner: l.id, detail };
          break;
        }
      }
      if (found) break;
    }
    expect(found, 'a blocked item with a trace-back in the demo class').toBeDefined();
    const { learner, detail } = found!;
    await page.goto(`${base}/map?framework=${MATH_2017_DOCUMENT}&learner=${learner}&item=${detail.item.id}`);
    await ready();
    const panel = page.locator('article.map-panel');
    await expect.poll(() => panel.locator('.full-statement').textContent()).toBe(detail.item.fullStatement);
    expect(await panel.locator('.trace-back li').count()).toBe(detail.traceBack.length);
    const expected = [...new Set([detail.item.id, ...detail.traceBack.flatMap((t) => t.path)])].sort().join(' ');
    await expect.poll(() => canvas().getAttribute('data-highlighted')).toBe(expected);
    expect(await canvas().getAttribute('data-selected')).toBe(detail.item.id);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-trace-back-ja.png') });
    // A prerequisite in the list opens in its turn.
    const first = detail.traceBack[0]!.item;
    await panel.locator(`.trace-back li[data-item="${first.id}"] button`).click();
    await expect.poll(() => panel.locator('.full-statement').textContent()).toBe(first.fullStatement);
    expect(new URL(page.url()).searchParams.get('item')).toBe(first.id);
  });

  it("shows a grade-4 item's rubric (the demo's A/B/C) with the learner's level marked", async () => {
    const l = learners[0]!;
    const map = await api<LearningMap>(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${l.id}`);
    const node = map.nodes.find((n) => n.grade === '4' && n.progress?.label)!;
    const detail = await api<LearnerItemDetail>(`/api/progress/learners/${l.id}/items/${node.id}?framework=${MATH_2017_DOCUMENT}`);
    expect(detail.rubric?.levels.map((x) => x.quality)).toEqual(['A', 'B', 'C']);
    await page.goto(`${base}/map?framework=${MATH_2017_DOCUMENT}&learner=${l.id}&item=${node.id}`);
    await ready();
    const rubric = page.locator('article.map-panel section.rubric');
    await rubric.getByRole('heading', { name: 'ルーブリック（評価規準）' }).waitFor();
    expect(await rubric.locator('tbody tr').count()).toBe(3);
    expect(await rubric.locator('tr[aria-current="true"] th').textContent()).toBe(`${detail.progress.label} (いまの段階)${detail.progress.label === 'A' ? ' (習得とみなす段階)' : ''}`);
    expect(await rubric.locator('tbody tr').first().locator('td').first().textContent()).toBe('80%');
    await rubric.screenshot({ path: join(SCREENSHOT_DIR, 'map-rubric-ja.png') });
  });

  it('moves between items with the keyboard and opens one with Enter', async () => {
    await page.keyboard.press('Escape');
    await canvas().focus();
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowDown');
    const focused = await canvas().getAttribute('data-focused');
    expect(focused).toBeTruthy();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => canvas().getAttribute('data-focused')).not.toBe(focused);
    await page.keyboard.press('Enter');
    await expect.poll(() => canvas().getAttribute('data-selected')).toBe(await canvas().getAttribute('data-focused'));
    await page.locator('article.map-panel').waitFor();
  });

  it('shows a teacher the framework alone when no learner is chosen', async () => {
    await page.goto(`${base}/map`);
    await page.getByRole('heading', { level: 1, name: '学習マップ' }).waitFor();
    await ready();
    expect(await canvas().getAttribute('data-node-count')).toBe('217');
    expect(await page.locator('.map-legend').textContent()).toContain('学習者を選ぶと');
    expect(await page.getByRole('slider').count()).toBe(0);
  });

  it('shows a learner only their own map, whatever the URL asks', async () => {
    await page.request.post(`${base}/api/auth/sign-out`, { headers: { 'x-csrf-token': (await api<{ csrfToken: string }>('/api/auth/session')).csrfToken } });
    await signIn('learner01');
    const me = await api<{ learnerId: string }>('/api/me');
    const other = learners.find((l) => l.id !== me.learnerId)!;
    const own = learners.find((l) => l.id === me.learnerId)!;
    await page.goto(`${base}/map?framework=${MATH_2017_DOCUMENT}&learner=${other.id}`);
    await page.getByRole('heading', { level: 1, name: `${own.displayName} さんの学習マップ` }).waitFor();
    await ready();
    expect(await page.getByText(other.displayName).count()).toBe(0);
    expect((await page.request.get(`${base}/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${other.id}`)).status()).toBe(403);
    expect((await page.request.get(`${base}/api/progress/classes/${DEMO_CLASS}/heatmap?framework=${MATH_2017_DOCUMENT}`)).status()).toBe(403);
    await page.getByRole('heading', { level: 2, name: 'わたしの学習' }).waitFor();
    await page.getByRole('heading', { level: 3, name: '次に学ぶ項目' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-learner-ja.png'), fullPage: true });
  });

  it('speaks English too', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Units' }).waitFor();
    await ready();
    await page.locator('.map-legend li[data-state="mastered"]', { hasText: 'Mastered' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-learner-en.png') });
    await page.getByRole('button', { name: '日本語' }).click();
    expect(problems).toEqual([]);
  });
});
