import type { Db } from '../store/db.js';
import { audit } from '../store/auth.js';
import { getItem } from '../store/case.js';
import { addChanges } from '../store/authoring.js';
import { appendAssociation, getSuggestions, insertSuggestion, isPackageItem, touchDocument, updateSuggestion, type ReviewerEdit, type SuggestionRow } from '../store/relations.js';
import { getFramework, itemLink, localUri, uuidv4 } from '../case/index.js';
import { ShirubeError } from '../errors.js';
import { relationTypes, type RelationType } from './model.js';

export const reviewActions = ['accept', 'reject', 'flip', 'change-type', 'comment'] as const;
export type ReviewAction = (typeof reviewActions)[number];

export interface Decision {
  action: ReviewAction;
  /** For change-type. */
  type?: RelationType | undefined;
  /** Kept with the suggestion (and in an accepted association's provenance). */
  comment?: string | undefined;
}

// Milliseconds kept: a decision in the same second as the last change must still move lastChangeDateTime on.
const caseDateTime = (d: Date) => d.toISOString();

/**
 * Is the suggestion still the relation its estimator proposed? A reviewer's flip or change of type makes it another
 * relation, which the estimator's confidence and rationale are not about (an isRelatedTo flipped is the same one).
 */
export function asProposed(s: Pick<SuggestionRow, 'originIdentifier' | 'destinationIdentifier' | 'associationType' | 'proposedOrigin' | 'proposedDestination' | 'proposedType'>): boolean {
  if (s.associationType !== s.proposedType) return false;
  if (s.originIdentifier === s.proposedOrigin && s.destinationIdentifier === s.proposedDestination) return true;
  return s.associationType === 'isRelatedTo' && s.originIdentifier === s.proposedDestination && s.destinationIdentifier === s.proposedOrigin;
}

/** What the estimator proposed, with its confidence and rationale: they are about this relation. */
export const proposalOf = (s: SuggestionRow) => ({ origin: s.proposedOrigin, destination: s.proposedDestination, type: s.proposedType, confidence: s.confidence, rationale: s.rationale });

/**
 * The reviewer's provenance of a CFAssociation, as its `extensions` and `provenance` column carry it: who proposed
 * what (`proposed`), what reviewers changed before accepting (`reviewerChanges`), and who accepted. `confidence` and
 * `rationale` are the estimator's only when the relation accepted is the one it proposed; else null (see `proposed`).
 */
function provenanceOf(s: SuggestionRow, actor: string, at: Date, comment: string | null) {
  const same = asProposed(s);
  return {
    suggestion: s.id, estimator: s.estimator, model: s.model, promptVersion: s.promptVersion, run: s.runId,
    confidence: same ? s.confidence : null, rationale: same ? s.rationale : null, suggestedAt: s.createdAt.toISOString(), acceptedBy: actor, acceptedAt: at.toISOString(),
    proposed: proposalOf(s), edited: !same,
    ...(s.edits.length ? { reviewerChanges: s.edits } : {}),
    ...(comment ? { comment } : {}),
  };
}

async function nodeLink(db: Db, identifier: string) {
  const item = await getItem(db, identifier);
  if (!item) throw new ShirubeError('invalid_request', `item ${identifier}: no such CFItem`, 'origin');
  return itemLink(item);
}

/**
 * Applies one decision to suggestions of a framework, in one transaction with its audit entries: accept makes each
 * a CFAssociation of the framework (provenance in `extensions`) and bumps the CFDocument's lastChangeDateTime.
 * Only pending suggestions can be decided, flipped or retyped; any may be commented on.
 */
export async function decide(db: Db, documentIdentifier: string, ids: string[], d: Decision, by: { actor: string; now?: Date }): Promise<SuggestionRow[]> {
  if (!ids.length) throw new ShirubeError('invalid_request', 'ids: at least one suggestion', 'ids');
  if (d.action === 'change-type' && !(relationTypes as readonly string[]).includes(d.type ?? '')) throw new ShirubeError('invalid_request', `type: must be ${relationTypes.join(' or ')}`, 'type');
  if (d.action === 'comment' && !d.comment?.trim()) throw new ShirubeError('invalid_request', 'comment: is required', 'comment');
  await getFramework(db, documentIdentifier);
  const now = by.now ?? new Date();
  await db.transaction().execute(async (trx) => {
    const found = await getSuggestions(trx, ids);
    const byId = new Map(found.map((s) => [s.id, s]));
    let accepted = 0;
    for (const id of ids) {
      const s = byId.get(id);
      if (!s || s.documentIdentifier !== documentIdentifier) throw new ShirubeError('not_found', `No suggestion ${id} in framework ${documentIdentifier}`, 'ids');
      if (d.action !== 'comment' && s.status !== 'pending') throw new ShirubeError('conflict', `Suggestion ${id} is ${s.status}, not pending`, 'ids');
      const comment = d.comment?.trim() || null;
      const details: Record<string, unknown> = { document: documentIdentifier, origin: s.originIdentifier, destination: s.destinationIdentifier, type: s.associationType, ...(comment ? { comment } : {}) };
      if (d.action === 'accept') {
        const associationId = uuidv4();
        const provenance = provenanceOf(s, by.actor, now, comment ?? s.comment);
        const payload = {
          identifier: associationId, uri: localUri(associationId), lastChangeDateTime: caseDateTime(now), associationType: s.associationType,
          originNodeURI: await nodeLink(trx, s.originIdentifier), destinationNodeURI: await nodeLink(trx, s.destinationIdentifier),
          extensions: { shirubeProvenance: provenance },
        };
        await appendAssociation(trx, {
          identifier: associationId, documentIdentifier, associationType: s.associationType, originIdentifier: s.originIdentifier,
          destinationIdentifier: s.destinationIdentifier, provenance, lastChange: now, payload,
        });
        // The framework's change history has it too (docs/authoring.md).
        await addChanges(trx, [{ documentIdentifier, at: now, actor: by.actor, action: 'create', entityType: 'CFAssociation', entityIdentifier: associationId, before: null, after: payload }]);
        await updateSuggestion(trx, id, { status: 'accepted', decidedBy: by.actor, decidedAt: now, associationIdentifier: associationId, ...(comment ? { comment } : {}) });
        details['association'] = associationId;
        accepted++;
      } else if (d.action === 'reject') {
        await updateSuggestion(trx, id, { status: 'rejected', decidedBy: by.actor, decidedAt: now, ...(comment ? { comment } : {}) });
      } else if (d.action === 'flip' || d.action === 'change-type') {
        const from = { origin: s.originIdentifier, destination: s.destinationIdentifier, type: s.associationType };
        const to = d.action === 'flip' ? { ...from, origin: from.destination, destination: from.origin } : { ...from, type: d.type! };
        const edit: ReviewerEdit = { action: d.action, by: by.actor, at: now.toISOString(), from, to };
        await updateSuggestion(trx, id, { originIdentifier: to.origin, destinationIdentifier: to.destination, associationType: to.type, edits: [...s.edits, edit], ...(comment ? { comment } : {}) });
        details['to'] = to;
        details['proposed'] = { origin: s.proposedOrigin, destination: s.proposedDestination, type: s.proposedType };
      } else {
        await updateSuggestion(trx, id, { comment });
      }
      await audit(trx, { actor: by.actor, action: `relation.${d.action}`, targetType: 'relation_suggestion', targetId: id, details });
    }
    if (accepted) await touchDocument(trx, documentIdentifier, now, caseDateTime(now));
  });
  return getSuggestions(db, ids);
}

/**
 * A relation the estimators missed, added by a reviewer: stored as an accepted suggestion and a CFAssociation of the
 * framework. One of its ends may be an item of another stored framework (a cross-subject relation, shown on both
 * frameworks' maps).
 */
export async function addRelation(db: Db, documentIdentifier: string, r: { origin: string; destination: string; type: RelationType; comment?: string | undefined }, by: { actor: string; now?: Date }): Promise<SuggestionRow> {
  if (r.origin === r.destination) throw new ShirubeError('invalid_request', 'destination: must differ from origin', 'destination');
  await getFramework(db, documentIdentifier);
  // Each end is an item of the framework or (a cross-subject relation, as a cross run suggests them in either
  // direction) of another stored framework; at least one end is the framework's. The CFAssociation is the framework's.
  const own = { origin: await isPackageItem(db, documentIdentifier, r.origin), destination: await isPackageItem(db, documentIdentifier, r.destination) };
  for (const [field, id] of [['origin', r.origin], ['destination', r.destination]] as const) {
    if (!own[field] && !(await getItem(db, id))?.documentIdentifier) throw new ShirubeError('invalid_request', `${field}: ${id} is neither a CFItem of framework ${documentIdentifier} nor of another stored framework`, field);
  }
  if (!own.origin && !own.destination) throw new ShirubeError('invalid_request', `origin: neither ${r.origin} nor the destination is a CFItem of framework ${documentIdentifier}; one end must be`, 'origin');
  const id = uuidv4();
  await db.transaction().execute(async (trx) => {
    await insertSuggestion(trx, { id, documentIdentifier, originIdentifier: r.origin, destinationIdentifier: r.destination, associationType: r.type, domain: '', estimator: 'reviewer', model: null, promptVersion: null, runId: null, confidence: 1, rationale: r.comment ?? null });
    await audit(trx, { actor: by.actor, action: 'relation.add', targetType: 'relation_suggestion', targetId: id, details: { document: documentIdentifier, origin: r.origin, destination: r.destination, type: r.type } });
  });
  const [s] = await decide(db, documentIdentifier, [id], { action: 'accept', comment: r.comment }, by);
  return s!;
}
