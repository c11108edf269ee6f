import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { apiScopes, exchangeCode, FailureLimiter, issueAccessToken, OAuthGrantError, obScopes, refreshTokens, registerClient, revokeToken, verifyApiClient, verifyObClient } from '../auth/index.js';
import { asRequestError, isShirubeError } from '../errors.js';
import authorizeRoutes from './ob/authorize.js';

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

/** The client's id and secret: HTTP Basic (preferred) or client_id/client_secret form fields (RFC 6749 §2.3.1). */
function clientCredentials(req: FastifyRequest, body: Record<string, unknown>): { id: string; secret: string } | 'malformed' | undefined {
  const auth = req.headers.authorization;
  const basic = auth ? basicCredentials(auth) : undefined;
  if (auth && !basic) return 'malformed';
  const id = basic?.id ?? (typeof body['client_id'] === 'string' ? body['client_id'] : undefined);
  const secret = basic?.secret ?? (typeof body['client_secret'] === 'string' ? body['client_secret'] : undefined);
  return id && secret ? { id, secret } : undefined;
}

/** Dynamic registrations one address may make per hour. */
export const REGISTRATIONS_PER_HOUR = 100;
const noStore = (reply: FastifyReply) => reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
const form = { validatorCompiler: () => () => true } as const;

/**
 * OAuth 2.0 for every API: the token endpoint (client credentials for API clients, RFC 6749 §4.4; authorization
 * code with PKCE and refresh tokens for the Open Badges 3.0 API's clients, §4.1 and §6), dynamic client
 * registration (RFC 7591) and token revocation (RFC 7009) for the latter, and the authorization endpoint with its
 * consent page (./ob/authorize.ts). Client authentication: HTTP Basic (preferred) or client_id/client_secret in the
 * form body. Errors use RFC 6749 §5.2, also for malformed bodies, so OAuth libraries understand every answer.
 */
export default async function oauth(app: FastifyInstance) {
  await app.register(formbody);
  app.setErrorHandler((error, req, reply) => {
    const err = asRequestError(error);
    // A bearer token sent here (by mistake) is not client authentication.
    if (isShirubeError(err) && err.code === 'unauthorized') return fail(reply, 401, 'invalid_client', err.message);
    if (isShirubeError(err) && err.code === 'unavailable') return reply.code(503).send({ error: 'temporarily_unavailable', error_description: err.message });
    const status = (err as { statusCode?: number }).statusCode ?? (isShirubeError(err) && err.code === 'invalid_request' ? 400 : 500);
    if (status >= 500) {
      req.log.error({ err }, 'token request failed');
      return reply.code(500).send({ error: 'server_error', error_description: 'Internal server error' });
    }
    return fail(reply, 400, 'invalid_request', (err as Error).message);
  });

  app.post('/oauth/token', {
    schema: {
      tags: ['OAuth 2.0'],
      summary: 'Token endpoint: client credentials; authorization code (PKCE) and refresh token for the Open Badges API',
      description:
        'RFC 6749. Authenticate with HTTP Basic (client_id:client_secret) or with client_id and client_secret form fields. ' +
        '`client_credentials` (§4.4, API clients): `scope` (space-separated) narrows the token to some of the client\'s scopes; by default it has all of them. ' +
        `Scopes: ${Object.keys(apiScopes).join(', ')}. ` +
        '`authorization_code` (§4.1.3, Open Badges 3.0 API clients): `code`, `redirect_uri`, `code_verifier` (RFC 7636); answers an access token acting for the learner who consented, and a refresh token. ' +
        '`refresh_token` (§6): rotates the refresh token; `scope` may narrow. A replayed code or refresh token revokes its grant.',
      consumes: ['application/x-www-form-urlencoded'],
      body: {
        type: 'object',
        properties: {
          grant_type: { type: 'string', enum: ['client_credentials', 'authorization_code', 'refresh_token'] },
          scope: { type: 'string' },
          client_id: { type: 'string' },
          client_secret: { type: 'string' },
          code: { type: 'string' },
          redirect_uri: { type: 'string' },
          code_verifier: { type: 'string' },
          refresh_token: { type: 'string' },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: { access_token: { type: 'string' }, token_type: { type: 'string' }, expires_in: { type: 'integer' }, refresh_token: { type: 'string' }, scope: { type: 'string' } },
        },
      },
    },
    // The schema documents the form; the handler checks it itself so that every error has RFC 6749's shape.
    ...form,
  }, async (req, reply) => {
    noStore(reply);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
    const grant = str('grant_type');
    if (grant !== 'client_credentials' && grant !== 'authorization_code' && grant !== 'refresh_token') {
      return fail(reply, 400, 'unsupported_grant_type', 'grant_type: client_credentials, authorization_code or refresh_token');
    }
    const creds = clientCredentials(req, body);
    if (creds === 'malformed') return fail(reply, 401, 'invalid_client', 'Authorization: malformed HTTP Basic credentials');
    if (!creds) return fail(reply, 401, 'invalid_client', 'client_id and client_secret are required (HTTP Basic or form fields)');
    if (grant !== 'client_credentials') {
      const client = await verifyObClient(app.store.db, creds.id, creds.secret);
      if (!client) return fail(reply, 401, 'invalid_client', 'unknown client, or wrong secret');
      try {
        return grant === 'authorization_code'
          ? await exchangeCode(app.store.db, client, { code: str('code'), redirectUri: str('redirect_uri'), codeVerifier: str('code_verifier') })
          : await refreshTokens(app.store.db, client, { refreshToken: str('refresh_token'), scope: str('scope') });
      } catch (e) {
        if (e instanceof OAuthGrantError) return fail(reply, 400, e.error, e.message);
        throw e;
      }
    }
    const client = await verifyApiClient(app.store.db, creds.id, creds.secret);
    if (!client) return fail(reply, 401, 'invalid_client', 'unknown or revoked client, or wrong secret');
    try {
      const t = await issueAccessToken(app.store.db, client, str('scope')?.split(/\s+/).filter(Boolean));
      return { access_token: t.accessToken, token_type: 'Bearer', expires_in: t.expiresIn, scope: t.scopes.join(' ') };
    } catch (e) {
      if (isShirubeError(e) && e.code === 'forbidden') return fail(reply, 400, 'invalid_scope', e.message);
      throw e;
    }
  });

  app.post('/oauth/revoke', {
    schema: {
      tags: ['OAuth 2.0'],
      summary: 'Token revocation (RFC 7009) for Open Badges API clients',
      description: 'Client authentication as at /oauth/token. A refresh token ends its grant (all its tokens); an access token only itself. Unknown tokens also get 200.',
      consumes: ['application/x-www-form-urlencoded'],
      body: { type: 'object', properties: { token: { type: 'string' }, token_type_hint: { type: 'string', enum: ['access_token', 'refresh_token'] }, client_id: { type: 'string' }, client_secret: { type: 'string' } } },
    },
    ...form,
  }, async (req, reply) => {
    noStore(reply);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const creds = clientCredentials(req, body);
    if (creds === 'malformed') return fail(reply, 401, 'invalid_client', 'Authorization: malformed HTTP Basic credentials');
    if (!creds) return fail(reply, 401, 'invalid_client', 'client_id and client_secret are required (HTTP Basic or form fields)');
    const client = await verifyObClient(app.store.db, creds.id, creds.secret);
    if (!client) return fail(reply, 401, 'invalid_client', 'unknown client, or wrong secret');
    if (typeof body['token'] !== 'string' || !body['token']) return fail(reply, 400, 'invalid_request', 'token is required');
    await revokeToken(app.store.db, client, body['token']);
    return reply.code(200).send();
  });

  // Registration is open (RFC 7591, OB 3.0): a bound on how many clients one address makes keeps the table small.
  const registrations = new FailureLimiter(app.store.db, { bucket: 'ob-registration', max: REGISTRATIONS_PER_HOUR, windowMs: 3_600_000 });
  app.post('/oauth/register', {
    schema: {
      tags: ['OAuth 2.0'],
      summary: 'Dynamic client registration (RFC 7591) for the Open Badges 3.0 API',
      description:
        '`redirect_uris` (https, or http on localhost / 127.0.0.1) and `client_name` are required; `client_uri`, `logo_uri`, `tos_uri`, `policy_uri` (https URLs), ' +
        `at most ${REGISTRATIONS_PER_HOUR} per address and hour (then 429), ` +
        `\`scope\` (space-separated, of ${Object.keys(obScopes).join(' ')}; default all). Answers client_id and client_secret (shown once).`,
      body: { type: 'object' },
    },
    config: { csrfExempt: true },
    ...form,
  }, async (req, reply) => {
    noStore(reply);
    const wait = await registrations.retryAfter(req.ip);
    if (wait > 0) return reply.code(429).header('Retry-After', String(wait)).send({ error: 'temporarily_unavailable', error_description: `Too many registrations from this address; try again in ${Math.ceil(wait / 60)} minute(s)` });
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return reply.code(400).send({ error: 'invalid_client_metadata', error_description: 'The body is a JSON object of client metadata' });
    try {
      const c = await registerClient(app.store.db, body as Record<string, unknown>);
      await registrations.fail(req.ip);
      req.log.info({ clientId: c.clientId }, 'OB API client registered');
      return reply.code(201).send({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        client_id_issued_at: Math.floor(c.createdAt.getTime() / 1000),
        client_secret_expires_at: 0,
        client_name: c.clientName,
        redirect_uris: c.redirectUris,
        scope: c.scopes.join(' '),
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: (body as Record<string, unknown>)['token_endpoint_auth_method'] ?? 'client_secret_basic',
        ...Object.fromEntries(Object.entries({ client_uri: c.clientUri, logo_uri: c.logoUri, tos_uri: c.tosUri, policy_uri: c.policyUri }).filter(([, v]) => v !== null)),
      });
    } catch (e) {
      if (!isShirubeError(e) || e.code !== 'invalid_request') throw e;
      return reply.code(400).send({ error: e.field?.startsWith('redirect_uris') ? 'invalid_redirect_uri' : 'invalid_client_metadata', error_description: e.message });
    }
  });

  await app.register(authorizeRoutes);
}
