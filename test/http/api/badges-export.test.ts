import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { sql } from 'kysely';
import { buildListening, session, sessionOf, type TestApp } from '../../helper.js';
import { MATH_2017_DOCUMENT } from '../../../src/progress/index.js';
import { extractPng } from '../../../src/badges/index.js';
import { demoClass, masteredAnswers, post } from '../../progress/fixture.js';
import { expandSafe, independentVerify, publicJwk, resolveVerificationMethod } from '../../badges/independent.js';

/**
 * The learner's exports beyond the embedded-proof JSON (docs/badges.md): VC-JWT, the OB 2.0 hosted assertions for
 * older backpacks, and the CLR 2.0 bundle with the framework's associations, over a listening server: what a wallet,
 * a backpack or a verifier would fetch, checked with their tools (jose, jsonld, @digitalbazaar/vc), not Shirube's.
 */
const A = '8250223111100000'; // 2年 数の構成と表し方 (ア) まとめて数える
const B = '8250223131100000'; // 2年 乗法 (ア) 乗法の意味: the demo precedes set says A precedes B
let t: TestApp;
let base: string;
let d: Awaited<ReturnType<typeof demoClass>>;
let admin: Record<string, string>;
let teacher: Record<string, string>;
let learner0: Record<string, string>;
let learner1: Record<string, string>;
/** learner0's two credentials, on A and B. */
let credA: { id: string } & Record<string, any>;
let credB: { id: string } & Record<string, any>;
const uuidOf = (c: { id: string }) => c.id.slice('urn:uuid:'.length);
const inject = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: Record<string, unknown>) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
const download = (c: { id: string }, format: string, who = learner0) => inject('GET', `/api/badges/credentials/${uuidOf(c)}/download?format=${format}`, who);

beforeAll(async () => {
  const listening = await buildListening({ SHIRUBE_SECRET_KEY: 'test-secret-key-of-at-least-32-characters' });
  [t, base] = [listening, listening.base];
  d = await demoClass(t);
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  teacher = await sessionOf(t, d.teacherUserId);
  learner0 = await sessionOf(t, d.learnerUserIds[0]!);
  learner1 = await sessionOf(t, d.learnerUserIds[1]!);
  expect((await inject('POST', '/api/badges/achievements/defaults', admin, { framework: MATH_2017_DOCUMENT })).json()).toEqual({ created: 217 });
  await post(t, d.writer, [...masteredAnswers(d.agents[0]!, A), ...masteredAnswers(d.agents[0]!, B)]);
  const pending = (await inject('GET', '/api/badges/candidates', teacher)).json().candidates as Array<{ achievementId: string; learnerId: string; achievement: { humanCode: string } }>;
  expect(pending.map((c) => c.achievement.humanCode).sort()).toEqual([A, B]);
  const res = await inject('POST', '/api/badges/candidates/approve', teacher, { candidates: pending.map(({ achievementId, learnerId }) => ({ achievementId, learnerId })) });
  expect(res.statusCode).toBe(201);
  [credA, credB] = [A, B].map((code) => res.json().credentials.find((c: any) => c.credentialSubject.achievement.humanCode === code));
}, 120_000);
afterAll(() => t.close());

describe('VC-JWT', () => {
  it('gives new credentials a subject id that names no one: one per credential, not the learner id', async () => {
    const { learnerId } = (await inject('GET', '/api/badges/passport', learner0)).json();
    for (const c of [credA, credB]) expect(c.credentialSubject.id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(credA.credentialSubject.id).not.toBe(credB.credentialSubject.id);
    expect(credA.credentialSubject.id).not.toContain(learnerId);
  });

  it('downloads a compact JWS that verifies with the key in the DID document the server publishes, claims consistent with the credential', async () => {
    const res = await download(credA, 'jwt');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="badge-${uuidOf(credA)}.jwt"`);
    const jws = res.body;
    expect(jws.split('.')).toHaveLength(3);
    const header = decodeProtectedHeader(jws);
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: expect.stringMatching(/^did:web:/) });
    expect(header.kid!.startsWith(`${credA.issuer.id}#`)).toBe(true);
    const key = await importJWK(await publicJwk(await resolveVerificationMethod(base, header.kid!)), 'EdDSA');
    const { payload } = await jwtVerify(jws, key, { issuer: credA.issuer.id, subject: credA.credentialSubject.id, typ: 'JWT' });
    const { iss, jti, nbf, sub, exp, ...credential } = payload;
    expect({ iss, jti, sub, exp }).toEqual({ iss: credA.issuer.id, jti: credA.id, sub: credA.credentialSubject.id, exp: undefined });
    expect(nbf).toBe(Date.parse(credA.validFrom) / 1000);
    // The payload is the credential with its embedded proof, which still verifies on its own.
    expect(credential).toEqual(credA);
    expect(await independentVerify(base, credential)).toMatchObject({ verified: true, revoked: false });
  });

  it('fails verification when a claim or the signature is changed', async () => {
    const jws = (await download(credA, 'jwt')).body;
    const [h, p, s] = jws.split('.') as [string, string, string];
    const key = await importJWK(await publicJwk(await resolveVerificationMethod(base, decodeProtectedHeader(jws).kid!)), 'EdDSA');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    claims.credentialSubject.achievement.name = 'Something else';
    await expect(jwtVerify(`${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`, key)).rejects.toThrow(/signature verification failed/);
    const forged = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    await expect(jwtVerify(`${h}.${p}.${forged}`, key)).rejects.toThrow(/signature verification failed/);
  });

  it('bakes the JWT into PNG and SVG', async () => {
    const jws = (await download(credA, 'jwt')).body;
    const png = await download(credA, 'png-jwt');
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-disposition']).toContain('.png"');
    expect(extractPng(png.rawPayload)).toBe(jws);
    const svg = await download(credA, 'svg-jwt');
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(/<openbadges:credential><!\[CDATA\[([^\]]*)\]\]><\/openbadges:credential>/.exec(svg.body)![1]).toBe(jws);
  });

  it('is accepted by Shirube’s public verifier too, as text and baked', async () => {
    const jws = (await download(credA, 'jwt')).body;
    const text = await t.app.inject({ method: 'POST', url: '/badges/verify', headers: { 'content-type': 'text/plain' }, payload: jws });
    expect(text.json()).toMatchObject({ verified: true, revoked: false, credential: { id: credA.id } });
    const png = await t.app.inject({ method: 'POST', url: '/badges/verify', headers: { 'content-type': 'image/png' }, payload: (await download(credA, 'png-jwt')).rawPayload });
    expect(png.json()).toMatchObject({ verified: true, credential: { id: credA.id } });
  });

  it('lets no other learner download it, and refuses (409) a credential issued before subjects had an id', async () => {
    expect((await download(credA, 'jwt', learner1)).statusCode).toBe(403);
    expect((await download(credA, 'png-jwt', learner1)).statusCode).toBe(403);
    expect((await inject('GET', `/api/badges/credentials/${uuidOf(credA)}/download?format=jwt`, {})).statusCode).toBe(401);
    expect((await download(credA, 'jws')).json().error.field).toContain('format');
    // A credential as Shirube issued them before: no credentialSubject.id.
    await sql`update badge_credential set payload = payload #- '{credentialSubject,id}' where id = ${credB.id}`.execute(t.store.db);
    const old = await download(credB, 'jwt');
    expect(old.statusCode).toBe(409);
    expect(old.json().error.message).toMatch(/before Shirube gave subjects an id/);
    expect((await download(credB, 'json')).statusCode).toBe(200);
    await sql`update badge_credential set payload = ${JSON.stringify(credB)}::jsonb where id = ${credB.id}`.execute(t.store.db);
  });
});

describe('CLR 2.0', () => {
  it('bundles both badges with the framework’s associations between their achievements; valid JSON-LD; verifies independently', async () => {
    // A reviewer links the items both ways round; a link to an item without a badge stays out of the bundle.
    const idOf = (code: string) => d.structure.items.find((i) => i.code === code)!.id;
    for (const [origin, destination] of [[idOf(B), idOf(A)], [idOf(A), idOf('8250223131400000')]]) {
      expect((await inject('POST', `/api/relations/${MATH_2017_DOCUMENT}/relations`, admin, { origin, destination, type: 'isRelatedTo' })).statusCode).toBe(201);
    }
    const res = await inject('GET', '/api/badges/passport/clr', learner0);
    expect(res.statusCode).toBe(200);
    const clr = JSON.parse(res.body);
    expect(clr.type).toEqual(['VerifiableCredential', 'ClrCredential']);
    expect(clr.credentialSubject.verifiableCredential.map((c: { id: string }) => c.id).sort()).toEqual([credA.id, credB.id].sort());
    const [achA, achB] = [credA, credB].map((c) => c.credentialSubject.achievement);
    expect(clr.credentialSubject.association).toEqual(
      expect.arrayContaining([
        { type: 'Association', associationType: 'precedes', sourceId: achA.id, targetId: achB.id },
        { type: 'Association', associationType: 'isRelatedTo', sourceId: achB.id, targetId: achA.id },
      ]),
    );
    expect(clr.credentialSubject.association).toHaveLength(2);
    await expandSafe(clr);
    expect(await independentVerify(base, clr)).toMatchObject({ verified: true });
    const tampered = structuredClone(clr);
    tampered.credentialSubject.association[0].associationType = 'isChildOf';
    expect((await independentVerify(base, tampered)).verified).toBe(false);
    for (const c of clr.credentialSubject.verifiableCredential) expect(await independentVerify(base, c)).toMatchObject({ verified: true, revoked: false });
  });

  it('safe-mode expansion rejects what no context defines (the check above is not vacuous)', async () => {
    const clr = JSON.parse((await inject('GET', '/api/badges/passport/clr', learner0)).body);
    await expect(expandSafe({ ...clr, credentialSubject: { ...clr.credentialSubject, associations: [] } })).rejects.toThrow(/Safe mode/);
  });
});

describe('Open Badges 2.0 export', () => {
  let assertion: Record<string, any>;
  let assertionB: Record<string, any>;

  it('downloads the Assertion whose hosted copy, BadgeClass and Issuer a backpack follows over HTTP', async () => {
    const res = await download(credA, 'ob2');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="badge-${uuidOf(credA)}.ob2.json"`);
    assertion = res.json();
    expect(assertion).toMatchObject({ '@context': 'https://w3id.org/openbadges/v2', type: 'Assertion', id: `${base}/badges/ob2/assertions/${uuidOf(credA)}`, verification: { type: 'hosted' }, issuedOn: credA.awardedDate });
    // Hosted verification: the assertion is at its id, its badge's issuer on the same origin.
    const hostedRes = await fetch(assertion.id);
    expect(hostedRes.status).toBe(200);
    const hosted = await hostedRes.json();
    expect(hosted).toEqual(assertion);
    expect(hosted.id).toBe(hostedRes.url);
    const badge = await (await fetch(hosted.badge)).json();
    expect(badge).toMatchObject({ type: 'BadgeClass', id: hosted.badge, name: credA.credentialSubject.achievement.name, criteria: { narrative: expect.any(String) } });
    const item = d.structure.items.find((i) => i.code === A)!;
    expect(badge.alignment).toEqual([
      { targetName: item.fullStatement, targetUrl: `${base}/uri/${item.id}`, targetDescription: `学習指導要領コード / Course of Study Code ${A}`, targetFramework: d.structure.title, targetCode: item.id },
    ]);
    expect((await fetch(badge.image)).headers.get('content-type')).toContain('image/svg+xml');
    const issuer = await (await fetch(badge.issuer)).json();
    expect(issuer).toMatchObject({ type: 'Issuer', id: badge.issuer, name: credA.issuer.name });
    expect(new URL(issuer.id).origin).toBe(new URL(hosted.id).origin);
    const list = await (await fetch(issuer.revocationList)).json();
    expect(list).toMatchObject({ type: 'RevocationList', issuer: issuer.id, revokedAssertions: [] });
    for (const doc of [hosted, badge, issuer, list]) await expandSafe(doc);
    await expect(expandSafe({ ...hosted, recipientEmail: 'x' })).rejects.toThrow(/Safe mode/);
  });

  it('is verified by Shirube’s public verifier, which reads its own hosted documents in-process', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/badges/verify', headers: { 'content-type': 'application/ld+json' }, payload: JSON.stringify(assertion) });
    expect(r.json()).toMatchObject({ verified: true, revoked: false });
    const png = await t.app.inject({ method: 'POST', url: '/badges/verify', headers: { 'content-type': 'image/png' }, payload: (await download(credA, 'ob2-png')).rawPayload });
    expect(png.json()).toMatchObject({ verified: true });
  });

  it('names the recipient by a salted hash of the learner’s URL identity, no e-mail or name', async () => {
    const passport = (await inject('GET', '/api/badges/passport', learner0)).json();
    expect(passport.ob2Recipient).toMatch(new RegExp(`^${base}/badges/ob2/recipients/[0-9a-f]{32}$`));
    expect(passport.ob2Recipient).not.toContain(passport.learnerId);
    const { recipient } = assertion;
    expect(recipient).toMatchObject({ type: 'url', hashed: true, salt: expect.any(String) });
    expect(recipient.identity).toBe(`sha256$${createHash('sha256').update(passport.ob2Recipient + recipient.salt, 'utf8').digest('hex')}`);
    // The same identity in all the learner's assertions; another learner's differs.
    const b = (assertionB = (await download(credB, 'ob2')).json());
    expect(b.recipient.identity).toBe(`sha256$${createHash('sha256').update(passport.ob2Recipient + b.recipient.salt, 'utf8').digest('hex')}`);
    const other = (await inject('GET', '/api/badges/passport', learner1)).json();
    expect(other.ob2Recipient).not.toBe(passport.ob2Recipient);
    expect(JSON.stringify(assertion)).not.toMatch(new RegExp(`青木|[\\w.-]+@[\\w-]+\\.|${passport.learnerId}`));
  });

  it('bakes the Assertion into a PNG (iTXt openbadges)', async () => {
    const png = await download(credA, 'ob2-png');
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(JSON.parse(extractPng(png.rawPayload)!)).toEqual(assertion);
    // OB 2.0's keyword, not OB 3.0's.
    expect(png.rawPayload.includes(Buffer.from('iTXtopenbadges\0', 'latin1'))).toBe(true);
    expect(png.rawPayload.includes(Buffer.from('openbadgecredential', 'latin1'))).toBe(false);
    expect((await download(credA, 'ob2-png', learner1)).statusCode).toBe(403);
  });

  it('shows a revoked assertion as revoked (410, revoked: true) and lists it with the reason', async () => {
    expect((await inject('POST', `/api/badges/credentials/${uuidOf(credB)}/revoke`, teacher, { reason: '誤って承認' })).statusCode).toBe(204);
    const b = (await fetch(`${base}/badges/ob2/assertions/${uuidOf(credB)}`));
    expect(b.status).toBe(410);
    const gone = await b.json();
    expect(gone).toEqual({ '@context': 'https://w3id.org/openbadges/v2', type: 'Assertion', id: `${base}/badges/ob2/assertions/${uuidOf(credB)}`, revoked: true, revocationReason: '誤って承認' });
    await expandSafe(gone);
    const issuer = await (await fetch((await (await fetch(assertion.badge)).json()).issuer)).json();
    const list = await (await fetch(issuer.revocationList)).json();
    expect(list.revokedAssertions).toEqual([{ id: gone.id, revocationReason: '誤って承認' }]);
    expect((await fetch(assertion.id)).status).toBe(200);
    expect((await download(credB, 'ob2')).statusCode).toBe(409);
    // The copy downloaded before revocation no longer matches the hosted one (which says revoked).
    expect((await t.app.inject({ method: 'POST', url: '/badges/verify', payload: assertionB })).json()).toMatchObject({ verified: false });
  });

  it('answers 404 for what does not exist', async () => {
    expect((await fetch(`${base}/badges/ob2/assertions/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    expect((await fetch(`${base}/badges/ob2/issuers/nope`)).status).toBe(404);
    expect((await fetch(`${base}/badges/ob2/issuers/nope/revocations`)).status).toBe(404);
    expect((await fetch(`${assertion.badge.replace(/[0-9a-f-]{36}$/, '00000000-0000-0000-0000-000000000000')}`)).status).toBe(404);
    expect((await fetch(`${base}/badges/ob2/assertions/not-a-uuid`)).status).toBe(400);
  });
});
