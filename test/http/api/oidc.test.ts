import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anotherInstance, build, bearer, type TestApp } from '../../helper.js';
import { CLIENT_ID, CLIENT_SECRET, startIdp, type TestIdp } from './oidc-provider.js';

let t: TestApp;
let idp: TestIdp;
let admin: Record<string, string>;

beforeAll(async () => {
  t = await build();
  admin = await bearer(t, ['case:admin']);
  idp = await startIdp(`${t.config.publicUrl}/api/auth/oidc/callback`, {
    'pupil-1': { email: 'Pupil1@School.example', email_verified: true },
    stranger: { email: 'stranger@elsewhere.example', email_verified: true },
  });
  // The roster: a school with the provider, and a pupil whose e-mail the provider vouches for.
  await t.app.inject({ method: 'POST', url: '/api/rosters/schools', headers: admin, payload: { id: 'giga-school', name: 'GIGA小学校' } });
  const put = await t.app.inject({ method: 'PUT', url: '/api/rosters/schools/giga-school/oidc', headers: admin, payload: { issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, label: 'Google' } });
  expect(put.statusCode).toBe(200);
  await t.app.inject({ method: 'POST', url: '/api/rosters/people', headers: admin, payload: { id: 'pupil-1', role: 'student', displayName: '児童 一', email: 'pupil1@school.example', schoolId: 'giga-school' } });
});
afterAll(async () => {
  await t.close();
  await idp.close();
});

/** Starts a sign-in on `app` and goes through the provider: the callback URL and the state cookie to send it with. */
async function startAt(app: FastifyInstance, account: string) {
  idp.nextAccount = account;
  const start = await app.inject({ url: '/api/auth/oidc/giga-school/start?returnTo=/map' });
  expect(start.statusCode).toBe(302);
  const location = new URL(start.headers.location as string);
  expect(location.origin).toBe(idp.issuer);
  expect(location.searchParams.get('code_challenge_method')).toBe('S256');
  const stateCookie = String(start.headers['set-cookie']).split(';')[0]!;
  const back = await idp.throughProvider(location.href, t.config.publicUrl);
  return { path: back.pathname + back.search, cookie: stateCookie, state: location.searchParams.get('state')! };
}
const finishAt = (app: FastifyInstance, cb: { path: string; cookie: string }) => app.inject({ url: cb.path, headers: { cookie: cb.cookie } });
const signIn = async (account: string) => finishAt(t.app, await startAt(t.app, account));
const sessionOf = (res: { headers: Record<string, unknown> }) => String([res.headers['set-cookie']].flat().find((c) => String(c).startsWith('shirube_session='))).split(';')[0]!;
const pendingRows = async () => (await sql<Record<string, unknown>>`select * from oidc_pending_sign_in`.execute(t.store.db)).rows;

describe('school-account sign-in (OpenID Connect)', () => {
  it('lists the school, signs a pupil in without a password and opens their session', async () => {
    expect((await t.app.inject({ url: '/api/auth/oidc/providers' })).json().providers).toEqual([{ schoolId: 'giga-school', schoolName: 'GIGA小学校', label: 'Google' }]);
    const res = await signIn('pupil-1');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/map');
    const me = await t.app.inject({ url: '/api/me', headers: { cookie: sessionOf(res) } });
    expect(me.statusCode).toBe(200);
    expect(me.json().learnerId).toEqual(expect.any(String));
    expect(me.json().user.displayName).toBe('児童 一');
  });

  it('refuses an account that is not in the roster', async () => {
    const res = await signIn('stranger');
    expect(res.headers.location).toBe('/?signInError=unknown_account');
    expect(String(res.headers['set-cookie'] ?? '')).not.toContain('shirube_session=');
  });

  it('refuses a callback without the matching state cookie, and a school without a provider', async () => {
    const res = await t.app.inject({ url: '/api/auth/oidc/callback?code=x&state=forged' });
    expect(res.headers.location).toBe('/?signInError=expired');
    expect((await t.app.inject({ url: '/api/auth/oidc/nowhere/start' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/auth/oidc/giga-school/start?returnTo=//evil.example' })).statusCode).toBe(400);
  });

  it('never shows the client secret', async () => {
    const r = await t.app.inject({ url: '/api/rosters/schools/giga-school/oidc', headers: admin });
    expect(r.json()).toEqual({ issuer: idp.issuer, clientId: CLIENT_ID, label: 'Google', claim: 'email', enabled: true });
  });
});

describe('pending sign-ins in the database (several instances)', () => {
  it('finishes on another instance a sign-in started on this one, once, keeping only a digest of the state', async () => {
    const b = await anotherInstance(t);
    try {
      const cb = await startAt(t.app, 'pupil-1');
      const rows = await pendingRows();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ school_id: 'giga-school', return_to: '/map' });
      expect(JSON.stringify(rows)).not.toContain(cb.state);
      const res = await finishAt(b.app, cb);
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/map');
      // The session opened on B works on A (sessions were already shared).
      expect((await t.app.inject({ url: '/api/me', headers: { cookie: sessionOf(res) } })).json().user.displayName).toBe('児童 一');
      expect(await pendingRows()).toHaveLength(0);
      // Replayed on either instance, the callback finds nothing.
      for (const app of [t.app, b.app]) expect((await finishAt(app, cb)).headers.location).toBe('/?signInError=expired');
    } finally {
      await b.close();
    }
  });

  it('answers busy (429) while a school has 10,000 sign-ins in progress, and purges expired ones', async () => {
    const fill = (expires: string) =>
      sql`insert into oidc_pending_sign_in (state_hash, school_id, nonce, code_verifier, return_to, expires_at)
          select 'filler-' || i, 'giga-school', 'n', 'v', '/', now() + ${expires}::interval from generate_series(1, 10000) as i`.execute(t.store.db);
    await fill('10 minutes');
    const busy = await t.app.inject({ url: '/api/auth/oidc/giga-school/start' });
    expect(busy.statusCode).toBe(429);
    expect(busy.json().error.code).toBe('busy');
    await sql`update oidc_pending_sign_in set expires_at = now() - interval '1 second'`.execute(t.store.db);
    expect((await t.app.inject({ url: '/api/auth/oidc/giga-school/start' })).statusCode).toBe(302);
    expect(await pendingRows()).toHaveLength(1);
    await sql`delete from oidc_pending_sign_in`.execute(t.store.db);
  });

  it('refuses a sign-in that expired before the provider sent the browser back', async () => {
    const cb = await startAt(t.app, 'pupil-1');
    await sql`update oidc_pending_sign_in set expires_at = now() - interval '1 second'`.execute(t.store.db);
    const res = await finishAt(t.app, cb);
    expect(res.headers.location).toBe('/?signInError=expired');
    expect(String(res.headers['set-cookie'] ?? '')).not.toContain('shirube_session=');
  });
});
