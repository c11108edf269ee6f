import type { Db } from '../store/db.js';
import * as store from '../store/lti.js';
import * as rosters from '../store/progress-rosters.js';
import { audit } from '../store/auth.js';
import { enroll, unenroll } from '../progress/rosters.js';
import { ShirubeError } from '../errors.js';
import { ensureMember } from './launch.js';
import { mapRoles, type LtiRole } from './roles.js';
import { signAsTool, type LtiContext } from './tool-key.js';

/** Names and Role Provisioning Services 2.0 (https://www.imsglobal.org/spec/lti-nrps/v2p0). */
export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
const MEMBERSHIP_TYPE = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';
const TIMEOUT_MS = 10_000;
// A context of 10,000 members in pages of 100 at most: a bound on what a platform can make Shirube read.
const MAX_PAGES = 100;

const gateway = (what: string, why: string) => new ShirubeError('bad_gateway', `The platform’s ${what} answered ${why}`, what);

// Access tokens per platform until a minute before they expire (one per server: platforms limit token requests).
const tokens = new Map<string, { token: string; until: number }>();

/**
 * An access token from the platform's token endpoint (LTI Security Framework §4.1): client credentials with a JWT
 * bearer client assertion (RFC 7523) signed with the tool's key.
 */
// A changed registration (token URL, client id) asks anew.
const tokenKey = (p: store.PlatformRow, scope: string) => [p.id, p.clientId, p.accessTokenUrl, scope].join('\u0000');

async function accessToken(ctx: LtiContext, platform: store.PlatformRow, scope: string): Promise<string> {
  const key = tokenKey(platform, scope);
  const hit = tokens.get(key);
  if (hit && hit.until > Date.now()) return hit.token;
  const assertion = await signAsTool(ctx, { iss: platform.clientId, sub: platform.clientId, aud: platform.accessTokenUrl }, 300);
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion, scope });
  let res: Response;
  try {
    res = await fetch(platform.accessTokenUrl, { method: 'POST', body, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
  } catch (e) {
    throw gateway('accessTokenUrl', `nothing (${(e as Error).message})`);
  }
  const json = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!res.ok || typeof json?.['access_token'] !== 'string') {
    const error = typeof json?.['error'] === 'string' ? ` (${json['error']})` : '';
    throw gateway('accessTokenUrl', `${res.status}${error}: check that the platform has Shirube's JWKS URL and grants the NRPS scope`);
  }
  const expires = typeof json['expires_in'] === 'number' ? json['expires_in'] : 3600;
  tokens.set(key, { token: json['access_token'], until: Date.now() + Math.max(0, expires - 60) * 1000 });
  return json['access_token'];
}

/** The next page's URL from a Link header (RFC 8288), if any. */
function nextLink(header: string | null): string | undefined {
  for (const part of header?.split(',') ?? []) {
    const m = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    if (m && /\brel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2]!)) return m[1];
  }
  return undefined;
}

interface Member {
  subject: string;
  role: LtiRole;
  name: string | undefined;
}

/** Every active member of the context, page by page (Link rel="next"). */
async function members(ctx: LtiContext, platform: store.PlatformRow, url: string): Promise<{ members: Member[]; pages: number }> {
  const token = await accessToken(ctx, platform, NRPS_SCOPE);
  const out: Member[] = [];
  let next: string | undefined = url;
  let pages = 0;
  while (next) {
    if (++pages > MAX_PAGES) throw gateway('context_memberships_url', `more than ${MAX_PAGES} pages`);
    let res: Response;
    try {
      res = await fetch(next, { headers: { accept: MEMBERSHIP_TYPE, authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
    } catch (e) {
      throw gateway('context_memberships_url', `nothing (${(e as Error).message})`);
    }
    if (res.status === 401) tokens.delete(tokenKey(platform, NRPS_SCOPE));
    if (!res.ok) throw gateway('context_memberships_url', String(res.status));
    const json = (await res.json().catch(() => undefined)) as { members?: unknown } | undefined;
    if (!json || !Array.isArray(json.members)) throw gateway('context_memberships_url', 'without a members array');
    for (const m of json.members as Array<Record<string, unknown>>) {
      const status = m['status'] ?? 'Active';
      const subject = typeof m['user_id'] === 'string' && m['user_id'].length <= 255 ? m['user_id'] : undefined;
      const roles = Array.isArray(m['roles']) ? m['roles'].filter((r): r is string => typeof r === 'string') : [];
      // Only context roles count here: a platform's administrator is never made one by its roster.
      const role = mapRoles(roles, false);
      if (status !== 'Active' || !subject || !role) continue;
      const name = typeof m['name'] === 'string' && m['name'] ? m['name'] : [m['family_name'], m['given_name']].filter((x) => typeof x === 'string' && x).join(' ') || undefined;
      out.push({ subject, role, name: name?.slice(0, 200) });
    }
    const link = nextLink(res.headers.get('link'));
    next = link ? new URL(link, next).href : undefined;
  }
  return { members: out, pages };
}

export interface RosterSyncReport {
  classId: string;
  members: number;
  pages: number;
  added: { learners: number; teachers: number };
  removed: number;
  unchanged: number;
}

/**
 * Provisions the class linked to a context from the platform's membership list: active members are enrolled (an
 * account made for new ones), members the platform no longer lists lose the enrolments earlier syncs and launches
 * gave them (those entered by hand or by OneRoster stay). One transaction; audited with counts only.
 */
export async function syncRoster(ctx: LtiContext, contextRowId: string, actor: string): Promise<RosterSyncReport> {
  const context = await store.getContext(ctx.db, contextRowId);
  if (!context) throw new ShirubeError('not_found', `No LTI context ${contextRowId}`, 'context');
  const platform = await store.getPlatform(ctx.db, context.platformId);
  if (!platform) throw new ShirubeError('not_found', `No LTI platform ${context.platformId}`, 'platform');
  const classId = context.classId;
  if (!classId) throw new ShirubeError('conflict', `The context “${context.title}” is not linked to a class: an administrator links it (PUT /api/admin/lti/contexts/${context.id})`, 'classId');
  if (!context.membershipsUrl) throw new ShirubeError('conflict', 'The platform has not offered Names and Role Provisioning for this context: enable it for Shirube on the platform and launch once', 'context');
  const list = await members(ctx, platform, context.membershipsUrl);
  return ctx.db.transaction().execute(async (trx: Db) => {
    const before = new Map((await rosters.listEnrollments(trx, { classId })).map((e) => [e.personId, e.role]));
    const sources = await rosters.enrollmentSources(trx, classId);
    const report: RosterSyncReport = { classId, members: list.members.length, pages: list.pages, added: { learners: 0, teachers: 0 }, removed: 0, unchanged: 0 };
    const listed = new Set<string>();
    for (const m of list.members) {
      const person = await ensureMember(trx, ctx, platform, m);
      const role = m.role === 'learner' ? 'student' : 'teacher';
      listed.add(person.id);
      if (before.get(person.id) === role) {
        report.unchanged++;
        continue;
      }
      await enroll(trx, classId, person.id, role, 'lti');
      report.added[role === 'student' ? 'learners' : 'teachers']++;
    }
    for (const personId of before.keys()) {
      if (listed.has(personId) || sources.get(personId) !== 'lti') continue;
      await unenroll(trx, classId, personId);
      report.removed++;
    }
    await audit(trx, { actor, action: 'lti.roster.sync', targetType: 'class', targetId: classId, details: { platformId: platform.id, contextId: context.id, members: report.members, added: report.added, removed: report.removed, unchanged: report.unchanged } });
    return report;
  });
}

/** The context a class was linked to, for a sync asked for by class. */
export async function contextOfClass(db: Db, classId: string): Promise<store.ContextRow> {
  const [c] = await store.contextsOfClass(db, classId);
  if (!c) throw new ShirubeError('not_found', `Class ${classId} is not linked to a context of an LTI platform`, 'id');
  return c;
}
