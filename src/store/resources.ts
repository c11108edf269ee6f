import type { ColumnType, Kysely } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './tables.js';

type DefaultNow = ColumnType<Date, Date | string | undefined, Date | string>;

export interface LearningResourceTable {
  id: string;
  title: string;
  url: string;
  type: string;
  language: string;
  provider: string | null;
  created_by: string;
  created_at: DefaultNow;
  updated_at: DefaultNow;
}

export interface LearningResourceAlignmentTable {
  resource_id: string;
  item_identifier: string;
}

/** The tables of migration 0017. */
export type ResourceTables = {
  learning_resource: LearningResourceTable;
  learning_resource_alignment: LearningResourceAlignmentTable;
};

const rdb = (db: Db): Kysely<Database & ResourceTables> => db.withTables<ResourceTables>();

export interface ResourceRow extends Pick<LearningResourceTable, 'id' | 'title' | 'url' | 'type' | 'language' | 'provider'> {
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** CFItem identifiers the resource is aligned to. */
  items: string[];
}

export type ResourceInput = Pick<ResourceRow, 'title' | 'url' | 'type' | 'language' | 'provider' | 'items'>;

async function withItems(db: Db, rows: Array<Omit<LearningResourceTable, 'created_at' | 'updated_at'> & { created_at: Date; updated_at: Date }>): Promise<ResourceRow[]> {
  if (!rows.length) return [];
  const links = await rdb(db).selectFrom('learning_resource_alignment').selectAll().where('resource_id', 'in', rows.map((r) => r.id)).orderBy('item_identifier').execute();
  const items = new Map<string, string[]>();
  for (const l of links) (items.get(l.resource_id) ?? items.set(l.resource_id, []).get(l.resource_id)!).push(l.item_identifier);
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    url: r.url,
    type: r.type,
    language: r.language,
    provider: r.provider,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    items: items.get(r.id) ?? [],
  }));
}

/** Writes a resource (new or replacing the one with its id) and its alignments. Call inside a transaction. */
export async function putResource(db: Db, id: string, r: ResourceInput, actor: string): Promise<void> {
  const values = { title: r.title, url: r.url, type: r.type, language: r.language, provider: r.provider };
  await rdb(db)
    .insertInto('learning_resource')
    .values({ id, ...values, created_by: actor })
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...values, updated_at: new Date() }))
    .execute();
  await rdb(db).deleteFrom('learning_resource_alignment').where('resource_id', '=', id).execute();
  await rdb(db).insertInto('learning_resource_alignment').values(r.items.map((item) => ({ resource_id: id, item_identifier: item }))).execute();
}

export async function getResource(db: Db, id: string): Promise<ResourceRow | undefined> {
  return (await withItems(db, await rdb(db).selectFrom('learning_resource').selectAll().where('id', '=', id).execute()))[0];
}

export async function deleteResource(db: Db, id: string): Promise<boolean> {
  const r = await rdb(db).deleteFrom('learning_resource').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Resources aligned to any of `items` (all when undefined), by title; with the count of all that match. */
export async function listResources(db: Db, f: { items?: string[] | undefined; limit: number; offset: number }): Promise<{ total: number; resources: ResourceRow[] }> {
  if (f.items && !f.items.length) return { total: 0, resources: [] };
  let q = rdb(db).selectFrom('learning_resource as r');
  if (f.items) {
    const items = f.items;
    q = q.where((eb) => eb.exists(eb.selectFrom('learning_resource_alignment as a').select('a.resource_id').whereRef('a.resource_id', '=', 'r.id').where('a.item_identifier', 'in', items)));
  }
  const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const rows = await q.selectAll('r').orderBy('r.title').orderBy('r.id').limit(f.limit).offset(f.offset).execute();
  return { total: Number(total), resources: await withItems(db, rows) };
}

export interface AlignedItemRow {
  identifier: string;
  code: string | null;
  fullStatement: string;
  framework: { identifier: string; title: string; organizationId: string | null } | null;
}

/** The CFItems `ids` name, with their own framework (the document that holds them). */
export async function alignedItems(db: Db, ids: string[]): Promise<Map<string, AlignedItemRow>> {
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom('cf_item as i')
    .leftJoin('cf_document as d', 'd.identifier', 'i.document_identifier')
    .select(['i.identifier', 'i.human_coding_scheme', 'i.payload', 'd.identifier as doc', 'd.title', 'd.organization_id'])
    .where('i.identifier', 'in', [...new Set(ids)])
    .execute();
  return new Map(
    rows.map((r) => [
      r.identifier,
      {
        identifier: r.identifier,
        code: r.human_coding_scheme,
        fullStatement: String((r.payload as Record<string, unknown>)['fullStatement'] ?? ''),
        framework: r.doc ? { identifier: r.doc, title: r.title ?? r.doc, organizationId: r.organization_id ?? null } : null,
      },
    ]),
  );
}
