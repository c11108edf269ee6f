/**
 * LTI roles (LTI 1.3 Core §5.3.7, the LIS vocabularies in appendix A) as Shirube roles. Context roles
 * (`…/membership#Instructor`, sub-roles `…/membership/Instructor#TeachingAssistant`), institution and system roles
 * (`…/institution/person#Student`, `…/system/person#Administrator`), the short context forms LTI 1.3 still allows
 * (`Instructor`, `Learner`) and LTI 1.1 URNs (`urn:lti:role:ims/lis/Learner`).
 */
export type LtiRole = 'admin' | 'teacher' | 'learner';

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';
const TEACHING = new Set(['Instructor', 'TeachingAssistant']);
const LEARNING = new Set(['Learner', 'Student']);

type Parsed = { kind: 'context' | 'institution' | 'system'; name: string; sub?: string };

function parse(role: string): Parsed | undefined {
  if (role.startsWith(LIS)) {
    const m = /^(membership|institution\/person|system\/person)(?:\/([A-Za-z]+))?#([A-Za-z]+)$/.exec(role.slice(LIS.length));
    if (!m) return undefined;
    const kind = m[1] === 'membership' ? 'context' : m[1] === 'institution/person' ? 'institution' : 'system';
    // A sub-role (membership/Instructor#TeachingAssistant) belongs to its principal role.
    return m[2] ? { kind, name: m[2], sub: m[3]! } : { kind, name: m[3]! };
  }
  const urn = /^urn:lti:(role|instrole|sysrole):ims\/lis\/([A-Za-z]+)(?:\/([A-Za-z]+))?$/.exec(role);
  if (urn) return { kind: urn[1] === 'role' ? 'context' : urn[1] === 'instrole' ? 'institution' : 'system', name: urn[2]!, ...(urn[3] ? { sub: urn[3] } : {}) };
  if (/^[A-Za-z]+$/.test(role)) return { kind: 'context', name: role };
  return undefined;
}

/**
 * The Shirube role the platform's roles give: an administrator only when the platform is trusted to make them
 * (system or institution Administrator); else from the context roles (Instructor, Teaching Assistant or the
 * context's Administrator: teacher; Learner: learner), the higher one; else from the institution roles (Instructor,
 * Faculty: teacher; Student, Learner: learner). Undefined when none applies (Mentor, Guest, a bare Staff…).
 */
export function mapRoles(roles: readonly string[], trustAdministrators: boolean): LtiRole | undefined {
  const found = { context: new Set<LtiRole>(), institution: new Set<LtiRole>(), admin: false };
  for (const role of roles) {
    const p = parse(role);
    if (!p) continue;
    const name = p.sub === 'TeachingAssistant' ? 'TeachingAssistant' : p.name;
    if (p.kind === 'system') {
      if (name === 'Administrator' || name === 'SysAdmin') found.admin = true;
      continue;
    }
    const set = found[p.kind];
    if (name === 'Administrator') {
      if (p.kind === 'context') set.add('teacher');
      else found.admin = true;
    } else if (TEACHING.has(name) || (p.kind === 'institution' && name === 'Faculty')) set.add('teacher');
    else if (LEARNING.has(name)) set.add('learner');
  }
  if (found.admin && trustAdministrators) return 'admin';
  const set = found.context.size ? found.context : found.institution;
  return set.has('teacher') ? 'teacher' : set.has('learner') ? 'learner' : undefined;
}
