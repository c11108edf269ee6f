import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, build, type TestApp } from '../helper.js';
import { basic, statement } from './xapi/helper.js';
import { asRequestError, ShirubeError } from '../../src/errors.js';
import { checkInput, MAX_JSON_DEPTH } from '../../src/input.js';

/** docs/security.md, "Input limits": each API's own error format, naming the field. test/http/fuzz.test.ts covers every operation. */
let t: TestApp;
let admin: { authorization: string };
beforeAll(async () => {
  t = await build();
  admin = await bearer(t, ['case:admin']);
});
afterAll(() => t.close());

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

describe('checkInput', () => {
  it('names the field of a NUL, an unpaired surrogate or a key holding one, and refuses nesting past the limit without recursing', () => {
    const fail = (v: unknown) => {
      try {
        checkInput(v, '');
      } catch (e) {
        return { message: (e as ShirubeError).message, field: (e as ShirubeError).field };
      }
      return undefined;
    };
    expect(fail({ roles: [{ scopeId: 'a\u0000' }] })).toEqual({ message: 'roles.0.scopeId: contains a NUL character (U+0000), which cannot be stored', field: 'roles.0.scopeId' });
    expect(fail({ name: 'x\ud800' })?.field).toBe('name');
    expect(fail({ name: 'x\udc00y' })?.field).toBe('name');
    expect(fail({ a: { '\u0000': 1 } })?.message).toContain('the property name contains a NUL');
    expect(fail('\u0000')?.field).toBe('body');
    expect(fail(nested(10_000))?.message).toBe(`${'a.'.repeat(MAX_JSON_DEPTH).slice(0, -1)}: nested deeper than ${MAX_JSON_DEPTH} levels`);
    // Valid text, astral characters (a surrogate pair) and nesting up to the limit pass.
    expect(fail({ name: '学習指導要領 😀 \u202e', deep: nested(MAX_JSON_DEPTH - 1) })).toBeUndefined();
    expect(() => checkInput({ doc: 'a\u0000' }, 'body', { strings: false })).not.toThrow();
  });

  it('turns PostgreSQL data exceptions and stack overflows into invalid_request, a lost database into unavailable, and leaves other errors alone', () => {
    expect(asRequestError(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }))).toMatchObject({ code: 'invalid_request' });
    expect(asRequestError(new RangeError('Maximum call stack size exceeded'))).toMatchObject({ code: 'invalid_request' });
    // How pg reports PostgreSQL going away (test/faults/postgres-restart.test.ts restarts a real one).
    for (const lost of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
    ]) {
      expect(asRequestError(lost), lost.message).toMatchObject({ code: 'unavailable' });
    }
    for (const other of [Object.assign(new Error('insert or update violates foreign key constraint'), { code: '23503' }), new Error('something else')]) {
      expect(asRequestError(other)).toBe(other);
    }
  });
});

describe('NUL bytes and unpaired surrogates', () => {
  it('CASE and /uri: 400 imsx_StatusInfo naming the parameter', async () => {
    for (const url of ['/uri/%00', '/ims/case/v1p1/CFItems/a%00b', '/ims/case/v1p0/CFDocuments?sort=a%00']) {
      const r = await t.app.inject({ url });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().imsx_codeMajor, url).toBe('failure');
    }
    const r = await t.app.inject({ url: '/uri/%00' });
    expect(r.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldName).toBe('identifier');
    expect(r.json().imsx_description).toBe('identifier: contains a NUL character (U+0000), which cannot be stored');
  });

  it('/api and the badge pages: 400 { error } with the field', async () => {
    const did = await t.app.inject({ url: '/issuers/%00/did.json' });
    expect(did.statusCode).toBe(400);
    expect(did.json().error).toMatchObject({ code: 'invalid_request', field: 'id' });
    const school = await t.app.inject({ method: 'POST', url: '/api/rosters/schools', headers: admin, payload: { name: 'x\ud800' } });
    expect(school.statusCode).toBe(400);
    expect(school.json().error).toMatchObject({ code: 'invalid_request', field: 'name' });
    const orgs = await t.app.inject({ method: 'POST', url: '/api/admin/organizations', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"name":"x","parentId":"a\\u0000"}' });
    expect(orgs.json().error).toMatchObject({ code: 'invalid_request', field: 'parentId' });
  });

  it('xAPI: 400 with a plain-text message naming the parameter', async () => {
    const h = await basic(t, ['xapi:all']);
    const r = await t.app.inject({ url: '/xapi/activities/state?activityId=http%3A%2F%2Fexample.org%2Fa&agent=%7B%22mbox%22%3A%22mailto%3Aa%40b.c%22%7D&stateId=a%00', headers: h });
    expect(r.statusCode).toBe(400);
    expect(r.body).toBe('stateId: contains a NUL character (U+0000), which cannot be stored');
    const s = await t.app.inject({ method: 'POST', url: '/xapi/statements', headers: { ...h, 'content-type': 'application/json' }, payload: JSON.stringify(statement({ result: { response: 'a\ud800' } })) });
    expect(s.statusCode).toBe(400);
    expect(s.body).toContain('result.response: contains an unpaired UTF-16 surrogate');
  });

  it('outside the APIs (web UI files, unknown paths, the OpenAPI document): 400', async () => {
    for (const url of ['/%00', '/assets/%00', '/index.html?x=%00', '/openapi.json?a=%00', '/nothing/%00']) {
      expect((await t.app.inject({ url })).statusCode, url).toBe(400);
    }
  });

  it('a framework import (JSON parsed by the importer) names the field; nothing is stored', async () => {
    const pkg = { CFDocument: { identifier: '7d1b2c3e-0000-4000-8000-000000000001', uri: 'http://x/d', title: 'T', creator: 'c', lastChangeDateTime: '2024-01-01T00:00:00Z' }, CFItems: [{ identifier: '7d1b2c3e-0000-4000-8000-000000000002', uri: 'http://x/i', fullStatement: 'a\u0000', lastChangeDateTime: '2024-01-01T00:00:00Z' }] };
    const r = await t.app.inject({ method: 'POST', url: '/api/frameworks/import', headers: { ...admin, 'content-type': 'application/json' }, payload: JSON.stringify(pkg) });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'invalid_request', message: 'CFItems.0.fullStatement: contains a NUL character (U+0000), which cannot be stored' });
    expect((await t.app.inject({ url: '/api/frameworks/', headers: admin })).json()).toEqual({ frameworks: [] });
  });

  it('OAuth: 400 invalid_request', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: 'grant_type=client_credentials&client_id=a%00&client_secret=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toBe('invalid_request');
  });
});

describe('deeply nested JSON', () => {
  it('a statement nested 10,000 levels deep is a 400 naming where; one nested 50 levels is stored', async () => {
    const h = await basic(t, ['xapi:all']);
    const post = (ext: unknown) =>
      t.app.inject({
        method: 'POST',
        url: '/xapi/statements',
        headers: { ...h, 'content-type': 'application/json' },
        payload: `[${JSON.stringify(statement({ object: { id: 'http://example.org/a', definition: { extensions: { 'http://example.org/e': 0 } } } })).replace('"http://example.org/e":0', `"http://example.org/e":${JSON.stringify(ext) ?? ''}`)}]`,
      });
    const deep = await t.app.inject({
      method: 'POST',
      url: '/xapi/statements',
      headers: { ...h, 'content-type': 'application/json' },
      payload: `[${JSON.stringify(statement()).replace(/}$/, `,"context":{"extensions":{"http://example.org/e":${'['.repeat(10_000)}${']'.repeat(10_000)}}}}`)}]`,
    });
    expect(deep.statusCode).toBe(400);
    expect(deep.body).toMatch(/^body\.0\.context\.extensions\.http:\/\/example\.org\/e(\.0)+: nested deeper than 100 levels$/);
    expect((await post(nested(50))).statusCode).toBe(200);
  });

  it('any /api or CASE body nested past the limit is a 400', async () => {
    const api = await t.app.inject({ method: 'POST', url: '/api/rosters/schools', headers: { ...admin, 'content-type': 'application/json' }, payload: '['.repeat(10_000) + ']'.repeat(10_000) });
    expect(api.statusCode).toBe(400);
    expect(api.json().error.message).toMatch(/nested deeper than 100 levels$/);
    const casePut = await t.app.inject({ method: 'POST', url: '/ims/case/v1p1/CFPackages', headers: { ...admin, 'content-type': 'application/json' }, payload: JSON.stringify(nested(200)) });
    expect(casePut.statusCode).toBe(400);
    expect(casePut.json().imsx_description).toMatch(/nested deeper than 100 levels$/);
  });
});

describe('authentication before body validation', () => {
  it('anonymous writes with a bad body are 401 in the API\'s format', async () => {
    for (const [method, url] of [['POST', '/api/rosters/schools'], ['PATCH', '/api/rosters/classes/x'], ['PUT', '/api/progress/rules'], ['POST', '/api/badges/issuers/x/rotate']] as const) {
      const r = await t.app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: '{"nope": [1, "\\u0000"]}' });
      expect(r.statusCode, url).toBe(401);
      expect(r.json().error.code, url).toBe('unauthorized');
    }
    const ob = await t.app.inject({ method: 'POST', url: '/ims/ob/v3p0/credentials', headers: { 'content-type': 'application/json' }, payload: '{"\\u0000": 1' });
    expect(ob.statusCode).toBe(401);
    expect(ob.headers['www-authenticate']).toContain('Bearer');
    expect(ob.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe('unauthorizedrequest');
    // Signing in and out stay open to anonymous callers.
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { username: 'nobody' } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/sign-out' })).statusCode).toBe(204);
  });
});
