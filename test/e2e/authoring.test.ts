import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { session, type TestApp } from '../helper.js';
import { SCREENSHOT_DIR, axeViolations, signInAs, skipWithoutChromium, startRig, type BrowserRig } from './support.js';

const skip = skipWithoutChromium('the authoring browser test');
type Node = { identifier: string; fullStatement: string; children: Node[] };
const ADMIN = [{ role: 'admin' as const, scopeType: 'global' as const, scopeId: '' }];

/**
 * The authoring UI (docs/authoring.md) in Chromium, in Japanese (then a glance in English): create a framework, add items, reorder and re-parent
 * them by keyboard and by dragging (the tree as GET …/tree answers it after each), add a definition, edit an item (Markdown preview,
 * lists, the definition picked), a field the API refuses, an association added and deleted, a rubric, a 412 when the item changed behind the page (through the API) and its reload, deletion after a confirmation,
 * publishing as version 1, the history; no serious or critical axe violation.
 */
describe.skipIf(skip)('authoring in Chromium', () => {
  let rig: BrowserRig;
  let page: Page;
  let base: string;
  let t: TestApp;
  let other: Awaited<ReturnType<typeof session>>;

  beforeAll(async () => {
    // The refused writes the test makes: a stale If-Match (412), a published framework back to a draft (409), a bad language tag (400).
    rig = await startRig({ expectedErrors: /status of (412|409|400) / });
    ({ page, base } = rig);
    t = { app: rig.app, store: rig.store, config: rig.config, close: rig.close };
    const author = await session(t, ADMIN, 'henshu');
    other = await session(t, ADMIN, 'hoka');
    await signInAs(rig, base, author.userId);
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
    expect(rig?.problems ?? []).toEqual([]);
  });

  const api = async <T,>(method: 'GET' | 'PATCH', url: string, payload?: unknown, ifMatch?: string) => {
    const res = await rig.app.inject({ method, url, headers: { ...other, ...(ifMatch ? { 'if-match': ifMatch } : {}) }, ...(payload ? { payload: payload as object } : {}) });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
    return { body: res.json() as T, etag: res.headers['etag'] as string };
  };
  /** The tree's statements, nested as [statement, [children…]]. */
  const outline = async (fid: string) => {
    const nest = (ns: Node[]): unknown[] => ns.map((n) => (n.children.length ? [n.fullStatement, nest(n.children)] : n.fullStatement));
    return nest((await api<{ children: Node[] }>('GET', `/api/frameworks/${fid}/tree`)).body.children);
  };
  /** Each move waits for the tree to be read again (the editor takes no move meanwhile: its ETags are stale). */
  const press = async (key: string) => {
    await page.keyboard.press(key);
    await expect.poll(() => page.locator('.authoring-tree-editor[aria-busy]').count()).toBe(0);
  };
  const row = (statement: string) => page.locator('.tree-select', { hasText: statement });

  it('creates a framework, builds and rearranges its tree, edits an item, meets a conflict, deletes, publishes', async () => {
    await page.goto(`${base}/authoring`);
    await page.getByRole('heading', { level: 1, name: 'フレームワークの作成・編集' }).waitFor();
    await page.getByLabel('タイトル').fill('理科 試作');
    await page.getByLabel('作成者').fill('標 教育委員会');
    await page.getByRole('button', { name: '作成（非公開の草案）' }).click();
    await page.getByRole('heading', { level: 1, name: '理科 試作' }).waitFor();
    const fid = new URL(page.url()).pathname.split('/')[2]!;
    expect((await api<{ adoptionStatus: string; creator: string }>('GET', `/api/frameworks/${fid}/document`)).body).toMatchObject({ adoptionStatus: 'Private Draft', creator: '標 教育委員会' });

    const statement = page.getByLabel('新しい項目の内容');
    for (const s of ['物質・エネルギー', '生命・地球', '観察と実験']) {
      await statement.fill(s);
      await page.getByRole('button', { name: '最上位に追加' }).click();
      await row(s).waitFor();
    }
    await row('物質・エネルギー').click();
    await statement.fill('電気の通り道');
    await page.getByRole('button', { name: '選択した項目の下に追加' }).click();
    await row('電気の通り道').waitFor();
    expect(await outline(fid)).toEqual([['物質・エネルギー', ['電気の通り道']], '生命・地球', '観察と実験']);

    // Keyboard: Alt+↑ reorders, Alt+→ indents under the item above; announced, the focus stays on the item.
    await row('観察と実験').focus();
    await press('Alt+ArrowUp');
    await expect.poll(() => outline(fid)).toEqual([['物質・エネルギー', ['電気の通り道']], '観察と実験', '生命・地球']);
    await expect.poll(() => page.getByRole('status').filter({ hasText: '移動しました' }).textContent()).toBe('「観察と実験」を 最上位 の 2 番目に移動しました。');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toContain('観察と実験');
    await press('Alt+ArrowRight');
    await expect.poll(() => outline(fid)).toEqual([['物質・エネルギー', ['電気の通り道', '観察と実験']], '生命・地球']);
    await press('Alt+ArrowUp');
    await expect.poll(() => outline(fid)).toEqual([['物質・エネルギー', ['観察と実験', '電気の通り道']], '生命・地球']);
    await press('Alt+ArrowLeft');
    await expect.poll(() => outline(fid)).toEqual([['物質・エネルギー', ['電気の通り道']], '観察と実験', '生命・地球']);

    // Dragging 生命・地球 onto 物質・エネルギー puts it first.
    await row('生命・地球').dragTo(row('物質・エネルギー'));
    await expect.poll(() => outline(fid)).toEqual(['生命・地球', ['物質・エネルギー', ['電気の通り道']], '観察と実験']);

    // A definition (an item type), then picked in the item editor.
    await page.getByLabel('定義の種類').selectOption({ label: '項目の種類' });
    await page.getByLabel('名前', { exact: true }).fill('単元');
    await page.getByLabel('階層コード').fill('1');
    await page.getByRole('button', { name: '定義を追加' }).click();
    await page.getByText('「単元」を追加しました。').waitFor();

    // The item editor: Markdown previewed, lists, a picked definition, saved as a merge patch with If-Match.
    await row('電気の通り道').click();
    await expect.poll(() => page.getByLabel('種類（定義）').locator('option').allTextContents()).toEqual(['なし', '1 単元']);
    await page.getByLabel('種類（定義）').selectOption({ label: '1 単元' });
    const full = page.getByLabel('内容（Markdown・LaTeX 可）');
    await full.fill('**電気の通り道**について、$I = V/R$ を使って調べる。');
    await expect.poll(() => page.locator('.item-editor .preview strong').first().textContent()).toBe('電気の通り道');
    // A field the API refuses (400 naming it) is marked beside the field; nothing is stored.
    const language = page.getByLabel('言語（例: ja, en-US）');
    await language.fill('日本語');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('must be a language tag').waitFor();
    expect(await language.getAttribute('aria-invalid')).toBe('true');
    expect(await language.getAttribute('aria-describedby')).toBe(await page.locator('.field-error').getAttribute('id'));
    await language.fill('ja');
    await page.getByLabel('学年').fill('03, 04');
    await page.getByLabel('コード', { exact: true }).fill('SCI-1');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('保存しました。').waitFor();
    const itemId = await row('SCI-1').evaluate((e) => e.closest('li')!.dataset['id']!);
    const saved = await api<Record<string, unknown>>('GET', `/api/frameworks/${fid}/items/${itemId}`);
    expect(saved.body).toMatchObject({ fullStatement: '**電気の通り道**について、$I = V/R$ を使って調べる。', educationLevel: ['03', '04'], humanCodingScheme: 'SCI-1', language: 'ja', CFItemType: '単元', CFItemTypeURI: { title: '単元' } });
    expect(await axeViolations(page)).toEqual([]);

    // Someone else changes the item behind the page: the save is refused (412), said so, and Reload shows theirs.
    await api('PATCH', `/api/frameworks/${fid}/items/${itemId}`, { notes: '別の人の注記' }, saved.etag);
    await page.getByLabel('注記（Markdown 可）').fill('私の注記');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('alert').filter({ hasText: 'ほかの人がこの内容を変更しました' }).waitFor();
    expect((await api<{ notes: string }>('GET', `/api/frameworks/${fid}/items/${itemId}`)).body.notes).toBe('別の人の注記');
    await page.getByRole('button', { name: '再読み込み' }).click();
    await expect.poll(() => page.getByLabel('注記（Markdown 可）').inputValue()).toBe('別の人の注記');

    // An association from the item to another, then deleted.
    const peers = async () => (await api<{ CFAssociations: Array<{ associationType: string; originNodeURI: { identifier: string }; destinationNodeURI: { title: string } }> }>('GET', `/ims/case/v1p1/CFPackages/${fid}`)).body.CFAssociations.filter((a) => a.associationType === 'isPeerOf');
    await page.getByLabel('関連の種類').selectOption('isPeerOf');
    await page.getByLabel('相手の項目').selectOption({ label: '観察と実験' });
    await page.getByRole('button', { name: '関連を追加' }).click();
    await page.locator('.association-list').getByText('観察と実験').waitFor();
    expect(await peers()).toEqual([expect.objectContaining({ originNodeURI: expect.objectContaining({ identifier: itemId }), destinationNodeURI: expect.objectContaining({ title: '観察と実験' }) })]);
    await page.locator('.association-list').getByRole('button', { name: '削除' }).click();
    await page.getByText('関連を削除しました。').waitFor();
    expect(await peers()).toEqual([]);

    // A rubric grading the item: A/B/C with their lowest scores.
    await page.getByLabel('評価規準の名前').fill('電気 評価規準');
    await page.getByLabel('規準の説明').fill('回路を作って調べる');
    await page.getByLabel('A の最低点（0〜1）').fill('0.9');
    await page.getByRole('button', { name: '評価規準を追加' }).click();
    await page.getByText('評価規準「電気 評価規準」を追加しました。').waitFor();
    const rubrics = (await api<{ CFRubrics: Array<{ title: string; CFRubricCriteria: Array<{ CFItemURI: { identifier: string }; CFRubricCriterionLevels: Array<{ quality: string; score: number }> }> }> }>('GET', `/ims/case/v1p1/CFPackages/${fid}`)).body.CFRubrics;
    expect(rubrics).toEqual([expect.objectContaining({ title: '電気 評価規準', CFRubricCriteria: [expect.objectContaining({ CFItemURI: expect.objectContaining({ identifier: itemId }), CFRubricCriterionLevels: [expect.objectContaining({ quality: 'A', score: 0.9 }), expect.objectContaining({ quality: 'B', score: 0.5 }), expect.objectContaining({ quality: 'C', score: 0 })] })] })]);
    await page.locator('.rubric-list').getByText('A ≥ 0.9, B ≥ 0.5, C ≥ 0').waitFor();

    // Deleting asks first; an item with children says how many go with it.
    await row('物質・エネルギー').click();
    await page.getByRole('button', { name: '削除' }).click();
    const dialog = page.getByRole('dialog', { name: '「物質・エネルギー」を削除しますか？' });
    await dialog.getByText('その下の 1 項目').waitFor();
    await dialog.getByRole('button', { name: '削除' }).click();
    await expect.poll(() => outline(fid)).toEqual(['生命・地球', '観察と実験']);

    // Publishing: Adopted, version 1, the tree frozen; the history lists the writes.
    await page.getByRole('button', { name: '「採択済み」にする' }).click();
    await page.getByText('「採択済み」として公開しました（第 1 版）。').waitFor();
    await page.getByText('このフレームワークは公式（または終了）のため編集できません').waitFor();
    expect(await page.getByRole('button', { name: '最上位に追加' }).count()).toBe(0);
    const history = await api<{ total: number }>('GET', `/api/frameworks/${fid}/history`);
    await expect.poll(() => page.locator('.history-row').count()).toBe(Math.min(20, history.body.total));
    await page.getByRole('button', { name: '「草案」にする' }).click();
    await page.getByRole('alert').filter({ hasText: 'newVersion' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'authoring-ja.png'), fullPage: true });

    // In English too.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Item hierarchy' }).waitFor();
    await page.getByText('This framework is official (or ended), so it cannot be edited.').waitFor();
    await page.getByRole('button', { name: 'Make it Draft' }).waitFor();
  }, 180_000);
});
