import { generateKeyPair } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildListening, session, type TestApp } from '../../helper.js';
import { ensureDemoFramework } from '../../../src/case/demo.js';
import { MATH_2017_DOCUMENT, frameworkStructure } from '../../../src/progress/index.js';
import { CLIENT_ID, DEPLOYMENT_ID, ROLE, formOf, startPlatform, type LaunchSpec, type TestPlatform } from './platform.js';

let t: TestApp & { base: string };
let platform: TestPlatform;
let admin: Record<string, string>;
let platformId: string;
let item: { id: string; code: string };

beforeAll(async () => {
  t = await buildListening();
  platform = await startPlatform({ base: t.base });
  admin = await bearer(t, ['case:admin']);
  await ensureDemoFramework(t.store.db, () => {});
  const s = await frameworkStructure(t.store.db, MATH_2017_DOCUMENT);
  item = s.items.find((i) => i.grade === '4') ?? s.items[0]!;
  expect((await t.app.inject({ method: 'POST', url: '/api/rosters/schools', headers: admin, payload: { id: 'lti-school', name: 'LTI小学校' } })).statusCode).toBe(201);
  const reg = await t.app.inject({
    method: 'POST',
    url: '/api/admin/lti/platforms',
    headers: admin,
    payload: { label: '学習eポータル', issuer: platform.issuer, clientId: CLIENT_ID, deploymentIds: [DEPLOYMENT_ID], authLoginUrl: platform.authUrl, accessTokenUrl: platform.tokenUrl, jwksUrl: platform.jwksUrl, schoolId: 'lti-school' },
  });
  expect(reg.statusCode, reg.body).toBe(201);
  platformId = reg.json().id;
}, 120_000);
afterAll(async () => {
  await t?.close();
  await platform?.close();
});
beforeEach(() => {
  platform.tamper = {};
});

/** A small cookie jar over fetch: Set-Cookie name=value pairs, sent back on every request to the tool. */
class Browser {
  cookies = new Map<string, string>();
  keep(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (attrs.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim())) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header = () => [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  async get(url: string, headers: Record<string, string> = {}) {
    const res = await fetch(url, { redirect: 'manual', headers: url.startsWith(t.base) ? { cookie: this.header(), ...headers } : headers });
    if (url.startsWith(t.base)) this.keep(res);
    return res;
  }
  async post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(url, { method: 'POST', redirect: 'manual', body: new URLSearchParams(fields), headers: url.startsWith(t.base) ? { cookie: this.header(), ...headers } : headers });
    if (url.startsWith(t.base)) this.keep(res);
    return res;
  }
  get session() {
    return this.cookies.get('shirube_session');
  }
}

let hints = 0;
/** The whole launch over HTTP: the platform's login initiation, its auth endpoint's form post, the tool's answer. */
async function launch(spec: LaunchSpec, b = new Browser()) {
  const hint = `launch-${++hints}`;
  platform.launches.set(hint, spec);
  const login = await b.post(`${t.base}/lti/login`, { iss: platform.issuer, login_hint: hint, target_link_uri: `${t.base}/lti/launch`, lti_message_hint: hint, client_id: CLIENT_ID, lti_deployment_id: DEPLOYMENT_ID });
  expect(login.status, await login.clone().text()).toBe(302);
  const auth = await b.get(login.headers.get('location')!);
  expect(auth.status).toBe(200);
  const form = formOf(await auth.text());
  expect(form.action).toBe(`${t.base}/lti/launch`);
  const res = await b.post(form.action, form.fields);
  return { res, b, form, location: res.headers.get('location') };
}

const count = async (table: string) => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.store.db)).rows[0]!.n);
const api = (b: Browser, path: string) => fetch(`${t.base}${path}`, { headers: { cookie: b.header() } });
/** Changes the test platform's registration through the admin API. */
async function changeRegistration(changes: Record<string, unknown>) {
  const { id: _id, createdAt: _c, ...body } = (await t.app.inject({ url: `/api/admin/lti/platforms/${platformId}`, headers: admin })).json();
  const res = await t.app.inject({ method: 'PUT', url: `/api/admin/lti/platforms/${platformId}`, headers: admin, payload: { ...body, ...changes } });
  expect(res.statusCode, res.body).toBe(200);
}
const contextRow = async (contextId: string) => (await t.app.inject({ url: `/api/admin/lti/contexts?platform=${platformId}`, headers: admin })).json().contexts.find((c: { contextId: string }) => c.contextId === contextId);

describe('registering platforms (admin API)', () => {
  it('shows the tool’s URLs and keys, which /lti/jwks publishes', async () => {
    const tool = (await t.app.inject({ url: '/api/admin/lti/tool', headers: admin })).json();
    expect(tool).toMatchObject({ loginUrl: `${t.base}/lti/login`, launchUrl: `${t.base}/lti/launch`, deepLinkingUrl: `${t.base}/lti/launch`, jwksUrl: `${t.base}/lti/jwks` });
    const jwks = await (await fetch(tool.jwksUrl)).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: tool.jwks.keys[0].kid });
    expect(jwks.keys[0].d).toBeUndefined();
    const stored = (await sql<{ private_jwk_enc: string }>`select private_jwk_enc from lti_tool_key`.execute(t.store.db)).rows[0]!;
    expect(stored.private_jwk_enc).toMatch(/^v1\./);
    expect(stored.private_jwk_enc).not.toContain('"d"');
  });

  it('refuses bad registrations naming the field, duplicates, and non-administrators; audits changes', async () => {
    const base = { issuer: 'https://lms.example', clientId: 'c1', deploymentIds: ['d1'], authLoginUrl: 'https://lms.example/auth', accessTokenUrl: 'https://lms.example/token', jwksUrl: 'https://lms.example/jwks' };
    const bad = await t.app.inject({ method: 'POST', url: '/api/admin/lti/platforms', headers: admin, payload: { ...base, jwksUrl: 'http://lms.example/jwks' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('jwksUrl');
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/lti/platforms', headers: admin, payload: { ...base, deploymentIds: [] } })).json().error.field).toBe('deploymentIds');
    const teacher = await session(t, []);
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/lti/platforms', headers: teacher, payload: base })).statusCode).toBe(403);
    const made = await t.app.inject({ method: 'POST', url: '/api/admin/lti/platforms', headers: admin, payload: base });
    expect(made.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/lti/platforms', headers: admin, payload: base })).statusCode).toBe(409);
    const put = await t.app.inject({ method: 'PUT', url: `/api/admin/lti/platforms/${made.json().id}`, headers: admin, payload: { ...base, deploymentIds: ['d1', 'd2'] } });
    expect(put.json().deploymentIds).toEqual(['d1', 'd2']);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/admin/lti/platforms/${made.json().id}`, headers: admin })).statusCode).toBe(204);
    const audit = (await t.app.inject({ url: '/api/audit?action=lti.platform.*', headers: admin })).json().entries.map((e: { action: string }) => e.action);
    expect(audit).toEqual(['lti.platform.delete', 'lti.platform.update', 'lti.platform.create', 'lti.platform.create']);
  });
});

describe('launches', () => {
  it('a learner’s launch opens a session and goes to their map; only a pseudonymous account is kept', async () => {
    const { res, b, location } = await launch({ sub: 'learner-a', roles: [ROLE.learner], name: '児童 あ', context: { id: 'course-4-1', title: '4年1組 算数' } });
    expect(res.status).toBe(303);
    expect(location).toBe('/map');
    expect(b.session).toBeTruthy();
    const me = await (await api(b, '/api/me')).json();
    expect(me.learnerId).toEqual(expect.any(String));
    expect(me.user.displayName).toBe('児童 あ');
    expect(me.user.roles).toEqual([{ role: 'learner', scopeType: 'self', scopeId: '' }]);
    const map = await api(b, `/api/progress/map?framework=${MATH_2017_DOCUMENT}`);
    expect(map.status).toBe(200);
    expect((await map.json()).learner.id).toBe(me.learnerId);
    const person = (await sql<Record<string, unknown>>`select * from roster_person where user_id = ${me.user.id}`.execute(t.store.db)).rows[0]!;
    expect(person).toMatchObject({ role: 'student', email: null, kana: null, source: 'lti' });
    const identity = (await sql<Record<string, unknown>>`select * from oidc_identity where user_id = ${me.user.id}`.execute(t.store.db)).rows;
    expect(identity).toEqual([{ issuer: platform.issuer, subject: 'learner-a', user_id: me.user.id }]);
    // The same person launching again is the same account, in a new session; the browser's old one ended.
    const oldSession = b.session;
    const again = await launch({ sub: 'learner-a', roles: [ROLE.learner], context: { id: 'course-4-1', title: '4年1組 算数' } }, b);
    expect(b.session).not.toBe(oldSession);
    expect((await (await api(again.b, '/api/me')).json()).user.id).toBe(me.user.id);
    expect((await fetch(`${t.base}/api/me`, { headers: { cookie: `shirube_session=${oldSession}` } })).status).toBe(401);
  });

  it('a teacher’s launch goes to the class dashboard and provisions the roster from NRPS (two pages)', async () => {
    platform.members = [
      { user_id: 'teacher-t', roles: [ROLE.instructor], name: '先生 T' },
      { user_id: 'learner-b', roles: [ROLE.learner], name: '児童 い' },
      { user_id: 'learner-c', roles: [ROLE.learner], name: '児童 う' },
      { user_id: 'ta-1', roles: [ROLE.ta], name: '補助 先生' },
      { user_id: 'learner-gone', roles: [ROLE.learner], status: 'Inactive' },
    ];
    const before = { token: platform.tokenRequests, nrps: platform.nrpsRequests };
    const { res, b, location } = await launch({ sub: 'teacher-t', roles: [ROLE.instructor], name: '先生 T', context: { id: 'course-5-2', title: '5年2組' }, nrps: true });
    expect(res.status).toBe(303);
    const ctx = await contextRow('course-5-2');
    expect(ctx.classId).toEqual(expect.any(String));
    expect(location).toBe(`/dashboard?class=${encodeURIComponent(ctx.classId)}`);
    expect(platform.tokenRequests - before.token).toBe(1);
    expect(platform.nrpsRequests - before.nrps).toBe(2);
    const me = await (await api(b, '/api/me')).json();
    expect(me.user.roles).toContainEqual({ role: 'teacher', scopeType: 'class', scopeId: ctx.classId });
    const enrolled = (await (await api(b, `/api/rosters/classes/${ctx.classId}/enrollments`)).json()).enrollments.map((e: { displayName: string; role: string }) => `${e.role} ${e.displayName}`).sort();
    expect(enrolled).toEqual(['student 児童 い', 'student 児童 う', 'teacher 先生 T', 'teacher 補助 先生']);

    // The platform's roster changes; the teacher syncs: one added, one removed, the others unchanged.
    platform.members = platform.members.filter((m) => m.user_id !== 'learner-c').concat({ user_id: 'learner-d', roles: [ROLE.learner], name: '児童 え' });
    const csrf = (await (await api(b, '/api/auth/session')).json()).csrfToken;
    const sync = await fetch(`${t.base}/api/lti/classes/${encodeURIComponent(ctx.classId)}/roster-sync`, { method: 'POST', headers: { cookie: b.header(), 'x-csrf-token': csrf } });
    expect(sync.status).toBe(200);
    expect(await sync.json()).toEqual({ classId: ctx.classId, members: 4, pages: 2, added: { learners: 1, teachers: 0 }, removed: 1, unchanged: 3 });
    const after = (await (await api(b, `/api/rosters/classes/${ctx.classId}/enrollments`)).json()).enrollments.map((e: { displayName: string }) => e.displayName).sort();
    expect(after).toEqual(['児童 い', '児童 え', '先生 T', '補助 先生'].sort());
    const audit = (await t.app.inject({ url: '/api/audit?action=lti.roster.sync', headers: admin })).json().entries;
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toMatch(/児童|先生|learner-/);
    // A learner of the class may not sync it.
    const learner = await launch({ sub: 'learner-b', roles: [ROLE.learner], context: { id: 'course-5-2', title: '5年2組' } });
    const lcsrf = (await (await api(learner.b, '/api/auth/session')).json()).csrfToken;
    expect((await fetch(`${t.base}/api/lti/classes/${encodeURIComponent(ctx.classId)}/roster-sync`, { method: 'POST', headers: { cookie: learner.b.header(), 'x-csrf-token': lcsrf } })).status).toBe(403);
  });

  it('deep linking: the teacher picks an item, the platform verifies the signed response, the link then opens the item', async () => {
    const { res, b, location } = await launch({ sub: 'teacher-t', roles: [ROLE.instructor], messageType: 'LtiDeepLinkingRequest', locale: 'ja-JP', context: { id: 'course-5-2', title: '5年2組' } });
    expect(res.status).toBe(303);
    expect(location).toMatch(/^\/lti\/deep-link\?pick=.+&lang=ja$/);
    const first = await b.get(`${t.base}${location}`);
    expect(first.status).toBe(200);
    const list = await first.text();
    expect(list).toContain('リンクする内容を選ぶ');
    const href = /<a href="([^"]*framework=[^"]*)">/.exec(list)![1]!.replace(/&#38;/g, '&');
    const picker = await (await b.get(`${t.base}${href}`)).text();
    expect(picker).toContain('学習マップ');
    expect(picker).toContain(item.code);
    const choice = formOf(picker);
    expect(choice.action).toBe('/lti/deep-link');
    const answer = await b.post(`${t.base}/lti/deep-link`, { ...choice.fields, target: `item:${item.id}` });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-security-policy')).toContain(`form-action 'self' ${platform.issuer}`);
    const back = formOf(await answer.text());
    expect(back.action).toBe(platform.returnUrl);
    const received = await fetch(back.action, { method: 'POST', body: new URLSearchParams(back.fields) });
    expect(received.status, await received.clone().text()).toBe(200);
    const payload = platform.received.at(-1)!;
    expect(payload['https://purl.imsglobal.org/spec/lti-dl/claim/data']).toBe('opaque-platform-data');
    const [content] = payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as Array<{ type: string; url: string; custom: Record<string, string> }>;
    expect(content).toMatchObject({ type: 'ltiResourceLink', url: `${t.base}/lti/launch`, custom: { shirube_target: 'item', shirube_framework: MATH_2017_DOCUMENT, shirube_item: item.id } });
    // The platform's later launches of that link carry its custom parameters.
    const learner = await launch({ sub: 'learner-b', roles: [ROLE.learner], custom: content!.custom });
    expect(learner.location).toBe(`/map?framework=${MATH_2017_DOCUMENT}&item=${item.id}`);
    const teacher = await launch({ sub: 'teacher-t', roles: [ROLE.instructor], custom: content!.custom });
    expect(teacher.location).toBe(`/frameworks/${MATH_2017_DOCUMENT}/items/${item.id}`);
  });

  it('a learner cannot deep link, and a picker choice needs the session’s CSRF token', async () => {
    const { res } = await launch({ sub: 'learner-b', roles: [ROLE.learner], messageType: 'LtiDeepLinkingRequest' });
    expect(res.status).toBe(403);
    const { b, location } = await launch({ sub: 'teacher-t', roles: [ROLE.instructor], messageType: 'LtiDeepLinkingRequest' });
    const pick = new URLSearchParams(location!.split('?')[1]).get('pick')!;
    expect((await b.post(`${t.base}/lti/deep-link`, { pick, csrf_token: 'forged', framework: MATH_2017_DOCUMENT, target: 'map' })).status).toBe(403);
    expect((await new Browser().post(`${t.base}/lti/deep-link`, { pick, csrf_token: 'x', framework: MATH_2017_DOCUMENT, target: 'map' })).status).toBe(401);
  });
});

describe('refused launches write nothing and open no session', () => {
  const refused = async (spec: Partial<LaunchSpec>, status: number, words: RegExp) => {
    const users = await count('app_user');
    const { res, b } = await launch({ sub: 'learner-z', roles: [ROLE.learner], ...spec });
    const page = await res.text();
    expect(res.status, page).toBe(status);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(page).toMatch(words);
    expect(b.session).toBeUndefined();
    expect(await count('app_user')).toBe(users);
  };

  it('a bad signature', async () => {
    platform.tamper.key = (await generateKeyPair('RS256')).privateKey;
    await refused({}, 401, /bad signature|no key/);
  });
  it('an expired token', async () => {
    platform.tamper.claims = (c) => ({ ...c, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 });
    await refused({}, 401, /expired/);
  });
  it('a token for another client (aud)', async () => {
    platform.tamper.claims = (c) => ({ ...c, aud: 'another-tool' });
    await refused({}, 401, /aud/);
  });
  it('a deployment that is not registered', async () => {
    platform.tamper.claims = (c) => ({ ...c, 'https://purl.imsglobal.org/spec/lti/claim/deployment_id': 'deployment-9' });
    await refused({}, 400, /deployment_id: deployment-9 is not registered/);
  });
  it('a wrong version or message type', async () => {
    platform.tamper.claims = (c) => ({ ...c, 'https://purl.imsglobal.org/spec/lti/claim/version': '1.1' });
    await refused({}, 400, /version/);
  });
  it('roles Shirube does not serve', async () => {
    await refused({ roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor'] }, 403, /roles/);
  });

  it('a replayed form post, and a replayed id_token with a fresh state (nonce)', async () => {
    const first = await launch({ sub: 'learner-r', roles: [ROLE.learner] });
    expect(first.res.status).toBe(303);
    const users = await count('app_user');
    // The same form post again, with the state cookie the browser had.
    const b = new Browser();
    const again = await b.post(`${t.base}/lti/launch`, first.form.fields, { cookie: `${[...first.b.cookies].map(([k, v]) => `${k}=${v}`).join('; ')}` });
    expect(again.status).toBe(401);
    // The platform's id_token with the state of a new login (its nonce is another).
    const hint = `replay-${++hints}`;
    platform.launches.set(hint, { sub: 'learner-r', roles: [ROLE.learner] });
    const login = await b.post(`${t.base}/lti/login`, { iss: platform.issuer, login_hint: hint, target_link_uri: `${t.base}/lti/launch`, lti_message_hint: hint });
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    const replay = await b.post(`${t.base}/lti/launch`, { id_token: first.form.fields['id_token']!, state });
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('nonce');
    expect(b.session).toBeUndefined();
    expect(await count('app_user')).toBe(users);
  });

  it('a state this browser did not start, and unknown platforms at login', async () => {
    const hint = `state-${++hints}`;
    platform.launches.set(hint, { sub: 'learner-s', roles: [ROLE.learner] });
    const starter = new Browser();
    const login = await starter.post(`${t.base}/lti/login`, { iss: platform.issuer, login_hint: hint, target_link_uri: `${t.base}/lti/launch`, lti_message_hint: hint });
    const form = formOf(await (await fetch(login.headers.get('location')!)).text());
    const other = new Browser();
    const res = await other.post(form.action, form.fields);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('state');
    expect(other.session).toBeUndefined();
    const unknown = await other.post(`${t.base}/lti/login`, { iss: 'https://unknown.example', login_hint: 'x', target_link_uri: `${t.base}/lti/launch` });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('unknown platform https://unknown.example');
    const deployment = await other.post(`${t.base}/lti/login`, { iss: platform.issuer, login_hint: 'x', target_link_uri: `${t.base}/lti/launch`, lti_deployment_id: 'nope' });
    expect(deployment.status).toBe(400);
    expect(await deployment.text()).toContain('deployment nope is not registered');
    // GET works too for the initiation.
    const get = await other.get(`${t.base}/lti/login?${new URLSearchParams({ iss: platform.issuer, login_hint: 'x', target_link_uri: `${t.base}/lti/launch` })}`);
    expect(get.status).toBe(302);
    expect(get.headers.get('location')).toMatch(new RegExp(`^${platform.authUrl}\\?`));
  });
});

describe('administrators, unlinked contexts, failing services and erasure', () => {
  const SYSADMIN = 'http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator';

  it('makes an administrator only when the registration trusts the platform’s administrators', async () => {
    const refusedLaunch = await launch({ sub: 'sysadmin', roles: [SYSADMIN] });
    expect(refusedLaunch.res.status).toBe(403);
    await changeRegistration({ trustAdministrators: true });
    try {
      const { res, b, location } = await launch({ sub: 'sysadmin', roles: [SYSADMIN, ROLE.instructor] });
      expect(res.status).toBe(303);
      expect(location).toBe('/');
      expect((await (await api(b, '/api/me')).json()).user.roles).toContainEqual({ role: 'admin', scopeType: 'global', scopeId: '' });
    } finally {
      await changeRegistration({ trustAdministrators: false });
    }
  });

  it('a context an administrator links to an existing class; a sync without NRPS or with a failing platform changes nothing', async () => {
    const klass = await t.app.inject({ method: 'POST', url: '/api/rosters/classes', headers: admin, payload: { id: 'class-6-1', title: '6年1組', schoolId: 'lti-school' } });
    expect(klass.statusCode).toBe(201);
    // A learner's launch records the context, but makes no class.
    await launch({ sub: 'learner-x', roles: [ROLE.learner], context: { id: 'course-6-1', title: '6年1組 算数' } });
    const ctx = await contextRow('course-6-1');
    expect(ctx.classId).toBeNull();
    const link = await t.app.inject({ method: 'PUT', url: `/api/admin/lti/contexts/${ctx.id}`, headers: admin, payload: { classId: 'class-6-1' } });
    expect(link.json()).toMatchObject({ id: ctx.id, classId: 'class-6-1', membershipsUrl: null });
    expect((await t.app.inject({ method: 'PUT', url: `/api/admin/lti/contexts/${ctx.id}`, headers: admin, payload: { classId: 'no-such-class' } })).json().error.field).toBe('classId');
    const { b, location } = await launch({ sub: 'learner-x', roles: [ROLE.learner], context: { id: 'course-6-1', title: '6年1組 算数' } });
    expect(location).toBe('/map');
    const me = await (await api(b, '/api/me')).json();
    const enrolments = (await t.app.inject({ url: '/api/rosters/classes/class-6-1/enrollments', headers: admin })).json().enrollments;
    expect(enrolments).toEqual([expect.objectContaining({ role: 'student', learnerId: me.learnerId })]);
    const noNrps = await t.app.inject({ method: 'POST', url: '/api/lti/classes/class-6-1/roster-sync', headers: admin });
    expect(noNrps.statusCode).toBe(409);
    expect(noNrps.json().error.message).toContain('Names and Role Provisioning');
    // With NRPS offered, but the platform refusing the client assertion: 502, nothing changed.
    await launch({ sub: 'teacher-6', roles: [ROLE.instructor], context: { id: 'course-6-1', title: '6年1組 算数' } });
    await changeRegistration({ accessTokenUrl: `${platform.issuer}/no-token-here` });
    try {
      platform.members = [{ user_id: 'learner-new', roles: [ROLE.learner] }];
      const users = await count('app_user');
      const teacher = await launch({ sub: 'teacher-6', roles: [ROLE.instructor], context: { id: 'course-6-1', title: '6年1組 算数' }, nrps: true });
      // The teacher still gets in; the failed sync wrote nothing.
      expect(teacher.location).toBe('/dashboard?class=class-6-1');
      expect(await count('app_user')).toBe(users);
      const failed = await t.app.inject({ method: 'POST', url: '/api/lti/classes/class-6-1/roster-sync', headers: admin });
      expect(failed.statusCode).toBe(502);
      expect(failed.json().error.message).toContain('accessTokenUrl');
      expect(await count('app_user')).toBe(users);
    } finally {
      await changeRegistration({ accessTokenUrl: platform.tokenUrl });
    }
  });

  it('a person entered by hand whose account the platform already signs in (same issuer and sub) stays as entered', async () => {
    const person = await t.app.inject({ method: 'POST', url: '/api/rosters/people', headers: admin, payload: { id: 'pupil-manual', role: 'student', displayName: '手入力 児童', schoolId: 'lti-school' } });
    expect(person.statusCode).toBe(201);
    await sql`insert into oidc_identity (issuer, subject, user_id) values (${platform.issuer}, 'known-pupil', ${person.json().userId})`.execute(t.store.db);
    const { b, location } = await launch({ sub: 'known-pupil', roles: [ROLE.learner], name: '別の 名前' });
    expect(location).toBe('/map');
    const me = await (await api(b, '/api/me')).json();
    expect(me.user.id).toBe(person.json().userId);
    expect(me.learnerId).toBe(person.json().learnerId);
    const row = (await sql<Record<string, unknown>>`select display_name, source from roster_person where id = 'pupil-manual'`.execute(t.store.db)).rows[0];
    expect(row).toEqual({ display_name: '手入力 児童', source: 'manual' });
  });

  it('erasing an LTI learner removes the account and its link; the next launch starts afresh', async () => {
    const first = await launch({ sub: 'learner-erase', roles: [ROLE.learner], name: '消す 子' });
    const me = await (await api(first.b, '/api/me')).json();
    expect((await t.app.inject({ method: 'DELETE', url: `/api/learners/${me.learnerId}`, headers: admin })).statusCode).toBe(200);
    expect((await sql`select 1 from oidc_identity where subject = 'learner-erase'`.execute(t.store.db)).rows).toEqual([]);
    expect((await api(first.b, '/api/me')).status).toBe(401);
    const again = await launch({ sub: 'learner-erase', roles: [ROLE.learner] });
    const me2 = await (await api(again.b, '/api/me')).json();
    expect(me2.user.id).not.toBe(me.user.id);
    expect(me2.learnerId).not.toBe(me.learnerId);
  });
});
