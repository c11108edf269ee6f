import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { build, session, type TestApp } from '../../helper.js';
import { freePort } from '../../cli-process.js';
import { createSession } from '../../../src/auth/index.js';
import { savePerson } from '../../../src/progress/index.js';
import { upsertSchool } from '../../../src/store/progress-rosters.js';
import { bearer, obWallet, pkce, PROFILE_READ, READ, type Client } from '../ob/support.js';

/**
 * The learner's connected apps and the administrators' list of Open Badges API clients, after real consent flows
 * over a socket: the learner sees the app, disconnects it, and the wallet's tokens stop working; an administrator
 * disables a client.
 */
let t: TestApp;
let base: string;
const wallet = obWallet(() => base);
const { http } = wallet;
type Who = { cookie: string; 'x-csrf-token': string; userId: string };
let pupil1: Who;
let pupil2: Who;
let teacher: Who;
let admin: Who;

/** A learner's account linked to a roster learner, signed in (session cookie and CSRF token). */
async function learner(id: string): Promise<Who> {
  const p = await savePerson(t.store.db, { id, role: 'student', displayName: `児童 ${id}`, username: id, schoolId: 'school-1', source: 'manual' }, base);
  const s = await createSession(t.store.db, p.userId!);
  return { cookie: `shirube_session=${s.token}`, 'x-csrf-token': s.csrfToken, userId: p.userId! };
}
const listApps = (who: Partial<Who> = {}) => http('GET', '/api/badges/connected-apps', { headers: { ...who } as Record<string, string> });
const disconnect = (who: Partial<Who>, clientId: string) => http('DELETE', `/api/badges/connected-apps/${encodeURIComponent(clientId)}`, { headers: { ...who } as Record<string, string> });
const credentials = (token: string) => http('GET', '/ims/ob/v3p0/credentials', { headers: bearer(token) });
const audits = async (action: string) =>
  t.store.db.selectFrom('audit_log').select(['actor', 'target_id']).where('action', '=', action).execute();

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await build({ SHIRUBE_PUBLIC_URL: base });
  await t.app.listen({ port, host: '127.0.0.1' });
  await upsertSchool(t.store.db, { id: 'school-1', name: 'しるべ小学校', kind: 'school', parentId: null });
  pupil1 = await learner('pupil1');
  pupil2 = await learner('pupil2');
  teacher = await session(t, [{ role: 'teacher', scopeType: 'class', scopeId: 'class-1' }]);
  admin = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
}, 60_000);
afterAll(() => t?.close());

describe('a learner’s connected apps', () => {
  it('lists the app the learner allowed (one row however often they consented), and disconnecting it ends its access and refresh tokens', async () => {
    expect((await listApps(pupil1)).json()).toEqual({ apps: [] });
    const client = await wallet.register(`${READ} ${PROFILE_READ}`, { logo_uri: 'https://wallet.example/logo.png' });
    const first = await wallet.grant(pupil1, READ, client);
    const second = await wallet.grant(pupil1, `${READ} ${PROFILE_READ}`, client);
    const before = await listApps(pupil1);
    expect(before.status).toBe(200);
    expect(before.json().apps).toEqual([
      { clientId: client.client_id, clientName: 'テスト財布 Wallet', clientUri: 'https://wallet.example', logoUri: 'https://wallet.example/logo.png', scopes: [READ, PROFILE_READ], firstGrantedAt: expect.any(String), lastUsedAt: null, tokensActive: true },
    ]);
    // The wallet's call is its use.
    expect((await credentials(second.access_token)).status).toBe(200);
    const used = (await listApps(pupil1)).json().apps[0];
    expect(Date.parse(used.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(used.firstGrantedAt));

    // Nobody else sees or ends it: another learner gets 404 (as for an unknown app), a teacher 403, nobody 401.
    expect((await listApps(pupil2)).json()).toEqual({ apps: [] });
    expect((await disconnect(pupil2, client.client_id)).status).toBe(404);
    expect((await listApps(teacher)).status).toBe(403);
    expect((await disconnect(teacher, client.client_id)).status).toBe(403);
    expect((await listApps()).status).toBe(401);
    expect((await disconnect({}, client.client_id)).status).toBe(401);
    // The wallet's own token is no way into the UI API.
    expect((await http('GET', '/api/badges/connected-apps', { headers: bearer(second.access_token) })).status).toBe(403);
    // A write without the session's CSRF token is refused.
    const forged = await disconnect({ cookie: pupil1.cookie }, client.client_id);
    expect(forged.status).toBe(403);
    expect(forged.json().error.field).toBe('X-CSRF-Token');
    expect((await credentials(first.access_token)).status).toBe(200);

    const res = await disconnect(pupil1, client.client_id);
    expect(res.status).toBe(204);
    for (const g of [first, second]) {
      expect((await credentials(g.access_token)).status).toBe(401);
      const refreshed = await wallet.refresh(client, g.refresh_token);
      expect(refreshed.status).toBe(400);
      expect(refreshed.json().error).toBe('invalid_grant');
    }
    expect((await listApps(pupil1)).json()).toEqual({ apps: [] });
    expect(await audits('ob.consent.withdraw')).toEqual([{ actor: `user:${pupil1.userId}`, target_id: client.client_id }]);
    expect((await disconnect(pupil1, client.client_id)).status).toBe(404);

    // The learner may allow it again: a new consent works as before.
    const again = await wallet.grant(pupil1, READ, client);
    expect((await credentials(again.access_token)).status).toBe(200);
    expect((await disconnect(pupil1, client.client_id)).status).toBe(204);
  });

  it('ends a code given but not yet exchanged, says when an app’s tokens have expired, and 404s an unknown app', async () => {
    const client = await wallet.register(READ);
    const { verifier, challenge } = pkce();
    const code = await wallet.consent(pupil2, client, READ, challenge);
    expect((await disconnect(pupil2, client.client_id)).status).toBe(204);
    const late = await wallet.exchange(client, code, verifier);
    expect(late.json().error).toBe('invalid_grant');

    const g = await wallet.grant(pupil2, READ, client);
    await sql`update ob_token set expires_at = now() - interval '1 second' where grant_id in (select id from ob_grant where client_id = ${client.client_id})`.execute(t.store.db);
    expect((await listApps(pupil2)).json().apps).toEqual([expect.objectContaining({ clientId: client.client_id, tokensActive: false })]);
    expect((await credentials(g.access_token)).status).toBe(401);
    expect((await disconnect(pupil2, 'no-such-client')).status).toBe(404);
    expect((await disconnect(pupil2, client.client_id)).status).toBe(204);
  });
});

describe('Open Badges API clients for administrators', () => {
  it('lists the registered clients without secrets or learners, and disabling one ends all its tokens and refuses new ones', async () => {
    const client: Client = await wallet.register(READ, { client_name: 'Abusive Wallet' });
    const g1 = await wallet.grant(pupil1, READ, client);
    const g2 = await wallet.grant(pupil2, READ, client);
    const list = await http('GET', '/api/admin/ob-clients', { headers: admin });
    expect(list.status).toBe(200);
    const row = list.json().clients.find((c: { clientId: string }) => c.clientId === client.client_id);
    expect(row).toMatchObject({ clientName: 'Abusive Wallet', scopes: [READ], disabledAt: null, learners: 2, redirectUris: [wallet.redirectUri] });
    expect(JSON.stringify(list.json())).not.toMatch(/secret|pupil|learnerId/i);

    for (const who of [teacher, pupil1]) {
      expect((await http('GET', '/api/admin/ob-clients', { headers: who })).status).toBe(403);
      expect((await http('POST', `/api/admin/ob-clients/${client.client_id}/disable`, { headers: who, json: {} })).status).toBe(403);
    }
    expect((await http('GET', '/api/admin/ob-clients')).status).toBe(401);
    expect((await http('POST', '/api/admin/ob-clients/no-such-client/disable', { headers: admin, json: {} })).status).toBe(404);

    const res = await http('POST', `/api/admin/ob-clients/${client.client_id}/disable`, { headers: admin, json: {} });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ clientId: client.client_id, learners: 0, disabledAt: expect.any(String) });
    for (const g of [g1, g2]) {
      expect((await credentials(g.access_token)).status).toBe(401);
      const refreshed = await wallet.refresh(client, g.refresh_token);
      expect(refreshed.status).toBe(401);
      expect(refreshed.json().error).toBe('invalid_client');
    }
    // No new consent either: the authorization endpoint no longer knows it.
    const page = await http('GET', wallet.authorizeUrl(client, { scope: READ, code_challenge: pkce().challenge, code_challenge_method: 'S256' }), { headers: { cookie: pupil1.cookie } });
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    expect((await listApps(pupil1)).json().apps.map((a: { clientId: string }) => a.clientId)).not.toContain(client.client_id);

    // Again: nothing changes, audited once.
    const again = await http('POST', `/api/admin/ob-clients/${client.client_id}/disable`, { headers: admin, json: {} });
    expect(again.status).toBe(200);
    expect(again.json().disabledAt).toBe(res.json().disabledAt);
    expect(await audits('ob.client.disable')).toEqual([{ actor: `user:${admin.userId}`, target_id: client.client_id }]);
  });
});
