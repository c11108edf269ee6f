import type { Db } from './db.js';
import { pdb, type RosterSource } from './progress-tables.js';

export interface ClassRow {
  id: string;
  schoolId: string;
  title: string;
  grades: string[];
  framework: string | null;
  source: RosterSource;
}

export interface PersonRow {
  id: string;
  schoolId: string | null;
  role: 'student' | 'teacher' | 'administrator';
  displayName: string;
  kana: string | null;
  email: string | null;
  userId: string | null;
  learnerId: string | null;
  source: RosterSource;
}

const toClass = (r: any): ClassRow => ({ id: r.id, schoolId: r.school_id, title: r.title, grades: r.grades ?? [], framework: r.framework_identifier, source: r.source });
const toPerson = (r: any): PersonRow => ({
  id: r.id,
  schoolId: r.school_id,
  role: r.role,
  displayName: r.display_name,
  kana: r.kana,
  email: r.email,
  userId: r.user_id,
  learnerId: r.learner_id,
  source: r.source,
});

export async function getClass(db: Db, id: string): Promise<ClassRow | undefined> {
  const r = await pdb(db).selectFrom('roster_class').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toClass(r);
}

export async function listClasses(db: Db, o: { schoolId?: string | undefined; ids?: string[] } = {}): Promise<Array<ClassRow & { teachers: number; learners: number }>> {
  if (o.ids && !o.ids.length) return [];
  let q = pdb(db)
    .selectFrom('roster_class as c')
    .selectAll('c')
    .select((eb) => [
      eb.selectFrom('enrollment as e').whereRef('e.class_id', '=', 'c.id').where('e.role', '=', 'teacher').select(eb.fn.countAll<number>().as('n')).as('teachers'),
      eb.selectFrom('enrollment as e').whereRef('e.class_id', '=', 'c.id').where('e.role', '=', 'student').select(eb.fn.countAll<number>().as('n')).as('learners'),
    ]);
  if (o.schoolId) q = q.where('c.school_id', '=', o.schoolId);
  if (o.ids) q = q.where('c.id', 'in', o.ids);
  const rows = await q.orderBy('c.school_id').orderBy('c.title').execute();
  return rows.map((r) => ({ ...toClass(r), teachers: Number(r.teachers ?? 0), learners: Number(r.learners ?? 0) }));
}

export async function upsertClass(db: Db, c: ClassRow): Promise<void> {
  const v = { id: c.id, school_id: c.schoolId, title: c.title, grades: c.grades, framework_identifier: c.framework, source: c.source, updated_at: new Date() };
  const { id: _id, ...update } = v;
  await pdb(db).insertInto('roster_class').values(v).onConflict((x) => x.column('id').doUpdateSet(update)).execute();
}

export async function deleteClass(db: Db, id: string): Promise<boolean> {
  const r = await pdb(db).deleteFrom('roster_class').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function countSchoolClasses(db: Db, schoolId: string): Promise<number> {
  const r = await pdb(db).selectFrom('roster_class').select((eb) => eb.fn.countAll<number>().as('n')).where('school_id', '=', schoolId).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function getPerson(db: Db, id: string): Promise<PersonRow | undefined> {
  const r = await pdb(db).selectFrom('roster_person').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toPerson(r);
}

export async function getPeople(db: Db, ids: string[]): Promise<PersonRow[]> {
  if (!ids.length) return [];
  return (await pdb(db).selectFrom('roster_person').selectAll().where('id', 'in', ids).orderBy('id').execute()).map(toPerson);
}

export async function findPerson(db: Db, by: { userId?: string; learnerId?: string; email?: string }): Promise<PersonRow[]> {
  let q = pdb(db).selectFrom('roster_person').selectAll();
  if (by.userId !== undefined) q = q.where('user_id', '=', by.userId);
  if (by.learnerId !== undefined) q = q.where('learner_id', '=', by.learnerId);
  if (by.email !== undefined) q = q.where('email', '=', by.email.toLowerCase());
  return (await q.orderBy('id').execute()).map(toPerson);
}

export async function listPeople(db: Db, schoolId?: string): Promise<PersonRow[]> {
  let q = pdb(db).selectFrom('roster_person').selectAll();
  if (schoolId) q = q.where('school_id', '=', schoolId);
  return (await q.orderBy('role').orderBy('kana').orderBy('display_name').execute()).map(toPerson);
}

export async function upsertPerson(db: Db, p: PersonRow): Promise<void> {
  const v = {
    id: p.id,
    school_id: p.schoolId,
    role: p.role,
    display_name: p.displayName,
    kana: p.kana,
    email: p.email?.toLowerCase() ?? null,
    user_id: p.userId,
    learner_id: p.learnerId,
    source: p.source,
    updated_at: new Date(),
  };
  const { id: _id, ...update } = v;
  await pdb(db).insertInto('roster_person').values(v).onConflict((x) => x.column('id').doUpdateSet(update)).execute();
}

export async function deletePerson(db: Db, id: string): Promise<boolean> {
  const r = await pdb(db).deleteFrom('roster_person').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export interface EnrollmentRow {
  classId: string;
  personId: string;
  role: 'teacher' | 'student';
  displayName: string;
  kana: string | null;
  learnerId: string | null;
  userId: string | null;
}

export async function listEnrollments(db: Db, o: { classId?: string; personId?: string }): Promise<EnrollmentRow[]> {
  let q = pdb(db)
    .selectFrom('enrollment as e')
    .innerJoin('roster_person as p', 'p.id', 'e.person_id')
    .select(['e.class_id', 'e.person_id', 'e.role', 'p.display_name', 'p.kana', 'p.learner_id', 'p.user_id']);
  if (o.classId !== undefined) q = q.where('e.class_id', '=', o.classId);
  if (o.personId !== undefined) q = q.where('e.person_id', '=', o.personId);
  const rows = await q.orderBy('e.role').orderBy('p.kana').orderBy('p.display_name').orderBy('e.person_id').execute();
  return rows.map((r) => ({ classId: r.class_id, personId: r.person_id, role: r.role, displayName: r.display_name, kana: r.kana, learnerId: r.learner_id, userId: r.user_id }));
}

export async function upsertEnrollment(db: Db, e: { classId: string; personId: string; role: 'teacher' | 'student'; source: RosterSource }): Promise<void> {
  await pdb(db)
    .insertInto('enrollment')
    .values({ class_id: e.classId, person_id: e.personId, role: e.role, source: e.source })
    .onConflict((x) => x.columns(['class_id', 'person_id']).doUpdateSet({ role: e.role, source: e.source }))
    .execute();
}

/** Where each enrolment of a class came from (manual, oneroster, lti). */
export async function enrollmentSources(db: Db, classId: string): Promise<Map<string, RosterSource>> {
  const rows = await pdb(db).selectFrom('enrollment').select(['person_id', 'source']).where('class_id', '=', classId).execute();
  return new Map(rows.map((r) => [r.person_id, r.source]));
}

export async function deleteEnrollment(db: Db, classId: string, personId: string): Promise<boolean> {
  const r = await pdb(db).deleteFrom('enrollment').where('class_id', '=', classId).where('person_id', '=', personId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Is the learner enrolled (as a student) in one of these classes? */
export async function learnerInClasses(db: Db, learnerId: string, classIds: string[]): Promise<boolean> {
  if (!classIds.length) return false;
  const r = await pdb(db)
    .selectFrom('enrollment as e')
    .innerJoin('roster_person as p', 'p.id', 'e.person_id')
    .select('e.class_id')
    .where('p.learner_id', '=', learnerId)
    .where('e.role', '=', 'student')
    .where('e.class_id', 'in', classIds)
    .executeTakeFirst();
  return !!r;
}

/** The grades (as the roster gives them: P4, 04, 4 …) of the classes a learner is enrolled in as a student. */
export async function learnerClassGrades(db: Db, learnerId: string): Promise<string[]> {
  const rows = await pdb(db)
    .selectFrom('enrollment as e')
    .innerJoin('roster_person as p', 'p.id', 'e.person_id')
    .innerJoin('roster_class as c', 'c.id', 'e.class_id')
    .select('c.grades')
    .where('p.learner_id', '=', learnerId)
    .where('e.role', '=', 'student')
    .execute();
  return rows.flatMap((r) => (r.grades as string[] | null) ?? []);
}

/** Roster records of one learner (personal-data export) and their removal (erasure). */
export async function learnerRoster(db: Db, learnerId: string) {
  const people = await findPerson(db, { learnerId });
  const enrollments = (await Promise.all(people.map((p) => listEnrollments(db, { personId: p.id })))).flat();
  return { people, enrollments: enrollments.map(({ classId, personId, role }) => ({ classId, personId, role })) };
}

export async function eraseLearnerRoster(db: Db, learnerId: string): Promise<number> {
  const r = await pdb(db).deleteFrom('roster_person').where('learner_id', '=', learnerId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

// OIDC

export interface OidcProviderRow {
  organizationId: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  label: string;
  claim: string;
  enabled: boolean;
}

const toProvider = (r: any): OidcProviderRow => ({ organizationId: r.organization_id, issuer: r.issuer, clientId: r.client_id, clientSecret: r.client_secret, label: r.label, claim: r.claim, enabled: r.enabled });

export async function getOidcProvider(db: Db, organizationId: string): Promise<OidcProviderRow | undefined> {
  const r = await pdb(db).selectFrom('oidc_provider').selectAll().where('organization_id', '=', organizationId).executeTakeFirst();
  return r && toProvider(r);
}

export async function listOidcProviders(db: Db): Promise<Array<OidcProviderRow & { organizationName: string }>> {
  const rows = await pdb(db).selectFrom('oidc_provider as o').innerJoin('organization as g', 'g.id', 'o.organization_id').selectAll('o').select('g.name').where('o.enabled', '=', true).orderBy('g.name').execute();
  return rows.map((r) => ({ ...toProvider(r), organizationName: r.name }));
}

export async function putOidcProvider(db: Db, p: OidcProviderRow): Promise<void> {
  const v = { organization_id: p.organizationId, issuer: p.issuer, client_id: p.clientId, client_secret: p.clientSecret, label: p.label, claim: p.claim, enabled: p.enabled };
  const { organization_id: _o, ...update } = v;
  await pdb(db).insertInto('oidc_provider').values(v).onConflict((x) => x.column('organization_id').doUpdateSet(update)).execute();
}

export async function findOidcIdentity(db: Db, issuer: string, subject: string): Promise<string | undefined> {
  const r = await pdb(db).selectFrom('oidc_identity').select('user_id').where('issuer', '=', issuer).where('subject', '=', subject).executeTakeFirst();
  return r?.user_id;
}

export async function saveOidcIdentity(db: Db, issuer: string, subject: string, userId: string): Promise<void> {
  await pdb(db).insertInto('oidc_identity').values({ issuer, subject, user_id: userId }).onConflict((x) => x.columns(['issuer', 'subject']).doUpdateSet({ user_id: userId })).execute();
}

// Schools are organization rows.

export async function upsertSchool(db: Db, s: { id: string; name: string; kind: 'authority' | 'board' | 'school'; parentId: string | null }): Promise<void> {
  await db
    .insertInto('organization')
    .values({ id: s.id, name: s.name, kind: s.kind, parent_id: s.parentId })
    .onConflict((x) => x.column('id').doUpdateSet({ name: s.name, kind: s.kind, parent_id: s.parentId }))
    .execute();
}

export async function deleteSchool(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('organization').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
