import type { Db } from '../store/db.js';
import type { LearnerDataPart } from '../lrs/index.js';
import * as rosters from '../store/progress-rosters.js';
import { eraseMastery, learnerMasteryRows } from '../store/progress.js';
import { pdb } from '../store/progress-tables.js';

/**
 * The progress part of a learner's personal data: roster entries, enrolments, the sign-in account linked to them
 * and the proficiency history (mastery per day). Erasure removes all of it (the account too: a pupil's account
 * exists only for their learning records).
 */
export const progressPersonalData: LearnerDataPart = {
  name: 'progress',
  async export(db: Db, learnerId: string) {
    const { people, enrollments } = await rosters.learnerRoster(db, learnerId);
    const mastery = await learnerMasteryRows(db, learnerId);
    return {
      roster: people.map((p) => ({ id: p.id, schoolId: p.schoolId, role: p.role, displayName: p.displayName, kana: p.kana, email: p.email, userId: p.userId, source: p.source })),
      enrollments,
      mastery: mastery.map((m) => ({ itemId: m.itemId, day: m.day, probability: m.p, attempts: m.attempts, correct: m.correct, dayAttempts: m.dayAttempts, dayCorrect: m.dayCorrect, lastAt: m.lastAt.toISOString() })),
    };
  },
  async erase(trx: Db, learnerId: string) {
    const people = await rosters.findPerson(trx, { learnerId });
    const enrollments = (await Promise.all(people.map((p) => rosters.listEnrollments(trx, { personId: p.id })))).flat().length;
    const masteryRows = await eraseMastery(trx, learnerId);
    const rosterEntries = await rosters.eraseLearnerRoster(trx, learnerId);
    const userIds = people.map((p) => p.userId).filter((u): u is string => !!u);
    const accounts = userIds.length ? Number((await pdb(trx).deleteFrom('app_user').where('id', 'in', userIds).executeTakeFirst()).numDeletedRows) : 0;
    return { rosterEntries, enrollments, masteryRows, accounts };
  },
};
