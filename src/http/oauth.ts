import type { FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { issueAccessToken, verifyApiClient } from '../auth/index.js';
import { isShirubeError } from '../errors.js';

/**
 * OAuth 2.0 client-credentials token endpoint (RFC 6749 §4.4), for every API's clients.
 * Client authentication: HTTP Basic (preferred) or client_id/client_secret in the form body. Errors use RFC 6749 §5.2.
 */
export default async function oauth(app: FastifyInstance) {
  await app.register(formbody);
  const oauthError = (status: number, error: string, description: string) => ({ status, body: { error, error_description: description } });

  app.post('/oauth/token', {
    schema: {
      tags: ['OAuth 2.0'],
      summary: 'Client-credentials token',
      consumes: ['application/x-www-form-urlencoded'],
    },
  }, async (req, reply) => {
    reply.header('Cache-Control', 'no-store');
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    let id = body['client_id'];
    let secret = body['client_secret'];
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, i));
      secret = decodeURIComponent(decoded.slice(i + 1));
    }
    const fail = (e: { status: number; body: unknown }) => reply.code(e.status).send(e.body);
    if (body['grant_type'] !== 'client_credentials') {
      return fail(oauthError(400, 'unsupported_grant_type', 'grant_type: only client_credentials is supported'));
    }
    if (!id || !secret) return fail(oauthError(401, 'invalid_client', 'client_id and client_secret are required (HTTP Basic or form fields)'));
    const client = await verifyApiClient(app.store.db, id, secret);
    if (!client) return fail(oauthError(401, 'invalid_client', 'unknown client or wrong secret'));
    try {
      const t = await issueAccessToken(app.store.db, client, body['scope']?.split(/\s+/).filter(Boolean));
      return { access_token: t.accessToken, token_type: 'Bearer', expires_in: t.expiresIn, scope: t.scopes.join(' ') };
    } catch (e) {
      if (isShirubeError(e) && e.code === 'forbidden') return fail(oauthError(400, 'invalid_scope', e.message));
      throw e;
    }
  });
}
