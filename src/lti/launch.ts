import { createHash, randomUUID } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Db } from '../store/db.js';
import * as store from '../store/lti.js';
import * as rosters from '../store/progress-rosters.js';
import { getUser, grantRole } from '../store/auth.js';
import { enroll, saveClass, savePerson } from '../progress/rosters.js';
import { randomToken, safeEqual, tokenDigest } from '../auth/secrets.js';
import { ShirubeError } from '../errors.js';
import { mapRoles, type LtiRole } from './roles.js';
import { isLocalUrl, toolEndpoints } from './platforms.js';
import type { LtiContext } from './tool-key.js';

/** LTI 1.3 Core claims (https://www.imsglobal.org/spec/lti/v1p3). */
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
export const CLAIM = {
  messageType: `${LTI}message_type`,
  version: `${LTI}version`,
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  resourceLink: `${LTI}resource_link`,
  roles: `${LTI}roles`,
  context: `${LTI}context`,
  custom: `${LTI}custom`,
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
} as const;

const PENDING_TTL_MS = 10 * 60 * 1000;
const stateDigest = tokenDigest;

export interface LoginInitiation {
  iss?: string | undefined;
  login_hint?: string | undefined;
  target_link_uri?: string | undefined;
  lti_message_hint?: string | undefined;
  client_id?: string | undefined;
  lti_deployment_id?: string | undefined;
}

const bad = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);
const refused = (field: string, message: string) => new ShirubeError('unauthorized', `${field}: ${message}`, field);

/**
 * Third-party initiated login (LTI 1.3 Security Framework §5.1.1): finds the registration of (iss, client_id), keeps
 * a state and a nonce for ten minutes and answers where to send the browser: the platform's OIDC authorization
 * endpoint, asking for an id_token posted back to the launch URL.
 */
export async function initiateLogin(ctx: LtiContext, p: LoginInitiation, maxPending: number): Promise<{ url: string; state: string }> {
  if (!p.iss) throw bad('iss', 'is required: the platform sends its issuer identifier');
  if (!p.login_hint) throw bad('login_hint', 'is required');
  if (!p.target_link_uri) throw bad('target_link_uri', 'is required');
  const platforms = await store.findPlatforms(ctx.db, p.iss, p.client_id);
  if (!platforms.length) {
    throw p.client_id
      ? bad('client_id', `no registration of issuer ${p.iss} with client id ${p.client_id}: an administrator of Shirube registers it (docs/lti.md)`)
      : bad('iss', `unknown platform ${p.iss}: an administrator of Shirube registers it (docs/lti.md)`);
  }
  if (platforms.length > 1) throw bad('client_id', `${p.iss} has several registrations here: the platform must send client_id`);
  const platform = platforms[0]!;
  if (p.lti_deployment_id !== undefined && !platform.deploymentIds.includes(p.lti_deployment_id)) {
    throw bad('lti_deployment_id', `deployment ${p.lti_deployment_id} is not registered for ${platform.label}: add it to the registration's deployment ids`);
  }
  const state = randomToken();
  const nonce = randomToken();
  if (!(await store.savePendingLaunch(ctx.db, { stateHash: stateDigest(state), platformId: platform.id, nonce, expiresAt: new Date(Date.now() + PENDING_TTL_MS) }, maxPending))) {
    throw new ShirubeError('busy', 'Too many launches in progress from this platform; try again in a minute');
  }
  const url = new URL(platform.authLoginUrl);
  const params: Record<string, string | undefined> = {
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: platform.clientId,
    redirect_uri: toolEndpoints(ctx.publicUrl).launchUrl,
    login_hint: p.login_hint,
    lti_message_hint: p.lti_message_hint,
    state,
    nonce,
  };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return { url: url.href, state };
}

/** The pending launch of this state, taken: the same state (and so the same nonce) cannot launch twice. */
export const takeLaunch = (db: Db, state: string) => store.takePendingLaunch(db, stateDigest(state));

// The platforms' key sets, fetched over HTTP and cached by jose (refetched when an unknown kid arrives).
const jwksCache = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
function platformKeys(url: string) {
  let k = jwksCache.get(url);
  if (!k) {
    k = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    if (jwksCache.size > 100) jwksCache.clear();
    jwksCache.set(url, k);
  }
  return k;
}

export interface DeepLinkingRequest {
  returnUrl: string;
  data: string | undefined;
  acceptMultiple: boolean;
}

/** A verified launch: who, in which role, from where, and what for. */
export interface Launch {
  platform: store.PlatformRow;
  subject: string;
  role: LtiRole;
  name: string | undefined;
  locale: string | undefined;
  deploymentId: string;
  messageType: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  context: { id: string; title: string } | undefined;
  custom: Record<string, string>;
  deepLinking: DeepLinkingRequest | undefined;
  membershipsUrl: string | undefined;
}

const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const str = (v: unknown, max = 1000): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);
const httpUrl = (v: unknown) => {
  const s = str(v, 2000);
  return s && /^https?:\/\//.test(s) && URL.canParse(s) ? s : undefined;
};

// Shirube fetches this one with a bearer token: https only, except on this machine.
const serviceUrl = (v: unknown) => {
  const s = httpUrl(v);
  return s && (s.startsWith('https://') || isLocalUrl(s)) ? s : undefined;
};

/** Why jose refused a token, in words a platform's administrator can act on. */
function tokenError(e: unknown, platform: store.PlatformRow): ShirubeError {
  if (e instanceof joseErrors.JWTExpired) return refused('id_token', 'has expired (exp); check the platform’s clock, then launch again');
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'aud') return refused('id_token', `aud: the token is not for client id ${platform.clientId} registered here`);
    if (e.claim === 'iss') return refused('id_token', `iss: the token is not from ${platform.issuer}`);
    if (e.claim === 'iat') return refused('id_token', 'iat: issued in the future; check the platform’s clock');
    return refused('id_token', `${e.claim}: ${e.reason === 'missing' ? 'is missing' : e.message}`);
  }
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return refused('id_token', `bad signature: it does not verify with the platform’s keys at ${platform.jwksUrl}`);
  if (e instanceof joseErrors.JWKSNoMatchingKey) return refused('id_token', `no key of the platform’s JWKS (${platform.jwksUrl}) matches the token’s kid`);
  if (e instanceof joseErrors.JWKSTimeout || e instanceof joseErrors.JWKSInvalid || (e instanceof joseErrors.JOSEError && e.code === 'ERR_JOSE_GENERIC')) {
    return new ShirubeError('bad_gateway', `The platform’s JWKS (${platform.jwksUrl}) could not be read: ${(e as Error).message}`, 'jwksUrl');
  }
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return refused('id_token', 'alg: must be RS256');
  if (e instanceof joseErrors.JOSEError) return refused('id_token', `not a valid signed JWT (${e.code})`);
  if (e instanceof TypeError) return new ShirubeError('bad_gateway', `The platform’s JWKS (${platform.jwksUrl}) could not be fetched`, 'jwksUrl');
  throw e;
}

/**
 * Checks the platform's id_token (LTI 1.3 Core §5.1.2, Security Framework §5.1.3): signature by the platform's JWKS,
 * iss, aud (and azp), exp and iat, the nonce of the state it came with, the deployment, message type, version and
 * the claims each message needs. Writes nothing.
 */
export async function verifyLaunch(ctx: LtiContext, idToken: string, pending: { platformId: string; nonce: string }): Promise<Launch> {
  const platform = await store.getPlatform(ctx.db, pending.platformId);
  if (!platform) throw refused('state', 'the platform’s registration was removed during the launch');
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(idToken, platformKeys(platform.jwksUrl), {
      issuer: platform.issuer,
      audience: platform.clientId,
      algorithms: ['RS256'],
      requiredClaims: ['exp', 'iat', 'nonce'],
      maxTokenAge: '10m',
      clockTolerance: 60,
    }));
  } catch (e) {
    throw tokenError(e, platform);
  }
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if ((aud.length > 1 || claims['azp'] !== undefined) && claims['azp'] !== platform.clientId) throw refused('id_token', `azp: must be the client id ${platform.clientId}`);
  if (typeof claims['nonce'] !== 'string' || !safeEqual(claims['nonce'], pending.nonce)) throw refused('id_token', 'nonce: not the one of this launch (a replayed or foreign token)');
  const subject = str(claims.sub, 255);
  if (!subject) throw bad('id_token', 'sub: anonymous launches are not supported; the platform must send the user’s id');
  if (claims[CLAIM.version] !== '1.3.0') throw bad('id_token', `${CLAIM.version}: must be 1.3.0`);
  const deploymentId = str(claims[CLAIM.deploymentId], 255);
  if (!deploymentId || !platform.deploymentIds.includes(deploymentId)) {
    throw bad('id_token', `deployment_id: ${deploymentId ?? '(missing)'} is not registered for ${platform.label}: add it to the registration's deployment ids`);
  }
  const messageType = claims[CLAIM.messageType];
  if (messageType !== 'LtiResourceLinkRequest' && messageType !== 'LtiDeepLinkingRequest') throw bad('id_token', `message_type: ${String(messageType)} is not supported (LtiResourceLinkRequest, LtiDeepLinkingRequest)`);
  if (!str(claims[CLAIM.targetLinkUri], 2000)) throw bad('id_token', 'target_link_uri: is required');
  const roles = claims[CLAIM.roles];
  if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string')) throw bad('id_token', 'roles: must be an array of role URIs');
  const role = mapRoles(roles as string[], platform.trustAdministrators);
  if (!role) throw new ShirubeError('forbidden', 'roles: none of the user’s roles is one Shirube serves (Learner, Instructor, Teaching Assistant, Administrator)', 'roles');
  let deepLinking: DeepLinkingRequest | undefined;
  if (messageType === 'LtiResourceLinkRequest') {
    if (!str(obj(claims[CLAIM.resourceLink])?.['id'], 255)) throw bad('id_token', 'resource_link.id: is required in a resource link launch');
  } else {
    const s = obj(claims[CLAIM.deepLinkingSettings]);
    const returnUrl = httpUrl(s?.['deep_link_return_url']);
    if (!s || !returnUrl) throw bad('id_token', 'deep_linking_settings.deep_link_return_url: is required');
    const types = s['accept_types'];
    if (!Array.isArray(types) || !types.includes('ltiResourceLink')) throw bad('id_token', 'deep_linking_settings.accept_types: Shirube returns ltiResourceLink items only');
    if (role === 'learner') throw new ShirubeError('forbidden', 'roles: only teachers and administrators choose what a link opens', 'roles');
    deepLinking = { returnUrl, data: str(s['data'], 4096), acceptMultiple: s['accept_multiple'] !== false };
  }
  const c = obj(claims[CLAIM.context]);
  const contextId = str(c?.['id'], 255);
  const custom = Object.fromEntries(Object.entries(obj(claims[CLAIM.custom]) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length <= 1000));
  const name = str(claims['name'], 200) ?? ([claims['family_name'], claims['given_name']].filter((x) => typeof x === 'string' && x).join(' ') || undefined);
  return {
    platform,
    subject,
    role,
    name,
    locale: str(claims['locale'], 35),
    deploymentId,
    messageType,
    context: contextId ? { id: contextId, title: str(c?.['title'], 200) ?? str(c?.['label'], 200) ?? contextId } : undefined,
    custom,
    deepLinking,
    membershipsUrl: serviceUrl(obj(claims[CLAIM.nrps])?.['context_memberships_url']),
  };
}

/** The roster person of a platform's user: a fixed id from (issuer, sub), so every launch and sync finds it again. */
export const personIdOf = (issuer: string, subject: string) => `lti-${createHash('sha256').update(`${issuer}\u0000${subject}`).digest('base64url').slice(0, 32)}`;

/**
 * The account of a platform's user (by issuer and sub), made on first sight: no password, no e-mail; the display
 * name the platform sends (a neutral one when it sends none), a learner with the platform's account as xAPI actor.
 * Runs in the caller's transaction.
 */
export async function ensureMember(db: Db, ctx: LtiContext, platform: store.PlatformRow, m: { subject: string; role: LtiRole; name: string | undefined }): Promise<rosters.PersonRow> {
  let id = personIdOf(platform.issuer, m.subject);
  let old = await rosters.getPerson(db, id);
  // An account already linked to (issuer, sub) (its roster entry removed, or made by a school sign-in): that one.
  const userId = old ? undefined : await rosters.findOidcIdentity(db, platform.issuer, m.subject);
  const known = userId ? (await rosters.findPerson(db, { userId }))[0] : undefined;
  if (known) [id, old] = [known.id, known];
  // A person OneRoster or an administrator entered stays as they entered it; the platform only signs them in.
  if (old && old.source !== 'lti') {
    await rosters.saveOidcIdentity(db, platform.issuer, m.subject, old.userId!);
    return old;
  }
  const displayName = m.name ?? old?.displayName ?? `${platform.label} ${id.slice(4, 10)}`;
  const actor = { objectType: 'Agent', account: { homePage: platform.issuer, name: m.subject } };
  // The role is the latest one the platform gave; teacher roles follow enrolments, a learner record stays.
  const role = m.role === 'learner' ? 'student' : m.role === 'teacher' ? 'teacher' : 'administrator';
  const person = await savePerson(db, { id, role, displayName, schoolId: old?.schoolId ?? platform.schoolId, username: id, userId, source: 'lti', actor }, ctx.publicUrl);
  await rosters.saveOidcIdentity(db, platform.issuer, m.subject, person.userId!);
  return person;
}

/** The class a context's members join: the one linked to it, or a new one when the platform names a school. */
async function classOfContext(db: Db, launch: Launch): Promise<{ contextRowId: string | null; classId: string | null }> {
  if (!launch.context) return { contextRowId: null, classId: null };
  const c = await store.upsertContext(db, { id: randomUUID(), platformId: launch.platform.id, contextId: launch.context.id, title: launch.context.title, membershipsUrl: launch.membershipsUrl ?? null });
  if (c.classId || launch.role !== 'teacher' || !launch.platform.schoolId) return { contextRowId: c.id, classId: c.classId };
  const made = await saveClass(db, { title: launch.context.title, schoolId: launch.platform.schoolId, source: 'lti' });
  await store.linkContext(db, c.id, made.id);
  return { contextRowId: c.id, classId: made.id };
}

export interface Provisioned {
  userId: string;
  role: LtiRole;
  classId: string | null;
  contextRowId: string | null;
}

/** Records the launch in one transaction: the account, its role, the context and the class membership. */
export async function provisionLaunch(ctx: LtiContext, launch: Launch): Promise<Provisioned> {
  return ctx.db.transaction().execute(async (trx) => {
    const person = await ensureMember(trx, ctx, launch.platform, { subject: launch.subject, role: launch.role, name: launch.name });
    const user = await getUser(trx, person.userId!);
    if (!user || user.disabled) throw new ShirubeError('forbidden', 'account: this account is disabled in Shirube; ask its administrator', 'account');
    if (launch.role === 'admin') await grantRole(trx, user.id, { role: 'admin', scopeType: 'global', scopeId: '' });
    const { classId, contextRowId } = await classOfContext(trx, launch);
    if (classId && launch.role !== 'admin') await enroll(trx, classId, person.id, launch.role === 'teacher' ? 'teacher' : 'student', 'lti');
    return { userId: user.id, role: launch.role, classId, contextRowId };
  });
}

const enc = encodeURIComponent;
const query = (q: Record<string, string | null | undefined>) => {
  const s = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => !!e[1])).toString();
  return s ? `?${s}` : '';
};

/**
 * Where a launch goes: what the resource link asks for (custom shirube_target = map or item, with shirube_framework
 * and shirube_item: what deep linking puts there), else by role: a learner to their map, a teacher to the dashboard
 * of the context's class. Always a path on this site.
 */
export function launchTarget(p: Provisioned, custom: Record<string, string>): string {
  const target = custom['shirube_target'];
  const framework = custom['shirube_framework'];
  const item = custom['shirube_item'];
  if (target === 'item' && framework && item) {
    return p.role === 'learner' ? `/map${query({ framework, item })}` : `/frameworks/${enc(framework)}/items/${enc(item)}`;
  }
  if (p.role === 'learner') return `/map${query({ framework: target === 'map' ? framework : undefined })}`;
  if (target === 'map' && p.classId) return `/map${query({ class: p.classId, framework })}`;
  if (p.role === 'teacher' || p.classId) return `/dashboard${query({ class: p.classId, framework: target === 'map' ? framework : undefined })}`;
  return target === 'map' && framework ? `/frameworks/${enc(framework)}` : '/';
}
