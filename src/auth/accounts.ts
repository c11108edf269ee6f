import { randomUUID } from 'node:crypto';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import type { Db } from '../store/db.js';
import * as store from '../store/auth.js';
import { ShirubeError } from '../errors.js';
import { apiScopes, checkRoleGrant, type Principal, type RoleGrant } from './principal.js';
import { obBearerPrincipal } from './ob-grants.js';
import { dummyPasswordHash, hashGeneratedSecret, hashPassword, randomToken, safeEqual, tokenDigest, verifySecret } from './secrets.js';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const ACCESS_TOKEN_TTL_S = 3600;
export const USERNAME_PATTERN = '^[A-Za-z0-9._@-]{1,64}$';
export const PASSWORD_MIN = 8;
// scrypt's cost does not grow with the input, but nobody needs more, and bodies stay small.
export const PASSWORD_MAX = 1024;
export const locales = ['ja', 'en'] as const;
export const organizationKinds = ['authority', 'board', 'school'] as const;

/** A user as the admin API and the CLI show it: never the password hash. */
export interface UserView {
  id: string;
  username: string;
  displayName: string;
  locale: string;
  disabled: boolean;
  roles: RoleGrant[];
  createdAt: string;
}

const view = (u: store.UserRow, roles: RoleGrant[]): UserView => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  locale: u.locale,
  disabled: u.disabled,
  roles,
  createdAt: u.createdAt.toISOString(),
});

/** Guessability from common passwords, names, keyboard walks, repeats and sequences (zxcvbn), not length alone. */
const strength = new ZxcvbnFactory({ dictionary: common.dictionary, graphs: common.adjacencyGraphs });
/** zxcvbn's score 0–4: 3 = "safely unguessable" (about 10^8 guesses; the sign-in rate limits do the rest). */
const MIN_SCORE = 3;

function checkPassword(password: string, field = 'password', userInputs: string[] = []): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new ShirubeError('invalid_request', `${field}: ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`, field);
  }
  const r = strength.check(password, userInputs);
  if (r.score < MIN_SCORE) {
    const hint = r.feedback.warning ? ` (${r.feedback.warning})` : '';
    throw new ShirubeError('invalid_request', `${field}: too easy to guess${hint}; use a longer passphrase of unrelated words, or a password manager's random one`, field);
  }
}

/**
 * Validates grants; organizations must exist. Frameworks need not: an author may be named before the framework is
 * imported (Course of Study frameworks have deterministic identifiers).
 */
async function checkGrants(db: Db, grants: readonly Partial<RoleGrant>[], field: string): Promise<RoleGrant[]> {
  const checked = grants.map((g, i) => checkRoleGrant(g as RoleGrant, `${field}.${i}`));
  for (const [i, g] of checked.entries()) {
    if (g.scopeType === 'organization' && !(await store.getOrganization(db, g.scopeId))) {
      throw new ShirubeError('invalid_request', `${field}.${i}.scopeId: no organization ${g.scopeId}`, `${field}.${i}.scopeId`);
    }
  }
  return checked;
}

async function requireUser(db: Db, id: string): Promise<store.UserRow> {
  const u = await store.getUser(db, id);
  if (!u) throw new ShirubeError('not_found', `No user ${id}`, 'id');
  return u;
}

/** Refuses to leave the installation without an administrator who can sign in. */
async function keepAnAdmin(db: Db, userId: string, what: string): Promise<void> {
  const wasAdmin = (await store.userRoles(db, userId)).some((r) => r.role === 'admin');
  if (wasAdmin && (await store.countOtherActiveAdmins(db, userId)) === 0) {
    throw new ShirubeError('conflict', `Cannot ${what}: this is the last active administrator; make another one first`);
  }
}

export async function createUser(
  db: Db,
  u: { username: string; displayName?: string | undefined; password?: string | undefined; locale?: string | undefined; roles?: readonly Partial<RoleGrant>[] | undefined },
  actor = 'system',
): Promise<UserView> {
  if (!new RegExp(USERNAME_PATTERN).test(u.username)) {
    throw new ShirubeError('invalid_request', 'username: 1-64 letters, digits or . _ @ -', 'username');
  }
  if (u.password !== undefined) checkPassword(u.password, 'password', [u.username, u.displayName ?? '']);
  if (u.locale !== undefined && !(locales as readonly string[]).includes(u.locale)) {
    throw new ShirubeError('invalid_request', `locale: one of ${locales.join(', ')}`, 'locale');
  }
  // Hash before the transaction: it takes ~0.4 s.
  const passwordHash = u.password !== undefined ? await hashPassword(u.password) : null;
  return db.transaction().execute(async (trx) => {
    if (await store.findUserByUsername(trx, u.username)) throw new ShirubeError('conflict', `username: ${u.username} is taken`, 'username');
    const roles = await checkGrants(trx, u.roles ?? [], 'roles');
    const id = randomUUID();
    await store.insertUser(trx, { id, username: u.username, displayName: u.displayName?.trim() || u.username, passwordHash, locale: u.locale ?? 'ja' });
    for (const r of roles) await store.grantRole(trx, id, r);
    await store.audit(trx, { actor, action: 'user.create', targetType: 'user', targetId: id, details: { username: u.username, roles } });
    return getUserView(trx, id);
  });
}

export async function listUsers(db: Db): Promise<UserView[]> {
  const roles = await store.allRoles(db);
  return (await store.listUsers(db)).map((u) => view(u, roles.get(u.id) ?? []));
}

export async function getUserView(db: Db, id: string): Promise<UserView> {
  return view(await requireUser(db, id), await store.userRoles(db, id));
}

export async function userIdByUsername(db: Db, username: string): Promise<string> {
  const u = await store.findUserByUsername(db, username);
  if (!u) throw new ShirubeError('not_found', `No user named ${username}`, 'username');
  return u.id;
}

/** Replaces a user's role grants. */
export async function setUserRoles(db: Db, userId: string, grants: readonly Partial<RoleGrant>[], actor: string): Promise<UserView> {
  return db.transaction().execute(async (trx) => {
    await requireUser(trx, userId);
    const roles = await checkGrants(trx, grants, 'roles');
    if (!roles.some((r) => r.role === 'admin')) await keepAnAdmin(trx, userId, 'remove the admin role');
    await store.deleteRoles(trx, userId);
    for (const r of roles) await store.grantRole(trx, userId, r);
    await store.audit(trx, { actor, action: 'user.roles', targetType: 'user', targetId: userId, details: { roles } });
    return getUserView(trx, userId);
  });
}

export async function grantUserRole(db: Db, userId: string, grant: Partial<RoleGrant>, actor: string): Promise<UserView> {
  return db.transaction().execute(async (trx) => {
    await requireUser(trx, userId);
    const [role] = await checkGrants(trx, [grant], 'roles');
    await store.grantRole(trx, userId, role!);
    await store.audit(trx, { actor, action: 'user.grant', targetType: 'user', targetId: userId, details: { ...role } });
    return getUserView(trx, userId);
  });
}

export async function revokeUserRole(db: Db, userId: string, grant: Partial<RoleGrant>, actor: string): Promise<UserView> {
  return db.transaction().execute(async (trx) => {
    await requireUser(trx, userId);
    const role = checkRoleGrant(grant as RoleGrant, 'role');
    if (role.role === 'admin') await keepAnAdmin(trx, userId, 'remove the admin role');
    if (!(await store.revokeRole(trx, userId, role))) {
      throw new ShirubeError('not_found', `The user has no ${role.role} role on ${role.scopeType} ${role.scopeId}`.trim(), 'role');
    }
    await store.audit(trx, { actor, action: 'user.revoke', targetType: 'user', targetId: userId, details: { ...role } });
    return getUserView(trx, userId);
  });
}

/** Sets a new password and ends the user's sessions. */
export async function setUserPassword(db: Db, userId: string, password: string, actor: string): Promise<void> {
  const user = await requireUser(db, userId);
  checkPassword(password, 'password', [user.username, user.displayName]);
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await requireUser(trx, userId);
    await store.updateUser(trx, userId, { passwordHash });
    await store.deleteUserSessions(trx, userId);
    await store.audit(trx, { actor, action: 'user.password', targetType: 'user', targetId: userId });
  });
}

/** Changes the display name, the locale, or disables (ending every session) or re-enables an account. */
export async function updateUserAccount(
  db: Db,
  userId: string,
  u: { displayName?: string | undefined; locale?: string | undefined; disabled?: boolean | undefined },
  actor: string,
): Promise<UserView> {
  if (u.locale !== undefined && !(locales as readonly string[]).includes(u.locale)) {
    throw new ShirubeError('invalid_request', `locale: one of ${locales.join(', ')}`, 'locale');
  }
  if (u.displayName !== undefined && !u.displayName.trim()) throw new ShirubeError('invalid_request', 'displayName: must not be empty', 'displayName');
  return db.transaction().execute(async (trx) => {
    await requireUser(trx, userId);
    if (u.disabled) {
      await keepAnAdmin(trx, userId, 'disable this account');
      await store.deleteUserSessions(trx, userId);
    }
    const changes = {
      ...(u.displayName !== undefined ? { displayName: u.displayName.trim() } : {}),
      ...(u.locale !== undefined ? { locale: u.locale } : {}),
      ...(u.disabled !== undefined ? { disabled: u.disabled } : {}),
    };
    await store.updateUser(trx, userId, changes);
    await store.audit(trx, { actor, action: 'user.update', targetType: 'user', targetId: userId, details: changes });
    return getUserView(trx, userId);
  });
}

/** Checks a password; unknown users and users without a password cost the same work, so timing tells nothing. */
export async function verifyPassword(db: Db, username: string, password: string): Promise<store.UserRow | undefined> {
  const user = await store.findUserByUsername(db, username);
  const ok = await verifySecret(password.slice(0, PASSWORD_MAX), user?.passwordHash ?? (await dummyPasswordHash()));
  return ok && user && !user.disabled ? user : undefined;
}

export async function createSession(db: Db, userId: string): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomToken();
  const csrfToken = randomToken(16);
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await store.deleteExpired(db);
  await store.insertSession(db, { tokenHash: tokenDigest(token), userId, csrfToken, expiresAt });
  return { token, csrfToken, expiresAt };
}

export async function endSession(db: Db, token: string): Promise<void> {
  await store.deleteSession(db, tokenDigest(token));
}

export interface SessionInfo {
  principal: Principal & { kind: 'user' };
  displayName: string;
  locale: string;
  csrfToken: string;
}

export async function findSession(db: Db, token: string): Promise<SessionInfo | undefined> {
  const s = await store.findSession(db, tokenDigest(token));
  if (!s || s.disabled) return undefined;
  return {
    principal: { kind: 'user', userId: s.user_id, username: s.username, roles: await store.userRoles(db, s.user_id) },
    displayName: s.display_name,
    locale: s.locale,
    csrfToken: s.csrf_token,
  };
}

/** Whether a request's X-CSRF-Token matches its session's. */
export const csrfMatches = (sent: string | undefined, session: SessionInfo) => sent !== undefined && safeEqual(sent, session.csrfToken);

export interface OrganizationView {
  id: string;
  name: string;
  kind: (typeof organizationKinds)[number];
  parentId: string | null;
  createdAt: string;
}
const orgView = (o: store.OrganizationRow): OrganizationView => ({ ...o, createdAt: o.createdAt.toISOString() });

export async function createOrganization(
  db: Db,
  o: { name: string; kind: OrganizationView['kind']; parentId?: string | null | undefined },
  actor: string,
): Promise<OrganizationView> {
  if (!o.name.trim()) throw new ShirubeError('invalid_request', 'name: is required', 'name');
  return db.transaction().execute(async (trx) => {
    if (o.parentId && !(await store.getOrganization(trx, o.parentId))) {
      throw new ShirubeError('invalid_request', `parentId: no organization ${o.parentId}`, 'parentId');
    }
    const id = randomUUID();
    await store.insertOrganization(trx, { id, name: o.name.trim(), kind: o.kind, parentId: o.parentId ?? null });
    await store.audit(trx, { actor, action: 'organization.create', targetType: 'organization', targetId: id, details: { name: o.name, kind: o.kind } });
    return orgView((await store.getOrganization(trx, id))!);
  });
}

export const listOrganizations = async (db: Db) => (await store.listOrganizations(db)).map(orgView);

/** An API client as listed: never the secret or its hash. */
export interface ApiClientView {
  clientId: string;
  name: string;
  scopes: string[];
  ownerUserId: string | null;
  createdAt: string;
  revokedAt: string | null;
}
const clientView = (c: store.ApiClientRow): ApiClientView => ({
  clientId: c.clientId,
  name: c.name,
  scopes: c.scopes,
  ownerUserId: c.ownerUserId,
  createdAt: c.createdAt.toISOString(),
  revokedAt: c.revokedAt?.toISOString() ?? null,
});

/** Checks the scopes of a new API client against the known ones (apiScopes). */
export function checkScopes(scopes: readonly string[]): void {
  if (!scopes.length) throw new ShirubeError('invalid_request', 'scopes: at least one scope is required', 'scopes');
  const unknown = scopes.filter((s) => !(s in apiScopes));
  if (unknown.length) throw new ShirubeError('invalid_request', `scopes: unknown ${unknown.join(' ')}; known: ${Object.keys(apiScopes).join(' ')}`, 'scopes');
}

/** Creates an API client; the secret is returned this once and only its hash is kept. */
export async function createApiClient(
  db: Db,
  c: { name: string; scopes: readonly string[]; ownerUserId?: string | null | undefined },
  actor = 'system',
): Promise<ApiClientView & { clientSecret: string }> {
  return db.transaction().execute((trx) => insertApiClient(trx, c, actor));
}

/** createApiClient inside the caller's transaction (an approved supplier request makes its client with its decision). */
export async function insertApiClient(
  trx: Db,
  c: { name: string; scopes: readonly string[]; ownerUserId?: string | null | undefined },
  actor: string,
): Promise<ApiClientView & { clientSecret: string }> {
  if (!c.name.trim()) throw new ShirubeError('invalid_request', 'name: is required', 'name');
  checkScopes(c.scopes);
  const clientId = randomUUID();
  const clientSecret = randomToken();
  if (c.ownerUserId) await requireUser(trx, c.ownerUserId);
  await store.insertApiClient(trx, {
    id: randomUUID(),
    clientId,
    secretHash: hashGeneratedSecret(clientSecret),
    name: c.name.trim(),
    scopes: [...new Set(c.scopes)],
    ownerUserId: c.ownerUserId ?? null,
  });
  await store.audit(trx, { actor, action: 'client.create', targetType: 'api_client', targetId: clientId, details: { name: c.name, scopes: c.scopes } });
  return { ...clientView((await store.findApiClient(trx, clientId))!), clientSecret };
}

export const listApiClients = async (db: Db) => (await store.listApiClients(db)).map(clientView);

/** Revokes a client: its tokens stop working at once. */
export async function revokeApiClient(db: Db, clientId: string, actor: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await store.revokeApiClient(trx, clientId))) throw new ShirubeError('not_found', `No active API client ${clientId}`, 'clientId');
    await store.audit(trx, { actor, action: 'client.revoke', targetType: 'api_client', targetId: clientId });
  });
}

/** Verifies an API client's id and secret (OAuth client credentials, and later xAPI Basic). */
export async function verifyApiClient(db: Db, clientId: string, secret: string): Promise<store.ApiClientRow | undefined> {
  const c = await store.findApiClient(db, clientId);
  const ok = await verifySecret(secret, c?.secretHash ?? hashGeneratedSecret(randomToken()));
  return ok && c && !c.revokedAt ? c : undefined;
}

/** OAuth 2.0 client-credentials grant: a bearer token for the requested scopes (all granted ones by default). */
export async function issueAccessToken(
  db: Db,
  client: store.ApiClientRow,
  requested: string[] | undefined,
): Promise<{ accessToken: string; scopes: string[]; expiresIn: number }> {
  const scopes = requested?.length ? [...new Set(requested)] : client.scopes;
  const denied = scopes.filter((s) => !client.scopes.includes(s));
  if (denied.length) throw new ShirubeError('forbidden', `scope: not granted to this client: ${denied.join(' ')}`, 'scope');
  const accessToken = randomToken();
  await store.deleteExpired(db);
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
  return t ? { kind: 'client', clientId: t.client_id, scopes: t.scopes } : obBearerPrincipal(db, token);
}
