import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { buildListening, session, sessionOf, type TestApp } from '../../helper.js';
import { MATH_2017_DOCUMENT } from '../../../src/progress/index.js';
import { approveCandidates } from '../../../src/badges/index.js';
import { badgeContext } from '../../../src/http/ob/context.js';
import { answered, demoClass, masteredAnswers, post } from '../../progress/fixture.js';
import { independentVerify, ob3Schema } from '../../badges/independent.js';

/**
 * Group achievements (several content items, or a textbook unit) and expiry (validForDays → validUntil), through the
 * HTTP API on a listening server (docs/badges.md "Achievements", "The credential").
 */
const A = '8250213111100000'; // 1年 数の構成と表し方 (ア)
const B = '8250213111200000'; // 1年 数の構成と表し方 (イ)
const C = '8250213111300000'; // 1年 数の構成と表し方 (ウ)
const DAY = 86_400_000;
let t: TestApp;
let base: string;
let d: Awaited<ReturnType<typeof demoClass>>;
let admin: Record<string, string>;
let author: Record<string, string>;
let teacher: Record<string, string>;
let learner0: Record<string, string>;
const idOf = (code: string) => d.structure.items.find((i) => i.code === code)!.id;
const schemaValid = ob3Schema('achievementcredential');
const inject = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
const create = (who: Record<string, string>, body: Record<string, unknown>) => inject('POST', '/api/badges/achievements', who, { framework: MATH_2017_DOCUMENT, rule: { kind: 'mastered' }, ...body });
type Candidate = { achievementId: string; learnerId: string; status: string; summary: Record<string, unknown> };
const pendingOf = async (achievementId: string) => ((await inject('GET', '/api/badges/candidates', teacher)).json().candidates as Candidate[]).filter((c) => c.achievementId === achievementId);
const achievementCount = async () => (await inject('GET', `/api/badges/achievements?framework=${MATH_2017_DOCUMENT}`, admin)).json().achievements.length as number;
const approve = async (c: Candidate) => {
  const res = await inject('POST', '/api/badges/candidates/approve', teacher, { candidates: [{ achievementId: c.achievementId, learnerId: c.learnerId }] });
  expect(res.statusCode).toBe(201);
  return res.json().credentials[0] as Record<string, any>;
};

beforeAll(async () => {
  const listening = await buildListening({ SHIRUBE_SECRET_KEY: 'test-secret-key-of-at-least-32-characters' });
  [t, base] = [listening, listening.base];
  d = await demoClass(t);
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  author = await session(t, [{ role: 'author', scopeType: 'framework', scopeId: MATH_2017_DOCUMENT }]);
  teacher = await sessionOf(t, d.teacherUserId);
  learner0 = await sessionOf(t, d.learnerUserIds[0]!);
}, 120_000);
afterAll(() => t.close());

describe('a group achievement over two items', () => {
  let group: Record<string, any>;
  let credential: Record<string, any>;

  it('is created by an author from an explicit list of the framework’s content items, aligned to each', async () => {
    const res = await create(author, { itemIds: [idOf(B), idOf(A)], name: '1年 数の構成（ア）（イ）' });
    expect(res.statusCode).toBe(201);
    group = res.json();
    // Course of Study order, whatever order they were sent in.
    expect(group).toMatchObject({ itemIds: [idOf(A), idOf(B)], humanCode: `${A} + ${B}`, unit: null, validForDays: null, enabled: true });
    expect(group.criteriaNarrative).toContain('2 件のそれぞれで');
    expect(group.alignment.map((a: { targetCode: string }) => a.targetCode)).toEqual([idOf(A), idOf(B)]);
    const again = await create(author, { itemIds: [idOf(A), idOf(B)], name: 'again' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.field).toBe('itemIds');
  });

  it('proposes a learner only once the last of its items is mastered, and withdraws them when one stops', async () => {
    const [me, other] = [d.agents[0]!, d.agents[1]!];
    await post(t, d.writer, masteredAnswers(me, A));
    expect(await pendingOf(group.id)).toEqual([]);
    await post(t, d.writer, masteredAnswers(me, B));
    const [c] = await pendingOf(group.id);
    expect(c).toMatchObject({ status: 'pending', summary: { items: 2, answers: 8, correct: 8 } });

    await post(t, d.writer, [...masteredAnswers(other, A), ...masteredAnswers(other, B)]);
    expect(await pendingOf(group.id)).toHaveLength(2);
    // Newer wrong answers on A: A is no longer mastered, so the group's rule no longer holds.
    await post(t, d.writer, ['2025-05-10', '2025-05-11', '2025-05-12', '2025-05-13'].map((day) => answered(other, A, false, `${day}T01:00:00Z`)));
    expect((await pendingOf(group.id)).map((x) => x.learnerId)).toEqual([c!.learnerId]);
  });

  it('issues a credential with one CASE alignment per item, valid against the OB 3.0 schema, verified independently', async () => {
    const [c] = await pendingOf(group.id);
    credential = await approve(c!);
    const achievement = credential.credentialSubject.achievement;
    expect(achievement.humanCode).toBe(`${A} + ${B}`);
    expect(achievement.alignment).toHaveLength(2);
    for (const [i, code] of [A, B].entries()) {
      const item = d.structure.items.find((x) => x.code === code)!;
      expect(achievement.alignment[i]).toEqual({
        type: ['Alignment'],
        targetType: 'CFItem',
        targetName: item.fullStatement,
        targetCode: item.id,
        targetFramework: d.structure.title,
        targetUrl: expect.stringMatching(new RegExp(`/uri/${item.id}$`)),
      });
    }
    expect(credential.validUntil).toBeUndefined();
    expect(schemaValid(credential), JSON.stringify(schemaValid.errors)).toBe(true);
    expect(await independentVerify(base, credential)).toMatchObject({ verified: true, revoked: false });
    expect((await inject('POST', '/badges/verify', {}, credential)).json()).toMatchObject({ verified: true });
  });

  it('cannot be deleted once issued (409), but one never issued can (204), its candidates with it', async () => {
    const res = await inject('DELETE', `/api/badges/achievements/${group.id}`, author);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/disable it instead/);
    const spare = (await create(author, { itemIds: [idOf(A), idOf(B), idOf(C)], name: 'spare' })).json();
    expect((await inject('DELETE', `/api/badges/achievements/${spare.id}`, teacher)).statusCode).toBe(403);
    expect((await inject('DELETE', `/api/badges/achievements/${spare.id}`, author)).statusCode).toBe(204);
    expect((await inject('DELETE', `/api/badges/achievements/${spare.id}`, author)).statusCode).toBe(404);
  });
});

describe('a unit achievement', () => {
  let scheme: { identifier: string };

  it('lists the framework’s own units and each publisher’s scheme with their items (authors, admins)', async () => {
    const csv = `unit,title,grade,order,items,after\nU1,かずとすうじ,1,1,${A} ${B},\nU2,なんばんめ,1,2,${C},U1\n`;
    const res = await t.app.inject({ method: 'POST', url: `/api/progress/units?framework=${MATH_2017_DOCUMENT}&title=${encodeURIComponent('しるべ出版 さんすう1')}`, headers: { ...teacher, 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode).toBe(201);
    scheme = res.json();
    const choices = (await inject('GET', `/api/badges/achievements/group-choices?framework=${MATH_2017_DOCUMENT}`, author)).json();
    expect(choices.items).toHaveLength(217);
    const own = choices.units.find((u: { document: string; itemIds: string[] }) => u.document === MATH_2017_DOCUMENT && u.itemIds.includes(idOf(A)));
    expect(own).toMatchObject({ documentTitle: d.structure.title, label: expect.stringContaining('数の構成と表し方') });
    expect(choices.units.filter((u: { document: string }) => u.document === scheme.identifier).map((u: { code: string; itemIds: string[] }) => [u.code, u.itemIds])).toEqual([
      ['U1', [idOf(A), idOf(B)]],
      ['U2', [idOf(C)]],
    ]);
    expect((await inject('GET', `/api/badges/achievements/group-choices?framework=${MATH_2017_DOCUMENT}`, teacher)).statusCode).toBe(403);
  });

  it('expands a publisher’s unit to its items, aligns to the unit too, and proposes learners who already meet it', async () => {
    const u1 = (await inject('GET', `/api/badges/achievements/group-choices?framework=${MATH_2017_DOCUMENT}`, author)).json().units.find((u: { code: string }) => u.code === 'U1');
    const res = await create(admin, { unit: { document: scheme.identifier, id: u1.id }, name: '単元「かずとすうじ」', validForDays: 30 });
    expect(res.statusCode).toBe(201);
    const a = res.json();
    expect(a).toMatchObject({ itemIds: [idOf(A), idOf(B)], humanCode: 'U1', unit: { document: scheme.identifier, id: u1.id }, validForDays: 30 });
    expect(a.alignment).toHaveLength(3);
    expect(a.alignment[2]).toEqual({ type: ['Alignment'], targetType: 'CFItem', targetName: 'かずとすうじ', targetCode: u1.id, targetFramework: 'しるべ出版 さんすう1', targetUrl: `${base}/uri/${u1.id}` });
    expect((await create(admin, { unit: { document: scheme.identifier, id: u1.id }, name: 'again' })).statusCode).toBe(409);
    // learner0 mastered A and B before the achievement existed: a candidate at once.
    const [c] = await pendingOf(a.id);
    expect(c).toMatchObject({ status: 'pending', summary: { items: 2 } });

    // validForDays: validUntil = validFrom + 30 days, and the VC-JWT's exp follows.
    const credential = await approve(c!);
    expect(Date.parse(credential.validUntil) - Date.parse(credential.validFrom)).toBe(30 * DAY);
    expect(schemaValid(credential), JSON.stringify(schemaValid.errors)).toBe(true);
    expect(await independentVerify(base, credential)).toMatchObject({ verified: true });
    const jwt = (await inject('GET', `/api/badges/credentials/${credential.id.slice('urn:uuid:'.length)}/download?format=jwt`, learner0)).body;
    expect(decodeJwt(jwt)).toMatchObject({ nbf: Date.parse(credential.validFrom) / 1000, exp: Date.parse(credential.validUntil) / 1000 });
  });

  it('expands the framework’s own unit (a category) to all its content items', async () => {
    const own = (await inject('GET', `/api/badges/achievements/group-choices?framework=${MATH_2017_DOCUMENT}`, author)).json().units.find((u: { document: string; itemIds: string[] }) => u.document === MATH_2017_DOCUMENT && u.itemIds.includes(idOf(A)));
    const a = (await create(author, { unit: { document: MATH_2017_DOCUMENT, id: own.id }, name: '1年 数の構成と表し方' })).json();
    expect(a.itemIds).toEqual(own.itemIds);
    expect(a.alignment).toHaveLength(own.itemIds.length + 1);
    expect(a.humanCode).toBe(own.code);
    expect(a.alignment.at(-1)).toMatchObject({ targetCode: own.id, targetFramework: d.structure.title });
  });
});

describe('bad input and roles', () => {
  it('answers 400 naming the field, writing nothing', async () => {
    const before = await achievementCount();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ itemIds: [idOf(A), 'not-an-item'], name: 'x' }, 'itemIds[1]'],
      [{ itemIds: [idOf(A), idOf(B), idOf(A)], name: 'x' }, 'itemIds[2]'],
      [{ itemIds: [idOf(A)], name: 'x' }, 'itemIds'],
      [{ name: 'x' }, 'itemIds'],
      [{ itemIds: [idOf(A), idOf(C)], unit: { document: MATH_2017_DOCUMENT, id: 'x' }, name: 'x' }, 'itemIds'],
      [{ unit: { document: 'no-such-document', id: 'x' }, name: 'x' }, 'unit.document'],
      [{ unit: { document: MATH_2017_DOCUMENT, id: idOf(A) }, name: 'x' }, 'unit.id'],
      [{ itemIds: [idOf(A), idOf(C)], name: 'x', rule: { kind: 'often' } }, 'rule'],
      [{ itemIds: [idOf(A), idOf(C)], name: 'x', rule: { kind: 'correctRate', minCorrectRate: 2, minAnswers: 10, days: 60 } }, 'rule.minCorrectRate'],
      [{ itemIds: [idOf(A), idOf(C)], name: 'x', validForDays: 0 }, 'validForDays'],
      [{ itemIds: [idOf(A), idOf(C)], name: 'x', validForDays: 3651 }, 'validForDays'],
      [{ itemIds: [idOf(A), idOf(C)], name: '' }, 'name'],
      [{ itemIds: [idOf(A), idOf(C)], name: 'x', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await create(author, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error, JSON.stringify(body)).toMatchObject({ code: 'invalid_request', field });
    }
    expect(await achievementCount()).toBe(before);
  });

  it('lets only the framework’s authors and admins create (403 teachers and learners, 401 nobody)', async () => {
    const body = { itemIds: [idOf(A), idOf(C)], name: 'x' };
    expect((await create(teacher, body)).statusCode).toBe(403);
    expect((await create(learner0, body)).statusCode).toBe(403);
    expect((await create({}, body)).statusCode).toBe(401);
    const other = await session(t, [{ role: 'author', scopeType: 'framework', scopeId: 'another-framework' }]);
    expect((await create(other, body)).statusCode).toBe(403);
  });
});

describe('expiry', () => {
  let expired: Record<string, any>;
  let achievementId: string;

  it('PATCH sets validForDays (1..3650 or null), naming the field when wrong', async () => {
    const me = d.agents[0]!;
    await post(t, d.writer, masteredAnswers(me, C));
    const a = (await create(author, { itemIds: [idOf(A), idOf(C)], name: '（ア）（ウ）' })).json();
    achievementId = a.id;
    const bad = await inject('PATCH', `/api/badges/achievements/${a.id}`, author, { validForDays: 1.5 });
    expect(bad.json().error).toMatchObject({ code: 'invalid_request', field: 'validForDays' });
    expect((await inject('PATCH', `/api/badges/achievements/${a.id}`, author, { validForDays: 1 })).json()).toMatchObject({ validForDays: 1 });
    expect((await inject('PATCH', `/api/badges/achievements/${a.id}`, teacher, { validForDays: null })).statusCode).toBe(403);
  });

  it('a credential issued (by the real issuing code) three days ago for one day is expired: the dates check says so', async () => {
    const [c] = await pendingOf(achievementId);
    expect(c).toBeDefined();
    const issuedAt = new Date(Date.now() - 3 * DAY);
    expired = (await approveCandidates(badgeContext(t.app), { actor: 'test', admin: true, teacherOf: [] }, [{ achievementId, learnerId: c!.learnerId }], issuedAt))[0]!;
    expect(Date.parse(expired.validUntil) - Date.parse(expired.validFrom)).toBe(DAY);
    expect(Date.parse(expired.validUntil)).toBeLessThan(Date.now());
    expect(schemaValid(expired), JSON.stringify(schemaValid.errors)).toBe(true);
    const verdict = (await inject('POST', '/badges/verify', {}, expired)).json();
    expect(verdict.verified).toBe(false);
    expect(verdict.checks.find((x: { check: string }) => x.check === 'dates')).toEqual({ check: 'dates', ok: false, message: `Expired (validUntil ${expired.validUntil})` });
    expect(verdict.checks.find((x: { check: string }) => x.check === 'proof')).toMatchObject({ ok: true });
    const independent = await independentVerify(base, expired);
    expect(independent.verified).toBe(false);
    expect((independent.error as Error).message).toMatch(/after "validUntil"/);
  });

  it('the passport says expired, with the date; the CLR bundles only valid, unexpired badges', async () => {
    const passport = (await inject('GET', '/api/badges/passport', learner0)).json();
    const mine = passport.credentials.find((x: { id: string }) => x.id === expired.id);
    expect(mine).toMatchObject({ expired: true, revoked: false, validUntil: new Date(expired.validUntil).toISOString() });
    const valid = passport.credentials.filter((x: { expired: boolean }) => !x.expired);
    expect(valid.length).toBeGreaterThan(0);
    const clr = (await inject('GET', '/api/badges/passport/clr', learner0)).json();
    const bundled = clr.credentialSubject.verifiableCredential.map((x: { id: string }) => x.id);
    expect(bundled).not.toContain(expired.id);
    expect(bundled.sort()).toEqual(valid.map((x: { id: string }) => x.id).sort());
  });

  it('a learner who still meets the rule after expiry is a renewal candidate when the teacher lists candidates', async () => {
    const [c] = await pendingOf(achievementId);
    expect(c).toMatchObject({ status: 'pending', summary: { renewalOf: expired.id } });
    const renewed = await approve(c!);
    expect(Date.parse(renewed.validUntil)).toBeGreaterThan(Date.now());
    // The expired one stays in the passport, as expired.
    const passport = (await inject('GET', '/api/badges/passport', learner0)).json();
    expect(passport.credentials.filter((x: { achievementId: string }) => x.achievementId === achievementId).map((x: { expired: boolean }) => x.expired)).toEqual([true, false]);
  });
});
