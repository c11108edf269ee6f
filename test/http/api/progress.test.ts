import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, session, type TestApp } from '../../helper.js';
import { createSession } from '../../../src/auth/index.js';
import { MATH_2017_DOCUMENT, DEMO_CLASS } from '../../../src/progress/index.js';
import { answered, demoClass, post } from '../../progress/fixture.js';

// A chain of the demo precedes set (assets/frameworks/elementary-math-2017-precedes.csv), all in grade 2:
const A = '8250223111100000'; // 数の構成と表し方 (ア) 同じ大きさの集まりにまとめて数える
const B = '8250223131100000'; // 乗法 (ア) 乗法の意味: A precedes B
const C = '8250223131400000'; // 乗法 (エ) 乗法九九: B precedes C
let t: TestApp;
let d: Awaited<ReturnType<typeof demoClass>>;
let asLearner: Record<string, string>;
let asTeacher: Record<string, string>;
const idOf = (code: string) => d.structure.items.find((i) => i.code === code)!.id;
const get = async (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
const cookieOf = async (userId: string) => ({ cookie: `shirube_session=${(await createSession(t.store.db, userId)).token}` });

beforeAll(async () => {
  t = await build();
  d = await demoClass(t);
  const me = d.agents[0]!;
  await post(t, d.writer, [
    ...[1, 2, 3, 4].map((n) => answered(me, A, true, `2025-05-0${n}T01:00:00Z`)),
    answered(me, B, false, '2025-06-02T01:00:00Z'),
    answered(me, B, 0.5, '2025-06-03T01:00:00Z'),
    answered(d.agents[1]!, B, false, '2025-06-03T02:00:00Z'),
  ]);
  asLearner = await cookieOf(d.learnerUserIds[0]!);
  asTeacher = await cookieOf(d.teacherUserId);
}, 60_000);
afterAll(() => t.close());

describe('GET /api/progress/map', () => {
  it('gives a learner their own map: 217 content items with states, labels, blocked flags, edges and groups', async () => {
    const res = await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}`, asLearner);
    expect(res.statusCode).toBe(200);
    const m = res.json();
    expect(m.nodes).toHaveLength(217);
    const node = (code: string) => m.nodes.find((n: { code: string }) => n.code === code);
    expect(node(A).progress).toMatchObject({ state: 'mastered', label: 'A', attempts: 4, correct: 4, blocked: false });
    expect(node(B).progress).toMatchObject({ state: 'in_progress', label: 'C', attempts: 2, correct: 0, correctRate: 0.25, blocked: false });
    expect(node(C).progress).toMatchObject({ state: 'not_started', label: null, blocked: true });
    expect(node(A).progress.probability).toBeGreaterThan(0.9);
    expect(node(A)).toMatchObject({ grade: '2', domain: '数と計算', domainCode: 'A', category: '数の構成と表し方', sectionNumber: '(ア)' });
    expect(m.edges).toContainEqual(expect.objectContaining({ type: 'precedes', source: idOf(A), target: idOf(B) }));
    expect(m.edges.filter((e: { type: string }) => e.type === 'precedes').length).toBeGreaterThan(150);
    expect(new Set(m.groups.map((g: { kind: string }) => g.kind))).toEqual(new Set(['grade', 'domain', 'category']));
    const grade2 = m.groups.find((g: { kind: string; grade: string }) => g.kind === 'grade' && g.grade === '2');
    expect(grade2.summary).toMatchObject({ mastered: 1, inProgress: 1 });
    expect(m.learner.displayName).toBe('青木 あおい');
  });

  it('unit view: the categories as units with prerequisite edges between them', async () => {
    const m = (await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&view=unit`, asLearner)).json();
    expect(m.groups).toHaveLength(66);
    expect(m.groups.every((g: { kind: string; parent: unknown }) => g.kind === 'unit' && g.parent === null)).toBe(true);
    const units = new Set(m.groups.map((g: { id: string }) => g.id));
    expect(m.nodes.every((n: { group: string }) => units.has(n.group))).toBe(true);
    expect(m.unitEdges.length).toBeGreaterThan(40);
  });

  it('replays time: as of a date before the answers everything is not started', async () => {
    const m = (await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&asOf=2025-05-02`, asLearner)).json();
    const a = m.nodes.find((n: { code: string }) => n.code === A).progress;
    expect(a).toMatchObject({ state: 'in_progress', attempts: 2 }); // 2 answers by the end of 2 May (JST)
    const before = (await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&asOf=2025-04-30`, asLearner)).json();
    expect(before.nodes.every((n: { progress: { state: string } }) => n.progress.state === 'not_started')).toBe(true);
  });

  it('refuses other learners to a learner, and answers bad input with the field', async () => {
    expect((await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${d.structure.items[0]!.id}`, asLearner)).statusCode).toBe(403);
    expect((await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}`, {})).statusCode).toBe(401);
    const bad = await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&asOf=2025-13-01`, asLearner);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('asOf');
    expect((await get('/api/progress/map?framework=nope', asLearner)).json().error).toMatchObject({ code: 'not_found', field: 'framework' });
  });
});

describe('no record (記録なし): earlier grades without answers', () => {
  type Node = { id: string; code: string; grade: string; progress: { state: string; noRecord: boolean; blocked: boolean; attempts: number } };
  it('marks a 4th grader’s items of grades 1–3 without answers as no record, keeping state not_started; later grades stay not started', async () => {
    const m = (await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}`, asLearner)).json();
    expect(m.learnerGrade).toBe('4');
    const nodes: Node[] = m.nodes;
    const node = (code: string) => nodes.find((n) => n.code === code)!;
    // C (grade 2) has no answer: no record, and still blocked, since its prerequisite B was answered and not mastered.
    expect(node(C).progress).toMatchObject({ state: 'not_started', noRecord: true, blocked: true });
    expect(node(A).progress.noRecord).toBe(false);
    expect(node(B).progress.noRecord).toBe(false);
    const unanswered = nodes.filter((n) => n.progress.attempts === 0);
    expect(unanswered.filter((n) => Number(n.grade) < 4).every((n) => n.progress.noRecord)).toBe(true);
    expect(unanswered.filter((n) => Number(n.grade) >= 4).some((n) => n.progress.noRecord)).toBe(false);
    expect(unanswered.filter((n) => Number(n.grade) >= 4).length).toBeGreaterThan(50);
    // A prerequisite with no record counts as learned: an item whose prerequisites all have no record is not blocked.
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const precedes = m.edges.filter((e: { type: string }) => e.type === 'precedes');
    const onlyNoRecordBefore = nodes.filter((n) => {
      const before = precedes.filter((e: { target: string }) => e.target === n.id).map((e: { source: string }) => byId.get(e.source)!);
      return before.length > 0 && before.every((p: Node) => p.progress.noRecord) && n.progress.state !== 'mastered';
    });
    expect(onlyNoRecordBefore.length).toBeGreaterThan(10);
    expect(onlyNoRecordBefore.every((n) => !n.progress.blocked)).toBe(true);
    // Groups count them; a grade's no-record items are among its not-started ones.
    const grade1 = m.groups.find((g: { kind: string; grade: string }) => g.kind === 'grade' && g.grade === '1');
    expect(grade1.summary.noRecord).toBe(nodes.filter((n) => n.grade === '1').length);
    expect(grade1.summary.notStarted).toBe(grade1.summary.noRecord);
  });

  it('says so in the heatmap cells and the item detail too', async () => {
    const h = (await get(`/api/progress/classes/${DEMO_CLASS}/heatmap?framework=${MATH_2017_DOCUMENT}&grade=2`, asTeacher)).json();
    const col = h.items.findIndex((i: { code: string }) => i.code === C);
    expect(h.cells.every((row: Array<{ noRecord: boolean }>) => row[col]!.noRecord)).toBe(true);
    const me = (await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}`, asLearner)).json().learner.id;
    expect((await get(`/api/progress/learners/${me}/items/${idOf(C)}`, asLearner)).json().progress.noRecord).toBe(true);
  });
});

describe('GET /api/progress/classes/{classId}/map (the class map)', () => {
  type Share = { learners: number; mastered: number; inProgress: number; notStarted: number; noRecord: number };
  it('gives each item how many of the class mastered it, are learning it, have not started it or have no record', async () => {
    const res = await get(`/api/progress/classes/${DEMO_CLASS}/map?framework=${MATH_2017_DOCUMENT}`, asTeacher);
    expect(res.statusCode).toBe(200);
    const m = res.json();
    expect(m.class).toMatchObject({ id: DEMO_CLASS, title: '4年1組', learners: 35 });
    expect(m.learner).toBeNull();
    expect(m.learnerGrade).toBe('4');
    expect(m.nodes).toHaveLength(217);
    const share = (code: string): Share => m.nodes.find((n: { code: string }) => n.code === code).classShare;
    expect(share(A)).toEqual({ learners: 35, mastered: 1, inProgress: 0, notStarted: 34, noRecord: 34 });
    expect(share(B)).toEqual({ learners: 35, mastered: 0, inProgress: 2, notStarted: 33, noRecord: 33 });
    expect(share(C)).toEqual({ learners: 35, mastered: 0, inProgress: 0, notStarted: 35, noRecord: 35 });
    for (const n of m.nodes as Array<{ progress: unknown; classShare: Share }>) {
      expect(n.progress).toBeNull();
      expect(n.classShare.mastered + n.classShare.inProgress + n.classShare.notStarted).toBe(35);
    }
    // A group: the pairs of its items summed.
    const grade2 = m.groups.find((g: { kind: string; grade: string }) => g.kind === 'grade' && g.grade === '2');
    const inGrade2 = m.nodes.filter((n: { grade: string }) => n.grade === '2');
    expect(grade2.classShare).toEqual({ learners: 35 * inGrade2.length, mastered: 1, inProgress: 2, notStarted: 35 * inGrade2.length - 3, noRecord: 35 * inGrade2.length - 3 });
    // The unit view and a date before any answer.
    const units = (await get(`/api/progress/classes/${DEMO_CLASS}/map?framework=${MATH_2017_DOCUMENT}&view=unit`, asTeacher)).json();
    expect(units.groups.every((g: { kind: string; classShare: Share }) => g.kind === 'unit' && g.classShare.learners > 0)).toBe(true);
    const before = (await get(`/api/progress/classes/${DEMO_CLASS}/map?framework=${MATH_2017_DOCUMENT}&asOf=2025-04-30`, asTeacher)).json();
    expect(before.nodes.every((n: { classShare: Share }) => n.classShare.mastered === 0 && n.classShare.inProgress === 0)).toBe(true);
  });

  it('is for the class’s teachers and admins only: 401, 403, 404 and 400 naming the field', async () => {
    const url = `/api/progress/classes/${DEMO_CLASS}/map?framework=${MATH_2017_DOCUMENT}`;
    expect((await get(url, {})).statusCode).toBe(401);
    expect((await get(url, asLearner)).statusCode).toBe(403);
    const other = await session(t, [{ role: 'teacher', scopeType: 'class', scopeId: 'another-class' }]);
    expect((await get(url, other)).statusCode).toBe(403);
    const admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
    expect((await get(url, admin)).statusCode).toBe(200);
    expect((await get(`/api/progress/classes/nope/map?framework=${MATH_2017_DOCUMENT}`, admin)).json().error).toMatchObject({ code: 'not_found', field: 'classId' });
    const bad = await get(`${url}&view=sideways`, asTeacher);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('view');
  });
});

describe('learner detail, next steps, changes', () => {
  it('item detail: own evidence, timeline and the trace-back path', async () => {
    const me = (await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}`, asLearner)).json().learner.id;
    const r = (await get(`/api/progress/learners/${me}/items/${idOf(C)}`, asLearner)).json();
    expect(r.item.code).toBe(C);
    expect(r.evidence).toEqual([]);
    expect(r.traceBack[0]).toMatchObject({ item: { code: B }, hops: 1, state: 'in_progress', path: [idOf(B), idOf(C)] });
    expect(r.traceBack.some((x: { item: { code: string } }) => x.item.code === A)).toBe(false); // mastered and strong
    expect(r.pathEdges).toContainEqual(expect.objectContaining({ source: idOf(B), target: idOf(C) }));
    const b = (await get(`/api/progress/learners/${me}/items/${idOf(B)}`, asLearner)).json();
    expect(b.evidence.map((e: { score: number }) => e.score)).toEqual([0, 0.5]);
    expect(b.timeline.map((x: { day: string; attempts: number }) => [x.day, x.attempts])).toEqual([['2025-06-02', 1], ['2025-06-03', 1]]);
  });

  it('next steps: B (in progress, A mastered) first; C waits for B', async () => {
    const me = (await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}`, asLearner)).json().learner.id;
    const r = (await get(`/api/progress/learners/${me}/next-steps?framework=${MATH_2017_DOCUMENT}&limit=5`, asLearner)).json();
    expect(r.items[0].item.code).toBe(B);
    expect(r.items.some((x: { item: { code: string } }) => x.item.code === C)).toBe(false);
  });

  it("next steps respect the learner's grade (4年1組): nothing of grades 5–6, earlier grades only where answered", async () => {
    const me = (await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}`, asLearner)).json().learner.id;
    const r = (await get(`/api/progress/learners/${me}/next-steps?framework=${MATH_2017_DOCUMENT}&limit=100`, asLearner)).json();
    expect(r.learnerGrade).toBe('4');
    type Step = { item: { code: string; grade: string }; progress: { state: string } };
    expect(r.items.length).toBeGreaterThan(10);
    expect(r.items.every((x: Step) => Number(x.item.grade) <= 4)).toBe(true);
    expect(r.items.filter((x: Step) => Number(x.item.grade) < 4).every((x: Step) => x.progress.state === 'in_progress')).toBe(true);
    expect(r.items.some((x: Step) => x.item.grade === '4')).toBe(true);
  });

  it('changes between two dates', async () => {
    const me = (await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}`, asLearner)).json().learner.id;
    const r = (await get(`/api/progress/learners/${me}/changes?framework=${MATH_2017_DOCUMENT}&from=2025-04-30&to=2025-06-30`, asLearner)).json();
    expect(r.summary).toEqual({ mastered: 1, started: 2, regressed: 0 });
    expect(r.changes.map((c: { item: { code: string } }) => c.item.code).sort()).toEqual([A, B]);
    expect((await get(`/api/progress/learners/${me}/changes?framework=${MATH_2017_DOCUMENT}&from=2025-06-30&to=2025-04-30`, asLearner)).statusCode).toBe(400);
  });
});

describe('class dashboards', () => {
  it('the teacher gets the heatmap (35 learners × filtered items), the CSV and stuck learners', async () => {
    const h = (await get(`/api/progress/classes/${DEMO_CLASS}/heatmap?framework=${MATH_2017_DOCUMENT}&grade=2&domain=数と計算`, asTeacher)).json();
    expect(h.learners).toHaveLength(35);
    expect(h.items.every((i: { grade: string; domain: string }) => i.grade === '2' && i.domain === '数と計算')).toBe(true);
    const col = h.items.findIndex((i: { code: string }) => i.code === A);
    const row = h.learners.findIndex((l: { displayName: string }) => l.displayName === '青木 あおい');
    expect(h.cells[row][col]).toMatchObject({ state: 'mastered', label: 'A' });
    const csv = await get(`/api/progress/classes/${DEMO_CLASS}/heatmap.csv?framework=${MATH_2017_DOCUMENT}&grade=2`, asTeacher);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines).toHaveLength(36);
    expect(lines[0]!.split(',').slice(2)).toContain(A);
    expect(lines[row + 1]).toContain('青木 あおい');
    expect(lines[row + 1]).toContain('A*');
    // Learner 2 works on B without having mastered A: stuck on A.
    const s = (await get(`/api/progress/classes/${DEMO_CLASS}/stuck?framework=${MATH_2017_DOCUMENT}&min=1`, asTeacher)).json();
    const onA = s.prerequisites.find((p: { item: { code: string } }) => p.item.code === A);
    expect(onA.learners.map((l: { displayName: string }) => l.displayName)).toEqual(['石田 はると']);
  });

  it('a teacher of another class, and a learner, get 403', async () => {
    const other = await session(t, [{ role: 'teacher', scopeType: 'class', scopeId: 'another-class' }]);
    expect((await get(`/api/progress/classes/${DEMO_CLASS}/heatmap?framework=${MATH_2017_DOCUMENT}`, other)).statusCode).toBe(403);
    expect((await get(`/api/progress/classes/${DEMO_CLASS}/heatmap?framework=${MATH_2017_DOCUMENT}`, asLearner)).statusCode).toBe(403);
    const me = (await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}`, asLearner)).json().learner.id;
    expect((await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${me}`, other)).statusCode).toBe(403);
    expect((await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${me}`, asTeacher)).statusCode).toBe(200);
  });
});

describe('rules', () => {
  it('a teacher changes the rule and the labels; the map follows', async () => {
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/progress/rules',
      headers: { ...asTeacher, 'x-csrf-token': 'x' },
      payload: { framework: MATH_2017_DOCUMENT, rule: { minAnswers: 5 } },
    });
    expect(put.statusCode).toBe(403); // wrong CSRF token
    const s = await createSession(t.store.db, d.teacherUserId);
    const headers = { cookie: `shirube_session=${s.token}`, 'x-csrf-token': s.csrfToken };
    const ok = await t.app.inject({ method: 'PUT', url: '/api/progress/rules', headers, payload: { framework: MATH_2017_DOCUMENT, rule: { minAnswers: 5 } } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().rule).toEqual({ minAnswers: 5, lastK: 5, minCorrectRate: 0.8, recencyDays: null });
    const m = (await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}`, asLearner)).json();
    expect(m.nodes.find((n: { code: string }) => n.code === A).progress.state).toBe('in_progress');
    const bad = await t.app.inject({ method: 'PUT', url: '/api/progress/rules', headers, payload: { framework: MATH_2017_DOCUMENT, rule: { lastK: 50 } } });
    expect(bad.json().error.field).toBe('rule.lastK');
    const learnerPut = await t.app.inject({ method: 'PUT', url: '/api/progress/rules', headers: { ...asLearner, 'x-csrf-token': '' }, payload: { framework: MATH_2017_DOCUMENT } });
    expect(learnerPut.statusCode).toBe(403);
    await t.app.inject({ method: 'PUT', url: '/api/progress/rules', headers, payload: { framework: MATH_2017_DOCUMENT, rule: {} } });
  });
});

describe('GET /api/me', () => {
  it('tells a learner their learner id and class, a teacher their classes; same body as /api/auth/session', async () => {
    const me = (await get('/api/me', asLearner)).json();
    expect(me.learnerId).toEqual(expect.any(String));
    expect(me.classes).toEqual([{ id: DEMO_CLASS, title: '4年1組', schoolId: 'demo-school', role: 'learner', framework: MATH_2017_DOCUMENT }]);
    expect((await get('/api/auth/session', asLearner)).json()).toEqual(me);
    const teacher = (await get('/api/me', asTeacher)).json();
    expect(teacher).toMatchObject({ learnerId: null, classes: [{ id: DEMO_CLASS, role: 'teacher' }] });
    expect((await get('/api/me', {})).statusCode).toBe(401);
  });
});

describe('publishers’ units (CSV) in the unit view', () => {
  it('imports units and shows them as the unit view’s groups, with unit prerequisites', async () => {
    const s = await createSession(t.store.db, d.teacherUserId);
    const headers = { cookie: `shirube_session=${s.token}`, 'x-csrf-token': s.csrfToken, 'content-type': 'text/csv' };
    const url = `/api/progress/units?framework=${MATH_2017_DOCUMENT}&title=${encodeURIComponent('しるべ出版 さんすう1')}`;
    const csv = `unit,title,grade,order,items,after\nU1,かけざん1,2,1,${A} ${B},\nU2,かけざん2,2,2,${C},U1\n`;
    const res = await t.app.inject({ method: 'POST', url, headers, payload: csv });
    expect(res.statusCode).toBe(201);
    const scheme = res.json();
    expect(scheme).toMatchObject({ title: 'しるべ出版 さんすう1', units: 2 });
    expect((await get(`/api/progress/units?framework=${MATH_2017_DOCUMENT}`, asLearner)).json().schemes).toEqual([scheme]);
    const m = (await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&view=unit&units=${scheme.identifier}`, asLearner)).json();
    expect(m.groups.map((g: { label: string; summary: { total: number; mastered: number } }) => [g.label, g.summary.total, g.summary.mastered])).toEqual([
      ['かけざん1', 2, 1],
      ['かけざん2', 1, 0],
    ]);
    const [u1, u2] = m.groups.map((g: { id: string }) => g.id);
    expect(m.nodes.find((n: { code: string }) => n.code === A).group).toBe(u1);
    expect(m.nodes.filter((n: { group: string | null }) => n.group === null)).toHaveLength(214); // not in the scheme
    expect(m.unitEdges).toEqual([{ source: u1, target: u2, count: 1 }]); // explicit U1 → U2, and B precedes C
    const bad = await t.app.inject({ method: 'POST', url, headers, payload: 'unit,title,grade,items\nU1,x,1,9999\n' });
    expect(bad.json().error).toMatchObject({ code: 'invalid_request', field: 'line 2.items' });
    expect((await t.app.inject({ method: 'POST', url, headers: { ...asLearner, 'content-type': 'text/csv' }, payload: csv })).statusCode).toBe(403);
    expect((await get(`/api/progress/map?framework=${MATH_2017_DOCUMENT}&view=unit&units=${MATH_2017_DOCUMENT}`, asLearner)).statusCode).toBe(404);
  });
});

describe('GET /api/learners/{id}/evidence (the LRS evidence read API)', () => {
  it('is for the learner’s teachers, the learner and admins: 401 for nobody, 403 for anyone else', async () => {
    const mine = (await get('/api/me', asLearner)).json().learnerId as string;
    const asOther = await cookieOf(d.learnerUserIds[1]!);
    const theirs = (await get('/api/me', asOther)).json().learnerId as string;
    const otherTeacher = await session(t, [{ role: 'teacher', scopeType: 'class', scopeId: 'another-class' }]);
    const url = (id: string) => `/api/learners/${id}/evidence?itemId=${idOf(A)}`;

    const byTeacher = await get(url(mine), asTeacher);
    expect(byTeacher.statusCode).toBe(200);
    expect(JSON.stringify(byTeacher.json())).toContain(idOf(A));
    expect((await get(url(mine), asLearner)).json()).toEqual(byTeacher.json());
    expect((await get(url(theirs), asLearner)).statusCode).toBe(403);
    expect((await get(url(mine), { cookie: otherTeacher.cookie })).statusCode).toBe(403);
    expect((await t.app.inject(url(mine))).statusCode).toBe(401);
    // Export and erasure stay with administrators.
    expect((await get(`/api/learners/${mine}/export`, asTeacher)).statusCode).toBe(403);
  });
});
