import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  FailureLimiter,
  PASSWORD_MAX,
  SESSION_TTL_MS,
  createSession,
  endSession,
  findSession,
  roleScopeTypes,
  roles,
  verifyPassword,
  type SessionInfo,
} from '../../auth/index.js';
import { ShirubeError } from '../../errors.js';
import { SESSION_COOKIE } from '../plugins/auth.js';
import { myProgressContext } from '../../progress/index.js';
import type { Db } from '../../store/db.js';

export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;

export const roleGrantSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['role'],
  properties: {
    role: { type: 'string', enum: roles },
    scopeType: { type: 'string', enum: roleScopeTypes, description: 'global (admin), framework or organization (author, reviewer), class (teacher), self (learner)' },
    scopeId: { type: 'string', maxLength: 200, description: 'The framework (CFDocument identifier), organization or class id; empty for global and self' },
  },
} as const;

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } } } },
} as const;

const sessionSchema = {
  type: 'object',
  properties: {
    user: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        username: { type: 'string' },
        displayName: { type: 'string' },
        locale: { type: 'string' },
        roles: { type: 'array', items: roleGrantSchema },
      },
    },
    csrfToken: { type: 'string', description: 'Send it as X-CSRF-Token with every write that uses the session cookie' },
    learnerId: { type: ['string', 'null'], description: 'The learner linked to this account (their own learning map)' },
    classes: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, title: { type: 'string' }, schoolId: { type: 'string' }, role: { type: 'string' }, framework: { type: ['string', 'null'] } },
      },
    },
  },
} as const;

/** The session body, with the progress context (learner, classes: docs/progress-api.md) that /api/me shares. */
const sessionBody = async (db: Db, s: SessionInfo) => {
  const roles = s.principal.roles;
  const viewer = {
    admin: roles.some((r) => r.role === 'admin'),
    userId: s.principal.userId,
    teacherOf: roles.filter((r) => r.role === 'teacher' && r.scopeType === 'class').map((r) => r.scopeId),
  };
  return {
    user: { id: s.principal.userId, username: s.principal.username, displayName: s.displayName, locale: s.locale, roles },
    csrfToken: s.csrfToken,
    ...(await myProgressContext(db, viewer)),
  };
};

/** Sign-in, sign-out and "who am I" for the web UI (`/api/auth`): a session cookie plus a CSRF token. */
export default async function authRoutes(app: FastifyInstance) {
  const byUser = new FailureLimiter(app.store.db, { bucket: 'sign-in-username', max: app.config.signInMaxFailures, windowMs: SIGN_IN_WINDOW_MS });
  const byIp = new FailureLimiter(app.store.db, { bucket: 'sign-in-address', max: app.config.signInMaxFailuresPerIp, windowMs: SIGN_IN_WINDOW_MS });
  // The cookie is only sent back over HTTPS when Shirube is served over HTTPS (behind a proxy: SHIRUBE_PUBLIC_URL).
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', secure: app.config.publicUrl.startsWith('https:') } as const;
  const clearCookie = (reply: FastifyReply) => reply.clearCookie(SESSION_COOKIE, cookieOptions);

  app.post<{ Body: { username: string; password: string } }>('/auth/sign-in', {
    config: { csrfExempt: true, anonymous: true },
    schema: {
      tags: ['Accounts'],
      summary: 'Sign in with a username and password',
      description:
        'Sets the HttpOnly session cookie and returns the user and the CSRF token. Wrong passwords and unknown users get the same 401. ' +
        'Too many failures for one username or from one address in 15 minutes get a 429 with Retry-After.',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['username', 'password'],
        properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX } },
      },
      response: { 200: sessionSchema, 401: errorSchema, 429: errorSchema },
    },
  }, async (req, reply) => {
    const { username, password } = req.body;
    const userKey = username.toLowerCase();
    const wait = Math.max(await byUser.retryAfter(userKey), await byIp.retryAfter(req.ip));
    if (wait > 0) {
      reply.header('Retry-After', String(wait));
      throw new ShirubeError('busy', `Too many failed sign-ins; try again in ${Math.ceil(wait / 60)} minute(s)`);
    }
    const user = await verifyPassword(app.store.db, username, password);
    if (!user) {
      await byUser.fail(userKey);
      await byIp.fail(req.ip);
      req.log.info({ event: 'sign-in-failed' }, 'Sign-in failed');
      throw new ShirubeError('unauthorized', 'Wrong username or password');
    }
    await byUser.reset(userKey);
    // A new token at every sign-in (no session fixation); the session the cookie named, if any, ends.
    const old = req.cookies[SESSION_COOKIE];
    if (old) await endSession(app.store.db, old);
    const s = await createSession(app.store.db, user.id);
    reply.setCookie(SESSION_COOKIE, s.token, { ...cookieOptions, maxAge: SESSION_TTL_MS / 1000 });
    req.log.info({ userId: user.id }, 'Signed in');
    return sessionBody(app.store.db, (await findSession(app.store.db, s.token))!);
  });

  app.post('/auth/sign-out', {
    config: { anonymous: true },
    schema: {
      tags: ['Accounts'],
      summary: 'Sign out: ends the session and clears the cookie',
      description: 'Needs X-CSRF-Token when the session cookie is valid. Succeeds (204) also without a session.',
      response: { 204: { type: 'null' } },
    },
  }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await endSession(app.store.db, token);
    clearCookie(reply);
    return reply.code(204).send();
  });

  for (const url of ['/auth/session', '/me']) {
    app.get(url, {
      schema: {
        tags: ['Accounts'],
        summary: url === '/me' ? 'Who am I: the user, roles, linked learner and classes (same body as /api/auth/session)' : 'The signed-in user and the CSRF token, or 401',
        response: { 200: sessionSchema, 401: errorSchema },
      },
    }, async (req, reply) => {
      reply.header('Cache-Control', 'no-store');
      if (!req.sessionInfo) throw new ShirubeError('unauthorized', 'Not signed in');
      return sessionBody(app.store.db, req.sessionInfo);
    });
  }
}
