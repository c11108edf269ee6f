import { expect } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Store } from '../../src/store/db.js';
import { freshStore, session, type TestApp } from '../helper.js';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { createSession } from '../../src/auth/index.js';
import { SESSION_COOKIE } from '../../src/http/plugins/auth.js';
import { MATH_2017_DOCUMENT } from '../../src/progress/index.js';
import { demoClass } from '../progress/fixture.js';
import { CHROMIUM, buildWebUi, launchChromium } from '../browser.js';
export const SCREENSHOT_DIR = join(tmpdir(), 'shirube-e2e');

/** In CI a missing browser is a failure (the launch throws); on a developer's machine, a skip that says why. */
export function skipWithoutChromium(what: string): boolean {
  const skip = !existsSync(CHROMIUM) && !process.env['CI'];
  if (skip) console.warn(`Skipping ${what}: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`);
  return skip;
}

export interface BrowserRig {
  store: Store;
  config: Config;
  app: FastifyInstance;
  base: string;
  browser: Browser;
  page: Page;
  /** Console errors (but those matching `expectedErrors`) and uncaught page errors: bugs even when the page looks right. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * The real server on a socket, serving the UI of the current source (never a stale dist/web: buildWebUi), on a fresh
 * database that `prepare` fills before the server starts (on `port`, when its public URL must be known first); and a
 * Chromium page (1360 × 900, Japanese) watching for errors.
 */
export async function startRig(opts: { prepare?: (store: Store) => Promise<void>; expectedErrors?: RegExp; env?: Record<string, string>; port?: number } = {}): Promise<BrowserRig> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const parts: Partial<BrowserRig> = {};
  const close = async () => {
    await parts.browser?.close();
    await parts.app?.close();
    await parts.store?.close();
  };
  try {
    const webRoot = await buildWebUi();
    const store = (parts.store = await freshStore());
    await opts.prepare?.(store);
    const config = loadConfig({ SHIRUBE_LOG_LEVEL: 'silent', SHIRUBE_DEMO: '0', ...opts.env });
    const app = (parts.app = await buildApp({ config, store, logger: false, webRoot }));
    const base = await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
    const browser = (parts.browser = await launchChromium());
    // A page of its own context (not browser.newPage()): axe's Playwright runner opens a second page in that context.
    const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'ja-JP' })).newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !opts.expectedErrors?.test(m.text()) && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    return { store, config, app, base, browser, page, problems, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Signs `page` in through the API (the session cookie lands in the page's context). */
export async function signInWith(page: Page, base: string, username: string, password: string): Promise<void> {
  expect((await page.request.post(`${base}/api/auth/sign-in`, { data: { username, password } })).status(), `sign-in as ${username}`).toBe(200);
}

/** A JSON API answer read with the page's session; anything but 200 fails the test. */
export async function getJson<T>(page: Page, base: string, path: string): Promise<T> {
  const r = await page.request.get(base + path);
  expect(r.status(), path).toBe(200);
  return (await r.json()) as T;
}

/** Signs in through the Japanese sign-in form, which then opens `next`. */
export async function signInThroughForm(page: Page, base: string, next: string, user: { username: string; password: string }): Promise<void> {
  await page.goto(`${base}/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel('ユーザー名').fill(user.username);
  await page.getByLabel('パスワード').fill(user.password);
  await page.getByRole('button', { name: 'サインイン' }).click();
}

/**
 * A rig on the demo class (算数 2017, 35 learners, no statements yet) with the default achievement of every content
 * item (217); `t` is the rig as the fixtures' TestApp (for posting statements).
 */
export async function startBadgeRig(opts: Parameters<typeof startRig>[0] = {}): Promise<{ rig: BrowserRig; t: TestApp; d: Awaited<ReturnType<typeof demoClass>> }> {
  const rig = await startRig({ ...opts, prepare: async (s) => void (await ensureDemoFramework(s.db, () => {})) });
  const t: TestApp = { app: rig.app, store: rig.store, config: rig.config, close: rig.close };
  const d = await demoClass(t);
  const admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  const res = await rig.app.inject({ method: 'POST', url: '/api/badges/achievements/defaults', headers: admin, payload: { framework: MATH_2017_DOCUMENT } });
  expect(res.json()).toEqual({ created: 217 });
  return { rig, t, d };
}

/** Puts a new session of the user in the rig's page, instead of any before (no sign-in form). */
export async function signInAs(rig: BrowserRig, base: string, userId: string): Promise<void> {
  const s = await createSession(rig.store.db, userId);
  await rig.page.context().clearCookies();
  await rig.page.context().addCookies([{ name: SESSION_COOKIE, value: s.token, url: base }]);
}

/** axe's serious and critical violations on the page, one line each: rule, impact, help, and where. */
export async function axeViolations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(' | ')}${v.nodes.length > 5 ? ` … ${v.nodes.length} in all` : ''}`);
}
