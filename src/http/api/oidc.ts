import type { FastifyInstance } from 'fastify';
import { SESSION_TTL_MS, createSession } from '../../auth/index.js';
import { isShirubeError } from '../../errors.js';
import { finishSignIn, signInProviders, startSignIn, takeSignIn } from '../../progress/index.js';
import { SESSION_COOKIE } from '../plugins/auth.js';
import { errorSchema } from './auth.js';

const tags = ['Accounts'];
const STATE_COOKIE = 'shirube_oidc';
// Sign-ins in progress per school: bounds what a flood of starts can store.
const MAX_PENDING = 10_000;

/**
 * Sign-in with a school account through OpenID Connect (`/api/auth/oidc`), configured per school
 * (PUT /api/rosters/schools/{id}/oidc). Children never manage passwords. Pending sign-ins are kept in the database
 * for ten minutes (any instance may receive the callback), bound to the browser by a cookie holding the state.
 */
export default async function oidcRoutes(app: FastifyInstance) {
  const secure = app.config.publicUrl.startsWith('https:');
  const redirectUri = `${app.config.publicUrl}/api/auth/oidc/callback`;

  app.get('/providers', {
    schema: { tags, summary: 'Schools that offer sign-in with a school account (OpenID Connect)', response: { 200: { type: 'object', properties: { providers: { type: 'array', items: { type: 'object', properties: { schoolId: { type: 'string' }, schoolName: { type: 'string' }, label: { type: 'string' } } } } } } } },
  }, async () => ({ providers: await signInProviders(app.store.db) }));

  app.get<{ Params: { schoolId: string }; Querystring: { returnTo?: string } }>('/:schoolId/start', {
    schema: {
      tags,
      summary: 'Start signing in with the school’s account provider (302 to the provider)',
      params: { type: 'object', required: ['schoolId'], properties: { schoolId: { type: 'string', maxLength: 200 } } },
      querystring: { type: 'object', additionalProperties: false, properties: { returnTo: { type: 'string', pattern: '^/(?!/)', maxLength: 500, description: 'A path on this site' } } },
      response: { 400: errorSchema, 404: errorSchema, 429: errorSchema, 502: errorSchema },
    },
  }, async (req, reply) => {
    const { url, state } = await startSignIn(app.store.db, req.params.schoolId, redirectUri, req.query.returnTo ?? '/', MAX_PENDING);
    reply.setCookie(STATE_COOKIE, state, { path: '/api/auth/oidc', httpOnly: true, sameSite: 'lax', secure, maxAge: 600 });
    return reply.redirect(url, 302);
  });

  app.get<{ Querystring: { code?: string; state?: string; error?: string } }>('/callback', {
    schema: {
      tags,
      summary: 'The provider’s redirect back: sets the session cookie and goes to returnTo',
      querystring: { type: 'object', properties: { code: { type: 'string', maxLength: 4000 }, state: { type: 'string', maxLength: 500 }, error: { type: 'string', maxLength: 200 } } },
    },
  }, async (req, reply) => {
    const state = req.query.state;
    const cookieState = req.cookies[STATE_COOKIE];
    reply.clearCookie(STATE_COOKIE, { path: '/api/auth/oidc' });
    const fail = (why: string) => reply.redirect(`/?signInError=${encodeURIComponent(why)}`, 302);
    // Only the browser that started it may finish it (the cookie); a forged state takes nothing.
    const p = state && cookieState === state ? await takeSignIn(app.store.db, state) : undefined;
    if (!p) return fail('expired');
    if (req.query.error) return fail(req.query.error);
    try {
      const userId = await finishSignIn(app.store.db, p, new URL(req.url, app.config.publicUrl));
      const s = await createSession(app.store.db, userId);
      reply.setCookie(SESSION_COOKIE, s.token, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: SESSION_TTL_MS / 1000 });
      req.log.info({ userId, schoolId: p.schoolId }, 'Signed in with a school account');
      return reply.redirect(p.returnTo, 302);
    } catch (e) {
      if (!isShirubeError(e)) throw e;
      req.log.info({ event: 'oidc-sign-in-failed', code: e.code }, 'School sign-in failed');
      return fail(e.code === 'forbidden' ? 'unknown_account' : 'failed');
    }
  });
}
