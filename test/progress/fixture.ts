import type { TestApp } from '../helper.js';
import { bearer, session, sessionOf } from '../helper.js';
import { ensureDemoFramework } from '../../src/case/demo.js';
import { MATH_2017_DOCUMENT, frameworkStructure, seedDemoRoster } from '../../src/progress/index.js';
import { COURSE_OF_STUDY_CODE } from '../../src/lrs/index.js';

/** The 算数 framework, the demo precedes set and the demo class (35 learners), without statements. */
export async function demoClass(t: TestApp) {
  await ensureDemoFramework(t.store.db, () => {});
  const roster = await seedDemoRoster(t.store.db, t.config.publicUrl);
  const structure = await frameworkStructure(t.store.db, MATH_2017_DOCUMENT);
  const writer = await bearer(t, ['xapi:statements/write']);
  return { ...roster, structure, writer };
}

/** An "answered" statement (Japan xAPI profile) on the item with this Course of Study Code. */
export const answered = (agent: Record<string, unknown>, code: string, correct: boolean | number, timestamp: string) => ({
  actor: agent,
  verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { 'en-US': 'answered' } },
  object: { id: `https://drill.example/q/${code}/${Math.random().toString(36).slice(2)}`, definition: { name: { 'ja-JP': '問題' }, extensions: { [COURSE_OF_STUDY_CODE]: [code] } } },
  result: typeof correct === 'number' ? { score: { scaled: correct } } : { success: correct },
  timestamp,
});

/** Four correct answers on four days: Mastered under the default rule (docs/progress-api.md). */
export const masteredAnswers = (agent: Record<string, unknown>, code: string) =>
  ['2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04'].map((day) => answered(agent, code, true, `${day}T01:00:00Z`));

export async function post(t: TestApp, writer: Record<string, string>, statements: unknown[]) {
  const res = await t.app.inject({ method: 'POST', url: '/xapi/statements', headers: { ...writer, 'x-experience-api-version': '1.0.3' }, payload: statements });
  if (res.statusCode !== 200) throw new Error(`POST /xapi/statements: ${res.statusCode} ${res.body}`);
}

/** Sessions of the demo class's callers: an administrator, its teacher, learners 0 and 1, and a teacher of another class. */
export async function classCallers(t: TestApp, d: Awaited<ReturnType<typeof demoClass>>) {
  return {
    admin: await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]),
    otherTeacher: await session(t, [{ role: 'teacher', scopeType: 'class', scopeId: 'some-other-class' }]),
    teacher: await sessionOf(t, d.teacherUserId),
    learner0: await sessionOf(t, d.learnerUserIds[0]!),
    learner1: await sessionOf(t, d.learnerUserIds[1]!),
  };
}
