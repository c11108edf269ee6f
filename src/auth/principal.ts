import type { Role, RoleScopeType } from '../store/tables.js';

export interface RoleGrant {
  role: Role;
  scopeType: RoleScopeType;
  scopeId: string;
}

/** Who is calling: a signed-in person (session), an API client (bearer token), or nobody. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; username: string; roles: RoleGrant[] }
  | { kind: 'client'; clientId: string; scopes: string[] };

export const anonymous: Principal = Object.freeze({ kind: 'anonymous' });

/**
 * API scopes, one family per API. CASE now; xAPI (`xapi:*`) and Open Badges (`ob:*`) are added by their APIs.
 * `case:admin` manages users and clients.
 */
export const caseScopes = ['case:read', 'case:write', 'case:admin'] as const;
export type Scope = (typeof caseScopes)[number] | (string & {});

/** What a framework-level write needs to know about its target. */
export interface FrameworkRef {
  identifier?: string | undefined;
  organizationId?: string | null | undefined;
}

const isAdmin = (p: Principal) =>
  (p.kind === 'user' && p.roles.some((r) => r.role === 'admin')) || (p.kind === 'client' && p.scopes.includes('case:admin'));

/** May this principal author (import, edit, publish, delete) the framework? `undefined` target: a new framework. */
export function canAuthorFramework(p: Principal, target: FrameworkRef = {}): boolean {
  if (isAdmin(p)) return true;
  if (p.kind === 'client') return p.scopes.includes('case:write');
  if (p.kind !== 'user') return false;
  return p.roles.some(
    (r) =>
      r.role === 'author' &&
      ((r.scopeType === 'framework' && target.identifier !== undefined && r.scopeId === target.identifier) ||
        (r.scopeType === 'organization' && target.organizationId != null && r.scopeId === target.organizationId) ||
        // An author of an organization may create new frameworks (for that organization).
        (r.scopeType === 'organization' && target.identifier === undefined)),
  );
}

/** May this principal read frameworks that are not public (Private Draft)? */
export function canReadPrivate(p: Principal, target: FrameworkRef = {}): boolean {
  if (isAdmin(p)) return true;
  if (p.kind === 'client') return p.scopes.includes('case:read') || p.scopes.includes('case:write');
  if (p.kind !== 'user') return false;
  return canAuthorFramework(p, target) || p.roles.some((r) => r.role === 'reviewer' && (r.scopeType === 'framework' ? r.scopeId === target.identifier : r.scopeId === target.organizationId));
}

export const canAdminister = isAdmin;
