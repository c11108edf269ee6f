import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import * as store from '../store/auth.js';
import { ShirubeError } from '../errors.js';
import type { Principal, RoleGrant } from './principal.js';
import { hashSecret, randomToken, tokenDigest, verifySecret } from './secrets.js';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const ACCESS_TOKEN_TTL_S = 3600;
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;

export async function createUser(
  db: Db,
  u: { username: string; displayName?: string; password?: string; locale?: string; roles?: RoleGrant[] },
): Promise<{ id: string }> {
  if (!USERNAME.test(u.username)) throw new ShirubeError('invalid_request', 'username: 1-64 letters, digits or . _ @ -', 'username');
  if (u.password !== undefined && u.password.length < 8) throw new ShirubeError('invalid_request', 'password: at least 8 characters', 'password');
  if (await store.findUserByUsername(db, u.username)) throw new ShirubeError('conflict', `username: ${u.username} is taken`, 'username');
  const id = randomUUID();
  await store.insertUser(db, {
    id,
    username: u.username,
    displayName: u.displayName ?? u.username,
    passwordHash: u.password ? await hashSecret(u.password) : null,
    locale: u.locale ?? 'ja',
  });
  for (const r of u.roles ?? []) await store.grantRole(db, id, r);
  return { id };
}

/** Checks a password; the same work is done for unknown users so timing tells nothing. */
export async function verifyPassword(db: Db, username: string, password: string): Promise<store.UserRow | undefined> {
  const user = await store.findUserByUsername(db, username);
  const ok = await verifySecret(password, user?.passwordHash ?? DUMMY_HASH);
  return ok && user && !user.disabled ? user : undefined;
}
const DUMMY_HASH = await hashSecret(randomToken());

export async function createSession(db: Db, userId: string): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomToken();
  const csrfToken = randomToken(16);
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await store.insertSession(db, { tokenHash: tokenDigest(token), userId, csrfToken, expiresAt });
  return { token, csrfToken, expiresAt };
}

export async function endSession(db: Db, token: string): Promise<void> {
  await store.deleteSession(db, tokenDigest(token));
}

export async function sessionPrincipal(db: Db, token: string): Promise<(Principal & { kind: 'user' }) & { csrfToken: string } | undefined> {
  const s = await store.findSession(db, tokenDigest(token));
  if (!s || s.disabled) return undefined;
  return { kind: 'user', userId: s.user_id, username: s.username, roles: await store.userRoles(db, s.user_id), csrfToken: s.csrf_token };
}

export async function createApiClient(
  db: Db,
  c: { name: string; scopes: string[]; ownerUserId?: string | null },
): Promise<{ clientId: string; clientSecret: string }> {
  if (!c.name.trim()) throw new ShirubeError('invalid_request', 'name: is required', 'name');
  if (!c.scopes.length) throw new ShirubeError('invalid_request', 'scopes: at least one scope is required', 'scopes');
  const clientId = randomUUID();
  const clientSecret = randomToken();
  await store.insertApiClient(db, {
    id: randomUUID(),
    clientId,
    secretHash: await hashSecret(clientSecret),
    name: c.name,
    scopes: c.scopes,
    ownerUserId: c.ownerUserId ?? null,
  });
  return { clientId, clientSecret };
}

/** Verifies an API client's key and secret (OAuth client credentials, and later xAPI Basic). */
export async function verifyApiClient(db: Db, clientId: string, secret: string): Promise<store.ApiClientRow | undefined> {
  const c = await store.findApiClient(db, clientId);
  const ok = await verifySecret(secret, c?.secretHash ?? DUMMY_HASH);
  return ok && c && !c.revokedAt ? c : undefined;
}

/** OAuth 2.0 client-credentials grant: a bearer token for the requested scopes (all granted ones by default). */
export async function issueAccessToken(
  db: Db,
  client: store.ApiClientRow,
  requested: string[] | undefined,
): Promise<{ accessToken: string; scopes: string[]; expiresIn: number }> {
  const scopes = requested?.length ? requested : client.scopes;
  const denied = scopes.filter((s) => !client.scopes.includes(s));
  if (denied.length) throw new ShirubeError('forbidden', `scope: not granted to this client: ${denied.join(' ')}`, 'scope');
  const accessToken = randomToken();
  await store.insertAccessToken(db, {
    tokenHash: tokenDigest(accessToken),
    clientRowId: client.id,
    scopes,
    expiresAt: new Date(Date.now() + ACCESS_TOKEN_TTL_S * 1000),
  });
  return { accessToken, scopes, expiresIn: ACCESS_TOKEN_TTL_S };
}

export async function bearerPrincipal(db: Db, token: string): Promise<Principal | undefined> {
  const t = await store.findAccessToken(db, tokenDigest(token));
  return t ? { kind: 'client', clientId: t.client_id, scopes: t.scopes } : undefined;
}
