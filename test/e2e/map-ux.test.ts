import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Config } from '../../src/config.js';
import type { Store } from '../../src/store/db.js';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { runDemo } from '../../src/cli/demo.js';
import { createApiClient } from '../../src/auth/index.js';
import { COURSE_OF_STUDY_CODE } from '../../src/lrs/index.js';
import { DEMO_CLASS, DEMO_SCHOOL, MATH_2017_DOCUMENT, rosterAccount } from '../../src/progress/index.js';
import type { LearnerItemDetail, LearningMap, NextSteps } from '../../web/src/types/progress-api.js';
import { SCREENSHOT_DIR, skipWithoutChromium, startRig, type BrowserRig, getJson, signInWith } from './support.js';

/**
 * The map's issue-13 fixes in Chromium on the demo class: a trace-back never zooms out past legible labels (and says
 * when the path does not fit), the label is shown with the figure it is judged on (a learner whose BKT estimate is
 * 100 % but whose last five answers give C), the date slider bounded to the school year with its terms, the unit
 * view by a textbook's units when one was imported, and resources aligned to items: registered from the item panel,
 * linked there and in the next steps.
 */
const skip = skipWithoutChromium('the map UX browser test');
const DAYS = 45;
/** 12 px labels (map-style.ts) drawn at 10 px or more. */
const LEGIBLE_ZOOM = 10 / 12;

describe.skipIf(skip)('the learning map: legible trace-back, labels, school year, units, resources', () => {
  let rig: BrowserRig;
  let store: Store;
  let config: Config;
  let page: Page;
  let base: string;
  let problems: string[];
  let signIns: Array<{ username: string; password: string }>;
  let learner01: string;

  beforeAll(async () => {
    rig = await startRig({ expectedErrors: /40[13] \((Unauthorized|Forbidden)\)/, prepare: async (s) => void (await ensureDemoFramework(s.db, () => {})) });
    ({ store, config, page, base, problems } = rig);
    ({ signIns } = await runDemo(store.db, config, base, { simulation: { days: DAYS } }));
    await signIn('learner01');
    learner01 = (await api<{ learnerId: string }>('/api/me')).learnerId;
    await signOut();
    await signIn('teacher');
  }, 300_000);

  afterAll(() => rig?.close());

  const signIn = (username: string) => signInWith(page, base, username, signIns.find((s) => s.username === username)!.password);
  const signOut = async () => page.request.post(`${base}/api/auth/sign-out`, { headers: { 'x-csrf-token': (await api<{ csrfToken: string }>('/api/auth/session')).csrfToken } });
  const api = <T,>(path: string) => getJson<T>(page, base, path);
  const canvas = () => page.locator('.learning-map');
  const ready = () => page.locator('.learning-map[data-status="ready"]').waitFor({ timeout: 20_000 });
  const panel = () => page.locator('article.map-panel');
  const detailOf = (learner: string, item: string) => api<LearnerItemDetail>(`/api/progress/learners/${learner}/items/${item}?framework=${MATH_2017_DOCUMENT}`);

  it('keeps a trace-back legible: a path across grades stays at a readable zoom around the item and says so; a short one fits whole', async () => {
    const map = await api<LearningMap>(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${learner01}`);
    let wide: LearnerItemDetail | undefined;
    let short: LearnerItemDetail | undefined;
    for (const n of map.nodes.filter((x) => x.progress && x.progress.state !== 'mastered' && !x.progress.noRecord)) {
      const d = await detailOf(learner01, n.id);
      if (!d.traceBack.length) continue;
      const grades = d.traceBack.map((e) => Number(e.item.grade));
      if (!wide && Number(n.grade) - Math.min(...grades) >= 2) wide = d;
      if (!short && d.traceBack.length === 1 && d.traceBack[0]!.item.category === n.category && d.traceBack[0]!.hops === 1) short = d;
      if (wide && short) break;
    }
    expect(wide, 'an item whose trace-back goes back two grades or more').toBeDefined();
    expect(short, 'an item whose trace-back is one prerequisite of its own unit').toBeDefined();

    await page.goto(`${base}/map?framework=${MATH_2017_DOCUMENT}&learner=${learner01}&item=${wide!.item.id}`);
    await ready();
    await expect.poll(() => canvas().getAttribute('data-highlighted')).not.toBe('');
    await expect.poll(() => canvas().getAttribute('data-trace-fits')).toBe('false');
    await expect.poll(async () => Number(await canvas().getAttribute('data-zoom'))).toBeGreaterThanOrEqual(LEGIBLE_ZOOM - 0.001);
    const notice = page.locator('.map-notice');
    expect(await notice.textContent()).toContain('文字が読める大きさのまま');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-trace-back-legible-ja.png') });

    await page.goto(`${base}/map?framework=${MATH_2017_DOCUMENT}&learner=${learner01}&item=${short!.item.id}`);
    await ready();
    await expect.poll(() => canvas().getAttribute('data-highlighted')).toBe([short!.item.id, short!.traceBack[0]!.item.id].sort().join(' '));
    await expect.poll(() => canvas().getAttribute('data-trace-fits')).toBe('true');
    expect(Number(await canvas().getAttribute('data-zoom'))).toBeGreaterThanOrEqual(LEGIBLE_ZOOM - 0.001);
    expect(await page.locator('.map-notice').count()).toBe(0);
  });

  it('shows the label beside the figure it is judged on: C from the last five answers, whatever the BKT estimate says', async () => {
    // learner01 answers a grade-5 item right eight times, then 2 of the last 5: correct rate 40 % (C), BKT ≈ 100 %.
    const code = '8250253121100000';
    const { clientId, clientSecret } = await createApiClient(store.db, { name: 'test drill', scopes: ['xapi:statements/write'] });
    const enrolments = await api<{ enrollments: Array<{ personId: string; learnerId: string | null }> }>(`/api/rosters/classes/${DEMO_CLASS}/enrollments`);
    const actor = rosterAccount(config.publicUrl, DEMO_SCHOOL, enrolments.enrollments.find((e) => e.learnerId === learner01)!.personId);
    const scores = [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0];
    const statements = scores.map((s, i) => ({
      actor,
      verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { 'en-US': 'answered' } },
      object: { id: `https://drill.example/q/${code}/${i}`, definition: { name: { 'ja-JP': '問題' }, extensions: { [COURSE_OF_STUDY_CODE]: [code] } } },
      result: { success: s === 1 },
      timestamp: `2025-06-${String(i + 2).padStart(2, '0')}T01:00:00Z`,
    }));
    const posted = await page.request.post(`${base}/xapi/statements`, { headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'x-experience-api-version': '1.0.3' }, data: statements });
    expect(posted.status()).toBe(200);
    const map = await api<LearningMap>(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${learner01}`);
    const node = map.nodes.find((n) => n.code === code)!;
    const d = await detailOf(learner01, node.id);
    // The case the issue saw: a C beside a probability near 100 %.
    expect(d.progress).toMatchObject({ label: 'C', correctRate: 0.4 });
    expect(d.progress.probability).toBeGreaterThan(0.9);
    expect(d).toMatchObject({ labelBasis: 'correctRate', window: 5 });

    await page.goto(`${base}/map?framework=${MATH_2017_DOCUMENT}&learner=${learner01}&item=${node.id}`);
    const label = panel().locator('[data-label-basis]');
    await label.waitFor();
    expect(await label.getAttribute('data-label-basis')).toBe('correctRate');
    expect(await label.textContent()).toBe('C (直近 5 回の正答率 40% で判定: A ≥ 80% · B ≥ 50% · C)');
    expect(await panel().locator('.probability-note').textContent()).toContain('評価と習得の判定には使っていません');
    await panel().locator('.progress-facts').screenshot({ path: join(SCREENSHOT_DIR, 'map-label-basis-ja.png') });
  });

  it('bounds the date slider to the school year of the answers, with its three terms marked', async () => {
    // The demo's answers are in school year 2025 (from April 2025); the slider runs from 1 April 2025 to 31 March 2026.
    await page.goto(`${base}/map?framework=${MATH_2017_DOCUMENT}&learner=${learner01}`);
    await ready();
    const slider = page.getByRole('slider', { name: '日付' });
    expect(Number(await slider.getAttribute('max'))).toBe(364);
    await slider.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => page.locator('.date-value').textContent()).toContain('2025/04/01');
    await page.keyboard.press('End');
    await expect.poll(() => page.locator('.date-value').textContent()).toContain('2026/03/31');
    // The terms are the server's (SHIRUBE_SCHOOL_TERMS, 3学期制 by default), carried by the map.
    const map = await api<LearningMap>(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${learner01}`);
    expect(map.schoolTerms).toEqual([{ from: '04-01', to: '07-31' }, { from: '09-01', to: '12-31' }, { from: '01-01', to: '03-31' }]);
    const terms = page.locator('.term-marks li');
    expect(await terms.allTextContents()).toEqual(['1学期', '2学期', '3学期']);
    expect(await terms.evaluateAll((li) => li.map((e) => [e.getAttribute('data-from'), e.getAttribute('data-to')]))).toEqual([
      ['2025-04-01', '2025-07-31'],
      ['2025-09-01', '2025-12-31'],
      ['2026-01-01', '2026-03-31'],
    ]);
    await page.locator('.date-slider').screenshot({ path: join(SCREENSHOT_DIR, 'map-date-slider-ja.png') });
  });

  it('groups the unit view by a textbook’s units once a scheme is imported, by the Course of Study’s sections otherwise', async () => {
    const cos = await api<LearningMap>(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${learner01}&view=unit`);
    await page.goto(`${base}/map?framework=${MATH_2017_DOCUMENT}&learner=${learner01}`);
    await ready();
    await page.getByRole('button', { name: '単元', exact: true }).click();
    await expect.poll(() => canvas().getAttribute('data-node-count')).toBe(String(cos.groups.length));
    expect(await page.getByLabel('単元の区切り').count()).toBe(0);
    // A publisher's three units over grade 4's first items.
    const g4 = cos.nodes.filter((n) => n.grade === '4').map((n) => n.code);
    const csv = `unit,title,grade,items,order,after\nU1,大きい数のしくみ,4,${g4.slice(0, 3).join(' ')},1,\nU2,わり算の筆算,4,${g4.slice(3, 6).join(' ')},2,U1\nU3,角の大きさ,4,${g4.slice(6, 8).join(' ')},3,U2\n`;
    const imported = await page.request.post(`${base}/api/progress/units?framework=${MATH_2017_DOCUMENT}&title=${encodeURIComponent('しるべ算数 4年')}`, {
      headers: { 'content-type': 'text/csv', 'x-csrf-token': (await api<{ csrfToken: string }>('/api/auth/session')).csrfToken },
      data: csv,
    });
    expect(imported.status(), await imported.text()).toBe(201);
    await page.reload();
    await ready();
    await page.getByRole('button', { name: '単元', exact: true }).click();
    const scheme = page.getByLabel('単元の区切り');
    await scheme.waitFor();
    expect(await scheme.locator('option:checked').textContent()).toBe('しるべ算数 4年');
    await expect.poll(() => canvas().getAttribute('data-node-count')).toBe('3');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-textbook-units-ja.png') });
    await scheme.selectOption({ label: '学習指導要領の内容のまとまり' });
    await expect.poll(() => canvas().getAttribute('data-node-count')).toBe(String(cos.groups.length));
    await page.getByRole('button', { name: '学習指導要領', exact: true }).click();
  });

  it('registers a resource from the item panel (teacher) and links it in the learner’s panel and next steps, in a new tab', async () => {
    // The demo's three example drills (example.org) on the first grade-4 items.
    const demo = await api<{ total: number; resources: Array<{ url: string; items: Array<{ code: string }> }> }>('/api/resources');
    expect(demo.total).toBe(3);
    for (const r of demo.resources) expect(r.url).toBe(`https://example.org/shirube-demo/drills/${r.items[0]!.code}`);
    const next = await api<NextSteps>(`/api/progress/learners/${learner01}/next-steps?framework=${MATH_2017_DOCUMENT}`);
    const step = next.items.find((s) => !s.resources.length)!.item;
    await page.goto(`${base}/map?framework=${MATH_2017_DOCUMENT}&learner=${learner01}&item=${step.id}`);
    const section = panel().locator('section.item-resources');
    await section.getByText('この項目に結び付いた教材はまだありません。').waitFor();
    await section.getByText('この項目に教材を登録する').click();
    await section.getByLabel('題名').fill('練習ドリル（例）');
    await section.getByLabel(/URL/).fill(`${config.publicUrl}/uri/${step.id}`);
    await section.getByLabel('種類').selectOption('drill');
    await section.getByRole('button', { name: '登録する' }).click();
    await section.getByRole('status').filter({ hasText: '「練習ドリル（例）」を登録しました。' }).waitFor();
    const link = section.locator('ul.resource-links a');
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`${config.publicUrl}/uri/${step.id}`);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toContain('noopener');

    await signOut();
    await signIn('learner01');
    await page.goto(`${base}/map?framework=${MATH_2017_DOCUMENT}&item=${step.id}`);
    await ready();
    const own = panel().locator('section.item-resources ul.resource-links a');
    await own.waitFor();
    expect(await own.textContent()).toContain('練習ドリル（例）');
    expect(await panel().getByText('この項目に教材を登録する').count()).toBe(0);
    const inNext = page.locator(`.next-steps li[data-item="${step.id}"] ul.resource-links a`);
    await inNext.waitFor();
    expect(await inNext.getAttribute('target')).toBe('_blank');
    expect(await inNext.getAttribute('rel')).toContain('noopener');
    await page.locator('.learner-progress').screenshot({ path: join(SCREENSHOT_DIR, 'next-steps-resources-ja.png') });

    await page.getByRole('button', { name: 'English' }).click();
    await panel().getByRole('heading', { name: 'Resources (drills, videos…)' }).waitFor();
    expect(await panel().locator('[data-label-basis]').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'map-resources-en.png'), fullPage: true });
    await page.getByRole('button', { name: '日本語' }).click();
    expect(problems).toEqual([]);
  });
});
