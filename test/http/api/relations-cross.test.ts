import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, session, type TestApp } from '../../helper.js';
import { ensureShippedFrameworks } from '../../../src/case/demo.js';
import { getFramework } from '../../../src/case/index.js';
import { setFrameworkAdoptionStatus } from '../../../src/case/frameworks.js';
import { estimationSpace } from '../../../src/relations/index.js';
import { auditEntries } from '../../../src/store/auth.js';

type Headers = Record<string, string>;
const cred = (s: { cookie: string; 'x-csrf-token': string }): Headers => ({ cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] });

/**
 * Cross-subject relations through the API, on the frameworks `npm start` ships: an offline run on 算数 with 理科 as
 * its target, its suggestions in 算数's queue naming 理科 items, one accepted, and the link on both learning maps.
 */
describe('/api/relations/:framework/runs with targetFramework: 算数 → 理科', () => {
  let t: TestApp;
  let math: string;
  let science: string;
  let author: Headers;
  let reviewer: Headers;
  let admin: Headers;
  beforeAll(async () => {
    t = await build();
    [math, science] = (await ensureShippedFrameworks(t.store.db, () => {})) as [string, string];
    author = cred(await session(t, [{ role: 'author', scopeType: 'framework', scopeId: math }]));
    reviewer = cred(await session(t, [{ role: 'reviewer', scopeType: 'framework', scopeId: math }]));
    admin = cred(await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]));
  }, 120_000);
  afterAll(() => t?.close());

  const post = (url: string, body: unknown, headers: Headers = author) =>
    t.app.inject({ method: 'POST', url: `/api/relations/${math}${url}`, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const get = (url: string, headers: Headers = reviewer) => t.app.inject({ method: 'GET', url, headers });
  async function finish(id: string): Promise<any> {
    for (let i = 0; i < 1200; i++) {
      const run = (await get(`/api/relations/${math}/runs/${id}`)).json();
      if (run.status === 'done' || run.status === 'failed') return run;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`run ${id} did not finish`);
  }
  const pending = async (estimator = 'offline') => (await get(`/api/relations/${math}/suggestions?estimator=${estimator}&limit=1000`)).json().suggestions as any[];
  const crosses = (s: any) => s.origin.framework.identifier !== s.destination.framework.identifier;

  it('401 for nobody, 403 for a learner and a reviewer (authors start runs)', async () => {
    expect((await post('/runs', { estimator: 'offline', targetFramework: science }, {})).statusCode).toBe(401);
    // Who asks comes first, even with a faulty target.
    expect((await post('/runs', { estimator: 'offline', targetFramework: 'no-such' }, {})).statusCode).toBe(401);
    const learner = cred(await session(t, [{ role: 'learner', scopeType: 'self', scopeId: '' }]));
    for (const h of [learner, reviewer]) expect((await post('/runs', { estimator: 'offline', targetFramework: science }, h)).statusCode).toBe(403);
  });

  it('bad input is a 400 naming the field, and starts nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{ estimator: 'offline', targetFramework: 'no-such-framework' }, 'targetFramework'],
      [{ estimator: 'offline', targetFramework: math }, 'targetFramework'],
      [{ estimator: 'offline', targetFramework: '' }, 'targetFramework'],
      [{ estimator: 'offline', targetFramework: science, modes: ['grade'] }, 'modes'],
    ];
    for (const [body, field] of cases) {
      const r = await post('/runs', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error).toMatchObject({ code: 'invalid_request', field });
      expect(r.json().error.message).toContain(field);
    }
    // A Private Draft the author may not read is no framework to them.
    const status = (await getFramework(t.store.db, science)).adoptionStatus ?? 'Draft';
    await setFrameworkAdoptionStatus(t.store.db, science, { adoptionStatus: 'Private Draft', newVersion: true }, { actor: 'test' });
    const hidden = await post('/runs', { estimator: 'offline', targetFramework: science });
    await setFrameworkAdoptionStatus(t.store.db, science, status, { actor: 'test' });
    expect(hidden.statusCode).toBe(400);
    expect(hidden.json().error).toMatchObject({ field: 'targetFramework', message: `targetFramework: no framework (CFDocument) ${science}` });
    expect((await get(`/api/relations/${math}/runs`)).json().runs).toEqual([]);
  });

  it('an offline run across the frameworks: its suggestions join 算数\'s queue beside same-framework ones, each naming an item of each framework', async () => {
    // A same-framework run first: the cross run must leave its suggestions pending.
    const own = await finish((await post('/runs', { estimator: 'offline' })).json().id);
    expect(own).toMatchObject({ status: 'done', targetFramework: null });
    const before = await pending();
    expect(before.length).toBe(own.suggestions);
    expect(before.some(crosses)).toBe(false);

    const r = await post('/runs', { estimator: 'offline', targetFramework: science });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ status: 'queued', framework: math, targetFramework: science, params: { targetFramework: science } });
    const run = await finish(r.json().id);
    const { space, framework } = await estimationSpace(t.store.db, math, { targetFramework: science });
    expect(run).toMatchObject({ status: 'done', error: null, targetFramework: science, candidatePairs: space.pairs.size, allPairs: space.allPairs, progress: { done: space.blocks.length, total: space.blocks.length } });
    expect(run.params).toMatchObject({ targetFramework: science, modes: ['cross'], maxGradeGap: 1, items: framework.items.length });
    expect(run.suggestions).toBeGreaterThan(0);
    expect((await auditEntries(t.store.db, 'estimation_run', run.id))[0]?.details).toMatchObject({ document: math, targetFramework: science });

    const after = await pending();
    const cross = after.filter((s) => s.runId === run.id);
    expect(cross).toHaveLength(run.suggestions);
    // The same-framework suggestions are untouched.
    expect(after.filter((s) => s.runId === own.id).map((s) => s.id).sort()).toEqual(before.map((s) => s.id).sort());
    const titles = new Map([[math, (await getFramework(t.store.db, math)).title], [science, (await getFramework(t.store.db, science)).title]]);
    for (const s of cross) {
      expect(crosses(s)).toBe(true);
      for (const end of [s.origin, s.destination]) {
        expect(end.framework).toEqual({ identifier: end.framework.identifier, title: titles.get(end.framework.identifier) });
        expect(end.code).toMatch(/^82[56]/);
        expect(end.text.length).toBeGreaterThan(0);
        expect(end.grade).toMatch(/^第\d学年$/);
      }
      // The queue's domain is that of the 算数 end (the queue's domain filter lists 算数's domains).
      const mine = s.origin.framework.identifier === math ? s.origin : s.destination;
      expect(s.domain).toBe(mine.domain);
    }

    // A second cross run supersedes the first one's pending suggestions, not the same-framework ones.
    const again = await finish((await post('/runs', { estimator: 'offline', targetFramework: science })).json().id);
    const latest = await pending();
    expect(latest.filter((s) => s.runId === run.id)).toEqual([]);
    expect(latest.filter((s) => s.runId === again.id)).toHaveLength(again.suggestions);
    expect(latest.filter((s) => s.runId === own.id)).toHaveLength(before.length);
  }, 120_000);

  it('accepting a cross suggestion makes a CFAssociation of 算数 pointing into 理科, shown in crossLinks on both maps', async () => {
    const s = (await pending()).find(crosses)!;
    const d = await post('/decisions', { ids: [s.id], action: 'accept', comment: 'グラフの読み取り' }, reviewer);
    expect(d.statusCode).toBe(200);
    const association = d.json().suggestions[0].associationIdentifier as string;
    expect(association).toBeTruthy();
    const [mathEnd, scienceEnd] = s.origin.framework.identifier === math ? [s.origin, s.destination] : [s.destination, s.origin];

    const map = async (framework: string) => {
      const r = await get(`/api/progress/map?framework=${framework}`, admin);
      expect(r.statusCode).toBe(200);
      return r.json().crossLinks as any[];
    };
    expect(await map(math)).toEqual([expect.objectContaining({
      id: association, type: s.type, source: s.origin.identifier, target: s.destination.identifier, item: mathEnd.identifier,
      other: expect.objectContaining({ id: scienceEnd.identifier, code: scienceEnd.code, framework: { identifier: science, title: scienceEnd.framework.title } }),
    })]);
    expect(await map(science)).toEqual([expect.objectContaining({ id: association, item: scienceEnd.identifier, other: expect.objectContaining({ id: mathEnd.identifier, framework: { identifier: math, title: mathEnd.framework.title } }) })]);

    // The association is 算数's (CASE API), with its ends' identifiers and the reviewer's provenance.
    const caseAssoc = await t.app.inject({ method: 'GET', url: `/ims/case/v1p1/CFAssociations/${association}` });
    expect(caseAssoc.statusCode).toBe(200);
    expect(caseAssoc.json()).toMatchObject({ associationType: s.type, originNodeURI: { identifier: s.origin.identifier }, destinationNodeURI: { identifier: s.destination.identifier }, CFDocumentURI: { identifier: math } });
    expect((await get(`/api/relations/${math}/suggestions?status=accepted`)).json().suggestions[0]).toMatchObject({ id: s.id, status: 'accepted', associationIdentifier: association });
    // 算数's change history keeps it (docs/authoring.md).
    expect((await get(`/api/frameworks/${math}/history?entity=${association}`, admin)).json().changes).toEqual([expect.objectContaining({ action: 'create', entityType: 'CFAssociation', before: null, after: expect.objectContaining({ identifier: association }) })]);
  });

  it('a reviewer adds a relation from a 算数 item to a 理科 item; an unknown destination is a 400 naming it', async () => {
    const [a] = (await pending()).filter((s) => s.origin.framework.identifier === math);
    const sci = (await get(`/api/progress/map?framework=${science}`, admin)).json().nodes[0];
    const r = await post('/relations', { origin: a.origin.identifier, destination: sci.id, type: 'isRelatedTo', comment: '測定と実験' }, reviewer);
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ status: 'accepted', origin: { framework: { identifier: math } }, destination: { identifier: sci.id, code: sci.code, framework: { identifier: science } } });
    const bad = await post('/relations', { origin: a.origin.identifier, destination: 'not-an-item', type: 'precedes' }, reviewer);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ field: 'destination' });
    // 理科 → 算数 too (a cross run suggests both directions); but one end must be 算数's.
    const back = await post('/relations', { origin: sci.id, destination: a.origin.identifier, type: 'precedes' }, reviewer);
    expect(back.statusCode).toBe(201);
    expect(back.json()).toMatchObject({ origin: { framework: { identifier: science } }, destination: { framework: { identifier: math } } });
    const elsewhere = (await get(`/api/progress/map?framework=${science}`, admin)).json().nodes[1];
    const neither = await post('/relations', { origin: sci.id, destination: elsewhere.id, type: 'precedes' }, reviewer);
    expect(neither.statusCode).toBe(400);
    expect(neither.json().error).toMatchObject({ field: 'origin' });
    expect((await get(`/api/progress/map?framework=${math}`, admin)).json().crossLinks.map((l: { other: { id: string } }) => l.other.id)).toContain(sci.id);
  });
});
