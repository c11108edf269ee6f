import type { Role, RoleScopeType } from '../store/tables.js';
import { ShirubeError } from '../errors.js';

export type { Role, RoleScopeType };

export interface RoleGrant {
  role: Role;
  scopeType: RoleScopeType;
  scopeId: string;
}

/** Who is calling: a signed-in person (session), an API client (bearer token), or nobody. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; username: string; roles: RoleGrant[] }
  // learnerId: an Open Badges API token, acting for the learner who consented (./ob-grants.ts).
  | { kind: 'client'; clientId: string; scopes: string[]; learnerId?: string };

export const anonymous: Principal = Object.freeze({ kind: 'anonymous' });

/**
 * API scopes, one family per API. CASE now; xAPI (`xapi:*`) and Open Badges (`ob:*`) are added by their APIs.
 * `case:admin` manages users and clients.
 */
export const caseScopes = ['case:read', 'case:write', 'case:admin'] as const;
/** xAPI LRS scopes (the xAPI specification's OAuth scopes, prefixed). A drill vendor gets statements/write only. */
export const xapiScopes = ['xapi:statements/write', 'xapi:statements/read', 'xapi:statements/read/mine', 'xapi:state', 'xapi:profile', 'xapi:all'] as const;
/** Caliper 1.2 events to the sensor endpoint (docs/caliper.md); competency assertions (docs/competency-reporting.md). */
export const reportingScopes = ['caliper:write', 'competency:read'] as const;
/** Learning resources aligned to CFItems: a drill vendor registers its drills (docs/resources.md). */
export const resourceScopes = ['resources:write'] as const;
export type Scope = (typeof caseScopes)[number] | (typeof xapiScopes)[number] | (typeof reportingScopes)[number] | (typeof resourceScopes)[number] | (string & {});

/**
 * Every scope an API client may be granted (api_client.scopes), with what it allows. Each API adds its family here
 * (xAPI: `xapi:*`, Open Badges: `ob:*`); the admin API, the CLI and the docs take the list from this one place.
 */
export const apiScopes: Readonly<Record<string, string>> = {
  'case:read': 'Read private (Private Draft) frameworks',
  'case:write': 'Import, edit, publish and delete frameworks',
  'case:admin': 'Everything, including managing users and API clients',
  'xapi:statements/write': 'xAPI: write statements',
  'xapi:statements/read': 'xAPI: read every statement',
  'xapi:statements/read/mine': 'xAPI: read the statements this client wrote',
  'xapi:state': 'xAPI: read and write State documents',
  'xapi:profile': 'xAPI: read and write Activity and Agent Profile documents, read Activities and Agents',
  'xapi:all': 'xAPI: everything in the LRS',
  'caliper:write': 'Caliper 1.2: send events to the sensor endpoint (they become xAPI statements and evidence)',
  'competency:read': 'Competency assertions: whether a learner holds a CFItem or framework, with the evidence',
  'resources:write': 'Register learning resources (drills, videos…) aligned to CFItems, and change or remove those the client registered',
} satisfies Record<(typeof caseScopes)[number] | (typeof xapiScopes)[number] | (typeof reportingScopes)[number] | (typeof resourceScopes)[number], string>;

export const roles = ['admin', 'author', 'reviewer', 'teacher', 'learner'] as const satisfies readonly Role[];
export const roleScopeTypes = ['global', 'framework', 'organization', 'class', 'self'] as const satisfies readonly RoleScopeType[];

/** Which scopes each role may have: admin is global, authors and reviewers work on a framework or an organization. */
export const roleScopes: Readonly<Record<Role, readonly RoleScopeType[]>> = {
  admin: ['global'],
  author: ['framework', 'organization'],
  reviewer: ['framework', 'organization'],
  teacher: ['class'],
  learner: ['self'],
};

/**
 * Checks a role grant and fills in the empty scope id of global and self grants. `field` names the grant in errors
 * (`roles.0`).
 */
export function checkRoleGrant(g: { role: string; scopeType?: string | undefined; scopeId?: string | undefined }, field: string): RoleGrant {
  const allowed = roleScopes[g.role as Role] as readonly RoleScopeType[] | undefined;
  if (!allowed) throw new ShirubeError('invalid_request', `${field}.role: must be one of ${roles.join(', ')}`, `${field}.role`);
  const scopeType = (g.scopeType ?? (allowed.length === 1 ? allowed[0] : undefined)) as RoleScopeType | undefined;
  if (!scopeType || !allowed.includes(scopeType)) {
    throw new ShirubeError('invalid_request', `${field}.scopeType: a ${g.role} role is scoped to ${allowed.join(' or ')}`, `${field}.scopeType`);
  }
  const unscoped = scopeType === 'global' || scopeType === 'self';
  const scopeId = g.scopeId ?? '';
  if (unscoped && scopeId !== '') {
    throw new ShirubeError('invalid_request', `${field}.scopeId: must be empty for a ${scopeType} role`, `${field}.scopeId`);
  }
  if (!unscoped && !scopeId.trim()) {
    throw new ShirubeError('invalid_request', `${field}.scopeId: the ${scopeType} identifier is required`, `${field}.scopeId`);
  }
  return { role: g.role as Role, scopeType, scopeId };
}

/** Who did it, for the audit log: `user:<id>`, `client:<client_id>`, or what the CLI says. */
export function actorOf(p: Principal): string {
  if (p.kind === 'user') return `user:${p.userId}`;
  if (p.kind === 'client') return `client:${p.clientId}`;
  return 'anonymous';
}

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

/**
 * May this principal review relation suggestions of the framework (see, decide, add)? Reviewers and authors of the
 * framework or its organization, admins, and API clients with case:write.
 */
export function canReviewFramework(p: Principal, target: FrameworkRef): boolean {
  if (isAdmin(p)) return true;
  if (p.kind === 'client') return p.scopes.includes('case:write');
  if (p.kind !== 'user') return false;
  return p.roles.some(
    (r) =>
      (r.role === 'reviewer' || r.role === 'author') &&
      ((r.scopeType === 'framework' && target.identifier !== undefined && r.scopeId === target.identifier) ||
        (r.scopeType === 'organization' && target.organizationId != null && r.scopeId === target.organizationId)),
  );
}

/** May this principal send Caliper events (docs/caliper.md)? Clients with caliper:write, and administrators. */
export function canSendCaliper(p: Principal): boolean {
  return (p.kind === 'user' && p.roles.some((r) => r.role === 'admin')) || (p.kind === 'client' && p.scopes.includes('caliper:write'));
}

/** May this principal ask any learner's competency assertions (docs/competency-reporting.md)? competency:read clients, administrators. */
export function canReadCompetencies(p: Principal): boolean {
  return isAdmin(p) || (p.kind === 'client' && p.scopes.includes('competency:read'));
}
