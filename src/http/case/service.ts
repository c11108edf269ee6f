import { canReadPrivate, type Principal } from '../../auth/index.js';
import { PRIVATE_DRAFT } from '../../case/model.js';
import { applyCollectionQuery, type CollectionQuery, type CollectionResult } from '../../case/query.js';
import {
  serializeAssociation,
  serializeDefinition,
  serializeDefinitionSet,
  serializeDocument,
  serializeItem,
  serializeItemAssociations,
  serializePackage,
  serializeRubric,
  type Json,
  type SerializeOptions,
} from '../../case/serialize.js';
import { isCaseUuid } from '../../case/uuid.js';
import { ShirubeError } from '../../errors.js';
import type { Db } from '../../store/db.js';
import {
  getAssociation,
  getDefinition,
  getDocument,
  getItem,
  getRubric,
  itemAssociations,
  itemDocuments,
  listDocuments,
  loadPackage,
  memberDocuments,
  packageDefinitions,
  type AssociationRow,
  type DefinitionRow,
  type DocumentRow,
  type ItemRow,
  type RubricRow,
} from '../../store/case.js';
import type { CfDefinitionKind } from '../../store/tables.js';

/**
 * The read side of the CASE provider, shared by /ims/case/v1p0, /ims/case/v1p1 and /uri: lookups with the
 * Private Draft rule (a Private Draft framework and everything only it holds are unknown to the public), then
 * serialization. No HTTP here.
 */
export interface Reader {
  db: Db;
  principal: Principal;
  opts: SerializeOptions;
}

export const isPublicDocument = (d: DocumentRow) => d.adoptionStatus !== PRIVATE_DRAFT;
export const canSee = (p: Principal, d: DocumentRow) =>
  isPublicDocument(d) || canReadPrivate(p, { identifier: d.identifier, organizationId: d.organizationId });
/** An entity is visible when some package holding it is. */
const visibleVia = (p: Principal, docs: DocumentRow[]) => docs.some((d) => canSee(p, d));

export const unknown = (what: string, id: string) => new ShirubeError('not_found', `${what} ${id} is not known here`, 'sourcedId');

export function checkUuid(id: string): void {
  if (!isCaseUuid(id)) {
    throw new ShirubeError('invalid_uuid', `sourcedId: "${id}" is not a CASE identifier (a lower-case UUID, versions 1-5)`, 'sourcedId');
  }
}

/** A serialized answer and when it last changed (Last-Modified). */
export interface Answer {
  body: Json;
  lastModified: Date;
}

const latest = (...dates: Date[]) => new Date(Math.max(...dates.map((d) => d.getTime())));

export async function visibleDocument(r: Reader, id: string): Promise<DocumentRow | undefined> {
  const doc = await getDocument(r.db, id);
  return doc && canSee(r.principal, doc) ? doc : undefined;
}

export async function visibleItem(r: Reader, id: string): Promise<{ item: ItemRow; holders: DocumentRow[]; own: DocumentRow | undefined } | undefined> {
  const item = await getItem(r.db, id);
  if (!item) return undefined;
  const holders = await itemDocuments(r.db, id);
  if (!visibleVia(r.principal, holders)) return undefined;
  const own = holders.find((d) => d.identifier === item.documentIdentifier) ?? (item.documentIdentifier ? await getDocument(r.db, item.documentIdentifier) : undefined);
  // The item's own framework is named only when the caller may see it (an alias may live in a public package).
  return { item, holders, own: own && canSee(r.principal, own) ? own : undefined };
}

export async function visibleAssociation(r: Reader, id: string): Promise<{ row: AssociationRow; doc: DocumentRow } | undefined> {
  const row = await getAssociation(r.db, id);
  const doc = row && (await getDocument(r.db, row.documentIdentifier));
  return row && doc && canSee(r.principal, doc) ? { row, doc } : undefined;
}

export async function visibleDefinition(r: Reader, id: string, kind?: CfDefinitionKind): Promise<{ row: DefinitionRow; holders: DocumentRow[] } | undefined> {
  const row = await getDefinition(r.db, id, kind);
  if (!row) return undefined;
  const holders = await memberDocuments(r.db, id);
  return visibleVia(r.principal, holders) ? { row, holders } : undefined;
}

export async function visibleRubric(r: Reader, id: string): Promise<RubricRow | undefined> {
  const row = await getRubric(r.db, id);
  return row && visibleVia(r.principal, await memberDocuments(r.db, id)) ? row : undefined;
}

/** Associations starting or ending at the item, from the packages this principal may see. */
export async function visibleItemAssociations(r: Reader, itemId: string): Promise<Array<{ row: AssociationRow; doc: DocumentRow }>> {
  const rows = await itemAssociations(r.db, itemId);
  const docs = new Map<string, DocumentRow | undefined>();
  const out: Array<{ row: AssociationRow; doc: DocumentRow }> = [];
  for (const row of rows) {
    if (!docs.has(row.documentIdentifier)) docs.set(row.documentIdentifier, await visibleDocument(r, row.documentIdentifier));
    const doc = docs.get(row.documentIdentifier);
    if (doc) out.push({ row, doc });
  }
  return out;
}

/** getAllCFDocuments: the visible CFDocuments (default order: title, then identifier), then the collection query. */
export async function allDocuments(r: Reader, q: CollectionQuery): Promise<CollectionResult<Json> & { lastModified: Date | undefined }> {
  const collator = new Intl.Collator('und');
  const docs = (await listDocuments(r.db))
    .filter((d) => canSee(r.principal, d))
    .sort((a, b) => collator.compare(a.title, b.title) || (a.identifier < b.identifier ? -1 : 1));
  const result = applyCollectionQuery(docs.map((d) => serializeDocument(d, r.opts)), q, r.opts.version);
  return { ...result, lastModified: docs.length ? latest(...docs.map((d) => d.lastChange)) : undefined };
}

/** The single-resource endpoints of CASE 1.0/1.1, by path segment. */
export const endpoints = [
  'CFDocuments', 'CFPackages', 'CFItems', 'CFItemAssociations', 'CFAssociations', 'CFAssociationGroupings',
  'CFConcepts', 'CFSubjects', 'CFLicenses', 'CFItemTypes', 'CFRubrics',
] as const;
export type Endpoint = (typeof endpoints)[number];

const definitionEndpoints = {
  CFAssociationGroupings: 'CFAssociationGrouping',
  CFConcepts: 'CFConcept',
  CFSubjects: 'CFSubject',
  CFLicenses: 'CFLicense',
  CFItemTypes: 'CFItemType',
} as const;
const setKinds = new Set<CfDefinitionKind>(['CFConcept', 'CFSubject', 'CFItemType']);

/** One CASE resource; invalid identifiers and invisible or unknown ones throw (404 invalid_uuid / unknownobject). */
export async function readResource(r: Reader, endpoint: Endpoint, id: string): Promise<Answer> {
  checkUuid(id);
  switch (endpoint) {
    case 'CFDocuments': {
      const doc = await visibleDocument(r, id);
      if (!doc) throw unknown('CFDocument', id);
      return { body: serializeDocument(doc, r.opts), lastModified: doc.lastChange };
    }
    case 'CFPackages': {
      const doc = await visibleDocument(r, id);
      const rows = doc && (await loadPackage(r.db, id));
      if (!rows) throw unknown('CFPackage', id);
      const all = [rows.document, ...rows.items, ...rows.associations, ...rows.definitions, ...rows.rubrics];
      return { body: serializePackage(rows, r.opts), lastModified: latest(...all.map((x) => x.lastChange)) };
    }
    case 'CFItems': {
      const found = await visibleItem(r, id);
      if (!found) throw unknown('CFItem', id);
      return { body: serializeItem(found.item, found.own, r.opts), lastModified: found.item.lastChange };
    }
    case 'CFItemAssociations': {
      const found = await visibleItem(r, id);
      if (!found) throw unknown('CFItem', id);
      const associations = await visibleItemAssociations(r, id);
      return {
        body: serializeItemAssociations(found.item, found.own, associations, r.opts),
        lastModified: latest(found.item.lastChange, ...associations.map((a) => a.row.lastChange)),
      };
    }
    case 'CFAssociations': {
      const found = await visibleAssociation(r, id);
      if (!found) throw unknown('CFAssociation', id);
      return { body: serializeAssociation(found.row, found.doc, r.opts), lastModified: found.row.lastChange };
    }
    case 'CFRubrics': {
      const row = await visibleRubric(r, id);
      if (!row) throw unknown('CFRubric', id);
      return { body: serializeRubric(row, r.opts), lastModified: row.lastChange };
    }
    default: {
      const kind = definitionEndpoints[endpoint];
      const found = await visibleDefinition(r, id, kind);
      if (!found) throw unknown(kind, id);
      if (!setKinds.has(kind)) return { body: serializeDefinition(found.row, r.opts), lastModified: found.row.lastChange };
      const holders = found.holders.filter((d) => canSee(r.principal, d)).map((d) => d.identifier);
      const candidates = await packageDefinitions(r.db, holders, kind);
      const body = serializeDefinitionSet(found.row, candidates, r.opts);
      const ids = new Set(((Object.values(body)[0] ?? []) as Json[]).map((x) => x['identifier']));
      return { body, lastModified: latest(found.row.lastChange, ...candidates.filter((c) => ids.has(c.identifier)).map((c) => c.lastChange)) };
    }
  }
}

