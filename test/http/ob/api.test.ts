import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, session, SHARED, type TestApp } from '../../helper.js';
import { freePort } from '../../cli-process.js';
import { setUserPassword } from '../../../src/auth/index.js';
import { MATH_2017_DOCUMENT } from '../../../src/progress/index.js';
import { answered, demoClass, post } from '../../progress/fixture.js';
import { basic, bearer, formOf, obWallet, pkce, PASSWORD, PROFILE_READ, PROFILE_UPDATE, READ, UPSERT, type SignedIn } from './support.js';
import { ob3Schema } from '../../badges/independent.js';

/**
 * The Open Badges 3.0 API as a wallet uses it, over a real socket: discovery, dynamic registration, authorization
 * code with PKCE and the learner's consent, getCredentials, refresh, revocation; and what must fail.
 */
const OB3 = `${SHARED}spec/ob3/`;
const A = '8250213111100000';

const credentialsResponseValid = ob3Schema('getopenbadgecredentialsresponse');
const statusInfoValid = ob3Schema('imsx_statusinfo');
const profileValid = ob3Schema('profile');

let t: TestApp;
let base: string;
let d: Awaited<ReturnType<typeof demoClass>>;
let issued: Record<string, any>;
let learnerId: string;
const { http, register, signIn, authorizeUrl, decide, consent, exchange, grant, redirectUri } = obWallet(() => base);

let learner0: SignedIn;
let learner1: SignedIn;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await build({ SHIRUBE_PUBLIC_URL: base, SHIRUBE_SECRET_KEY: 'test-secret-key-of-at-least-32-characters' });
  await t.app.listen({ port, host: '127.0.0.1' });
  d = await demoClass(t);
  // The first learner earns a badge through the real path: statements → candidate → the teacher's approval.
  const admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  expect((await t.app.inject({ method: 'POST', url: '/api/badges/achievements/defaults', headers: admin, payload: { framework: MATH_2017_DOCUMENT } })).statusCode).toBe(200);
  await post(t, d.writer, [1, 2, 3, 4].map((n) => answered(d.agents[0]!, A, true, `2025-05-0${n}T01:00:00Z`)));
  await setUserPassword(t.store.db, d.teacherUserId, PASSWORD, 'test');
  const teacher = await signIn('teacher');
  const [candidate] = (await http('GET', '/api/badges/candidates', { headers: { cookie: teacher.cookie } })).json().candidates;
  learnerId = candidate.learnerId;
  const approved = await http('POST', '/api/badges/candidates/approve', { headers: { cookie: teacher.cookie, 'x-csrf-token': teacher.csrf }, json: { candidates: [{ achievementId: candidate.achievementId, learnerId }] } });
  expect(approved.status).toBe(201);
  issued = approved.json().credentials[0];
  for (const id of d.learnerUserIds.slice(0, 2)) await setUserPassword(t.store.db, id, PASSWORD, 'test');
  learner0 = await signIn('learner01');
  learner1 = await signIn('learner02');
}, 180_000);
afterAll(() => t?.close());

describe('a wallet fetches a learner’s badges with their consent', () => {
  it('publishes a Service Description Document with the x-imssf fields, scopes and URLs under SHIRUBE_PUBLIC_URL (no token needed)', async () => {
    const res = await http('GET', '/ims/ob/v3p0/discovery');
    expect(res.status).toBe(200);
    const sdd = res.json();
    expect(sdd.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(sdd.info).toMatchObject({ title: expect.any(String), version: expect.any(String), termsOfService: `${base}/ims/ob/v3p0/policy#terms`, 'x-imssf-privacyPolicyUrl': `${base}/ims/ob/v3p0/policy#privacy` });
    expect(sdd.info['x-imssf-image']).toMatch(/^data:image\/svg\+xml;base64,/);
    const scheme = sdd.components.securitySchemes.OAuth2ACG;
    expect(scheme).toMatchObject({ type: 'oauth2', 'x-imssf-registrationUrl': `${base}/oauth/register` });
    expect(scheme.flows.authorizationCode).toMatchObject({ authorizationUrl: `${base}/oauth/authorize`, tokenUrl: `${base}/oauth/token`, refreshUrl: `${base}/oauth/token` });
    expect(Object.keys(scheme.flows.authorizationCode.scopes).sort()).toEqual([READ, UPSERT, PROFILE_READ, PROFILE_UPDATE].sort());
    expect(Object.keys(sdd.paths).sort()).toEqual(['/credentials', '/discovery', '/profile']);
    expect(sdd.paths['/credentials'].get.security).toEqual([{ OAuth2ACG: [READ] }]);
    expect(sdd.servers[0].url).toBe(`${base}/ims/ob/v3p0`);
    const policy = await http('GET', '/ims/ob/v3p0/policy');
    expect(policy.status).toBe(200);
    expect(policy.text).toContain('id="privacy"');
  });

  it('registers, signs the learner in, asks for consent, exchanges the code with PKCE, and gets exactly that learner’s credentials', async () => {
    const sdd = (await http('GET', '/ims/ob/v3p0/discovery')).json();
    const flow = sdd.components.securitySchemes.OAuth2ACG.flows.authorizationCode;
    const reg = await http('POST', sdd.components.securitySchemes.OAuth2ACG['x-imssf-registrationUrl'], {
      json: { client_name: 'テスト財布 Wallet', client_uri: 'https://wallet.example', redirect_uris: [redirectUri], scope: `${READ} ${PROFILE_READ}`, token_endpoint_auth_method: 'client_secret_basic' },
    });
    expect(reg.status).toBe(201);
    const client = reg.json();
    expect(client).toMatchObject({ client_id: expect.any(String), client_secret: expect.any(String), redirect_uris: [redirectUri], scope: `${READ} ${PROFILE_READ}`, grant_types: ['authorization_code', 'refresh_token'] });

    const { verifier, challenge } = pkce();
    const url = `${flow.authorizationUrl}?${new URLSearchParams({ response_type: 'code', client_id: client.client_id, redirect_uri: redirectUri, scope: READ, state: 'xyz', code_challenge: challenge, code_challenge_method: 'S256' })}`;
    // Not signed in: to the sign-in page, which comes back here.
    const anon = await http('GET', url);
    expect(anon.status).toBe(302);
    const signInAt = new URL(anon.headers.get('location')!, base);
    expect(signInAt.pathname).toBe('/sign-in');
    const next = signInAt.searchParams.get('next')!;
    expect(next).toMatch(/^\/oauth\/authorize\?/);

    const page = await http('GET', next, { headers: { cookie: learner0.cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).toContain('form-action \'self\' http://127.0.0.1:9');
    expect(page.text).toContain('テスト財布 Wallet');
    expect(page.text).toContain('https://wallet.example');
    expect(page.text).toContain('あなたのバッジ（オープンバッジの証明書）を読み取る');
    expect(page.text).toMatch(/許可する<\/button>.*許可しない<\/button>/s);
    expect(page.text).not.toContain(PROFILE_READ); // only what this request asks

    // The decision needs the session's CSRF token.
    const form = formOf(page.text);
    expect(form['csrf_token']).toBe(learner0.csrf);
    const forged = await http('POST', '/oauth/authorize', { headers: { cookie: learner0.cookie }, form: { ...form, csrf_token: 'nope', decision: 'allow' } });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('location')).toBeNull();

    const allowed = await http('POST', '/oauth/authorize', { headers: { cookie: learner0.cookie }, form: { ...form, decision: 'allow' } });
    expect(allowed.status).toBe(302);
    const back = new URL(allowed.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('xyz');
    const code = back.searchParams.get('code')!;
    expect(code).toBeTruthy();

    const tokenRes = await http('POST', flow.tokenUrl, { headers: basic(client), form: { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier } });
    expect(tokenRes.status).toBe(200);
    expect(tokenRes.headers.get('cache-control')).toBe('no-store');
    const tokens = tokenRes.json();
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: READ, access_token: expect.any(String), refresh_token: expect.any(String) });

    const res = await http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(tokens.access_token) });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(credentialsResponseValid(body), JSON.stringify(credentialsResponseValid.errors)).toBe(true);
    expect(body.credential).toEqual([issued]);
    expect(body.compactJwsString).toEqual([]);
    expect(res.headers.get('x-total-count')).toBe('1');
    expect(res.headers.get('link')).toContain(`<${base}/ims/ob/v3p0/credentials?limit=100&offset=0>; rel="first"`);

    // The token reads badges, nothing else: the profile needs another scope, other APIs ignore it.
    const profile = await http('GET', '/ims/ob/v3p0/profile', { headers: bearer(tokens.access_token) });
    expect(profile.status).toBe(403);
    expect(statusInfoValid(profile.json())).toBe(true);
    expect(profile.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe('forbidden');
    expect(profile.headers.get('www-authenticate')).toContain('insufficient_scope');
    expect((await http('GET', '/api/badges/passport', { headers: bearer(tokens.access_token) })).status).toBe(403);

    // Refresh rotates: the new pair works, the old refresh token is spent.
    const refreshed = await http('POST', flow.refreshUrl, { headers: basic(client), form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token } });
    expect(refreshed.status).toBe(200);
    const fresh = refreshed.json();
    expect(fresh.refresh_token).not.toBe(tokens.refresh_token);
    expect((await http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(fresh.access_token) })).json().credential).toEqual([issued]);
    // Wider scope than granted on refresh: refused.
    const wider = await http('POST', flow.tokenUrl, { headers: basic(client), form: { grant_type: 'refresh_token', refresh_token: fresh.refresh_token, scope: `${READ} ${PROFILE_READ}` } });
    expect(wider.status).toBe(400);
    expect(wider.json().error).toBe('invalid_scope');

    // Revocation (RFC 7009): the access token stops at once.
    const revoked = await http('POST', '/oauth/revoke', { headers: basic(client), form: { token: fresh.access_token, token_type_hint: 'access_token' } });
    expect(revoked.status).toBe(200);
    const after = await http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(fresh.access_token) });
    expect(after.status).toBe(401);
    expect(statusInfoValid(after.json())).toBe(true);
    expect(after.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe('unauthorizedrequest');
    // Revoking the refresh token ends the grant: no more refreshing.
    expect((await http('POST', '/oauth/revoke', { headers: basic(client), form: { token: fresh.refresh_token } })).status).toBe(200);
    const dead = await http('POST', flow.tokenUrl, { headers: basic(client), form: { grant_type: 'refresh_token', refresh_token: fresh.refresh_token } });
    expect(dead.json().error).toBe('invalid_grant');

    const audit = (await t.store.db.selectFrom('audit_log').select(['action', 'actor']).where('action', 'like', 'ob.%').execute()).map((r) => r.action);
    expect(audit).toEqual(expect.arrayContaining(['ob.client.register', 'ob.consent', 'ob.grant', 'ob.revoke']));
  });

  it('pages with limit and offset (X-Total-Count, Link) and filters with since', async () => {
    const { access_token } = await grant(learner0, `${READ} ${UPSERT}`);
    const simple = JSON.parse(readFileSync(`${OB3}examples/validator-tests/ob30/simple.json`, 'utf8'));
    const before = new Date().toISOString();
    expect((await http('POST', '/ims/ob/v3p0/credentials', { headers: bearer(access_token), json: simple })).status).toBe(201);
    const first = await http('GET', '/ims/ob/v3p0/credentials?limit=1', { headers: bearer(access_token) });
    expect(first.headers.get('x-total-count')).toBe('2');
    expect(first.json().credential).toEqual([issued]);
    const link = first.headers.get('link')!;
    const nextUrl = /<([^>]+)>; rel="next"/.exec(link)![1]!;
    expect(link).toContain('rel="last"');
    const second = await http('GET', nextUrl, { headers: bearer(access_token) });
    expect(second.json().credential.map((c: { id: string }) => c.id)).toEqual([simple.id]);
    expect(second.headers.get('link')).not.toContain('rel="next"');
    expect(second.headers.get('link')).toContain('rel="prev"');
    const since = await http('GET', `/ims/ob/v3p0/credentials?since=${encodeURIComponent(before)}`, { headers: bearer(access_token) });
    expect(since.json().credential.map((c: { id: string }) => c.id)).toEqual([simple.id]);
    const bad = await http('GET', '/ims/ob/v3p0/credentials?limit=0', { headers: bearer(access_token) });
    expect(bad.status).toBe(400);
    expect(bad.json().imsx_codeMinor.imsx_codeMinorField[0]).toEqual({ imsx_codeMinorFieldName: 'limit', imsx_codeMinorFieldValue: 'invalid_query_parameter' });
  });
});

describe('what must fail', () => {
  it('refuses a wrong code_verifier (and the code is spent), a reused code (revoking what it gave), a wrong redirect_uri at the token endpoint and another client', async () => {
    const client = await register();
    const { verifier, challenge } = pkce();
    const code = await consent(learner0, client, READ, challenge);
    const wrong = await exchange(client, code, pkce().verifier);
    expect(wrong.status).toBe(400);
    expect(wrong.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('code_verifier') });
    expect((await exchange(client, code, verifier)).json().error).toBe('invalid_grant');

    const p2 = pkce();
    const code2 = await consent(learner0, client, READ, p2.challenge);
    const other = await register();
    expect((await exchange(other, code2, p2.verifier)).json().error).toBe('invalid_grant');
    expect((await exchange(client, code2, p2.verifier, 'http://127.0.0.1:9/elsewhere')).json().error).toBe('invalid_grant');

    const p3 = pkce();
    const code3 = await consent(learner0, client, READ, p3.challenge);
    const ok = await exchange(client, code3, p3.verifier);
    expect(ok.status).toBe(200);
    expect((await http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(ok.json().access_token) })).status).toBe(200);
    const replay = await exchange(client, code3, p3.verifier);
    expect(replay.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('already used') });
    expect((await http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(ok.json().access_token) })).status).toBe(401);

    const noSecret = await http('POST', '/oauth/token', { form: { grant_type: 'authorization_code', code: 'x', client_id: client.client_id, client_secret: 'wrong' } });
    expect(noSecret.status).toBe(401);
    expect(noSecret.json().error).toBe('invalid_client');
  });

  it('sends PKCE and scope errors back to the client, shows redirect_uri and client errors as a page', async () => {
    const client = await register(READ);
    const { challenge } = pkce();
    const at = async (p: Record<string, string | undefined>) => {
      const res = await http('GET', authorizeUrl(client, p), { headers: { cookie: learner0.cookie } });
      return res;
    };
    const errorOf = async (p: Record<string, string | undefined>) => {
      const res = await at(p);
      expect(res.status).toBe(302);
      const u = new URL(res.headers.get('location')!);
      expect(u.origin + u.pathname).toBe(redirectUri);
      expect(u.searchParams.get('state')).toBe('st-1');
      return [u.searchParams.get('error'), u.searchParams.get('error_description')];
    };
    expect(await errorOf({ scope: READ })).toEqual(['invalid_request', expect.stringContaining('code_challenge')]);
    expect(await errorOf({ scope: READ, code_challenge: challenge })).toEqual(['invalid_request', expect.stringContaining('S256')]);
    expect(await errorOf({ scope: READ, code_challenge: challenge, code_challenge_method: 'plain' })).toEqual(['invalid_request', expect.stringContaining('S256')]);
    expect(await errorOf({ scope: UPSERT, code_challenge: challenge, code_challenge_method: 'S256' })).toEqual(['invalid_scope', expect.stringContaining(UPSERT)]);
    expect(await errorOf({ scope: `${READ} https://example.org/admin`, code_challenge: challenge, code_challenge_method: 'S256' })).toEqual(['invalid_scope', expect.stringContaining('unknown')]);
    expect(await errorOf({ scope: READ, response_type: 'token', code_challenge: challenge, code_challenge_method: 'S256' })).toEqual(['unsupported_response_type', expect.any(String)]);

    const mismatch = await at({ scope: READ, code_challenge: challenge, code_challenge_method: 'S256', redirect_uri: 'http://127.0.0.1:9/callback/other' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.headers.get('location')).toBeNull();
    expect(mismatch.text).toContain('redirect_uri');
    const unknown = await http('GET', authorizeUrl({ client_id: 'nobody' }, { scope: READ, code_challenge: challenge, code_challenge_method: 'S256' }));
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('location')).toBeNull();
  });

  it('validates registrations: redirect URIs https or loopback http, no fragments; known scopes; a name', async () => {
    const reg = (json: unknown) => http('POST', '/oauth/register', { json });
    const bad = await reg({ client_name: 'x', redirect_uris: ['http://wallet.example/cb'] });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_redirect_uri', error_description: expect.stringContaining('redirect_uris.0') });
    expect((await reg({ client_name: 'x', redirect_uris: ['https://wallet.example/cb#frag'] })).json().error).toBe('invalid_redirect_uri');
    expect((await reg({ client_name: 'x' })).json().error).toBe('invalid_redirect_uri');
    expect((await reg({ redirect_uris: ['https://wallet.example/cb'] })).json()).toMatchObject({ error: 'invalid_client_metadata', error_description: expect.stringContaining('client_name') });
    expect((await reg({ client_name: 'x', redirect_uris: ['https://wallet.example/cb'], scope: 'case:admin' })).json().error).toBe('invalid_client_metadata');
    expect((await reg({ client_name: 'x', redirect_uris: ['https://wallet.example/cb'], token_endpoint_auth_method: 'none' })).json().error).toBe('invalid_client_metadata');
    const ok = await reg({ client_name: 'x', redirect_uris: ['https://wallet.example/cb', 'http://localhost:8080/cb'], logo_uri: 'https://wallet.example/logo.png' });
    expect(ok.status).toBe(201);
    expect(ok.json().scope.split(' ').sort()).toEqual([READ, UPSERT, PROFILE_READ, PROFILE_UPDATE].sort());
    // A registered client gets nothing by itself: client credentials are for admin-made API clients only.
    const cc = await http('POST', '/oauth/token', { headers: basic(ok.json()), form: { grant_type: 'client_credentials' } });
    expect(cc.json().error).toBe('invalid_client');
  });

  it('sends access_denied back when the learner denies', async () => {
    const client = await register();
    const back = await decide(learner0, authorizeUrl(client, { scope: READ, code_challenge: pkce().challenge, code_challenge_method: 'S256' }), 'deny');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('lets only learners grant: a teacher gets a refusal, and no code even with a forged decision', async () => {
    const teacher = await signIn('teacher');
    const client = await register();
    const url = authorizeUrl(client, { scope: READ, code_challenge: pkce().challenge, code_challenge_method: 'S256' });
    const page = await http('GET', url, { headers: { cookie: teacher.cookie } });
    expect(page.status).toBe(403);
    expect(page.text).not.toContain('<form');
    const fields = Object.fromEntries(new URL(url, base).searchParams);
    const forged = await http('POST', '/oauth/authorize', { headers: { cookie: teacher.cookie }, form: { ...fields, csrf_token: teacher.csrf, decision: 'allow' } });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('location')).toBeNull();
  });

  it('shows another learner nothing of the first', async () => {
    const { access_token } = await grant(learner1, `${READ} ${PROFILE_READ}`);
    const res = await http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(access_token) });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ credential: [], compactJwsString: [] });
    expect(res.headers.get('x-total-count')).toBe('0');
    const mine = (await http('GET', '/ims/ob/v3p0/profile', { headers: bearer(access_token) })).json();
    const { access_token: first } = await grant(learner0, PROFILE_READ);
    const theirs = (await http('GET', '/ims/ob/v3p0/profile', { headers: bearer(first) })).json();
    expect(mine.id).not.toBe(theirs.id);
  });

  it('answers 401 without a token and 403 without the scope, as imsx_StatusInfo', async () => {
    const none = await http('GET', '/ims/ob/v3p0/credentials');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(statusInfoValid(none.json()), JSON.stringify(statusInfoValid.errors)).toBe(true);
    const bogus = await http('GET', '/ims/ob/v3p0/credentials', { headers: bearer('not-a-token') });
    expect(bogus.status).toBe(401);
    expect(statusInfoValid(bogus.json())).toBe(true);
    const { access_token } = await grant(learner0, READ);
    const upsert = await http('POST', '/ims/ob/v3p0/credentials', { headers: bearer(access_token), json: issued });
    expect(upsert.status).toBe(403);
    expect(upsert.json()).toMatchObject({ imsx_codeMajor: 'failure', imsx_severity: 'error', imsx_codeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldValue: 'forbidden' }] } });
    // A session (the web UI) is not an OAuth grant; neither is an admin-made API client.
    expect((await http('GET', '/ims/ob/v3p0/credentials', { headers: { cookie: learner0.cookie } })).status).toBe(403);
    const missing = await http('GET', '/ims/ob/v3p0/nothing');
    expect(missing.status).toBe(404);
    expect(statusInfoValid(missing.json())).toBe(true);
  });
});

describe('upsertCredential and the Profile', () => {
  it('verifies before storing: 201 new, 304 the same again, 400 naming the failed check', async () => {
    const { access_token } = await grant(learner1, `${READ} ${UPSERT}`);
    const simple = JSON.parse(readFileSync(`${OB3}examples/validator-tests/ob30/simple.json`, 'utf8'));
    const created = await http('POST', '/ims/ob/v3p0/credentials', { headers: bearer(access_token), json: simple });
    expect(created.status).toBe(201);
    expect(created.json()).toEqual(simple);
    const before = (await http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(access_token) })).json();
    const again = await http('POST', '/ims/ob/v3p0/credentials', { headers: { ...bearer(access_token), 'content-type': 'application/vc+ld+json' }, json: simple });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect((await http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(access_token) })).json()).toEqual(before);

    const tampered = { ...simple, name: `${simple.name} (edited)` };
    const bad = await http('POST', '/ims/ob/v3p0/credentials', { headers: bearer(access_token), json: tampered });
    expect(bad.status).toBe(400);
    expect(statusInfoValid(bad.json())).toBe(true);
    expect(bad.json().imsx_description).toMatch(/^proof: /);
    expect(bad.json().imsx_codeMinor.imsx_codeMinorField[0]).toEqual({ imsx_codeMinorFieldName: 'proof', imsx_codeMinorFieldValue: 'invalid_data' });
    const ours = { ...issued, credentialSubject: { ...issued['credentialSubject'], achievement: { ...issued['credentialSubject'].achievement, name: 'Something else' } } };
    expect((await http('POST', '/ims/ob/v3p0/credentials', { headers: bearer(access_token), json: ours })).json().imsx_description).toMatch(/^proof: /);
    const notOb = await http('POST', '/ims/ob/v3p0/credentials', { headers: bearer(access_token), json: { type: ['VerifiableCredential'] } });
    expect(notOb.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldName).toBe('format');
    expect((await http('POST', '/ims/ob/v3p0/credentials', { headers: bearer(access_token), text: 'not a jws' })).status).toBe(400);
    expect((await http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(access_token) })).json()).toEqual({ credential: [simple], compactJwsString: [] });
  });

  it('takes a VC-JWT (text/plain) and answers it in compactJwsString; the same id replaces the JSON one', async () => {
    const { access_token } = await grant(learner1, `${READ} ${UPSERT}`);
    const jwt = bakedJwt(readFileSync(`${OB3}examples/validator-tests/ob30/simple-jwt.png`));
    const jws = await http('POST', '/ims/ob/v3p0/credentials', { headers: bearer(access_token), text: jwt });
    expect(jws.status, jws.text).toBe(200);
    expect(jws.text).toBe(jwt);
    const list = (await http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(access_token) })).json();
    expect(credentialsResponseValid(list), JSON.stringify(credentialsResponseValid.errors)).toBe(true);
    expect(list).toEqual({ credential: [], compactJwsString: [jwt] });
  });

  it('gives a minimal Profile (no name or e-mail) until the learner sets one', async () => {
    const { access_token } = await grant(learner1, `${PROFILE_READ} ${PROFILE_UPDATE}`);
    const first = (await http('GET', '/ims/ob/v3p0/profile', { headers: bearer(access_token) })).json();
    expect(profileValid(first), JSON.stringify(profileValid.errors)).toBe(true);
    expect(first).toEqual({ '@context': expect.any(Array), id: expect.stringMatching(/^urn:uuid:/), type: ['Profile'] });
    expect(JSON.stringify(first)).not.toContain(learnerId);
    const put = await http('PUT', '/ims/ob/v3p0/profile', { headers: bearer(access_token), json: { id: first.id, type: ['Profile'], name: 'あおい', email: 'aoi@example.org' } });
    expect(put.status).toBe(200);
    expect(put.json()).toMatchObject({ id: first.id, name: 'あおい', email: 'aoi@example.org' });
    const again = (await http('GET', '/ims/ob/v3p0/profile', { headers: bearer(access_token) })).json();
    expect(profileValid(again)).toBe(true);
    expect(again.name).toBe('あおい');
    const extra = await http('PUT', '/ims/ob/v3p0/profile', { headers: bearer(access_token), json: { name: 'x', dateOfBirth: '2015-01-01' } });
    expect(extra.status).toBe(400);
    expect(extra.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldName).toBe('dateOfBirth');
    const otherId = await http('PUT', '/ims/ob/v3p0/profile', { headers: bearer(access_token), json: { id: 'urn:uuid:00000000-0000-4000-8000-000000000000' } });
    expect(otherId.status).toBe(400);
    expect(otherId.json().imsx_codeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldName).toBe('id');
  });
});

describe('the learner’s export and erasure', () => {
  it('exports the received credentials and authorised clients; erasure deletes them and stops the tokens', async () => {
    const admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
    const { access_token, refresh_token, client } = await grant(learner0, `${READ} ${UPSERT}`);
    const exported = (await t.app.inject({ method: 'GET', url: `/api/learners/${learnerId}/export`, headers: admin })).json();
    expect(exported.openBadgesApi.externalCredentials.map((c: { id: string }) => c.id)).toEqual(['http://example.com/credentials/3527']);
    expect(exported.openBadgesApi.authorizedClients).toContainEqual(expect.objectContaining({ clientId: client.client_id, clientName: 'テスト財布 Wallet', scopes: [READ, UPSERT] }));
    const erased = await t.app.inject({ method: 'DELETE', url: `/api/learners/${learnerId}`, headers: admin });
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toMatchObject({ externalCredentials: 1, authorizations: expect.any(Number) });
    expect(erased.json().authorizations).toBeGreaterThan(0);
    expect((await http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(access_token) })).status).toBe(401);
    expect((await http('POST', '/oauth/token', { headers: basic(client), form: { grant_type: 'refresh_token', refresh_token } })).json().error).toBe('invalid_grant');
  });
});

/** The compact JWS baked into a PNG's `openbadgecredential` iTXt chunk (OB 3.0 baking). */
function bakedJwt(png: Buffer): string {
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'iTXt' && data.toString('latin1', 0, 19) === 'openbadgecredential') {
      // keyword\0, compression flag, method, language\0, translated keyword\0, text
      let i = 20 + 2;
      i = data.indexOf(0, i) + 1;
      i = data.indexOf(0, i) + 1;
      return data.subarray(i).toString('utf8').trim();
    }
    at += 12 + length;
  }
  throw new Error('no openbadgecredential chunk');
}
