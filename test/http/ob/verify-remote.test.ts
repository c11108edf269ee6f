import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type TestApp } from '../../helper.js';
import { loadConfig } from '../../../src/config.js';
import { freePort } from '../../cli-process.js';
import { setUserPassword } from '../../../src/auth/index.js';
import { demoClass } from '../../progress/fixture.js';
import { startOtherIssuer, type OtherIssuer } from '../../badges/other-issuer.js';
import { bearer, obWallet, PASSWORD, READ, UPSERT } from './support.js';

/**
 * Credentials from another platform through Shirube's public verifier and the OB 3.0 API, with fetching on (the
 * default) and the other platform's test server in SHIRUBE_VERIFY_ALLOW_HOSTS; a second server, not listed, is never
 * reached.
 */
let t: TestApp;
let base: string;
let other: OtherIssuer;
let unlisted: OtherIssuer;
const { http, signIn, grant } = obWallet(() => base);
const verify = (payload: unknown) => t.app.inject({ method: 'POST', url: '/badges/verify', payload: payload as Record<string, unknown> });
const failed = (body: { checks: Array<{ check: string; ok: boolean; message: string }> }) => body.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.message}`);

beforeAll(async () => {
  [other, unlisted] = await Promise.all([startOtherIssuer(), startOtherIssuer()]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await build({ SHIRUBE_PUBLIC_URL: base, SHIRUBE_SECRET_KEY: 'test-secret-key-of-at-least-32-characters', SHIRUBE_VERIFY_ALLOW_HOSTS: ` ${other.host.toUpperCase()} , badges.intranet` });
  await t.app.listen({ port, host: '127.0.0.1' });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await Promise.all([other?.close(), unlisted?.close()]);
});

describe('POST /badges/verify: a badge from another platform', () => {
  it('reads the allowlist from the environment; fetching is on unless turned off', () => {
    expect(t.config).toMatchObject({ verifyFetch: true, verifyAllowHosts: [other.host, 'badges.intranet'] });
    expect(loadConfig({ SHIRUBE_VERIFY_FETCH: '0' })).toMatchObject({ verifyFetch: false, verifyAllowHosts: [] });
    expect(() => loadConfig({ SHIRUBE_VERIFY_ALLOW_HOSTS: 'http://127.0.0.1:4567/', SHIRUBE_VERIFY_FETCH: 'maybe' })).toThrow(/SHIRUBE_VERIFY_FETCH: .*\n.*SHIRUBE_VERIFY_ALLOW_HOSTS: must match pattern/s);
  });

  it('verifies a did:web issuer’s credential and its BitstringStatusList; after the issuer flips the bit, revoked', async () => {
    const c = await other.issue({ index: 3 });
    const res = await verify(c);
    expect(res.statusCode).toBe(200);
    expect(failed(res.json())).toEqual([]);
    expect(res.json()).toMatchObject({ verified: true, revoked: false, credential: { id: c['id'], issuer: { id: other.did } } });
    other.revokedIndexes.add(3);
    const after = (await verify(c)).json();
    expect(after).toMatchObject({ verified: false, revoked: true });
    expect(failed(after)).toEqual(['status: Revoked by its issuer']);
  });

  it('checks a 1EdTechRevocationList on the issuer’s host', async () => {
    const c = await other.issue({ revocationList: true });
    expect((await verify(c)).json()).toMatchObject({ verified: true, revoked: false });
    other.revokedIds.push(String(c['id']));
    expect((await verify(c)).json()).toMatchObject({ verified: false, revoked: true, checks: expect.arrayContaining([{ check: 'status', ok: false, message: 'Revoked by its issuer: Issued by mistake' }]) });
  });

  it('never reaches a loopback host that is not allowlisted, nor a private address, and says why', async () => {
    const c = await unlisted.issue({ index: 1 });
    unlisted.requests.length = 0;
    const v = (await verify(c)).json();
    expect(v.verified).toBe(false);
    expect(failed(v)[0]).toMatch(new RegExp(`^proof: Signature: Could not fetch https://${unlisted.host}/issuers/other/did.json: 127.0.0.1 is a private, loopback or reserved address \\(127.0.0.1\\)`));
    expect(unlisted.requests).toEqual([]);

    const toPrivate = await other.issue({ index: 4, change: (x) => Object.assign(x['credentialStatus'], { statusListCredential: 'https://10.0.0.7/status/1' }) });
    expect(failed((await verify(toPrivate)).json())).toEqual([expect.stringMatching(/^status: The status list could not be checked: .*Could not fetch https:\/\/10\.0\.0\.7\/status\/1: 10\.0\.0\.7 is a private, loopback or reserved address/)]);
  });

  it('verifies at most 100 credentials bundled in a CLR', async () => {
    const one = await other.issue({ index: 5 });
    const clr = {
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      id: 'urn:uuid:0b7e5d1c-2f53-4f5a-9d7e-5a1f0e9c1d11',
      type: ['VerifiableCredential', 'ClrCredential'],
      issuer: { id: other.did, type: ['Profile'] },
      validFrom: '2024-04-01T00:00:00Z',
      credentialSubject: { type: ['ClrSubject'], verifiableCredential: Array.from({ length: 101 }, () => one) },
    };
    other.requests.length = 0;
    const res = await verify(clr);
    expect(res.statusCode).toBe(200);
    expect(res.json().checks).toContainEqual({ check: 'credentials', ok: false, message: 'The CLR bundles 101 credentials; Shirube verifies at most 100 at a time' });
    expect(other.requests.filter((p) => p === '/status/1')).toEqual([]);
  });
});

describe('upsertCredential: another platform’s badge into the learner’s passport', () => {
  it('keeps a credential that verifies by fetching its issuer’s DID document and status list; refuses a revoked one', async () => {
    const d = await demoClass(t);
    await setUserPassword(t.store.db, d.learnerUserIds[0]!, PASSWORD, 'test');
    const { access_token } = await grant(await signIn('learner01'), `${READ} ${UPSERT}`);
    const c = await other.issue({ index: 6 });
    const created = await http('POST', '/ims/ob/v3p0/credentials', { headers: bearer(access_token), json: c });
    expect(created.status, created.text).toBe(201);
    expect((await http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(access_token) })).json().credential).toEqual([c]);

    other.revokedIndexes.add(6);
    const refused = await http('POST', '/ims/ob/v3p0/credentials', { headers: bearer(access_token), json: c });
    expect(refused.status).toBe(400);
    expect(refused.json().imsx_description).toBe('status: Revoked by its issuer');
  }, 60_000);
});
