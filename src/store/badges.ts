import { sql, type ColumnType, type Kysely, type Transaction } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './tables.js';
import type { LrsTables } from './lrs-tables.js';
import type { ProgressTables } from './progress-tables.js';

type DefaultNow = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb written as JSON text, read as parsed JSON. */
type Jsonb<T> = ColumnType<T, string, string>;

export interface BadgeIssuerTable {
  id: string;
  organization_id: string | null;
  name: string;
  url: string | null;
  did_method: 'web' | 'key';
  did: string;
  created_at: DefaultNow;
}
export interface BadgeIssuerKeyTable {
  verification_method: string;
  issuer_id: string;
  public_key_multibase: string;
  secret_key_enc: string;
  active: boolean;
  created_at: DefaultNow;
  retired_at: Date | null;
}
export interface BadgeAchievementTable {
  id: string;
  framework_identifier: string;
  item_ids: string[];
  name: string;
  description: string;
  image: string | null;
  criteria_narrative: string;
  rule: Jsonb<Record<string, unknown>>;
  human_code: string | null;
  alignment: Jsonb<Record<string, unknown>[]>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: DefaultNow;
  unit: ColumnType<AchievementUnit | null, string | null, string | null>;
  valid_for_days: number | null;
}
/** The textbook unit a group achievement was made from: the framework's own units or a publisher's scheme. */
export interface AchievementUnit {
  document: string;
  id: string;
}
export interface BadgeAchievementItemTable {
  item_id: string;
  achievement_id: string;
}
export type CandidateStatus = 'pending' | 'dismissed' | 'issued';
export interface BadgeCandidateTable {
  achievement_id: string;
  learner_id: string;
  status: CandidateStatus;
  met_at: Date | string;
  summary: Jsonb<Record<string, unknown>>;
  reason: string | null;
  decided_by: string | null;
  decided_at: Date | string | null;
  credential_id: string | null;
}
export interface BadgeStatusListTable {
  id: string;
  issuer_id: string;
  purpose: string;
  length: number;
  next_index: ColumnType<number, number | undefined, number>;
}
export interface BadgeCredentialTable {
  id: string;
  achievement_id: string;
  learner_id: string | null;
  issuer_id: string;
  payload: Jsonb<Record<string, unknown>>;
  status_list_id: string;
  status_index: number;
  issued_at: DefaultNow;
  issued_by: string;
  revoked_at: Date | string | null;
  revoked_reason: string | null;
  revoked_by: string | null;
  valid_until: Date | string | null;
}
export interface BadgeCriteriaTable {
  framework_identifier: string;
  min_days: number;
  updated_by: string;
  updated_at: DefaultNow;
}
export type BadgeTables = {
  badge_criteria: BadgeCriteriaTable;
  badge_issuer: BadgeIssuerTable;
  badge_issuer_key: BadgeIssuerKeyTable;
  badge_achievement: BadgeAchievementTable;
  badge_achievement_item: BadgeAchievementItemTable;
  badge_candidate: BadgeCandidateTable;
  badge_status_list: BadgeStatusListTable;
  badge_credential: BadgeCredentialTable;
};
type BadgeDatabase = Database & LrsTables & ProgressTables & BadgeTables;

/** The same connection or transaction, typed with the badge tables. */
function bdb(db: Kysely<Database>): Kysely<BadgeDatabase>;
function bdb(db: Transaction<Database>): Transaction<BadgeDatabase>;
function bdb(db: Kysely<Database>): Kysely<BadgeDatabase> {
  return db.withTables<LrsTables & ProgressTables & BadgeTables>() as unknown as Kysely<BadgeDatabase>;
}
const json = (v: unknown) => JSON.stringify(v);
const byKey = (a: { achievementId: string; learnerId: string }, b: { achievementId: string; learnerId: string }) =>
  a.achievementId !== b.achievementId ? (a.achievementId < b.achievementId ? -1 : 1) : a.learnerId < b.learnerId ? -1 : a.learnerId > b.learnerId ? 1 : 0;

// Issuers and keys

export interface IssuerRow {
  id: string;
  organizationId: string | null;
  name: string;
  url: string | null;
  didMethod: 'web' | 'key';
  did: string;
}
const toIssuer = (r: any): IssuerRow => ({ id: r.id, organizationId: r.organization_id, name: r.name, url: r.url, didMethod: r.did_method, did: r.did });

export async function getIssuer(db: Db, by: { id?: string; organizationId?: string | null; did?: string }): Promise<IssuerRow | undefined> {
  let q = bdb(db).selectFrom('badge_issuer').selectAll();
  if (by.id !== undefined) q = q.where('id', '=', by.id);
  if (by.did !== undefined) q = q.where('did', '=', by.did);
  if (by.organizationId !== undefined) q = by.organizationId === null ? q.where('organization_id', 'is', null) : q.where('organization_id', '=', by.organizationId);
  const r = await q.executeTakeFirst();
  return r && toIssuer(r);
}

export async function listIssuers(db: Db): Promise<IssuerRow[]> {
  return (await bdb(db).selectFrom('badge_issuer').selectAll().orderBy('id').execute()).map(toIssuer);
}

export async function insertIssuer(db: Db, i: IssuerRow): Promise<void> {
  await bdb(db)
    .insertInto('badge_issuer')
    .values({ id: i.id, organization_id: i.organizationId, name: i.name, url: i.url, did_method: i.didMethod, did: i.did })
    .execute();
}

export async function updateIssuer(db: Db, id: string, patch: { did: string; didMethod: 'web' | 'key' }): Promise<void> {
  await bdb(db).updateTable('badge_issuer').set({ did: patch.did, did_method: patch.didMethod }).where('id', '=', id).execute();
}

export interface IssuerKeyRow {
  verificationMethod: string;
  issuerId: string;
  publicKeyMultibase: string;
  secretKeyEnc: string;
  active: boolean;
  createdAt: Date;
  retiredAt: Date | null;
}
export async function issuerKeys(db: Db, issuerId: string): Promise<IssuerKeyRow[]> {
  const rows = await bdb(db).selectFrom('badge_issuer_key').selectAll().where('issuer_id', '=', issuerId).orderBy('created_at').execute();
  return rows.map((r) => ({
    verificationMethod: r.verification_method,
    issuerId: r.issuer_id,
    publicKeyMultibase: r.public_key_multibase,
    secretKeyEnc: r.secret_key_enc,
    active: r.active,
    createdAt: r.created_at,
    retiredAt: r.retired_at,
  }));
}

/** Adds the new active key and retires the others (they stay listed for old credentials). */
export async function addActiveKey(db: Db, k: { verificationMethod: string; issuerId: string; publicKeyMultibase: string; secretKeyEnc: string }): Promise<void> {
  await bdb(db).updateTable('badge_issuer_key').set({ active: false, retired_at: new Date() }).where('issuer_id', '=', k.issuerId).where('active', '=', true).execute();
  await bdb(db)
    .insertInto('badge_issuer_key')
    .values({ verification_method: k.verificationMethod, issuer_id: k.issuerId, public_key_multibase: k.publicKeyMultibase, secret_key_enc: k.secretKeyEnc, active: true })
    .execute();
}

/** The school a learner belongs to (roster), and its name. */
export async function learnerSchool(db: Db, learnerId: string): Promise<{ id: string; name: string } | undefined> {
  return bdb(db)
    .selectFrom('roster_person')
    .innerJoin('organization', 'organization.id', 'roster_person.school_id')
    .select(['organization.id as id', 'organization.name as name'])
    .where('roster_person.learner_id', '=', learnerId)
    .executeTakeFirst();
}

export async function organizationName(db: Db, id: string): Promise<string | undefined> {
  return (await bdb(db).selectFrom('organization').select('name').where('id', '=', id).executeTakeFirst())?.name;
}

// Achievements

export interface AchievementRow {
  id: string;
  framework: string;
  itemIds: string[];
  name: string;
  description: string;
  image: string | null;
  criteriaNarrative: string;
  rule: Record<string, unknown>;
  humanCode: string | null;
  alignment: Record<string, unknown>[];
  enabled: boolean;
  unit: AchievementUnit | null;
  /** Credentials issued for it are valid this many days; null: no expiry. */
  validForDays: number | null;
}
const toAchievement = (r: { [K in keyof BadgeAchievementTable]: any }): AchievementRow => ({
  id: r.id,
  framework: r.framework_identifier,
  itemIds: r.item_ids,
  name: r.name,
  description: r.description,
  image: r.image,
  criteriaNarrative: r.criteria_narrative,
  rule: r.rule,
  humanCode: r.human_code,
  alignment: r.alignment,
  enabled: r.enabled,
  unit: r.unit,
  validForDays: r.valid_for_days,
});

/** Inserts or replaces achievements and their item links. `keepExisting`: leave already present ones untouched. */
export async function saveAchievements(db: Db, list: AchievementRow[], keepExisting = false): Promise<number> {
  if (!list.length) return 0;
  let saved = 0;
  for (let i = 0; i < list.length; i += 500) {
    const chunk = list.slice(i, i + 500);
    const values = chunk.map((a) => ({
      id: a.id,
      framework_identifier: a.framework,
      item_ids: a.itemIds,
      name: a.name,
      description: a.description,
      image: a.image,
      criteria_narrative: a.criteriaNarrative,
      rule: json(a.rule),
      human_code: a.humanCode,
      alignment: json(a.alignment),
      enabled: a.enabled,
      unit: a.unit ? json(a.unit) : null,
      valid_for_days: a.validForDays,
    }));
    const q = bdb(db).insertInto('badge_achievement').values(values);
    const rows = await (keepExisting
      ? q.onConflict((oc) => oc.column('id').doNothing())
      : q.onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            item_ids: eb.ref('excluded.item_ids'),
            name: eb.ref('excluded.name'),
            description: eb.ref('excluded.description'),
            image: eb.ref('excluded.image'),
            criteria_narrative: eb.ref('excluded.criteria_narrative'),
            rule: eb.ref('excluded.rule'),
            human_code: eb.ref('excluded.human_code'),
            alignment: eb.ref('excluded.alignment'),
            enabled: eb.ref('excluded.enabled'),
            unit: eb.ref('excluded.unit'),
            valid_for_days: eb.ref('excluded.valid_for_days'),
            updated_at: new Date(),
          })),
        )
    )
      .returning('id')
      .execute();
    const ids = rows.map((r) => r.id);
    saved += ids.length;
    if (!ids.length) continue;
    await bdb(db).deleteFrom('badge_achievement_item').where('achievement_id', 'in', ids).execute();
    const links = chunk.filter((a) => ids.includes(a.id)).flatMap((a) => a.itemIds.map((item_id) => ({ item_id, achievement_id: a.id })));
    if (links.length) await bdb(db).insertInto('badge_achievement_item').values(links).onConflict((oc) => oc.doNothing()).execute();
  }
  return saved;
}

export async function getAchievement(db: Db, id: string): Promise<AchievementRow | undefined> {
  const r = await bdb(db).selectFrom('badge_achievement').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toAchievement(r);
}

export async function listAchievements(db: Db, o: { framework?: string; ids?: string[] }): Promise<AchievementRow[]> {
  let q = bdb(db).selectFrom('badge_achievement').selectAll().orderBy('human_code').orderBy('id');
  if (o.framework) q = q.where('framework_identifier', '=', o.framework);
  if (o.ids) {
    if (!o.ids.length) return [];
    q = q.where('id', 'in', o.ids);
  }
  return (await q.execute()).map(toAchievement);
}

/** Deletes an achievement (its candidates and item links go with it) unless a credential was issued for it. */
export async function deleteAchievement(db: Db, id: string): Promise<'deleted' | 'issued' | 'missing'> {
  const issued = await bdb(db).selectFrom('badge_credential').select('id').where('achievement_id', '=', id).limit(1).executeTakeFirst();
  if (issued) return 'issued';
  const r = await bdb(db).deleteFrom('badge_achievement').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1 ? 'deleted' : 'missing';
}

/** Learners with mastery rows on every one of these items (whose evidence can meet a group's rule). */
export async function learnersWithMasteryOnAll(db: Db, itemIds: string[]): Promise<string[]> {
  if (!itemIds.length) return [];
  const rows = await bdb(db)
    .selectFrom('mastery_day')
    .select('learner_id')
    .where('item_id', 'in', itemIds)
    .groupBy('learner_id')
    .having(sql<number>`count(distinct item_id)`, '=', new Set(itemIds).size)
    .orderBy('learner_id')
    .execute();
  return rows.map((r) => r.learner_id);
}

/** Enabled achievements that involve any of these items. */
export async function achievementsOfItems(db: Db, itemIds: string[]): Promise<AchievementRow[]> {
  if (!itemIds.length) return [];
  const rows = await bdb(db)
    .selectFrom('badge_achievement')
    .selectAll()
    .where('enabled', '=', true)
    .where('id', 'in', (eb) => eb.selectFrom('badge_achievement_item').select('achievement_id').where('item_id', 'in', itemIds))
    .execute();
  return rows.map(toAchievement);
}

// Criteria a framework's teachers set for its candidates

/** The framework's minimum number of days with evidence, or undefined when its teachers set none. */
export async function getMinDays(db: Db, framework: string): Promise<number | undefined> {
  const r = await bdb(db).selectFrom('badge_criteria').select('min_days').where('framework_identifier', '=', framework).executeTakeFirst();
  return r?.min_days;
}

export async function setMinDays(db: Db, framework: string, minDays: number, by: string): Promise<void> {
  await bdb(db)
    .insertInto('badge_criteria')
    .values({ framework_identifier: framework, min_days: minDays, updated_by: by })
    .onConflict((oc) => oc.column('framework_identifier').doUpdateSet({ min_days: minDays, updated_by: by, updated_at: new Date() }))
    .execute();
}

// Candidates

export interface CandidateRow {
  achievementId: string;
  learnerId: string;
  status: CandidateStatus;
  metAt: Date;
  summary: Record<string, unknown>;
  reason: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  credentialId: string | null;
}
const toCandidate = (r: any): CandidateRow => ({
  achievementId: r.achievement_id,
  learnerId: r.learner_id,
  status: r.status,
  metAt: new Date(r.met_at),
  summary: r.summary,
  reason: r.reason,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at ? new Date(r.decided_at) : null,
  credentialId: r.credential_id,
});

export async function getCandidates(db: Db, o: { learnerIds?: string[]; status?: CandidateStatus; keys?: Array<{ achievementId: string; learnerId: string }> }): Promise<CandidateRow[]> {
  let q = bdb(db).selectFrom('badge_candidate').selectAll().orderBy('met_at').orderBy('learner_id');
  if (o.learnerIds) {
    if (!o.learnerIds.length) return [];
    q = q.where('learner_id', 'in', o.learnerIds);
  }
  if (o.status) q = q.where('status', '=', o.status);
  if (o.keys) {
    if (!o.keys.length) return [];
    const keys = o.keys;
    q = q.where((eb) => eb.or(keys.map((k) => eb.and([eb('achievement_id', '=', k.achievementId), eb('learner_id', '=', k.learnerId)]))));
  }
  return (await q.execute()).map(toCandidate);
}

/**
 * The candidates of these (achievement, learner) keys, in one query; `expired` marks an issued one whose credential
 * expired unrevoked by `now` (it may be proposed again).
 */
export async function candidatesOfKeys(db: Db, keys: Array<{ achievementId: string; learnerId: string }>, now: Date): Promise<Array<CandidateRow & { expired: boolean }>> {
  if (!keys.length) return [];
  const { rows } = await sql<Record<string, unknown>>`
    select c.*, (c.status = 'issued' and k.revoked_at is null and k.valid_until < ${now.toISOString()}::timestamptz) is true as expired
    from badge_candidate c left join badge_credential k on k.id = c.credential_id
    where (c.achievement_id, c.learner_id) in (select * from unnest(${keys.map((k) => k.achievementId)}::text[], ${keys.map((k) => k.learnerId)}::text[]))`.execute(db);
  return rows.map((r) => ({ ...toCandidate(r), expired: r['expired'] === true }));
}

/**
 * The rule holds: new pending candidates, or fresher counts on pending ones; decided ones stay as they are. One
 * statement for any number, in key order (concurrent writers then lock rows in the same order).
 */
export async function markMet(db: Db, rows: Array<{ achievementId: string; learnerId: string; summary: Record<string, unknown> }>): Promise<void> {
  if (!rows.length) return;
  const sorted = [...rows].sort(byKey);
  const col = <T>(f: (r: (typeof rows)[number]) => T) => sorted.map(f);
  await sql`
    insert into badge_candidate as c (achievement_id, learner_id, status, met_at, summary)
    select a, l, 'pending', now(), s from unnest(${col((r) => r.achievementId)}::text[], ${col((r) => r.learnerId)}::text[], ${col((r) => json(r.summary))}::jsonb[]) as t(a, l, s)
    on conflict (achievement_id, learner_id) do update set summary = excluded.summary where c.status = 'pending'`.execute(db);
}

/**
 * Issued candidates whose credential has expired (and was not revoked) by `now`: they may be proposed again. Of these
 * learners (all learners when undefined) and, if given, these achievements.
 */
export async function expiredIssued(db: Db, now: Date, o: { learnerIds?: string[]; achievementIds?: string[] }): Promise<CandidateRow[]> {
  let q = bdb(db)
    .selectFrom('badge_candidate')
    .innerJoin('badge_credential', 'badge_credential.id', 'badge_candidate.credential_id')
    .selectAll('badge_candidate')
    .where('badge_candidate.status', '=', 'issued')
    .where('badge_credential.revoked_at', 'is', null)
    .where('badge_credential.valid_until', '<', now);
  if (o.learnerIds) {
    if (!o.learnerIds.length) return [];
    q = q.where('badge_candidate.learner_id', 'in', o.learnerIds);
  }
  if (o.achievementIds) {
    if (!o.achievementIds.length) return [];
    q = q.where('badge_candidate.achievement_id', 'in', o.achievementIds);
  }
  return (await q.execute()).map(toCandidate);
}

/** The learner meets the rule again after the credential expired: the issued candidate is pending again (a renewal). */
export async function renewCandidate(db: Db, key: { achievementId: string; learnerId: string }, expiredCredentialId: string, summary: Record<string, unknown>): Promise<void> {
  await bdb(db)
    .updateTable('badge_candidate')
    .set({ status: 'pending', met_at: new Date(), summary: json(summary), reason: null, decided_by: null, decided_at: null, credential_id: null })
    .where('achievement_id', '=', key.achievementId)
    .where('learner_id', '=', key.learnerId)
    .where('status', '=', 'issued')
    .where('credential_id', '=', expiredCredentialId)
    .execute();
}

/** The rule no longer holds (voided answers, newer wrong ones): these pending candidates go away. One statement. */
export async function withdrawPending(db: Db, keys: Array<{ achievementId: string; learnerId: string }>): Promise<void> {
  if (!keys.length) return;
  const sorted = [...keys].sort(byKey);
  await sql`
    delete from badge_candidate where status = 'pending'
      and (achievement_id, learner_id) in (select * from unnest(${sorted.map((k) => k.achievementId)}::text[], ${sorted.map((k) => k.learnerId)}::text[]))`.execute(db);
}

/** Pending candidates of these achievements (re-evaluated when the framework's criteria change). */
export async function pendingOfAchievements(db: Db, achievementIds: string[]): Promise<CandidateRow[]> {
  if (!achievementIds.length) return [];
  return (await bdb(db).selectFrom('badge_candidate').selectAll().where('status', '=', 'pending').where('achievement_id', 'in', achievementIds).execute()).map(toCandidate);
}

/** An approval undone: the issued candidate is pending again (its credential, revoked by the caller, stays as it is). */
export async function reopenIssued(db: Db, key: { achievementId: string; learnerId: string }, credentialId: string): Promise<boolean> {
  const r = await bdb(db)
    .updateTable('badge_candidate')
    .set({ status: 'pending', reason: null, decided_by: null, decided_at: null, credential_id: null })
    .where('achievement_id', '=', key.achievementId)
    .where('learner_id', '=', key.learnerId)
    .where('status', '=', 'issued')
    .where('credential_id', '=', credentialId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function decideCandidate(
  db: Db,
  key: { achievementId: string; learnerId: string },
  d: { status: 'dismissed' | 'issued'; by: string; reason?: string | null; credentialId?: string | null },
): Promise<boolean> {
  const r = await bdb(db)
    .updateTable('badge_candidate')
    .set({ status: d.status, decided_by: d.by, decided_at: new Date(), reason: d.reason ?? null, credential_id: d.credentialId ?? null })
    .where('achievement_id', '=', key.achievementId)
    .where('learner_id', '=', key.learnerId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// Status lists and credentials

export const STATUS_LIST_LENGTH = 131072;

/** The next free index of the issuer's current list for this purpose (a new list when full). Call in a transaction. */
export async function allocateStatusEntry(db: Db, issuerId: string, purpose: string, newListId: () => string): Promise<{ listId: string; index: number }> {
  const open = await bdb(db)
    .updateTable('badge_status_list')
    .set((eb) => ({ next_index: eb('next_index', '+', 1) }))
    .where('id', '=', (eb) =>
      eb.selectFrom('badge_status_list').select('id').where('issuer_id', '=', issuerId).where('purpose', '=', purpose).where(sql<boolean>`next_index < length`).orderBy('id').limit(1),
    )
    .returning(['id', 'next_index'])
    .executeTakeFirst();
  if (open) return { listId: open.id, index: open.next_index - 1 };
  const id = newListId();
  await bdb(db).insertInto('badge_status_list').values({ id, issuer_id: issuerId, purpose, length: STATUS_LIST_LENGTH, next_index: 1 }).execute();
  return { listId: id, index: 0 };
}

export async function getStatusList(db: Db, id: string) {
  const list = await bdb(db).selectFrom('badge_status_list').selectAll().where('id', '=', id).executeTakeFirst();
  if (!list) return undefined;
  const revoked = await bdb(db).selectFrom('badge_credential').select('status_index').where('status_list_id', '=', id).where('revoked_at', 'is not', null).execute();
  return { id: list.id, issuerId: list.issuer_id, purpose: list.purpose, length: list.length, revoked: revoked.map((r) => r.status_index) };
}

export interface CredentialRow {
  id: string;
  achievementId: string;
  learnerId: string | null;
  issuerId: string;
  payload: Record<string, unknown>;
  statusListId: string;
  statusIndex: number;
  issuedAt: Date;
  issuedBy: string;
  revokedAt: Date | null;
  revokedReason: string | null;
  validUntil: Date | null;
}
const toCredential = (r: any): CredentialRow => ({
  id: r.id,
  achievementId: r.achievement_id,
  learnerId: r.learner_id,
  issuerId: r.issuer_id,
  payload: r.payload,
  statusListId: r.status_list_id,
  statusIndex: r.status_index,
  issuedAt: new Date(r.issued_at),
  issuedBy: r.issued_by,
  revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
  revokedReason: r.revoked_reason,
  validUntil: r.valid_until ? new Date(r.valid_until) : null,
});

export async function insertCredential(db: Db, c: Omit<CredentialRow, 'issuedAt' | 'revokedAt' | 'revokedReason'>): Promise<void> {
  await bdb(db)
    .insertInto('badge_credential')
    .values({
      id: c.id,
      achievement_id: c.achievementId,
      learner_id: c.learnerId,
      issuer_id: c.issuerId,
      payload: json(c.payload),
      status_list_id: c.statusListId,
      status_index: c.statusIndex,
      issued_by: c.issuedBy,
      valid_until: c.validUntil,
    })
    .execute();
}

export async function getCredential(db: Db, id: string): Promise<CredentialRow | undefined> {
  const r = await bdb(db).selectFrom('badge_credential').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toCredential(r);
}

export async function listCredentials(db: Db, o: { learnerId?: string; issuerId?: string; since?: Date; ids?: string[] }): Promise<CredentialRow[]> {
  let q = bdb(db).selectFrom('badge_credential').selectAll().orderBy('issued_at').orderBy('id');
  if (o.ids) {
    if (!o.ids.length) return [];
    q = q.where('id', 'in', o.ids);
  }
  if (o.learnerId) q = q.where('learner_id', '=', o.learnerId);
  if (o.issuerId) q = q.where('issuer_id', '=', o.issuerId);
  if (o.since) q = q.where('issued_at', '>=', o.since);
  return (await q.execute()).map(toCredential);
}

export async function revokeCredential(db: Db, id: string, by: string, reason: string): Promise<boolean> {
  const r = await bdb(db)
    .updateTable('badge_credential')
    .set({ revoked_at: new Date(), revoked_by: by, revoked_reason: reason })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** An issuer's revoked credentials and why (its OB 2.0 RevocationList). */
export async function revokedCredentials(db: Db, issuerId: string): Promise<Array<{ id: string; reason: string | null }>> {
  const rows = await bdb(db).selectFrom('badge_credential').select(['id', 'revoked_reason']).where('issuer_id', '=', issuerId).where('revoked_at', 'is not', null).orderBy('revoked_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, reason: r.revoked_reason }));
}

/** CASE URIs of items (payload.uri, verbatim: authored items carry the local prefix). */
export async function itemUris(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('cf_item').select(['identifier', sql<string>`payload->>'uri'`.as('uri')]).where('identifier', 'in', ids).execute();
  return new Map(rows.map((r) => [r.identifier, r.uri]));
}

/** Erasure: the learner's credentials are revoked and unlinked, their candidates deleted. */
export async function eraseLearnerBadges(db: Db, learnerId: string, by: string): Promise<{ credentialsRevoked: number; candidates: number }> {
  const revoked = await bdb(db)
    .updateTable('badge_credential')
    .set({ revoked_at: new Date(), revoked_by: by, revoked_reason: 'The learner’s records were erased' })
    .where('learner_id', '=', learnerId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  await bdb(db).updateTable('badge_credential').set({ learner_id: null }).where('learner_id', '=', learnerId).execute();
  const candidates = await bdb(db).deleteFrom('badge_candidate').where('learner_id', '=', learnerId).executeTakeFirst();
  return { credentialsRevoked: Number(revoked.numUpdatedRows), candidates: Number(candidates.numDeletedRows) };
}
