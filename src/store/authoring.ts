import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './tables.js';
import type { PackageRows } from './case.js';

type Payload = Record<string, unknown>;
type JsonOrNull = ColumnType<Payload | null, string | null, string | null>;

export interface CfChangeTable {
  id: Generated<number>;
  document_identifier: string;
  at: ColumnType<Date, Date | string, never>;
  actor: string;
  action: string;
  entity_type: string;
  entity_identifier: string;
  before: JsonOrNull;
  after: JsonOrNull;
}

export interface CfVersionTable {
  document_identifier: string;
  version: number;
  adoption_status: string;
  published_at: ColumnType<Date, Date | string, never>;
  published_by: string;
  last_change_id: number | null;
  package: ColumnType<Payload, string, never>;
}

/** The tables of migration 0018. */
export type AuthoringTables = { cf_change: CfChangeTable; cf_version: CfVersionTable };

const adb = (db: Db | Transaction<Database>): Kysely<Database & AuthoringTables> => db.withTables<AuthoringTables>() as unknown as Kysely<Database & AuthoringTables>;

/** One change of one entity of a framework: what the history keeps. */
export interface ChangeRow {
  id: number;
  documentIdentifier: string;
  at: Date;
  actor: string;
  action: string;
  entityType: string;
  entityIdentifier: string;
  before: Payload | null;
  after: Payload | null;
}

export type NewChange = Omit<ChangeRow, 'id'>;

export async function addChanges(trx: Transaction<Database>, changes: NewChange[]): Promise<void> {
  if (!changes.length) return;
  await adb(trx).insertInto('cf_change').values(changes.map((c) => ({
    document_identifier: c.documentIdentifier, at: c.at, actor: c.actor, action: c.action, entity_type: c.entityType, entity_identifier: c.entityIdentifier,
    before: c.before === null ? null : JSON.stringify(c.before), after: c.after === null ? null : JSON.stringify(c.after),
  }))).execute();
}

export interface ChangeFilter {
  entity?: string | undefined;
  since?: Date | undefined;
  limit: number;
  offset: number;
}

/** A framework's changes, newest first. */
export async function listChanges(db: Db, documentIdentifier: string, f: ChangeFilter): Promise<{ total: number; changes: ChangeRow[] }> {
  let q = adb(db).selectFrom('cf_change').where('document_identifier', '=', documentIdentifier);
  if (f.entity) q = q.where('entity_identifier', '=', f.entity);
  if (f.since) q = q.where('at', '>=', f.since);
  const [{ n }, rows] = await Promise.all([
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    q.selectAll().orderBy('id', 'desc').limit(f.limit).offset(f.offset).execute(),
  ]);
  return {
    total: Number(n),
    changes: rows.map((r) => ({
      id: Number(r.id), documentIdentifier: r.document_identifier, at: new Date(r.at), actor: r.actor, action: r.action,
      entityType: r.entity_type, entityIdentifier: r.entity_identifier, before: r.before, after: r.after,
    })),
  };
}

export async function lastChangeId(trx: Db | Transaction<Database>, documentIdentifier: string): Promise<number | null> {
  const r = await adb(trx).selectFrom('cf_change').select((eb) => eb.fn.max('id').as('max')).where('document_identifier', '=', documentIdentifier).executeTakeFirst();
  return r?.max == null ? null : Number(r.max);
}

export interface VersionRow {
  documentIdentifier: string;
  version: number;
  adoptionStatus: string;
  publishedAt: Date;
  publishedBy: string;
  lastChangeId: number | null;
}

/** Freezes the package as the framework's next version; returns its number. */
export async function addVersion(trx: Transaction<Database>, v: Omit<VersionRow, 'version'>, rows: PackageRows): Promise<number> {
  const r = await adb(trx).selectFrom('cf_version').select((eb) => eb.fn.max('version').as('max')).where('document_identifier', '=', v.documentIdentifier).executeTakeFirst();
  const version = Number(r?.max ?? 0) + 1;
  await adb(trx).insertInto('cf_version').values({
    document_identifier: v.documentIdentifier, version, adoption_status: v.adoptionStatus, published_at: v.publishedAt, published_by: v.publishedBy,
    last_change_id: v.lastChangeId, package: JSON.stringify(rows),
  }).execute();
  return version;
}

const toVersion = (r: { document_identifier: string; version: number; adoption_status: string; published_at: Date; published_by: string; last_change_id: number | null }): VersionRow => ({
  documentIdentifier: r.document_identifier, version: r.version, adoptionStatus: r.adoption_status, publishedAt: new Date(r.published_at),
  publishedBy: r.published_by, lastChangeId: r.last_change_id === null ? null : Number(r.last_change_id),
});

export async function listVersions(db: Db, documentIdentifier: string): Promise<VersionRow[]> {
  const rows = await adb(db).selectFrom('cf_version').select(['document_identifier', 'version', 'adoption_status', 'published_at', 'published_by', 'last_change_id'])
    .where('document_identifier', '=', documentIdentifier).orderBy('version').execute();
  return rows.map(toVersion);
}

/** A published version with its package as frozen (dates revived). */
export async function getVersion(db: Db, documentIdentifier: string, version: number): Promise<(VersionRow & { rows: PackageRows }) | undefined> {
  const r = await adb(db).selectFrom('cf_version').selectAll().where('document_identifier', '=', documentIdentifier).where('version', '=', version).executeTakeFirst();
  if (!r) return undefined;
  const p = r.package as unknown as PackageRows;
  const revive = <T extends { lastChange: Date }>(x: T): T => ({ ...x, lastChange: new Date(x.lastChange) });
  const rows: PackageRows = {
    document: revive(p.document), items: p.items.map(revive), associations: p.associations.map(revive), definitions: p.definitions.map(revive), rubrics: p.rubrics.map(revive),
  };
  return { ...toVersion(r), rows };
}
