import type { Db } from '../store/db.js';
import * as rosters from '../store/progress-rosters.js';
import { ShirubeError } from '../errors.js';

/** Who is looking, as far as progress data is concerned (built by the HTTP layer from the principal). */
export interface Viewer {
  admin: boolean;
  userId: string | null;
  /** Classes the viewer teaches (teacher role grants). */
  teacherOf: string[];
}

/** The learner linked to a sign-in account, if any. */
export async function learnerOfUser(db: Db, userId: string): Promise<string | null> {
  return (await rosters.findPerson(db, { userId })).find((p) => p.learnerId)?.learnerId ?? null;
}

/** Admins see everyone; a learner themselves; a teacher the learners of their classes. Otherwise 403. */
export async function requireLearnerAccess(db: Db, v: Viewer, learnerId: string): Promise<void> {
  if (v.admin) return;
  if (v.userId && (await learnerOfUser(db, v.userId)) === learnerId) return;
  if (await rosters.learnerInClasses(db, learnerId, v.teacherOf)) return;
  throw new ShirubeError('forbidden', 'You may see only your own progress, or your classes’ learners', 'learnerId');
}

export function requireClassAccess(v: Viewer, classId: string): void {
  if (v.admin || v.teacherOf.includes(classId)) return;
  throw new ShirubeError('forbidden', 'You may see only the classes you teach', 'classId');
}

/** The progress part of "who am I": the learner of the account and the classes it teaches or attends. */
export async function myProgressContext(db: Db, v: Viewer) {
  const learnerId = v.userId ? await learnerOfUser(db, v.userId) : null;
  const people = v.userId ? await rosters.findPerson(db, { userId: v.userId }) : [];
  const enrolled = (await Promise.all(people.map((p) => rosters.listEnrollments(db, { personId: p.id })))).flat();
  const role = new Map<string, string>(enrolled.map((e) => [e.classId, e.role === 'student' ? 'learner' : 'teacher']));
  for (const c of v.teacherOf) role.set(c, 'teacher');
  const classes = v.admin ? await rosters.listClasses(db) : await rosters.listClasses(db, { ids: [...role.keys()] });
  return {
    learnerId,
    classes: classes.map((c) => ({ id: c.id, title: c.title, schoolId: c.schoolId, role: role.get(c.id) ?? 'admin', framework: c.framework })),
  };
}
