import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, session, type TestApp } from '../helper.js';
import { loadConfig } from '../../src/config.js';

/** /health, /ready, /metrics, the security headers and the password check (docs/operations.md, docs/security.md). */
let t: TestApp;
let admin: Record<string, string>;
beforeAll(async () => {
  t = await build();
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
});
afterAll(() => t.close());

describe('health, readiness and metrics', () => {
  it('/health and /ready answer 200 while the database answers', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).json()).toEqual({ status: 'ready' });
  });

  it('/metrics counts requests by route template (never ids) for loopback callers; others get 403', async () => {
    await t.app.inject({ method: 'GET', url: '/uri/00000000-0000-4000-8000-000000000000', headers: { accept: 'application/json' } });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/shirube_http_requests_total\{method="GET",route="\/health",status="200"\} 1/);
    expect(res.body).toMatch(/shirube_http_requests_total\{method="GET",route="\/uri\/:identifier",status="404"\} 1/);
    expect(res.body).not.toContain('00000000-0000-4000-8000-000000000000');
    expect(res.body).toContain('shirube_http_request_duration_seconds_bucket');
    expect(res.body).toContain('process_cpu_user_seconds_total');
    const outside = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7' });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().message).toContain('SHIRUBE_METRICS_TOKEN');
  });

  it('with SHIRUBE_METRICS_TOKEN, /metrics wants that Bearer token from anywhere', async () => {
    const other = await build({ SHIRUBE_METRICS_TOKEN: 'a-scraper-token-of-some-length' });
    try {
      const get = (authorization?: string) => other.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7', headers: authorization ? { authorization } : {} });
      expect((await get()).statusCode).toBe(401);
      expect((await get('Bearer a-scraper-token-of-some-lengtX')).statusCode).toBe(401);
      expect((await get('Bearer a-scraper-token-of-some-length')).statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('/ready answers 503 with Retry-After when the database does not answer', async () => {
    const other = await build();
    await other.store.close();
    const res = await other.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json().status).toBe('unavailable');
    await other.app.close();
  });
});

describe('response headers', () => {
  it('nosniff everywhere; no-store on JSON API answers; CASE answers keep their own caching', async () => {
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: admin });
    expect(me.headers['x-content-type-options']).toBe('nosniff');
    expect(me.headers['cache-control']).toBe('no-store');
    const docs = await t.app.inject({ method: 'GET', url: '/ims/case/v1p1/CFDocuments' });
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
    expect(docs.headers['cache-control']).not.toBe('no-store');
    expect(me.headers['strict-transport-security']).toBeUndefined();
  });

  it('HSTS when the public URL is https', async () => {
    const other = await build({ SHIRUBE_PUBLIC_URL: 'https://case.example.jp' });
    try {
      const res = await other.app.inject({ method: 'GET', url: '/health' });
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    } finally {
      await other.close();
    }
  });
});

describe('passwords', () => {
  it('refuses guessable passwords (common, keyboard walks, the username) with a 400 naming password; accepts passphrases', async () => {
    const create = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/api/admin/users', headers: admin, payload: { username, password } });
    for (const [username, password] of [['sato', 'password123'], ['ito', 'qwertyuiop'], ['yamada.taro', 'yamada.taro1'], ['kato', '12345678']]) {
      const res = await create(username!, password!);
      expect(res.statusCode, password).toBe(400);
      expect(res.body).toContain('password: too easy to guess');
    }
    expect((await create('suzuki', 'correct horse battery staple')).statusCode).toBe(201);
  });
});

describe('defaults', () => {
  it('listens on loopback; readable logs without request lines on a terminal, JSON with request lines in production', () => {
    const dev = loadConfig({});
    expect(dev).toMatchObject({ host: '127.0.0.1', logFormat: 'pretty', requestLog: false });
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ logFormat: 'json', requestLog: true });
    expect(loadConfig({ SHIRUBE_LOG_FORMAT: 'json', SHIRUBE_REQUEST_LOG: '0' })).toMatchObject({ logFormat: 'json', requestLog: false });
    expect(() => loadConfig({ SHIRUBE_METRICS_TOKEN: 'short' })).toThrow(/SHIRUBE_METRICS_TOKEN/);
  });
});
