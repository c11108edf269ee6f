import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, build, session, SHARED, type TestApp } from '../helper.js';
import { answered, post } from '../progress/fixture.js';
import { schemaErrors } from '../http/case/support.js';
import { importCourseOfStudyCodes } from '../../src/case/import/cscode.js';
import { importCaseJson } from '../../src/case/import/case-json.js';
import { loadPackage, type PackageRows } from '../../src/store/case.js';
import { auditEntries } from '../../src/store/auth.js';
import { cfItemExtension, findLearnerByAgent, ItemCache, storeStatements } from '../../src/lrs/index.js';
import { evidenceHook } from '../../src/badges/index.js';
import { findFramework } from '../../src/case/frameworks.js';
import { testDatabaseUrl } from '../database-url.js';
import { sql } from 'kysely';

/**
 * Derivative frameworks (docs/derivatives.md): a board of education derives its version of the 理科 Course of
 * Study framework; statements naming the source (code, UUID) or the derivative (UUID) count for both, also those
 * stored before the derivation.
 */
const scienceCsv = readFileSync(`${SHARED}data/cscode/elementary-science-2017.csv`, 'utf8');
const codes = scienceCsv.split('\n').slice(1).map((l) => l.split(',')).filter((c) => c[2] === 'content').map((c) => c[0]!);
const [first, second, third, fourth] = codes as [string, string, string, string];

const PRECEDES_SET = 'c2d7c0de-0000-4000-8000-000000000010';
let t: TestApp;
let science: PackageRows;
let admin: Record<string, string>;
let boardAuthor: Record<string, string>;
const boards: string[] = [];
let writer: Record<string, string>;
const agent = { objectType: 'Agent', account: { homePage: 'https://school.example', name: 'derive-learner-1' } };
let learnerId: string;
let derived: { identifier: string; counts: Record<string, number>; exactMatches: number };

/** The statement naming an item by UUID (our cf-item activity extension) instead of a Course of Study Code. */
const naming = (s: ReturnType<typeof answered>, item: string) => ({ ...s, object: { id: s.object.id, definition: { extensions: { [cfItemExtension(t.config.publicUrl)]: item } } } });
const itemOf = (p: PackageRows, code: string) => p.items.find((i) => i.humanCodingScheme === code)!;
const map = async (framework: string) => {
  const res = await t.app.inject({ method: 'GET', url: `/api/progress/map?framework=${framework}&learner=${learnerId}`, headers: admin });
  expect(res.statusCode).toBe(200);
  return new Map<string, { attempts?: number; state?: string }>(res.json().nodes.map((n: { code: string; progress: { attempts?: number; state?: string } }) => [n.code, n.progress ?? {}]));
};

beforeAll(async () => {
  t = await build();
  const [result] = await importCourseOfStudyCodes(t.store.db, scienceCsv);
  science = (await loadPackage(t.store.db, result!.identifier))!;
  // A precedes set kept in a document of its own (as the demo's is): `second` is learned before `third`.
  const link = (i: PackageRows['items'][number]) => ({ identifier: i.identifier, uri: `https://example.org/i/${i.identifier}`, title: i.humanCodingScheme });
  await importCaseJson(t.store.db, {
    CFDocument: { identifier: PRECEDES_SET, uri: 'https://example.org/d', creator: 'test', title: '理科 precedes', lastChangeDateTime: '2026-01-01T00:00:00Z' },
    CFItems: [],
    CFAssociations: [{ identifier: 'c2d7c0de-0000-4000-8000-000000000011', uri: 'https://example.org/a/11', associationType: 'precedes', lastChangeDateTime: '2026-01-01T00:00:00Z', originNodeURI: link(itemOf(science, second)), destinationNodeURI: link(itemOf(science, third)) }],
  });
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  for (const name of ['board-1', 'board-2']) {
    const org = await t.app.inject({ method: 'POST', url: '/api/admin/organizations', headers: admin, payload: { name, kind: 'board' } });
    boards.push(org.json().id);
  }
  boardAuthor = await session(t, [{ role: 'author', scopeType: 'organization', scopeId: boards[0]! }]);
  writer = await bearer(t, ['xapi:statements/write']);
  // Before the derivative exists: four right answers on `first` by code, one wrong on `second` by its UUID.
  const byUuid = naming(answered(agent, second, false, '2025-05-05T01:00:00Z'), itemOf(science, second).identifier);
  await post(t, writer, [...[1, 2, 3, 4].map((n) => answered(agent, first, true, `2025-05-0${n}T01:00:00Z`)), byUuid]);
  learnerId = await findLearnerByAgent(t.store.db, agent);
}, 120_000);
afterAll(() => t?.close());

describe('POST /api/frameworks/{id}/derive', () => {
  it('refuses anonymous callers, callers who may not create frameworks, and bad bodies, naming the field', async () => {
    const url = `/api/frameworks/${science.document.identifier}/derive`;
    expect((await t.app.inject({ method: 'POST', url, payload: { title: 'x', creator: 'y' } })).statusCode).toBe(401);
    const teacher = await session(t, [{ role: 'teacher', scopeType: 'class', scopeId: 'c1' }]);
    expect((await t.app.inject({ method: 'POST', url, headers: teacher, payload: { title: 'x', creator: 'y' } })).statusCode).toBe(403);
    const noTitle = await t.app.inject({ method: 'POST', url, headers: boardAuthor, payload: { creator: 'y' } });
    expect(noTitle.statusCode).toBe(400);
    expect(noTitle.json().error).toMatchObject({ field: 'title' });
    const unknown = await t.app.inject({ method: 'POST', url, headers: boardAuthor, payload: { title: 'x', creator: 'y', colour: 'red' } });
    expect(unknown.json().error).toMatchObject({ field: 'colour' });
    expect((await t.app.inject({ method: 'POST', url: '/api/frameworks/00000000-0000-4000-8000-000000000000/derive', headers: boardAuthor, payload: { title: 'x', creator: 'y' } })).statusCode).toBe(404);
  });

  it("copies the framework with new identifiers, each item an exactMatchOf its source, as the board's Private Draft", async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/frameworks/${science.document.identifier}/derive`,
      headers: boardAuthor,
      payload: { title: '○○県 小学校理科 教育課程', creator: '○○県教育委員会', publisher: '○○県教育委員会', version: '2026' },
    });
    expect(res.statusCode).toBe(201);
    derived = res.json();
    expect(res.headers['location']).toBe(`/ims/case/v1p1/CFDocuments/${derived.identifier}`);
    const p = (await loadPackage(t.store.db, derived.identifier))!;
    expect(p.document).toMatchObject({ title: '○○県 小学校理科 教育課程', creator: '○○県教育委員会', adoptionStatus: 'Private Draft', organizationId: boards[0], authored: true, isCourseOfStudy: false });
    expect(p.document.payload).toMatchObject({ identifier: derived.identifier, uri: `shirube-local:/uri/${derived.identifier}`, publisher: '○○県教育委員会', version: '2026' });
    expect(p.items.map((i) => i.humanCodingScheme)).toEqual(science.items.map((i) => i.humanCodingScheme));
    const sourceIds = new Set(science.items.map((i) => i.identifier));
    expect(p.items.filter((i) => sourceIds.has(i.identifier))).toEqual([]);
    for (const i of p.items) {
      expect(i.payload).toMatchObject({ identifier: i.identifier, uri: `shirube-local:/uri/${i.identifier}` });
      expect(i.documentIdentifier).toBe(derived.identifier);
      expect(i.payload['CFDocumentURI']).toEqual({ title: '○○県 小学校理科 教育課程', identifier: derived.identifier, uri: `shirube-local:/uri/${derived.identifier}` });
    }

    const exact = p.associations.filter((a) => a.associationType === 'exactMatchOf');
    expect(exact).toHaveLength(science.items.length);
    expect(derived.exactMatches).toBe(science.items.length);
    const a = exact.find((x) => x.originIdentifier === itemOf(p, first).identifier)!;
    expect(a.destinationIdentifier).toBe(itemOf(science, first).identifier);
    expect(a.payload).toMatchObject({ originNodeURI: { identifier: itemOf(p, first).identifier }, destinationNodeURI: { identifier: itemOf(science, first).identifier, uri: itemOf(science, first).payload['uri'] } });
    // The hierarchy, renamed: same shape, only new identifiers.
    const newIds = new Set([derived.identifier, ...p.items.map((i) => i.identifier)]);
    const internal = p.associations.filter((x) => x.associationType !== 'exactMatchOf');
    expect(internal.map((x) => x.associationType)).toEqual([...science.associations.map((x) => x.associationType), 'precedes']);
    expect(internal.every((x) => newIds.has(x.originIdentifier) && newIds.has(x.destinationIdentifier))).toBe(true);
    // Its precedes, from the set kept apart, now its own.
    expect(internal.filter((x) => x.associationType === 'precedes').map((x) => [x.originIdentifier, x.destinationIdentifier])).toEqual([[itemOf(p, second).identifier, itemOf(p, third).identifier]]);
    expect(p.definitions.map((d) => d.identifier)).toEqual(science.definitions.map((d) => d.identifier));
    expect((await auditEntries(t.store.db, 'CFDocument', derived.identifier)).map((e) => e.action)).toEqual(['framework.derive']);

    // Editable by its organisation's authors, invisible to another organisation's.
    const other = await session(t, [{ role: 'author', scopeType: 'organization', scopeId: boards[1]! }]);
    expect((await t.app.inject({ method: 'PUT', url: `/api/frameworks/${derived.identifier}/adoption-status`, headers: other, payload: { adoptionStatus: 'Draft' } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PUT', url: `/api/frameworks/${derived.identifier}/adoption-status`, headers: boardAuthor, payload: { adoptionStatus: 'Draft' } })).statusCode).toBe(200);

    // Its items through the authoring API (If-Match), the source's left as they were.
    const itemUrl = `/api/frameworks/${derived.identifier}/items/${itemOf(p, first).identifier}`;
    const got = await t.app.inject({ method: 'GET', url: itemUrl, headers: boardAuthor });
    expect(got.statusCode).toBe(200);
    const patched = await t.app.inject({ method: 'PATCH', url: itemUrl, headers: { ...boardAuthor, 'if-match': got.headers['etag'] as string }, payload: { notes: '○○県の重点' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ notes: '○○県の重点', humanCodingScheme: first });
    expect((await loadPackage(t.store.db, science.document.identifier))!.items.find((i) => i.humanCodingScheme === first)!.payload['notes']).toBeUndefined();

    // Served by the CASE API once public: valid CASE 1.1, its URIs under the public URL.
    const pkg = (await t.app.inject({ method: 'GET', url: `/ims/case/v1p1/CFPackages/${derived.identifier}` })).json();
    expect(schemaErrors('getCFPackage', pkg)).toEqual([]);
    expect(pkg.CFDocument.uri).toBe(`${t.config.publicUrl}/uri/${derived.identifier}`);
    const served = pkg.CFAssociations.find((x: { identifier: string }) => x.identifier === a.identifier);
    expect(served).toMatchObject({ associationType: 'exactMatchOf', originNodeURI: { uri: `${t.config.publicUrl}/uri/${itemOf(p, first).identifier}` }, destinationNodeURI: { uri: `${t.config.publicUrl}/uri/${itemOf(science, first).identifier}` } });
  });

  it('refuses an identifier already taken (409), storing nothing', async () => {
    const res = await t.app.inject({ method: 'POST', url: `/api/frameworks/${science.document.identifier}/derive`, headers: admin, payload: { title: 'x', creator: 'y', identifier: derived.identifier } });
    expect(res.statusCode).toBe(409);
    expect((await loadPackage(t.store.db, derived.identifier))!.document.title).toBe('○○県 小学校理科 教育課程');
  });
});

describe('evidence across exactMatchOf', () => {
  it('shows statements stored before the derivation on its map', async () => {
    const m = await map(derived.identifier);
    expect(m.get(first)).toMatchObject({ state: 'mastered', attempts: 4 });
    expect(m.get(second)).toMatchObject({ state: 'in_progress', attempts: 1 });
    // Trace-back on the derivative: its `third` has its `second` as a weak prerequisite.
    const p = (await loadPackage(t.store.db, derived.identifier))!;
    const detail = await t.app.inject({ method: 'GET', url: `/api/progress/learners/${learnerId}/items/${itemOf(p, third).identifier}?framework=${derived.identifier}`, headers: admin });
    expect(detail.statusCode).toBe(200);
    expect(detail.json().traceBack).toEqual([expect.objectContaining({ item: expect.objectContaining({ id: itemOf(p, second).identifier, code: second }), hops: 1, state: 'in_progress' })]);
  });

  it('counts a statement naming the source for the derivative, and one naming the derivative for the source', async () => {
    const p = (await loadPackage(t.store.db, derived.identifier))!;
    await post(t, writer, [
      answered(agent, second, true, '2025-05-06T01:00:00Z'),
      naming(answered(agent, third, true, '2025-05-06T02:00:00Z'), itemOf(p, third).identifier),
    ]);
    for (const framework of [science.document.identifier, derived.identifier]) {
      const m = await map(framework);
      expect(m.get(second)).toMatchObject({ attempts: 2 });
      expect(m.get(third)).toMatchObject({ attempts: 1 });
    }
    // Named as the derivative's item, reached on the source's by its exactMatchOf.
    const via = async (item: string) => (await t.app.inject({ method: 'GET', url: `/api/learners/${learnerId}/evidence?itemId=${item}`, headers: admin })).json().evidence.map((e: { via: string }) => e.via);
    expect(await via(itemOf(p, third).identifier)).toEqual(['activity_extension']);
    expect(await via(itemOf(science, third).identifier)).toEqual(['exact_match']);
  });

  it('follows a derivative of the derivative, and voiding takes the statement out of all three', async () => {
    const res = await t.app.inject({ method: 'POST', url: `/api/frameworks/${derived.identifier}/derive`, headers: boardAuthor, payload: { title: '○○市 小学校理科', creator: '○○市教育委員会' } });
    expect(res.statusCode).toBe(201);
    const city = res.json().identifier as string;
    expect((await map(city)).get(first)).toMatchObject({ state: 'mastered', attempts: 4 });
    const id = '5f8e2b6a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
    await post(t, writer, [{ ...answered(agent, first, false, '2025-05-07T01:00:00Z'), id }]);
    for (const f of [science.document.identifier, derived.identifier, city]) expect((await map(f)).get(first)).toMatchObject({ attempts: 5 });
    await post(t, writer, [{ actor: agent, verb: { id: 'http://adlnet.gov/expapi/verbs/voided', display: { 'en-US': 'voided' } }, object: { objectType: 'StatementRef', id } }]);
    for (const f of [science.document.identifier, derived.identifier, city]) expect((await map(f)).get(first)).toMatchObject({ state: 'mastered', attempts: 4 });
  });

  it('erases the derived evidence and mastery with the learner', async () => {
    const erased = await t.app.inject({ method: 'DELETE', url: `/api/learners/${learnerId}`, headers: admin });
    expect(erased.statusCode).toBe(200);
    expect(erased.json().masteryRows).toBeGreaterThan(0);
    const { rows } = await sql<{ n: number }>`select (select count(*) from evidence where learner_id = ${learnerId})::int + (select count(*) from mastery_day where learner_id = ${learnerId})::int as n`.execute(t.store.db);
    expect(rows[0]!.n).toBe(0);
  });
});

// Only PostgreSQL has concurrent transactions (PGlite has one connection: a derivation waits for the batch).
describe.runIf(testDatabaseUrl())('a batch being written while a derivation commits', () => {
  it('reaches the derivative through the backfill after the commit', async () => {
    const other = { objectType: 'Agent', account: { homePage: 'https://school.example', name: 'derive-learner-2' } };
    const identifier = 'c2d7c0de-0000-4000-8000-000000000020';
    let linked!: () => void;
    let release!: () => void;
    const inFlight = new Promise<void>((r) => (linked = r));
    const held = new Promise<void>((r) => (release = r));
    const hook = evidenceHook(t.config.timeZone);
    // The batch links (to the source only: no derivative yet) and writes its evidence, then waits before committing.
    const batch = storeStatements(t.store.db, [answered(other, fourth, true, '2025-05-08T01:00:00Z')], [], {
      version: '1.0.3', writer: { clientId: null, authority: { objectType: 'Agent', account: { homePage: 'https://school.example', name: 'test' } } },
      publicUrl: t.config.publicUrl, timeZone: t.config.timeZone, items: new ItemCache(),
      onEvidence: async (trx, changes, generation) => {
        await hook(trx, changes, generation);
        linked();
        await held;
      },
    });
    await inFlight;
    const derive = t.app.inject({ method: 'POST', url: `/api/frameworks/${science.document.identifier}/derive`, headers: admin, payload: { title: '△△市 理科', creator: '△△市', identifier } });
    while (!(await findFramework(t.store.db, identifier))) await new Promise((r) => setTimeout(r, 20));
    release();
    await batch;
    expect((await derive).statusCode).toBe(201);
    learnerId = await findLearnerByAgent(t.store.db, other);
    expect((await map(identifier)).get(fourth)).toMatchObject({ state: 'in_progress', attempts: 1 });
  });
});
