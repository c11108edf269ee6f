import { randomUUID } from 'node:crypto';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anotherInstance, bearer, build, type TestApp } from '../helper.js';
import { basic, statement } from '../http/xapi/helper.js';
import { importCaseJson } from '../../src/case/index.js';
import { ItemCache } from '../../src/lrs/index.js';
import { lrs } from '../../src/store/lrs-tables.js';
import { generationDb } from '../../src/store/case-generation.js';

const COS = 'https://w3id.org/japan-xapi/extensions/course-of-study-code';
const CF_ITEM = 'http://shirube.test/xapi/extensions/cf-item';
const CODE = '9990000000000001';
const DOC = randomUUID();

/** A one-item Course of Study framework whose item `itemId` carries CODE. */
const framework = (itemId: string) => ({
  CFDocument: {
    identifier: DOC,
    uri: `https://case.example.jp/uri/${DOC}`,
    creator: 'test',
    title: 'Cache test',
    lastChangeDateTime: '2026-11-01T00:00:00+00:00',
    CFPackageURI: { identifier: DOC, uri: `https://case.example.jp/uri/${DOC}`, title: 'Cache test' },
  },
  CFItems: [
    {
      identifier: itemId,
      uri: `https://case.example.jp/uri/${itemId}`,
      fullStatement: 'An item',
      humanCodingScheme: CODE,
      lastChangeDateTime: '2026-11-01T00:00:00+00:00',
      CFDocumentURI: { identifier: DOC, uri: `https://case.example.jp/uri/${DOC}`, title: 'Cache test' },
    },
  ],
  CFAssociations: [],
});

describe('CFItem look-ups cached under the frameworks generation token', () => {
  let t: TestApp;
  let other: Awaited<ReturnType<typeof anotherInstance>>;
  let writer: Record<string, string>;
  beforeAll(async () => {
    t = await build();
    other = await anotherInstance(t);
    writer = await basic(t, ['xapi:statements/write']);
  });
  afterAll(async () => {
    await other.close();
    await t.close();
  });

  /** Posts a drill answer naming CODE (and `ref` in our extension) through an instance; returns what it linked to. */
  const answer = async (app: TestApp['app'], ref?: string) => {
    const s = statement({
      object: { objectType: 'Activity', id: 'https://drill.example.jp/q/1', definition: { extensions: { [COS]: [CODE] } } },
      result: { success: true, ...(ref ? { extensions: { [CF_ITEM]: ref } } : {}) },
    });
    const r = await app.inject({ method: 'POST', url: '/xapi/statements', headers: { ...writer, 'content-type': 'application/json' }, payload: JSON.stringify(s) });
    expect(r.statusCode, r.body).toBe(200);
    const db = lrs(t.store.db);
    const evidence = await db.selectFrom('evidence').select(['item_id', 'via']).where('statement_id', '=', String(s['id'])).orderBy('via').execute();
    const unresolved = await db.selectFrom('evidence_unresolved').select(['reference', 'via']).where('statement_id', '=', String(s['id'])).orderBy('via').execute();
    return { evidence: evidence.map((e) => [e.item_id, e.via]), unresolved: unresolved.map((u) => [u.reference, u.via]) };
  };

  it('links to the item of the latest import, delete included, on either instance', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await importCaseJson(t.store.db, framework(a), { isCourseOfStudy: true });
    // Both instances cache CODE → a, and the reference a (one evidence row per item: the first way that names it).
    for (const app of [t.app, other.app]) expect(await answer(app, a)).toEqual({ evidence: [[a, 'result_extension']], unresolved: [] });

    // A new version moves CODE to item b (a is gone): the very next statement, on either instance, links to b.
    await importCaseJson(t.store.db, framework(b), { isCourseOfStudy: true });
    expect(await answer(other.app, a)).toEqual({ evidence: [[b, 'course_of_study_code']], unresolved: [[a, 'result_extension']] });
    expect(await answer(t.app, b)).toEqual({ evidence: [[b, 'result_extension']], unresolved: [] });

    // Deleted through the CASE API of the other instance: CODE and b name nothing; the statement is stored and flagged.
    const del = await other.app.inject({ method: 'DELETE', url: `/ims/case/v1p1/CFPackages/${DOC}`, headers: await bearer(t, ['case:write']) });
    expect(del.statusCode, del.body).toBe(204);
    for (const app of [t.app, other.app]) {
      expect(await answer(app, b)).toEqual({ evidence: [], unresolved: [[CODE, 'course_of_study_code'], [b, 'result_extension']] });
    }
  });

  it('reads the frameworks again only when the token changes', async () => {
    const selects: string[] = [];
    const counting: KyselyPlugin = {
      transformQuery: ({ node }: PluginTransformQueryArgs) => {
        if (node.kind === 'SelectQueryNode') selects.push(node.kind);
        return node;
      },
      transformResult: async ({ result }: PluginTransformResultArgs) => result,
    };
    const db = t.store.db.withPlugin(counting);
    const cache = new ItemCache();
    const item = randomUUID();
    await importCaseJson(t.store.db, framework(item), { isCourseOfStudy: true });
    const token = async () => (await generationDb(t.store.db).selectFrom('case_generation').select('token').executeTakeFirstOrThrow()).token;
    const first = await token();
    const codes = async (tk: string) => [...(await cache.itemsOfCodes(db, [CODE], tk, 'http://shirube.test')).get(CODE)!].map((i) => i.identifier);
    expect(await codes(first)).toEqual([item]);
    expect(await codes(first)).toEqual([item]);
    expect((await cache.itemOfReference(db, item, first, 'http://shirube.test'))?.identifier).toBe(item);
    expect((await cache.itemOfReference(db, item, first, 'http://shirube.test'))?.identifier).toBe(item);
    expect(selects).toHaveLength(2);

    const moved = randomUUID();
    await importCaseJson(t.store.db, framework(moved), { isCourseOfStudy: true });
    const second = await token();
    expect(second).not.toBe(first);
    expect(await codes(second)).toEqual([moved]);
    expect(await cache.itemOfReference(db, item, second, 'http://shirube.test')).toBeUndefined();
    expect(selects).toHaveLength(4);
  });
});
