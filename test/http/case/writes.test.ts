import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, build, session, type TestApp } from '../../helper.js';
import { snapshot } from '../../case/import/support.js';
import { ACT, realPackage, schemaErrors } from './support.js';

describe('CASE API writes (CFPackages POST / PUT / DELETE)', () => {
  let t: TestApp;
  let writer: { authorization: string };
  const act = realPackage(ACT);
  const id = act.CFDocument.identifier;
  const post = (headers: Record<string, string>, payload: unknown, url = '/ims/case/v1p1/CFPackages') =>
    t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  /** The request must fail with this status and an imsx_StatusInfo naming the field, and change nothing. */
  const refused = async (send: () => Promise<{ statusCode: number; json(): any }>, status: number, minor: string, field?: string) => {
    const before = await snapshot(t.store.db);
    const res = await send();
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(schemaErrors('getCFPackage', body, true)).toEqual([]);
    expect(body.imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe(minor);
    if (field) expect(body.imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldName).toBe(field);
    expect(await snapshot(t.store.db)).toBe(before);
    return body;
  };

  beforeAll(async () => {
    t = await build();
    writer = await bearer(t, ['case:write']);
  });
  afterAll(() => t.close());

  it('refuses anonymous (401) and read-only or wrong-role (403) writers', async () => {
    await refused(() => post({}, act), 401, 'unauthorised_request');
    // CASE 1.0's own codeMinor vocabulary (its error schema is not the 1.1 one).
    const v1p0 = await post({}, act, '/ims/case/v1p0/CFPackages');
    expect(v1p0.statusCode).toBe(401);
    expect(v1p0.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe('unauthorisedrequest');
    const reader = await bearer(t, ['case:read']);
    await refused(() => post(reader, act), 403, 'forbidden');
    const { userId: _, ...reviewer } = await session(t, [{ role: 'reviewer', scopeType: 'framework', scopeId: id }]);
    await refused(() => post(reviewer, act), 403, 'forbidden');
    await refused(() => t.app.inject({ method: 'DELETE', url: `/ims/case/v1p1/CFPackages/${id}` }), 401, 'unauthorised_request');
  });

  it('answers bad input with 4xx imsx_StatusInfo naming the field, storing nothing', async () => {
    await refused(() => post(writer, '{"CFDocument": '), 400, 'invalid_selection_field');
    await refused(() => post(writer, { CFItems: [] }), 400, 'invalid_selection_field', 'CFDocument');
    await refused(() => post(writer, { ...act, CFItems: [...act.CFItems, { fullStatement: 'no identifier' }] }), 400, 'invalid_selection_field', `CFItems[${act.CFItems.length}].identifier`);
    await refused(() => post(writer, { ...act, CFAssociations: act.CFAssociations.map((a, i) => (i === 20 ? { ...a, originNodeURI: undefined } : a)) }), 400, 'invalid_selection_field', 'CFAssociations[20].originNodeURI');
    await refused(() => t.app.inject({ method: 'PUT', url: '/ims/case/v1p1/CFPackages/5f0c6d1e-2b1a-4c8e-9d3f-1a2b3c4d5e6f', headers: writer, payload: act }), 400, 'invalid_selection_field', 'CFDocument.identifier');
    await refused(() => post(writer, 'x'.repeat(10), '/ims/case/v1p1/CFPackages'), 400, 'invalid_selection_field');
  });

  it('refuses an oversized body with 413', async () => {
    const small = await build({ SHIRUBE_BODY_LIMIT: '2000' });
    try {
      const res = await small.app.inject({ method: 'POST', url: '/ims/case/v1p1/CFPackages', headers: { ...(await bearer(small, ['case:write'])), 'content-type': 'application/json' }, payload: JSON.stringify(act) });
      expect(res.statusCode).toBe(413);
      expect(res.json().imsx_codeMajor).toBe('failure');
    } finally {
      await small.close();
    }
  });

  it('creates, replaces and deletes a framework; the CASE API serves the result', async () => {
    const created = await post(writer, act);
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe(`/ims/case/v1p1/CFPackages/${id}`);
    expect(schemaErrors('getCFDocument', created.json())).toEqual([]);
    const pkg = (await t.app.inject(`/ims/case/v1p1/CFPackages/${id}`)).json();
    expect(pkg.CFItems).toHaveLength(act.CFItems.length);

    const changed = { ...act, CFItems: act.CFItems.map((i, n) => (n === 0 ? { ...i, fullStatement: '改訂された文' } : i)) };
    const replaced = await t.app.inject({ method: 'PUT', url: `/ims/case/v1p1/CFPackages/${id}`, headers: writer, payload: changed });
    expect(replaced.statusCode).toBe(200);
    const item = (await t.app.inject(`/ims/case/v1p1/CFItems/${act.CFItems[0]!.identifier}`)).json();
    expect(item.fullStatement).toBe('改訂された文');

    expect((await t.app.inject({ method: 'DELETE', url: `/ims/case/v1p1/CFPackages/${id}`, headers: writer })).statusCode).toBe(204);
    expect((await t.app.inject(`/ims/case/v1p1/CFPackages/${id}`)).statusCode).toBe(404);
    await refused(() => t.app.inject({ method: 'DELETE', url: `/ims/case/v1p1/CFPackages/${id}`, headers: writer }), 404, 'unknownobject');
  });
});
