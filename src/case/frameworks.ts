import type { Db } from '../store/db.js';
import { deletePackage, getDocument, listDocuments, type DocumentRow } from '../store/case.js';
import { audit } from '../store/auth.js';
import { addChanges } from '../store/authoring.js';
import { ShirubeError } from '../errors.js';
import { adoptionStatuses, ENDED_STATUSES, isFrozen, isOfficial, PRIVATE_DRAFT } from './model.js';
import { checkIfMatch, edit } from './authoring.js';
import { frameworkMarks } from './serialize.js';

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
  /** Official (Adopted / Implemented) and verified publisher (docs/authoring.md). */
  marks: { official: boolean; verified: boolean };
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
  marks: frameworkMarks(d),
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

export interface StatusChange {
  adoptionStatus: string;
  /** YYYY-MM-DD; default: the day of the change. */
  statusStartDate?: string | undefined;
  /** YYYY-MM-DD; default: the day of the change for Deprecated / Retired, none otherwise. */
  statusEndDate?: string | undefined;
  /** Required to take an official (or ended) framework back to a draft: the start of its next version. */
  newVersion?: boolean | undefined;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Moves a framework through the publishing flow (docs/authoring.md): Private Draft → Draft → Adopted / Implemented
 * (official: frozen, and each entry freezes a published version) → Deprecated / Retired. statusStartDate and
 * statusEndDate follow; the CFDocument's lastChangeDateTime moves on; history and audit log in the same transaction.
 */
export async function setFrameworkAdoptionStatus(
  db: Db, identifier: string, change: string | StatusChange, by: { actor: string; now?: Date; ifMatch?: string | undefined },
): Promise<DocumentRow & { version?: number }> {
  const c: StatusChange = typeof change === 'string' ? { adoptionStatus: change } : change;
  const status = c.adoptionStatus;
  if (!(adoptionStatuses as readonly string[]).includes(status)) {
    throw new ShirubeError('invalid_request', `adoptionStatus: must be one of ${adoptionStatuses.join(', ')}`, 'adoptionStatus');
  }
  for (const k of ['statusStartDate', 'statusEndDate'] as const) {
    const v = c[k];
    if (v !== undefined && (!DATE.test(v) || Number.isNaN(Date.parse(v)))) throw new ShirubeError('invalid_request', `${k}: must be a date, YYYY-MM-DD`, k);
  }
  if (c.statusStartDate && c.statusEndDate && c.statusEndDate < c.statusStartDate) throw new ShirubeError('invalid_request', 'statusEndDate: must not be before statusStartDate', 'statusEndDate');
  const { version } = await edit(db, identifier, { actor: by.actor, canSee: () => true, ...(by.now ? { now: by.now } : {}) },
    { action: 'framework.adoption-status', targetType: 'CFDocument', targetId: identifier, details: { to: status } }, async (e) => {
      if (by.ifMatch !== undefined) checkIfMatch(by.ifMatch, e.doc.payload, `CFDocument ${identifier}`);
      const from = e.doc.adoptionStatus;
      if (isFrozen(from) && !isFrozen(status) && !c.newVersion) {
        throw new ShirubeError('conflict', `adoptionStatus: framework ${identifier} is ${from}; to change it, open its next version with "newVersion": true (the published versions stay as they are)`, 'adoptionStatus');
      }
      const today = e.changed.slice(0, 10);
      const { statusEndDate: _end, ...rest } = e.doc.payload;
      const end = c.statusEndDate ?? (ENDED_STATUSES.includes(status) ? today : undefined);
      e.docPayload = { ...rest, adoptionStatus: status, statusStartDate: c.statusStartDate ?? (status === from ? e.doc.payload['statusStartDate'] ?? today : today), ...(end ? { statusEndDate: end } : {}) };
      e.publish = isOfficial(status) && !isOfficial(from);
    });
  return { ...(await getFramework(db, identifier)), ...(version ? { version } : {}) };
}

/** Deletes a framework with the items, definitions and rubrics no other framework holds; audited. */
export async function deleteFramework(db: Db, identifier: string, by: { actor: string }): Promise<void> {
  const d = await getFramework(db, identifier);
  await db.transaction().execute(async (trx) => {
    await deletePackage(trx, identifier);
    await audit(trx, { actor: by.actor, action: 'framework.delete', targetType: 'CFDocument', targetId: identifier, details: { title: d.title } });
    await addChanges(trx, [{ documentIdentifier: identifier, at: new Date(), actor: by.actor, action: 'delete', entityType: 'CFDocument', entityIdentifier: identifier, before: d.payload, after: null }]);
  });
}
