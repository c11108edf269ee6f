import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildListening, session, sessionOf, type TestApp } from '../../helper.js';
import { ensureShippedFrameworks } from '../../../src/case/demo.js';
import { SCIENCE_2017_DOCUMENT, frameworkStructure } from '../../../src/progress/index.js';
import { answered, demoClass, post } from '../../progress/fixture.js';
import { independentVerify, ob3Schema } from '../../badges/independent.js';

/**
 * A 理科 badge end to end (docs/demo.md): 理科 drill statements through /xapi make a learner of 4年1組 a candidate
 * for the default achievement of a grade-4 理科 content item; the class's teacher approves; the credential is aligned
 * to the 理科 CFItem and verifies through POST /badges/verify and the independent @digitalbazaar verifier.
 */
let t: TestApp;
let base: string;
let d: Awaited<ReturnType<typeof demoClass>>;
let science: Awaited<ReturnType<typeof frameworkStructure>>;
let admin: Record<string, string>;
let teacher: Record<string, string>;
const schemaValid = ob3Schema('achievementcredential');

beforeAll(async () => {
  const listening = await buildListening({ SHIRUBE_SECRET_KEY: 'test-secret-key-of-at-least-32-characters' });
  [t, base] = [listening, listening.base];
  await ensureShippedFrameworks(t.store.db, () => {});
  d = await demoClass(t);
  science = await frameworkStructure(t.store.db, SCIENCE_2017_DOCUMENT);
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  teacher = await sessionOf(t, d.teacherUserId);
}, 120_000);
afterAll(() => t.close());

const inject = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

describe('a 理科 badge: statements → candidate → approval → credential that verifies', () => {
  it('creates the default 理科 achievements, one per content item, then proposes, issues and verifies one', async () => {
    const created = (await inject('POST', '/api/badges/achievements/defaults', admin, { framework: SCIENCE_2017_DOCUMENT })).json();
    expect(created).toEqual({ created: science.items.length });
    expect(science.items.length).toBeGreaterThan(60);
    // A grade-4 理科 content item, read from the framework.
    const item = science.items.find((i) => i.grade === '4' && i.domainCode === 'B')!;
    expect(item.code).toMatch(/^826/); // 理科 (subject digits 826)
    const me = d.agents[0]!;
    await post(t, d.writer, [1, 2].map((n) => answered(me, item.code, true, `2025-06-0${n}T04:00:00Z`)));
    expect((await inject('GET', '/api/badges/candidates', teacher)).json().candidates).toEqual([]);
    await post(t, d.writer, [3, 4].map((n) => answered(me, item.code, true, `2025-06-0${n}T04:00:00Z`)));
    const [c] = (await inject('GET', '/api/badges/candidates?classId=demo-4-1', teacher)).json().candidates;
    expect(c).toMatchObject({ status: 'pending', achievement: { humanCode: item.code, itemIds: [item.id] }, summary: { items: 1, answers: 4, correct: 4 } });

    const res = await inject('POST', '/api/badges/candidates/approve', teacher, { candidates: [{ achievementId: c.achievementId, learnerId: c.learnerId }] });
    expect(res.statusCode).toBe(201);
    const credential = res.json().credentials[0];
    expect(credential.credentialSubject.achievement.alignment).toEqual([
      { type: ['Alignment'], targetType: 'CFItem', targetName: item.fullStatement, targetCode: item.id, targetFramework: science.title, targetUrl: `${base}/uri/${item.id}` },
    ]);
    expect(science.title).toContain('理科');
    expect(schemaValid(credential), JSON.stringify(schemaValid.errors)).toBe(true);
    const api = await inject('POST', '/badges/verify', {}, credential);
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({ verified: true, revoked: false, credential: { achievement: { humanCode: item.code } } });
    const v = await independentVerify(base, credential, []);
    expect(v.error).toBeUndefined();
    expect(v).toMatchObject({ verified: true, revoked: false });
    const audit = await t.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'badge.approve').execute();
    expect(audit.map((a) => a.actor)).toEqual([`user:${d.teacherUserId}`]);
  });
});
