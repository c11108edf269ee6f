import { describe, expect, it } from 'vitest';
import { anonymous, canAdminister, canAuthorFramework, canReadPrivate, checkRoleGrant, type Principal, type RoleGrant } from '../../src/auth/index.js';

const user = (...roles: RoleGrant[]): Principal => ({ kind: 'user', userId: 'u1', username: 'u', roles });
const client = (...scopes: string[]): Principal => ({ kind: 'client', clientId: 'c1', scopes });
const FW = { identifier: 'fw-1', organizationId: 'org-1' };

describe('permissions', () => {
  it('matches the roles and scopes matrix of docs/security.md', () => {
    const rows: [string, Principal, { admin: boolean; authorFw: boolean; authorNew: boolean; authorOther: boolean; readPrivate: boolean }][] = [
      ['anonymous', anonymous, { admin: false, authorFw: false, authorNew: false, authorOther: false, readPrivate: false }],
      ['admin', user({ role: 'admin', scopeType: 'global', scopeId: '' }), { admin: true, authorFw: true, authorNew: true, authorOther: true, readPrivate: true }],
      ['author of fw-1', user({ role: 'author', scopeType: 'framework', scopeId: 'fw-1' }), { admin: false, authorFw: true, authorNew: false, authorOther: false, readPrivate: true }],
      ['author of org-1', user({ role: 'author', scopeType: 'organization', scopeId: 'org-1' }), { admin: false, authorFw: true, authorNew: true, authorOther: false, readPrivate: true }],
      ['reviewer of fw-1', user({ role: 'reviewer', scopeType: 'framework', scopeId: 'fw-1' }), { admin: false, authorFw: false, authorNew: false, authorOther: false, readPrivate: true }],
      ['reviewer of org-2', user({ role: 'reviewer', scopeType: 'organization', scopeId: 'org-2' }), { admin: false, authorFw: false, authorNew: false, authorOther: false, readPrivate: false }],
      ['teacher', user({ role: 'teacher', scopeType: 'class', scopeId: '6-1' }), { admin: false, authorFw: false, authorNew: false, authorOther: false, readPrivate: false }],
      ['learner', user({ role: 'learner', scopeType: 'self', scopeId: '' }), { admin: false, authorFw: false, authorNew: false, authorOther: false, readPrivate: false }],
      ['case:read', client('case:read'), { admin: false, authorFw: false, authorNew: false, authorOther: false, readPrivate: true }],
      ['case:write', client('case:write'), { admin: false, authorFw: true, authorNew: true, authorOther: true, readPrivate: true }],
      ['case:admin', client('case:admin'), { admin: true, authorFw: true, authorNew: true, authorOther: true, readPrivate: true }],
      ['xapi only', client('xapi:write'), { admin: false, authorFw: false, authorNew: false, authorOther: false, readPrivate: false }],
    ];
    for (const [name, p, want] of rows) {
      expect(
        {
          admin: canAdminister(p),
          authorFw: canAuthorFramework(p, FW),
          authorNew: canAuthorFramework(p),
          authorOther: canAuthorFramework(p, { identifier: 'fw-2', organizationId: 'org-2' }),
          readPrivate: canReadPrivate(p, FW),
        },
        name,
      ).toEqual(want);
    }
  });
});

describe('checkRoleGrant', () => {
  it('fills in the scope of global and self roles', () => {
    expect(checkRoleGrant({ role: 'admin' }, 'r')).toEqual({ role: 'admin', scopeType: 'global', scopeId: '' });
    expect(checkRoleGrant({ role: 'learner' }, 'r')).toEqual({ role: 'learner', scopeType: 'self', scopeId: '' });
    expect(checkRoleGrant({ role: 'teacher', scopeId: '6-1' }, 'r')).toEqual({ role: 'teacher', scopeType: 'class', scopeId: '6-1' });
  });

  it('names the field that is wrong', () => {
    const field = (g: Parameters<typeof checkRoleGrant>[0]) => {
      try {
        checkRoleGrant(g, 'roles.3');
      } catch (e) {
        return (e as { field?: string }).field;
      }
      return undefined;
    };
    expect(field({ role: 'owner' })).toBe('roles.3.role');
    expect(field({ role: 'author' })).toBe('roles.3.scopeType');
    expect(field({ role: 'teacher', scopeType: 'global' })).toBe('roles.3.scopeType');
    expect(field({ role: 'reviewer', scopeType: 'organization', scopeId: ' ' })).toBe('roles.3.scopeId');
    expect(field({ role: 'admin', scopeId: 'x' })).toBe('roles.3.scopeId');
  });
});
