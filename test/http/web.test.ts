import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Store } from '../../src/store/db.js';
import { CONTENT_SECURITY_POLICY, defaultWebRoot } from '../../src/http/web.js';
import { freshStore } from '../helper.js';

const INDEX = '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/app-abc123.js"></script></body></html>';
const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

async function appWith(root: string): Promise<{ app: FastifyInstance; store: Store }> {
  const store = await freshStore();
  const app = await buildApp({ config: loadConfig({ SHIRUBE_LOG_LEVEL: 'silent', SHIRUBE_DEMO: '0' }), store, logger: false, webRoot: root });
  await app.ready();
  return { app, store };
}

describe('web UI serving (built)', () => {
  let dir: string;
  let app: FastifyInstance;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shirube-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log("ui");');
    ({ app, store } = await appWith(dir));
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / with a CSP and revalidation', async () => {
    const res = await app.inject({ url: '/', headers: html });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toBe(INDEX);
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('serves hashed assets as immutable', async () => {
    const res = await app.inject({ url: '/assets/app-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it("falls back to index.html for the UI's own routes on a browser GET", async () => {
    for (const url of ['/frameworks/0b0e6a44-8f11-5a5e-8c1b-7a2c5f6a1e11', '/frameworks/x/items/y?q=1', '/sign-in?next=%2F']) {
      const res = await app.inject({ url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(INDEX);
      expect(res.headers['content-security-policy'], url).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('answers non-HTML requests and writes for unknown paths with a JSON 404', async () => {
    const json = await app.inject({ url: '/frameworks/x', headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(404);
    expect(json.json()).toMatchObject({ error: { code: 'not_found' } });
    const post = await app.inject({ method: 'POST', url: '/frameworks/x', headers: html, payload: {} });
    expect(post.statusCode).toBe(404);
    expect(post.body).not.toContain('id="root"');
  });

  it('never shadows the APIs, even for a browser', async () => {
    const caseRes = await app.inject({ url: '/ims/case/v1p1/NoSuchEndpoint', headers: html });
    expect(caseRes.statusCode).toBe(404);
    expect(caseRes.json()).toMatchObject({ imsx_codeMajor: 'failure' });
    const apiRes = await app.inject({ url: '/api/no-such-endpoint', headers: html });
    expect(apiRes.statusCode).toBe(404);
    expect(apiRes.json()).toMatchObject({ error: { code: 'not_found' } });
    for (const url of ['/ims/case/v9/x', '/oauth/nothing', '/uri', '/openapi.json/x']) {
      const res = await app.inject({ url, headers: html });
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('id="root"');
    }
    const openapi = await app.inject({ url: '/openapi.json', headers: html });
    expect(openapi.statusCode).toBe(200);
    expect(openapi.json()).toHaveProperty('openapi');
  });
});

describe('web UI serving (not built)', () => {
  it('tells a browser to run npm run build, and API clients get a JSON 404', async () => {
    const missing = join(tmpdir(), `shirube-no-web-${process.pid}-${Date.now()}`);
    const { app, store } = await appWith(missing);
    try {
      const res = await app.inject({ url: '/', headers: html });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run build');
      const json = await app.inject({ url: '/' });
      expect(json.statusCode).toBe(404);
      expect(json.json()).toMatchObject({ error: { code: 'not_found' } });
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('looks for the build in <package root>/dist/web', () => {
    expect(defaultWebRoot()).toBe(join(new URL('../../', import.meta.url).pathname, 'dist', 'web'));
  });
});
