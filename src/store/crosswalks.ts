import { sql, type Transaction } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './tables.js';
import { toAssociation, toDocument, type AssociationRow, type DocumentRow } from './case.js';

/** Crosswalk documents (frameworkType "crosswalk", src/crosswalks), by title. */
export async function crosswalkDocuments(db: Db): Promise<DocumentRow[]> {
  const rows = await db.selectFrom('cf_document').selectAll().where(sql<boolean>`payload->>'frameworkType' = 'crosswalk'`).orderBy('title').execute();
  return rows.map(toDocument);
}

/** A document's associations in the order they were added. */
export async function crosswalkAssociations(db: Db | Transaction<Database>, documentIdentifier: string): Promise<AssociationRow[]> {
  const rows = await db.selectFrom('cf_association').selectAll().where('document_identifier', '=', documentIdentifier).orderBy('position').execute();
  return rows.map(toAssociation);
}

/** Deletes one association of the document; what it was, or undefined when the document has no such association. */
export async function removeAssociation(trx: Transaction<Database>, documentIdentifier: string, identifier: string): Promise<AssociationRow | undefined> {
  const r = await trx.deleteFrom('cf_association').where('document_identifier', '=', documentIdentifier).where('identifier', '=', identifier).returningAll().executeTakeFirst();
  return r && toAssociation(r);
}

/** Changes the type of one association of the document (payload and column). */
export async function retypeAssociation(trx: Transaction<Database>, documentIdentifier: string, identifier: string, type: string, at: Date, lastChangeDateTime: string): Promise<void> {
  await trx.updateTable('cf_association').set({
    association_type: type,
    payload: sql`jsonb_set(jsonb_set(payload, '{associationType}', to_jsonb(${type}::text)), '{lastChangeDateTime}', to_jsonb(${lastChangeDateTime}::text))` as never,
    last_change_date_time: at, updated_at: sql`now()` as never,
  }).where('document_identifier', '=', documentIdentifier).where('identifier', '=', identifier).execute();
}
