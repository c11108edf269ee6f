import type { Db } from '../store/db.js';
import { deletePackage, getDocument, listDocuments, setAdoptionStatus, type DocumentRow } from '../store/case.js';
import { audit } from '../store/auth.js';
import { ShirubeError } from '../errors.js';
import { adoptionStatuses, PRIVATE_DRAFT } from './model.js';

/** A framework as the UI and admin tools list it (not a CASE document: see the CASE API for that). */
export interface FrameworkSummary {
  identifier: string;
  title: string;
  creator: string;
  adoptionStatus: string | null;
  lastChangeDateTime: string;
  isCourseOfStudy: boolean;
  authored: boolean;
  isPublic: boolean;
  organizationId: string | null;
  sourceUrl: string | null;
}

export const isPublicFramework = (d: DocumentRow) => d.adoptionStatus !== PRIVATE_DRAFT;

export const frameworkSummary = (d: DocumentRow): FrameworkSummary => ({
  identifier: d.identifier,
  title: d.title,
  creator: d.creator,
  adoptionStatus: d.adoptionStatus,
  lastChangeDateTime: d.lastChange.toISOString(),
  isCourseOfStudy: d.isCourseOfStudy,
  authored: d.authored,
  isPublic: isPublicFramework(d),
  organizationId: d.organizationId,
  sourceUrl: d.sourceUrl,
});

export const listFrameworks = (db: Db): Promise<DocumentRow[]> => listDocuments(db);

export const findFramework = (db: Db, identifier: string): Promise<DocumentRow | undefined> => getDocument(db, identifier);

export async function getFramework(db: Db, identifier: string): Promise<DocumentRow> {
  const d = await getDocument(db, identifier);
  if (!d) throw new ShirubeError('not_found', `No framework (CFDocument) ${identifier}`, 'id');
  return d;
}

/**
 * Moves a framework through the publishing flow (Private Draft → Draft → … → Implemented → Retired): the CFDocument's
 * adoptionStatus changes and its lastChangeDateTime becomes `now`, audited in the same transaction.
 */
export async function setFrameworkAdoptionStatus(db: Db, identifier: string, status: string, by: { actor: string; now?: Date }): Promise<DocumentRow> {
  if (!(adoptionStatuses as readonly string[]).includes(status)) {
    throw new ShirubeError('invalid_request', `adoptionStatus: must be one of ${adoptionStatuses.join(', ')}`, 'adoptionStatus');
  }
  const d = await getFramework(db, identifier);
  const now = by.now ?? new Date();
  const payload = { ...d.payload, adoptionStatus: status, lastChangeDateTime: now.toISOString().replace(/\.\d{3}Z$/, '+00:00') };
  await db.transaction().execute(async (trx) => {
    await setAdoptionStatus(trx, identifier, status, payload, now);
    await audit(trx, { actor: by.actor, action: 'framework.adoption-status', targetType: 'CFDocument', targetId: identifier, details: { from: d.adoptionStatus, to: status } });
  });
  return getFramework(db, identifier);
}

/** Deletes a framework with the items, definitions and rubrics no other framework holds; audited. */
export async function deleteFramework(db: Db, identifier: string, by: { actor: string }): Promise<void> {
  const d = await getFramework(db, identifier);
  await db.transaction().execute(async (trx) => {
    await deletePackage(trx, identifier);
    await audit(trx, { actor: by.actor, action: 'framework.delete', targetType: 'CFDocument', targetId: identifier, details: { title: d.title } });
  });
}
