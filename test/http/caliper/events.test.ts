import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { bearer, buildListening, session, sessionOf, type TestApp } from '../../helper.js';
import { createApiClient } from '../../../src/auth/index.js';
import { ensureDemoFramework } from '../../../src/case/demo.js';
import { MATH_2017_DOCUMENT, savePerson } from '../../../src/progress/index.js';

// 4年 A(4) 除法 (ア): a content item of 算数 2017, a node of the learning map.
const CODE = '8250243121100000';
const V1P2 = 'http://purl.imsglobal.org/ctx/caliper/v1p2';

let t: TestApp & { base: string };
let writer: { authorization: string };
let admin: { cookie: string; 'x-csrf-token': string };
let item: { identifier: string; uri: string };
beforeAll(async () => {
  t = await buildListening();
  await ensureDemoFramework(t.store.db, () => {});
  const row = await t.store.db.selectFrom('cf_item').select(['identifier']).where('human_coding_scheme', '=', CODE).executeTakeFirstOrThrow();
  item = { identifier: row.identifier, uri: `${t.base}/uri/${row.identifier}` };
  writer = await bearer(t, ['caliper:write']);
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
}, 120_000);
afterAll(() => t?.close());

/** POST over the socket, as a sensor does. */
const send = (body: unknown, headers: Record<string, string> = writer, contentType = 'application/json') =>
  fetch(`${t.base}/caliper/v1p2/events`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

const envelope = (...data: unknown[]) => ({ sensor: 'https://drill.example.jp/sensors/1', sendTime: '2026-11-22T01:05:01.000Z', dataVersion: V1P2, data });
const person = (n: string) => ({ id: `https://drill.example.jp/users/${n}`, type: 'Person' });
const assessmentItem = (learningObjectives: unknown[] = [{ id: item.uri, type: 'LearningObjective', name: '除法' }]) => ({
  id: 'https://drill.example.jp/assess/7/items/3',
  type: 'AssessmentItem',
  name: 'わり算 3',
  isPartOf: { id: 'https://drill.example.jp/assess/7', type: 'Assessment' },
  learningObjectives,
});
/** A GradeEvent: the drill's autograder scored the learner's attempt on the item. */
const gradeEvent = (learner: string, scoreGiven: number, over: Record<string, unknown> = {}) => ({
  '@context': V1P2,
  id: `urn:uuid:${randomUUID()}`,
  type: 'GradeEvent',
  profile: 'GradingProfile',
  actor: { id: 'https://drill.example.jp/autograder', type: 'SoftwareApplication' },
  action: 'Graded',
  object: {
    id: `https://drill.example.jp/assess/7/items/3/users/${learner}/attempts/1`,
    type: 'Attempt',
    assignee: person(learner),
    assignable: assessmentItem(),
    count: 1,
    startedAtTime: '2026-11-22T01:00:02.000Z',
    endedAtTime: '2026-11-22T01:00:12.000Z',
  },
  eventTime: '2026-11-22T01:00:30.000Z',
  edApp: 'https://drill.example.jp',
  generated: { id: `https://drill.example.jp/scores/${randomUUID()}`, type: 'Score', scoreGiven, maxScore: 5 },
  ...over,
});

const count = async () => {
  const { rows } = await sql<{ statements: number; learners: number; evidence: number }>`
    select (select count(*)::int from xapi_statement) as statements, (select count(*)::int from learner) as learners, (select count(*)::int from evidence) as evidence`.execute(t.store.db);
  return rows[0]!;
};
const learnerOf = async (name: string) => {
  const agent = encodeURIComponent(JSON.stringify({ account: { homePage: `${t.base}/caliper/persons`, name: `https://drill.example.jp/users/${name}` } }));
  const r = await t.app.inject({ url: `/api/learners?agent=${agent}`, headers: admin });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().learnerId as string;
};

describe('Caliper 1.2 events become evidence', () => {
  it('a GradeEvent for a 算数 item shows on the learner’s map and item detail; re-sending it is idempotent', async () => {
    const learner = `s-${randomUUID()}`;
    const event = gradeEvent(learner, 4);
    const res = await send(envelope(event));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.text()).toBe('');
    const learnerId = await learnerOf(learner);
    const map = (await t.app.inject({ url: `/api/progress/map?framework=${MATH_2017_DOCUMENT}&learner=${learnerId}`, headers: admin })).json();
    const node = map.nodes.find((n: { id: string }) => n.id === item.identifier);
    expect(node.progress).toMatchObject({ state: 'in_progress', attempts: 1, correct: 0, lastAt: '2026-11-22T01:00:12.000Z' });
    const detail = (await t.app.inject({ url: `/api/progress/learners/${learnerId}/items/${item.identifier}`, headers: admin })).json();
    const statementId = event.id.slice('urn:uuid:'.length);
    expect(detail.evidence).toEqual([expect.objectContaining({ statementId, score: 0.8, success: false, verb: 'http://adlnet.gov/expapi/verbs/scored', activity: 'https://drill.example.jp/assess/7/items/3' })]);

    const before = await count();
    const again = await send(envelope(event));
    expect(again.status).toBe(200);
    expect(await count()).toEqual(before);
    const rollup = (await t.app.inject({ url: `/api/learners/${learnerId}/evidence?itemId=${item.identifier}`, headers: admin })).json().rollups[0];
    expect(rollup).toMatchObject({ attempts: 1, correct: 0, scored: 1 });

    // The stored statement is the translation docs/caliper.md describes.
    const xapi = await createApiClient(t.store.db, { name: 'reader', scopes: ['xapi:statements/read'] });
    const got = await fetch(`${t.base}/xapi/statements?statementId=${statementId}`, {
      headers: { authorization: `Basic ${Buffer.from(`${xapi.clientId}:${xapi.clientSecret}`).toString('base64')}`, 'x-experience-api-version': '2.0.0' },
    });
    expect(await got.json()).toMatchObject({
      id: statementId,
      actor: { account: { homePage: `${t.base}/caliper/persons`, name: `https://drill.example.jp/users/${learner}` } },
      verb: { id: 'http://adlnet.gov/expapi/verbs/scored' },
      object: { id: 'https://drill.example.jp/assess/7/items/3', definition: { type: 'http://adlnet.gov/expapi/activities/question', name: { und: 'わり算 3' }, extensions: { [`${t.base}/xapi/extensions/cf-item`]: [item.uri] } } },
      result: { score: { scaled: 0.8, raw: 4, min: 0, max: 5 } },
      timestamp: '2026-11-22T01:00:12.000Z',
      context: { platform: 'https://drill.example.jp', extensions: { [`${t.base}/xapi/extensions/caliper-event`]: { id: event.id, type: 'GradeEvent', action: 'Graded' } } },
    });
  });

  it('links items by UUID URN, CaseItemUri identifiers and Course of Study Codes; item events, assessments and entity describes in one envelope', async () => {
    const learner = `s-${randomUUID()}`;
    const started = {
      '@context': V1P2, id: `urn:uuid:${randomUUID()}`, type: 'AssessmentItemEvent', profile: 'AssessmentProfile', actor: person(learner), action: 'Started',
      object: assessmentItem([`urn:uuid:${item.identifier}`]), eventTime: '2026-11-22T02:00:00.000Z',
    };
    const completed = {
      ...started, id: `urn:uuid:${randomUUID()}`, action: 'Completed', eventTime: '2026-11-22T02:00:10.000Z',
      object: assessmentItem([{ id: 'https://drill.example.jp/objectives/9', type: 'LearningObjective', otherIdentifiers: [{ type: 'SystemIdentifier', identifier: item.uri, identifierType: 'CaseItemUri' }] }]),
      generated: { id: 'https://drill.example.jp/responses/1', type: 'FillinBlankResponse', values: ['3'] },
    };
    const byCode = gradeEvent(learner, 5, {
      object: { ...gradeEvent(learner, 5).object, assignable: { id: 'https://drill.example.jp/items/x', type: 'AssessmentItem', extensions: { 'https://w3id.org/japan-xapi/extensions/course-of-study-code': [CODE] } } },
    });
    const quiz = { '@context': V1P2, id: `urn:uuid:${randomUUID()}`, type: 'AssessmentEvent', actor: person(learner), action: 'Submitted', object: { id: 'https://drill.example.jp/assess/7', type: 'Assessment', learningObjectives: [item.uri] }, eventTime: '2026-11-22T02:05:00.000Z' };
    const describe = { '@context': V1P2, id: 'https://drill.example.jp/assess/7', type: 'Assessment', name: 'Quiz' };
    const res = await send(envelope(started, completed, describe, byCode, quiz));
    expect(res.status, await res.clone().text()).toBe(200);
    const learnerId = await learnerOf(learner);
    const e = (await t.app.inject({ url: `/api/learners/${learnerId}/evidence?itemId=${item.identifier}`, headers: admin })).json();
    const by = new Map(e.evidence.map((x: { statementId: string }) => [x.statementId, x]));
    const id = (ev: { id: string }) => ev.id.slice(9);
    expect(by.get(id(started))).toMatchObject({ score: null, success: null, via: 'activity_extension' });
    expect(by.get(id(completed))).toMatchObject({ score: null, via: 'activity_extension' });
    expect(by.get(id(byCode))).toMatchObject({ score: 1, success: true, via: 'course_of_study_code' });
    expect(by.get(id(quiz))).toMatchObject({ via: 'activity_extension' });
    // Only the graded answer is an attempt: starting, completing without a score and submitting a quiz are not.
    expect(e.rollups[0]).toMatchObject({ attempts: 1, correct: 1 });
  });

  it('a Person carrying a OneRoster sourcedId is that rostered student, who sees the evidence on their own map', async () => {
    const sourcedId = `st-${randomUUID()}`;
    const student = await savePerson(t.store.db, { id: sourcedId, role: 'student', displayName: '児童 99', schoolId: null, source: 'manual' }, t.base);
    const event = gradeEvent('lms-42', 5);
    event.object.assignee = { ...person('lms-42'), otherIdentifiers: [{ type: 'SystemIdentifier', identifier: sourcedId, identifierType: 'OneRosterSourcedId' }] } as typeof event.object.assignee;
    expect((await send(envelope(event))).status).toBe(200);
    const own = await sessionOf(t, student.userId!);
    const map = (await t.app.inject({ url: `/api/progress/map?framework=${MATH_2017_DOCUMENT}`, headers: own })).json();
    expect(map.learner.id).toBe(student.learnerId);
    expect(map.nodes.find((n: { id: string }) => n.id === item.identifier).progress).toMatchObject({ attempts: 1, correct: 1 });
  });

  it('accepts HTTP Basic with the client id and secret, and answers the endpoint configuration', async () => {
    const c = await createApiClient(t.store.db, { name: 'sensor', scopes: ['caliper:write'] });
    const basic = { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}` };
    expect((await send(envelope(gradeEvent(`s-${randomUUID()}`, 1)), basic)).status).toBe(200);
    const config = await fetch(`${t.base}/caliper/v1p2/events`, { headers: writer });
    expect(await config.json()).toMatchObject({ caliper_supported_versions: [V1P2] });
    // A sensor in a browser: the preflight needs no credentials, the answer names the origin.
    const preflight = await fetch(`${t.base}/caliper/v1p2/events`, { method: 'OPTIONS', headers: { origin: 'https://drill.example.jp', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://drill.example.jp');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    // The statements' extension IRI resolves to its description (xAPI Data §4.1).
    const page = await fetch(`${t.base}/xapi/extensions/caliper-event`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/caliper/v1p2/events');
  });
});

describe('refused envelopes store nothing', () => {
  const refused = async (body: unknown, status: number, field?: string, headers?: Record<string, string>, contentType?: string) => {
    const before = await count();
    const res = await send(body, headers, contentType);
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = JSON.parse(text);
    expect(problem).toMatchObject({ status, type: 'about:blank' });
    if (field) expect(problem.field, text).toBe(field);
    expect(await count()).toEqual(before);
    return problem;
  };

  it('401 without credentials, 403 without caliper:write, 415 for another content type', async () => {
    await refused(envelope(gradeEvent('x', 1)), 401, undefined, {});
    await refused(envelope(gradeEvent('x', 1)), 401, undefined, { authorization: 'Bearer nope' });
    await refused(envelope(gradeEvent('x', 1)), 403, undefined, await bearer(t, ['xapi:statements/write']));
    await refused(JSON.stringify(envelope(gradeEvent('x', 1))), 415, undefined, writer, 'text/plain');
  });

  it('400 naming the field for malformed envelopes and events, 422 for another Caliper version', async () => {
    const ok = gradeEvent('x', 1);
    await refused([ok], 400);
    await refused({ ...envelope(ok), sendTime: undefined }, 400, 'sendTime');
    await refused({ ...envelope(ok), sendTime: '2026-11-22T10:05:01+09:00' }, 400, 'sendTime');
    await refused({ ...envelope(ok), extra: 1 }, 400, 'extra');
    await refused({ ...envelope(), data: [] }, 400, 'data');
    expect(await refused({ ...envelope(ok), dataVersion: 'http://purl.imsglobal.org/ctx/caliper/v1p1' }, 422, 'dataVersion')).toMatchObject({ title: 'Unprocessable Entity' });
    // A good event first: the envelope is all or nothing.
    const good = gradeEvent(`s-${randomUUID()}`, 3);
    await refused(envelope(good, { ...ok, eventTime: undefined }), 400, 'data.1.eventTime');
    await refused(envelope(good, { ...ok, id: 'c51570e4-f8ed-4c18-bb3a-dfe51b2cc594' }), 400, 'data.1.id');
    await refused(envelope(good, { ...ok, action: 'Submitted' }), 400, 'data.1.action');
    await refused(envelope(good, { ...ok, object: ok.object.id }), 400, 'data.1.object');
    await refused(envelope(good, { ...ok, object: { ...ok.object, assignee: undefined } }), 400, 'data.1.object.assignee');
    await refused(envelope(good, { ...ok, generated: { ...ok.generated, scoreGiven: 6 } }), 400, 'data.1.generated.scoreGiven');
    await refused(envelope(good, { ...ok, generated: { ...ok.generated, scoreGiven: '4' } }), 400, 'data.1.generated.scoreGiven');
    await refused(envelope(good, { ...ok, custom: true }), 400, 'data.1.custom');
    await refused(envelope(good, { ...ok, '@context': 'http://purl.imsglobal.org/ctx/caliper/v1p1' }), 400, 'data.1.@context');
    await refused(envelope(good, { ...ok, type: 'ViewEvent' }), 400, 'data.1.type');
    await refused(envelope(good, { ...ok, type: 'NotACaliperEventType' }), 400, 'data.1.type');
    const itemEvent = { '@context': V1P2, id: `urn:uuid:${randomUUID()}`, type: 'AssessmentItemEvent', actor: person('x'), action: 'Completed', object: assessmentItem(), eventTime: '2026-11-22T02:00:00.000Z' };
    await refused(envelope(good, { ...itemEvent, generated: person('x') }), 400, 'data.1.generated.type');
    await refused(envelope(good, { ...itemEvent, referrer: person('x') }), 400, 'data.1.referrer.type');
    await refused(envelope(good, { id: 'not an iri', type: 'Person', '@context': V1P2 }), 400, 'data.1.id');
    await refused(envelope(good, { ...ok, id: good.id, generated: { ...ok.generated, scoreGiven: 2 } }), 400, 'data.1');
    // Input PostgreSQL cannot hold (docs/security.md, "Input limits"), in the Caliper format too.
    await refused(envelope(good, { ...ok, object: { ...ok.object, assignable: { ...ok.object.assignable, name: 'a\u0000b' } } }), 400, 'data.1.object.assignable.name');
  });
});
