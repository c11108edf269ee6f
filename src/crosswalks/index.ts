import type { Db } from '../store/db.js';
import { audit } from '../store/auth.js';
import { getAssociation, getDocument, getItem, savePackage, type AssociationRow, type DocumentRow } from '../store/case.js';
import { appendAssociation, isPackageItem, touchDocument } from '../store/relations.js';
import { crosswalkAssociations, crosswalkDocuments, removeAssociation, retypeAssociation } from '../store/crosswalks.js';
import { itemLink, localUri, uuidv4 } from '../case/index.js';
import { ShirubeError } from '../errors.js';
import { combineFrameworks } from '../relations/cross.js';
import { loadRelationFramework } from '../relations/estimate.js';
import { itemSimilarity } from '../relations/features.js';
import type { RelationFramework, RelationItem } from '../relations/model.js';

/**
 * A crosswalk: a CFDocument of its own (frameworkType "crosswalk") whose CFAssociations, exactMatchOf or isRelatedTo,
 * go from items of one framework (the source) to items of another (the target). It holds no CFItems; the CASE API
 * serves it like any framework, and its export is the frameworks' (src/case/export). See docs/crosswalks.md.
 */
export const CROSSWALK_TYPE = 'crosswalk';
export const crosswalkTypes = ['exactMatchOf', 'isRelatedTo'] as const;
export type CrosswalkType = (typeof crosswalkTypes)[number];

/** The two frameworks a crosswalk joins, as its CFDocument's extensions name them. */
export interface CrosswalkEnds {
  source: { identifier: string; title: string; uri: string };
  target: { identifier: string; title: string; uri: string };
}

export interface Crosswalk extends CrosswalkEnds {
  identifier: string;
  title: string;
  adoptionStatus: string | null;
  lastChangeDateTime: string;
  organizationId: string | null;
}

const EXTENSION = 'shirubeCrosswalk';
// Milliseconds kept: two edits in one second must still move lastChangeDateTime on.
const caseDateTime = (d: Date) => d.toISOString();

/** The ends of a crosswalk document; undefined for any other document. */
export function crosswalkEnds(d: DocumentRow): CrosswalkEnds | undefined {
  const ext = (d.payload['extensions'] as Record<string, unknown> | undefined)?.[EXTENSION] as CrosswalkEnds | undefined;
  return d.payload['frameworkType'] === CROSSWALK_TYPE && ext?.source && ext.target ? ext : undefined;
}

export function crosswalkOf(d: DocumentRow): Crosswalk {
  const ends = crosswalkEnds(d);
  if (!ends) throw new ShirubeError('not_found', `No crosswalk ${d.identifier} (that CFDocument is a framework)`, 'id');
  return { identifier: d.identifier, title: d.title, adoptionStatus: d.adoptionStatus, lastChangeDateTime: d.lastChange.toISOString(), organizationId: d.organizationId, ...ends };
}

export async function getCrosswalk(db: Db, identifier: string): Promise<Crosswalk> {
  const d = await getDocument(db, identifier);
  if (!d) throw new ShirubeError('not_found', `No crosswalk ${identifier}`, 'id');
  return crosswalkOf(d);
}

export const listCrosswalks = async (db: Db): Promise<DocumentRow[]> => crosswalkDocuments(db);

const end = (d: DocumentRow) => ({ identifier: d.identifier, title: d.title, uri: typeof d.payload['uri'] === 'string' ? d.payload['uri'] : localUri(d.identifier) });

/**
 * A new, empty crosswalk between two stored frameworks (the caller has checked that both exist and may be read),
 * audited. It starts as a Draft (or the status given) of the organization given.
 */
export async function createCrosswalk(db: Db, source: DocumentRow, target: DocumentRow, o: { title: string; creator: string; adoptionStatus?: string | undefined; organizationId: string | null }, by: { actor: string; now?: Date }): Promise<Crosswalk> {
  if (source.identifier === target.identifier) throw new ShirubeError('invalid_request', 'target: must be another framework than the source', 'target');
  if (crosswalkEnds(source)) throw new ShirubeError('invalid_request', `source: ${source.identifier} is a crosswalk, not a framework`, 'source');
  if (crosswalkEnds(target)) throw new ShirubeError('invalid_request', `target: ${target.identifier} is a crosswalk, not a framework`, 'target');
  const identifier = uuidv4();
  const now = by.now ?? new Date();
  const adoptionStatus = o.adoptionStatus ?? 'Draft';
  const payload = {
    identifier, uri: localUri(identifier), creator: o.creator, title: o.title, lastChangeDateTime: caseDateTime(now), adoptionStatus,
    frameworkType: CROSSWALK_TYPE, caseVersion: '1.1',
    description: `${source.title} ↔ ${target.title}`,
    extensions: { [EXTENSION]: { source: end(source), target: end(target) } satisfies CrosswalkEnds },
  };
  await db.transaction().execute(async (trx) => {
    await savePackage(trx, {
      document: {
        identifier, payload, title: o.title, creator: o.creator, adoptionStatus, lastChange: now, authored: true, isCourseOfStudy: false,
        organizationId: o.organizationId, packageExtensions: null, definitionsExtensions: null, sourceUrl: null,
      },
      items: [], associations: [], definitions: [], rubrics: [],
    });
    await audit(trx, { actor: by.actor, action: 'crosswalk.create', targetType: 'CFDocument', targetId: identifier, details: { title: o.title, source: source.identifier, target: target.identifier } });
  });
  return getCrosswalk(db, identifier);
}

/** A crosswalk's links, in the order they were made. */
export async function crosswalkLinks(db: Db, cw: Crosswalk): Promise<AssociationRow[]> {
  return crosswalkAssociations(db, cw.identifier);
}

/**
 * Links an item of the source to an item of the target (exactMatchOf or isRelatedTo) as a CFAssociation of the
 * crosswalk, audited; the crosswalk's lastChangeDateTime moves on. The same link twice is a conflict.
 */
export async function addLink(db: Db, cw: Crosswalk, l: { origin: string; destination: string; type: CrosswalkType; score?: number | undefined }, by: { actor: string; now?: Date }): Promise<AssociationRow> {
  if (!(crosswalkTypes as readonly string[]).includes(l.type)) throw new ShirubeError('invalid_request', `associationType: must be ${crosswalkTypes.join(' or ')}`, 'associationType');
  if (!(await isPackageItem(db, cw.source.identifier, l.origin))) throw new ShirubeError('invalid_request', `origin: ${l.origin} is not a CFItem of the source framework ${cw.source.identifier}`, 'origin');
  if (!(await isPackageItem(db, cw.target.identifier, l.destination))) throw new ShirubeError('invalid_request', `destination: ${l.destination} is not a CFItem of the target framework ${cw.target.identifier}`, 'destination');
  const existing = (await crosswalkAssociations(db, cw.identifier)).find((a) => a.originIdentifier === l.origin && a.destinationIdentifier === l.destination && a.associationType === l.type);
  if (existing) throw new ShirubeError('conflict', `The crosswalk already links ${l.origin} ${l.type} ${l.destination} (association ${existing.identifier})`, 'destination');
  const identifier = uuidv4();
  const now = by.now ?? new Date();
  const provenance = { addedBy: by.actor, addedAt: now.toISOString(), ...(l.score !== undefined ? { suggestedScore: l.score } : {}) };
  await db.transaction().execute(async (trx) => {
    await appendAssociation(trx, {
      identifier, documentIdentifier: cw.identifier, associationType: l.type, originIdentifier: l.origin, destinationIdentifier: l.destination, provenance, lastChange: now,
      payload: {
        identifier, uri: localUri(identifier), lastChangeDateTime: caseDateTime(now), associationType: l.type,
        originNodeURI: itemLink((await getItem(trx, l.origin))!), destinationNodeURI: itemLink((await getItem(trx, l.destination))!),
        extensions: { shirubeProvenance: provenance },
      },
    });
    await touchDocument(trx, cw.identifier, now, caseDateTime(now));
    await audit(trx, { actor: by.actor, action: 'crosswalk.link', targetType: 'CFAssociation', targetId: identifier, details: { document: cw.identifier, origin: l.origin, destination: l.destination, type: l.type } });
  });
  return (await getAssociation(db, identifier))!;
}

/** Changes a link from exactMatchOf to isRelatedTo or back, audited; the same link of that type already there is a conflict. */
export async function retypeLink(db: Db, cw: Crosswalk, associationId: string, type: CrosswalkType, by: { actor: string; now?: Date }): Promise<AssociationRow> {
  if (!(crosswalkTypes as readonly string[]).includes(type)) throw new ShirubeError('invalid_request', `associationType: must be ${crosswalkTypes.join(' or ')}`, 'associationType');
  const now = by.now ?? new Date();
  await db.transaction().execute(async (trx) => {
    const all = await crosswalkAssociations(trx, cw.identifier);
    const a = all.find((x) => x.identifier === associationId);
    if (!a) throw new ShirubeError('not_found', `No association ${associationId} in crosswalk ${cw.identifier}`, 'associationId');
    if (a.associationType === type) return;
    const twin = all.find((x) => x.originIdentifier === a.originIdentifier && x.destinationIdentifier === a.destinationIdentifier && x.associationType === type);
    if (twin) throw new ShirubeError('conflict', `The crosswalk already links ${a.originIdentifier} ${type} ${a.destinationIdentifier} (association ${twin.identifier})`, 'associationType');
    await retypeAssociation(trx, cw.identifier, associationId, type, now, caseDateTime(now));
    await touchDocument(trx, cw.identifier, now, caseDateTime(now));
    await audit(trx, { actor: by.actor, action: 'crosswalk.retype', targetType: 'CFAssociation', targetId: associationId, details: { document: cw.identifier, origin: a.originIdentifier, destination: a.destinationIdentifier, from: a.associationType, type } });
  });
  return (await getAssociation(db, associationId))!;
}

/** Removes one link of the crosswalk, audited. */
export async function removeLink(db: Db, cw: Crosswalk, associationId: string, by: { actor: string; now?: Date }): Promise<void> {
  const now = by.now ?? new Date();
  await db.transaction().execute(async (trx) => {
    const gone = await removeAssociation(trx, cw.identifier, associationId);
    if (!gone) throw new ShirubeError('not_found', `No association ${associationId} in crosswalk ${cw.identifier}`, 'associationId');
    await touchDocument(trx, cw.identifier, now, caseDateTime(now));
    await audit(trx, { actor: by.actor, action: 'crosswalk.unlink', targetType: 'CFAssociation', targetId: associationId, details: { document: cw.identifier, origin: gone.originIdentifier, destination: gone.destinationIdentifier, type: gone.associationType } });
  });
}

export interface Suggestion {
  identifier: string;
  code: string | undefined;
  text: string;
  gradeLabel: string;
  path: string[];
  /** Mean of the word and character-n-gram cosines (0–1), the relation estimator's lexical similarity. */
  score: number;
}

/** Equal scores (none at all, between two languages) put the nearest grades first. */
const gradeGap = (a: RelationItem, b: RelationItem) => (a.grade === undefined || b.grade === undefined ? 99 : Math.abs(a.grade - b.grade));

type Matcher = { fw: RelationFramework; source: string; target: string; sim: Awaited<ReturnType<typeof itemSimilarity>> };
/** The last few frameworks' pairs with their vectors, by both documents' lastChangeDateTime (a change means new ones). */
const matchers = new Map<string, Promise<Matcher>>();
const MATCHERS_KEPT = 8;

async function matcher(db: Db, cw: Crosswalk): Promise<Matcher> {
  const [da, db_] = await Promise.all([getDocument(db, cw.source.identifier), getDocument(db, cw.target.identifier)]);
  if (!da || !db_) throw new ShirubeError('not_found', `The crosswalk's ${da ? 'target' : 'source'} framework is gone`, da ? 'target' : 'source');
  const key = `${da.identifier}@${da.lastChange.getTime()}\t${db_.identifier}@${db_.lastChange.getTime()}`;
  let m = matchers.get(key);
  if (!m) {
    m = (async () => {
      const [a, b] = await Promise.all([loadRelationFramework(db, da.identifier), loadRelationFramework(db, db_.identifier)]);
      const fw = combineFrameworks(a, b);
      return { fw, source: a.identifier, target: b.identifier, sim: await itemSimilarity(fw) };
    })();
    matchers.set(key, m);
    m.catch(() => matchers.delete(key));
    while (matchers.size > MATCHERS_KEPT) matchers.delete(matchers.keys().next().value!);
  }
  return m;
}

/**
 * The target's items ranked by their similarity to one item of the source: the relation estimator's lexical
 * similarity (src/relations/features.ts: tf-idf over content words and character n-grams of both frameworks, the mean
 * of the two cosines). The vectors are kept while neither framework changes. An item of the source that the
 * estimators do not relate (a grade, a domain heading) gets a 400 naming it.
 */
export async function suggestMatches(db: Db, cw: Crosswalk, item: string, limit: number): Promise<Suggestion[]> {
  const { fw, source, target, sim } = await matcher(db, cw);
  const from = fw.items.find((i) => i.identifier === item && i.framework === source);
  if (!from) {
    const known = await isPackageItem(db, source, item);
    throw new ShirubeError('invalid_request', known ? `item: ${item} is not one of the items matched in ${cw.source.title} (choose a content item)` : `item: ${item} is not a CFItem of the source framework ${source}`, 'item');
  }
  const targets = fw.items.filter((i) => i.framework === target);
  return targets
    .map((i) => ({ identifier: i.identifier, code: i.code, text: i.text, gradeLabel: i.gradeLabel, path: i.path, score: sim.both(from, i) }))
    .map((x, n) => ({ x, gap: gradeGap(from, targets[n]!) }))
    .sort((p, q) => q.x.score - p.x.score || p.gap - q.gap)
    .slice(0, limit)
    .map((p) => p.x);
}
