import { sql, type Selectable } from 'kysely';
import type { Db } from './db.js';
import type { ApiClientTable, AppUserTable, OrganizationTable, Role, RoleScopeType } from './tables.js';

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string | null;
  locale: string;
  disabled: boolean;
  createdAt: Date;
}
export interface RoleRow {
  role: Role;
  scopeType: RoleScopeType;
  scopeId: string;
}

const toUser = (r: Selectable<AppUserTable>): UserRow => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  locale: r.locale,
  disabled: r.disabled,
  createdAt: r.created_at,
});

export async function insertUser(db: Db, u: Omit<UserRow, 'disabled' | 'createdAt'>): Promise<void> {
  await db
    .insertInto('app_user')
    .values({ id: u.id, username: u.username, display_name: u.displayName, password_hash: u.passwordHash, locale: u.locale })
    .execute();
}

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  const r = await db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();
  return r && toUser(r);
}

export async function getUser(db: Db, id: string): Promise<UserRow | undefined> {
  const r = await db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toUser(r);
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  return (await db.selectFrom('app_user').selectAll().orderBy('username').execute()).map(toUser);
}

export async function updateUser(db: Db, id: string, u: { displayName?: string; locale?: string; disabled?: boolean; passwordHash?: string }): Promise<void> {
  await db
    .updateTable('app_user')
    .set({
      ...(u.displayName !== undefined ? { display_name: u.displayName } : {}),
      ...(u.locale !== undefined ? { locale: u.locale } : {}),
      ...(u.disabled !== undefined ? { disabled: u.disabled } : {}),
      ...(u.passwordHash !== undefined ? { password_hash: u.passwordHash } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function userRoles(db: Db, userId: string): Promise<RoleRow[]> {
  return (await allRoles(db, userId)).get(userId) ?? [];
}

/** Role grants by user id (all users, or one). */
export async function allRoles(db: Db, userId?: string): Promise<Map<string, RoleRow[]>> {
  let q = db.selectFrom('role_assignment').select(['user_id', 'role', 'scope_type', 'scope_id']).orderBy('role').orderBy('scope_type').orderBy('scope_id');
  if (userId !== undefined) q = q.where('user_id', '=', userId);
  const byUser = new Map<string, RoleRow[]>();
  for (const r of await q.execute()) {
    const list = byUser.get(r.user_id) ?? [];
    list.push({ role: r.role, scopeType: r.scope_type, scopeId: r.scope_id });
    byUser.set(r.user_id, list);
  }
  return byUser;
}

export async function grantRole(db: Db, userId: string, r: RoleRow): Promise<void> {
  await db
    .insertInto('role_assignment')
    .values({ user_id: userId, role: r.role, scope_type: r.scopeType, scope_id: r.scopeId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function revokeRole(db: Db, userId: string, r: RoleRow): Promise<boolean> {
  const res = await db
    .deleteFrom('role_assignment')
    .where('user_id', '=', userId)
    .where('role', '=', r.role)
    .where('scope_type', '=', r.scopeType)
    .where('scope_id', '=', r.scopeId)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function deleteRoles(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('role_assignment').where('user_id', '=', userId).execute();
}

export async function countAdmins(db: Db): Promise<number> {
  const r = await db.selectFrom('role_assignment').select(sql<number>`count(*)::int`.as('n')).where('role', '=', 'admin').executeTakeFirstOrThrow();
  return r.n;
}

/** Admins who can still sign in, other than `exceptUserId`: the last one must not lock everybody out. */
export async function countOtherActiveAdmins(db: Db, exceptUserId: string): Promise<number> {
  const r = await db
    .selectFrom('role_assignment as r')
    .innerJoin('app_user as u', 'u.id', 'r.user_id')
    .select(sql<number>`count(distinct u.id)::int`.as('n'))
    .where('r.role', '=', 'admin')
    .where('u.disabled', '=', false)
    .where('u.id', '<>', exceptUserId)
    .executeTakeFirstOrThrow();
  return r.n;
}

export async function insertSession(db: Db, s: { tokenHash: string; userId: string; csrfToken: string; expiresAt: Date }): Promise<void> {
  await db.insertInto('user_session').values({ token_hash: s.tokenHash, user_id: s.userId, csrf_token: s.csrfToken, expires_at: s.expiresAt }).execute();
}

export async function findSession(db: Db, tokenHash: string) {
  return db
    .selectFrom('user_session as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .select(['s.user_id', 's.csrf_token', 's.expires_at', 'u.username', 'u.display_name', 'u.locale', 'u.disabled'])
    .where('s.token_hash', '=', tokenHash)
    .where('s.expires_at', '>', new Date())
    .executeTakeFirst();
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('user_session').where('token_hash', '=', tokenHash).execute();
}

/** Ends every session of a user (password reset, disabled account). */
export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('user_session').where('user_id', '=', userId).execute();
}

/** Housekeeping: expired sessions and access tokens are useless rows. */
export async function deleteExpired(db: Db, now = new Date()): Promise<void> {
  await db.deleteFrom('user_session').where('expires_at', '<=', now).execute();
  await db.deleteFrom('access_token').where('expires_at', '<=', now).execute();
}

export interface ApiClientRow {
  id: string;
  clientId: string;
  secretHash: string;
  name: string;
  scopes: string[];
  ownerUserId: string | null;
  revokedAt: Date | null;
  createdAt: Date;
}
const toClient = (r: Selectable<ApiClientTable>): ApiClientRow => ({
  id: r.id,
  clientId: r.client_id,
  secretHash: r.secret_hash,
  name: r.name,
  scopes: r.scopes,
  ownerUserId: r.owner_user_id,
  revokedAt: r.revoked_at,
  createdAt: r.created_at,
});

export async function insertApiClient(db: Db, c: Omit<ApiClientRow, 'revokedAt' | 'createdAt'>): Promise<void> {
  await db
    .insertInto('api_client')
    .values({ id: c.id, client_id: c.clientId, secret_hash: c.secretHash, name: c.name, scopes: c.scopes, owner_user_id: c.ownerUserId })
    .execute();
}

export async function findApiClient(db: Db, clientId: string): Promise<ApiClientRow | undefined> {
  const r = await db.selectFrom('api_client').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  return r && toClient(r);
}

export async function listApiClients(db: Db): Promise<ApiClientRow[]> {
  return (await db.selectFrom('api_client').selectAll().orderBy('created_at').orderBy('name').execute()).map(toClient);
}

/** Revokes a client and deletes its access tokens; false when there is no such active client. */
export async function revokeApiClient(db: Db, clientId: string): Promise<boolean> {
  const r = await db.updateTable('api_client').set({ revoked_at: new Date() }).where('client_id', '=', clientId).where('revoked_at', 'is', null).executeTakeFirst();
  await db.deleteFrom('access_token').where('client_id', 'in', db.selectFrom('api_client').select('id').where('client_id', '=', clientId)).execute();
  return Number(r.numUpdatedRows) > 0;
}

export async function insertAccessToken(db: Db, t: { tokenHash: string; clientRowId: string; scopes: string[]; expiresAt: Date }): Promise<void> {
  await db.insertInto('access_token').values({ token_hash: t.tokenHash, client_id: t.clientRowId, scopes: t.scopes, expires_at: t.expiresAt }).execute();
}

export async function findAccessToken(db: Db, tokenHash: string) {
  return db
    .selectFrom('access_token as t')
    .innerJoin('api_client as c', 'c.id', 't.client_id')
    .select(['t.scopes', 'c.client_id', 'c.revoked_at'])
    .where('t.token_hash', '=', tokenHash)
    .where('t.expires_at', '>', new Date())
    .where('c.revoked_at', 'is', null)
    .executeTakeFirst();
}

export type OrganizationRow = Omit<Selectable<OrganizationTable>, 'parent_id' | 'created_at'> & { parentId: string | null; createdAt: Date };
const toOrganization = (r: Selectable<OrganizationTable>): OrganizationRow => ({ id: r.id, name: r.name, kind: r.kind, parentId: r.parent_id, createdAt: r.created_at });

export async function insertOrganization(db: Db, o: { id: string; name: string; kind: OrganizationRow['kind']; parentId: string | null }): Promise<void> {
  await db.insertInto('organization').values({ id: o.id, name: o.name, kind: o.kind, parent_id: o.parentId }).execute();
}

export async function getOrganization(db: Db, id: string): Promise<OrganizationRow | undefined> {
  const r = await db.selectFrom('organization').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toOrganization(r);
}

export async function listOrganizations(db: Db): Promise<OrganizationRow[]> {
  return (await db.selectFrom('organization').selectAll().orderBy('name').execute()).map(toOrganization);
}

export async function audit(db: Db, e: { actor: string; action: string; targetType: string; targetId?: string | null; details?: Record<string, unknown> | null }): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ actor: e.actor, action: e.action, target_type: e.targetType, target_id: e.targetId ?? null, details: e.details ? (JSON.stringify(e.details) as never) : null })
    .execute();
}

export async function auditEntries(db: Db, targetType: string, targetId: string) {
  return db.selectFrom('audit_log').selectAll().where('target_type', '=', targetType).where('target_id', '=', targetId).orderBy('id').execute();
}

export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown> | null;
}

export interface AuditFilter {
  /** Entries about a framework: the CFDocument itself, or naming it as `document` or `targetFramework` in details. */
  framework?: string | undefined;
  actor?: string | undefined;
  /** An action, or a prefix ending in `*` (`relation.*`). */
  action?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  limit: number;
  offset: number;
}

/** Audit entries, newest first, with how many match. */
export async function listAudit(db: Db, f: AuditFilter): Promise<{ total: number; entries: AuditEntry[] }> {
  let q = db.selectFrom('audit_log');
  if (f.framework !== undefined) {
    const fw = f.framework;
    q = q.where((eb) => eb.or([
      eb.and([eb('target_type', '=', 'CFDocument'), eb('target_id', '=', fw)]),
      eb(sql`details->>'document'`, '=', fw),
      eb(sql`details->>'targetFramework'`, '=', fw),
    ]));
  }
  if (f.actor !== undefined) q = q.where('actor', '=', f.actor);
  if (f.action !== undefined) {
    const action = f.action;
    q = action.endsWith('*') ? q.where(sql<boolean>`starts_with(action, ${action.slice(0, -1)})`) : q.where('action', '=', action);
  }
  if (f.since) q = q.where('at', '>=', f.since);
  if (f.until) q = q.where('at', '<', f.until);
  const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const rows = await q.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(f.limit).offset(f.offset).execute();
  return {
    total: Number(total),
    entries: rows.map((r) => ({ id: Number(r.id), at: new Date(r.at), actor: r.actor, action: r.action, targetType: r.target_type, targetId: r.target_id, details: r.details })),
  };
}

/** Replaces an active client's secret hash (a supplier's one-time claim); false when there is no active client. */
export async function setApiClientSecret(db: Db, clientId: string, secretHash: string): Promise<boolean> {
  const r = await db.updateTable('api_client').set({ secret_hash: secretHash }).where('client_id', '=', clientId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
