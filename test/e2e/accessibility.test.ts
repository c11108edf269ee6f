import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { session, sessionOf, type TestApp } from '../helper.js';
import { answered, post } from '../progress/fixture.js';
import { pkce, READ } from '../http/ob/support.js';
import { MATH_2017_DOCUMENT } from '../../src/progress/index.js';
import { CF_ITEM_EXTENSION_PATH } from '../../src/lrs/index.js';
import { CALIPER_EVENT_EXTENSION_PATH } from '../../src/caliper/index.js';
import { en } from '../../web/src/lib/i18n/en.js';
import { ja } from '../../web/src/lib/i18n/ja.js';
import { createSession } from '../../src/auth/index.js';
import { SESSION_COOKIE } from '../../src/http/plugins/auth.js';
import { axeViolations, skipWithoutChromium, startBadgeRig, type BrowserRig } from './support.js';

/**
 * Every page of Shirube's own (the web UI's routes and the server-rendered pages: /uri, badge verification, OAuth
 * consent and errors, the OB policy, the xAPI extensions), each as the role that uses it, in Chromium on the real
 * server: axe finds no serious or critical violation, in Japanese and on a sample in English; and the Japanese pages
 * show no untranslated UI string. Third-party pages (the API docs' Swagger UI) are not Shirube's own.
 */
const skip = skipWithoutChromium('the accessibility browser test');
const A = '8250213111100000'; // 1年 数の構成と表し方 (ア)

/**
 * Words of the English bundle that the Japanese one never uses: on a Japanese page any of them is a string left
 * untranslated (words both use, such as CASE, CSV or TF-IDF, are meant). And the words of server enumerations the UI
 * must translate when they stand alone (a chip, a cell, a reason): status codes, adoption statuses, relation types, the
 * offline estimator's reasons. Addresses (https://…) are not words.
 */
const words = (s: string) => s.replace(/\{\w+\}|https?:\/\/\S+/g, ' ').match(/[A-Za-z]{3,}/g) ?? [];
const jaWords = new Set(Object.values(ja).flatMap(words).map((w) => w.toLowerCase()));
const englishOnly = new Set(Object.values(en).flatMap(words).map((w) => w.toLowerCase()).filter((w) => !jaWords.has(w)));
const ENUMERATIONS = /^(pending|queued|running|done|failed|cancelled|accepted|rejected|superseded|verified|revoked|expired|valid|Draft|Adopted|Implemented|Deprecated|precedes|isRelatedTo|isChildOf|(same category|same domain|other domain), grade (same|[+-]\d+)|\d+ of \d+ agree)$/i;

/**
 * The page's text a person reads or hears in the page's language: visible text, accessible names, titles and
 * placeholders, without what is marked as another language (lang="en": the server's own diagnostics, the language
 * switch), code (identifiers, CASE terms written as such) and what the person typed (textareas).
 */
const pageText = (page: Page) =>
  page.evaluate(() => {
    const out: string[] = [document.title];
    const skipped = (e: Element) => e.closest('code, pre, kbd, textarea, script, style, [hidden], [aria-hidden="true"]') || e.closest('[lang]')?.getAttribute('lang') !== document.documentElement.lang;
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement;
      if (el && !skipped(el) && el.getClientRects().length) out.push(n.textContent ?? '');
    }
    for (const e of document.querySelectorAll('[aria-label], [title], [placeholder], [alt], option')) {
      if (skipped(e)) continue;
      for (const a of ['aria-label', 'title', 'placeholder', 'alt']) out.push(e.getAttribute(a) ?? '');
      if (e.tagName === 'OPTION') out.push(e.textContent ?? '');
    }
    return out.join('\n');
  });

/** Untranslated strings on a Japanese page: English-only bundle words and enumerations' codes, each with its line. */
async function untranslated(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const line of (await pageText(page)).split('\n')) {
    const hit = words(line).find((w) => englishOnly.has(w.toLowerCase())) ?? ENUMERATIONS.exec(line.trim())?.[0];
    if (hit) found.push(`"${hit}" in "${line.trim().slice(0, 120)}"`);
  }
  return [...new Set(found)];
}

describe.skipIf(skip)('accessibility and Japanese coverage of every page in Chromium', () => {
  let rig: BrowserRig;
  let t: TestApp;
  let page: Page;
  let base: string;
  let d: Awaited<ReturnType<typeof startBadgeRig>>['d'];
  const users: Record<'admin' | 'author' | 'reviewer', string> = { admin: '', author: '', reviewer: '' };
  let learnerId = '';
  let credential = '';
  let itemId = '';
  let associationId = '';
  let consentUrl = '';
  const report: string[] = [];
  /** Uncaught errors in the pages (anonymous pages meet 401s on purpose: console errors are not counted here). */
  const pageErrors: string[] = [];
  /** A new session of the user in the page's context, instead of any before. */
  const signInAs = async (userId: string) => {
    const s = await createSession(rig.store.db, userId);
    await page.context().clearCookies();
    await page.context().addCookies([{ name: SESSION_COOKIE, value: s.token, url: base }]);
  };

  /** Opens `path`, waits until it has settled (and for `ready`), then checks it; problems are collected, not thrown, so one run lists them all. */
  async function check(name: string, path: string, opts: { ready?: (p: Page) => Promise<unknown>; language?: 'ja' | 'en' } = {}) {
    await page.goto(base + path);
    await page.waitForLoadState('networkidle');
    await opts.ready?.(page);
    expect(await page.evaluate(() => document.documentElement.lang), `${name}: <html lang>`).toBe(opts.language ?? 'ja');
    for (const v of await axeViolations(page)) report.push(`${name} (${path}): axe ${v}`);
    if ((opts.language ?? 'ja') === 'ja') for (const w of await untranslated(page)) report.push(`${name} (${path}): untranslated ${w}`);
  }
  const heading = (p: Page) => p.locator('h1').first().waitFor();

  beforeAll(async () => {
    const r = await startBadgeRig();
    ({ rig, t, d } = r);
    base = rig.base;
    page = rig.page;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    users.admin = (await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }], 'kanrisha')).userId;
    users.author = (await session(t, [{ role: 'author', scopeType: 'framework', scopeId: MATH_2017_DOCUMENT }], 'sakusha')).userId;
    users.reviewer = (await session(t, [{ role: 'reviewer', scopeType: 'framework', scopeId: MATH_2017_DOCUMENT }], 'shinsain')).userId;
    const admin = await sessionOf(t, users.admin);
    const inject = async (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: unknown) => {
      const res = await rig.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
      expect(res.statusCode, `${method} ${url}: ${res.body.slice(0, 200)}`).toBeLessThan(300);
      return res.json();
    };

    // A badge candidate of the first learner (item A answered on four days), approved: the passport and verification page.
    await post(t, d.writer, ['2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04'].map((day) => answered(d.agents[0]!, A, true, `${day}T01:00:00Z`)));
    const teacher = await sessionOf(t, d.teacherUserId);
    learnerId = (await inject('GET', '/api/badges/passport', await sessionOf(t, d.learnerUserIds[0]!))).learnerId;
    const candidate = (await inject('GET', `/api/badges/candidates?learner=${learnerId}&status=pending`, teacher)).candidates[0];
    const issued = await inject('POST', '/api/badges/candidates/approve', teacher, { candidates: [{ achievementId: candidate.achievementId, learnerId }] });
    credential = String(issued.credentials[0].id).replace('urn:uuid:', '');

    // Relation suggestions of the offline estimator in the review queue.
    const run = await inject('POST', `/api/relations/${MATH_2017_DOCUMENT}/runs`, admin, { estimator: 'offline' });
    for (let status = run.status; status !== 'done'; status = (await inject('GET', `/api/relations/${MATH_2017_DOCUMENT}/runs/${run.id}`, admin)).status) {
      expect(status, 'the offline run').toMatch(/^(queued|running)$/);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    itemId = d.structure.items.find((i) => i.code === A)!.id;
    const pkg = await inject('GET', `/ims/case/v1p1/CFPackages/${MATH_2017_DOCUMENT}`, {});
    associationId = pkg.CFAssociations.find((a: { associationType: string }) => a.associationType === 'isChildOf').identifier;

    // An Open Badges API client asking the learner for consent.
    const client = await inject('POST', '/oauth/register', {}, { client_name: 'テスト財布', client_uri: 'https://wallet.example', redirect_uris: ['http://127.0.0.1:9/callback'], scope: READ });
    consentUrl = `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.client_id, redirect_uri: 'http://127.0.0.1:9/callback', state: 's', scope: READ, code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`;
  }, 300_000);

  beforeEach(() => {
    report.length = 0;
  });

  afterAll(async () => {
    await rig?.close();
    expect(pageErrors).toEqual([]);
  });

  it('finds no serious or critical violation and no English on the pages anyone may open', async () => {
    await page.context().clearCookies();
    await check('frameworks', '/', { ready: heading });
    await check('sign-in', '/sign-in', { ready: heading });
    await check('framework tree', `/frameworks/${MATH_2017_DOCUMENT}`, { ready: (p) => p.getByRole('tree').waitFor() });
    await check('framework item', `/frameworks/${MATH_2017_DOCUMENT}/items/${itemId}`, { ready: (p) => p.locator('.item-panel h2, .item-panel h3').first().waitFor() });
    await check('relations, signed out', '/relations');
    await check('not found', '/no-such-page', { ready: heading });
    await check('URI page of a framework', `/uri/${MATH_2017_DOCUMENT}`);
    await check('URI page of an item', `/uri/${itemId}`);
    await check('URI page of an association', `/uri/${associationId}`);
    await check('URI page, unknown', '/uri/00000000-0000-4000-8000-000000000000');
    await check('badge verification', `/badges/credentials/${credential}`);
    await check('suppliers', '/suppliers', { ready: heading });
    await check('OB API policy', '/ims/ob/v3p0/policy');
    await check('OAuth error', '/oauth/authorize');
    await check('xAPI extension', CF_ITEM_EXTENSION_PATH);
    await check('xAPI extension (Caliper)', CALIPER_EVENT_EXTENSION_PATH);
    expect(report).toEqual([]);
  }, 300_000);

  it('finds none on the pages of administrators, authors and reviewers', async () => {
    await signInAs(users.reviewer);
    await check('review queue (reviewer)', `/relations?framework=${MATH_2017_DOCUMENT}`, { ready: (p) => p.locator('.relation-row').first().waitFor() });
    await signInAs(users.admin);
    await check('review queue (admin)', `/relations?framework=${MATH_2017_DOCUMENT}`, { ready: (p) => p.locator('.relation-row').first().waitFor() });
    await page.goto(`${base}/relations?framework=${MATH_2017_DOCUMENT}&view=evaluation`);
    await page.getByRole('textbox').fill(`origin,destination,type\n${A},8250223111100000,precedes\n`);
    await page.getByRole('button', { name: '評価する' }).click();
    await page.locator('.relations-scores').waitFor();
    for (const v of await axeViolations(page)) report.push(`evaluation: axe ${v}`);
    for (const w of await untranslated(page)) report.push(`evaluation: untranslated ${w}`);
    await check('achievements (admin)', `/badges/achievements?framework=${MATH_2017_DOCUMENT}`, { ready: heading });
    await check('suppliers (admin)', '/suppliers', { ready: (p) => p.getByRole('heading', { name: 'クライアントごとの利用状況（30 日間）' }).waitFor() });
    await signInAs(users.author);
    await check('achievements (author)', `/badges/achievements?framework=${MATH_2017_DOCUMENT}`, { ready: heading });
    expect(report).toEqual([]);
  }, 300_000);

  it('finds none on the teacher’s and the learner’s pages', async () => {
    await signInAs(d.teacherUserId);
    await check('dashboard', '/dashboard', { ready: (p) => p.locator('.heatmap-scroll table').waitFor() });
    const ready = (p: Page) => p.locator('.learning-map[data-status="ready"]').waitFor({ timeout: 30_000 });
    await check('a learner’s map (teacher)', `/map?learner=${learnerId}&item=${itemId}`, { ready });
    await signInAs(d.learnerUserIds[0]!);
    await check('my map', '/map', { ready });
    await check('passport', '/passport', { ready });
    await check('consent', consentUrl, { ready: heading });
    expect(report).toEqual([]);
  }, 300_000);

  it('finds no serious or critical violation on a sample in English', async () => {
    await signInAs(users.admin);
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'English' }).click();
    await check('frameworks (en)', '/', { ready: heading, language: 'en' });
    await check('review queue (en)', `/relations?framework=${MATH_2017_DOCUMENT}`, { ready: (p) => p.locator('.relation-row').first().waitFor(), language: 'en' });
    await signInAs(d.teacherUserId);
    await check('dashboard (en)', '/dashboard', { ready: (p) => p.locator('.heatmap-scroll table').waitFor(), language: 'en' });
    await check('URI page of an item (en)', `/uri/${itemId}?lang=en`, { language: 'en' });
    await check('badge verification (en)', `/badges/credentials/${credential}?lang=en`, { language: 'en' });
    expect(report).toEqual([]);
  }, 300_000);
});
