import type { Db } from '../store/db.js';
import { associationsBetween, loadPackage, type PackageRows } from '../store/case.js';
import { ShirubeError } from '../errors.js';
import { localUri, PRIVATE_DRAFT, type CFPackage } from './model.js';
import { packageToRows, rowsToPackage } from './package.js';
import { itemLink } from './items.js';
import { isCaseUuid, uuidv4, uuidv5 } from './uuid.js';
import { saveImported, type ImportResult, type OnProgress } from './import/save.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the deriving organisation says of its version; the rest of the CFDocument is the source's. */
export interface DeriveInput {
  title: string;
  creator: string;
  publisher?: string | undefined;
  description?: string | undefined;
  version?: string | undefined;
  /** The new CFDocument's identifier (default: a new UUID). */
  identifier?: string | undefined;
}

/** A derived item and the source item it is an exact match of. */
export interface DerivedItem {
  from: string;
  to: string;
}

export interface DeriveOptions {
  actor: string;
  organizationId: string | null;
  now?: Date;
  /**
   * The evidence backfill, given each derived item's source: in the derivation's transaction, then after its commit
   * (for statements being written meanwhile); each returns how many (learner, item) pairs got evidence.
   */
  backfill?: { inTransaction(trx: Db, items: DerivedItem[]): Promise<number>; afterCommit(db: Db, items: DerivedItem[]): Promise<number> } | undefined;
  onProgress?: OnProgress | undefined;
}

const caseDateTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
// Fields that describe the source's publication, not the derivative's.
const SOURCE_ONLY = ['officialSourceURL', 'publisher', 'version', 'statusStartDate', 'statusEndDate', 'CFPackageURI'];

/**
 * Remaps a payload: every identifier (and rubricId, rubricCriterionId) the derivative renames, with the uri of
 * the object that names it; links to what it keeps (definitions, other frameworks) stay as they are.
 */
function remap(value: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => remap(v, ids));
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' && ['identifier', 'rubricId', 'rubricCriterionId'].includes(k) ? (ids.get(v) ?? v) : remap(v, ids);
  const id = value['identifier'];
  if (typeof id === 'string' && ids.has(id) && 'uri' in value) out['uri'] = localUri(ids.get(id)!);
  return out;
}

/**
 * The derivative of a stored package (pure): a new CFDocument (Private Draft, the caller's title and creator),
 * its CFItems, its internal CFAssociations (both ends in the package) and its CFRubrics with new identifiers and
 * URIs, each item keeping its humanCodingScheme (the Course of Study Code); one exactMatchOf from each new item
 * (origin) to its source item (destination), as CASE 1.1 reads the type; the CFDefinitions shared, not copied.
 */
export function derivePackage(source: PackageRows, input: DeriveInput, o: { organizationId: string | null; now: Date }): { rows: PackageRows; items: DerivedItem[] } {
  const docId = input.identifier ?? uuidv4();
  const at = caseDateTime(o.now);
  const ids = new Map<string, string>([[source.document.identifier, docId]]);
  const renamed = (x: { identifier: string }) => ids.set(x.identifier, uuidv5(x.identifier, docId));
  const criteria = source.rubrics.flatMap((r) => (Array.isArray(r.payload['CFRubricCriteria']) ? r.payload['CFRubricCriteria'] : []) as unknown[]);
  const levels = criteria.flatMap((c) => (isObj(c) && Array.isArray(c['CFRubricCriterionLevels']) ? c['CFRubricCriterionLevels'] : []) as unknown[]);
  for (const x of [...source.items, ...source.rubrics, ...criteria, ...levels]) if (isObj(x) && typeof x['identifier'] === 'string') renamed(x as { identifier: string });
  // Internal associations: both ends in this package (an item, or the document for a top-level isChildOf).
  const internal = source.associations.filter((a) => ids.has(a.originIdentifier) && ids.has(a.destinationIdentifier));
  for (const a of internal) renamed(a);

  const pkg = rowsToPackage({ ...source, associations: internal, definitions: [] });
  const document = Object.fromEntries(Object.entries(remap(pkg.CFDocument, ids) as Obj).filter(([k]) => !SOURCE_ONLY.includes(k)));
  Object.assign(document, { title: input.title, creator: input.creator, adoptionStatus: PRIVATE_DRAFT, lastChangeDateTime: at });
  // Marks a Shirube server served with the source (official, verified) are the source's, not the derivative's.
  if (isObj(document['extensions']) && 'shirube' in document['extensions']) {
    const { shirube: _marks, ...rest } = document['extensions'];
    if (Object.keys(rest).length) document['extensions'] = rest;
    else delete document['extensions'];
  }
  for (const k of ['publisher', 'description', 'version'] as const) if (input[k] !== undefined) document[k] = input[k];
  const stamp = (x: unknown): Obj => ({ ...(remap(x, ids) as Obj), lastChangeDateTime: at });
  const docLink = { title: input.title, identifier: docId, uri: localUri(docId) };
  const exact = source.items.map((i) => {
    const to = ids.get(i.identifier)!;
    const origin = { ...itemLink(i), identifier: to, uri: localUri(to) };
    const identifier = uuidv5(`exactMatchOf ${i.identifier}`, docId);
    return { identifier, uri: localUri(identifier), associationType: 'exactMatchOf', originNodeURI: origin, destinationNodeURI: itemLink(i), CFDocumentURI: docLink, lastChangeDateTime: at };
  });
  const { CFPackageURI: _uri, ...extensions } = (source.document.packageExtensions ?? {}) as Obj;
  const derived: CFPackage = {
    ...extensions,
    CFDocument: document as CFPackage['CFDocument'],
    // Every item is the derivative's own, also one the source shared with another framework.
    CFItems: pkg.CFItems.map((i): Obj => ({ ...stamp(i), CFDocumentURI: docLink })) as unknown as CFPackage['CFItems'],
    CFAssociations: [...pkg.CFAssociations.map((a): Obj => ({ ...stamp(a), CFDocumentURI: docLink })), ...exact] as unknown as CFPackage['CFAssociations'],
    ...(pkg.CFRubrics ? { CFRubrics: pkg.CFRubrics.map(stamp) as CFPackage['CFRubrics'] } : {}),
  };
  const rows = packageToRows(derived, { authored: true, organizationId: o.organizationId, now: o.now });
  // Shared definitions keep their rows (and authored flag): the derivative's package lists them too.
  rows.document.definitionsExtensions = source.document.definitionsExtensions;
  return { rows: { ...rows, definitions: source.definitions }, items: source.items.map((i) => ({ from: i.identifier, to: ids.get(i.identifier)! })) };
}

const text = (v: unknown, field: string, required: boolean, max = 1000): string | undefined => {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || !v.trim() || v.length > max) throw new ShirubeError('invalid_request', `${field}: must be a non-empty string of at most ${max} characters`, field);
  return v.trim();
};

/** The derivation request, checked field by field. */
export function deriveInput(body: unknown): DeriveInput {
  if (!isObj(body)) throw new ShirubeError('invalid_request', '(body): must be a JSON object { title, creator, publisher?, description?, version?, identifier? }', '(body)');
  for (const k of Object.keys(body)) {
    if (!['title', 'creator', 'publisher', 'description', 'version', 'identifier'].includes(k)) throw new ShirubeError('invalid_request', `${k}: unknown property (a derivation takes title, creator, publisher, description, version, identifier)`, k);
  }
  const identifier = text(body['identifier'], 'identifier', false, 36)?.toLowerCase();
  if (identifier !== undefined && !isCaseUuid(identifier)) throw new ShirubeError('invalid_request', 'identifier: must be a UUID (CASE identifier)', 'identifier');
  return {
    title: text(body['title'], 'title', true)!,
    creator: text(body['creator'], 'creator', true)!,
    publisher: text(body['publisher'], 'publisher', false),
    description: text(body['description'], 'description', false, 10_000),
    version: text(body['version'], 'version', false),
    identifier,
  };
}

/**
 * Derives a framework from a stored one (a board of education's version of a Course of Study framework): the
 * derivative is an ordinary framework of the deriving organisation, authorable like any other, Private Draft at
 * first. One transaction with the audit entry and the evidence backfill (then its second pass). 409 when the identifier
 * is taken.
 */
export async function deriveFramework(db: Db, sourceId: string, input: DeriveInput, o: DeriveOptions): Promise<ImportResult & { source: string; exactMatches: number; evidencePairs: number }> {
  const source = await loadPackage(db, sourceId);
  if (!source) throw new ShirubeError('not_found', `No framework (CFDocument) ${sourceId}`, 'id');
  if (input.identifier && (await loadPackage(db, input.identifier))) throw new ShirubeError('conflict', `identifier: a framework ${input.identifier} exists already`, 'identifier');
  // Relations between its items kept in other documents (a precedes set, reviewed relations) come along; the
  // hierarchy is the package's own.
  const elsewhere = (await associationsBetween(db, source.items.map((i) => i.identifier))).filter((a) => a.documentIdentifier !== sourceId && a.associationType !== 'isChildOf');
  const { rows, items } = derivePackage({ ...source, associations: [...source.associations, ...elsewhere] }, input, { organizationId: o.organizationId, now: o.now ?? new Date() });
  let evidencePairs = 0;
  const [result] = await saveImported(db, rows, {
    audit: { actor: o.actor, action: 'framework.derive', details: { source: sourceId, sourceTitle: source.document.title } },
    alsoWrite: async (trx) => {
      if (o.backfill) evidencePairs = await o.backfill.inTransaction(trx, items);
    },
    onProgress: o.onProgress,
  });
  if (o.backfill) evidencePairs += await o.backfill.afterCommit(db, items);
  return { ...result!, source: sourceId, exactMatches: items.length, evidencePairs };
}
