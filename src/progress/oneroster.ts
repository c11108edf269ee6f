import { unzipSync } from 'fflate';
import { parse } from 'csv-parse/sync';
import type { Db } from '../store/db.js';
import * as rosters from '../store/progress-rosters.js';
import { audit, getOrganization } from '../store/auth.js';
import { ShirubeError } from '../errors.js';
import { removeClass, removePerson, saveClass, savePerson, syncTeacherRoles } from './rosters.js';

/** A row the import skipped, and why (docs/rosters.md). */
export interface RejectedRow {
  file: string;
  line: number;
  sourcedId: string | null;
  field: string | null;
  reason: string;
}

type Counts = { created: number; updated: number; deleted: number };
export interface RosterImportResult {
  mode: 'bulk' | 'delta';
  counts: { orgs: Counts; classes: Counts; users: Counts; enrollments: Counts };
  rejected: RejectedRow[];
}

type Row = Record<string, string>;
const bad = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);
const FILES = ['orgs', 'classes', 'users', 'roles', 'enrollments'] as const;
const MAX_ZIP_ENTRIES = 50;
const MAX_UNZIPPED = 200 * 1024 * 1024;
/** Full-width kana, long vowel mark, middle dot and spaces (the Japan Profile's kana columns). */
const KANA = /^[\u3041-\u3096\u309D-\u309F\u30A1-\u30FA\u30FC-\u30FF\u3000 ・ー]*$/;
const ORG_KINDS: Record<string, 'authority' | 'board' | 'school'> = { national: 'authority', state: 'authority', local: 'board', district: 'board', school: 'school' };

function readZip(zip: Uint8Array): Map<string, Row[]> {
  let files: Record<string, Uint8Array>;
  let entries = 0;
  let unzipped = 0;
  try {
    files = unzipSync(zip, {
      // Declared sizes are checked before anything is inflated: a zip bomb is refused, not expanded.
      filter: (f) => {
        if (++entries > MAX_ZIP_ENTRIES) throw bad('(body)', `more than ${MAX_ZIP_ENTRIES} files in the zip`);
        if (!/\.csv$/i.test(f.name)) return false;
        unzipped += f.originalSize;
        if (unzipped > MAX_UNZIPPED) throw bad('(body)', `the CSV files inflate to more than ${MAX_UNZIPPED / 1024 / 1024} MB`);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof ShirubeError) throw e;
    throw bad('(body)', `not a readable zip file (${(e as Error).message})`);
  }
  const out = new Map<string, Row[]>();
  for (const [name, bytes] of Object.entries(files)) {
    const base = name.split('/').pop()!.replace(/\.csv$/i, '');
    try {
      const text = Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '');
      out.set(base, parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as Row[]);
    } catch (e) {
      throw bad(`${base}.csv`, `not valid CSV (${(e as Error).message})`);
    }
  }
  return out;
}

function manifestOf(files: Map<string, Row[]>, override?: 'bulk' | 'delta') {
  const m = files.get('manifest');
  if (!m) throw bad('manifest.csv', 'is missing: a OneRoster CSV zip starts with manifest.csv');
  const props = new Map(m.map((r) => [r['propertyName'] ?? '', r['value'] ?? '']));
  const version = props.get('oneroster.version');
  if (version && !version.startsWith('1.')) throw bad('manifest.csv', `oneroster.version ${version} is not supported (1.1, 1.2)`);
  const modes = new Map<string, 'bulk' | 'delta' | 'absent'>();
  for (const f of FILES) {
    const v = (props.get(`file.${f}`) ?? (files.has(f) ? 'bulk' : 'absent')).toLowerCase();
    if (v !== 'bulk' && v !== 'delta' && v !== 'absent') throw bad('manifest.csv', `file.${f}: ${v} is not bulk, delta or absent`);
    modes.set(f, v === 'absent' ? 'absent' : (override ?? v));
    if (v !== 'absent' && !files.has(f)) throw bad(`${f}.csv`, 'is listed in manifest.csv but missing from the zip');
  }
  return modes;
}

const displayName = (r: Row) => [r['familyName'], r['givenName']].filter((x) => x && x.trim()).join(' ');
const kanaOf = (r: Row) => [r['metadata.jp.kanaFamilyName'], r['metadata.jp.kanaGivenName']].filter((x) => x && x.trim()).join(' ') || null;

/**
 * Imports a OneRoster 1.2 CSV zip (Japan Profile) in one transaction: orgs (schools), classes, users and
 * enrollments; academicSessions, courses and demographics are not needed and not read. Bulk files replace what an
 * earlier OneRoster import gave (records absent from the file are removed); delta files apply their rows
 * (`status=tobedeleted` removes). A bad zip or manifest is a 400 with nothing written; bad rows are skipped and
 * reported.
 */
export async function importOneRoster(db: Db, zip: Uint8Array, o: { publicUrl: string; actor: string; mode?: 'bulk' | 'delta' | undefined }): Promise<RosterImportResult> {
  const files = readZip(zip);
  const modes = manifestOf(files, o.mode);
  const rejected: RejectedRow[] = [];
  const zero = (): Counts => ({ created: 0, updated: 0, deleted: 0 });
  const counts = { orgs: zero(), classes: zero(), users: zero(), enrollments: zero() };
  const reject = (file: string, i: number, r: Row, field: string | null, reason: string) =>
    rejected.push({ file: `${file}.csv`, line: i + 2, sourcedId: r['sourcedId'] || null, field, reason });
  const deleted = (r: Row) => (r['status'] ?? '').toLowerCase() === 'tobedeleted';
  const mode = [...modes.values()].includes('delta') ? 'delta' : 'bulk';

  await db.transaction().execute(async (trx) => {
    // orgs
    const orgRows = files.get('orgs') ?? [];
    for (const [i, r] of orgRows.entries()) {
      if (!r['sourcedId']) {
        reject('orgs', i, r, 'sourcedId', 'is required');
        continue;
      }
      const kind = ORG_KINDS[(r['type'] ?? '').toLowerCase()];
      if (!kind) {
        reject('orgs', i, r, 'type', `${r['type'] || '(empty)'} is not used by Shirube (national, state, local, district, school)`);
        continue;
      }
      if (deleted(r)) continue; // organisations are kept: classes and accounts may still refer to them
      if (!r['name']) {
        reject('orgs', i, r, 'name', 'is required');
        continue;
      }
      const existed = await getOrganization(trx, r['sourcedId']);
      const parent = r['parentSourcedId'] && (await getOrganization(trx, r['parentSourcedId'])) ? r['parentSourcedId'] : null;
      await rosters.upsertSchool(trx, { id: r['sourcedId'], name: r['name'], kind, parentId: parent });
      counts.orgs[existed ? 'updated' : 'created']++;
    }

    // classes
    if (modes.get('classes') !== 'absent') {
      const seen = new Set<string>();
      for (const [i, r] of (files.get('classes') ?? []).entries()) {
        const id = r['sourcedId'];
        if (!id) {
          reject('classes', i, r, 'sourcedId', 'is required');
          continue;
        }
        const old = await rosters.getClass(trx, id);
        if (deleted(r)) {
          if (old) {
            await removeClass(trx, id);
            counts.classes.deleted++;
          }
          continue;
        }
        if (!r['title']) {
          reject('classes', i, r, 'title', 'is required');
          continue;
        }
        const school = r['schoolSourcedId'];
        if (!school || !(await getOrganization(trx, school))) {
          reject('classes', i, r, 'schoolSourcedId', `no org ${school || '(empty)'} in orgs.csv or already known`);
          continue;
        }
        await saveClass(trx, { id, title: r['title'], schoolId: school, grades: (r['grades'] ?? '').split(',').map((g) => g.trim()).filter(Boolean), source: 'oneroster' });
        seen.add(id);
        counts.classes[old ? 'updated' : 'created']++;
      }
      if (modes.get('classes') === 'bulk') {
        for (const c of await rosters.listClasses(trx)) {
          if (c.source === 'oneroster' && !seen.has(c.id)) {
            await removeClass(trx, c.id);
            counts.classes.deleted++;
          }
        }
      }
    }

    // users (the role from roles.csv, a 1.1-style role column, or the enrolments)
    const roleOf = new Map<string, string>();
    for (const r of files.get('roles') ?? []) if ((r['roleType'] ?? 'primary') === 'primary' && r['userSourcedId']) roleOf.set(r['userSourcedId'], r['role'] ?? '');
    for (const r of files.get('enrollments') ?? []) if (r['userSourcedId'] && !roleOf.has(r['userSourcedId'])) roleOf.set(r['userSourcedId'], r['role'] ?? '');
    if (modes.get('users') !== 'absent') {
      const seen = new Set<string>();
      for (const [i, r] of (files.get('users') ?? []).entries()) {
        const id = r['sourcedId'];
        if (!id) {
          reject('users', i, r, 'sourcedId', 'is required');
          continue;
        }
        const old = await rosters.getPerson(trx, id);
        if (deleted(r) || (r['enabledUser'] ?? '').toLowerCase() === 'false') {
          if (old) {
            await removePerson(trx, id);
            counts.users.deleted++;
          }
          continue;
        }
        const role = (r['role'] || roleOf.get(id) || '').toLowerCase();
        const kind = role === 'student' ? 'student' : role === 'teacher' ? 'teacher' : role === 'administrator' ? 'administrator' : null;
        if (!kind) {
          reject('users', i, r, 'role', `${role || '(none)'}: Shirube keeps students, teachers and administrators only`);
          continue;
        }
        const bad = ['metadata.jp.kanaFamilyName', 'metadata.jp.kanaGivenName', 'metadata.jp.kanaMiddleName'].find((k) => r[k] && !KANA.test(r[k]!));
        if (bad) {
          reject('users', i, r, bad, 'must be full-width kana (half-width katakana and other characters are not allowed)');
          continue;
        }
        const name = displayName(r);
        if (!name) {
          reject('users', i, r, 'givenName', 'familyName or givenName is required');
          continue;
        }
        const school = r['primaryOrgSourcedId'] || (r['orgSourcedIds'] ?? '').split(',')[0]?.trim() || null;
        if (school && !(await getOrganization(trx, school))) {
          reject('users', i, r, 'primaryOrgSourcedId', `no org ${school}`);
          continue;
        }
        const email = r['email'] && /^[^@\s]+@[^@\s]+$/.test(r['email']) ? r['email'] : null;
        try {
          await savePerson(trx, { id, role: kind, displayName: name, kana: kanaOf(r), email, username: old ? undefined : r['username'] || undefined, schoolId: school, source: 'oneroster' }, o.publicUrl);
        } catch (e) {
          if (!(e instanceof ShirubeError)) throw e;
          reject('users', i, r, e.field ?? null, e.message);
          continue;
        }
        seen.add(id);
        counts.users[old ? 'updated' : 'created']++;
      }
      if (modes.get('users') === 'bulk') {
        for (const p of await rosters.listPeople(trx)) {
          if (p.source === 'oneroster' && !seen.has(p.id)) {
            await removePerson(trx, p.id);
            counts.users.deleted++;
          }
        }
      }
    }

    // enrollments
    if (modes.get('enrollments') !== 'absent') {
      const seen = new Set<string>();
      const touched = new Set<string>();
      for (const [i, r] of (files.get('enrollments') ?? []).entries()) {
        const classId = r['classSourcedId'] ?? '';
        const personId = r['userSourcedId'] ?? '';
        const key = `${classId}\u0000${personId}`;
        const role = (r['role'] ?? '').toLowerCase();
        if (deleted(r)) {
          const person = await rosters.getPerson(trx, personId);
          if (await rosters.deleteEnrollment(trx, classId, personId)) {
            counts.enrollments.deleted++;
            if (person?.userId) touched.add(person.userId);
          }
          continue;
        }
        if (role !== 'student' && role !== 'teacher') {
          reject('enrollments', i, r, 'role', `${role || '(empty)'}: Shirube keeps student and teacher enrolments only`);
          continue;
        }
        if (!(await rosters.getClass(trx, classId))) {
          reject('enrollments', i, r, 'classSourcedId', `no class ${classId || '(empty)'}`);
          continue;
        }
        const person = await rosters.getPerson(trx, personId);
        if (!person) {
          reject('enrollments', i, r, 'userSourcedId', `no user ${personId || '(empty)'} (rejected or absent from users.csv)`);
          continue;
        }
        if (role === 'student' && !person.learnerId) {
          reject('enrollments', i, r, 'role', `user ${personId} is not a student`);
          continue;
        }
        const existed = (await rosters.listEnrollments(trx, { classId, personId })).length > 0;
        await rosters.upsertEnrollment(trx, { classId, personId, role, source: 'oneroster' });
        if (person.userId) touched.add(person.userId);
        seen.add(key);
        counts.enrollments[existed ? 'updated' : 'created']++;
      }
      if (modes.get('enrollments') === 'bulk') {
        for (const c of await rosters.listClasses(trx)) {
          for (const e of await rosters.listEnrollments(trx, { classId: c.id })) {
            if (!seen.has(`${e.classId}\u0000${e.personId}`) && c.source === 'oneroster') {
              await rosters.deleteEnrollment(trx, e.classId, e.personId);
              if (e.userId) touched.add(e.userId);
              counts.enrollments.deleted++;
            }
          }
        }
      }
      for (const u of touched) await syncTeacherRoles(trx, u);
    }
    await audit(trx, { actor: o.actor, action: 'roster.import', targetType: 'roster', targetId: null, details: { mode, counts, rejected: rejected.length } });
  });
  return { mode, counts, rejected };
}
