import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, build, type TestApp } from '../../helper.js';
import { MATH_2017_DOCUMENT } from '../../../src/progress/index.js';
import { answered, classCallers, demoClass, masteredAnswers, post } from '../../progress/fixture.js';

const A = '8250213111100000'; // 1年 数の構成と表し方 (ア): mastered, with a badge
const B = '8250213111200000'; // 1年 数の構成と表し方 (イ): one wrong answer
let t: TestApp;
let d: Awaited<ReturnType<typeof demoClass>>;
type Headers = Record<string, string>;
// Callers: an administrator, a competency:read client, the class's teacher, learners 0 and 1, another class's teacher.
let admin: Headers, system: Headers, teacher: Headers, learner0: Headers, learner1: Headers, otherTeacher: Headers;
let learnerId: string;
let credentialId: string;
const idOf = (code: string) => d.structure.items.find((i) => i.code === code)!.id;
const get = (url: string, headers: Record<string, string>) => t.app.inject({ url, headers });
const agentParam = (i: number) => encodeURIComponent(JSON.stringify(d.agents[i]));

beforeAll(async () => {
  t = await build({ SHIRUBE_SECRET_KEY: 'test-secret-key-of-at-least-32-characters' });
  d = await demoClass(t);
  ({ admin, otherTeacher, teacher, learner0, learner1 } = await classCallers(t, d));
  system = await bearer(t, ['competency:read']);
  expect((await t.app.inject({ method: 'POST', url: '/api/badges/achievements/defaults', headers: admin, payload: { framework: MATH_2017_DOCUMENT } })).statusCode).toBe(200);
  await post(t, d.writer, [...masteredAnswers(d.agents[0]!, A), answered(d.agents[0]!, B, false, '2025-05-04T02:00:00Z')]);
  const [c] = (await get('/api/badges/candidates', teacher)).json().candidates;
  learnerId = c.learnerId;
  const approved = await t.app.inject({ method: 'POST', url: '/api/badges/candidates/approve', headers: teacher, payload: { candidates: [{ achievementId: c.achievementId, learnerId }] } });
  expect(approved.statusCode, approved.body).toBe(201);
  credentialId = approved.json().credentials[0].id;
}, 180_000);
afterAll(() => t?.close());

describe('GET /api/competencies/assertions', () => {
  it('asserts a held item with level, since when, the counted statements and the aligned badge', async () => {
    const res = await get(`/api/competencies/assertions?learner=${learnerId}&item=${A}`, system);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ subject: learnerId, agent: 'http://shirube.test', asOf: null, frameworks: [{ identifier: MATH_2017_DOCUMENT, items: 1, held: 1 }] });
    const [a] = body.assertions;
    expect(a).toMatchObject({
      competency: `http://shirube.test/uri/${idOf(A)}`, competencyId: idOf(A), code: A, framework: `http://shirube.test/uri/${MATH_2017_DOCUMENT}`,
      subject: learnerId, holds: true, negative: false, state: 'mastered', level: 'A', since: '2025-05-03',
      evidence: { attempts: 4, correct: 4, correctRate: 1, lastAt: '2025-05-04T01:00:00.000Z' },
    });
    expect(a.confidence).toBeGreaterThan(0.5);
    // The rule's window: the last 5 answers, here all four, oldest first.
    expect(a.evidence.statements.map((s: { timestamp: string }) => s.timestamp)).toEqual(['2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04'].map((x) => `${x}T01:00:00.000Z`));
    expect(a.evidence.statements.every((s: { id: string; success: boolean }) => /^[0-9a-f-]{36}$/.test(s.id) && s.success)).toBe(true);
    expect(a.evidence.badges).toEqual([
      expect.objectContaining({ id: credentialId, url: `http://shirube.test/badges/credentials/${credentialId.slice(9)}`, revoked: false, validUntil: null, achievement: expect.objectContaining({ name: expect.stringContaining(A) }) }),
    ]);
  });

  it('names the item by UUID or CASE URI too; a negative assertion after wrong answers; as of an earlier day', async () => {
    const byUri = (await get(`/api/competencies/assertions?learner=${learnerId}&item=${encodeURIComponent(`http://shirube.test/uri/${idOf(A)}`)}`, system)).json();
    expect(byUri.assertions[0]).toMatchObject({ competencyId: idOf(A), holds: true });
    const b = (await get(`/api/competencies/assertions?learner=${learnerId}&item=${idOf(B)}`, system)).json().assertions[0];
    expect(b).toMatchObject({ holds: false, negative: true, state: 'in_progress', level: 'C', since: null, evidence: { attempts: 1, correct: 0, badges: [] } });
    const before = (await get(`/api/competencies/assertions?learner=${learnerId}&item=${A}&asOf=2025-05-02`, system)).json();
    expect(before).toMatchObject({ asOf: '2025-05-02', assertions: [{ holds: false, negative: true, since: null, evidence: { attempts: 2 } }] });
  });

  it('answers for a whole framework: every content item, no assertion either way where nothing was answered', async () => {
    const body = (await get(`/api/competencies/assertions?agent=${agentParam(0)}&framework=${MATH_2017_DOCUMENT}`, system)).json();
    expect(body.frameworks).toEqual([expect.objectContaining({ identifier: MATH_2017_DOCUMENT, items: d.structure.items.length, held: 1 })]);
    expect(body.assertions).toHaveLength(d.structure.items.length);
    expect(body.assertions.filter((a: { holds: boolean }) => a.holds).map((a: { code: string }) => a.code)).toEqual([A]);
    const untouched = body.assertions.find((a: { code: string }) => a.code !== A && a.code !== B);
    expect(untouched).toMatchObject({ holds: false, negative: false, state: 'not_started', since: null, evidence: { attempts: 0, statements: [], badges: [] } });
  });

  it('lets a teacher of the class and the learner themselves ask; others get 403, nobody 401, unknown ones 404', async () => {
    expect((await get(`/api/competencies/assertions?learner=${learnerId}&item=${A}`, teacher)).statusCode).toBe(200);
    expect((await get(`/api/competencies/assertions?item=${A}`, learner0)).json().subject).toBe(learnerId);
    expect((await get(`/api/competencies/assertions?learner=${learnerId}&item=${A}`, admin)).statusCode).toBe(200);
    expect((await get(`/api/competencies/assertions?learner=${learnerId}&item=${A}`, learner1)).statusCode).toBe(403);
    expect((await get(`/api/competencies/assertions?learner=${learnerId}&item=${A}`, otherTeacher)).statusCode).toBe(403);
    expect((await get(`/api/competencies/assertions?agent=${agentParam(0)}&item=${A}`, otherTeacher)).statusCode).toBe(403);
    expect((await get(`/api/competencies/assertions?learner=${learnerId}&item=${A}`, await bearer(t, ['xapi:statements/read']))).statusCode).toBe(403);
    expect((await get(`/api/competencies/assertions?learner=${learnerId}&item=${A}`, {})).statusCode).toBe(401);
    // Whether a learner or an Agent exists: 404 only for those who may see anyone.
    const unknownAgent = encodeURIComponent(JSON.stringify({ account: { homePage: 'https://idp.example.jp', name: 'nobody' } }));
    expect((await get(`/api/competencies/assertions?agent=${unknownAgent}&item=${A}`, otherTeacher)).statusCode).toBe(403);
    expect((await get(`/api/competencies/assertions?learner=nobody&item=${A}`, teacher)).statusCode).toBe(403);
    expect((await get(`/api/competencies/assertions?agent=${unknownAgent}&item=${A}`, system)).json().error).toMatchObject({ code: 'not_found', field: 'agent' });
    expect((await get(`/api/competencies/assertions?learner=nobody&item=${A}`, system)).json().error).toMatchObject({ code: 'not_found', field: 'learner' });
  });

  it('refuses bad questions naming the parameter', async () => {
    const err = async (q: string, status: number, field: string) => {
      const res = await get(`/api/competencies/assertions?${q}`, system);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().error.field).toBe(field);
    };
    await err(`learner=${learnerId}`, 400, 'item');
    await err(`learner=${learnerId}&item=${A}&framework=${MATH_2017_DOCUMENT}`, 400, 'framework');
    await err(`learner=${learnerId}&agent=${agentParam(0)}&item=${A}`, 400, 'agent');
    await err(`item=${A}`, 400, 'learner');
    await err(`learner=${learnerId}&item=${A}&asOf=2025-13-01`, 400, 'asOf');
    await err(`learner=${learnerId}&agent=notjson&item=${A}`, 400, 'agent');
    await err(`learner=${learnerId}&item=9999999999999999`, 404, 'item');
    await err(`learner=${learnerId}&item=8250213000000000`, 404, 'item');
    await err(`learner=${learnerId}&framework=nope`, 404, 'framework');
  });

  it('audits every answer: who asked about which learner and what, never the results', async () => {
    const audit = (await get('/api/audit?action=competency.read&limit=1000', admin)).json();
    const mine = audit.entries.filter((e: { actor: string }) => e.actor.startsWith('client:'));
    expect(mine.length).toBeGreaterThanOrEqual(5);
    expect(mine.every((e: { targetType: string; targetId: string }) => e.targetType === 'learner' && e.targetId === learnerId)).toBe(true);
    expect(mine.map((e: { details: Record<string, unknown> }) => e.details)).toContainEqual({ item: A, assertions: 1 });
    expect(mine.map((e: { details: Record<string, unknown> }) => e.details)).toContainEqual({ framework: MATH_2017_DOCUMENT, assertions: d.structure.items.length });
    expect(JSON.stringify(audit)).not.toContain('"holds"');
    // Refused questions leave no entry (only answers are audited): 3 teachers, 1 learner, 1 admin above.
    expect(audit.entries.filter((e: { actor: string }) => e.actor.startsWith('user:')).length).toBe(3);
  });
});
