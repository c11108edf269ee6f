import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import * as store from '../store/ob-api.js';
import { audit } from '../store/auth.js';
import { ShirubeError } from '../errors.js';
import type { Principal } from './principal.js';
import { hashGeneratedSecret, randomToken, tokenDigest, verifySecret } from './secrets.js';

/**
 * Open Badges 3.0 API authorisation (OB 3.0 §Security): clients register themselves (RFC 7591), a learner consents
 * (authorization code with PKCE S256, RFC 7636), the client gets tokens that act for that learner only, within the
 * granted scopes; refresh tokens rotate; tokens can be revoked (RFC 7009). Codes, secrets and tokens are stored
 * as SHA-256 digests.
 */

const SCOPE = 'https://purl.imsglobal.org/spec/ob/v3p0/scope/';
/** The OB 3.0 scopes with the specification's descriptions (the discovery document lists them). */
export const obScopes: Readonly<Record<string, string>> = {
  [`${SCOPE}credential.readonly`]: 'Permission to read AchievementCredentials for the authenticated entity.',
  [`${SCOPE}credential.upsert`]: 'Permission to create or update AchievementCredentials for the authenticated entity.',
  [`${SCOPE}profile.readonly`]: 'Permission to read the profile for the authenticated entity.',
  [`${SCOPE}profile.update`]: 'Permission to update the profile for the authenticated entity.',
};
export const OB_SCOPE = {
  credentialRead: `${SCOPE}credential.readonly`,
  credentialUpsert: `${SCOPE}credential.upsert`,
  profileRead: `${SCOPE}profile.readonly`,
  profileUpdate: `${SCOPE}profile.update`,
} as const;

export const CODE_TTL_S = 60;
export const OB_ACCESS_TOKEN_TTL_S = 3600;
export const OB_REFRESH_TOKEN_TTL_S = 30 * 24 * 3600;

/** An OAuth 2.0 error of the token and revocation endpoints (RFC 6749 §5.2). */
export class OAuthGrantError extends Error {
  constructor(readonly error: 'invalid_request' | 'invalid_grant' | 'invalid_scope', message: string) {
    super(message);
  }
}

/** A registered client as shown to people: without its secret's hash. */
export type ObClientView = Omit<store.ObClientRow, 'id' | 'secretHash' | 'disabledAt'> & { clientId: string };
const clientView = (c: store.ObClientRow): ObClientView => {
  const { id, secretHash: _, disabledAt: __, ...rest } = c;
  return { clientId: id, ...rest };
};

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A URL a client may name: https, or http on the loopback interface (native apps, tests: RFC 8252 §7.3). Redirect
 * URIs also may not have a fragment (RFC 6749 §3.1.2). Returns the URL as given, or throws naming the field.
 */
export function checkClientUrl(value: unknown, field: string, redirect = false): string {
  let u: URL;
  try {
    if (typeof value !== 'string' || value.length > 2000) throw new Error();
    u = new URL(value);
  } catch {
    throw new ShirubeError('invalid_request', `${field}: must be an absolute URL`, field);
  }
  if (!(u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname)))) {
    throw new ShirubeError('invalid_request', `${field}: must use https (http only for localhost or 127.0.0.1)`, field);
  }
  if (u.username || u.password) throw new ShirubeError('invalid_request', `${field}: must not carry credentials`, field);
  if (redirect && value.includes('#')) throw new ShirubeError('invalid_request', `${field}: must not have a fragment`, field);
  return value as string;
}

/** Space-separated scopes, each one of the OB 3.0 scopes. */
export function parseScopes(scope: string, field = 'scope'): string[] {
  const list = [...new Set(scope.split(' ').filter(Boolean))];
  const unknown = list.filter((s) => !(s in obScopes));
  if (unknown.length) throw new ShirubeError('invalid_request', `${field}: unknown scope ${unknown.join(' ')}`, field);
  return list;
}

const optionalUrl = (meta: Record<string, unknown>, field: string) => (meta[field] === undefined ? null : checkClientUrl(meta[field], field));

/**
 * Dynamic client registration (RFC 7591 §3.1). `redirect_uris` and `client_name` are required; the client
 * authenticates at the token endpoint with its secret (client_secret_basic or client_secret_post). The secret is
 * returned this once.
 */
export async function registerClient(db: Db, meta: Record<string, unknown>): Promise<ObClientView & { clientSecret: string }> {
  const uris = meta['redirect_uris'];
  if (!Array.isArray(uris) || !uris.length || uris.length > 10) throw new ShirubeError('invalid_request', 'redirect_uris: 1 to 10 redirect URIs are required', 'redirect_uris');
  const redirectUris = [...new Set(uris.map((u, i) => checkClientUrl(u, `redirect_uris.${i}`, true)))];
  const name = meta['client_name'];
  if (typeof name !== 'string' || !name.trim() || name.length > 200) throw new ShirubeError('invalid_request', 'client_name: 1 to 200 characters, shown to the learner', 'client_name');
  for (const [field, allowed] of [['grant_types', ['authorization_code', 'refresh_token']], ['response_types', ['code']]] as const) {
    const v = meta[field];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => !(allowed as readonly string[]).includes(x)))) {
      throw new ShirubeError('invalid_request', `${field}: only ${allowed.join(', ')}`, field);
    }
  }
  const method = meta['token_endpoint_auth_method'];
  if (method !== undefined && method !== 'client_secret_basic' && method !== 'client_secret_post') {
    throw new ShirubeError('invalid_request', 'token_endpoint_auth_method: client_secret_basic or client_secret_post (clients are confidential)', 'token_endpoint_auth_method');
  }
  if (meta['scope'] !== undefined && typeof meta['scope'] !== 'string') throw new ShirubeError('invalid_request', 'scope: a space-separated string', 'scope');
  const scopes = meta['scope'] === undefined ? Object.keys(obScopes) : parseScopes(meta['scope'] as string);
  if (!scopes.length) throw new ShirubeError('invalid_request', 'scope: at least one scope', 'scope');
  const clientSecret = randomToken();
  const row: Omit<store.ObClientRow, 'createdAt' | 'disabledAt'> = {
    id: randomUUID(),
    secretHash: hashGeneratedSecret(clientSecret),
    clientName: name.trim(),
    clientUri: optionalUrl(meta, 'client_uri'),
    logoUri: optionalUrl(meta, 'logo_uri'),
    tosUri: optionalUrl(meta, 'tos_uri'),
    policyUri: optionalUrl(meta, 'policy_uri'),
    redirectUris,
    scopes,
  };
  return db.transaction().execute(async (trx) => {
    await store.insertClient(trx, row);
    await audit(trx, { actor: 'anonymous', action: 'ob.client.register', targetType: 'ob_client', targetId: row.id, details: { clientName: row.clientName, clientUri: row.clientUri, scopes } });
    return { ...clientView((await store.findClient(trx, row.id))!), clientSecret };
  });
}

/** A registered client that is not disabled (a disabled one is unknown to the OAuth endpoints). */
export async function findObClient(db: Db, clientId: string): Promise<ObClientView | undefined> {
  const c = await store.findClient(db, clientId);
  return c && !c.disabledAt ? clientView(c) : undefined;
}

/** Checks a registered client's id and secret (the token and revocation endpoints). */
export async function verifyObClient(db: Db, clientId: string, secret: string): Promise<ObClientView | undefined> {
  const c = await store.findClient(db, clientId);
  const ok = await verifySecret(secret, c?.secretHash ?? hashGeneratedSecret(randomToken()));
  return ok && c && !c.disabledAt ? clientView(c) : undefined;
}

/** The learner's consent, recorded as a single-use code for the client (audited as `ob.consent`). */
export async function createAuthorizationCode(
  db: Db,
  a: { client: ObClientView; userId: string; learnerId: string; redirectUri: string; scopes: string[]; codeChallenge: string },
): Promise<string> {
  const code = randomToken();
  await store.deleteExpired(db);
  await db.transaction().execute(async (trx) => {
    await store.insertCode(trx, tokenDigest(code), {
      clientId: a.client.clientId,
      userId: a.userId,
      learnerId: a.learnerId,
      redirectUri: a.redirectUri,
      scopes: a.scopes,
      codeChallenge: a.codeChallenge,
      expiresAt: new Date(Date.now() + CODE_TTL_S * 1000),
    });
    await audit(trx, { actor: `user:${a.userId}`, action: 'ob.consent', targetType: 'ob_client', targetId: a.client.clientId, details: { scopes: a.scopes } });
  });
  return code;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

async function issueTokens(db: Db, grantId: string, scopes: string[]): Promise<TokenResponse> {
  const access = randomToken();
  const refresh = randomToken();
  const now = Date.now();
  await store.insertToken(db, { tokenHash: tokenDigest(access), grantId, kind: 'access', scopes, expiresAt: new Date(now + OB_ACCESS_TOKEN_TTL_S * 1000) });
  await store.insertToken(db, { tokenHash: tokenDigest(refresh), grantId, kind: 'refresh', scopes, expiresAt: new Date(now + OB_REFRESH_TOKEN_TTL_S * 1000) });
  return { access_token: access, token_type: 'Bearer', expires_in: OB_ACCESS_TOKEN_TTL_S, refresh_token: refresh, scope: scopes.join(' ') };
}

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) must equal the code_challenge. */
export const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** A grant ended because a code or refresh token was replayed: audited, its tokens gone. */
async function revokeReplayed(db: Db, grantId: string | null, what: string): Promise<void> {
  if (!grantId) return;
  await db.transaction().execute(async (trx) => {
    if (await store.deleteGrant(trx, grantId)) await audit(trx, { actor: 'system', action: 'ob.revoke', targetType: 'ob_grant', targetId: grantId, details: { reason: `${what} replayed` } });
  });
}

/**
 * The authorization code grant (RFC 6749 §4.1.3 with RFC 7636 §4.5): the code must be this client's, unexpired and
 * unused, the redirect URI the one of the request, the verifier match the challenge. A code is spent by the first
 * attempt; a replayed code revokes the grant it gave. Audited as `ob.grant`.
 */
export async function exchangeCode(db: Db, client: ObClientView, p: { code?: string | undefined; redirectUri?: string | undefined; codeVerifier?: string | undefined }): Promise<TokenResponse> {
  if (!p.code) throw new OAuthGrantError('invalid_request', 'code is required');
  if (!p.codeVerifier) throw new OAuthGrantError('invalid_request', 'code_verifier is required (PKCE)');
  if (!VERIFIER.test(p.codeVerifier)) throw new OAuthGrantError('invalid_request', 'code_verifier: 43 to 128 characters A-Z a-z 0-9 - . _ ~');
  const hash = tokenDigest(p.code);
  const code = await store.findCode(db, hash);
  if (!code || code.clientId !== client.clientId) throw new OAuthGrantError('invalid_grant', 'code: unknown, or issued to another client');
  const replayed = async () => {
    await revokeReplayed(db, code.grantId, 'authorization code');
    return new OAuthGrantError('invalid_grant', 'code: already used; the tokens it gave are revoked');
  };
  if (code.usedAt) throw await replayed();
  const result = await db.transaction().execute(async (trx) => {
    if (!(await store.claimCode(trx, hash))) return 'replayed' as const;
    if (code.expiresAt.getTime() <= Date.now()) return new OAuthGrantError('invalid_grant', 'code: expired');
    if (p.redirectUri !== code.redirectUri) return new OAuthGrantError('invalid_grant', 'redirect_uri: must be the one of the authorization request');
    if (pkceChallenge(p.codeVerifier!) !== code.codeChallenge) return new OAuthGrantError('invalid_grant', 'code_verifier: does not match the code_challenge');
    const grantId = randomUUID();
    await store.insertGrant(trx, { id: grantId, clientId: client.clientId, userId: code.userId, learnerId: code.learnerId, scopes: code.scopes });
    await store.setCodeGrant(trx, hash, grantId);
    await audit(trx, { actor: `user:${code.userId}`, action: 'ob.grant', targetType: 'ob_grant', targetId: grantId, details: { clientId: client.clientId, scopes: code.scopes } });
    return issueTokens(trx, grantId, code.scopes);
  });
  if (result === 'replayed') throw await replayed();
  if (result instanceof OAuthGrantError) throw result;
  return result;
}

/**
 * The refresh token grant (RFC 6749 §6) with rotation: the old refresh token is spent, a new pair issued, with the
 * same or fewer scopes. A spent refresh token presented again revokes the whole grant (OAuth 2.0 Security BCP §4.14).
 */
export async function refreshTokens(db: Db, client: ObClientView, p: { refreshToken?: string | undefined; scope?: string | undefined }): Promise<TokenResponse> {
  if (!p.refreshToken) throw new OAuthGrantError('invalid_request', 'refresh_token is required');
  const hash = tokenDigest(p.refreshToken);
  const t = await store.findToken(db, hash);
  if (!t || t.kind !== 'refresh' || t.grant.clientId !== client.clientId) throw new OAuthGrantError('invalid_grant', 'refresh_token: unknown, expired, revoked or issued to another client');
  const replayed = async () => {
    await revokeReplayed(db, t.grant.id, 'refresh token');
    return new OAuthGrantError('invalid_grant', 'refresh_token: already used; the grant is revoked');
  };
  if (t.usedAt) throw await replayed();
  let scopes = t.scopes;
  if (p.scope !== undefined) {
    try {
      scopes = parseScopes(p.scope);
    } catch (e) {
      throw new OAuthGrantError('invalid_scope', (e as Error).message);
    }
    const extra = scopes.filter((s) => !t.scopes.includes(s));
    if (extra.length || !scopes.length) throw new OAuthGrantError('invalid_scope', `scope: not granted: ${extra.join(' ') || '(none requested)'}`);
  }
  const result = await db.transaction().execute(async (trx) => {
    if (!(await store.claimToken(trx, hash))) return 'replayed' as const;
    await store.touchGrant(trx, t.grant.id);
    return issueTokens(trx, t.grant.id, scopes);
  });
  if (result === 'replayed') throw await replayed();
  return result;
}

/**
 * Token revocation (RFC 7009): a refresh token ends its grant (every token of it); an access token only itself.
 * Unknown tokens, and other clients' tokens, are ignored (§2.2: the answer is the same). Grants ended are audited.
 */
export async function revokeToken(db: Db, client: ObClientView, token: string): Promise<void> {
  const hash = tokenDigest(token);
  const t = await store.findToken(db, hash);
  if (!t || t.grant.clientId !== client.clientId) return;
  if (t.kind === 'access') return store.deleteToken(db, hash);
  await db.transaction().execute(async (trx) => {
    if (await store.deleteGrant(trx, t.grant.id)) await audit(trx, { actor: `client:${client.clientId}`, action: 'ob.revoke', targetType: 'ob_grant', targetId: t.grant.id, details: { reason: 'revoked by the client' } });
  });
}

/** The principal of an OB API access token: the client, acting for the learner who consented, within the scopes. */
export async function obBearerPrincipal(db: Db, token: string): Promise<Principal | undefined> {
  const t = await store.findToken(db, tokenDigest(token));
  if (!t || t.kind !== 'access') return undefined;
  await store.touchGrant(db, t.grant.id);
  return { kind: 'client', clientId: t.grant.clientId, scopes: t.scopes, learnerId: t.grant.learnerId };
}

/** An app a learner connected (one client, however many times they consented to it), for the learner's own page. */
export interface ConnectedApp {
  clientId: string;
  clientName: string;
  clientUri: string | null;
  logoUri: string | null;
  /** Every scope granted, in OB 3.0 order. */
  scopes: string[];
  firstGrantedAt: string;
  lastUsedAt: string | null;
  /** Whether the app still holds a token that works (else it must ask the learner again). */
  tokensActive: boolean;
}

const latest = (a: string | null, b: string | null) => (a === null ? b : b === null || a > b ? a : b);

/** The apps a learner allowed to reach their badges, one per client, in the order first allowed. */
export async function connectedApps(db: Db, learnerId: string): Promise<ConnectedApp[]> {
  const apps = new Map<string, ConnectedApp>();
  for (const g of await store.learnerGrants(db, learnerId)) {
    const a = apps.get(g.clientId);
    if (!a) {
      apps.set(g.clientId, { clientId: g.clientId, clientName: g.clientName, clientUri: g.clientUri, logoUri: g.logoUri, scopes: g.scopes, firstGrantedAt: g.grantedAt, lastUsedAt: g.lastUsedAt, tokensActive: g.tokensActive });
      continue;
    }
    a.scopes = [...new Set([...a.scopes, ...g.scopes])];
    a.lastUsedAt = latest(a.lastUsedAt, g.lastUsedAt);
    a.tokensActive ||= g.tokensActive;
  }
  const order = Object.keys(obScopes);
  return [...apps.values()].map((a) => ({ ...a, scopes: [...a.scopes].sort((x, y) => order.indexOf(x) - order.indexOf(y)) }));
}

/**
 * The learner withdraws their consent to a client: every grant they gave it ends, with every access and refresh
 * token, and any code not yet exchanged. Audited as `ob.consent.withdraw`. A client the learner never allowed is
 * not_found (as is another learner's: nothing tells whether it exists).
 */
export async function withdrawConsent(db: Db, learnerId: string, clientId: string, actor: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const { grants, codes } = await store.deleteLearnerClientGrants(trx, learnerId, clientId);
    if (!grants && !codes) throw new ShirubeError('not_found', `clientId: no app ${clientId} is connected to your badges`, 'clientId');
    await audit(trx, { actor, action: 'ob.consent.withdraw', targetType: 'ob_client', targetId: clientId, details: { grants } });
  });
}

/** A registered client as an administrator sees it: no secret, no learner, only how many learners use it. */
export interface ObClientAdminView extends ObClientView {
  disabledAt: string | null;
  learners: number;
}

export async function listObClients(db: Db, clientId?: string): Promise<ObClientAdminView[]> {
  return (await store.listClients(db, clientId)).map((c) => ({ ...clientView(c), disabledAt: c.disabledAt && c.disabledAt.toISOString(), learners: c.learners }));
}

/**
 * Disables a client (an abusive wallet): its grants and every token end at once, and it gets no more codes or
 * tokens. Audited as `ob.client.disable`; disabling it again changes nothing.
 */
export async function disableObClient(db: Db, clientId: string, actor: string): Promise<ObClientAdminView> {
  return db.transaction().execute(async (trx) => {
    const { disabled, grants } = await store.disableClient(trx, clientId);
    if (!disabled && !(await store.findClient(trx, clientId))) throw new ShirubeError('not_found', `No Open Badges API client ${clientId}`, 'id');
    if (disabled) await audit(trx, { actor, action: 'ob.client.disable', targetType: 'ob_client', targetId: clientId, details: { grants } });
    return (await listObClients(trx, clientId))[0]!;
  });
}
