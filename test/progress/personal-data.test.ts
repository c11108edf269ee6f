import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, bearer, type TestApp } from '../helper.js';
import { createSession } from '../../src/auth/index.js';
import { DEMO_CLASS, MATH_2017_DOCUMENT } from '../../src/progress/index.js';
import { findPerson } from '../../src/store/progress-rosters.js';
import { getUser } from '../../src/store/auth.js';
import { answered, demoClass, post } from './fixture.js';

let t: TestApp;
let d: Awaited<ReturnType<typeof demoClass>>;
let admin: Record<string, string>;
beforeAll(async () => {
  t = await build();
  d = await demoClass(t);
  admin = await bearer(t, ['case:admin']);
  await post(t, d.writer, [answered(d.agents[0]!, '8250213111100000', true, '2025-05-01T01:00:00Z'), answered(d.agents[0]!, '8250213111100000', false, '2025-05-02T01:00:00Z')]);
}, 60_000);
afterAll(() => t.close());

describe('per-learner export and erasure cover rosters, enrolments and proficiency', () => {
  it('exports the roster entry, the enrolment and the mastery history', async () => {
    const [person] = await findPerson(t.store.db, { userId: d.learnerUserIds[0]! });
    const r = (await t.app.inject({ url: `/api/learners/${person!.learnerId}/export`, headers: admin })).json();
    expect(r.progress.roster).toEqual([expect.objectContaining({ id: 'demo-learner-01', displayName: '青木 あおい', schoolId: 'demo-school' })]);
    expect(r.progress.enrollments).toEqual([{ classId: DEMO_CLASS, personId: 'demo-learner-01', role: 'student' }]);
    expect(r.progress.mastery.map((m: { day: string; attempts: number }) => [m.day, m.attempts])).toEqual([['2025-05-01', 1], ['2025-05-02', 2]]);
  });

  it('erases them in the same transaction as the statements, the account too', async () => {
    const [person] = await findPerson(t.store.db, { userId: d.learnerUserIds[0]! });
    const s = await createSession(t.store.db, d.learnerUserIds[0]!);
    const res = await t.app.inject({ method: 'DELETE', url: `/api/learners/${person!.learnerId}`, headers: admin });
    expect(res.json()).toEqual({ statements: 2, documents: 0, rosterEntries: 1, enrollments: 1, masteryRows: 2, accounts: 1, credentialsRevoked: 0, candidates: 0, authorizations: 0, externalCredentials: 0 });
    expect(await findPerson(t.store.db, { learnerId: person!.learnerId! })).toEqual([]);
    expect(await getUser(t.store.db, d.learnerUserIds[0]!)).toBeUndefined();
    expect((await t.app.inject({ url: '/api/me', headers: { cookie: `shirube_session=${s.token}` } })).statusCode).toBe(401);
    const teacher = await createSession(t.store.db, d.teacherUserId);
    const h = (await t.app.inject({ url: `/api/progress/classes/${DEMO_CLASS}/heatmap?framework=${MATH_2017_DOCUMENT}&grade=1`, headers: { cookie: `shirube_session=${teacher.token}` } })).json();
    expect(h.learners).toHaveLength(34);
  });
});
