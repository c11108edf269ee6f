import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { build, session, sessionOf, type TestApp } from '../../helper.js';
import { MATH_2017_DOCUMENT } from '../../../src/progress/index.js';
import { answered, demoClass, post } from '../../progress/fixture.js';

/**
 * What a badge candidate needs beyond its achievement's rule (docs/badges.md: criteria): by default the evidence on at
 * least two days, so a burst of right answers in one sitting is not a badge until the teachers choose so; and the
 * undo of an approval right after it. Both databases (SHIRUBE_TEST_DATABASE_URL).
 */
const A = '8250213111100000'; // 1年 数の構成と表し方 (ア)
const B = '8250213111200000'; // 1年 数の構成と表し方 (イ)
let t: TestApp;
let d: Awaited<ReturnType<typeof demoClass>>;
let teacher: Record<string, string>;
let learner0: Record<string, string>;
let otherTeacher: Record<string, string>;
let learners: string[];
const inject = (method: 'GET' | 'POST' | 'PUT', url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
const pending = async () =>
  (await inject('GET', '/api/badges/candidates', teacher)).json().candidates.map((c: { learnerId: string; achievement: { humanCode: string } }) => `${learners.indexOf(c.learnerId)} ${c.achievement.humanCode}`).sort();
const keyOf = async (n: number, code: string) => {
  const c = (await inject('GET', '/api/badges/candidates', teacher)).json().candidates.find((x: { learnerId: string; achievement: { humanCode: string } }) => x.learnerId === learners[n] && x.achievement.humanCode === code);
  return { achievementId: c.achievementId as string, learnerId: c.learnerId as string };
};
const audited = async (action: string) => (await t.store.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute()).length;

beforeAll(async () => {
  t = await build({ SHIRUBE_SECRET_KEY: 'test-secret-key-of-at-least-32-characters' });
  d = await demoClass(t);
  const admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  expect((await inject('POST', '/api/badges/achievements/defaults', admin, { framework: MATH_2017_DOCUMENT })).json()).toEqual({ created: 217 });
  teacher = await sessionOf(t, d.teacherUserId);
  learner0 = await sessionOf(t, d.learnerUserIds[0]!);
  otherTeacher = await session(t, [{ role: 'teacher', scopeType: 'class', scopeId: 'some-other-class' }]);
  learners = [];
  for (const id of d.learnerUserIds.slice(0, 3)) learners.push((await inject('GET', '/api/badges/passport', await sessionOf(t, id))).json().learnerId);
}, 120_000);
afterAll(() => t.close());

describe('evidence on at least two days (the default criteria)', () => {
  it('does not propose a burst of right answers in one sitting, and does once the evidence spans two days', async () => {
    expect((await inject('GET', `/api/badges/criteria?framework=${MATH_2017_DOCUMENT}`, teacher)).json()).toEqual({ framework: MATH_2017_DOCUMENT, minDays: 2, chosen: false });
    // Learner 0: four right answers within an hour (Mastered by the proficiency rule); learner 1: on four days.
    await post(t, d.writer, [1, 2, 3, 4].map((m) => answered(d.agents[0]!, A, true, `2025-05-01T01:0${m}:00Z`)));
    await post(t, d.writer, [1, 2, 3, 4].map((n) => answered(d.agents[1]!, A, true, `2025-05-0${n}T01:00:00Z`)));
    const map = (await inject('GET', `/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${learners[0]}`, teacher)).json();
    expect(map.nodes.find((n: { code: string }) => n.code === A).progress.state).toBe('mastered');
    expect(await pending()).toEqual([`1 ${A}`]);
    // One more right answer the next day: the window (the last 5 answers) spans two days.
    await post(t, d.writer, [answered(d.agents[0]!, A, true, '2025-05-02T01:00:00Z')]);
    expect(await pending()).toEqual([`0 ${A}`, `1 ${A}`]);
  });

  it('lets the teachers choose: one day is enough (proposed at once), or three days (withdrawn at once); audited', async () => {
    await post(t, d.writer, [1, 2, 3].map((m) => answered(d.agents[2]!, B, true, `2025-05-07T01:0${m}:00Z`)));
    expect(await pending()).toEqual([`0 ${A}`, `1 ${A}`]);
    const one = await inject('PUT', '/api/badges/criteria', teacher, { framework: MATH_2017_DOCUMENT, minDays: 1 });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ minDays: 1, chosen: true, withdrawn: 0, proposed: 1 });
    expect(await pending()).toEqual([`0 ${A}`, `1 ${A}`, `2 ${B}`]);
    // Three days: learner 0 (two days) and learner 2 (one) are withdrawn; learner 1 (four days) stays.
    const three = (await inject('PUT', '/api/badges/criteria', teacher, { framework: MATH_2017_DOCUMENT, minDays: 3 })).json();
    expect(three).toMatchObject({ minDays: 3, withdrawn: 2, proposed: 0 });
    expect(await pending()).toEqual([`1 ${A}`]);
    expect((await inject('GET', `/api/badges/criteria?framework=${MATH_2017_DOCUMENT}`, learner0)).statusCode).toBe(403);
    expect(await audited('badge.criteria.update')).toBe(2);
    const back = (await inject('PUT', '/api/badges/criteria', teacher, { framework: MATH_2017_DOCUMENT, minDays: 2 })).json();
    expect(back).toMatchObject({ minDays: 2, proposed: 1 });
    expect(await pending()).toEqual([`0 ${A}`, `1 ${A}`]);
  });

  it('is for teachers and admins; bad input is a 400 naming the field, and changes nothing', async () => {
    expect((await inject('PUT', '/api/badges/criteria', {}, { framework: MATH_2017_DOCUMENT, minDays: 1 })).statusCode).toBe(401);
    expect((await inject('PUT', '/api/badges/criteria', learner0, { framework: MATH_2017_DOCUMENT, minDays: 1 })).statusCode).toBe(403);
    for (const minDays of [0, 31, 1.5, 'two']) {
      const bad = await inject('PUT', '/api/badges/criteria', teacher, { framework: MATH_2017_DOCUMENT, minDays });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.field).toBe('minDays');
    }
    expect((await inject('PUT', '/api/badges/criteria', teacher, { framework: 'nope', minDays: 1 })).json().error).toMatchObject({ code: 'not_found', field: 'framework' });
    expect((await inject('GET', `/api/badges/criteria?framework=${MATH_2017_DOCUMENT}`, teacher)).json()).toMatchObject({ minDays: 2, chosen: true });
  });
});

describe('undoing an approval', () => {
  it('revokes the credential just issued and makes the candidate pending again; audited', async () => {
    const key = await keyOf(0, A);
    const approved = await inject('POST', '/api/badges/candidates/approve', teacher, { candidates: [key] });
    expect(approved.statusCode).toBe(201);
    const credentialId: string = approved.json().credentials[0].id;
    expect(await pending()).toEqual([`1 ${A}`]);
    // Nobody else's undo: another class's teacher, the learner, nobody signed in.
    expect((await inject('POST', '/api/badges/candidates/undo', otherTeacher, { candidates: [key] })).statusCode).toBe(403);
    expect((await inject('POST', '/api/badges/candidates/undo', learner0, { candidates: [key] })).statusCode).toBe(403);
    expect((await inject('POST', '/api/badges/candidates/undo', {}, { candidates: [key] })).statusCode).toBe(401);
    const undone = await inject('POST', '/api/badges/candidates/undo', teacher, { candidates: [key] });
    expect(undone.statusCode).toBe(200);
    expect(undone.json()).toEqual({ undone: 1 });
    expect(await pending()).toEqual([`0 ${A}`, `1 ${A}`]);
    const passport = (await inject('GET', '/api/badges/passport', learner0)).json();
    expect(passport.credentials.find((c: { id: string }) => c.id === credentialId)).toMatchObject({ revoked: true, revokedReason: expect.stringContaining('Approval undone') });
    expect(await audited('badge.approve.undo')).toBe(1);
    // Nothing issued any more: a second undo is a 409 naming the candidate.
    const again = await inject('POST', '/api/badges/candidates/undo', teacher, { candidates: [key] });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.field).toBe('candidates.0');
  });

  it('is refused once the window has passed (revoke instead), and all or nothing', async () => {
    const key0 = await keyOf(0, A);
    const key1 = await keyOf(1, A);
    const [c0, c1] = (await inject('POST', '/api/badges/candidates/approve', teacher, { candidates: [key0, key1] })).json().credentials;
    // Learner 1's badge was issued 16 minutes ago.
    await sql`update badge_credential set issued_at = now() - interval '16 minutes' where id = ${c1.id}`.execute(t.store.db);
    const late = await inject('POST', '/api/badges/candidates/undo', teacher, { candidates: [key0, key1] });
    expect(late.statusCode).toBe(409);
    expect(late.json().error).toMatchObject({ field: 'candidates.1', message: expect.stringContaining('revoke') });
    // Learner 0's undo was rolled back with it: still issued, still valid.
    const passport = (await inject('GET', '/api/badges/passport', learner0)).json();
    expect(passport.credentials.find((c: { id: string }) => c.id === c0.id).revoked).toBe(false);
    expect(await pending()).toEqual([]);
  });
});
