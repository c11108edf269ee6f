import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createAuthorizationCode, csrfMatches, findObClient, obScopes, type ObClientView } from '../../auth/index.js';
import { learnerOfUser } from '../../progress/index.js';
import { consentPage, errorPage, type Locale } from './pages.js';

/** The authorization request's parameters (RFC 6749 §4.1.1, RFC 7636 §4.3), posted back by the consent form. */
const PARAMS = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method'] as const;
type Params = Partial<Record<(typeof PARAMS)[number], string>>;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

type Checked =
  | { kind: 'page'; status: number; message: string }
  | { kind: 'redirect'; to: string }
  | { kind: 'ok'; client: ObClientView; redirectUri: string; scopes: string[]; codeChallenge: string; state: string | undefined; fields: Record<string, string> };

/** The client's redirect URI with the response parameters (and the request's state, echoed). */
function back(redirectUri: string, state: string | undefined, params: Record<string, string>): string {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  if (state !== undefined) u.searchParams.set('state', state);
  return u.toString();
}

/**
 * RFC 6749 §4.1.2.1: while the client or its redirect URI is in doubt, the error is shown to the person; after, it
 * goes back to the client as `error=`. PKCE with S256 is required (OB 3.0 §Security).
 */
async function check(app: FastifyInstance, raw: Record<string, unknown>): Promise<Checked> {
  const p: Params = {};
  for (const k of PARAMS) if (typeof raw[k] === 'string') p[k] = raw[k] as string;
  if (!p.client_id) return { kind: 'page', status: 400, message: 'client_id is required' };
  const client = await findObClient(app.store.db, p.client_id);
  if (!client) return { kind: 'page', status: 400, message: `client_id: no registered client ${p.client_id}` };
  if (!p.redirect_uri) return { kind: 'page', status: 400, message: 'redirect_uri is required' };
  if (!client.redirectUris.includes(p.redirect_uri)) return { kind: 'page', status: 400, message: 'redirect_uri: not one of the client’s registered redirect URIs (exact match)' };
  const fail = (error: string, description: string): Checked => ({ kind: 'redirect', to: back(p.redirect_uri!, p.state, { error, error_description: description }) });
  if (p.response_type !== 'code') return fail('unsupported_response_type', 'response_type: only code');
  if (!p.scope?.trim()) return fail('invalid_scope', 'scope is required');
  const scopes = [...new Set(p.scope.split(' ').filter(Boolean))];
  const unknown = scopes.filter((s) => !(s in obScopes));
  if (unknown.length) return fail('invalid_scope', `scope: unknown ${unknown.join(' ')}`);
  const beyond = scopes.filter((s) => !client.scopes.includes(s));
  if (beyond.length) return fail('invalid_scope', `scope: not registered for this client: ${beyond.join(' ')}`);
  if (!p.code_challenge) return fail('invalid_request', 'code_challenge is required (PKCE, method S256)');
  if (p.code_challenge_method !== 'S256') return fail('invalid_request', 'code_challenge_method: must be S256');
  if (!CHALLENGE.test(p.code_challenge)) return fail('invalid_request', 'code_challenge: BASE64URL(SHA-256(code_verifier)), 43 characters');
  const fields = Object.fromEntries(PARAMS.filter((k) => p[k] !== undefined).map((k) => [k, p[k]!]));
  return { kind: 'ok', client, redirectUri: p.redirect_uri, scopes, codeChallenge: p.code_challenge, state: p.state, fields };
}

/** Only a signed-in learner grants, for themselves: their learner id, or a reason why not. */
async function learnerOf(app: FastifyInstance, req: FastifyRequest): Promise<string | undefined> {
  const s = req.sessionInfo;
  if (!s?.principal.roles.some((r) => r.role === 'learner')) return undefined;
  return (await learnerOfUser(app.store.db, s.principal.userId)) ?? undefined;
}

const signIn = (reply: FastifyReply, fields: Record<string, string>) =>
  reply.redirect(`/sign-in?next=${encodeURIComponent(`/oauth/authorize?${new URLSearchParams(fields)}`)}`, 302);
const NOT_A_LEARNER = 'Only a learner can allow an app to reach their badges; this account is not a learner’s. Sign out and sign in with the learner’s account. / この操作は学習者本人のアカウントでだけ行えます。';

/**
 * The authorization endpoint (RFC 6749 §3.1) and the consent page. A person not signed in is sent to the web UI's
 * sign-in page and comes back here. The page posts the decision with the session's CSRF token as a form field
 * (a form cannot send X-CSRF-Token), and the whole request again, which is checked again.
 */
export default async function authorizeRoutes(app: FastifyInstance) {
  const doc = {
    tags: ['OAuth 2.0'],
    description: 'Open Badges 3.0 API (docs/badges.md): authorization code with PKCE (S256 required). Errors before the redirect URI is known are shown as a page; after, they go back to the client as `error=`.',
  };

  app.get('/oauth/authorize', {
    schema: { ...doc, summary: 'Authorization request: the consent page for a signed-in learner' },
  }, async (req, reply) => {
    const c = await check(app, req.query as Record<string, unknown>);
    if (c.kind === 'page') return errorPage(reply, c.status, c.message);
    if (c.kind === 'redirect') return reply.redirect(c.to, 302);
    if (!req.sessionInfo) return signIn(reply, c.fields);
    if (!(await learnerOf(app, req))) return errorPage(reply, 403, NOT_A_LEARNER);
    const s = req.sessionInfo;
    return consentPage(reply, {
      locale: (s.locale === 'en' ? 'en' : 'ja') as Locale,
      displayName: s.displayName,
      client: c.client,
      redirectUri: c.redirectUri,
      scopes: c.scopes,
      fields: c.fields,
      csrfToken: s.csrfToken,
    });
  });

  app.post('/oauth/authorize', {
    schema: { ...doc, summary: 'The learner’s decision on the consent page (form post): allow gives the client a code, deny `error=access_denied`' },
    // The CSRF token comes as a form field, checked below.
    config: { csrfExempt: true },
  }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const c = await check(app, body);
    if (c.kind === 'page') return errorPage(reply, c.status, c.message);
    if (c.kind === 'redirect') return reply.redirect(c.to, 302);
    const s = req.sessionInfo;
    if (!s) return signIn(reply, c.fields);
    if (!csrfMatches(typeof body['csrf_token'] === 'string' ? body['csrf_token'] : undefined, s)) return errorPage(reply, 403, 'csrf_token: missing or wrong; go back to the app and start again');
    const learnerId = await learnerOf(app, req);
    if (!learnerId) return errorPage(reply, 403, NOT_A_LEARNER);
    if (body['decision'] === 'deny') return reply.redirect(back(c.redirectUri, c.state, { error: 'access_denied', error_description: 'The learner did not allow access' }), 302);
    if (body['decision'] !== 'allow') return errorPage(reply, 400, 'decision: allow or deny');
    const code = await createAuthorizationCode(app.store.db, { client: c.client, userId: s.principal.userId, learnerId, redirectUri: c.redirectUri, scopes: c.scopes, codeChallenge: c.codeChallenge });
    req.log.info({ clientId: c.client.clientId }, 'OB API consent given');
    return reply.redirect(back(c.redirectUri, c.state, { code }), 302);
  });
}
