import { ShirubeError } from '../../errors.js';
import type { Principal } from '../../auth/index.js';
import type { Json } from '../../lrs/index.js';

/** What a request may do in the LRS, from its scopes (clients) or roles (an administrator signed in). */
export type LrsAccess = 'statements/write' | 'statements/read' | 'state' | 'profile' | 'define';

const isAdminUser = (p: Principal) => p.kind === 'user' && p.roles.some((r) => r.role === 'admin');

function has(p: Principal, scope: string): boolean {
  if (isAdminUser(p)) return true;
  return p.kind === 'client' && (p.scopes.includes(`xapi:${scope}`) || p.scopes.includes('xapi:all'));
}

/**
 * Throws 401 for nobody and 403 without the scope. Statement reads return the client id to restrict to when
 * the client may only read its own statements (xapi:statements/read/mine).
 */
export function requireAccess(p: Principal, access: LrsAccess): { onlyClientId?: string } {
  if (p.kind === 'anonymous') throw new ShirubeError('unauthorized', 'Authorization: send HTTP Basic credentials (API client id and secret) or a bearer token');
  if (access === 'statements/read') {
    if (has(p, 'statements/read')) return {};
    if (p.kind === 'client' && has(p, 'statements/read/mine')) return { onlyClientId: p.clientId };
  } else if (access === 'define') {
    // The Activities and Agents resources: readers of statements or of profiles.
    if (has(p, 'statements/read') || has(p, 'profile') || has(p, 'statements/read/mine')) return {};
  } else if (has(p, access)) {
    return {};
  }
  throw new ShirubeError('forbidden', `Not allowed: this client lacks the xapi:${access} scope`);
}

/** The statement authority for the credentials (Data §2.4.9): the API client as an Agent with an account. */
export function authorityOf(p: Principal, publicUrl: string): { authority: Json; clientId: string | null } {
  if (p.kind === 'client') return { clientId: p.clientId, authority: { objectType: 'Agent', account: { homePage: `${publicUrl}/api/admin/clients`, name: p.clientId } } };
  const name = p.kind === 'user' ? p.username : 'anonymous';
  return { clientId: null, authority: { objectType: 'Agent', account: { homePage: `${publicUrl}/api/admin/users`, name } } };
}
