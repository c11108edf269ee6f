import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, build, session, type TestApp } from '../../helper.js';
import { auditEntries } from '../../../src/store/auth.js';

let t: TestApp;
let admin: Record<string, string>;
beforeAll(async () => {
  t = await build();
  const { userId: _id, ...headers } = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }], 'root');
  admin = headers;
});
afterAll(() => t.close());

const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: object) =>
  t.app.inject({ method, url: `/api/admin${url}`, headers, ...(payload ? { payload } : {}) });

describe('who may use /api/admin', () => {
  it('gives nobody 401, other roles and scopes 403, admins and case:admin clients access', async () => {
    const org = (await call('POST', '/organizations', admin, { name: '○○市教育委員会', kind: 'board' })).json();
    const strip = ({ userId: _u, ...h }: Record<string, string>) => h;
    const who: [string, Record<string, string>, number][] = [
      ['anonymous', {}, 401],
      ['learner', strip(await session(t, [{ role: 'learner', scopeType: 'self', scopeId: '' }])), 403],
      ['author', strip(await session(t, [{ role: 'author', scopeType: 'organization', scopeId: org.id }])), 403],
      ['teacher', strip(await session(t, [{ role: 'teacher', scopeType: 'class', scopeId: '6-1' }])), 403],
      ['client case:read', await bearer(t, ['case:read']), 403],
      ['client case:write', await bearer(t, ['case:write']), 403],
      ['admin', admin, 0],
      ['client case:admin', await bearer(t, ['case:admin']), 0],
    ];
    const requests: [Parameters<typeof call>[0], string, object?][] = [
      ['GET', '/users'],
      ['POST', '/users', { username: 'x' }],
      ['GET', '/organizations'],
      ['POST', '/organizations', { name: 'x', kind: 'school' }],
      ['GET', '/clients'],
      ['POST', '/clients', { name: 'x', scopes: ['case:read'] }],
      ['DELETE', '/clients/nope'],
      ['PUT', '/users/nope/roles', { roles: [] }],
      ['PUT', '/users/nope/password', { password: 'long enough password' }],
      ['PATCH', '/users/nope', { disabled: true }],
    ];
    for (const [name, headers, expected] of who) {
      for (const [method, url, body] of requests) {
        // Bodies differ per caller so that creations do not collide.
        const payload = body && 'username' in body ? { username: `u-${name.replace(/\W/g, '')}` } : body && 'kind' in body ? { ...body, name: name } : body;
        const r = await call(method, url, headers, payload);
        const label = `${name} ${method} ${url}`;
        if (expected) {
          expect(r.statusCode, label).toBe(expected);
          expect(r.json().error.code, label).toBe(expected === 401 ? 'unauthorized' : 'forbidden');
        } else expect([200, 201, 204, 404], label).toContain(r.statusCode);
      }
    }
  });

  it('checks authorisation before the body: nobody with a bad body still gets 401', async () => {
    const r = await call('POST', '/users', {}, { nonsense: true });
    expect(r.statusCode).toBe(401);
  });

  it('requires the CSRF token for cookie-authenticated writes', async () => {
    const r = await call('POST', '/organizations', { cookie: admin['cookie']! }, { name: 'no csrf', kind: 'school' });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.field).toBe('X-CSRF-Token');
    const wrong = await call('POST', '/organizations', { cookie: admin['cookie']!, 'x-csrf-token': 'guess' }, { name: 'no csrf', kind: 'school' });
    expect(wrong.statusCode).toBe(403);
    const names = (await call('GET', '/organizations', { cookie: admin['cookie']! })).json().map((o: { name: string }) => o.name);
    expect(names).not.toContain('no csrf');
  });
});

describe('users and roles', () => {
  it('creates a user with roles, changes roles, disables and re-enables, audits each write', async () => {
    const org = (await call('POST', '/organizations', admin, { name: '△△小学校', kind: 'school' })).json();
    const created = await call('POST', '/users', admin, {
      username: 'sato',
      displayName: '佐藤先生',
      password: 'a long enough password',
      locale: 'en',
      roles: [{ role: 'teacher', scopeType: 'class', scopeId: '4-2' }, { role: 'author', scopeType: 'organization', scopeId: org.id }],
    });
    expect(created.statusCode).toBe(201);
    const user = created.json();
    expect(user).toMatchObject({ username: 'sato', displayName: '佐藤先生', locale: 'en', disabled: false });
    expect(user.roles).toHaveLength(2);
    expect(JSON.stringify(user)).not.toMatch(/password|scrypt/);

    const listed = (await call('GET', '/users', admin)).json().find((u: { id: string }) => u.id === user.id);
    expect(listed).toEqual(user);

    // A learner role needs no scope id; it is filled in.
    const roles = await call('PUT', `/users/${user.id}/roles`, admin, { roles: [{ role: 'learner' }, { role: 'reviewer', scopeType: 'framework', scopeId: 'c2d4e2a6-0000-4000-8000-000000000001' }] });
    expect(roles.statusCode).toBe(200);
    expect(roles.json().roles).toEqual([
      { role: 'learner', scopeType: 'self', scopeId: '' },
      { role: 'reviewer', scopeType: 'framework', scopeId: 'c2d4e2a6-0000-4000-8000-000000000001' },
    ]);

    const disabled = await call('PATCH', `/users/${user.id}`, admin, { disabled: true });
    expect(disabled.json().disabled).toBe(true);
    const enabled = await call('PATCH', `/users/${user.id}`, admin, { disabled: false, displayName: '佐藤' });
    expect(enabled.json()).toMatchObject({ disabled: false, displayName: '佐藤' });
    expect((await call('PUT', `/users/${user.id}/password`, admin, { password: 'another long password' })).statusCode).toBe(204);

    const log = await auditEntries(t.store.db, 'user', user.id);
    expect(log.map((e) => e.action)).toEqual(['user.create', 'user.roles', 'user.update', 'user.update', 'user.password']);
    expect(log.every((e) => e.actor.startsWith('user:'))).toBe(true);
    expect(JSON.stringify(log)).not.toContain('long enough password');
  });

  it('ends the sessions of a disabled user and of a user whose password is reset', async () => {
    const s = await session(t, [{ role: 'learner', scopeType: 'self', scopeId: '' }]);
    const ok = () => t.app.inject({ url: '/api/auth/session', headers: { cookie: s.cookie } });
    expect((await ok()).statusCode).toBe(200);
    await call('PATCH', `/users/${s.userId}`, admin, { disabled: true });
    await call('PATCH', `/users/${s.userId}`, admin, { disabled: false });
    expect((await ok()).statusCode).toBe(401);

    const s2 = await session(t, []);
    await call('PUT', `/users/${s2.userId}/password`, admin, { password: 'a brand new password' });
    expect((await t.app.inject({ url: '/api/auth/session', headers: { cookie: s2.cookie } })).statusCode).toBe(401);
  });

  it('keeps at least one active administrator', async () => {
    const me = (await t.app.inject({ url: '/api/auth/session', headers: admin })).json().user;
    const others = (await call('GET', '/users', admin)).json().filter((u: { id: string; roles: { role: string }[] }) => u.id !== me.id && u.roles.some((r) => r.role === 'admin'));
    expect(others).toEqual([]);
    for (const [method, url, body] of [
      ['PUT', `/users/${me.id}/roles`, { roles: [{ role: 'learner' }] }],
      ['PATCH', `/users/${me.id}`, { disabled: true }],
    ] as const) {
      const r = await call(method, url, admin, body);
      expect(r.statusCode).toBe(409);
      expect(r.json().error.code).toBe('conflict');
    }
    expect((await t.app.inject({ url: '/api/auth/session', headers: admin })).json().user.roles).toEqual([{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  });

  it('rejects bad input with a 400 naming the field, and writes nothing', async () => {
    const bad: [string, Parameters<typeof call>[0], string, object, string][] = [
      ['bad username', 'POST', '/users', { username: 'has space' }, 'username'],
      ['short password', 'POST', '/users', { username: 'kato', password: 'short' }, 'password'],
      ['unknown property', 'POST', '/users', { username: 'kato', admin: true }, 'admin'],
      ['bad locale', 'POST', '/users', { username: 'kato', locale: 'fr' }, 'locale'],
      ['unknown role', 'POST', '/users', { username: 'kato', roles: [{ role: 'owner' }] }, 'roles.0.role'],
      ['admin per framework', 'POST', '/users', { username: 'kato', roles: [{ role: 'admin', scopeType: 'framework', scopeId: 'x' }] }, 'roles.0.scopeType'],
      ['author without scope id', 'POST', '/users', { username: 'kato', roles: [{ role: 'learner' }, { role: 'author', scopeType: 'framework' }] }, 'roles.1.scopeId'],
      ['unknown organization', 'POST', '/users', { username: 'kato', roles: [{ role: 'author', scopeType: 'organization', scopeId: 'nope' }] }, 'roles.0.scopeId'],
      ['role with unknown key', 'POST', '/users', { username: 'kato', roles: [{ role: 'learner', scope: 'x' }] }, 'roles.0.scope'],
      ['empty patch', 'PATCH', '/users/x', {}, 'body'],
      ['org kind', 'POST', '/organizations', { name: 'x', kind: 'company' }, 'kind'],
      ['org parent', 'POST', '/organizations', { name: 'x', kind: 'school', parentId: 'nope' }, 'parentId'],
      ['client scope', 'POST', '/clients', { name: 'x', scopes: ['case:everything'] }, 'scopes.0'],
      ['client no scopes', 'POST', '/clients', { name: 'x', scopes: [] }, 'scopes'],
      ['client owner', 'POST', '/clients', { name: 'x', scopes: ['case:read'], ownerUserId: 'nope' }, 'id'],
    ];
    const before = await counts();
    for (const [label, method, url, body, field] of bad) {
      const r = await call(method, url, admin, body);
      expect(r.statusCode === 400 || r.statusCode === 404, `${label}: ${r.body}`).toBe(true);
      expect(r.json().error.field, label).toBe(field);
    }
    expect(await counts()).toEqual(before);
    const dup = await call('POST', '/users', admin, { username: 'root' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.field).toBe('username');
  });
});

async function counts() {
  const n = async (table: 'app_user' | 'role_assignment' | 'organization' | 'api_client' | 'audit_log') =>
    (await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
  return { users: await n('app_user'), roles: await n('role_assignment'), orgs: await n('organization'), clients: await n('api_client'), audit: await n('audit_log') };
}

describe('organizations and API clients', () => {
  it('creates and lists organizations with a parent', async () => {
    const board = (await call('POST', '/organizations', admin, { name: '□□県教育委員会', kind: 'authority' })).json();
    const school = await call('POST', '/organizations', admin, { name: '□□小学校', kind: 'school', parentId: board.id });
    expect(school.statusCode).toBe(201);
    expect(school.json()).toMatchObject({ name: '□□小学校', kind: 'school', parentId: board.id });
    const list = (await call('GET', '/organizations', admin)).json();
    expect(list.map((o: { id: string }) => o.id)).toEqual(expect.arrayContaining([board.id, school.json().id]));
  });

  it('shows a client secret once, lists clients without secrets, and revokes', async () => {
    const r = await call('POST', '/clients', admin, { name: 'OpenSALT mirror', scopes: ['case:read', 'case:write'] });
    expect(r.statusCode).toBe(201);
    const c = r.json();
    expect(c).toMatchObject({ name: 'OpenSALT mirror', scopes: ['case:read', 'case:write'], revokedAt: null });
    expect(c.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const listed = (await call('GET', '/clients', admin)).json().find((x: { clientId: string }) => x.clientId === c.clientId);
    const { clientSecret: _s, ...withoutSecret } = c;
    expect(listed).toEqual(withoutSecret);
    expect(JSON.stringify((await call('GET', '/clients', admin)).json())).not.toMatch(/secret/i);

    const token = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret } });
    expect(token.statusCode).toBe(200);
    const bearerHeaders = { authorization: `Bearer ${token.json().access_token}` };
    expect((await t.app.inject({ url: '/api/auth/session', headers: bearerHeaders })).statusCode).toBe(401);

    expect((await call('DELETE', `/clients/${c.clientId}`, admin)).statusCode).toBe(204);
    expect((await call('DELETE', `/clients/${c.clientId}`, admin)).statusCode).toBe(404);
    const after = (await call('GET', '/clients', admin)).json().find((x: { clientId: string }) => x.clientId === c.clientId);
    expect(after.revokedAt).not.toBeNull();
    // Its token stops working at once.
    const used = await t.app.inject({ url: '/ims/case/v1p1/CFDocuments', headers: bearerHeaders });
    expect(used.statusCode).toBe(401);
    expect((await auditEntries(t.store.db, 'api_client', c.clientId)).map((e) => e.action)).toEqual(['client.create', 'client.revoke']);
  });
});
