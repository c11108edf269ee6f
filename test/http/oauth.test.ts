import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type TestApp } from '../helper.js';
import { createApiClient, revokeApiClient } from '../../src/auth/index.js';

let t: TestApp;
let client: { clientId: string; clientSecret: string };
beforeAll(async () => {
  t = await build();
  client = await createApiClient(t.store.db, { name: 'mirror', scopes: ['case:read', 'case:write'] });
});
afterAll(() => t.close());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const token = (form: Record<string, string>, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams(form).toString() });
/** A request that needs a principal: the admin API answers 401 to nobody and 403 to a client without case:admin. */
const whoAmI = (accessToken: string) => t.app.inject({ url: '/api/admin/users', headers: { authorization: `Bearer ${accessToken}` } });

describe('POST /oauth/token', () => {
  it('issues a bearer token with HTTP Basic client authentication', async () => {
    const r = await token({ grant_type: 'client_credentials' }, { authorization: basic(client.clientId, client.clientSecret) });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    const body = r.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'case:read case:write' });
    // Known but not allowed is a 403, not the 401 of an unknown token.
    expect((await whoAmI(body.access_token)).statusCode).toBe(403);
  });

  it('issues a token with form-field client authentication and narrows the scope on request', async () => {
    const r = await token({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'case:read' });
    expect(r.statusCode).toBe(200);
    expect(r.json().scope).toBe('case:read');
    const row = await t.store.db.selectFrom('access_token').select('scopes').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(row.scopes).toEqual(['case:read']);
  });

  it('refuses scopes the client was not granted with invalid_scope', async () => {
    const r = await token({ grant_type: 'client_credentials', scope: 'case:read case:admin' }, { authorization: basic(client.clientId, client.clientSecret) });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'invalid_scope' });
    expect(r.json().error_description).toContain('case:admin');
  });

  it('answers a wrong secret, an unknown client, missing and malformed credentials with invalid_client 401', async () => {
    const cases = [
      token({ grant_type: 'client_credentials' }, { authorization: basic(client.clientId, 'wrong') }),
      token({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: 'wrong' }),
      token({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: client.clientSecret }),
      token({ grant_type: 'client_credentials' }),
      token({ grant_type: 'client_credentials' }, { authorization: 'Basic !!!' }),
      token({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from('%E0%A4%A:x').toString('base64')}` }),
    ];
    for (const r of await Promise.all(cases)) {
      expect(r.statusCode, r.body).toBe(401);
      expect(r.json().error).toBe('invalid_client');
      expect(r.headers['www-authenticate']).toMatch(/^Basic /);
    }
  });

  it('supports only the client_credentials grant', async () => {
    for (const form of [{ grant_type: 'password', username: 'a', password: 'b' }, {}] as Record<string, string>[]) {
      const r = await token(form, { authorization: basic(client.clientId, client.clientSecret) });
      expect(r.statusCode).toBe(400);
      expect(r.json().error).toBe('unsupported_grant_type');
    }
  });

  it('answers a malformed body in RFC 6749 form, not with a 500', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: '{"grant_type":' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toBe('invalid_request');
  });

  it('refuses a revoked client, and its tokens stop working', async () => {
    const c = await createApiClient(t.store.db, { name: 'old', scopes: ['case:admin'] });
    const issued = (await token({ grant_type: 'client_credentials' }, { authorization: basic(c.clientId, c.clientSecret) })).json();
    expect((await whoAmI(issued.access_token)).statusCode).toBe(200);
    await revokeApiClient(t.store.db, c.clientId, 'test');
    expect((await whoAmI(issued.access_token)).statusCode).toBe(401);
    const again = await token({ grant_type: 'client_credentials' }, { authorization: basic(c.clientId, c.clientSecret) });
    expect(again.statusCode).toBe(401);
    expect(again.json().error).toBe('invalid_client');
  });

  it('treats an expired token as no token: 401 on use, naming the token endpoint', async () => {
    const c = await createApiClient(t.store.db, { name: 'expiring', scopes: ['case:admin'] });
    const issued = (await token({ grant_type: 'client_credentials' }, { authorization: basic(c.clientId, c.clientSecret) })).json();
    expect((await whoAmI(issued.access_token)).statusCode).toBe(200);
    await t.store.db.updateTable('access_token').set({ expires_at: new Date(Date.now() - 1000) }).where('client_id', 'in', t.store.db.selectFrom('api_client').select('id').where('client_id', '=', c.clientId)).execute();
    const r = await whoAmI(issued.access_token);
    expect(r.statusCode).toBe(401);
    expect(r.json().error.message).toContain('/oauth/token');
    // Also on a public route: the client learns its token is no longer good.
    expect((await t.app.inject({ url: '/ims/case/v1p1/CFDocuments', headers: { authorization: `Bearer ${issued.access_token}` } })).statusCode).toBe(401);
  });

  it('stores client secrets and tokens only as digests', async () => {
    const rows = await t.store.db.selectFrom('api_client').select('secret_hash').execute();
    for (const r of rows) expect(r.secret_hash).toMatch(/^sha256\$/);
    const secrets = JSON.stringify(await t.store.db.selectFrom('api_client').selectAll().execute());
    expect(secrets).not.toContain(client.clientSecret);
  });
});
