import type { FastifyInstance, FastifyReply } from 'fastify';
import formbody from '@fastify/formbody';
import { apiScopes, issueAccessToken, verifyApiClient } from '../auth/index.js';
import { isShirubeError } from '../errors.js';

type OAuthError = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope';

/** RFC 6749 §5.2 error body; a failed client authentication is a 401 with a challenge. */
function fail(reply: FastifyReply, status: number, error: OAuthError, description: string) {
  if (status === 401) reply.header('WWW-Authenticate', 'Basic realm="shirube", charset="UTF-8"');
  return reply.code(status).send({ error, error_description: description });
}

/** `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1); undefined when malformed. */
function basicCredentials(header: string): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  try {
    return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
  } catch {
    return undefined;
  }
}

/**
 * OAuth 2.0 client-credentials token endpoint (RFC 6749 §4.4), for every API's clients.
 * Client authentication: HTTP Basic (preferred) or client_id/client_secret in the form body. Errors use RFC 6749 §5.2,
 * also for malformed bodies, so OAuth libraries understand every answer.
 */
export default async function oauth(app: FastifyInstance) {
  await app.register(formbody);
  app.setErrorHandler((err, req, reply) => {
    // A bearer token sent here (by mistake) is not client authentication.
    if (isShirubeError(err) && err.code === 'unauthorized') return fail(reply, 401, 'invalid_client', err.message);
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err }, 'token request failed');
      return reply.code(500).send({ error: 'server_error', error_description: 'Internal server error' });
    }
    return fail(reply, 400, 'invalid_request', (err as Error).message);
  });

  app.post('/oauth/token', {
    schema: {
      tags: ['OAuth 2.0'],
      summary: 'Client-credentials token',
      description:
        'RFC 6749 §4.4. Authenticate with HTTP Basic (client_id:client_secret) or with client_id and client_secret form fields. ' +
        '`scope` (space-separated) narrows the token to some of the client\'s scopes; by default it has all of them. ' +
        `Scopes: ${Object.keys(apiScopes).join(', ')}.`,
      consumes: ['application/x-www-form-urlencoded'],
      body: {
        type: 'object',
        properties: {
          grant_type: { type: 'string', enum: ['client_credentials'] },
          scope: { type: 'string' },
          client_id: { type: 'string' },
          client_secret: { type: 'string' },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: { access_token: { type: 'string' }, token_type: { type: 'string' }, expires_in: { type: 'integer' }, scope: { type: 'string' } },
        },
      },
    },
    // The schema documents the form; the handler checks it itself so that every error has RFC 6749's shape.
    validatorCompiler: () => () => true,
  }, async (req, reply) => {
    reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
    if (str('grant_type') !== 'client_credentials') {
      return fail(reply, 400, 'unsupported_grant_type', 'grant_type: only client_credentials is supported');
    }
    const auth = req.headers.authorization;
    const basic = auth ? basicCredentials(auth) : undefined;
    if (auth && !basic) return fail(reply, 401, 'invalid_client', 'Authorization: malformed HTTP Basic credentials');
    const id = basic?.id ?? str('client_id');
    const secret = basic?.secret ?? str('client_secret');
    if (!id || !secret) return fail(reply, 401, 'invalid_client', 'client_id and client_secret are required (HTTP Basic or form fields)');
    const client = await verifyApiClient(app.store.db, id, secret);
    if (!client) return fail(reply, 401, 'invalid_client', 'unknown or revoked client, or wrong secret');
    try {
      const t = await issueAccessToken(app.store.db, client, str('scope')?.split(/\s+/).filter(Boolean));
      return { access_token: t.accessToken, token_type: 'Bearer', expires_in: t.expiresIn, scope: t.scopes.join(' ') };
    } catch (e) {
      if (isShirubeError(e) && e.code === 'forbidden') return fail(reply, 400, 'invalid_scope', e.message);
      throw e;
    }
  });
}
