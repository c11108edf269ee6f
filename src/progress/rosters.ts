import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { RosterSource } from '../store/progress-tables.js';
import * as rosters from '../store/progress-rosters.js';
import * as accounts from '../store/auth.js';
import { resolveLearner } from '../lrs/index.js';
import { ShirubeError } from '../errors.js';

/** The xAPI actor of a roster learner: the school system's account (docs/rosters.md). */
export const rosterAccount = (publicUrl: string, schoolId: string | null, sourcedId: string) => ({
  objectType: 'Agent',
  account: { homePage: `${publicUrl}/roster/${encodeURIComponent(schoolId ?? 'none')}`, name: sourcedId },
});

/** The xAPI actors of the rostered students among these sourcedIds (OneRoster), by sourcedId. */
export async function rosterStudentAccounts(db: Db, publicUrl: string, sourcedIds: string[]): Promise<Map<string, Record<string, unknown>>> {
  const people = await rosters.getPeople(db, [...new Set(sourcedIds)]);
  return new Map(people.filter((p) => p.role === 'student' && p.learnerId).map((p) => [p.id, rosterAccount(publicUrl, p.schoolId, p.id)]));
}

const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
const notFound = (what: string, id: string, field: string) => new ShirubeError('not_found', `No ${what} ${id}`, field);

export interface PersonInput {
  id?: string | undefined;
  role: 'student' | 'teacher' | 'administrator';
  displayName: string;
  kana?: string | null | undefined;
  email?: string | null | undefined;
  username?: string | undefined;
  schoolId: string | null;
  source: RosterSource;
  /** A student's xAPI actor when not the roster account (an LTI platform's account of the user). */
  actor?: Record<string, unknown> | undefined;
  /** The sign-in account of a new person when it exists already (an LTI user's, after their roster entry was removed). */
  userId?: string | undefined;
}

/**
 * Creates or updates a roster person with its sign-in account (no password: school accounts sign in through OIDC)
 * and, for a student, the learner and its xAPI actor. Runs in the caller's transaction.
 */
export async function savePerson(db: Db, p: PersonInput, publicUrl: string): Promise<rosters.PersonRow> {
  const id = p.id ?? randomUUID();
  const existing = await rosters.getPerson(db, id);
  let userId = existing?.userId ?? p.userId ?? null;
  if (!userId) {
    const username = p.username ?? (USERNAME.test(id) ? id : `u-${randomUUID()}`);
    if (!USERNAME.test(username)) throw new ShirubeError('invalid_request', 'username: 1-64 letters, digits or . _ @ -', 'username');
    if (await accounts.findUserByUsername(db, username)) throw new ShirubeError('conflict', `username: ${username} is taken by another account`, 'username');
    userId = randomUUID();
    await accounts.insertUser(db, { id: userId, username, displayName: p.displayName, passwordHash: null, locale: 'ja' });
  }
  if (p.role === 'student') await accounts.grantRole(db, userId, { role: 'learner', scopeType: 'self', scopeId: '' });
  let learnerId = existing?.learnerId ?? null;
  if (p.role === 'student' && !learnerId) learnerId = await resolveLearner(db, p.actor ?? rosterAccount(publicUrl, p.schoolId, id));
  const row: rosters.PersonRow = {
    id,
    schoolId: p.schoolId,
    role: p.role,
    displayName: p.displayName,
    kana: p.kana ?? null,
    email: p.email ?? null,
    userId,
    learnerId,
    source: p.source,
  };
  await rosters.upsertPerson(db, row);
  return row;
}

/** The teacher role grants of an account follow its teacher enrolments. */
export async function syncTeacherRoles(db: Db, userId: string): Promise<void> {
  const people = await rosters.findPerson(db, { userId });
  const want = new Set((await Promise.all(people.map((p) => rosters.listEnrollments(db, { personId: p.id })))).flat().filter((e) => e.role === 'teacher').map((e) => e.classId));
  const have = (await accounts.userRoles(db, userId)).filter((r) => r.role === 'teacher' && r.scopeType === 'class');
  for (const r of have) if (!want.has(r.scopeId)) await accounts.revokeRole(db, userId, r);
  for (const c of want) await accounts.grantRole(db, userId, { role: 'teacher', scopeType: 'class', scopeId: c });
}

export async function enroll(db: Db, classId: string, personId: string, role: 'teacher' | 'student', source: RosterSource): Promise<void> {
  if (!(await rosters.getClass(db, classId))) throw notFound('class', classId, 'classId');
  const person = await rosters.getPerson(db, personId);
  if (!person) throw notFound('person', personId, 'personId');
  if (role === 'student' && !person.learnerId) throw new ShirubeError('invalid_request', `personId: ${personId} is not a student`, 'personId');
  await rosters.upsertEnrollment(db, { classId, personId, role, source });
  if (person.userId) await syncTeacherRoles(db, person.userId);
}

export async function unenroll(db: Db, classId: string, personId: string): Promise<void> {
  if (!(await rosters.deleteEnrollment(db, classId, personId))) throw notFound('enrolment of', `${personId} in ${classId}`, 'personId');
  const person = await rosters.getPerson(db, personId);
  if (person?.userId) await syncTeacherRoles(db, person.userId);
}

/** Deletes a class: its enrolments go, and the teachers' role grants on it. */
export async function removeClass(db: Db, classId: string): Promise<void> {
  const teachers = (await rosters.listEnrollments(db, { classId })).filter((e) => e.userId).map((e) => e.userId!);
  if (!(await rosters.deleteClass(db, classId))) throw notFound('class', classId, 'classId');
  for (const u of teachers) await syncTeacherRoles(db, u);
}

/** Deletes a person (the learner's records stay until erased); their enrolments go. */
export async function removePerson(db: Db, personId: string): Promise<void> {
  const p = await rosters.getPerson(db, personId);
  if (!p) throw notFound('person', personId, 'personId');
  await rosters.deletePerson(db, personId);
  if (p.userId) await syncTeacherRoles(db, p.userId);
}

export async function saveClass(db: Db, c: { id?: string | undefined; title: string; schoolId: string; grades?: string[] | undefined; framework?: string | null | undefined; source: RosterSource }): Promise<rosters.ClassRow> {
  if (!(await accounts.getOrganization(db, c.schoolId))) throw notFound('school', c.schoolId, 'schoolId');
  const id = c.id ?? randomUUID();
  const old = await rosters.getClass(db, id);
  const row: rosters.ClassRow = { id, title: c.title, schoolId: c.schoolId, grades: c.grades ?? old?.grades ?? [], framework: c.framework === undefined ? (old?.framework ?? null) : c.framework, source: c.source };
  await rosters.upsertClass(db, row);
  return row;
}

export async function removeSchool(db: Db, id: string): Promise<void> {
  if ((await rosters.countSchoolClasses(db, id)) > 0 || (await rosters.listPeople(db, id)).length > 0) {
    throw new ShirubeError('conflict', `School ${id} still has classes or people; remove them first`, 'id');
  }
  if (!(await rosters.deleteSchool(db, id))) throw notFound('school', id, 'id');
}
