import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, session, type TestApp } from '../../helper.js';
import { ensureDemoFramework } from '../../../src/case/demo.js';
import { lrs } from '../../../src/store/lrs-tables.js';
import { basic, statement } from './helper.js';

const CODE = '8250100300000000';
const CF_ITEM = 'http://shirube.test/xapi/extensions/cf-item';
const COS = 'https://w3id.org/japan-xapi/extensions/course-of-study-code';

let t: TestApp;
let writer: Record<string, string>;
let admin: { cookie: string; 'x-csrf-token': string };
let item: { identifier: string; uri: string };
beforeAll(async () => {
  t = await build();
  await ensureDemoFramework(t.store.db, () => {});
  const row = await t.store.db.selectFrom('cf_item').select(['identifier', 'payload']).where('human_coding_scheme', '=', CODE).executeTakeFirstOrThrow();
  item = { identifier: row.identifier, uri: `http://shirube.test/uri/${row.identifier}` };
  writer = await basic(t, ['xapi:statements/write']);
  const s = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  admin = { cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] };
});
afterAll(() => t.close());

const post = async (body: unknown) => {
  const r = await t.app.inject({ method: 'POST', url: '/xapi/statements', headers: { ...writer, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as string[];
};
const learnerOf = async (name: string) => {
  const agent = encodeURIComponent(JSON.stringify({ account: { homePage: 'https://idp.example.jp', name } }));
  const r = await t.app.inject({ url: `/api/learners?agent=${agent}`, headers: admin });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().learnerId as string;
};
const evidenceOf = async (learnerId: string) => {
  const r = await t.app.inject({ url: `/api/learners/${learnerId}/evidence?itemId=${item.identifier}`, headers: admin });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as {
    evidence: Array<{ statementId: string; score: number | null; success: boolean | null; voided: boolean; via: string }>;
    rollups: Array<{ attempts: number; correct: number; scoreSum: number; scored: number; firstAt: string; lastAt: string; days: Array<{ day: string; attempts: number }> }>;
  };
};

describe('linking statements to CFItems and writing evidence', () => {
  it('links the four ways, reads score-only answers, and keeps partial credit', async () => {
    const learner = `p-${randomUUID()}`;
    const [a] = await post(statement({ result: { success: true, extensions: { [CF_ITEM]: item.identifier } }, timestamp: '2026-04-10T01:00:00Z' }, learner));
    const [b] = await post(
      statement({ result: { score: { raw: 3, max: 5 } }, context: { contextActivities: { other: [{ id: item.uri }] } }, timestamp: '2026-04-10T02:00:00Z' }, learner),
    );
    const [c] = await post(
      statement({ object: { id: 'https://drill.example.jp/q/7', definition: { extensions: { [CF_ITEM]: item.uri } } }, result: { success: false }, timestamp: '2026-04-10T03:00:00Z' }, learner),
    );
    // The Japan xAPI profile's `answered` template: correctness only in result.score.
    const [d] = await post(
      statement(
        {
          verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { en: 'answered' } },
          object: { objectType: 'Activity', id: 'https://drill.example.jp/q/8', definition: { type: 'http://adlnet.gov/expapi/activities/cmi.interaction', extensions: { [COS]: [CODE] } } },
          result: { score: { scaled: 1, raw: 1, max: 1 }, response: '12' },
          context: { platform: 'drill', language: 'ja-JP', extensions: { [COS]: [CODE] } },
          timestamp: '2026-04-10T23:30:00+00:00',
        },
        learner,
      ),
    );
    const e = await evidenceOf(await learnerOf(learner));
    const by = new Map(e.evidence.map((x) => [x.statementId, x]));
    expect(by.get(a!)).toMatchObject({ score: 1, success: true, via: 'result_extension' });
    expect(by.get(b!)).toMatchObject({ score: 0.6, success: false, via: 'context_activity' });
    expect(by.get(c!)).toMatchObject({ score: 0, success: false, via: 'activity_extension' });
    expect(by.get(d!)).toMatchObject({ score: 1, success: true, via: 'course_of_study_code' });
    const [r] = e.rollups;
    expect(r).toMatchObject({ attempts: 4, correct: 2, scored: 4, firstAt: '2026-04-10T01:00:00.000Z', lastAt: '2026-04-10T23:30:00.000Z' });
    expect(r!.scoreSum).toBeCloseTo(2.6);
    // Days are counted in Asia/Tokyo: 23:30 UTC is the next morning there.
    expect(r!.days.map((x) => [x.day, x.attempts])).toEqual([['2026-04-10', 3], ['2026-04-11', 1]]);

    // Voiding takes the statement out; the rollup is rebuilt from the evidence rows.
    await post(statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: a } }, learner));
    const after = await evidenceOf(await learnerOf(learner));
    expect(after.evidence.find((x) => x.statementId === a)!.voided).toBe(true);
    expect(after.rollups[0]).toMatchObject({ attempts: 3, correct: 1, firstAt: '2026-04-10T02:00:00.000Z' });
    expect(after.rollups[0]!.scoreSum).toBeCloseTo(1.6);
  });

  it('folds a late statement in by recomputing the rollup', async () => {
    const learner = `late-${randomUUID()}`;
    await post(statement({ result: { success: true, extensions: { [CF_ITEM]: item.identifier } }, timestamp: '2026-05-02T00:00:00Z' }, learner));
    await post(statement({ result: { success: false, extensions: { [CF_ITEM]: item.identifier } }, timestamp: '2026-05-01T00:00:00Z' }, learner));
    const [r] = (await evidenceOf(await learnerOf(learner))).rollups;
    expect(r).toMatchObject({ attempts: 2, correct: 1, firstAt: '2026-05-01T00:00:00.000Z', lastAt: '2026-05-02T00:00:00.000Z' });
    expect(r!.days.map((x) => x.day)).toEqual(['2026-05-01', '2026-05-02']);
  });

  it('keeps rollups and mastery equal to a replay of the evidence when batches arrive out of order and void', async () => {
    const learners = [`b1-${randomUUID()}`, `b2-${randomUUID()}`];
    // Twelve answers per learner over six days, sent in three shuffled batches; the last batch voids two of them.
    const answers = learners.flatMap((l, li) =>
      Array.from({ length: 12 }, (_, i) =>
        statement({ result: { score: { scaled: ((i * 7 + li) % 10) / 10 }, extensions: { [CF_ITEM]: item.identifier } }, timestamp: new Date(Date.UTC(2026, 5, 1 + (i % 6), i)).toISOString() }, l),
      ),
    );
    const order = answers.map((a, i) => ({ a, k: (i * 5) % answers.length })).sort((x, y) => x.k - y.k).map((x) => x.a);
    await post(order.slice(0, 8));
    await post(order.slice(8, 16));
    const voids = [order[3]!, order[12]!].map((v) => statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: v['id'] } }, learners[0]));
    await post([...order.slice(16), ...voids]);
    const voidedIds = new Set(voids.map((v) => (v['object'] as { id: string }).id));
    const { replay } = await import('../../../src/progress/mastery.js');
    const { masteryDaysOf } = await import('../../../src/store/progress.js');
    for (const l of learners) {
      const learnerId = await learnerOf(l);
      const e = await evidenceOf(learnerId);
      const live = e.evidence.filter((x) => !x.voided);
      expect(live.length).toBe(answers.filter((a) => JSON.stringify(a['actor']).includes(l) && !voidedIds.has(a['id'] as string)).length);
      const sum = live.reduce((n, x) => n + x.score!, 0);
      expect(e.rollups[0]).toMatchObject({ attempts: live.length, scored: live.length });
      expect(e.rollups[0]!.scoreSum).toBeCloseTo(sum);
      expect(e.rollups[0]!.days.reduce((n, d) => n + d.attempts, 0)).toBe(live.length);
      const rows = await lrs(t.store.db).selectFrom('evidence').selectAll().where('learner_id', '=', learnerId).where('voided', '=', false).orderBy('timestamp').execute();
      const expected = replay(learnerId, item.identifier, rows.map((r) => ({ timestamp: r.timestamp, score: r.score!, correct: r.success ?? r.score! >= 1 })), 'Asia/Tokyo');
      expect(await masteryDaysOf(t.store.db, learnerId, [item.identifier])).toEqual(expected);
    }
  });

  it('never rejects a statement for an unknown item: it is stored and flagged', async () => {
    const unknown = randomUUID();
    const [id] = await post(statement({ result: { success: true, extensions: { [CF_ITEM]: unknown } } }, `u-${randomUUID()}`));
    const flagged = await lrs(t.store.db).selectFrom('evidence_unresolved').selectAll().where('statement_id', '=', id!).execute();
    expect(flagged).toEqual([{ statement_id: id, reference: unknown, via: 'result_extension' }]);
    expect(await lrs(t.store.db).selectFrom('evidence').selectAll().where('statement_id', '=', id!).execute()).toEqual([]);
  });

  it('maps several actors to one learner: mbox and its mbox_sha1sum are the same person', async () => {
    const mbox = `mailto:${randomUUID()}@example.jp`;
    await post(statement({ actor: { mbox } }));
    const { createHash } = await import('node:crypto');
    await post(statement({ actor: { mbox_sha1sum: createHash('sha1').update(mbox).digest('hex') } }));
    const agent = encodeURIComponent(JSON.stringify({ mbox }));
    const person = await t.app.inject({ url: `/xapi/agents?agent=${agent}`, headers: await basic(t, ['xapi:profile']) });
    expect(person.json()).toMatchObject({ objectType: 'Person', mbox: [mbox], mbox_sha1sum: [expect.any(String)] });
  });

  it('serves a description page at the extension IRI', async () => {
    const r = await t.app.inject({ url: '/xapi/extensions/cf-item' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.body).toContain(CF_ITEM);
  });
});

describe('personal data', () => {
  it('exports and erases a learner: statements, documents and evidence are gone', async () => {
    const learner = `erase-${randomUUID()}`;
    const [id] = await post(statement({ result: { success: true, extensions: { [CF_ITEM]: item.identifier } } }, learner));
    const all = await basic(t, ['xapi:all']);
    const agent = encodeURIComponent(JSON.stringify({ account: { homePage: 'https://idp.example.jp', name: learner } }));
    const put = await t.app.inject({
      method: 'PUT',
      url: `/xapi/activities/state?activityId=${encodeURIComponent('https://drill.example.jp/sets/1')}&agent=${agent}&stateId=progress`,
      headers: { ...all, 'content-type': 'application/json' },
      payload: '{"page":3}',
    });
    expect(put.statusCode).toBe(204);
    const learnerId = await learnerOf(learner);
    const exported = (await t.app.inject({ url: `/api/learners/${learnerId}/export`, headers: admin })).json();
    expect(exported.statements.map((s: { id: string }) => s.id)).toEqual([id]);
    expect(exported.documents).toHaveLength(1);
    expect(exported.evidence).toHaveLength(1);

    expect((await t.app.inject({ method: 'DELETE', url: `/api/learners/${learnerId}`, headers: await basic(t, ['xapi:all']) })).statusCode).toBe(401);
    const erased = await t.app.inject({ method: 'DELETE', url: `/api/learners/${learnerId}`, headers: admin });
    expect(erased.json()).toEqual({ statements: 1, documents: 1, rosterEntries: 0, enrollments: 0, masteryRows: 1, accounts: 0, credentialsRevoked: 0, candidates: 0, authorizations: 0, externalCredentials: 0 });
    const e = await evidenceOf(learnerId);
    expect(e).toEqual({ evidence: [], rollups: [] });
    expect((await t.app.inject({ url: `/xapi/statements?statementId=${id}`, headers: all })).statusCode).toBe(404);
    const state = await t.app.inject({ url: `/xapi/activities/state?activityId=${encodeURIComponent('https://drill.example.jp/sets/1')}&agent=${agent}&stateId=progress`, headers: all });
    expect(state.statusCode).toBe(404);
  });
});
