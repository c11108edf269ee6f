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
