import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { anotherInstance, build, session, type TestApp } from '../../helper.js';
import { createUser } from '../../../src/auth/index.js';

const PASSWORD = 'correct horse battery';
let t: TestApp;
afterEach(() => t?.close());

const signIn = (username: string, password: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { username, password }, headers });

/** The session cookie's value and attributes from a Set-Cookie header. */
function sessionCookie(res: { headers: Record<string, unknown> }) {
  const raw = ([] as string[]).concat(res.headers['set-cookie'] as string | string[]).find((c) => c.startsWith('shirube_session='));
  expect(raw).toBeDefined();
  const [pair, ...attrs] = raw!.split(/;\s*/);
  return { value: pair!.slice('shirube_session='.length), attrs: attrs.map((a) => a.toLowerCase()), raw: raw! };
}

describe('POST /api/auth/sign-in', () => {
  it('signs in, sets a hardened cookie, and the cookie plus CSRF token work for session and sign-out', async () => {
    t = await build();
    const { id } = await createUser(t.store.db, { username: 'hanako', displayName: '花子', password: PASSWORD, locale: 'ja', roles: [{ role: 'learner', scopeType: 'self', scopeId: '' }] });
    const res = await signIn('hanako', PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toEqual({ id, username: 'hanako', displayName: '花子', locale: 'ja', roles: [{ role: 'learner', scopeType: 'self', scopeId: '' }] });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(JSON.stringify(body)).not.toContain('scrypt');

    const c = sessionCookie(res);
    expect(c.attrs).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/', 'max-age=43200']));
    expect(c.attrs).not.toContain('secure');
    const cookie = `shirube_session=${c.value}`;

    const who = await t.app.inject({ url: '/api/auth/session', headers: { cookie } });
    expect(who.statusCode).toBe(200);
    expect(who.json()).toEqual(body);

    // Sign-out is a write: without the CSRF token it is refused and the session lives on.
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.field).toBe('X-CSRF-Token');
    expect((await t.app.inject({ url: '/api/auth/session', headers: { cookie } })).statusCode).toBe(200);

    const out = await t.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie, 'x-csrf-token': body.csrfToken } });
    expect(out.statusCode).toBe(204);
    expect(sessionCookie(out).value).toBe('');
    const after = await t.app.inject({ url: '/api/auth/session', headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthorized');
  });

  it('marks the cookie Secure when Shirube is served over HTTPS', async () => {
    t = await build({ SHIRUBE_PUBLIC_URL: 'https://shirube.example.jp' });
    await createUser(t.store.db, { username: 'taro', password: PASSWORD });
    const res = await signIn('taro', PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(sessionCookie(res).attrs).toContain('secure');
  });

  it('answers a wrong password, an unknown user and a disabled user with the same 401', async () => {
    t = await build();
    await createUser(t.store.db, { username: 'taro', password: PASSWORD });
    const { id } = await createUser(t.store.db, { username: 'jiro', password: PASSWORD });
    await t.store.db.updateTable('app_user').set({ disabled: true }).where('id', '=', id).execute();
    const answers = [await signIn('taro', 'wrong password'), await signIn('nobody', PASSWORD), await signIn('jiro', PASSWORD)];
    for (const r of answers) {
      expect(r.statusCode).toBe(401);
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    expect(new Set(answers.map((r) => r.body)).size).toBe(1);
    expect(answers[0]!.json()).toEqual({ error: { code: 'unauthorized', message: 'Wrong username or password' } });
  });

  it('rejects malformed bodies with a 400 naming the field', async () => {
    t = await build();
    const cases: [unknown, string][] = [
      [{ password: PASSWORD }, 'username'],
      [{ username: 'taro' }, 'password'],
      [{ username: 'taro', password: { text: PASSWORD } }, 'password'],
      [{ username: 'taro', password: PASSWORD, remember: true }, 'remember'],
      [{ username: 'x'.repeat(65), password: PASSWORD }, 'username'],
    ];
    for (const [payload, field] of cases) {
      const r = await t.app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: payload as object });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error.field ?? r.json().error.message).toContain(field);
    }
  });

  it('replaces the session a cookie already names (no session fixation), without needing a CSRF token', async () => {
    t = await build();
    await createUser(t.store.db, { username: 'taro', password: PASSWORD });
    const again = await session(t, [], 'hanako');
    const res = await signIn('taro', PASSWORD, { cookie: again.cookie });
    expect(res.statusCode).toBe(200);
    expect(`shirube_session=${sessionCookie(res).value}`).not.toBe(again.cookie);
    expect((await t.app.inject({ url: '/api/auth/session', headers: { cookie: again.cookie } })).statusCode).toBe(401);
  });
});

describe('sign-in rate limit', () => {
  it('locks a username after too many failures with 429 and Retry-After, even for the right password', async () => {
    t = await build({ SHIRUBE_SIGNIN_MAX_FAILURES: '3' });
    await createUser(t.store.db, { username: 'taro', password: PASSWORD });
    await createUser(t.store.db, { username: 'hanako', password: PASSWORD });
    for (let i = 0; i < 3; i++) expect((await signIn('taro', `wrong ${i}`)).statusCode).toBe(401);
    const locked = await signIn('Taro', PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('busy');
    const retry = Number(locked.headers['retry-after']);
    expect(retry).toBeGreaterThan(14 * 60);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    // Another username from the same address is not locked out by it.
    expect((await signIn('hanako', PASSWORD)).statusCode).toBe(200);
  });

  it('a success resets the username count', async () => {
    t = await build({ SHIRUBE_SIGNIN_MAX_FAILURES: '2' });
    await createUser(t.store.db, { username: 'taro', password: PASSWORD });
    expect((await signIn('taro', 'wrong')).statusCode).toBe(401);
    expect((await signIn('taro', PASSWORD)).statusCode).toBe(200);
    expect((await signIn('taro', 'wrong')).statusCode).toBe(401);
    expect((await signIn('taro', PASSWORD)).statusCode).toBe(200);
  });

  it('limits failures per client address across usernames', async () => {
    t = await build({ SHIRUBE_SIGNIN_MAX_FAILURES_PER_IP: '2' });
    await createUser(t.store.db, { username: 'taro', password: PASSWORD });
    expect((await signIn('a', PASSWORD)).statusCode).toBe(401);
    expect((await signIn('b', PASSWORD)).statusCode).toBe(401);
    const r = await signIn('taro', PASSWORD);
    expect(r.statusCode).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    // From another address (inject's remoteAddress) the account is reachable.
    const other = await t.app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { username: 'taro', password: PASSWORD }, remoteAddress: '10.1.2.3' });
    expect(other.statusCode).toBe(200);
  });

  it('counts failures on every instance together, and stores no username or address', async () => {
    t = await build({ SHIRUBE_SIGNIN_MAX_FAILURES: '3' });
    const b = await anotherInstance(t);
    try {
      await createUser(t.store.db, { username: 'taro', password: PASSWORD });
      expect((await signIn('taro', 'wrong 1')).statusCode).toBe(401);
      expect((await signIn('taro', 'wrong 2')).statusCode).toBe(401);
      const third = await b.app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { username: 'TARO', password: 'wrong 3' } });
      expect(third.statusCode).toBe(401);
      // Locked on both instances, even for the right password.
      for (const app of [t.app, b.app]) {
        const r = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { username: 'taro', password: PASSWORD } });
        expect(r.statusCode).toBe(429);
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(14 * 60);
      }
      const { rows } = await sql<Record<string, unknown>>`select * from rate_limit order by bucket`.execute(t.store.db);
      expect(rows.map((r) => [r['bucket'], r['count']])).toEqual([['sign-in-address', 3], ['sign-in-username', 3]]);
      expect(JSON.stringify(rows)).not.toMatch(/taro|127\.0\.0\.1/i);
    } finally {
      await b.close();
    }
  });
});

describe('GET /api/auth/session', () => {
  it('is 401 without a cookie, with an unknown cookie, and for a disabled user', async () => {
    t = await build();
    expect((await t.app.inject({ url: '/api/auth/session' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/auth/session', headers: { cookie: 'shirube_session=forged' } })).statusCode).toBe(401);
    const s = await session(t, []);
    expect((await t.app.inject({ url: '/api/auth/session', headers: { cookie: s.cookie } })).statusCode).toBe(200);
    await t.store.db.updateTable('app_user').set({ disabled: true }).where('id', '=', s.userId).execute();
    expect((await t.app.inject({ url: '/api/auth/session', headers: { cookie: s.cookie } })).statusCode).toBe(401);
  });

  it('is 401 once the session has expired', async () => {
    t = await build();
    const s = await session(t, []);
    await t.store.db.updateTable('user_session').set({ expires_at: new Date(Date.now() - 1000) }).execute();
    expect((await t.app.inject({ url: '/api/auth/session', headers: { cookie: s.cookie } })).statusCode).toBe(401);
  });
});

describe('credentials on every route', () => {
  it('answers an unknown bearer token with 401 everywhere, never 500', async () => {
    t = await build();
    for (const url of ['/openapi.json', '/api/docs/', '/', '/ims/case/v1p1/CFDocuments', '/api/auth/session', '/no-such-page']) {
      const r = await t.app.inject({ url, headers: { authorization: 'Bearer not-a-token' } });
      expect(r.statusCode, url).toBe(401);
    }
    const token = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { authorization: 'Bearer not-a-token' }, payload: { grant_type: 'client_credentials' } });
    expect(token.statusCode).toBe(401);
    expect(token.json().error).toBe('invalid_client');
  });

  it('ignores the session cookie when another Authorization scheme is used', async () => {
    t = await build();
    const s = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
    const r = await t.app.inject({ url: '/api/auth/session', headers: { cookie: s.cookie, authorization: 'Basic eDp5' } });
    expect(r.statusCode).toBe(401);
  });
});
