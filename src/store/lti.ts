import { sql, type ColumnType, type Kysely } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './tables.js';

/** The tables of migration 0015: LTI 1.3 platforms, their contexts, launches in progress and the tool's keys. */
type DefaultNow = ColumnType<Date, Date | string | undefined, Date | string>;
export interface LtiPlatformTable {
  id: string;
  label: string;
  issuer: string;
  client_id: string;
  deployment_ids: ColumnType<string[], string[], string[]>;
  auth_login_url: string;
  access_token_url: string;
  jwks_url: string;
  school_id: string | null;
  trust_administrators: boolean;
  created_at: DefaultNow;
}
export interface LtiContextTable {
  id: string;
  platform_id: string;
  context_id: string;
  title: string;
  class_id: string | null;
  memberships_url: string | null;
  updated_at: DefaultNow;
}
export interface LtiPendingLaunchTable {
  state_hash: string;
  platform_id: string;
  nonce: string;
  expires_at: Date;
}
export interface LtiToolKeyTable {
  kid: string;
  public_jwk: ColumnType<Record<string, unknown>, string, string>;
  private_jwk_enc: string;
  created_at: DefaultNow;
}
type LtiTables = { lti_platform: LtiPlatformTable; lti_context: LtiContextTable; lti_pending_launch: LtiPendingLaunchTable; lti_tool_key: LtiToolKeyTable };
const ldb = (db: Db) => db.withTables<LtiTables>() as unknown as Kysely<Database & LtiTables>;

export interface PlatformRow {
  id: string;
  label: string;
  issuer: string;
  clientId: string;
  deploymentIds: string[];
  authLoginUrl: string;
  accessTokenUrl: string;
  jwksUrl: string;
  schoolId: string | null;
  trustAdministrators: boolean;
  createdAt: Date;
}
const toPlatform = (r: any): PlatformRow => ({
  id: r.id,
  label: r.label,
  issuer: r.issuer,
  clientId: r.client_id,
  deploymentIds: r.deployment_ids ?? [],
  authLoginUrl: r.auth_login_url,
  accessTokenUrl: r.access_token_url,
  jwksUrl: r.jwks_url,
  schoolId: r.school_id,
  trustAdministrators: r.trust_administrators,
  createdAt: r.created_at,
});
const platformValues = (p: Omit<PlatformRow, 'createdAt'>) => ({
  label: p.label,
  issuer: p.issuer,
  client_id: p.clientId,
  deployment_ids: p.deploymentIds,
  auth_login_url: p.authLoginUrl,
  access_token_url: p.accessTokenUrl,
  jwks_url: p.jwksUrl,
  school_id: p.schoolId,
  trust_administrators: p.trustAdministrators,
});

export async function insertPlatform(db: Db, p: Omit<PlatformRow, 'createdAt'>): Promise<void> {
  await ldb(db).insertInto('lti_platform').values({ id: p.id, ...platformValues(p) }).execute();
}

export async function updatePlatform(db: Db, p: Omit<PlatformRow, 'createdAt'>): Promise<boolean> {
  const r = await ldb(db).updateTable('lti_platform').set(platformValues(p)).where('id', '=', p.id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deletePlatform(db: Db, id: string): Promise<boolean> {
  const r = await ldb(db).deleteFrom('lti_platform').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function getPlatform(db: Db, id: string): Promise<PlatformRow | undefined> {
  const r = await ldb(db).selectFrom('lti_platform').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toPlatform(r);
}

/** The platforms of an issuer (one per client_id), or the one of (issuer, client_id). */
export async function findPlatforms(db: Db, issuer: string, clientId?: string): Promise<PlatformRow[]> {
  let q = ldb(db).selectFrom('lti_platform').selectAll().where('issuer', '=', issuer);
  if (clientId !== undefined) q = q.where('client_id', '=', clientId);
  return (await q.orderBy('created_at').limit(10).execute()).map(toPlatform);
}

export async function listPlatforms(db: Db): Promise<PlatformRow[]> {
  return (await ldb(db).selectFrom('lti_platform').selectAll().orderBy('label').orderBy('id').execute()).map(toPlatform);
}

// Contexts

export interface ContextRow {
  id: string;
  platformId: string;
  contextId: string;
  title: string;
  classId: string | null;
  membershipsUrl: string | null;
}
const toContext = (r: any): ContextRow => ({ id: r.id, platformId: r.platform_id, contextId: r.context_id, title: r.title, classId: r.class_id, membershipsUrl: r.memberships_url });

/** Records a context as a launch names it (its title and NRPS URL as of this launch); returns it with its class. */
export async function upsertContext(db: Db, c: { id: string; platformId: string; contextId: string; title: string; membershipsUrl: string | null }): Promise<ContextRow> {
  const r = await ldb(db)
    .insertInto('lti_context')
    .values({ id: c.id, platform_id: c.platformId, context_id: c.contextId, title: c.title, memberships_url: c.membershipsUrl })
    .onConflict((oc) =>
      oc.columns(['platform_id', 'context_id']).doUpdateSet({
        title: c.title,
        memberships_url: sql<string | null>`coalesce(excluded.memberships_url, lti_context.memberships_url)`,
        updated_at: new Date(),
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toContext(r);
}

export async function getContext(db: Db, id: string): Promise<ContextRow | undefined> {
  const r = await ldb(db).selectFrom('lti_context').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toContext(r);
}

export async function contextsOfClass(db: Db, classId: string): Promise<ContextRow[]> {
  return (await ldb(db).selectFrom('lti_context').selectAll().where('class_id', '=', classId).orderBy('id').execute()).map(toContext);
}

export async function listContexts(db: Db, platformId?: string): Promise<ContextRow[]> {
  let q = ldb(db).selectFrom('lti_context').selectAll();
  if (platformId) q = q.where('platform_id', '=', platformId);
  return (await q.orderBy('platform_id').orderBy('title').orderBy('id').execute()).map(toContext);
}

export async function linkContext(db: Db, id: string, classId: string | null): Promise<boolean> {
  const r = await ldb(db).updateTable('lti_context').set({ class_id: classId, updated_at: new Date() }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

// Launches in progress

/** Keeps a pending launch unless its platform already has `max` in progress (expired ones purged first). */
export async function savePendingLaunch(db: Db, p: { stateHash: string; platformId: string; nonce: string; expiresAt: Date }, max: number, now = new Date()): Promise<boolean> {
  await ldb(db).deleteFrom('lti_pending_launch').where('expires_at', '<=', now).execute();
  const inProgress = ldb(db).selectFrom('lti_pending_launch').select(sql`1`.as('one')).where('platform_id', '=', p.platformId).limit(max);
  const { n } = await ldb(db).selectFrom(inProgress.as('p')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(n) >= max) return false;
  await ldb(db).insertInto('lti_pending_launch').values({ state_hash: p.stateHash, platform_id: p.platformId, nonce: p.nonce, expires_at: p.expiresAt }).execute();
  return true;
}

/** Removes and returns the pending launch: a second take, on any instance, finds nothing. Undefined if expired. */
export async function takePendingLaunch(db: Db, stateHash: string, now = new Date()): Promise<{ platformId: string; nonce: string } | undefined> {
  const r = await ldb(db).deleteFrom('lti_pending_launch').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
  if (!r || r.expires_at <= now) return undefined;
  return { platformId: r.platform_id, nonce: r.nonce };
}

// The tool's keys

export interface ToolKeyRow {
  kid: string;
  publicJwk: Record<string, unknown>;
  privateJwkEnc: string;
}

/** Stores a key unless one exists already (instances starting at once keep the first). */
export async function insertFirstToolKey(db: Db, k: ToolKeyRow): Promise<void> {
  await sql`insert into lti_tool_key (kid, public_jwk, private_jwk_enc)
    select ${k.kid}, ${JSON.stringify(k.publicJwk)}::jsonb, ${k.privateJwkEnc} where not exists (select 1 from lti_tool_key)`.execute(db);
}

/** Every key, oldest (the signing one) first. */
export async function listToolKeys(db: Db): Promise<ToolKeyRow[]> {
  const rows = await ldb(db).selectFrom('lti_tool_key').selectAll().orderBy('created_at').orderBy('kid').execute();
  return rows.map((r) => ({ kid: r.kid, publicJwk: typeof r.public_jwk === 'string' ? JSON.parse(r.public_jwk) : r.public_jwk, privateJwkEnc: r.private_jwk_enc }));
}
