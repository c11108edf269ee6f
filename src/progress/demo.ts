import type { Db } from '../store/db.js';
import * as rosters from '../store/progress-rosters.js';
import { enroll, rosterAccount, saveClass, savePerson } from './rosters.js';
import { getDocument } from '../store/case.js';
import { ensureDemoPrecedes, MATH_2017_DOCUMENT, SCIENCE_2017_DOCUMENT } from './demo-precedes.js';
import { frameworkStructure } from './framework.js';
import type { SimSubject, SimulationOptions } from './simulator.js';

export const DEMO_SCHOOL = 'demo-school';
export const DEMO_CLASS = 'demo-4-1';
export const DEMO_TEACHER = 'demo-teacher';
export const DEMO_LEARNERS = 35;
export const demoLearnerId = (n: number) => `demo-learner-${String(n).padStart(2, '0')}`;

const FAMILY = ['青木', '石田', '上野', '江口', '大西', '加藤', '木村', '工藤', '小林', '斎藤', '清水', '鈴木', '高橋', '田中', '千葉', '土屋', '中村', '西田', '野口', '長谷川', '林', '平野', '藤井', '本田', '松本', '三浦', '村上', '森', '山口', '山本', '吉田', '渡辺', '和田', '今井', '岡田'];
const GIVEN = ['あおい', 'はると', 'ゆい', 'そうた', 'めい', 'ゆうと', 'さくら', 'れん', 'ひなた', 'こはる', 'いつき', 'みお', 'かいと', 'りこ', 'はるき', 'ゆな', 'あおと', 'ことね', 'たいが', 'えま', 'りく', 'ひまり', 'しょう', 'あかり', 'けんと', 'つむぎ', 'そら', 'のあ', 'だいち', 'ゆずき', 'みなと', 'まお', 'りょう', 'あんな', 'こうき'];

/**
 * The demo school, class 4年1組 (算数 2017), its teacher and 35 learners, each learner with the school system's
 * xAPI account. Idempotent. Returns the learners' Agents.
 */
export async function seedDemoRoster(db: Db, publicUrl: string): Promise<{ agents: Record<string, unknown>[]; teacherUserId: string; learnerUserIds: string[] }> {
  await ensureDemoPrecedes(db, publicUrl);
  return db.transaction().execute(async (trx) => {
    await rosters.upsertSchool(trx, { id: DEMO_SCHOOL, name: 'しるべ市立しるべ小学校（デモ）', kind: 'school', parentId: null });
    await saveClass(trx, { id: DEMO_CLASS, title: '4年1組', schoolId: DEMO_SCHOOL, grades: ['P4'], framework: MATH_2017_DOCUMENT, source: 'manual' });
    const teacher = await savePerson(trx, { id: DEMO_TEACHER, role: 'teacher', displayName: '担任 しるべ先生', username: 'teacher', schoolId: DEMO_SCHOOL, source: 'manual' }, publicUrl);
    await enroll(trx, DEMO_CLASS, DEMO_TEACHER, 'teacher', 'manual');
    const agents: Record<string, unknown>[] = [];
    const learnerUserIds: string[] = [];
    for (let n = 1; n <= DEMO_LEARNERS; n++) {
      const id = demoLearnerId(n);
      const p = await savePerson(trx, { id, role: 'student', displayName: `${FAMILY[n - 1]} ${GIVEN[n - 1]}`, username: `learner${String(n).padStart(2, '0')}`, schoolId: DEMO_SCHOOL, source: 'manual' }, publicUrl);
      await enroll(trx, DEMO_CLASS, id, 'student', 'manual');
      agents.push(rosterAccount(publicUrl, DEMO_SCHOOL, id));
      learnerUserIds.push(p.userId!);
    }
    return { agents, teacherUserId: teacher.userId!, learnerUserIds };
  });
}

/** Has the demo class been seeded already? */
export const hasDemoClass = async (db: Db) => !!(await rosters.getClass(db, DEMO_CLASS));

/**
 * What the demo class studies in the simulated year: 算数 (its default framework, 10:00 JST) and, when the shipped
 * 理科 2017 is loaded, 理科 (13:00 JST), each taught in Course of Study order with an April readiness check on the
 * previous grade (docs/demo.md).
 */
export async function demoSubjects(db: Db, options: SimulationOptions): Promise<SimSubject[]> {
  const subjects: SimSubject[] = [{ structure: await frameworkStructure(db, MATH_2017_DOCUMENT), options }];
  if (await getDocument(db, SCIENCE_2017_DOCUMENT)) {
    subjects.push({ structure: await frameworkStructure(db, SCIENCE_2017_DOCUMENT), options: { ...options, subject: 'science', hour: 4 } });
  }
  return subjects;
}
