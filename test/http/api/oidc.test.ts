import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error oidc-provider ships no type declarations
import Provider from 'oidc-provider';
import { build, bearer, type TestApp } from '../../helper.js';

/**
 * A real OpenID Connect provider (oidc-provider) on 127.0.0.1 standing in for Google Workspace / Microsoft 365.
 * Its login page is replaced by a handler that signs in `nextAccount` at once, as a pupil tapping their account.
 */
let t: TestApp;
let idp: Server;
let issuer: string;
let nextAccount = 'pupil-1';
const accounts: Record<string, { email: string; email_verified: boolean }> = {
  'pupil-1': { email: 'Pupil1@School.example', email_verified: true },
  stranger: { email: 'stranger@elsewhere.example', email_verified: true },
};
let admin: Record<string, string>;

beforeAll(async () => {
  t = await build();
  admin = await bearer(t, ['case:admin']);
  idp = createServer();
  await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(idp.address() as { port: number }).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'shirube', client_secret: 'a-long-enough-client-secret-for-hs256', redirect_uris: [`${t.config.publicUrl}/api/auth/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
    pkce: { required: () => true },
  });
  provider.proxy = false;
  const callback = provider.callback();
  idp.on('request', async (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      const details = await provider.interactionDetails(req, res);
      const grant = new provider.Grant({ accountId: nextAccount, clientId: details.params.client_id });
      grant.addOIDCScope('openid email profile');
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: nextAccount }, consent: { grantId } }, { mergeWithLastSubmission: false });
      return;
    }
    callback(req, res);
  });
  // The roster: a school with the provider, and a pupil whose e-mail the provider vouches for.
  await t.app.inject({ method: 'POST', url: '/api/rosters/schools', headers: admin, payload: { id: 'giga-school', name: 'GIGA小学校' } });
  const put = await t.app.inject({ method: 'PUT', url: '/api/rosters/schools/giga-school/oidc', headers: admin, payload: { issuer, clientId: 'shirube', clientSecret: 'a-long-enough-client-secret-for-hs256', label: 'Google' } });
  expect(put.statusCode).toBe(200);
  await t.app.inject({ method: 'POST', url: '/api/rosters/people', headers: admin, payload: { id: 'pupil-1', role: 'student', displayName: '児童 一', email: 'pupil1@school.example', schoolId: 'giga-school' } });
});
afterAll(async () => {
  await t.close();
  await new Promise((r) => idp.close(r));
});

/** Follows the provider's redirects with its cookies, as a browser would, until it redirects back to Shirube. */
async function throughProvider(url: string): Promise<URL> {
  const jar = new Map<string, string>();
  for (let i = 0; i < 10; i++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      jar.set(k!, v ?? '');
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`the provider stopped at ${url}: ${res.status} ${await res.text()}`);
    const next = new URL(location, url);
    if (next.href.startsWith(t.config.publicUrl)) return next;
    url = next.href;
  }
  throw new Error('too many redirects');
}

async function signIn(account: string) {
  nextAccount = account;
  const start = await t.app.inject({ url: '/api/auth/oidc/giga-school/start?returnTo=/map' });
  expect(start.statusCode).toBe(302);
  const location = new URL(start.headers.location as string);
  expect(location.origin).toBe(issuer);
  expect(location.searchParams.get('code_challenge_method')).toBe('S256');
  const stateCookie = String(start.headers['set-cookie']).split(';')[0]!;
  const back = await throughProvider(location.href);
  return t.app.inject({ url: back.pathname + back.search, headers: { cookie: stateCookie } });
}

describe('school-account sign-in (OpenID Connect)', () => {
  it('lists the school, signs a pupil in without a password and opens their session', async () => {
    expect((await t.app.inject({ url: '/api/auth/oidc/providers' })).json().providers).toEqual([{ schoolId: 'giga-school', schoolName: 'GIGA小学校', label: 'Google' }]);
    const res = await signIn('pupil-1');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/map');
    const cookie = [res.headers['set-cookie']].flat().find((c) => String(c).startsWith('shirube_session='))!;
    const me = await t.app.inject({ url: '/api/me', headers: { cookie: String(cookie).split(';')[0]! } });
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
    expect(r.json()).toEqual({ issuer, clientId: 'shirube', label: 'Google', claim: 'email', enabled: true });
  });
});
