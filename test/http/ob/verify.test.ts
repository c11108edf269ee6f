import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { build, session, sessionOf, SHARED, type TestApp } from '../../helper.js';
import { MATH_2017_DOCUMENT } from '../../../src/progress/index.js';
import { demoClass, masteredAnswers, post } from '../../progress/fixture.js';
import { extractPng } from '../../../src/badges/index.js';
import { VERIFICATIONS_PER_HOUR } from '../../../src/http/ob/public.js';

/**
 * POST /badges/verify over HTTP with every form a verifier may send (JSON, VC-JWT text, baked PNG and SVG), and the
 * status list: cached signature, ETag / 304, a revocation or key rotation showing on the very next request.
 */
const TESTS = `${SHARED}spec/ob3/examples/validator-tests/`;
const A = '8250213111100000';
let t: TestApp;
let teacher: Record<string, string>;
let learner: Record<string, string>;
let admin: Record<string, string>;
let credential: Record<string, any>;
const uuidOf = (c: { id: string }) => c.id.slice('urn:uuid:'.length);
const verify = (payload: string | Buffer | Record<string, unknown>, contentType: string) => t.app.inject({ method: 'POST', url: '/badges/verify', headers: { 'content-type': contentType }, payload });
const failed = (body: { checks: Array<{ check: string; ok: boolean; message: string }> }) => body.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.message}`);

beforeAll(async () => {
  // Offline (SHIRUBE_VERIFY_FETCH=0): what fetching adds is verify-remote.test.ts's.
  t = await build({ SHIRUBE_SECRET_KEY: 'test-secret-key-of-at-least-32-characters', SHIRUBE_VERIFY_FETCH: '0' });
  const d = await demoClass(t);
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  teacher = await sessionOf(t, d.teacherUserId);
  learner = await sessionOf(t, d.learnerUserIds[0]!);
  await t.app.inject({ method: 'POST', url: '/api/badges/achievements/defaults', headers: admin, payload: { framework: MATH_2017_DOCUMENT } });
  await post(t, d.writer, masteredAnswers(d.agents[0]!, A));
  const [pending] = (await t.app.inject({ method: 'GET', url: '/api/badges/candidates', headers: teacher })).json().candidates;
  const res = await t.app.inject({ method: 'POST', url: '/api/badges/candidates/approve', headers: teacher, payload: { candidates: [{ achievementId: pending.achievementId, learnerId: pending.learnerId }] } });
  expect(res.statusCode).toBe(201);
  credential = res.json().credentials[0];
}, 120_000);
afterAll(() => t.close());

describe('POST /badges/verify', () => {
  it('takes JSON (application/json, application/vc+ld+json): Shirube’s credential and the validator’s', async () => {
    for (const type of ['application/json', 'application/vc+ld+json']) {
      const res = await verify(credential, type);
      expect(res.statusCode).toBe(200);
      expect(failed(res.json())).toEqual([]);
      expect(res.json()).toMatchObject({ verified: true, revoked: false, credential: { id: credential['id'], issuer: { id: credential['issuer'].id }, achievement: { humanCode: A } } });
    }
    const v1 = await verify(readFileSync(`${TESTS}ob30/simple_v1.json`, 'utf8'), 'application/ld+json');
    expect(v1.json()).toMatchObject({ verified: true, warnings: expect.arrayContaining([expect.stringMatching(/Ed25519Signature2020/)]) });
  });

  it('takes a VC-JWT as text: Shirube’s own (EdDSA, kid = its did:web key, resolved in-process) and the validator’s', async () => {
    const jws = (await t.app.inject({ method: 'GET', url: `/api/badges/credentials/${uuidOf(credential as { id: string })}/download?format=jwt`, headers: learner })).body;
    for (const type of ['text/plain', 'application/jwt']) {
      const res = await verify(jws, type);
      expect(failed(res.json())).toEqual([]);
      expect(res.json().checks).toEqual(expect.arrayContaining([{ check: 'proof', ok: true, message: 'The JWT signature (EdDSA) is valid' }, { check: 'issuer', ok: true, message: `Issued and signed by ${credential['issuer'].id}` }]));
    }
    const validators = extractPng(readFileSync(`${TESTS}ob30/simple-jwt.png`))!;
    expect((await verify(validators, 'text/plain')).json()).toMatchObject({ verified: true, credential: { id: 'http://example.com/credentials/3527' } });
    const [h, p, s] = jws.split('.');
    const changed = JSON.parse(Buffer.from(p!, 'base64url').toString());
    changed.credentialSubject.achievement.name = 'Something else';
    expect(failed((await verify(`${h}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${s}`, 'text/plain')).json())).toContain('proof: JWT signature: signature verification failed');
  });

  it('takes baked PNG and SVG (JSON or JWT inside), Shirube’s and the validator’s', async () => {
    for (const format of ['png', 'svg', 'png-jwt', 'svg-jwt']) {
      const res = await t.app.inject({ method: 'GET', url: `/api/badges/credentials/${uuidOf(credential as { id: string })}/download?format=${format}`, headers: learner });
      const v = await verify(res.rawPayload, format.startsWith('png') ? 'image/png' : 'image/svg+xml');
      expect(failed(v.json()), format).toEqual([]);
      expect(v.json().credential.id).toBe(credential['id']);
    }
    for (const file of ['simple-json.png', 'simple-jwt.png', 'simple-json.svg', 'simple-jwt.svg']) {
      const v = await verify(readFileSync(`${TESTS}ob30/${file}`), file.endsWith('.png') ? 'image/png' : 'image/svg+xml');
      expect(v.json().verified, file).toBe(true);
    }
  });

  it('stays offline: an OB 2.0 assertion whose BadgeClass is elsewhere cannot be checked, and says so', async () => {
    const res = await verify(readFileSync(`${TESTS}ob20/simple-badge.png`), 'image/png');
    expect(res.statusCode).toBe(200);
    expect(failed(res.json())).toEqual(['proof: Cannot check offline: verifying this OB 2.0 assertion needs its BadgeClass https://example.org/robotics-badge.json, which Shirube does not fetch (fetching is off)']);
  });

  it('answers what is not a credential with a verdict saying why, and unreadable requests with 4xx', async () => {
    expect(failed((await verify('hello', 'text/plain')).json())).toEqual(['format: Neither a JSON credential nor a compact JWS (VC-JWT)']);
    expect(failed((await verify(readFileSync(`${SHARED}spec/ob3/examples/validator-tests/ob30/simple-json.png`).subarray(0, 33), 'image/png')).json())[0]).toMatch(/^format: No baked credential found/);
    expect((await verify('{"a":', 'application/json')).statusCode).toBe(400);
    expect((await verify('', 'text/plain')).statusCode).toBe(400);
    expect((await verify('<x/>', 'application/xml')).statusCode).toBe(415);
  });
});

describe('POST /badges/verify: a budget per address', () => {
  it(`answers 429 with Retry-After after ${VERIFICATIONS_PER_HOUR} verifications from one address in an hour, and only to that address`, async () => {
    const from = (remoteAddress: string) => t.app.inject({ method: 'POST', url: '/badges/verify', remoteAddress, payload: {} });
    for (let i = 0; i < VERIFICATIONS_PER_HOUR; i++) expect((await from('203.0.113.9')).statusCode).toBe(200);
    const refused = await from('203.0.113.9');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
    expect(refused.json().error.message).toMatch(/Too many verifications from this address/);
    expect((await from('203.0.113.10')).statusCode).toBe(200);
  }, 120_000);
});

describe('GET /badges/status/{id}', () => {
  const statusUrl = () => new URL(credential['credentialStatus'].statusListCredential).pathname;
  const get = (headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: statusUrl(), headers });

  it('signs once per state: the same document and a weak ETag; If-None-Match gives 304', async () => {
    const a = await get();
    expect(a.statusCode).toBe(200);
    expect(a.headers['cache-control']).toBe('public, no-cache');
    expect(a.headers['etag']).toMatch(/^W\/"[\w-]{43}"$/);
    // A second later: a new signature would say so in its `created` (and validFrom); the same proof means none was made.
    await new Promise((r) => setTimeout(r, 1100));
    const b = await get();
    expect(b.headers['etag']).toBe(a.headers['etag']);
    expect(b.json().proof).toEqual(a.json().proof);
    const c = await get({ 'if-none-match': String(a.headers['etag']) });
    expect(c.statusCode).toBe(304);
    expect(c.body).toBe('');
    expect((await get({ 'if-none-match': 'W/"other"' })).statusCode).toBe(200);
  });


  it('shows a revocation on the very next request, and the verifier says revoked', async () => {
    const before = await get();
    expect((await verify(credential, 'application/json')).json()).toMatchObject({ verified: true, revoked: false });
    const r = await t.app.inject({ method: 'POST', url: `/api/badges/credentials/${uuidOf(credential as { id: string })}/revoke`, headers: teacher, payload: { reason: 'test' } });
    expect(r.statusCode).toBe(204);
    const after = await get({ 'if-none-match': String(before.headers['etag']) });
    expect(after.statusCode).toBe(200);
    expect(after.headers['etag']).not.toBe(before.headers['etag']);
    expect(after.json().proof).not.toEqual(before.json().proof);
    const v = (await verify(credential, 'application/json')).json();
    expect(v).toMatchObject({ verified: false, revoked: true });
    expect(failed(v)).toEqual(['status: Revoked by its issuer']);
  });

  it('follows the database, not this process: a change written by another process (here straight SQL) shows at once', async () => {
    const before = await get();
    await sql`update badge_credential set revoked_at = null where id = ${credential['id']}`.execute(t.store.db);
    const after = await get({ 'if-none-match': String(before.headers['etag']) });
    expect(after.statusCode).toBe(200);
    expect((await verify(credential, 'application/json')).json()).toMatchObject({ verified: true, revoked: false });
    await sql`update badge_credential set revoked_at = now() where id = ${credential['id']}`.execute(t.store.db);
    expect((await verify(credential, 'application/json')).json()).toMatchObject({ verified: false, revoked: true });
  });

  it('re-signs with the new key after a rotation', async () => {
    const before = await get();
    const issuerId = String(credential['issuer'].id).split(':').pop();
    const rot = await t.app.inject({ method: 'POST', url: `/api/badges/issuers/${issuerId}/rotate`, headers: admin, payload: {} });
    expect(rot.statusCode).toBeLessThan(300);
    const after = await get({ 'if-none-match': String(before.headers['etag']) });
    expect(after.statusCode).toBe(200);
    expect(after.json().proof[0].verificationMethod).not.toBe(before.json().proof[0].verificationMethod);
    // Old credentials still verify against the list signed with the new key (and still show revoked).
    expect((await verify(credential, 'application/json')).json()).toMatchObject({ revoked: true, checks: expect.arrayContaining([expect.objectContaining({ check: 'proof', ok: true })]) });
  });

  it('answers 404 for an unknown list', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/badges/status/00000000-0000-0000-0000-000000000000' })).statusCode).toBe(404);
  });
});
