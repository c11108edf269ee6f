import '@fastify/cookie';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { anonymous, bearerPrincipal, sessionPrincipal, type Principal } from '../../auth/index.js';
import { ShirubeError } from '../../errors.js';

export const SESSION_COOKIE = 'shirube_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves who is calling, for every route: `Authorization: Bearer` (API clients, OAuth 2.0) or the session cookie
 * (people in the web UI). A cookie-authenticated write must echo the session's CSRF token in `X-CSRF-Token`.
 * A bad bearer token is a 401 even on public routes, so a client learns its token has expired.
 */
export default fp(async (app) => {
  app.decorateRequest('principal', null as never);
  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    req.principal = anonymous;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const p = await bearerPrincipal(app.store.db, auth.slice(7).trim());
      if (!p) throw new ShirubeError('unauthorized', 'Authorization: the bearer token is invalid or expired; request a new one at /oauth/token');
      req.principal = p;
      return;
    }
    const token = req.cookies?.[SESSION_COOKIE];
    if (!token || auth) return;
    const p = await sessionPrincipal(app.store.db, token);
    if (!p) return;
    if (!SAFE.has(req.method) && req.headers['x-csrf-token'] !== p.csrfToken) {
      throw new ShirubeError('forbidden', 'X-CSRF-Token: missing or wrong; reload the page and try again');
    }
    const { csrfToken: _csrf, ...principal } = p;
    req.principal = principal;
  });
}, { name: 'shirube-auth', dependencies: ['@fastify/cookie'] });

/** Throws 401 for nobody, 403 for somebody without the permission. */
export function authorize(req: FastifyRequest, allowed: (p: Principal) => boolean, what: string): void {
  if (req.principal.kind === 'anonymous') {
    throw new ShirubeError('unauthorized', `Authentication required to ${what}: sign in, or send an OAuth 2.0 bearer token`);
  }
  if (!allowed(req.principal)) throw new ShirubeError('forbidden', `Not allowed to ${what}: ask an administrator for the role or scope`);
}
