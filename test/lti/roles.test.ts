import { describe, expect, it } from 'vitest';
import { mapRoles } from '../../src/lti/roles.js';

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';

describe('LTI roles → Shirube roles', () => {
  it('maps context roles, their sub-roles and the short forms', () => {
    expect(mapRoles([`${LIS}membership#Learner`], false)).toBe('learner');
    expect(mapRoles([`${LIS}membership#Instructor`], false)).toBe('teacher');
    expect(mapRoles([`${LIS}membership/Instructor#TeachingAssistant`], false)).toBe('teacher');
    expect(mapRoles([`${LIS}membership/Learner#NonCreditLearner`], false)).toBe('learner');
    expect(mapRoles(['Learner'], false)).toBe('learner');
    expect(mapRoles(['Instructor'], false)).toBe('teacher');
    expect(mapRoles(['urn:lti:role:ims/lis/TeachingAssistant'], false)).toBe('teacher');
    expect(mapRoles([`${LIS}membership#Administrator`], false)).toBe('teacher');
  });

  it('prefers the context’s roles to the institution’s, and the higher of them', () => {
    expect(mapRoles([`${LIS}institution/person#Faculty`, `${LIS}membership#Learner`], false)).toBe('learner');
    expect(mapRoles([`${LIS}institution/person#Student`], false)).toBe('learner');
    expect(mapRoles([`${LIS}institution/person#Instructor`], false)).toBe('teacher');
    expect(mapRoles([`${LIS}membership#Learner`, `${LIS}membership#Instructor`], false)).toBe('teacher');
  });

  it('makes administrators only of a trusted platform’s system or institution administrators', () => {
    const roles = [`${LIS}system/person#Administrator`, `${LIS}membership#Instructor`];
    expect(mapRoles(roles, true)).toBe('admin');
    expect(mapRoles(roles, false)).toBe('teacher');
    expect(mapRoles([`${LIS}institution/person#Administrator`], true)).toBe('admin');
    expect(mapRoles(['urn:lti:sysrole:ims/lis/SysAdmin'], true)).toBe('admin');
    expect(mapRoles([`${LIS}system/person#Administrator`], false)).toBeUndefined();
  });

  it('gives nothing for roles Shirube does not serve or cannot read', () => {
    expect(mapRoles([`${LIS}membership#Mentor`, `${LIS}institution/person#Guest`], true)).toBeUndefined();
    expect(mapRoles(['http://example.org/role#Learner', 'not a role', ''], false)).toBeUndefined();
    expect(mapRoles([], false)).toBeUndefined();
  });
});
