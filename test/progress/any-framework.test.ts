import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, build, session, type TestApp } from '../helper.js';
import { importCourseOfStudyCodes } from '../../src/case/import/cscode.js';
import { importCaseJson } from '../../src/case/import/case-json.js';
import { answered, post } from './fixture.js';
import { DEMO_CLASS, seedDemoRoster } from '../../src/progress/index.js';

/**
 * The map and the dashboards for frameworks other than 算数: the 理科 Course of Study table (grades 3–6, two
 * domains) as a class's framework, and Smarter Balanced (no Course of Study levels, few precedes).
 */
const SHARED = new URL('../../../shared/data/', import.meta.url);
const scienceCsv = readFileSync(new URL('cscode/elementary-science-2017.csv', SHARED), 'utf8');
const sbJson = JSON.parse(readFileSync(new URL('case-frameworks/smarter-balanced-math-content-spec.v1p0.cfpackage.json', SHARED), 'utf8'));

let t: TestApp;
let science: string;
let admin: Record<string, string>;
const contentCodes = scienceCsv.split('\n').slice(1).map((l) => l.split(',')).filter((c) => c[2] === 'content').map((c) => c[0]!);

beforeAll(async () => {
  t = await build();
  const [result] = await importCourseOfStudyCodes(t.store.db, scienceCsv);
  science = result!.identifier;
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
}, 120_000);
afterAll(() => t?.close());

describe('理科 as a class framework', () => {
  it('gives the class heatmap and a learner map with their answers', async () => {
    const { agents } = await seedDemoRoster(t.store.db, t.config.publicUrl);
    const writer = await bearer(t, ['xapi:statements/write']);
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/rosters/classes/${DEMO_CLASS}`, headers: admin, payload: { framework: science } });
    expect(patch.statusCode).toBe(200);
    const [first, second] = contentCodes;
    const me = agents[0]! as { account: { name: string } };
    const enrolled = (await t.app.inject({ method: 'GET', url: `/api/rosters/classes/${DEMO_CLASS}/enrollments`, headers: admin })).json().enrollments;
    const learnerId = enrolled.find((e: { personId: string }) => e.personId === me.account.name).learnerId as string;
    await post(t, writer, [...[1, 2, 3, 4].map((n) => answered(me, first!, true, `2025-05-0${n}T01:00:00Z`)), answered(me, second!, false, '2025-05-05T01:00:00Z')]);

    const map = (await t.app.inject({ method: 'GET', url: `/api/progress/map?framework=${science}&learner=${learnerId}`, headers: admin })).json();
    expect(map.nodes.map((n: { code: string }) => n.code).sort()).toEqual([...contentCodes].sort());
    expect(new Set(map.nodes.map((n: { grade: string }) => n.grade))).toEqual(new Set(['3', '4', '5', '6']));
    expect(new Set(map.nodes.map((n: { domainCode: string }) => n.domainCode))).toEqual(new Set(['A', 'B']));
    const node = (code: string) => map.nodes.find((n: { code: string }) => n.code === code);
    expect(node(first!).progress).toMatchObject({ state: 'mastered', attempts: 4 });
    expect(node(second!).progress).toMatchObject({ state: 'in_progress', attempts: 1 });

    const heat = await t.app.inject({ method: 'GET', url: `/api/progress/classes/${DEMO_CLASS}/heatmap?framework=${science}&grade=${node(first!).grade}`, headers: admin });
    expect(heat.statusCode).toBe(200);
    const h = heat.json();
    expect(h.learners).toHaveLength(35);
    const col = h.items.findIndex((i: { code: string }) => i.code === first);
    const row = h.learners.findIndex((l: { id: string }) => l.id === learnerId);
    expect(h.cells[row][col]).toMatchObject({ state: 'mastered', attempts: 4 });
    const next = (await t.app.inject({ method: 'GET', url: `/api/progress/learners/${learnerId}/next-steps?framework=${science}`, headers: admin })).json();
    expect(next.items.map((i: { item: { code: string } }) => i.item.code)).not.toContain(first);
    expect(next.items[0].item.code).toBe(second);
  });
});

describe('Smarter Balanced (no Course of Study levels)', () => {
  it('draws every leaf item, also those outside the hierarchy, and the hierarchy and related links', async () => {
    const { identifier } = await importCaseJson(t.store.db, sbJson);
    const parents = new Set<string>(sbJson.CFAssociations.filter((a: { associationType: string }) => a.associationType === 'isChildOf').map((a: { destinationNodeURI: { identifier: string } }) => a.destinationNodeURI.identifier));
    const leaves = sbJson.CFItems.filter((i: { identifier: string }) => !parents.has(i.identifier)).map((i: { identifier: string }) => i.identifier);
    const map = (await t.app.inject({ method: 'GET', url: `/api/progress/map?framework=${identifier}`, headers: admin })).json();
    expect(map.nodes.map((n: { id: string }) => n.id).sort()).toEqual([...leaves].sort());
    // Its precedes join Targets (groups), not leaves: the leaves connect by the hierarchy and isRelatedTo.
    const count = (type: string) => map.edges.filter((e: { type: string }) => e.type === type).length;
    expect(count('precedes')).toBe(0);
    expect(count('isRelatedTo')).toBeGreaterThan(0);
    const items = new Set(sbJson.CFItems.map((i: { identifier: string }) => i.identifier));
    const underItem = sbJson.CFAssociations.filter((a: { associationType: string; originNodeURI: { identifier: string }; destinationNodeURI: { identifier: string } }) => a.associationType === 'isChildOf' && leaves.includes(a.originNodeURI.identifier) && items.has(a.destinationNodeURI.identifier));
    expect(count('isChildOf')).toBeGreaterThanOrEqual(underItem.length);
  }, 120_000);
});

describe('cross-framework links', () => {
  it('shows on each framework\'s map an isRelatedTo from a 理科 item to a Smarter Balanced item, stored in a third document', async () => {
    const sb = (await t.app.inject({ method: 'GET', url: `/api/progress/map?framework=${sbJson.CFDocument.identifier}`, headers: admin })).json();
    const sci = (await t.app.inject({ method: 'GET', url: `/api/progress/map?framework=${science}`, headers: admin })).json();
    const [from, to] = [sci.nodes[0], sb.nodes[0]];
    const link = { identifier: 'c2d7c0de-0000-4000-8000-000000000001', associationType: 'isRelatedTo', lastChangeDateTime: '2026-01-01T00:00:00Z', uri: 'https://example.org/a/1',
      originNodeURI: { identifier: from.id, uri: `https://example.org/i/${from.id}`, title: from.code }, destinationNodeURI: { identifier: to.id, uri: `https://example.org/i/${to.id}`, title: to.code } };
    await importCaseJson(t.store.db, { CFDocument: { identifier: 'c2d7c0de-0000-4000-8000-000000000000', uri: 'https://example.org/d', creator: 'test', title: '理科 ↔ Math links', lastChangeDateTime: '2026-01-01T00:00:00Z' }, CFItems: [], CFAssociations: [link] });
    const again = async (framework: string) => (await t.app.inject({ method: 'GET', url: `/api/progress/map?framework=${framework}`, headers: admin })).json().crossLinks;
    expect(await again(science)).toEqual([expect.objectContaining({ id: link.identifier, type: 'isRelatedTo', item: from.id, other: expect.objectContaining({ id: to.id, code: to.code, framework: { identifier: sbJson.CFDocument.identifier, title: sb.framework.title } }) })]);
    expect(await again(sbJson.CFDocument.identifier)).toEqual([expect.objectContaining({ id: link.identifier, item: to.id, other: expect.objectContaining({ id: from.id, framework: { identifier: science, title: sci.framework.title } }) })]);
  });
});
