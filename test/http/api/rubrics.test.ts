import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, bearer, session, sessionOf, type TestApp } from '../../helper.js';
import { MATH_2017_DOCUMENT } from '../../../src/progress/index.js';
import { auditEntries } from '../../../src/store/auth.js';
import { answered, demoClass, post } from '../../progress/fixture.js';
import { schemaErrors } from '../case/support.js';

/**
 * CFRubrics with A/B/C levels per item (docs/progress.md: Rubrics): imported in a CASE package or authored through
 * PUT /api/frameworks/{id}/rubrics/{rubricId}; they decide the item's labels and mastery, a badge can require a level.
 */
const X = '8250243111100000'; // 4年 整数の表し方 (ア) 億・兆
const Y = '8250243121100000'; // 4年 概数 (ア)
const RUBRICS_DOC = '5b6f0c1e-8d3a-4c55-9a61-0f7e2b3c4d5e';
const IMPORTED = '6c7a1d2f-9e4b-4d66-8b72-1a8f3c4d5e6f';
const AUTHORED = '7d8b2e3a-af5c-4e77-9c83-2b9a4d5e6f70';
let t: TestApp;
let d: Awaited<ReturnType<typeof demoClass>>;
let admin: Record<string, string>;
let author: Record<string, string>;
let teacher: Record<string, string>;
let learner0: Record<string, string>;
const idOf = (code: string) => d.structure.items.find((i) => i.code === code)!.id;
const inject = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
const level = (quality: string, score: number, description: string) => ({ quality, score, description });
/** The authored rubric: points 3/2/1, Mastered from B (extensions.masteryLevel). */
const authoredRubric = () => ({
  title: '4年 概数 評価規準',
  CFRubricCriteria: [{
    CFItemURI: { identifier: idOf(Y) },
    description: '概数が用いられる場合',
    extensions: { masteryLevel: 'B' },
    CFRubricCriterionLevels: [level('A', 3, '十分満足できる状況'), level('B', 2, 'おおむね満足できる状況'), level('C', 1, '努力を要する状況')],
  }],
});
/** Mean score `rate` over four answers on four days (enough answers for the default rule). */
const answers = (agent: Record<string, unknown>, code: string, scores: number[]) => scores.map((s, n) => answered(agent, code, s, `2025-05-0${n + 1}T01:00:00Z`));
const progressOf = async (who: Record<string, string>, learnerId: string, code: string) =>
  (await inject('GET', `/api/progress/learners/${learnerId}/items/${idOf(code)}?framework=${MATH_2017_DOCUMENT}`, who)).json();
let learnerIds: string[];
let rubricTag: string;

beforeAll(async () => {
  t = await build();
  d = await demoClass(t);
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  author = await session(t, [{ role: 'author', scopeType: 'framework', scopeId: MATH_2017_DOCUMENT }]);
  teacher = await sessionOf(t, d.teacherUserId);
  learner0 = await sessionOf(t, d.learnerUserIds[0]!);
  learnerIds = await Promise.all(d.learnerUserIds.slice(0, 2).map(async (u) => (await inject('GET', '/api/badges/passport', await sessionOf(t, u))).json().learnerId as string));
  // learner 0: mean 0.85 on X and 0.75 on Y; learner 1: all correct on X.
  await post(t, d.writer, [...answers(d.agents[0]!, X, [1, 0.7, 0.9, 0.8]), ...answers(d.agents[0]!, Y, [1, 0, 1, 1]), ...answers(d.agents[1]!, X, [1, 1, 1, 1])]);
}, 120_000);
afterAll(() => t.close());

describe('without rubrics', () => {
  it('the framework rule and labels decide: 0.85 is Mastered with A, 0.75 in progress with B', async () => {
    const x = (await progressOf(teacher, learnerIds[0]!, X)).progress;
    expect(x).toMatchObject({ state: 'mastered', label: 'A' });
    expect(x.correctRate).toBeCloseTo(0.85, 10);
    expect((await progressOf(teacher, learnerIds[0]!, Y)).progress).toMatchObject({ state: 'in_progress', label: 'B', correctRate: 0.75 });
    expect((await progressOf(teacher, learnerIds[0]!, X)).rubric).toBeNull();
  });
});

describe('an imported CFRubric (its own CASE document, scores as mean correct rates)', () => {
  it('imports with the package and is served by the CASE API, schema-valid', async () => {
    const pkg = {
      CFDocument: { identifier: RUBRICS_DOC, uri: `https://board.example/uri/${RUBRICS_DOC}`, title: '4年 算数 評価規準（教育委員会）', creator: 'しるべ市教育委員会', lastChangeDateTime: '2026-04-01T00:00:00+00:00', adoptionStatus: 'Draft', language: 'ja' },
      CFItems: [],
      CFAssociations: [],
      CFRubrics: [{
        identifier: IMPORTED, uri: `https://board.example/uri/${IMPORTED}`, title: '整数の表し方', lastChangeDateTime: '2026-04-01T00:00:00+00:00',
        CFRubricCriteria: [{
          identifier: '8e9c3f4b-b06d-4f88-8d94-3cab5e6f7081', uri: 'https://board.example/uri/8e9c3f4b-b06d-4f88-8d94-3cab5e6f7081', lastChangeDateTime: '2026-04-01T00:00:00+00:00',
          rubricId: IMPORTED, position: 1, CFItemURI: { title: X, identifier: idOf(X), uri: `http://shirube.test/uri/${idOf(X)}` },
          CFRubricCriterionLevels: ['A', 'B', 'C'].map((q, i) => ({
            identifier: `9fad4a5c-c17e-4a99-8ea5-4dbc6f7081${92 + i}`, uri: `https://board.example/uri/l${i}`, lastChangeDateTime: '2026-04-01T00:00:00+00:00',
            quality: q, score: [0.9, 0.6, 0][i], position: i + 1, description: ['億・兆の単位を用いて数を表し、仕組みを説明できる', '億・兆の単位を用いて数を表せる', '大きな数の読み書きに支援が要る'][i],
          })),
        }],
      }],
    };
    const res = await t.app.inject({ method: 'POST', url: '/api/frameworks/import', headers: admin, payload: pkg });
    expect(res.statusCode, res.body).toBe(201);
    const served = await t.app.inject({ method: 'GET', url: `/ims/case/v1p1/CFRubrics/${IMPORTED}` });
    expect(served.statusCode).toBe(200);
    expect(schemaErrors('getCFRubric', served.json())).toEqual([]);
  });

  it('decides X: 0.85 is below the rubric’s A (0.9), so B and not Mastered; all correct is A and Mastered', async () => {
    const x0 = await progressOf(teacher, learnerIds[0]!, X);
    expect(x0.progress).toMatchObject({ state: 'in_progress', label: 'B' });
    expect(x0.progress.correctRate).toBeCloseTo(0.85, 10);
    expect(x0.rubric).toMatchObject({ rubric: { identifier: IMPORTED, title: '整数の表し方' }, levels: [{ quality: 'A', min: 0.9 }, { quality: 'B', min: 0.6 }, { quality: 'C', min: 0 }] });
    expect(x0.rubric.mastery).toBe(x0.rubric.levels[0].identifier);
    expect(x0.timeline.at(-1)).toMatchObject({ state: 'in_progress', label: 'B' });
    expect((await progressOf(teacher, learnerIds[1]!, X)).progress).toMatchObject({ state: 'mastered', label: 'A' });
    // The map (one learner) agrees with the item view.
    const map = (await inject('GET', `/api/progress/map?framework=${MATH_2017_DOCUMENT}`, learner0)).json();
    expect(map.nodes.find((n: { code: string }) => n.code === X).progress).toMatchObject({ state: 'in_progress', label: 'B' });
    // The item's page shows the rubric: each level with its description, the one that counts as mastered marked.
    const page = await t.app.inject({ method: 'GET', url: `/uri/${idOf(X)}?lang=ja`, headers: { accept: 'text/html' } });
    expect(page.body).toContain('ルーブリック（評価規準）');
    expect(page.body).toMatch(/<th scope="row">A <small>\(習得とみなす段階\)<\/small><\/th><td>0.9<\/td><td>億・兆の単位を用いて数を表し、仕組みを説明できる<\/td>/);
    expect(page.body).toContain(`href="/uri/${IMPORTED}?lang=ja"`);
    const rubricPage = await t.app.inject({ method: 'GET', url: `/uri/${IMPORTED}?lang=en`, headers: { accept: 'text/html' } });
    expect(rubricPage.body).toContain('<h2 id="criteria">Criteria</h2>');
    expect(rubricPage.body).toContain('大きな数の読み書きに支援が要る');
    const rules = (await inject('GET', `/api/progress/rules?framework=${MATH_2017_DOCUMENT}`, teacher)).json();
    expect(Object.keys(rules.rubrics)).toEqual([idOf(X)]);
  });
});

describe('PUT /api/frameworks/{id}/rubrics/{rubricId}: an authored rubric', () => {
  it('refuses callers without author rights before reading the body: anonymous 401, a learner or a teacher 403', async () => {
    expect((await inject('PUT', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${AUTHORED}`, {}, authoredRubric())).statusCode).toBe(401);
    expect((await inject('PUT', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${AUTHORED}`, learner0, authoredRubric())).statusCode).toBe(403);
    expect((await inject('PUT', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${AUTHORED}`, teacher, {})).statusCode).toBe(403);
    const otherAuthor = await session(t, [{ role: 'author', scopeType: 'framework', scopeId: RUBRICS_DOC }]);
    expect((await inject('PUT', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${AUTHORED}`, otherAuthor, authoredRubric())).statusCode).toBe(403);
  });

  it('answers bad input with 400 naming the field, and stores nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...authoredRubric(), CFRubricCriteria: [] }, 'CFRubricCriteria'],
      [{ CFRubricCriteria: [{ ...authoredRubric().CFRubricCriteria[0], CFItemURI: { identifier: '00000000-0000-4000-8000-000000000000' } }] }, 'CFRubricCriteria.0.CFItemURI.identifier'],
      [{ CFRubricCriteria: [{ ...authoredRubric().CFRubricCriteria[0], CFRubricCriterionLevels: [level('A', 3, ''), { quality: 'B', description: 'no score' }] }] }, 'CFRubricCriteria.0.CFRubricCriterionLevels.1.score'],
      [{ CFRubricCriteria: [{ ...authoredRubric().CFRubricCriteria[0], CFRubricCriterionLevels: [level('A', 3, ''), level('A', 2, '')] }] }, 'CFRubricCriteria.0.CFRubricCriterionLevels.1.quality'],
      [{ CFRubricCriteria: [{ ...authoredRubric().CFRubricCriteria[0], extensions: { masteryLevel: 'S' } }] }, 'CFRubricCriteria.0.extensions.masteryLevel'],
      [{ ...authoredRubric(), identifier: IMPORTED }, 'identifier'],
      [{ ...authoredRubric(), colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await inject('PUT', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${AUTHORED}`, author, body);
      expect(res.statusCode, field).toBe(400);
      expect(res.json().imsx_description ?? res.json().message ?? res.body).toContain(field);
    }
    expect((await t.app.inject({ method: 'GET', url: `/ims/case/v1p1/CFRubrics/${AUTHORED}` })).statusCode).toBe(404);
    // A rubric another framework holds is not taken over.
    expect((await inject('PUT', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${IMPORTED}`, admin, authoredRubric())).statusCode).toBe(409);
  });

  it('creates (201), fills in what CASE needs, is audited and moves the framework’s lastChangeDateTime on', async () => {
    const before = (await t.app.inject({ method: 'GET', url: `/ims/case/v1p1/CFDocuments/${MATH_2017_DOCUMENT}` })).json().lastChangeDateTime;
    const res = await inject('PUT', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${AUTHORED}`, author, authoredRubric());
    expect(res.statusCode, res.body).toBe(201);
    rubricTag = res.headers['etag'] as string;
    const r = res.json();
    expect(r).toMatchObject({ identifier: AUTHORED, uri: `http://shirube.test/uri/${AUTHORED}`, title: '4年 概数 評価規準' });
    const c = r.CFRubricCriteria[0];
    expect(c).toMatchObject({ rubricId: AUTHORED, position: 1, CFItemURI: { identifier: idOf(Y), title: Y, uri: `http://shirube.test/uri/${idOf(Y)}` } });
    expect(c.CFRubricCriterionLevels.map((l: { rubricCriterionId: string; quality: string }) => [l.rubricCriterionId, l.quality])).toEqual([[c.identifier, 'A'], [c.identifier, 'B'], [c.identifier, 'C']]);
    const served = (await t.app.inject({ method: 'GET', url: `/ims/case/v1p1/CFRubrics/${AUTHORED}` })).json();
    expect(schemaErrors('getCFRubric', served)).toEqual([]);
    const pkg = (await t.app.inject({ method: 'GET', url: `/ims/case/v1p1/CFPackages/${MATH_2017_DOCUMENT}` })).json();
    expect(pkg.CFRubrics.map((x: { identifier: string }) => x.identifier)).toEqual([AUTHORED]);
    expect(Date.parse(pkg.CFDocument.lastChangeDateTime)).toBeGreaterThan(Date.parse(before));
    const audit = await auditEntries(t.store.db, 'CFRubric', AUTHORED);
    expect(audit.map((a) => a.action)).toEqual(['rubric.create']);
    // /uri/ resolves the rubric too.
    expect((await t.app.inject({ method: 'GET', url: `/uri/${AUTHORED}`, headers: { accept: 'application/json' } })).json().identifier).toBe(AUTHORED);
  });

  it('decides Y with points 3/2/1 read as shares of 3 and Mastered from B: 0.75 is Mastered with B', async () => {
    const y = await progressOf(teacher, learnerIds[0]!, Y);
    expect(y.progress).toMatchObject({ state: 'mastered', label: 'B', correctRate: 0.75 });
    expect(y.rubric.levels.map((l: { quality: string; min: number }) => [l.quality, Number(l.min.toFixed(3))])).toEqual([['A', 1], ['B', 0.667], ['C', 0]]);
    expect(y.rubric.levels.find((l: { identifier: string }) => l.identifier === y.rubric.mastery).quality).toBe('B');
  });

  it('replaces (200) with an update audited; DELETE (204) gives the item back to the framework rule', async () => {
    const changed = authoredRubric();
    changed.CFRubricCriteria[0]!.extensions = { masteryLevel: 'A' };
    // Replacing and deleting need the rubric's ETag (docs/authoring.md).
    expect((await inject('PUT', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${AUTHORED}`, author, changed)).statusCode).toBe(428);
    const res = await inject('PUT', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${AUTHORED}`, { ...author, 'if-match': rubricTag }, changed);
    expect(res.statusCode).toBe(200);
    expect((await progressOf(teacher, learnerIds[0]!, Y)).progress).toMatchObject({ state: 'in_progress', label: 'B' });
    expect((await inject('DELETE', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${AUTHORED}`, learner0)).statusCode).toBe(403);
    expect((await inject('DELETE', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${AUTHORED}`, { ...author, 'if-match': rubricTag })).statusCode).toBe(412);
    expect((await inject('DELETE', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${AUTHORED}`, { ...author, 'if-match': res.headers['etag'] as string })).statusCode).toBe(204);
    expect((await inject('DELETE', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${AUTHORED}`, author)).statusCode).toBe(404);
    expect((await progressOf(teacher, learnerIds[0]!, Y)).progress).toMatchObject({ state: 'in_progress', label: 'B', correctRate: 0.75 });
    expect((await progressOf(teacher, learnerIds[0]!, Y)).rubric).toBeNull();
    expect((await t.app.inject({ method: 'GET', url: `/ims/case/v1p1/CFRubrics/${AUTHORED}` })).statusCode).toBe(404);
    expect((await auditEntries(t.store.db, 'CFRubric', AUTHORED)).map((a) => a.action).sort()).toEqual(['rubric.create', 'rubric.delete', 'rubric.update']);
  });

  it('an API client with case:write may author', async () => {
    const client = await bearer(t, ['case:write']);
    expect((await inject('PUT', `/api/frameworks/${MATH_2017_DOCUMENT}/rubrics/${AUTHORED}`, client, authoredRubric())).statusCode).toBe(201);
  });
});

describe('badge criteria: an achievement that requires a rubric level', () => {
  it('rule {kind: rubricLevel, level} needs that level in the item’s rubric (400 naming rule.level)', async () => {
    expect((await inject('POST', '/api/badges/achievements/defaults', admin, { framework: MATH_2017_DOCUMENT })).statusCode).toBe(200);
    const list = (await inject('GET', `/api/badges/achievements?framework=${MATH_2017_DOCUMENT}`, admin)).json().achievements as Array<{ id: string; humanCode: string }>;
    const ofX = list.find((a) => a.humanCode === X)!;
    const ofZ = list.find((a) => a.humanCode === '8250243121200000')!;
    const noRubric = await inject('PATCH', `/api/badges/achievements/${ofZ.id}`, admin, { rule: { kind: 'rubricLevel', level: 'A' } });
    expect(noRubric.statusCode).toBe(400);
    expect(noRubric.body).toContain('rule.level');
    expect((await inject('PATCH', `/api/badges/achievements/${ofX.id}`, admin, { rule: { kind: 'rubricLevel', level: 'S' } })).statusCode).toBe(400);
    const ok = await inject('PATCH', `/api/badges/achievements/${ofX.id}`, admin, { rule: { kind: 'rubricLevel', level: 'A' } });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('makes a candidate of the learner at A (all correct) and not of the one at B (0.85)', async () => {
    // A new answer re-evaluates the achievements of the item.
    await post(t, d.writer, [answered(d.agents[0]!, X, 0.9, '2025-05-05T01:00:00Z'), answered(d.agents[1]!, X, 1, '2025-05-05T01:00:00Z')]);
    const list = (await inject('GET', `/api/badges/achievements?framework=${MATH_2017_DOCUMENT}`, admin)).json().achievements as Array<{ id: string; humanCode: string }>;
    const ofX = list.find((a) => a.humanCode === X)!;
    const pending = ((await inject('GET', '/api/badges/candidates', teacher)).json().candidates as Array<{ achievementId: string; learnerId: string }>).filter((c) => c.achievementId === ofX.id);
    expect(pending.map((c) => c.learnerId)).toEqual([learnerIds[1]]);
  });
});
