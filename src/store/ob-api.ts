import { isDeepStrictEqual } from 'node:util';
import type { ColumnType, Kysely, Selectable, Transaction } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './tables.js';

type DefaultNow = ColumnType<Date, Date | string | undefined, Date | string>;
/** A time set later, null until then. */
type LaterTime = ColumnType<Date | null, Date | null | undefined, Date | null>;
/** jsonb written as JSON text, read as parsed JSON. */
type Jsonb<T> = ColumnType<T, string, string>;

export interface ObClientTable {
  id: string;
  secret_hash: string;
  client_name: string;
  client_uri: string | null;
  logo_uri: string | null;
  tos_uri: string | null;
  policy_uri: string | null;
  redirect_uris: string[];
  scopes: string[];
  created_at: DefaultNow;
  disabled_at: LaterTime;
}
export interface ObGrantTable {
  id: string;
  client_id: string;
  user_id: string;
  learner_id: string;
  scopes: string[];
  created_at: DefaultNow;
  last_used_at: LaterTime;
}
export interface ObAuthorizationCodeTable {
  code_hash: string;
  client_id: string;
  user_id: string;
  learner_id: string;
  redirect_uri: string;
  scopes: string[];
  code_challenge: string;
  expires_at: Date;
  used_at: Date | null;
  grant_id: string | null;
}
export interface ObTokenTable {
  token_hash: string;
  grant_id: string;
  kind: 'access' | 'refresh';
  scopes: string[];
  expires_at: Date;
  used_at: Date | null;
  created_at: DefaultNow;
}
export interface ObExternalCredentialTable {
  learner_id: string;
  credential_id: string;
  payload: Jsonb<Record<string, unknown> | null> | null;
  compact_jws: string | null;
  client_id: string | null;
  created_at: DefaultNow;
  updated_at: DefaultNow;
}
export interface ObProfileTable {
  learner_id: string;
  profile_id: string;
  payload: Jsonb<Record<string, unknown>>;
  updated_at: DefaultNow;
}
export type ObApiTables = {
  ob_client: ObClientTable;
  ob_grant: ObGrantTable;
  ob_authorization_code: ObAuthorizationCodeTable;
  ob_token: ObTokenTable;
  ob_external_credential: ObExternalCredentialTable;
  ob_profile: ObProfileTable;
};
type ObDatabase = Database & ObApiTables;

/** The same connection or transaction, typed with the OB API tables. */
function odb(db: Kysely<Database> | Transaction<Database>): Kysely<ObDatabase> {
  return db.withTables<ObApiTables>() as unknown as Kysely<ObDatabase>;
}

// Clients

export interface ObClientRow {
  id: string;
  secretHash: string;
  clientName: string;
  clientUri: string | null;
  logoUri: string | null;
  tosUri: string | null;
  policyUri: string | null;
  redirectUris: string[];
  scopes: string[];
  createdAt: Date;
  /** Disabled by an administrator: no more codes or tokens. */
  disabledAt: Date | null;
}
const toClient = (r: Selectable<ObClientTable>): ObClientRow => ({
  id: r.id,
  secretHash: r.secret_hash,
  clientName: r.client_name,
  clientUri: r.client_uri,
  logoUri: r.logo_uri,
  tosUri: r.tos_uri,
  policyUri: r.policy_uri,
  redirectUris: r.redirect_uris,
  scopes: r.scopes,
  createdAt: new Date(r.created_at),
  disabledAt: r.disabled_at && new Date(r.disabled_at),
});

export async function insertClient(db: Db, c: Omit<ObClientRow, 'createdAt' | 'disabledAt'>): Promise<void> {
  await odb(db)
    .insertInto('ob_client')
    .values({
      id: c.id,
      secret_hash: c.secretHash,
      client_name: c.clientName,
      client_uri: c.clientUri,
      logo_uri: c.logoUri,
      tos_uri: c.tosUri,
      policy_uri: c.policyUri,
      redirect_uris: c.redirectUris,
      scopes: c.scopes,
    })
    .execute();
}

export async function findClient(db: Db, id: string): Promise<ObClientRow | undefined> {
  const r = await odb(db).selectFrom('ob_client').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toClient(r);
}

/** The registered clients (or the one named), newest first, with how many learners have a grant to each (never who). */
export async function listClients(db: Db, id?: string): Promise<Array<ObClientRow & { learners: number }>> {
  let q = odb(db)
    .selectFrom('ob_client as c')
    .selectAll('c')
    .select((eb) => eb.selectFrom('ob_grant as g').whereRef('g.client_id', '=', 'c.id').select((e) => e.fn.count<number>('g.learner_id').distinct().as('n')).as('learners'))
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id');
  if (id !== undefined) q = q.where('c.id', '=', id);
  const rows = await q.execute();
  return rows.map((r) => ({ ...toClient(r), learners: Number(r.learners ?? 0) }));
}

/**
 * Disables a client and ends everything it holds: its grants (and with them their tokens) and unused codes. False
 * when it was disabled already (or does not exist).
 */
export async function disableClient(db: Db, id: string): Promise<{ disabled: boolean; grants: number }> {
  const o = odb(db);
  const r = await o.updateTable('ob_client').set({ disabled_at: new Date() }).where('id', '=', id).where('disabled_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return { disabled: false, grants: 0 };
  await o.deleteFrom('ob_authorization_code').where('client_id', '=', id).where('used_at', 'is', null).execute();
  const g = await o.deleteFrom('ob_grant').where('client_id', '=', id).executeTakeFirst();
  return { disabled: true, grants: Number(g.numDeletedRows) };
}

// Authorization codes

export interface CodeRow {
  clientId: string;
  userId: string;
  learnerId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string;
  expiresAt: Date;
  usedAt: Date | null;
  grantId: string | null;
}
const toCode = (r: Selectable<ObAuthorizationCodeTable>): CodeRow => ({
  clientId: r.client_id,
  userId: r.user_id,
  learnerId: r.learner_id,
  redirectUri: r.redirect_uri,
  scopes: r.scopes,
  codeChallenge: r.code_challenge,
  expiresAt: new Date(r.expires_at),
  usedAt: r.used_at && new Date(r.used_at),
  grantId: r.grant_id,
});

export async function insertCode(db: Db, codeHash: string, c: Omit<CodeRow, 'usedAt' | 'grantId'>): Promise<void> {
  await odb(db)
    .insertInto('ob_authorization_code')
    .values({
      code_hash: codeHash,
      client_id: c.clientId,
      user_id: c.userId,
      learner_id: c.learnerId,
      redirect_uri: c.redirectUri,
      scopes: c.scopes,
      code_challenge: c.codeChallenge,
      expires_at: c.expiresAt,
    })
    .execute();
}

export async function findCode(db: Db, codeHash: string): Promise<CodeRow | undefined> {
  const r = await odb(db).selectFrom('ob_authorization_code').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
  return r && toCode(r);
}

/** Marks a code used; false when it was used already (two requests racing: one wins). */
export async function claimCode(db: Db, codeHash: string): Promise<boolean> {
  const r = await odb(db).updateTable('ob_authorization_code').set({ used_at: new Date() }).where('code_hash', '=', codeHash).where('used_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function setCodeGrant(db: Db, codeHash: string, grantId: string): Promise<void> {
  await odb(db).updateTable('ob_authorization_code').set({ grant_id: grantId }).where('code_hash', '=', codeHash).execute();
}

// Grants and tokens

export interface GrantRow {
  id: string;
  clientId: string;
  userId: string;
  learnerId: string;
  scopes: string[];
  createdAt: Date;
}
const toGrant = (r: Omit<Selectable<ObGrantTable>, 'last_used_at'>): GrantRow => ({
  id: r.id,
  clientId: r.client_id,
  userId: r.user_id,
  learnerId: r.learner_id,
  scopes: r.scopes,
  createdAt: new Date(r.created_at),
});

export async function insertGrant(db: Db, g: Omit<GrantRow, 'createdAt'>): Promise<void> {
  await odb(db).insertInto('ob_grant').values({ id: g.id, client_id: g.clientId, user_id: g.userId, learner_id: g.learnerId, scopes: g.scopes }).execute();
}

/** Deletes a grant and (cascade) its tokens; false when there was none. */
export async function deleteGrant(db: Db, id: string): Promise<boolean> {
  const r = await odb(db).deleteFrom('ob_grant').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * A learner's grants with the client each was given to (the learner's export, their connected apps): when the
 * client last used it, and whether it still holds a token that works (an unexpired access token, or an unexpired
 * refresh token not yet spent).
 */
export async function learnerGrants(db: Db, learnerId: string, now = new Date()) {
  const rows = await odb(db)
    .selectFrom('ob_grant as g')
    .innerJoin('ob_client as c', 'c.id', 'g.client_id')
    .select(['g.id', 'g.scopes', 'g.created_at', 'g.last_used_at', 'c.id as client_id', 'c.client_name', 'c.client_uri', 'c.logo_uri'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('ob_token as t')
            .select('t.grant_id')
            .whereRef('t.grant_id', '=', 'g.id')
            .where('t.expires_at', '>', now)
            .where((w) => w.or([w('t.kind', '=', 'access'), w('t.used_at', 'is', null)])),
        )
        .as('active'),
    )
    .where('g.learner_id', '=', learnerId)
    .orderBy('g.created_at')
    .orderBy('g.id')
    .execute();
  return rows.map((r) => ({
    grantId: r.id,
    clientId: r.client_id,
    clientName: r.client_name,
    clientUri: r.client_uri,
    logoUri: r.logo_uri,
    scopes: r.scopes,
    grantedAt: new Date(r.created_at).toISOString(),
    lastUsedAt: r.last_used_at && new Date(r.last_used_at).toISOString(),
    tokensActive: !!r.active,
  }));
}

/** Withdrawal: every grant (and token) and unused code a learner gave one client; the number of grants ended. */
export async function deleteLearnerClientGrants(db: Db, learnerId: string, clientId: string): Promise<{ grants: number; codes: number }> {
  const o = odb(db);
  const codes = await o.deleteFrom('ob_authorization_code').where('learner_id', '=', learnerId).where('client_id', '=', clientId).where('used_at', 'is', null).executeTakeFirst();
  const grants = await o.deleteFrom('ob_grant').where('learner_id', '=', learnerId).where('client_id', '=', clientId).executeTakeFirst();
  return { grants: Number(grants.numDeletedRows), codes: Number(codes.numDeletedRows) };
}

/** Records that the client used the grant; at most one write a minute per grant (every API call comes here). */
export async function touchGrant(db: Db, grantId: string, now = new Date()): Promise<void> {
  await odb(db)
    .updateTable('ob_grant')
    .set({ last_used_at: now })
    .where('id', '=', grantId)
    .where((w) => w.or([w('last_used_at', 'is', null), w('last_used_at', '<', new Date(now.getTime() - 60_000))]))
    .execute();
}

export async function insertToken(db: Db, t: { tokenHash: string; grantId: string; kind: 'access' | 'refresh'; scopes: string[]; expiresAt: Date }): Promise<void> {
  await odb(db).insertInto('ob_token').values({ token_hash: t.tokenHash, grant_id: t.grantId, kind: t.kind, scopes: t.scopes, expires_at: t.expiresAt }).execute();
}

export interface TokenRow {
  kind: 'access' | 'refresh';
  scopes: string[];
  usedAt: Date | null;
  grant: GrantRow;
}

/** An unexpired token with its grant; a disabled account's or disabled client's tokens do not count. */
export async function findToken(db: Db, tokenHash: string): Promise<TokenRow | undefined> {
  const r = await odb(db)
    .selectFrom('ob_token as t')
    .innerJoin('ob_grant as g', 'g.id', 't.grant_id')
    .innerJoin('app_user as u', 'u.id', 'g.user_id')
    .innerJoin('ob_client as c', 'c.id', 'g.client_id')
    .select(['t.kind', 't.scopes as token_scopes', 't.used_at', 'g.id', 'g.client_id', 'g.user_id', 'g.learner_id', 'g.scopes', 'g.created_at'])
    .where('t.token_hash', '=', tokenHash)
    .where('t.expires_at', '>', new Date())
    .where('u.disabled', '=', false)
    .where('c.disabled_at', 'is', null)
    .executeTakeFirst();
  return r && { kind: r.kind, scopes: r.token_scopes, usedAt: r.used_at && new Date(r.used_at), grant: toGrant(r) };
}

/** Marks a refresh token used (rotation); false when it was used already. */
export async function claimToken(db: Db, tokenHash: string): Promise<boolean> {
  const r = await odb(db).updateTable('ob_token').set({ used_at: new Date() }).where('token_hash', '=', tokenHash).where('used_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteToken(db: Db, tokenHash: string): Promise<void> {
  await odb(db).deleteFrom('ob_token').where('token_hash', '=', tokenHash).execute();
}

/**
 * Housekeeping: expired tokens, and codes a day after they expired (kept that long so that a replayed code is still
 * recognised and revokes its grant).
 */
export async function deleteExpired(db: Db, now = new Date()): Promise<void> {
  await odb(db).deleteFrom('ob_token').where('expires_at', '<=', now).execute();
  await odb(db).deleteFrom('ob_authorization_code').where('expires_at', '<=', new Date(now.getTime() - 86_400_000)).execute();
}

// External credentials and the learner's Profile

export interface ExternalCredentialRow {
  credentialId: string;
  payload: Record<string, unknown> | null;
  compactJws: string | null;
  clientId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Inserts or replaces a learner's external credential; true when it replaced one with the same id. */
export async function upsertExternalCredential(
  db: Db,
  learnerId: string,
  c: { credentialId: string; payload: Record<string, unknown> | null; compactJws: string | null; clientId: string | null },
): Promise<'created' | 'replaced' | 'unchanged'> {
  const o = odb(db);
  const existing = await o.selectFrom('ob_external_credential').select(['payload', 'compact_jws']).where('learner_id', '=', learnerId).where('credential_id', '=', c.credentialId).executeTakeFirst();
  // The same credential again changes nothing (not even updated_at, which getCredentials' `since` reads).
  if (existing && existing.compact_jws === c.compactJws && isDeepStrictEqual(existing.payload, c.payload)) return 'unchanged';
  const values = { payload: c.payload && JSON.stringify(c.payload), compact_jws: c.compactJws, client_id: c.clientId };
  await o
    .insertInto('ob_external_credential')
    .values({ learner_id: learnerId, credential_id: c.credentialId, ...values })
    .onConflict((oc) => oc.columns(['learner_id', 'credential_id']).doUpdateSet({ ...values, updated_at: new Date() }))
    .execute();
  return existing ? 'replaced' : 'created';
}

export async function listExternalCredentials(db: Db, learnerId: string, since?: Date): Promise<ExternalCredentialRow[]> {
  let q = odb(db).selectFrom('ob_external_credential').selectAll().where('learner_id', '=', learnerId).orderBy('updated_at').orderBy('credential_id');
  if (since) q = q.where('updated_at', '>', since);
  return (await q.execute()).map((r) => ({
    credentialId: r.credential_id,
    payload: r.payload,
    compactJws: r.compact_jws,
    clientId: r.client_id,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  }));
}

export async function getProfile(db: Db, learnerId: string): Promise<{ profileId: string; payload: Record<string, unknown> } | undefined> {
  const r = await odb(db).selectFrom('ob_profile').select(['profile_id', 'payload']).where('learner_id', '=', learnerId).executeTakeFirst();
  return r && { profileId: r.profile_id, payload: r.payload };
}

/** Creates the learner's Profile row with this id unless there is one; returns the stored one. */
export async function ensureProfile(db: Db, learnerId: string, profileId: string): Promise<{ profileId: string; payload: Record<string, unknown> }> {
  await odb(db).insertInto('ob_profile').values({ learner_id: learnerId, profile_id: profileId, payload: '{}' }).onConflict((oc) => oc.column('learner_id').doNothing()).execute();
  return (await getProfile(db, learnerId))!;
}

export async function putProfile(db: Db, learnerId: string, payload: Record<string, unknown>): Promise<void> {
  await odb(db).updateTable('ob_profile').set({ payload: JSON.stringify(payload), updated_at: new Date() }).where('learner_id', '=', learnerId).execute();
}

/** Erasure: the learner's grants (and their tokens), codes, external credentials and Profile. */
export async function eraseLearner(db: Db, learnerId: string): Promise<{ authorizations: number; externalCredentials: number }> {
  const o = odb(db);
  await o.deleteFrom('ob_authorization_code').where('learner_id', '=', learnerId).execute();
  const grants = await o.deleteFrom('ob_grant').where('learner_id', '=', learnerId).executeTakeFirst();
  const external = await o.deleteFrom('ob_external_credential').where('learner_id', '=', learnerId).executeTakeFirst();
  await o.deleteFrom('ob_profile').where('learner_id', '=', learnerId).execute();
  return { authorizations: Number(grants.numDeletedRows), externalCredentials: Number(external.numDeletedRows) };
}
