import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import * as store from '../store/lti.js';
import { audit, getOrganization } from '../store/auth.js';
import { getClass } from '../store/progress-rosters.js';
import { ShirubeError } from '../errors.js';

/** Plain http only for a platform on this machine (tests, a local development LMS); https everywhere else. */
export const isLocalUrl = (url: string) => /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(url);

/** A registration as an administrator enters it: the label, school and trust are optional. */
export type PlatformInput = Omit<store.PlatformRow, 'id' | 'createdAt' | 'label' | 'schoolId' | 'trustAdministrators'> & {
  label?: string | undefined;
  schoolId?: string | null | undefined;
  trustAdministrators?: boolean | undefined;
};

export interface PlatformView extends Omit<store.PlatformRow, 'createdAt'> {
  createdAt: string;
}
const view = (p: store.PlatformRow): PlatformView => ({ ...p, createdAt: p.createdAt.toISOString() });

/** Where a platform's administrator registers Shirube (docs/lti.md). */
export const toolEndpoints = (publicUrl: string) => ({
  loginUrl: `${publicUrl}/lti/login`,
  launchUrl: `${publicUrl}/lti/launch`,
  deepLinkingUrl: `${publicUrl}/lti/launch`,
  redirectUris: [`${publicUrl}/lti/launch`],
  jwksUrl: `${publicUrl}/lti/jwks`,
});

function url(v: string, field: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ShirubeError('invalid_request', `${field}: not a URL`, field);
  }
  if (u.protocol !== 'https:' && !isLocalUrl(v)) throw new ShirubeError('invalid_request', `${field}: must be https:// (plain http only on this machine)`, field);
  if (u.username || u.password) throw new ShirubeError('invalid_request', `${field}: no credentials in the URL`, field);
  return v;
}

async function check(db: Db, p: PlatformInput): Promise<Omit<store.PlatformRow, 'id' | 'createdAt'>> {
  const issuer = url(p.issuer, 'issuer');
  if (!p.clientId.trim()) throw new ShirubeError('invalid_request', 'clientId: is required', 'clientId');
  const deploymentIds = [...new Set(p.deploymentIds.map((d) => d.trim()))];
  if (!deploymentIds.length || deploymentIds.some((d) => !d)) throw new ShirubeError('invalid_request', 'deploymentIds: at least one non-empty deployment id', 'deploymentIds');
  if (p.schoolId && !(await getOrganization(db, p.schoolId))) throw new ShirubeError('invalid_request', `schoolId: no school ${p.schoolId}`, 'schoolId');
  return {
    label: p.label?.trim() || new URL(issuer).host,
    issuer,
    clientId: p.clientId.trim(),
    deploymentIds,
    authLoginUrl: url(p.authLoginUrl, 'authLoginUrl'),
    accessTokenUrl: url(p.accessTokenUrl, 'accessTokenUrl'),
    jwksUrl: url(p.jwksUrl, 'jwksUrl'),
    schoolId: p.schoolId ?? null,
    trustAdministrators: p.trustAdministrators ?? false,
  };
}

const taken = (p: { issuer: string; clientId: string }) => new ShirubeError('conflict', `clientId: ${p.issuer} already has a registration with client id ${p.clientId}`, 'clientId');
const auditDetails = (p: Omit<store.PlatformRow, 'id' | 'createdAt'>) => ({ issuer: p.issuer, clientId: p.clientId, deploymentIds: p.deploymentIds, schoolId: p.schoolId, trustAdministrators: p.trustAdministrators });

export async function registerPlatform(db: Db, input: PlatformInput, actor: string): Promise<PlatformView> {
  return db.transaction().execute(async (trx) => {
    const p = await check(trx, input);
    if ((await store.findPlatforms(trx, p.issuer, p.clientId)).length) throw taken(p);
    const id = randomUUID();
    await store.insertPlatform(trx, { id, ...p });
    await audit(trx, { actor, action: 'lti.platform.create', targetType: 'lti_platform', targetId: id, details: auditDetails(p) });
    return view((await store.getPlatform(trx, id))!);
  });
}

export async function updatePlatform(db: Db, id: string, input: PlatformInput, actor: string): Promise<PlatformView> {
  return db.transaction().execute(async (trx) => {
    if (!(await store.getPlatform(trx, id))) throw new ShirubeError('not_found', `No LTI platform ${id}`, 'id');
    const p = await check(trx, input);
    if ((await store.findPlatforms(trx, p.issuer, p.clientId)).some((o) => o.id !== id)) throw taken(p);
    await store.updatePlatform(trx, { id, ...p });
    await audit(trx, { actor, action: 'lti.platform.update', targetType: 'lti_platform', targetId: id, details: auditDetails(p) });
    return view((await store.getPlatform(trx, id))!);
  });
}

/** Removes a registration and its contexts' links (classes, people and their records stay). */
export async function removePlatform(db: Db, id: string, actor: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await store.deletePlatform(trx, id))) throw new ShirubeError('not_found', `No LTI platform ${id}`, 'id');
    await audit(trx, { actor, action: 'lti.platform.delete', targetType: 'lti_platform', targetId: id });
  });
}

export const listPlatforms = async (db: Db) => (await store.listPlatforms(db)).map(view);

export async function getPlatform(db: Db, id: string): Promise<PlatformView> {
  const p = await store.getPlatform(db, id);
  if (!p) throw new ShirubeError('not_found', `No LTI platform ${id}`, 'id');
  return view(p);
}

export const listContexts = (db: Db, platformId?: string) => store.listContexts(db, platformId);

/** Links a platform's context to a Shirube class (null unlinks): its members are enrolled there at launch and sync. */
export async function linkContext(db: Db, id: string, classId: string | null, actor: string): Promise<store.ContextRow> {
  return db.transaction().execute(async (trx) => {
    if (classId && !(await getClass(trx, classId))) throw new ShirubeError('invalid_request', `classId: no class ${classId}`, 'classId');
    if (!(await store.linkContext(trx, id, classId))) throw new ShirubeError('not_found', `No LTI context ${id}`, 'id');
    await audit(trx, { actor, action: 'lti.context.link', targetType: 'lti_context', targetId: id, details: { classId } });
    return (await store.getContext(trx, id))!;
  });
}
