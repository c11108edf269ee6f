import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { sql } from 'kysely';
import { build, type TestApp } from '../../helper.js';
import { freePort } from '../../cli-process.js';
import { setUserPassword, updateUserAccount } from '../../../src/auth/index.js';
import { savePerson } from '../../../src/progress/index.js';
import { upsertSchool } from '../../../src/store/progress-rosters.js';
import { REGISTRATIONS_PER_HOUR } from '../../../src/http/oauth.js';
import { formOf, obWallet, PASSWORD, READ } from './support.js';

/**
 * The OB 3.0 API's OAuth 2.0 endpoints driven by a real OAuth client library (openid-client, over a socket): the
 * library builds the PKCE request, checks the state and the answers, refreshes and revokes.
 */
const redirectUri = 'http://localhost:9/wallet/callback';
let t: TestApp;
let base: string;
let userId: string;
const wallet = obWallet(() => base, redirectUri);
const signIn = async (username: string) => (await wallet.signIn(username)).cookie;

/** getCredentials' status with this token (openid-client throws on a 401's challenge: plain fetch). */
const statusWith = async (token: string) => (await fetch(`${base}/ims/ob/v3p0/credentials`, { headers: { authorization: `Bearer ${token}` } })).status;

/** The consent page as the browser gets it, then Allow: the client's redirect URI with the code. */
async function allow(url: URL, cookie: string): Promise<{ page: string; back: URL }> {
  const page = await (await fetch(url, { headers: { cookie }, redirect: 'manual' })).text();
  const res = await fetch(`${base}/oauth/authorize`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...formOf(page), decision: 'allow' }), redirect: 'manual' });
  expect(res.status).toBe(302);
  return { page, back: new URL(res.headers.get('location')!) };
}

async function registered(): Promise<client.Configuration> {
  const sdd = await (await fetch(`${base}/ims/ob/v3p0/discovery`)).json();
  const scheme = sdd.components.securitySchemes.OAuth2ACG;
  const reg = await (await fetch(scheme['x-imssf-registrationUrl'], { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'Library Wallet', redirect_uris: [redirectUri] }) })).json();
  const flow = scheme.flows.authorizationCode;
  const config = new client.Configuration(
    { issuer: base, authorization_endpoint: flow.authorizationUrl, token_endpoint: flow.tokenUrl, revocation_endpoint: `${base}/oauth/revoke` },
    reg.client_id,
    undefined,
    client.ClientSecretBasic(reg.client_secret),
  );
  client.allowInsecureRequests(config);
  return config;
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await build({ SHIRUBE_PUBLIC_URL: base });
  await t.app.listen({ port, host: '127.0.0.1' });
  await upsertSchool(t.store.db, { id: 'school-1', name: 'しるべ小学校', kind: 'school', parentId: null });
  const p = await savePerson(t.store.db, { id: 'pupil-1', role: 'student', displayName: '児童 一', username: 'pupil1', schoolId: 'school-1', source: 'manual' }, base);
  userId = p.userId!;
  await setUserPassword(t.store.db, userId, PASSWORD, 'test');
}, 60_000);
afterAll(() => t?.close());

describe('the OB API OAuth endpoints with openid-client', () => {
  it('runs the authorization code flow with PKCE, reads the credentials, refreshes and revokes', async () => {
    const config = await registered();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: READ, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
    const { back } = await allow(url, await signIn('pupil1'));
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: READ, expires_in: 3600 });

    const res = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${base}/ims/ob/v3p0/credentials`), 'GET');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ credential: [], compactJwsString: [] });

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    // The spent refresh token, replayed: the grant ends, also for the new tokens.
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await statusWith(refreshed.access_token)).toBe(401);

    const again = await client.authorizationCodeGrant(config, (await allow(client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: READ, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state }), await signIn('pupil1'))).back, { pkceCodeVerifier: verifier, expectedState: state });
    await client.tokenRevocation(config, again.refresh_token!, { token_type_hint: 'refresh_token' });
    expect(await statusWith(again.access_token)).toBe(401);
  });

  it('refuses a code after its 60 seconds, and tokens of a disabled account', async () => {
    const config = await registered();
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: READ, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const cookie = await signIn('pupil1');
    const { back } = await allow(url, cookie);
    await sql`update ob_authorization_code set expires_at = now() - interval '1 second'`.execute(t.store.db);
    await expect(client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: client.skipStateCheck })).rejects.toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('expired') });

    const fresh = await client.authorizationCodeGrant(config, (await allow(url, cookie)).back, { pkceCodeVerifier: verifier, expectedState: client.skipStateCheck });
    expect(await statusWith(fresh.access_token)).toBe(200);
    await updateUserAccount(t.store.db, userId, { disabled: true }, 'test');
    try {
      expect(await statusWith(fresh.access_token)).toBe(401);
    } finally {
      await updateUserAccount(t.store.db, userId, { disabled: false }, 'test');
    }
  });

  it('shows the consent page in the learner’s language (English)', async () => {
    await updateUserAccount(t.store.db, userId, { locale: 'en' }, 'test');
    const config = await registered();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: READ, code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const page = await (await fetch(url, { headers: { cookie: await signIn('pupil1') } })).text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('Library Wallet');
    expect(page).toContain('Read your badges (Open Badges credentials)');
    expect(page).toMatch(/>Allow<\/button>.*>Deny<\/button>/s);
    expect(page).toContain('http://localhost:9');
  });

  it('bounds the registrations one address makes (429 with Retry-After)', async () => {
    const register = () => fetch(`${base}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'Many', redirect_uris: [redirectUri] }) });
    let res = await register();
    let made = 0;
    while (res.status === 201 && made <= REGISTRATIONS_PER_HOUR) {
      made++;
      res = await register();
    }
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(made).toBeLessThanOrEqual(REGISTRATIONS_PER_HOUR);
    const clients = await t.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'ob.client.register').executeTakeFirstOrThrow();
    expect(Number(clients.n)).toBe(REGISTRATIONS_PER_HOUR);
  });
});
