import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, session, sessionOf, type TestApp } from '../../helper.js';
import { MATH_2017_DOCUMENT } from '../../../src/progress/index.js';
import { demoClass, masteredAnswers, post } from '../../progress/fixture.js';

/**
 * What the web UI asks of the badge routes beyond the end-to-end path (test/http/api/badges.test.ts): one learner's
 * candidates (the learning map), whether an issued badge was revoked (the dashboard), and who may read the
 * achievements (the editor).
 */
const A = '8250213111100000'; // 1年 数の構成と表し方 (ア)
const B = '8250213111200000'; // 1年 数の構成と表し方 (イ)
let t: TestApp;
let d: Awaited<ReturnType<typeof demoClass>>;
let admin: Record<string, string>;
let author: Record<string, string>;
let teacher: Record<string, string>;
let otherTeacher: Record<string, string>;
let learner0: Record<string, string>;
/** Learner ids of the first two demo learners. */
let ids: [string, string];

const inject = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: Record<string, unknown>) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  t = await build({ SHIRUBE_SECRET_KEY: 'test-secret-key-of-at-least-32-characters' });
  d = await demoClass(t);
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  author = await session(t, [{ role: 'author', scopeType: 'framework', scopeId: MATH_2017_DOCUMENT }]);
  otherTeacher = await session(t, [{ role: 'teacher', scopeType: 'class', scopeId: 'some-other-class' }]);
  teacher = await sessionOf(t, d.teacherUserId);
  learner0 = await sessionOf(t, d.learnerUserIds[0]!);
  expect((await inject('POST', '/api/badges/achievements/defaults', admin, { framework: MATH_2017_DOCUMENT })).json()).toEqual({ created: 217 });
  await post(t, d.writer, [...masteredAnswers(d.agents[0]!, A), ...masteredAnswers(d.agents[0]!, B), ...masteredAnswers(d.agents[1]!, A)]);
  const own = async (userId: string) => (await inject('GET', '/api/badges/passport', await sessionOf(t, userId))).json().learnerId as string;
  ids = [await own(d.learnerUserIds[0]!), await own(d.learnerUserIds[1]!)];
}, 120_000);
afterAll(() => t.close());

describe('GET /api/badges/candidates?learner=', () => {
  it('gives one learner’s candidates to a teacher of their class and to admins', async () => {
    expect((await inject('GET', '/api/badges/candidates', teacher)).json().candidates).toHaveLength(3);
    const mine = (await inject('GET', `/api/badges/candidates?learner=${ids[0]}`, teacher)).json().candidates;
    expect(mine.map((c: { achievement: { humanCode: string } }) => c.achievement.humanCode).sort()).toEqual([A, B]);
    expect(mine.every((c: { learnerId: string; learnerName: string }) => c.learnerId === ids[0] && c.learnerName === '青木 あおい')).toBe(true);
    expect((await inject('GET', `/api/badges/candidates?learner=${ids[1]}&classId=demo-4-1`, teacher)).json().candidates).toHaveLength(1);
    expect((await inject('GET', `/api/badges/candidates?learner=${ids[1]}`, admin)).json().candidates).toHaveLength(1);
  });

  it('refuses the learner to a teacher of another class, and refuses learners', async () => {
    const res = await inject('GET', `/api/badges/candidates?learner=${ids[0]}`, otherTeacher);
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'forbidden', field: 'learner' });
    expect((await inject('GET', `/api/badges/candidates?learner=${ids[0]}`, learner0)).statusCode).toBe(403);
    expect((await inject('GET', `/api/badges/candidates?learner=${ids[0]}`, {})).statusCode).toBe(401);
    expect((await inject('GET', '/api/badges/candidates?learner=', teacher)).statusCode).toBe(400);
  });

  it('says whether an issued candidate’s credential was revoked', async () => {
    const [c] = (await inject('GET', `/api/badges/candidates?learner=${ids[1]}`, teacher)).json().candidates;
    expect(c.revoked).toBeNull();
    const approved = await inject('POST', '/api/badges/candidates/approve', teacher, { candidates: [{ achievementId: c.achievementId, learnerId: ids[1] }] });
    expect(approved.statusCode).toBe(201);
    const issued = () => inject('GET', `/api/badges/candidates?learner=${ids[1]}&status=issued`, teacher).then((r) => r.json().candidates);
    const [before] = await issued();
    expect(before).toMatchObject({ status: 'issued', revoked: false, credentialId: expect.stringMatching(/^urn:uuid:/) });
    const uuid = before.credentialId.replace('urn:uuid:', '');
    expect((await inject('POST', `/api/badges/credentials/${uuid}/revoke`, teacher, { reason: '誤って承認したため' })).statusCode).toBe(204);
    expect((await issued())[0]).toMatchObject({ status: 'issued', revoked: true });
    expect((await inject('GET', `/api/badges/candidates?learner=${ids[0]}&status=issued`, teacher)).json().candidates).toEqual([]);
  });
});

describe('GET /api/badges/achievements', () => {
  const url = `/api/badges/achievements?framework=${MATH_2017_DOCUMENT}`;
  it('lists the framework’s achievements with canEdit for authors and admins, read-only for teachers', async () => {
    const a = (await inject('GET', url, author)).json();
    expect(a.canEdit).toBe(true);
    expect(a.achievements).toHaveLength(217);
    expect(a.achievements.find((x: { humanCode: string }) => x.humanCode === A)).toMatchObject({ rule: { kind: 'mastered' }, enabled: true });
    expect((await inject('GET', url, admin)).json().canEdit).toBe(true);
    const seen = (await inject('GET', url, teacher)).json();
    expect(seen.canEdit).toBe(false);
    expect(seen.achievements).toHaveLength(217);
  });

  it('refuses learners (403) and nobody (401); an unknown framework is 404', async () => {
    const res = await inject('GET', url, learner0);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
    expect((await inject('GET', url, {})).statusCode).toBe(401);
    expect((await inject('GET', '/api/badges/achievements?framework=nope', author)).statusCode).toBe(404);
  });
});
