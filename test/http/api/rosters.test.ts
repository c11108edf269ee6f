import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipSync, strToU8 } from 'fflate';
import { build, bearer, session, type TestApp } from '../../helper.js';
import { userRoles } from '../../../src/store/auth.js';
import { findPerson } from '../../../src/store/progress-rosters.js';

let t: TestApp;
let admin: Record<string, string>;
beforeAll(async () => {
  t = await build();
  admin = await bearer(t, ['case:admin']);
});
afterAll(() => t.close());

const csv = (rows: string[][]) => rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
const zip = (files: Record<string, string[][]>) => Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(csv(v))]))));
const manifest = (mode: string, extra: string[][] = []) => [
  ['propertyName', 'value'],
  ['manifest.version', '1.0'],
  ['oneroster.version', '1.2'],
  ['file.academicSessions', 'absent'],
  ['file.orgs', mode],
  ['file.courses', 'absent'],
  ['file.classes', mode],
  ['file.users', mode],
  ['file.roles', mode],
  ['file.enrollments', mode],
  ['file.demographics', 'absent'],
  ['source.systemName', 'テスト校務システム'],
  ...extra,
];
const USERS_HEAD = ['sourcedId', 'status', 'dateLastModified', 'enabledUser', 'username', 'givenName', 'familyName', 'email', 'primaryOrgSourcedId', 'metadata.jp.kanaGivenName', 'metadata.jp.kanaFamilyName', 'metadata.jp.homeClass'];
const bulk = () =>
  zip({
    'manifest.csv': manifest('bulk'),
    'orgs.csv': [
      ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'],
      ['board-1', 'active', '2025-04-01', 'しるべ市教育委員会', 'district', '', ''],
      ['sch-1', 'active', '2025-04-01', 'しるべ小学校', 'school', '131001', 'board-1'],
      ['dept-1', 'active', '2025-04-01', '事務室', 'department', '', 'sch-1'],
    ],
    'classes.csv': [
      ['sourcedId', 'status', 'dateLastModified', 'title', 'grades', 'courseSourcedId', 'classCode', 'classType', 'location', 'schoolSourcedId', 'termSourcedIds'],
      ['cls-4-1', 'active', '2025-04-01', '4年1組', 'P4', 'c1', '', 'homeroom', '', 'sch-1', 't1'],
      ['cls-4-2', 'active', '2025-04-01', '4年2組', 'P4', 'c1', '', 'homeroom', '', 'sch-1', 't1'],
      ['cls-x', 'active', '2025-04-01', '謎', 'P4', 'c1', '', 'homeroom', '', 'sch-9', 't1'],
    ],
    'users.csv': [
      USERS_HEAD,
      ['stu-1', 'active', '2025-04-01', 'true', 'stu1', 'あおい', '青木', 'stu1@school.example', 'sch-1', 'アオイ', 'アオキ', 'cls-4-1'],
      ['stu-2', 'active', '2025-04-01', 'true', 'stu2', 'はると', '石田', 'stu2@school.example', 'sch-1', 'ﾊﾙﾄ', 'イシダ', 'cls-4-1'],
      ['tea-1', 'active', '2025-04-01', 'true', 'tea1', '先生', 'しるべ', 'tea1@school.example', 'sch-1', 'センセイ', 'シルベ', ''],
      ['par-1', 'active', '2025-04-01', 'true', 'par1', '保護者', '青木', '', 'sch-1', '', '', ''],
    ],
    'roles.csv': [
      ['sourcedId', 'status', 'dateLastModified', 'userSourcedId', 'roleType', 'role', 'beginDate', 'endDate', 'orgSourcedId'],
      ['r1', 'active', '', 'stu-1', 'primary', 'student', '', '', 'sch-1'],
      ['r2', 'active', '', 'stu-2', 'primary', 'student', '', '', 'sch-1'],
      ['r3', 'active', '', 'tea-1', 'primary', 'teacher', '', '', 'sch-1'],
      ['r4', 'active', '', 'par-1', 'primary', 'guardian', '', '', 'sch-1'],
    ],
    'enrollments.csv': [
      ['sourcedId', 'status', 'dateLastModified', 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role', 'primary', 'beginDate', 'endDate'],
      ['e1', 'active', '', 'cls-4-1', 'sch-1', 'stu-1', 'student', 'false', '', ''],
      ['e2', 'active', '', 'cls-4-1', 'sch-1', 'stu-2', 'student', 'false', '', ''],
      ['e3', 'active', '', 'cls-4-1', 'sch-1', 'tea-1', 'teacher', 'true', '', ''],
      ['e4', 'active', '', 'cls-4-1', 'sch-1', 'tea-1', 'aide', 'false', '', ''],
      ['e5', 'active', '', 'cls-4-2', 'sch-1', 'tea-1', 'teacher', 'true', '', ''],
    ],
  });
const upload = (body: Buffer, headers = admin, mode?: string) =>
  t.app.inject({ method: 'POST', url: `/api/rosters/oneroster${mode ? `?mode=${mode}` : ''}`, headers: { ...headers, 'content-type': 'application/zip' }, payload: body });

describe('OneRoster 1.2 CSV (Japan Profile)', () => {
  it('imports schools, classes, people and enrolments, and reports every rejected row with its reason', async () => {
    const res = await upload(bulk());
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.mode).toBe('bulk');
    expect(r.counts.orgs.created).toBe(2);
    expect(r.counts.classes.created).toBe(2);
    expect(r.counts.users.created).toBe(2);
    expect(r.counts.enrollments.created).toBe(3);
    expect(r.rejected.map((x: { file: string; line: number; field: string }) => [x.file, x.line, x.field])).toEqual([
      ['orgs.csv', 4, 'type'],
      ['classes.csv', 4, 'schoolSourcedId'],
      ['users.csv', 3, 'metadata.jp.kanaGivenName'], // half-width katakana
      ['users.csv', 5, 'role'], // a guardian
      ['enrollments.csv', 3, 'userSourcedId'], // stu-2 was rejected
      ['enrollments.csv', 5, 'role'], // aide
    ]);
    expect(r.rejected[2].reason).toMatch(/full-width kana/);
    // The teacher's account teaches both classes; the learner has an xAPI actor of the school system.
    const [teacher] = await findPerson(t.store.db, { email: 'tea1@school.example' });
    expect((await userRoles(t.store.db, teacher!.userId!)).filter((x) => x.role === 'teacher').map((x) => x.scopeId).sort()).toEqual(['cls-4-1', 'cls-4-2']);
    const [student] = await findPerson(t.store.db, { email: 'stu1@school.example' });
    expect(student).toMatchObject({ displayName: '青木 あおい', kana: 'アオキ アオイ', role: 'student' });
    const agent = { account: { homePage: `${t.config.publicUrl}/roster/sch-1`, name: 'stu-1' } };
    const found = await t.app.inject({ url: `/api/learners?agent=${encodeURIComponent(JSON.stringify(agent))}`, headers: admin });
    expect(found.json().learnerId).toBe(student!.learnerId);
  });

  it('applies a delta: tobedeleted enrolments go, new users come; a teacher loses the role of a class', async () => {
    const res = await upload(
      zip({
        'manifest.csv': manifest('delta').map((r) => (r[0] === 'file.orgs' || r[0] === 'file.classes' || r[0] === 'file.roles' ? [r[0], 'absent'] : r)),
        'users.csv': [USERS_HEAD, ['stu-3', 'active', '', 'true', 'stu3', 'めい', '上野', '', 'sch-1', 'メイ', 'ウエノ', 'cls-4-1']],
        'enrollments.csv': [
          ['sourcedId', 'status', 'dateLastModified', 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role'],
          ['e5', 'tobedeleted', '', 'cls-4-2', 'sch-1', 'tea-1', 'teacher'],
          ['e6', 'active', '', 'cls-4-1', 'sch-1', 'stu-3', 'student'],
        ],
      }),
    );
    // stu-3's role comes from the enrolment (no roles.csv in this delta).
    expect(res.json().counts).toMatchObject({ users: { created: 1 }, enrollments: { created: 1, deleted: 1 } });
    const [teacher] = await findPerson(t.store.db, { email: 'tea1@school.example' });
    expect((await userRoles(t.store.db, teacher!.userId!)).filter((x) => x.role === 'teacher').map((x) => x.scopeId)).toEqual(['cls-4-1']);
    const list = await t.app.inject({ url: '/api/rosters/classes/cls-4-1/enrollments', headers: admin });
    expect(list.json().enrollments.map((e: { personId: string }) => e.personId).sort()).toEqual(['stu-1', 'stu-3', 'tea-1']);
  });

  it('a bulk file replaces: a class absent from it is removed', async () => {
    const files = {
      'manifest.csv': manifest('bulk').map((r) => (['file.orgs', 'file.users', 'file.roles', 'file.enrollments'].includes(r[0]!) ? [r[0]!, 'absent'] : r)),
      'classes.csv': [
        ['sourcedId', 'status', 'dateLastModified', 'title', 'grades', 'schoolSourcedId'],
        ['cls-4-1', 'active', '', '4年1組', 'P4', 'sch-1'],
      ],
    };
    const r = (await upload(zip(files))).json();
    expect(r.counts.classes).toEqual({ created: 0, updated: 1, deleted: 1 });
    expect((await t.app.inject({ url: '/api/rosters/classes', headers: admin })).json().classes.map((c: { id: string }) => c.id)).toEqual(['cls-4-1']);
  });

  it('refuses a broken zip or a zip without manifest with a 400, writing nothing', async () => {
    const before = (await t.app.inject({ url: '/api/rosters/people', headers: admin })).json().people.length;
    const broken = await upload(Buffer.from('not a zip at all'));
    expect(broken.statusCode).toBe(400);
    const noManifest = await upload(zip({ 'users.csv': [USERS_HEAD, ['stu-9', 'active', '', 'true', 'stu9', 'a', 'b', '', 'sch-1', '', '', '']] }));
    expect(noManifest.json().error).toMatchObject({ code: 'invalid_request', field: 'manifest.csv' });
    const missing = await upload(zip({ 'manifest.csv': manifest('bulk') }));
    expect(missing.statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/rosters/people', headers: admin })).json().people.length).toBe(before);
  });

  it('is for administrators only', async () => {
    const teacher = await session(t, [{ role: 'teacher', scopeType: 'class', scopeId: 'cls-4-1' }]);
    expect((await upload(bulk(), teacher)).statusCode).toBe(403);
    expect((await upload(bulk(), {} as Record<string, string>)).statusCode).toBe(401);
  });
});

describe('manual entry', () => {
  it('creates a school, a class, a teacher and a learner, and enrols them', async () => {
    const post = (url: string, payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url, headers: admin, payload });
    expect((await post('/api/rosters/schools', { id: 'sch-m', name: '手入力小学校' })).statusCode).toBe(201);
    expect((await post('/api/rosters/schools', { id: 'sch-m', name: 'again' })).statusCode).toBe(409);
    expect((await post('/api/rosters/classes', { id: 'm-1', title: '1年1組', schoolId: 'sch-m', grades: ['P1'] })).json()).toMatchObject({ id: 'm-1', source: 'manual' });
    expect((await post('/api/rosters/classes', { title: 'x', schoolId: 'nope' })).json().error.field).toBe('schoolId');
    const teacher = (await post('/api/rosters/people', { id: 'm-t', role: 'teacher', displayName: '手入力 先生', schoolId: 'sch-m', email: 'mt@school.example' })).json();
    const learner = (await post('/api/rosters/people', { id: 'm-s', role: 'student', displayName: '手入力 児童', schoolId: 'sch-m' })).json();
    expect(learner.learnerId).toEqual(expect.any(String));
    expect(teacher.learnerId).toBeNull();
    expect((await post('/api/rosters/classes/m-1/enrollments', { personId: 'm-t', role: 'teacher' })).statusCode).toBe(201);
    expect((await post('/api/rosters/classes/m-1/enrollments', { personId: 'm-s', role: 'student' })).statusCode).toBe(201);
    expect((await post('/api/rosters/classes/m-1/enrollments', { personId: 'm-t', role: 'student' })).json().error.field).toBe('personId');
    expect((await userRoles(t.store.db, teacher.userId)).some((r) => r.role === 'teacher' && r.scopeId === 'm-1')).toBe(true);
    const bad = await post('/api/rosters/people', { role: 'pupil', displayName: 'x', schoolId: 'sch-m' });
    expect(bad.json().error.field).toBe('role');
    expect((await t.app.inject({ method: 'DELETE', url: '/api/rosters/schools/sch-m', headers: admin })).statusCode).toBe(409);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/rosters/classes/m-1/enrollments/m-t', headers: admin })).statusCode).toBe(204);
    expect((await userRoles(t.store.db, teacher.userId)).some((r) => r.role === 'teacher')).toBe(false);
  });
});
