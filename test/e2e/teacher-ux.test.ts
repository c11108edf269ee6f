import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestApp } from '../helper.js';
import { answered, type demoClass, post } from '../progress/fixture.js';
import { DEMO_CLASS, MATH_2017_DOCUMENT } from '../../src/progress/index.js';
import type { LearningMap } from '../../web/src/types/progress-api.js';
import { SCREENSHOT_DIR, getJson, signInAs, skipWithoutChromium, startBadgeRig, type BrowserRig } from './support.js';

/**
 * What a teacher meets first, in Chromium on the real server: a learner's map opens at the map (however many badge
 * candidates the learner has, their list is folded under the legend), headed with the learner's name; items of
 * earlier grades without answers say "no record" (記録なし) rather than "not started"; the class map, reached from
 * the dashboard, colours each item by the share of the class that mastered it.
 */
const skip = skipWithoutChromium('the teacher experience browser test');

describe.skipIf(skip)('a teacher’s maps in Chromium', () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;
  let t: TestApp;
  let d: Awaited<ReturnType<typeof demoClass>>;
  let learner: { id: string; displayName: string };
  const canvas = () => page.locator('.learning-map');
  const ready = () => page.locator('.learning-map[data-status="ready"]').waitFor({ timeout: 20_000 });
  /** The legend's count of one state ("習得: 12"). */
  const count = async (selector: string) => Number((await page.locator(`.map-legend ${selector}`).textContent())!.match(/(\d+)\s*$/)![1]);

  beforeAll(async () => {
    ({ rig, t, d } = await startBadgeRig());
    ({ page, base } = rig);
    // The first learner masters the first 40 items of grades 3 and 4 (four correct answers on four days each): 40
    // badge candidates, as many as a year of drill gives; a third of the class masters the first 10.
    const items = d.structure.items.filter((i) => i.grade === '3' || i.grade === '4');
    const mastered = (agent: Record<string, unknown>, code: string) => ['2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04'].map((day) => answered(agent, code, true, `${day}T01:00:00Z`));
    await post(t, d.writer, items.slice(0, 40).flatMap((i) => mastered(d.agents[0]!, i.code)));
    await post(t, d.writer, d.agents.slice(1, 12).flatMap((a) => items.slice(0, 10).flatMap((i) => mastered(a, i.code))));
  }, 180_000);

  afterAll(() => rig?.close());

  it('opens a learner’s map at the map, headed with their name; the 40 badge candidates are folded under the legend', async () => {
    await signInAs(rig, base, d.teacherUserId);
    const heatmap = await getJson<{ learners: Array<{ id: string; displayName: string }> }>(page, base, `/api/progress/classes/${DEMO_CLASS}/heatmap?framework=${MATH_2017_DOCUMENT}&grade=4`);
    learner = heatmap.learners.find((l) => l.displayName === '青木 あおい')!;
    await page.goto(`${base}/map?learner=${learner.id}`);
    await page.getByRole('heading', { level: 1, name: '青木 あおい さんの学習マップ' }).waitFor();
    await ready();
    // The map starts within the first screen (900 px high) and most of it shows there.
    const box = (await canvas().boundingBox())!;
    expect(box.y).toBeLessThan(450);
    expect(box.height).toBeGreaterThan(400);
    const legend = page.locator('.badge-legend[data-badge="candidate"]');
    expect(await legend.locator('summary').textContent()).toContain('バッジ候補: 40');
    const list = legend.getByRole('list', { name: 'バッジ候補のある項目' });
    expect(await list.isVisible()).toBe(false);
    await legend.locator('summary').click();
    expect(await list.getByRole('button').count()).toBe(30);
    await legend.locator('summary').click();
    // What follows the map is the learner's, not "mine".
    await page.getByRole('heading', { level: 2, name: '青木 あおい さんの学習' }).waitFor();
    expect(await page.getByRole('heading', { level: 2, name: 'わたしの学習' }).count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'teacher-learner-map-ja.png') });
  });

  it('says “no record” for a 4th grader’s unanswered items of grades 1–3, “not started” for those of grades 4–6', async () => {
    const map = await getJson<LearningMap>(page, base, `/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${learner.id}`);
    const noRecord = map.nodes.filter((n) => n.progress?.noRecord);
    expect(noRecord.length).toBeGreaterThan(50);
    expect(noRecord.every((n) => Number(n.grade) < 4)).toBe(true);
    const notStarted = map.nodes.filter((n) => n.progress?.state === 'not_started' && !n.progress.noRecord);
    expect(await count('li[data-state="no_record"]')).toBe(noRecord.length);
    expect(await count('li[data-state="not_started"]')).toBe(notStarted.length);
    // The item under the keyboard is read out with its state in words.
    const first = map.nodes.find((n) => n.grade === '1')!;
    await page.goto(`${base}/map?learner=${learner.id}&item=${first.id}`);
    await ready();
    await page.locator('article.map-panel .state-chip.no_record', { hasText: '記録なし' }).waitFor();
  });

  it('shows the class map from the dashboard: each item by the share of the class that mastered it', async () => {
    await page.goto(`${base}/dashboard`);
    await page.getByRole('link', { name: 'クラスの学習マップ' }).click();
    await page.getByRole('heading', { level: 1, name: '4年1組 の学習マップ（クラス）' }).waitFor();
    await ready();
    expect(await canvas().getAttribute('data-node-count')).toBe('217');
    const map = await getJson<LearningMap>(page, base, `/api/progress/classes/${DEMO_CLASS}/map?framework=${MATH_2017_DOCUMENT}`);
    // The legend counts the items in each fifth of the class, as the API's shares say.
    const fifths = [0, 0, 0, 0, 0];
    for (const n of map.nodes) fifths[Math.min(4, Math.floor((n.classShare!.mastered / n.classShare!.learners) * 5))]!++;
    for (const [i, n] of fifths.entries()) expect(await count(`li[data-share="${i}"]`)).toBe(n);
    expect(fifths[1]).toBe(10); // 12 of 35 mastered the first 10 items: 34 %
    expect(fifths[0]).toBe(207);
    // An item's panel says how many learners are in each state.
    const top = map.nodes.find((n) => n.classShare!.mastered === 12)!;
    await page.goto(`${base}/map?class=${DEMO_CLASS}&framework=${MATH_2017_DOCUMENT}&item=${top.id}`);
    await ready();
    const panel = page.locator('article.map-panel');
    await panel.getByRole('heading', { level: 3, name: 'クラスの状況（35 人）' }).waitFor();
    expect(await panel.locator('.class-share').textContent()).toContain('習得12 人（34%）');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'class-map-ja.png') });
    // Back to the dashboard from the map.
    await page.getByRole('link', { name: 'クラスのダッシュボードへ' }).click();
    await page.getByRole('heading', { level: 1, name: 'クラスのダッシュボード' }).waitFor();
  });

  it('identifies the heatmap’s columns by short name and unit, totals them, sorts and filters', async () => {
    type Item = { id: string; code: string; fullStatement: string; unit: string; shortCode: string };
    const h = await getJson<{ items: Item[]; learners: Array<{ id: string; displayName: string }>; cells: Array<Array<{ state: string }>> }>(page, base, `/api/progress/classes/${DEMO_CLASS}/heatmap?framework=${MATH_2017_DOCUMENT}&grade=3`);
    const masteredOn = (j: number) => h.cells.filter((row) => row[j]!.state === 'mastered').length;
    const mine = h.cells[h.learners.findIndex((l) => l.displayName === '青木 あおい')]!.filter((c) => c.state === 'mastered').length;
    expect(h.items[0]!.shortCode).toBe('3A(1)ア(ア)');
    expect(new Set(h.items.map((i) => i.shortCode)).size).toBe(h.items.length);
    await page.goto(`${base}/dashboard`);
    await page.getByLabel('学年').selectOption('3');
    const table = page.locator('table.heatmap');
    await expect.poll(() => table.locator('thead th[data-item]').count()).toBe(h.items.length);
    // The head: short name and unit, the full statement as its tooltip and in its button's name.
    const head = table.locator('thead th[data-item]').first();
    expect(await head.textContent()).toBe(`${h.items[0]!.shortCode}${h.items[0]!.unit}`);
    expect(await head.getAttribute('title')).toContain(h.items[0]!.fullStatement);
    // Totals: mastered per item (the last row) and per learner (the last column).
    expect(await table.locator('tfoot td').first().textContent()).toBe(String(masteredOn(0)));
    expect(masteredOn(0)).toBe(12);
    await page.getByLabel('児童生徒の順', { exact: true }).selectOption('most');
    const first = table.locator('tbody tr').first();
    expect(await first.locator('th').textContent()).toBe('青木 あおい');
    expect(await first.locator('td.total').textContent()).toBe(`${mine}/${h.items.length}`);
    // Items by how many mastered them, fewest first; then only items someone mastered.
    await page.getByLabel('項目の順', { exact: true }).selectOption('fewest');
    expect(await table.locator('tfoot td').first().textContent()).toBe('0');
    await page.getByLabel('状態', { exact: true }).selectOption('mastered');
    const withMastery = h.items.filter((_, j) => masteredOn(j) > 0).length;
    await expect.poll(() => table.locator('thead th[data-item]').count()).toBe(withMastery);
    // Sorting the learners by one item: those who did not master it first.
    await page.getByLabel('状態', { exact: true }).selectOption('');
    await page.getByLabel('項目の順', { exact: true }).selectOption('curriculum');
    await head.getByRole('button').click();
    expect(await head.getAttribute('aria-sort')).toBe('ascending');
    expect(await table.locator('tbody tr').first().locator('td.cell').first().getAttribute('class')).not.toContain('mastered');
    await page.getByLabel('単元', { exact: true }).selectOption(h.items[0]!.unit);
    await expect.poll(() => table.locator('thead th[data-item]').count()).toBe(h.items.filter((i) => i.unit === h.items[0]!.unit).length);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'heatmap-ja.png') });
  });

  it('groups the badge candidates by item or learner, filters them, approves a group after a confirmation and undoes it', async () => {
    const section = page.getByRole('region', { name: 'バッジの候補' });
    // 40 items of 青木 あおい, 10 of 11 more learners: 150 candidates (each on four days: the default criteria hold).
    await section.getByText('150 件中 150 件').waitFor();
    await section.getByRole('button', { name: '項目ごと' }).click();
    const groups = section.locator('details.badge-group');
    await expect.poll(() => groups.count()).toBe(40);
    expect(await groups.first().locator('summary').textContent()).toContain('12 人');
    await section.getByRole('button', { name: '児童生徒ごと' }).click();
    await expect.poll(() => groups.count()).toBe(12);
    expect(await groups.first().locator('summary').textContent()).toBe('青木 あおい 40 件');
    await section.getByLabel('絞り込み').fill('石田');
    await section.getByText('150 件中 10 件').waitFor();
    await expect.poll(() => groups.count()).toBe(1);
    await groups.first().locator('summary').click();
    await groups.first().getByRole('button', { name: '石田 はると の 10 件を承認' }).click();
    const dialog = page.getByRole('dialog', { name: '10 件のバッジを発行しますか？' });
    await dialog.getByRole('button', { name: '10 件を承認して発行' }).click();
    await section.getByRole('status').filter({ hasText: '10 件のバッジを発行しました。' }).waitFor();
    await section.getByText('140 件中 0 件').waitFor();
    await section.getByRole('button', { name: '元に戻す' }).click();
    await section.getByRole('status').filter({ hasText: '10 件の承認を取り消しました' }).waitFor();
    await section.getByText('150 件中 10 件').waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'badge-candidates-grouped-ja.png'), fullPage: true });
  });

  it('lets the teacher choose how many days of evidence a candidate needs (2 by default)', async () => {
    const section = page.getByRole('region', { name: 'バッジの候補' });
    const days = section.getByLabel('バッジ候補の条件: 解答が何日以上にわたるか');
    expect(await days.inputValue()).toBe('2');
    await days.fill('5');
    await section.getByRole('button', { name: '保存' }).click();
    // Four days of evidence each: every pending candidate is withdrawn.
    await section.getByRole('status').filter({ hasText: '5 日以上に変更しました。候補の取り下げ 150 件、新たな候補 0 件。' }).waitFor();
    await section.getByText('承認を待っている候補はありません。').waitFor();
    await days.fill('2');
    await section.getByRole('button', { name: '保存' }).click();
    await section.getByRole('status').filter({ hasText: '候補の取り下げ 0 件、新たな候補 150 件。' }).waitFor();
  });

  it('speaks English too', async () => {
    await page.goto(`${base}/map?class=${DEMO_CLASS}&framework=${MATH_2017_DOCUMENT}`);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Learning map of 4年1組 (class)' }).waitFor();
    await page.goto(`${base}/map?learner=${learner.id}`);
    await ready();
    await page.locator('.map-legend li[data-state="no_record"]', { hasText: 'No record' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Learning of 青木 あおい' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'teacher-learner-map-en.png') });
    await page.getByRole('button', { name: '日本語' }).click();
    expect(rig.problems).toEqual([]);
  });
});
