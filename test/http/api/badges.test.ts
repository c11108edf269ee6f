import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildListening, type TestApp } from '../../helper.js';
import { MATH_2017_DOCUMENT } from '../../../src/progress/index.js';
import { answered, classCallers, demoClass, post } from '../../progress/fixture.js';
import { extractPng } from '../../../src/badges/index.js';
import { independentVerify as verifyIndependently, ob3Schema } from '../../badges/independent.js';

const A = '8250213111100000'; // 1年 数の構成と表し方 (ア)
let t: TestApp;
let base: string;
let d: Awaited<ReturnType<typeof demoClass>>;
let admin: Record<string, string>;
let teacher: Record<string, string>;
let learner0: Record<string, string>;
let learner1: Record<string, string>;
let otherTeacher: Record<string, string>;
const idOf = (code: string) => d.structure.items.find((i) => i.code === code)!.id;
const fetched: string[] = [];
/** The independent verifier of test/badges/independent.ts, recording what it fetched from the server under test. */
const independentVerify = (credential: unknown) => verifyIndependently(base, credential, fetched);
const schemaValid = ob3Schema('achievementcredential');

beforeAll(async () => {
  const listening = await buildListening({ SHIRUBE_SECRET_KEY: 'test-secret-key-of-at-least-32-characters' });
  [t, base] = [listening, listening.base];
  d = await demoClass(t);
  ({ admin, otherTeacher, teacher, learner0, learner1 } = await classCallers(t, d));
}, 120_000);
afterAll(() => t.close());

const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

describe('statements → candidate → teacher approval → credential', () => {
  let credential: Record<string, any>;
  let learnerId: string;
  let bulkCredential: { credential: Record<string, any>; learnerId: string };

  it('creates default achievements for every content item (authors and admins only)', async () => {
    expect((await inject('POST', '/api/badges/achievements/defaults', teacher, { framework: MATH_2017_DOCUMENT })).statusCode).toBe(403);
    expect((await inject('POST', '/api/badges/achievements/defaults', {}, { framework: MATH_2017_DOCUMENT })).statusCode).toBe(401);
    const res = await inject('POST', '/api/badges/achievements/defaults', admin, { framework: MATH_2017_DOCUMENT });
    expect(res.json()).toEqual({ created: 217 });
    expect((await inject('POST', '/api/badges/achievements/defaults', admin, { framework: MATH_2017_DOCUMENT })).json()).toEqual({ created: 0 });
    const bad = await inject('POST', '/api/badges/achievements/defaults', admin, { framework: MATH_2017_DOCUMENT, extra: 1 });
    expect(bad.statusCode).toBe(400);
  });

  it('proposes a candidate once the learner masters the item through /xapi, and withholds it before', async () => {
    const me = d.agents[0]!;
    await post(t, d.writer, [answered(me, A, true, '2025-05-01T01:00:00Z'), answered(me, A, true, '2025-05-02T01:00:00Z')]);
    expect((await inject('GET', '/api/badges/candidates', teacher)).json().candidates).toEqual([]);
    await post(t, d.writer, [answered(me, A, true, '2025-05-03T01:00:00Z'), answered(me, A, true, '2025-05-04T01:00:00Z')]);
    const res = await inject('GET', '/api/badges/candidates', teacher);
    expect(res.statusCode).toBe(200);
    const [c] = res.json().candidates;
    expect(c).toMatchObject({ learnerName: '青木 あおい', status: 'pending', achievement: { humanCode: A, itemIds: [idOf(A)] }, summary: { items: 1, answers: 4, correct: 4 } });
    learnerId = c.learnerId;
    expect((await inject('GET', '/api/badges/candidates', otherTeacher)).json().candidates).toEqual([]);
    expect((await inject('GET', '/api/badges/candidates', learner0)).statusCode).toBe(403);
  });

  it('lets only a teacher of the learner’s class approve (not another class’s teacher, not the learner)', async () => {
    const key = { candidates: [{ achievementId: (await inject('GET', '/api/badges/candidates', teacher)).json().candidates[0].achievementId, learnerId }] };
    expect((await inject('POST', '/api/badges/candidates/approve', otherTeacher, key)).statusCode).toBe(403);
    expect((await inject('POST', '/api/badges/candidates/approve', learner0, key)).statusCode).toBe(403);
    expect((await inject('POST', '/api/badges/candidates/approve', {}, key)).statusCode).toBe(401);
    const bad = await inject('POST', '/api/badges/candidates/approve', teacher, { candidates: [{ achievementId: 'nope', learnerId }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toContain('candidates');
    const res = await inject('POST', '/api/badges/candidates/approve', teacher, key);
    expect(res.statusCode).toBe(201);
    credential = res.json().credentials[0];
    expect((await inject('POST', '/api/badges/candidates/approve', teacher, key)).statusCode).toBe(409);
    const audit = await t.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'badge.approve').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe(`user:${d.teacherUserId}`);
  });

  it('issues an OB 3.0 credential that an independent verifier accepts, valid against the 1EdTech schema, aligned to the CFItem', async () => {
    expect(credential['@context'].slice(0, 2)).toEqual(['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(credential.issuer.id).toBe(`did:web:127.0.0.1%3A${new URL(base).port}:issuers:demo-school`);
    expect(credential.proof[0]).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod' });
    const item = d.structure.items.find((i) => i.code === A)!;
    const achievement = credential.credentialSubject.achievement;
    expect(achievement.humanCode).toBe(A);
    expect(achievement.alignment).toEqual([
      { type: ['Alignment'], targetType: 'CFItem', targetName: item.fullStatement, targetCode: item.id, targetFramework: d.structure.title, targetUrl: `${base}/uri/${item.id}` },
    ]);
    // No name or e-mail: a salted hash of the learner id.
    const [identity] = credential.credentialSubject.identifier;
    expect(identity).toMatchObject({ type: 'IdentityObject', hashed: true, identityType: 'systemId' });
    const { createHash } = await import('node:crypto');
    expect(identity.identityHash).toBe(`sha256$${createHash('sha256').update(learnerId + identity.salt).digest('hex')}`);
    expect(JSON.stringify(credential)).not.toContain('青木');
    expect(credential.evidence[0].description).toContain('4 answer(s), 4 correct');
    expect(schemaValid(credential), JSON.stringify(schemaValid.errors)).toBe(true);
    fetched.length = 0;
    const v = await independentVerify(credential);
    expect(v.error).toBeUndefined();
    expect(v).toMatchObject({ verified: true, revoked: false });
    expect(fetched.some((u) => u.endsWith('/issuers/demo-school/did.json'))).toBe(true);
    expect(fetched.some((u) => u.includes('/badges/status/'))).toBe(true);
  });

  it('fails verification when any claim or the proof is changed', async () => {
    const tampered = structuredClone(credential);
    tampered.credentialSubject.achievement.alignment[0].targetCode = '00000000-0000-0000-0000-000000000000';
    expect((await independentVerify(tampered)).verified).toBe(false);
    const renamed = { ...structuredClone(credential), name: 'Something else' };
    expect((await independentVerify(renamed)).verified).toBe(false);
    const forged = structuredClone(credential);
    forged.proof[0].proofValue = forged.proof[0].proofValue.slice(0, -2) + (forged.proof[0].proofValue.endsWith('a') ? 'bb' : 'aa');
    expect((await independentVerify(forged)).verified).toBe(false);
    const api = await inject('POST', '/badges/verify', {}, renamed);
    expect(api.json()).toMatchObject({ verified: false });
    expect(api.json().checks.find((c: { check: string }) => c.check === 'proof').ok).toBe(false);
  });

  it('verifies through the public API with the aligned item', async () => {
    const res = await inject('POST', '/badges/verify', {}, credential);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ verified: true, revoked: false, credential: { achievement: { humanCode: A } } });
    expect(res.json().credential.achievement.alignment[0].targetUrl).toMatch(/\/uri\//);
  });

  it('shows a learner only their own badges', async () => {
    const mine = (await inject('GET', '/api/badges/passport', learner0)).json();
    expect(mine.credentials.map((c: { id: string }) => c.id)).toEqual([credential.id]);
    expect((await inject('GET', '/api/badges/passport', learner1)).json().credentials).toEqual([]);
    expect((await inject('GET', `/api/badges/passport?learner=${learnerId}`, learner1)).statusCode).toBe(403);
    const uuid = credential.id.slice('urn:uuid:'.length);
    expect((await inject('GET', `/api/badges/credentials/${uuid}/download`, learner1)).statusCode).toBe(403);
    const svg = await inject('GET', `/api/badges/credentials/${uuid}/download?format=svg`, learner0);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    const json = /<svg [^>]*xmlns:openbadges="https:\/\/purl.imsglobal.org\/ob\/v3p0"[^>]*><openbadges:credential><!\[CDATA\[([\s\S]*)\]\]><\/openbadges:credential>/.exec(svg.body)![1]!;
    expect(JSON.parse(json)).toEqual(credential);
    const png = await inject('GET', `/api/badges/credentials/${uuid}/download?format=png`, learner0);
    expect(png.headers['content-type']).toBe('image/png');
    expect(JSON.parse(extractPng(png.rawPayload)!)).toEqual(credential);
    const page = await inject('GET', `/badges/credentials/${uuid}`, {});
    // Japanese by default, English on ?lang=en: the verdict and each check by name.
    expect(page.body).toContain('<html lang="ja">');
    expect(page.body).toContain('検証済み');
    expect(page.body).toContain('署名: 確認済み');
    expect(page.body).toContain(`href="${base}/uri/${idOf(A)}"`);
    const en = await inject('GET', `/badges/credentials/${uuid}?lang=en`, {});
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Verified');
    expect(en.body).toContain('Signature: passed');
  });

  it('after revocation the status list says revoked', async () => {
    const uuid = credential.id.slice('urn:uuid:'.length);
    expect((await inject('POST', `/api/badges/credentials/${uuid}/revoke`, otherTeacher, { reason: 'x' })).statusCode).toBe(403);
    expect((await inject('POST', `/api/badges/credentials/${uuid}/revoke`, teacher, {})).statusCode).toBe(400);
    expect((await inject('POST', `/api/badges/credentials/${uuid}/revoke`, teacher, { reason: '誤って承認' })).statusCode).toBe(204);
    expect(await independentVerify(credential)).toMatchObject({ revoked: true });
    const api = (await inject('POST', '/badges/verify', {}, credential)).json();
    expect(api).toMatchObject({ verified: false, revoked: true });
  });

  it('approves in bulk and dismisses with a reason (never proposed again); both audited', async () => {
    const [a, b, c] = [d.agents[2]!, d.agents[3]!, d.agents[4]!];
    await post(t, d.writer, [a, b, c].flatMap((who) => [1, 2, 3].map((n) => answered(who, A, true, `2025-06-0${n}T01:00:00Z`))));
    const pending = (await inject('GET', '/api/badges/candidates?classId=demo-4-1', teacher)).json().candidates as Array<{ achievementId: string; learnerId: string }>;
    expect(pending).toHaveLength(3);
    const keys = pending.map(({ achievementId, learnerId }) => ({ achievementId, learnerId }));
    expect((await inject('POST', '/api/badges/candidates/dismiss', teacher, { candidates: [keys[2]] })).statusCode).toBe(400);
    expect((await inject('POST', '/api/badges/candidates/dismiss', otherTeacher, { candidates: [keys[2]], reason: 'x' })).statusCode).toBe(403);
    expect((await inject('POST', '/api/badges/candidates/dismiss', teacher, { candidates: [keys[2]], reason: '別の児童の回答が混入' })).json()).toEqual({ dismissed: 1 });
    const bulk = await inject('POST', '/api/badges/candidates/approve', teacher, { candidates: keys.slice(0, 2) });
    expect(bulk.statusCode).toBe(201);
    expect(bulk.json().credentials).toHaveLength(2);
    const issuedTo = (await inject('GET', '/api/badges/candidates?status=issued', teacher)).json().candidates.find((x: { credentialId: string }) => x.credentialId === bulk.json().credentials[0].id);
    bulkCredential = { credential: bulk.json().credentials[0], learnerId: issuedTo.learnerId };
    // More answers do not bring a dismissed candidate back.
    await post(t, d.writer, [answered(c, A, true, '2025-06-05T01:00:00Z')]);
    expect((await inject('GET', '/api/badges/candidates', teacher)).json().candidates).toEqual([]);
    const dismissed = (await inject('GET', '/api/badges/candidates?status=dismissed', teacher)).json().candidates;
    expect(dismissed).toMatchObject([{ learnerId: keys[2]!.learnerId, reason: '別の児童の回答が混入' }]);
    expect((await inject('GET', '/api/badges/candidates?classId=some-other-class', teacher)).statusCode).toBe(403);
    const actions = (await t.store.db.selectFrom('audit_log').select('action').where('action', 'like', 'badge.%').execute()).map((r) => r.action).sort();
    expect(actions).toEqual(['badge.approve', 'badge.approve', 'badge.approve', 'badge.dismiss', 'badge.revoke']);
  });

  it('bundles a learner’s valid badges into a CLR 2.0 credential that verifies on its own and keeps each badge verifiable', async () => {
    const { credential: c, learnerId: who } = bulkCredential;
    const res = await inject('GET', `/api/badges/passport/clr?learner=${who}`, teacher);
    expect(res.statusCode).toBe(200);
    const clr = JSON.parse(res.body);
    expect(clr.type).toEqual(['VerifiableCredential', 'ClrCredential']);
    expect(clr.credentialSubject.verifiableCredential).toEqual([c]);
    expect(await independentVerify(clr)).toMatchObject({ verified: true });
    expect(await independentVerify(clr.credentialSubject.verifiableCredential[0])).toMatchObject({ verified: true, revoked: false });
    expect((await inject('GET', `/api/badges/passport/clr?learner=${who}`, learner1)).statusCode).toBe(403);
  });

  it('export lists the learner’s badges; erasure revokes what was issued and removes the candidates', async () => {
    const { credential: c, learnerId: who } = bulkCredential;
    const exported = (await inject('GET', `/api/learners/${who}/export`, admin)).json();
    expect(exported.badges.credentials.map((x: { id: string }) => x.id)).toEqual([c.id]);
    expect((await independentVerify(c)).revoked).toBe(false);
    const erased = await t.app.inject({ method: 'DELETE', url: `/api/learners/${who}`, headers: admin });
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toMatchObject({ credentialsRevoked: 1, candidates: 1 });
    expect(await independentVerify(c)).toMatchObject({ revoked: true });
  });

  it('rotates an issuer key (admins only); credentials signed before still verify', async () => {
    expect((await inject('POST', '/api/badges/issuers/demo-school/rotate', teacher, {})).statusCode).toBe(403);
    const res = await inject('POST', '/api/badges/issuers/demo-school/rotate', admin, {});
    expect(res.statusCode).toBe(200);
    const doc = await (await fetch(`${base}/issuers/demo-school/did.json`)).json();
    expect(doc.assertionMethod).toHaveLength(2);
    expect(doc.assertionMethod).toContain(credential.proof[0].verificationMethod);
    expect(await independentVerify(credential)).toMatchObject({ verified: true });
    expect((await inject('POST', '/api/badges/issuers/nope/rotate', admin, {})).statusCode).toBe(404);
  });
});
