import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED } from '../helper.js';
import { remoteFetcher, verifyCredential, type RemoteFetcherOptions } from '../../src/badges/index.js';
import { isBlockedAddress } from '../../src/badges/remote-resolver.js';
import { json, startOtherIssuer, type OtherIssuer } from './other-issuer.js';

/**
 * Verification of credentials from other issuers, fetching what verifiers fetch from a real HTTP server on 127.0.0.1
 * (allowlisted, as SHIRUBE_VERIFY_ALLOW_HOSTS does): did:web, status lists, revocation lists, OB 2.0 documents; and
 * every request it must refuse, with no request made.
 */
let other: OtherIssuer;
const own = async () => undefined;
const failed = (v: Awaited<ReturnType<typeof verifyCredential>>) => v.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.message}`);
const verifier = (o: RemoteFetcherOptions = {}) => {
  const fetcher = remoteFetcher({ allowHosts: [other.host], ...o });
  return (input: unknown) => verifyCredential(input, { resolve: own, remote: fetcher.resolver() });
};

beforeAll(async () => {
  other = await startOtherIssuer();
});
afterAll(() => other.close());

describe('credentials from another issuer', () => {
  it('verifies a did:web issuer’s credential with its BitstringStatusList (whose proof is checked too); a flipped bit says revoked', async () => {
    const verify = verifier();
    const c = await other.issue({ index: 7 });
    other.requests.length = 0;
    const v = await verify(c);
    expect(failed(v)).toEqual([]);
    expect(v).toMatchObject({ verified: true, revoked: false, credential: { issuer: { id: other.did, name: '他校 Other School' } } });
    expect(v.checks).toContainEqual({ check: 'issuer', ok: true, message: `Issued and signed by ${other.did}` });
    expect(other.requests.sort()).toEqual(['/issuers/other/did.json', '/status/1']);

    other.revokedIndexes.add(7);
    const r = await verify(c);
    expect(r).toMatchObject({ verified: false, revoked: true });
    expect(failed(r)).toEqual(['status: Revoked by its issuer']);
    // The DID document came from the cache; the status list (no-cache) was asked again.
    expect(other.requests.filter((p) => p.endsWith('did.json'))).toHaveLength(1);
    expect(other.requests.filter((p) => p === '/status/1')).toHaveLength(2);

    const changed = { ...c, name: 'Changed' };
    expect(failed(await verify(changed))).toEqual([expect.stringMatching(/^proof: Signature: Invalid signature/), 'status: Revoked by its issuer']);
  });

  it('fails when the status list is not signed by the credential’s issuer', async () => {
    const c = await other.issue({ index: 9, change: (x) => (x['credentialStatus'].statusListCredential = `${other.base}/forged`) });
    // A status list of the issuer's, changed after signing: the bit says nothing, since the proof fails.
    const slc = await other.issue({
      change: (x) => {
        delete x['credentialStatus'];
        Object.assign(x, { id: `${other.base}/forged`, type: ['VerifiableCredential', 'BitstringStatusListCredential'], credentialSubject: { id: `${other.base}/forged#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA' } });
      },
    });
    other.routes.set('/forged', json({ ...slc, validFrom: '2025-01-01T00:00:00Z' }));
    const v = await verifier()(c);
    expect(v.verified).toBe(false);
    expect(failed(v)).toEqual([expect.stringMatching(/^status: The status list could not be checked: "BitstringStatusListCredential" not verified; reason: Verification error\(s\)\. \(Invalid signature\.\)/)]);
  });

  it('checks a 1EdTechRevocationList: not listed is valid, listed is revoked with its reason', async () => {
    const verify = verifier();
    const c = await other.issue({ revocationList: true });
    const v = await verify(c);
    expect(failed(v)).toEqual([]);
    expect(v.checks).toContainEqual({ check: 'status', ok: true, message: 'Not revoked' });
    other.revokedIds.push(String(c['id']));
    expect(await verify(c)).toMatchObject({ verified: false, revoked: true });
    expect(failed(await verify(c))).toEqual(['status: Revoked by its issuer: Issued by mistake']);
  });

  it('resolves a VC-JWT’s did:web kid', async () => {
    const c = await other.issue({ index: 11 });
    const { proof: _, ...unsigned } = c;
    const v = await verifier()(await other.jwt(unsigned));
    expect(failed(v)).toEqual([]);
    expect(v.checks).toContainEqual({ check: 'proof', ok: true, message: 'The JWT signature (EdDSA) is valid' });
  });

  it('never fetches a JSON-LD context, even one on an allowed host', async () => {
    other.requests.length = 0;
    const c = await other.issue({ index: 12 });
    const v = await verifier()({ ...c, '@context': [...c['@context'], `${other.base}/context.json`] });
    expect(v.verified).toBe(false);
    expect(failed(v).join('\n')).toContain(`Cannot load the JSON-LD context ${other.base}/context.json: Shirube uses only the contexts it ships, and never fetches one`);
    expect(other.requests).not.toContain('/context.json');
  });
});

describe('OB 2.0 hosted assertions on another host', () => {
  const ob2 = (o: Record<string, unknown> = {}): Record<string, unknown> => ({ '@context': 'https://w3id.org/openbadges/v2', ...o });
  beforeAll(() => {
    const b = other.base;
    other.routes.set('/ob2/issuer', json(ob2({ type: 'Issuer', id: `${b}/ob2/issuer`, name: 'Other School', url: b, revocationList: `${b}/ob2/revocations` })));
    other.routes.set('/ob2/badge', json(ob2({ type: 'BadgeClass', id: `${b}/ob2/badge`, name: 'Robotics', description: 'Robots', image: `${b}/ob2/badge.png`, criteria: { narrative: 'Build one' }, issuer: `${b}/ob2/issuer` })));
    other.routes.set('/ob2/revocations', json(ob2({ type: 'RevocationList', id: `${b}/ob2/revocations`, revokedAssertions: [{ id: `${b}/ob2/listed`, revocationReason: 'Listed' }] }), 200, { 'cache-control': 'no-store' }));
  });
  const assertion = (path: string) => ob2({ type: 'Assertion', id: `${other.base}${path}`, recipient: { type: 'email', hashed: true, salt: 's', identity: 'sha256$00' }, badge: `${other.base}/ob2/badge`, issuedOn: '2024-01-01T00:00:00Z', verification: { type: 'hosted' } });

  it('is valid when its BadgeClass, issuer and hosted copy load; revoked when the hosted copy (410) or the RevocationList says so', async () => {
    const a = assertion('/ob2/a1');
    other.routes.set('/ob2/a1', json(a));
    const v = await verifier()(a);
    expect(failed(v)).toEqual([]);
    expect(v.credential).toMatchObject({ name: 'Robotics', issuer: { name: 'Other School' } });

    // A copy taken before the revocation: the host now answers 410 Gone with revoked true.
    other.routes.set('/ob2/a1', json(ob2({ type: 'Assertion', id: a['id'], revoked: true, revocationReason: 'Withdrawn' }), 410));
    const r = await verifier()(a);
    expect(r).toMatchObject({ verified: false, revoked: true });
    expect(failed(r)).toEqual(['status: Revoked by its issuer: Withdrawn']);

    const listed = assertion('/ob2/listed');
    other.routes.set('/ob2/listed', json(listed));
    expect(await verifier()(listed)).toMatchObject({ verified: false, revoked: true });
    expect(failed(await verifier()(listed))).toEqual(['status: Revoked by its issuer: Listed']);
  });

  it('fails, saying why, when the hosted copy differs or cannot be fetched', async () => {
    const a = assertion('/ob2/a2');
    other.routes.set('/ob2/a2', json({ ...a, issuedOn: '2023-01-01T00:00:00Z' }));
    expect(failed(await verifier()(a))).toEqual([`proof: The copy hosted at ${a['id']} differs from the given one`]);
    other.routes.delete('/ob2/a2');
    expect(failed(await verifier()(a))).toEqual([`proof: The hosted copy could not be fetched: Could not fetch ${a['id']}: HTTP 404`]);
  });
});

describe('what is refused, before any request', () => {
  it('refuses loopback and private addresses not in the allowlist: did:web, HTTPS keys, names that resolve there', async () => {
    const c = await other.issue({ index: 20 });
    other.requests.length = 0;
    // The same server, not allowlisted: by its address, and by a name that resolves to it.
    const v = await verifier({ allowHosts: [] })(c);
    expect(failed(v).join('\n')).toContain(`Could not fetch http`);
    const unlisted = remoteFetcher({}).resolver();
    await expect(unlisted(other.did)).rejects.toThrow(`Could not fetch https://${other.host}/issuers/other/did.json: 127.0.0.1 is a private, loopback or reserved address (127.0.0.1); Shirube only fetches from public hosts (or those in SHIRUBE_VERIFY_ALLOW_HOSTS)`);
    const port = other.host.split(':')[1];
    await expect(remoteFetcher({ allowHosts: [other.host] }).resolver()(`did:web:localhost%3A${port}:issuers:other`)).rejects.toThrow(/localhost is a private, loopback or reserved address \((127\.0\.0\.1|::1)\)/);
    expect(other.requests).toEqual([]);

    const r = remoteFetcher({ lookup: async () => [{ address: '192.168.10.5', family: 4 }] }).resolver();
    await expect(r('did:web:badges.school.example')).rejects.toThrow('Could not fetch https://badges.school.example/.well-known/did.json: badges.school.example is a private, loopback or reserved address (192.168.10.5)');
    // An address literal is refused as written: no name lookup, no connection.
    const lookups: string[] = [];
    const any = remoteFetcher({ lookup: async (host) => (lookups.push(host), [{ address: '203.0.113.7', family: 4 }]) }).resolver();
    for (const url of ['did:web:10.1.2.3', 'https://192.168.1.10/keys/1', 'https://169.254.169.254/latest/meta-data', 'https://[fd00::1]/key', 'https://[::ffff:127.0.0.1]/key']) {
      await expect(any(url), url).rejects.toThrow(/is a private, loopback or reserved address/);
    }
    expect(lookups).toEqual([]);
    await expect(any('http://badges.example/key')).rejects.toThrow('Could not fetch http://badges.example/key: only HTTPS URLs are fetched');
    await expect(any('did:example:123')).rejects.toThrow(/Cannot resolve did:example:123: Shirube fetches did:web and HTTPS URLs/);
  });

  it('classifies addresses: loopback, private, link-local, ULA, multicast, mapped IPv4 are blocked; public ones are not', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd12:3456::1', 'ff02::1', '::ffff:10.0.0.1']) expect(isBlockedAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '151.101.1.69', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isBlockedAddress(a), a).toBe(false);
  });
});

describe('answers that fail, clearly', () => {
  const get = (path: string, o: RemoteFetcherOptions = {}) => remoteFetcher({ allowHosts: [other.host], ...o }).resolver()(`${other.base}${path}`);

  it('a timeout, an oversize or non-JSON answer, a redirect elsewhere, too many requests', async () => {
    other.routes.set('/never', () => undefined);
    const started = Date.now();
    await expect(get('/never', { timeoutMs: 300 })).rejects.toThrow(`Could not fetch ${other.base}/never: no answer within 300 ms (timeout)`);
    expect(Date.now() - started).toBeLessThan(2000);

    const slowDns = remoteFetcher({ timeoutMs: 300, lookup: () => new Promise(() => undefined) }).resolver();
    await expect(slowDns('https://badges.example/key')).rejects.toThrow('Could not fetch https://badges.example/key: the host name did not resolve within 300 ms (timeout)');

    other.routes.set('/big', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pad: 'x'.repeat(300 * 1024) })));
    await expect(get('/big')).rejects.toThrow(`Could not fetch ${other.base}/big: larger than 262144 bytes`);
    // Without a Content-Length: cut while reading.
    other.routes.set('/stream', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"pad":"${'x'.repeat(200 * 1024)}`);
      res.end(`${'x'.repeat(100 * 1024)}"}`);
    });
    await expect(get('/stream')).rejects.toThrow('larger than 262144 bytes');

    other.routes.set('/page', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'));
    await expect(get('/page')).rejects.toThrow(`Could not fetch ${other.base}/page: not JSON (Content-Type text/html)`);
    other.routes.set('/broken', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":'));
    await expect(get('/broken')).rejects.toThrow('the response is not a JSON object');

    other.routes.set('/moved', (_req, res) => res.writeHead(302, { location: '/ob2/issuer' }).end());
    await expect(get('/moved')).resolves.toMatchObject({ type: 'Issuer' });
    other.routes.set('/to-metadata', (_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end());
    await expect(get('/to-metadata')).rejects.toThrow('Could not fetch http://169.254.169.254/latest/meta-data: only HTTPS URLs are fetched');
    other.routes.set('/to-private', (_req, res) => res.writeHead(302, { location: 'https://10.0.0.1/key' }).end());
    await expect(get('/to-private')).rejects.toThrow('10.0.0.1 is a private, loopback or reserved address');
    other.routes.set('/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end());
    await expect(get('/loop')).rejects.toThrow('more than 2 redirects');

    const budget = remoteFetcher({ allowHosts: [other.host], maxFetches: 2 }).resolver();
    await budget(`${other.base}/ob2/issuer`);
    await budget(`${other.base}/ob2/badge`);
    await expect(budget(`${other.base}/revocations`)).rejects.toThrow('a verification makes at most 2 requests');
  });

  it('without a network: the 1EdTech validator’s Bitstring fixture fails at once, naming the status list', async () => {
    const noNetwork = remoteFetcher({ lookup: async () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })) });
    const c = JSON.parse(readFileSync(`${SHARED}spec/ob3/examples/validator-tests/ob30/bit-string-list/credential-status-revoked.json`, 'utf8'));
    const started = Date.now();
    const v = await verifyCredential(c, { resolve: own, remote: noNetwork.resolver() });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(failed(v)).toEqual([expect.stringMatching(/^status: The status list could not be checked: .*Could not fetch https:\/\/raw\.githubusercontent\.com\/1EdTech\/.*\/testlist: the host name does not resolve \(ENOTFOUND\)/)]);
  });
});
