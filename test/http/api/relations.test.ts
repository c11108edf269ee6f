import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, build, session, SHARED, type TestApp } from '../../helper.js';
import { importCourseOfStudyCodes } from '../../../src/case/import/cscode.js';
import { auditEntries } from '../../../src/store/auth.js';

type Headers = Record<string, string>;
const cred = (s: { cookie: string; 'x-csrf-token': string }): Headers => ({ cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] });
const json = { 'content-type': 'application/json' };

describe('/api/relations', () => {
  let t: TestApp;
  let fw: string;
  let reviewer: Headers;
  let author: Headers;
  let stranger: Headers;
  let client: Headers;
  beforeAll(async () => {
    t = await build();
    [{ identifier: fw }] = (await importCourseOfStudyCodes(t.store.db, readFileSync(`${SHARED}data/cscode/elementary-math-2017.csv`))) as unknown as [{ identifier: string }];
    reviewer = cred(await session(t, [{ role: 'reviewer', scopeType: 'framework', scopeId: fw }]));
    author = cred(await session(t, [{ role: 'author', scopeType: 'framework', scopeId: fw }]));
    stranger = cred(await session(t, [{ role: 'reviewer', scopeType: 'framework', scopeId: 'another-framework' }]));
    client = await bearer(t, ['case:read']);
  }, 60_000);
  afterAll(async () => t.close());

  const inject = (method: 'GET' | 'POST', url: string, headers: Headers = {}, payload?: unknown) =>
    t.app.inject({ method, url: `/api/relations/${fw}${url}`, headers: payload === undefined ? headers : { ...headers, ...json }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const pending = async (q = '') => (await inject('GET', `/suggestions?limit=1000${q}`, reviewer)).json();

  it('401 for nobody, 403 for a reviewer of another framework or a read-only client, 404 for an unknown framework', async () => {
    expect((await inject('GET', '/suggestions')).statusCode).toBe(401);
    expect((await inject('POST', '/runs', {}, {})).json().error.code).toBe('unauthorized');
    expect((await inject('GET', '/suggestions', stranger)).statusCode).toBe(403);
    expect((await inject('POST', '/decisions', client, { ids: ['x'], action: 'accept' })).statusCode).toBe(403);
    const r = await t.app.inject({ method: 'GET', url: '/api/relations/no-such/suggestions', headers: reviewer });
    expect(r.statusCode).toBe(404);
  });

  it('runs the offline estimator: the constrained candidate space is reported and the queue fills', async () => {
    const r = await inject('POST', '/runs', author, { estimator: 'offline' });
    expect(r.statusCode).toBe(202);
    let run = r.json();
    while (run.status === 'queued' || run.status === 'running') {
      await new Promise((res) => setTimeout(res, 100));
      run = (await inject('GET', `/runs/${run.id}`, reviewer)).json();
    }
    expect(run.status).toBe('done');
    expect(run.params.items).toBe(217);
    expect(run.allPairs).toBe(217 * 216);
    expect(run.candidatePairs).toBeGreaterThan(1000);
    expect(run.candidatePairs).toBeLessThan(run.allPairs / 2);
    const list = await pending();
    expect(list.total).toBe(run.suggestions);
    const confidences = list.suggestions.map((s: { confidence: number }) => s.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    const s = list.suggestions[0];
    expect(s.origin.text.length).toBeGreaterThan(5);
    expect(s.destination.path.length).toBeGreaterThan(2);
    expect(s).toMatchObject({ status: 'pending', estimator: 'offline' });
    expect(list.domains).toContain('Ａ 数と計算');
  });

  it('filters by type and domain and sorts by confidence ascending', async () => {
    const related = await pending('&type=isRelatedTo');
    expect(related.suggestions.every((s: { type: string }) => s.type === 'isRelatedTo')).toBe(true);
    const b = await pending(`&domain=${encodeURIComponent('Ｂ 図形')}&sort=confidence`);
    expect(b.total).toBeGreaterThan(0);
    expect(b.suggestions.every((s: { domain: string }) => s.domain === 'Ｂ 図形')).toBe(true);
    const c = b.suggestions.map((s: { confidence: number }) => s.confidence);
    expect(c).toEqual([...c].sort((x, y) => x - y));
  });

  it('accepting makes a CFAssociation with provenance, visible in the CASE API, bumps lastChangeDateTime, audited', async () => {
    const before = (await t.app.inject({ method: 'GET', url: `/ims/case/v1p1/CFPackages/${fw}` })).json();
    const s = (await pending('&type=precedes')).suggestions[0];
    const r = await inject('POST', '/decisions', reviewer, { ids: [s.id], action: 'accept', comment: '系統性あり' });
    expect(r.statusCode).toBe(200);
    const done = r.json().suggestions[0];
    expect(done).toMatchObject({ status: 'accepted', comment: '系統性あり' });
    const pkg = (await t.app.inject({ method: 'GET', url: `/ims/case/v1p1/CFPackages/${fw}` })).json();
    const a = pkg.CFAssociations.find((x: { identifier: string }) => x.identifier === done.associationIdentifier);
    expect(a).toMatchObject({ associationType: 'precedes', originNodeURI: { identifier: s.origin.identifier }, destinationNodeURI: { identifier: s.destination.identifier } });
    expect(a.uri).toBe(`http://shirube.test/uri/${a.identifier}`);
    expect(a.extensions.shirubeProvenance).toMatchObject({ estimator: 'offline', suggestion: s.id, comment: '系統性あり' });
    expect(pkg.CFAssociations.length).toBe(before.CFAssociations.length + 1);
    expect(pkg.CFDocument.lastChangeDateTime > before.CFDocument.lastChangeDateTime).toBe(true);
    const audit = await auditEntries(t.store.db, 'relation_suggestion', s.id);
    expect(audit.map((e) => e.action)).toEqual(['relation.accept']);
    expect(audit[0]!.actor).toMatch(/^user:/);
    // Decided once: a second accept is a conflict, and nothing more is written.
    const again = await inject('POST', '/decisions', reviewer, { ids: [s.id], action: 'accept' });
    expect(again.statusCode).toBe(409);
    expect((await t.app.inject({ method: 'GET', url: `/ims/case/v1p1/CFPackages/${fw}` })).json().CFAssociations.length).toBe(pkg.CFAssociations.length);
  });

  it('flips, changes type, comments and rejects in bulk', async () => {
    const [a, b, c] = (await pending('&type=precedes')).suggestions;
    const flipped = (await inject('POST', '/decisions', reviewer, { ids: [a.id], action: 'flip' })).json().suggestions[0];
    expect(flipped.origin.identifier).toBe(a.destination.identifier);
    expect(flipped.destination.identifier).toBe(a.origin.identifier);
    const retyped = (await inject('POST', '/decisions', reviewer, { ids: [b.id], action: 'change-type', type: 'isRelatedTo' })).json().suggestions[0];
    expect(retyped.type).toBe('isRelatedTo');
    const commented = (await inject('POST', '/decisions', reviewer, { ids: [c.id], action: 'comment', comment: 'check with the textbook' })).json().suggestions[0];
    expect(commented).toMatchObject({ status: 'pending', comment: 'check with the textbook' });
    const bulk = await inject('POST', '/decisions', reviewer, { ids: [a.id, b.id, c.id], action: 'reject' });
    expect(bulk.json().suggestions.map((s: { status: string }) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
  });

  it('an edited suggestion keeps what was proposed and what the reviewer changed; the estimator\'s confidence stays with its proposal', async () => {
    const [a, b, c] = (await pending('&type=precedes')).suggestions;
    const me = (await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: reviewer })).json().user.id;
    // Retyped: the confidence and rationale are no longer about this relation.
    const retyped = (await inject('POST', '/decisions', reviewer, { ids: [a.id], action: 'change-type', type: 'isRelatedTo' })).json().suggestions[0];
    expect(retyped).toMatchObject({
      type: 'isRelatedTo', confidence: null, rationale: null, edited: true,
      proposed: { type: 'precedes', origin: a.origin.identifier, destination: a.destination.identifier, confidence: a.confidence, rationale: a.rationale },
      edits: [{ action: 'change-type', by: `user:${me}`, from: { type: 'precedes' }, to: { type: 'isRelatedTo' } }],
    });
    // Flipped twice: the relation proposed again, so its confidence is the estimator's again.
    await inject('POST', '/decisions', reviewer, { ids: [b.id], action: 'flip' });
    const back = (await inject('POST', '/decisions', reviewer, { ids: [b.id], action: 'flip' })).json().suggestions[0];
    expect(back).toMatchObject({ confidence: b.confidence, edited: false });
    expect(back.edits.map((e: { action: string }) => e.action)).toEqual(['flip', 'flip']);
    // Accepted: the CFAssociation's provenance says what was proposed and what the reviewer changed.
    await inject('POST', '/decisions', reviewer, { ids: [a.id, c.id], action: 'accept' });
    const pkg = (await t.app.inject({ method: 'GET', url: `/ims/case/v1p1/CFPackages/${fw}` })).json();
    const prov = (id: string) => pkg.CFAssociations.find((x: { extensions?: { shirubeProvenance?: { suggestion: string } } }) => x.extensions?.shirubeProvenance?.suggestion === id);
    expect(prov(a.id)).toMatchObject({
      associationType: 'isRelatedTo',
      extensions: { shirubeProvenance: { confidence: null, rationale: null, edited: true, proposed: { type: 'precedes', confidence: a.confidence }, reviewerChanges: [{ action: 'change-type', to: { type: 'isRelatedTo' } }] } },
    });
    expect(prov(c.id).extensions.shirubeProvenance).toMatchObject({ confidence: c.confidence, edited: false, proposed: { type: 'precedes', confidence: c.confidence } });
    expect(prov(c.id).extensions.shirubeProvenance.reviewerChanges).toBeUndefined();
    // The audit entry of the change names both ends of it.
    const [change] = await auditEntries(t.store.db, 'relation_suggestion', a.id);
    expect(change!.details).toMatchObject({ type: 'precedes', to: { type: 'isRelatedTo' }, proposed: { type: 'precedes' } });
  });

  it('GET /api/audit: administrators read the log filtered by framework, actor, action and time, paginated; reviewers only their framework\'s', async () => {
    const admin = cred(await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]));
    const me = (await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: reviewer })).json().user.id;
    const audit = (q: string, headers: Headers = admin) => t.app.inject({ method: 'GET', url: `/api/audit${q}`, headers });
    const all = (await audit('?limit=1000')).json();
    expect(all.total).toBeGreaterThan(3);
    const ats = all.entries.map((e: { at: string }) => e.at);
    expect(ats).toEqual([...ats].sort().reverse());
    const mine = (await audit(`?framework=${fw}&actor=user:${me}&action=relation.*&limit=1000`)).json();
    expect(mine.total).toBeGreaterThan(0);
    for (const e of mine.entries) {
      expect(e.actor).toBe(`user:${me}`);
      expect(e.action.startsWith('relation.')).toBe(true);
      expect(e.details.document).toBe(fw);
    }
    expect(mine.entries.map((e: { action: string }) => e.action)).toContain('relation.change-type');
    const exact = (await audit(`?framework=${fw}&action=relation.change-type`)).json();
    expect(exact.entries.every((e: { action: string }) => e.action === 'relation.change-type')).toBe(true);
    // Time: nothing before the tests began, everything until tomorrow; since inclusive, until exclusive.
    expect((await audit('?until=2000-01-01')).json()).toMatchObject({ total: 0, entries: [] });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await audit(`?until=${tomorrow}&limit=1000`)).json().total).toBe(all.total);
    const newest = all.entries[0].at;
    expect((await audit(`?since=${encodeURIComponent(newest)}`)).json().entries.every((e: { at: string }) => e.at >= newest)).toBe(true);
    // Pages.
    const p1 = (await audit('?limit=2')).json();
    const p2 = (await audit('?limit=2&offset=2')).json();
    expect(p1.entries.map((e: { id: number }) => e.id)).toEqual(all.entries.slice(0, 2).map((e: { id: number }) => e.id));
    expect(p2.entries.map((e: { id: number }) => e.id)).toEqual(all.entries.slice(2, 4).map((e: { id: number }) => e.id));
    // Who may read: nobody 401; a reviewer only with their framework; a reviewer of another framework, a read-only client 403.
    expect((await audit('', {})).statusCode).toBe(401);
    expect((await audit('', reviewer)).statusCode).toBe(403);
    expect((await audit(`?framework=${fw}`, reviewer)).statusCode).toBe(200);
    expect((await audit(`?framework=${fw}`, stranger)).statusCode).toBe(403);
    expect((await audit(`?framework=${fw}`, client)).statusCode).toBe(403);
    expect((await audit('', await bearer(t, ['case:admin']))).statusCode).toBe(200);
    // Bad input names its field.
    for (const [q, field] of [['?since=yesterday', 'since'], ['?until=2026-13-45', 'until'], ['?since=2026-02-01&until=2026-01-01', 'until'], ['?limit=0', 'limit'], ['?action=a%20b', 'action'], ['?color=red', 'color']] as const) {
      const r = await audit(q);
      expect(r.statusCode, q).toBe(400);
      expect(r.json().error.field, q).toBe(field);
    }
  });

  it('bad input is a 400 naming the field, and a half-bad bulk changes nothing', async () => {
    const [a] = (await pending()).suggestions;
    const bad = async (payload: unknown, field: string) => {
      const r = await inject('POST', '/decisions', reviewer, payload);
      expect(r.statusCode).toBe(400);
      expect(r.json().error.field).toBe(field);
    };
    await bad({ ids: [a.id], action: 'explode' }, 'action');
    await bad({ ids: [], action: 'accept' }, 'ids');
    await bad({ ids: [a.id], action: 'change-type' }, 'type');
    await bad({ ids: [a.id], action: 'comment', comment: '  ' }, 'comment');
    await bad({ ids: [a.id], action: 'accept', extra: 1 }, 'extra');
    const r = await inject('POST', '/decisions', reviewer, { ids: [a.id, 'missing-id'], action: 'accept' });
    expect(r.statusCode).toBe(404);
    expect((await pending()).suggestions.find((s: { id: string }) => s.id === a.id).status).toBe('pending');
    expect((await inject('GET', '/suggestions?status=nope', reviewer)).json().error.field).toBe('status');
  });

  it('adds a missing relation as an accepted CFAssociation; items must be in the framework', async () => {
    const [s] = (await pending()).suggestions;
    const r = await inject('POST', '/relations', reviewer, { origin: s.destination.identifier, destination: s.origin.identifier, type: 'isRelatedTo', comment: 'missed' });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ status: 'accepted', estimator: 'reviewer', type: 'isRelatedTo' });
    const pkg = (await t.app.inject({ method: 'GET', url: `/ims/case/v1p1/CFPackages/${fw}` })).json();
    expect(pkg.CFAssociations.some((x: { identifier: string }) => x.identifier === r.json().associationIdentifier)).toBe(true);
    const bad = await inject('POST', '/relations', reviewer, { origin: 'not-an-item', destination: s.origin.identifier, type: 'precedes' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('origin');
    const self = await inject('POST', '/relations', reviewer, { origin: s.origin.identifier, destination: s.origin.identifier, type: 'precedes' });
    expect(self.json().error.field).toBe('destination');
  });

  it('evaluates against a ground truth given by code, and lists runs', async () => {
    const [s] = (await pending('&type=precedes')).suggestions;
    const groundTruth = `origin,destination,type\n${s.origin.code},${s.destination.code},precedes\n`;
    const r = await inject('POST', '/evaluation', reviewer, { groundTruth, estimators: ['offline'] });
    expect(r.statusCode).toBe(200);
    const all = r.json().scores.find((x: { type: string; domain: string }) => x.type === 'precedes' && x.domain === '(all)');
    expect(all).toMatchObject({ estimator: 'offline', truth: 1, tp: 1, recall: 1 });
    const bad = await inject('POST', '/evaluation', reviewer, { groundTruth: 'origin,destination,type\na,b,follows\n' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('groundTruth[0].type');
    const runs = (await inject('GET', '/runs', reviewer)).json().runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ estimator: 'offline', allPairs: 217 * 216 });
  });
});
