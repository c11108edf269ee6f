import '@fastify/cookie';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { anonymous, bearerPrincipal, csrfMatches, findSession, verifyApiClient, type Principal, type SessionInfo } from '../../auth/index.js';
import type { Db } from '../../store/db.js';
import { ShirubeError } from '../../errors.js';

export const SESSION_COOKIE = 'shirube_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    /** The signed-in person's session when the request came with a valid session cookie. */
    sessionInfo: SessionInfo | undefined;
  }
  interface FastifyContextConfig {
    /** Skip the CSRF check (sign-in: it replaces whatever session the cookie names). */
    csrfExempt?: boolean;
    /** The route checks its own Authorization header (GET /metrics: a scraper's token, not an OAuth token). */
    ownAuthorization?: boolean;
    /** A write anonymous callers may send (sign-in, sign-out): exempt from refuseAnonymousWrites. */
    anonymous?: boolean;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * These errors are thrown for every route, also those without an API error handler (the web UI's files, the docs):
 * the status lets Fastify's default handler answer 401/403 there instead of 500.
 */
const refusal = (code: 'unauthorized' | 'forbidden', message: string, field: string) =>
  Object.assign(new ShirubeError(code, message, field), { statusCode: code === 'unauthorized' ? 401 : 403 });
const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Resolves who is calling, for every route: `Authorization: Bearer` (API clients, OAuth 2.0) or the session cookie
 * (people in the web UI). A cookie-authenticated write must echo the session's CSRF token in `X-CSRF-Token`: a
 * cross-site form can send the cookie but cannot read the token. A request with another Authorization scheme
 * (xAPI Basic, later) ignores the cookie. A bad bearer token is a 401 even on public routes, so a client learns
 * that its token has expired.
 */
export default fp(async (app) => {
  app.decorateRequest('principal', null as never);
  app.decorateRequest('sessionInfo', undefined);
  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    req.principal = anonymous;
    req.sessionInfo = undefined;
    if (req.routeOptions.config.ownAuthorization) return;
    const auth = req.headers.authorization;
    const bearer = auth && BEARER.exec(auth);
    if (bearer) {
      const p = await bearerPrincipal(app.store.db, bearer[1]!);
      if (!p) throw refusal('unauthorized', 'Authorization: the bearer token is invalid or expired; request a new one at /oauth/token', 'Authorization');
      req.principal = p;
      return;
    }
    const token = req.cookies?.[SESSION_COOKIE];
    if (!token || auth) return;
    const s = await findSession(app.store.db, token);
    if (!s) return;
    if (!SAFE.has(req.method) && !req.routeOptions.config.csrfExempt) {
      const sent = req.headers[CSRF_HEADER];
      if (!csrfMatches(typeof sent === 'string' ? sent : undefined, s)) {
        throw refusal('forbidden', 'X-CSRF-Token: missing or wrong; reload the page and try again', 'X-CSRF-Token');
      }
    }
    req.principal = s.principal;
    req.sessionInfo = s;
  });
}, { name: 'shirube-auth', dependencies: ['@fastify/cookie'] });

/** Throws 401 for nobody, 403 for somebody without the permission. */
export function authorize(req: FastifyRequest, allowed: (p: Principal) => boolean, what: string): void {
  if (req.principal.kind === 'anonymous') {
    throw new ShirubeError('unauthorized', `Authentication required to ${what}: sign in, or send an OAuth 2.0 bearer token`);
  }
  if (!allowed(req.principal)) throw new ShirubeError('forbidden', `Not allowed to ${what}: ask an administrator for the role or scope`);
}

/**
 * Authentication before body validation: in the API (encapsulated context) it is added to, every write
 * (POST/PUT/PATCH/DELETE) from an anonymous caller is a 401 at onRequest, before its body is parsed or validated,
 * whatever the route checks later (routes mark the writes anonymous callers may send with `config.anonymous`).
 */
export function refuseAnonymousWrites(app: FastifyInstance): void {
  app.addHook('onRequest', async (req) => {
    if (SAFE.has(req.method) || req.principal.kind !== 'anonymous' || req.routeOptions.config.anonymous) return;
    throw refusal('unauthorized', 'Authentication required: sign in, or send an OAuth 2.0 bearer token', 'Authorization');
  });
}

const BASIC = /^Basic\s+(\S+)\s*$/i;

/**
 * The principal of an API that also takes HTTP Basic with an API client's id and secret (xAPI, Caliper), besides
 * a bearer token; without an Authorization header, `fallback` (the session's principal, or nobody).
 */
export async function credentialsPrincipal(db: Db, authorization: string | undefined, fallback: Principal): Promise<Principal> {
  const basic = authorization && BASIC.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const client = i > 0 ? await verifyApiClient(db, decoded.slice(0, i), decoded.slice(i + 1)) : undefined;
    if (!client) throw new ShirubeError('unauthorized', 'Authorization: unknown key or wrong secret');
    return { kind: 'client', clientId: client.clientId, scopes: client.scopes };
  }
  const bearer = authorization && BEARER.exec(authorization);
  if (bearer) {
    const p = await bearerPrincipal(db, bearer[1]!);
    if (!p) throw new ShirubeError('unauthorized', 'Authorization: the bearer token is invalid or expired');
    return p;
  }
  if (authorization) throw new ShirubeError('unauthorized', 'Authorization: use Basic (key and secret) or Bearer');
  return fallback;
}
