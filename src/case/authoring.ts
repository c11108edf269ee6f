import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Db } from '../store/db.js';
import type { Database } from '../store/tables.js';
import {
  deleteAssociations, getAssociation, getDefinition, getDocument, getItem, getRubric, holdDefinition, isMember, itemDocuments, itemsNaming,
  loadPackage, lockDocument, memberDocuments, packageAssociations, putAssociation, putDefinition, putItem, removeMember, updateDocument,
  type AssociationRow, type DefinitionRow, type DocumentRow, type ItemRow, type RubricRow,
} from '../store/case.js';
import { addChanges, addVersion, lastChangeId, type NewChange } from '../store/authoring.js';
import { bumpCaseGeneration } from '../store/case-generation.js';
import { frameworksSharing, reindexFramework } from '../store/search.js';
import { audit } from '../store/auth.js';
import { checkInput } from '../input.js';
import { ShirubeError } from '../errors.js';
import { itemLink } from './items.js';
import { associationTypes, definitionKinds, ENDED_STATUSES, isFrozen, isOfficial, localUri, type DefinitionKind, type DefinitionListName } from './model.js';
import { URI } from './serialize.js';
import { isCaseUuid, uuidv4 } from './uuid.js';

/**
 * Authoring a framework entity by entity (docs/authoring.md): every write checks its input field by field, is refused
 * when the caller's copy is stale (If-Match), and runs in one transaction that also moves the entity's and the
 * CFDocument's lastChangeDateTime on, keeps the change in the history (before / after), writes the audit log and
 * gives the frameworks a new generation token (caches drop what they hold).
 */
type Obj = Record<string, unknown>;
type Trx = Transaction<Database>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (field: string, msg: string) => new ShirubeError('invalid_request', `${field}: ${msg}`, field);


/** JSON with object keys sorted: jsonb does not keep the order they were written in. */
const canonical = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(canonical).join(',')}]`
    : isObj(v) ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`
      : JSON.stringify(v) ?? 'null';

/** The entity tag of a stored entity: changes with every write (its payload holds its lastChangeDateTime). */
export const entityTag = (payload: Obj) => `"${createHash('sha256').update(canonical(payload)).digest('base64url').slice(0, 43)}"`;

/** If-Match against the stored entity: 428 without one, 412 when the caller's copy is no longer current. */
export function checkIfMatch(ifMatch: string | undefined, current: Obj, what: string): void {
  if (ifMatch === undefined || !ifMatch.trim()) {
    throw new ShirubeError('precondition_required', `If-Match: required to change ${what}; send the ETag its GET returned`, 'If-Match');
  }
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (!tags.includes('*') && !tags.includes(entityTag(current))) {
    throw new ShirubeError('precondition_failed', `If-Match: ${what} was changed by someone else since you read it; GET it again (new ETag) and reapply your change`, 'If-Match');
  }
}

export interface Author {
  /** Who writes: the audit log's actor (`user:…`, `client:…`). */
  actor: string;
  /** Whether the caller may see a framework: other frameworks' items are linked only when visible. */
  canSee: (d: DocumentRow) => boolean;
  now?: Date;
}

/** One authoring transaction: the locked CFDocument, the changes made so far, the time every changed entity gets. */
export interface Edit {
  trx: Trx;
  doc: DocumentRow;
  now: Date;
  /** lastChangeDateTime of everything written in this edit. */
  changed: string;
  by: Author;
  /** The CFDocument's new payload, when the edit changes more than its lastChangeDateTime. */
  docPayload?: Obj;
  /** Freeze the package as a new published version when the edit commits. */
  publish?: boolean;
  record(action: string, entityType: string, identifier: string, before: Obj | null, after: Obj | null): void;
}

export interface EditResult<T> {
  value: T;
  version?: number;
}

/**
 * Runs `fn` in one transaction on the framework `documentIdentifier` (locked: writes to one framework take turns),
 * then moves the CFDocument's lastChangeDateTime on, writes the history and the audit log, and bumps the generation
 * token. Any error rolls everything back.
 */
export async function edit<T>(
  db: Db, documentIdentifier: string, by: Author, auditEntry: { action: string; targetType: string; targetId: string; details?: Obj },
  fn: (e: Edit) => Promise<T>,
): Promise<EditResult<T>> {
  return db.transaction().execute(async (trx) => {
    const doc = await lockDocument(trx, documentIdentifier);
    if (!doc) throw new ShirubeError('not_found', `No framework (CFDocument) ${documentIdentifier}`, 'id');
    const now = by.now ?? new Date();
    const changes: Array<Omit<NewChange, 'documentIdentifier' | 'at' | 'actor'>> = [];
    const e: Edit = {
      trx, doc, now, changed: now.toISOString(), by,
      record: (action, entityType, entityIdentifier, before, after) => changes.push({ action, entityType, entityIdentifier, before, after }),
    };
    const value = await fn(e);
    const payload: Obj = { ...(e.docPayload ?? doc.payload), lastChangeDateTime: e.changed };
    if (e.docPayload) e.record('update', 'CFDocument', doc.identifier, doc.payload, payload);
    await updateDocument(trx, doc.identifier, payload, now);
    await bumpCaseGeneration(trx);
    // The search index follows the items written or removed, here and in other frameworks holding them (docs/search.md).
    const items = [...new Set(changes.filter((c) => c.entityType === 'CFItem').map((c) => c.entityIdentifier))];
    await reindexFramework(trx, doc.identifier, items);
    for (const [other, shared] of await frameworksSharing(trx, doc.identifier, items)) await reindexFramework(trx, other, shared);
    await addChanges(trx, changes.map((c) => ({ ...c, documentIdentifier: doc.identifier, at: now, actor: by.actor })));
    let version: number | undefined;
    if (e.publish) {
      const rows = (await loadPackage(trx, doc.identifier))!;
      version = await addVersion(trx, {
        documentIdentifier: doc.identifier, adoptionStatus: String(payload['adoptionStatus']), publishedAt: now, publishedBy: by.actor,
        lastChangeId: await lastChangeId(trx, doc.identifier),
      }, rows);
    }
    await audit(trx, {
      actor: by.actor, action: auditEntry.action, targetType: auditEntry.targetType, targetId: auditEntry.targetId,
      details: { document: doc.identifier, ...auditEntry.details, ...(version ? { version } : {}), changes: changes.length },
    });
    return { value, ...(version ? { version } : {}) };
  });
}

/** Refuses a substantive change of an official (or ended) framework, saying what to do instead. */
export function refuseIfFrozen(doc: DocumentRow, field: string): void {
  if (!isFrozen(doc.adoptionStatus)) return;
  throw new ShirubeError(
    'conflict',
    `${field}: framework ${doc.identifier} is ${doc.adoptionStatus} and cannot be changed substantively; ` +
      'replace the item (POST …/items/{itemId}/replacement) or open a new version (PUT …/adoption-status with "adoptionStatus": "Draft", "newVersion": true)',
    field,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Field checks

type FieldKind =
  | 'text' | 'requiredText' | 'texts' | 'uri' | 'date' | 'language' | 'object' | 'caseVersion' | 'sequence' | 'associationType' | 'node'
  | { link: DefinitionKind } | { links: DefinitionKind };
type Spec = Record<string, FieldKind>;

const MAX_TEXT = 100_000;
const LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;
const EXT_TYPE = /^ext:[A-Za-z0-9.\-_]+$/;
const described = { description: 'text' } as const;

export const itemSpec: Spec = {
  fullStatement: 'requiredText', alternativeLabel: 'text', CFItemType: 'text', humanCodingScheme: 'text', listEnumeration: 'text',
  abbreviatedStatement: 'text', conceptKeywords: 'texts', conceptKeywordsURI: { link: 'CFConcept' }, notes: 'text', subject: 'texts',
  subjectURI: { links: 'CFSubject' }, language: 'language', educationLevel: 'texts', CFItemTypeURI: { link: 'CFItemType' },
  licenseURI: { link: 'CFLicense' }, statusStartDate: 'date', statusEndDate: 'date', extensions: 'object',
};
/** What may still change in an official framework's items: the notes and the item's own status dates. */
const NON_SUBSTANTIVE = new Set(['notes', 'statusStartDate', 'statusEndDate', 'lastChangeDateTime']);

export const documentSpec: Spec = {
  title: 'requiredText', creator: 'requiredText', frameworkType: 'text', caseVersion: 'caseVersion', officialSourceURL: 'uri', publisher: 'text',
  description: 'text', subject: 'texts', subjectURI: { links: 'CFSubject' }, language: 'language', version: 'text', licenseURI: { link: 'CFLicense' },
  notes: 'text', extensions: 'object',
};

export const associationSpec: Spec = {
  associationType: 'associationType', originNodeURI: 'node', destinationNodeURI: 'node', sequenceNumber: 'sequence',
  CFAssociationGroupingURI: { link: 'CFAssociationGrouping' }, notes: 'text', extensions: 'object',
};

export const definitionSpecs: Record<DefinitionKind, Spec> = {
  CFConcept: { title: 'requiredText', keywords: 'text', hierarchyCode: 'requiredText', ...described, extensions: 'object' },
  CFSubject: { title: 'requiredText', hierarchyCode: 'requiredText', ...described, extensions: 'object' },
  CFLicense: { title: 'requiredText', ...described, licenseText: 'requiredText', extensions: 'object' },
  // CASE requires an item type's description; an empty one is allowed.
  CFItemType: { title: 'requiredText', description: 'text', hierarchyCode: 'requiredText', typeCode: 'text', extensions: 'object' },
  CFAssociationGrouping: { title: 'requiredText', ...described, extensions: 'object' },
};

/** Fields every entity has that Shirube fills in; a request may repeat them unchanged. */
const MANAGED = ['identifier', 'uri', 'lastChangeDateTime', 'CFDocumentURI'];

/** A definition link ({identifier}) as a LinkURI to the stored definition, which the package then holds too. */
async function definitionLink(e: Edit, kind: DefinitionKind, v: unknown, field: string): Promise<Obj> {
  const id = isObj(v) ? v['identifier'] : undefined;
  if (typeof id !== 'string' || !id) throw bad(`${field}.identifier`, `is required: the identifier of a ${kind}`);
  const def = await getDefinition(e.trx, id, kind);
  if (!def) throw bad(`${field}.identifier`, `no ${kind} ${id} is stored; create it first (POST …/definitions/${kind}s)`);
  await holdDefinition(e.trx, e.doc.identifier, id);
  return { title: String(def.payload['title'] ?? ''), identifier: id, uri: typeof def.payload['uri'] === 'string' ? def.payload['uri'] : localUri(id) };
}

/** An association's end: this framework, an item (of any framework the caller may see) or a node outside Shirube (with its uri). */
async function nodeLink(e: Edit, v: unknown, field: string): Promise<Obj> {
  if (!isObj(v)) throw bad(field, 'must be a LinkGenURI object { identifier, uri?, title?, targetType? }');
  const id = v['identifier'];
  if (typeof id !== 'string' || !id || id.length > 200) throw bad(`${field}.identifier`, 'is required: 1 to 200 characters');
  for (const k of Object.keys(v)) if (!['identifier', 'uri', 'title', 'targetType'].includes(k)) throw bad(`${field}.${k}`, 'unknown LinkGenURI property');
  if (id === e.doc.identifier) return { title: e.doc.title, identifier: id, uri: typeof e.doc.payload['uri'] === 'string' ? e.doc.payload['uri'] : localUri(id) };
  const item = await getItem(e.trx, id);
  if (item) {
    const holders = await itemDocuments(e.trx, id);
    if (holders.some((d) => d.identifier === e.doc.identifier || e.by.canSee(d))) return { ...itemLink(item), targetType: 'CASE' };
  }
  const doc = await getDocument(e.trx, id);
  if (doc && e.by.canSee(doc)) return { title: doc.title, identifier: id, uri: typeof doc.payload['uri'] === 'string' ? doc.payload['uri'] : localUri(id), targetType: 'CASE' };
  const uri = v['uri'];
  if (typeof uri !== 'string' || !URI.test(uri)) throw bad(`${field}.uri`, `no CFItem or CFDocument ${id} is known here, so the node's absolute uri is required`);
  const title = v['title'] ?? '';
  if (typeof title !== 'string' || title.length > 1000) throw bad(`${field}.title`, 'must be a string of at most 1000 characters');
  const target = v['targetType'];
  if (target !== undefined && (typeof target !== 'string' || !(target === 'CASE' || EXT_TYPE.test(target)))) throw bad(`${field}.targetType`, 'must be CASE or ext:<token>');
  return { title, identifier: id, uri, ...(target !== undefined ? { targetType: target } : {}) };
}

async function checkValue(e: Edit, kind: FieldKind, v: unknown, field: string): Promise<unknown> {
  const text = (max = MAX_TEXT) => {
    if (typeof v !== 'string' || v.length > max) throw bad(field, `must be a string of at most ${max} characters`);
    return v;
  };
  if (typeof kind === 'object') {
    if ('link' in kind) return definitionLink(e, kind.link, v, field);
    if (!Array.isArray(v) || v.length > 100) throw bad(field, `must be an array of at most 100 links to ${kind.links}s`);
    return Promise.all(v.map((x, i) => definitionLink(e, kind.links, x, `${field}.${i}`)));
  }
  switch (kind) {
    case 'text': return text();
    case 'requiredText':
      if (typeof v !== 'string' || !v.trim()) throw bad(field, 'is required: a non-empty string');
      return text();
    case 'texts':
      if (!Array.isArray(v) || v.length > 1000 || v.some((x) => typeof x !== 'string' || !x || x.length > 1000)) throw bad(field, 'must be an array of non-empty strings');
      return v;
    case 'uri':
      if (typeof v !== 'string' || !URI.test(v) || v.length > 2000) throw bad(field, 'must be an absolute URI');
      return v;
    case 'date':
      if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))) throw bad(field, 'must be a date, YYYY-MM-DD');
      return v;
    case 'language':
      if (typeof v !== 'string' || !LANGUAGE.test(v)) throw bad(field, 'must be a language tag (ja, en, en-US)');
      return v;
    case 'object':
      if (!isObj(v)) throw bad(field, 'must be an object');
      return v;
    case 'caseVersion':
      if (v !== '1.1') throw bad(field, 'must be "1.1" (or left out)');
      return v;
    case 'sequence':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= 2 ** 31) throw bad(field, 'must be an integer from 0');
      return v;
    case 'associationType':
      if (typeof v !== 'string' || !((associationTypes as readonly string[]).includes(v) || EXT_TYPE.test(v))) {
        throw bad(field, `must be one of ${associationTypes.join(', ')}, or ext:<token> (letters, digits, . - _)`);
      }
      return v;
    case 'node': return nodeLink(e, v, field);
  }
}

/**
 * Checks `input` against a spec: unknown properties are refused (400 naming them), required ones must be there, links
 * are resolved. `kept` are stored fields outside the spec (an imported entity's extra fields) that a merge patch keeps.
 */
async function checkFields(e: Edit, spec: Spec, input: unknown, path: string, kept: Obj = {}): Promise<Obj> {
  if (!isObj(input)) throw bad(path, 'must be a JSON object');
  checkInput(input, path);
  const out: Obj = {};
  for (const [k, v] of Object.entries(input)) {
    if (MANAGED.includes(k) || v === null) continue;
    if (!(k in spec)) {
      if (k in kept) continue;
      throw bad(path === '(body)' ? k : `${path}.${k}`, `unknown property; the fields are ${Object.keys(spec).join(', ')}`);
    }
    out[k] = await checkValue(e, spec[k]!, v, path === '(body)' ? k : `${path}.${k}`);
  }
  for (const [k, kind] of Object.entries(spec)) {
    if ((kind === 'requiredText' || kind === 'associationType' || kind === 'node') && out[k] === undefined) throw bad(path === '(body)' ? k : `${path}.${k}`, 'is required');
  }
  return { ...kept, ...out };
}

/** The fields of a stored payload a client edits (what Shirube manages left out), and those outside the spec. */
function editable(payload: Obj, spec: Spec): { fields: Obj; kept: Obj } {
  const fields: Obj = {};
  const kept: Obj = {};
  for (const [k, v] of Object.entries(payload)) {
    if (MANAGED.includes(k)) continue;
    (k in spec ? fields : kept)[k] = v;
  }
  return { fields, kept };
}

/** RFC 7396 JSON merge patch of the editable fields: null removes a field. */
function mergePatch(current: Obj, patch: unknown, path: string): Obj {
  if (!isObj(patch)) throw bad(path, 'must be a JSON object (a merge patch)');
  const out: Obj = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

export type WriteMode = { kind: 'replace' } | { kind: 'merge' };

function newIdentifier(v: unknown, field: string): string {
  if (v === undefined) return uuidv4();
  if (typeof v !== 'string' || !isCaseUuid(v.toLowerCase())) throw bad(field, 'must be a UUID (or left out: one is made)');
  return v.toLowerCase();
}

/** A stored entity's payload: what the request gives, plus identifier, uri and lastChangeDateTime. */
const stored = (e: Edit, identifier: string, previous: Obj | undefined, fields: Obj): Obj => ({
  identifier, uri: typeof previous?.['uri'] === 'string' ? previous['uri'] : localUri(identifier), ...fields, lastChangeDateTime: e.changed,
});

/** CFItemType (the title) follows CFItemTypeURI when only the link is given. */
function withItemTypeTitle(fields: Obj): Obj {
  const link = fields['CFItemTypeURI'];
  return isObj(link) && fields['CFItemType'] === undefined ? { ...fields, CFItemType: link['title'] } : fields;
}

// ---------------------------------------------------------------------------------------------------------------
// The tree: isChildOf associations (child = origin, parent = destination) with sequenceNumbers 1..n among siblings

const byOrder = (a: AssociationRow, b: AssociationRow) => (a.sequenceNumber ?? 2 ** 31) - (b.sequenceNumber ?? 2 ** 31);

/** Gives the children of `parent` the sequenceNumbers 1..n in `order`, writing only the associations that change. */
async function renumber(e: Edit, order: AssociationRow[]): Promise<void> {
  for (const [i, a] of order.entries()) {
    if (a.sequenceNumber === i + 1 && a.payload['sequenceNumber'] === i + 1) continue;
    const payload = { ...a.payload, sequenceNumber: i + 1, lastChangeDateTime: e.changed };
    await putAssociation(e.trx, { ...a, payload, sequenceNumber: i + 1, lastChange: e.now });
    e.record('update', 'CFAssociation', a.identifier, a.payload, payload);
  }
}

/** The parent a tree operation names: this framework (top level) or an item of its package. */
async function checkParent(e: Edit, parent: unknown, field: string): Promise<string> {
  if (parent === undefined || parent === e.doc.identifier) return e.doc.identifier;
  if (typeof parent !== 'string' || !(await isMember(e.trx, e.doc.identifier, 'CFItem', parent))) {
    throw bad(field, `must be ${e.doc.identifier} (the framework: top level) or the identifier of one of its CFItems`);
  }
  return parent;
}

function checkSequence(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw bad(field, 'must be an integer from 1 (the position among the siblings)');
  return v;
}

/** Places `child` under `parent` at `sequenceNumber` (1-based; default last) and renumbers the siblings. */
async function place(e: Edit, childLink: Obj, parent: string, sequenceNumber: number | undefined, moving?: AssociationRow): Promise<AssociationRow> {
  const links = await packageAssociations(e.trx, e.doc.identifier, 'isChildOf');
  // No cycles: the new parent must not be the child or one of its descendants.
  const parents = new Map<string, string[]>();
  for (const a of links) parents.set(a.originIdentifier, [...(parents.get(a.originIdentifier) ?? []), a.destinationIdentifier]);
  const child = String(childLink['identifier']);
  const seen = new Set<string>();
  for (let up = [parent]; up.length; up = up.flatMap((p) => parents.get(p) ?? [])) {
    if (up.includes(child)) throw bad('parent', `${parent} is ${child} or one of its descendants; an item cannot be its own ancestor`);
    up = up.filter((p) => !seen.has(p) && seen.add(p));
  }
  const siblings = links.filter((a) => a.destinationIdentifier === parent && a.identifier !== moving?.identifier).sort(byOrder);
  const at = Math.min(sequenceNumber === undefined ? siblings.length : sequenceNumber - 1, siblings.length);
  const destination = await nodeLink(e, { identifier: parent }, 'parent');
  const id = moving?.identifier ?? uuidv4();
  const payload: Obj = {
    ...(moving?.payload ?? { identifier: id, uri: localUri(id), associationType: 'isChildOf' }),
    originNodeURI: childLink, destinationNodeURI: destination, sequenceNumber: at + 1, lastChangeDateTime: e.changed,
  };
  const row: AssociationRow = {
    identifier: id, payload, documentIdentifier: e.doc.identifier, associationType: 'isChildOf', originIdentifier: child,
    destinationIdentifier: parent, sequenceNumber: at + 1, provenance: null, lastChange: e.now, authored: true,
  };
  await putAssociation(e.trx, row);
  e.record(moving ? 'update' : 'create', 'CFAssociation', id, moving?.payload ?? null, payload);
  siblings.splice(at, 0, row);
  await renumber(e, siblings);
  if (moving && moving.destinationIdentifier !== parent) {
    await renumber(e, links.filter((a) => a.destinationIdentifier === moving.destinationIdentifier && a.identifier !== moving.identifier).sort(byOrder));
  }
  return row;
}

// ---------------------------------------------------------------------------------------------------------------
// Items

/** A CFItem of the framework's package, else 404; items owned by another framework are changed there. */
async function memberItem(e: Edit, itemId: string, changing: boolean): Promise<ItemRow> {
  const item = await getItem(e.trx, itemId);
  if (!item || !(await isMember(e.trx, e.doc.identifier, 'CFItem', itemId))) throw new ShirubeError('not_found', `No CFItem ${itemId} in framework ${e.doc.identifier}`, 'itemId');
  if (changing && item.documentIdentifier && item.documentIdentifier !== e.doc.identifier) {
    throw new ShirubeError('conflict', `itemId: CFItem ${itemId} belongs to framework ${item.documentIdentifier}; change it there`, 'itemId');
  }
  return item;
}

const itemRow = (e: Edit, identifier: string, payload: Obj, previous?: ItemRow): Omit<ItemRow, 'authored'> => ({
  identifier, payload, documentIdentifier: previous?.documentIdentifier ?? e.doc.identifier,
  humanCodingScheme: typeof payload['humanCodingScheme'] === 'string' ? payload['humanCodingScheme'] : null, lastChange: e.now,
});

export interface NewItem {
  CFItem: unknown;
  parent?: unknown;
  sequenceNumber?: unknown;
}

/** Adds a CFItem to the tree under `parent` (default: top level) at `sequenceNumber` (default: last). */
export async function createItem(db: Db, documentIdentifier: string, body: unknown, by: Author): Promise<string> {
  if (!isObj(body)) throw bad('(body)', 'must be { "CFItem": {…}, "parent"?, "sequenceNumber"? }');
  for (const k of Object.keys(body)) if (!['CFItem', 'parent', 'sequenceNumber'].includes(k)) throw bad(k, 'unknown property (CFItem, parent, sequenceNumber)');
  const given = isObj(body['CFItem']) ? body['CFItem'] : undefined;
  if (!given) throw bad('CFItem', 'is required: the new item’s fields (fullStatement at least)');
  const id = newIdentifier(given['identifier'], 'CFItem.identifier');
  const sequenceNumber = checkSequence(body['sequenceNumber'], 'sequenceNumber');
  const { value } = await edit(db, documentIdentifier, by, { action: 'framework.item.create', targetType: 'CFItem', targetId: id }, async (e) => {
    refuseIfFrozen(e.doc, 'CFItem');
    if (await getItem(e.trx, id)) throw new ShirubeError('conflict', `CFItem.identifier: a CFItem ${id} exists already`, 'CFItem.identifier');
    const parent = await checkParent(e, body['parent'], 'parent');
    const payload = stored(e, id, undefined, withItemTypeTitle(await checkFields(e, itemSpec, given, 'CFItem')));
    const row = itemRow(e, id, payload);
    await putItem(e.trx, e.doc.identifier, row);
    e.record('create', 'CFItem', id, null, payload);
    await place(e, itemLink({ ...row, authored: true }), parent, sequenceNumber);
    return id;
  });
  return value;
}

/** Replaces (PUT) or merge-patches (PATCH) a CFItem's fields. Official frameworks take only non-substantive changes. */
export async function updateItem(db: Db, documentIdentifier: string, itemId: string, body: unknown, mode: WriteMode, ifMatch: string | undefined, by: Author): Promise<void> {
  await edit(db, documentIdentifier, by, { action: 'framework.item.update', targetType: 'CFItem', targetId: itemId }, async (e) => {
    const item = await memberItem(e, itemId, true);
    checkIfMatch(ifMatch, item.payload, `CFItem ${itemId}`);
    const { fields, kept } = editable(item.payload, itemSpec);
    const input = mode.kind === 'merge' ? mergePatch(fields, body, '(body)') : body;
    const payload = stored(e, itemId, item.payload, withItemTypeTitle(await checkFields(e, itemSpec, input, '(body)', kept)));
    if (isFrozen(e.doc.adoptionStatus)) {
      const substantive = [...new Set([...Object.keys(payload), ...Object.keys(item.payload)])]
        .find((k) => !NON_SUBSTANTIVE.has(k) && JSON.stringify(payload[k]) !== JSON.stringify(item.payload[k]));
      if (substantive) refuseIfFrozen(e.doc, substantive);
    }
    await putItem(e.trx, e.doc.identifier, itemRow(e, itemId, payload, item));
    e.record('update', 'CFItem', itemId, item.payload, payload);
  });
}

/** Moves a CFItem: a new parent (re-parenting) and/or a new sequenceNumber among the siblings (reordering). */
export async function moveItem(db: Db, documentIdentifier: string, itemId: string, body: unknown, ifMatch: string | undefined, by: Author): Promise<void> {
  if (!isObj(body)) throw bad('(body)', 'must be { "parent", "sequenceNumber"?, "from"? }');
  for (const k of Object.keys(body)) if (!['parent', 'sequenceNumber', 'from'].includes(k)) throw bad(k, 'unknown property (parent, sequenceNumber, from)');
  if (body['parent'] === undefined) throw bad('parent', `is required: ${documentIdentifier} (top level) or a CFItem identifier`);
  const sequenceNumber = checkSequence(body['sequenceNumber'], 'sequenceNumber');
  await edit(db, documentIdentifier, by, { action: 'framework.item.move', targetType: 'CFItem', targetId: itemId }, async (e) => {
    refuseIfFrozen(e.doc, 'parent');
    const item = await memberItem(e, itemId, false);
    checkIfMatch(ifMatch, item.payload, `CFItem ${itemId}`);
    const parent = await checkParent(e, body['parent'], 'parent');
    const own = (await packageAssociations(e.trx, e.doc.identifier, 'isChildOf')).filter((a) => a.originIdentifier === itemId);
    const from = body['from'];
    const moving = from === undefined ? own[0] : own.find((a) => a.destinationIdentifier === from);
    if (from !== undefined && !moving) throw bad('from', `${String(from)} is not a parent of ${itemId}`);
    const payload = { ...item.payload, lastChangeDateTime: e.changed };
    await putItem(e.trx, e.doc.identifier, itemRow(e, itemId, payload, item));
    await place(e, itemLink(item), parent, sequenceNumber, moving);
    e.record('move', 'CFItem', itemId, { parent: moving?.destinationIdentifier ?? null, sequenceNumber: moving?.sequenceNumber ?? null }, { parent, sequenceNumber: sequenceNumber ?? null });
  });
}

/** Deletes a CFItem from the framework (with its subtree when `withChildren`), and the associations of this framework that name it. */
export async function deleteItem(db: Db, documentIdentifier: string, itemId: string, withChildren: boolean, ifMatch: string | undefined, by: Author): Promise<void> {
  await edit(db, documentIdentifier, by, { action: 'framework.item.delete', targetType: 'CFItem', targetId: itemId, details: { withChildren } }, async (e) => {
    refuseIfFrozen(e.doc, 'itemId');
    const item = await memberItem(e, itemId, false);
    checkIfMatch(ifMatch, item.payload, `CFItem ${itemId}`);
    const all = await packageAssociations(e.trx, e.doc.identifier);
    const tree = all.filter((a) => a.associationType === 'isChildOf');
    const gone = new Set([itemId]);
    for (let level = [itemId]; level.length;) {
      const children = tree.filter((a) => level.includes(a.destinationIdentifier)).map((a) => a.originIdentifier).filter((c) => !gone.has(c));
      if (children.length && !withChildren) throw new ShirubeError('conflict', `withChildren: CFItem ${itemId} has ${children.length} children; move them first or delete with withChildren=true`, 'withChildren');
      children.forEach((c) => gone.add(c));
      level = children;
    }
    const parents = new Set(tree.filter((a) => a.originIdentifier === itemId).map((a) => a.destinationIdentifier));
    const dropped = all.filter((a) => gone.has(a.originIdentifier) || gone.has(a.destinationIdentifier));
    await deleteAssociations(e.trx, dropped.map((a) => a.identifier));
    dropped.forEach((a) => e.record('delete', 'CFAssociation', a.identifier, a.payload, null));
    for (const id of gone) {
      const row = id === itemId ? item : await getItem(e.trx, id);
      await removeMember(e.trx, e.doc.identifier, 'CFItem', id);
      e.record('delete', 'CFItem', id, row?.payload ?? null, null);
    }
    for (const p of parents) {
      await renumber(e, tree.filter((a) => a.destinationIdentifier === p && !dropped.includes(a)).sort(byOrder));
    }
  });
}

/**
 * In an official framework, a substantive change makes a new item: the fields given (a merge patch of the old item's)
 * in a new CFItem that takes the old one's place in the tree, `old replacedBy new`, and the old item's statusEndDate.
 */
export async function replaceItem(db: Db, documentIdentifier: string, itemId: string, body: unknown, ifMatch: string | undefined, by: Author): Promise<string> {
  const patch = isObj(body) ? body : {};
  const id = newIdentifier(patch['identifier'], 'identifier');
  const { value } = await edit(db, documentIdentifier, by, { action: 'framework.item.replace', targetType: 'CFItem', targetId: itemId, details: { replacedBy: id } }, async (e) => {
    if (ENDED_STATUSES.includes(e.doc.adoptionStatus ?? '')) refuseIfFrozen(e.doc, 'itemId');
    const old = await memberItem(e, itemId, true);
    if (ifMatch !== undefined) checkIfMatch(ifMatch, old.payload, `CFItem ${itemId}`);
    if (await getItem(e.trx, id)) throw new ShirubeError('conflict', `identifier: a CFItem ${id} exists already`, 'identifier');
    const { fields, kept } = editable(old.payload, itemSpec);
    const { identifier: _i, ...rest } = patch;
    const payload = stored(e, id, undefined, withItemTypeTitle(await checkFields(e, itemSpec, mergePatch(fields, rest, '(body)'), '(body)', kept)));
    const row = itemRow(e, id, payload);
    await putItem(e.trx, e.doc.identifier, row);
    e.record('create', 'CFItem', id, null, payload);
    const newLink = itemLink({ ...row, authored: true });
    const links = await packageAssociations(e.trx, e.doc.identifier, 'isChildOf');
    for (const a of links.filter((x) => x.originIdentifier === itemId)) {
      const moved = { ...a.payload, originNodeURI: newLink, lastChangeDateTime: e.changed };
      await putAssociation(e.trx, { ...a, payload: moved, originIdentifier: id, lastChange: e.now });
      e.record('update', 'CFAssociation', a.identifier, a.payload, moved);
    }
    for (const a of links.filter((x) => x.destinationIdentifier === itemId)) {
      const moved = { ...a.payload, destinationNodeURI: newLink, lastChangeDateTime: e.changed };
      await putAssociation(e.trx, { ...a, payload: moved, destinationIdentifier: id, lastChange: e.now });
      e.record('update', 'CFAssociation', a.identifier, a.payload, moved);
    }
    const ended = { ...old.payload, statusEndDate: e.changed.slice(0, 10), lastChangeDateTime: e.changed };
    await putItem(e.trx, e.doc.identifier, itemRow(e, itemId, ended, old));
    e.record('update', 'CFItem', itemId, old.payload, ended);
    const aid = uuidv4();
    const replaced = {
      identifier: aid, uri: localUri(aid), associationType: 'replacedBy', originNodeURI: { ...itemLink(old), targetType: 'CASE' },
      destinationNodeURI: { ...newLink, targetType: 'CASE' }, lastChangeDateTime: e.changed,
    };
    await putAssociation(e.trx, {
      identifier: aid, payload: replaced, documentIdentifier: e.doc.identifier, associationType: 'replacedBy', originIdentifier: itemId,
      destinationIdentifier: id, sequenceNumber: null, lastChange: e.now,
    });
    e.record('create', 'CFAssociation', aid, null, replaced);
    return id;
  });
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Associations

async function memberAssociation(e: Edit, id: string): Promise<AssociationRow> {
  const a = await getAssociation(e.trx, id);
  if (!a || a.documentIdentifier !== e.doc.identifier) throw new ShirubeError('not_found', `No CFAssociation ${id} in framework ${e.doc.identifier}`, 'associationId');
  return a;
}

async function associationRow(e: Edit, id: string, input: unknown, previous?: AssociationRow): Promise<Omit<AssociationRow, 'authored' | 'provenance'>> {
  const fields = await checkFields(e, associationSpec, input, '(body)', previous ? editable(previous.payload, associationSpec).kept : {});
  const payload = stored(e, id, previous?.payload, fields);
  return {
    identifier: id, payload, documentIdentifier: e.doc.identifier, associationType: String(fields['associationType']),
    originIdentifier: String((fields['originNodeURI'] as Obj)['identifier']), destinationIdentifier: String((fields['destinationNodeURI'] as Obj)['identifier']),
    sequenceNumber: typeof fields['sequenceNumber'] === 'number' ? fields['sequenceNumber'] : null, lastChange: e.now,
  };
}

/** Adds a CFAssociation of any type (ext: types too); its ends may be items of other frameworks or nodes outside Shirube. */
export async function createAssociation(db: Db, documentIdentifier: string, body: unknown, by: Author): Promise<string> {
  const id = newIdentifier(isObj(body) ? body['identifier'] : undefined, 'identifier');
  const { value } = await edit(db, documentIdentifier, by, { action: 'framework.association.create', targetType: 'CFAssociation', targetId: id }, async (e) => {
    refuseIfFrozen(e.doc, 'associationType');
    if (await getAssociation(e.trx, id)) throw new ShirubeError('conflict', `identifier: a CFAssociation ${id} exists already`, 'identifier');
    const row = await associationRow(e, id, body);
    await putAssociation(e.trx, row);
    e.record('create', 'CFAssociation', id, null, row.payload);
    return id;
  });
  return value;
}

export async function updateAssociation(db: Db, documentIdentifier: string, id: string, body: unknown, mode: WriteMode, ifMatch: string | undefined, by: Author): Promise<void> {
  await edit(db, documentIdentifier, by, { action: 'framework.association.update', targetType: 'CFAssociation', targetId: id }, async (e) => {
    refuseIfFrozen(e.doc, 'associationId');
    const a = await memberAssociation(e, id);
    checkIfMatch(ifMatch, a.payload, `CFAssociation ${id}`);
    const input = mode.kind === 'merge' ? mergePatch(editable(a.payload, associationSpec).fields, body, '(body)') : body;
    const row = await associationRow(e, id, input, a);
    await putAssociation(e.trx, row);
    e.record('update', 'CFAssociation', id, a.payload, row.payload);
  });
}

export async function deleteAssociation(db: Db, documentIdentifier: string, id: string, ifMatch: string | undefined, by: Author): Promise<void> {
  await edit(db, documentIdentifier, by, { action: 'framework.association.delete', targetType: 'CFAssociation', targetId: id }, async (e) => {
    refuseIfFrozen(e.doc, 'associationId');
    const a = await memberAssociation(e, id);
    checkIfMatch(ifMatch, a.payload, `CFAssociation ${id}`);
    await deleteAssociations(e.trx, [id]);
    e.record('delete', 'CFAssociation', id, a.payload, null);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Definitions (CFConcepts, CFSubjects, CFLicenses, CFItemTypes, CFAssociationGroupings)

export const definitionLists = Object.keys(definitionKinds) as DefinitionListName[];

export function definitionKindOf(list: string): DefinitionKind {
  if (!(list in definitionKinds)) throw bad('list', `must be one of ${definitionLists.join(', ')}`);
  return definitionKinds[list as DefinitionListName];
}

async function memberDefinition(e: Edit, kind: DefinitionKind, id: string, changing: boolean): Promise<DefinitionRow> {
  const d = await getDefinition(e.trx, id, kind);
  if (!d || !(await isMember(e.trx, e.doc.identifier, 'CFDefinition', id))) throw new ShirubeError('not_found', `No ${kind} ${id} in framework ${e.doc.identifier}`, 'definitionId');
  const others = changing ? (await memberDocuments(e.trx, id)).filter((x) => x.identifier !== e.doc.identifier) : [];
  if (others.length) throw new ShirubeError('conflict', `definitionId: ${kind} ${id} is shared with framework ${others[0]!.identifier}; change it there`, 'definitionId');
  return d;
}

export async function createDefinition(db: Db, documentIdentifier: string, list: string, body: unknown, by: Author): Promise<string> {
  const kind = definitionKindOf(list);
  const id = newIdentifier(isObj(body) ? body['identifier'] : undefined, 'identifier');
  const { value } = await edit(db, documentIdentifier, by, { action: 'framework.definition.create', targetType: kind, targetId: id }, async (e) => {
    refuseIfFrozen(e.doc, list);
    if (await getDefinition(e.trx, id)) throw new ShirubeError('conflict', `identifier: a definition ${id} exists already`, 'identifier');
    const payload = stored(e, id, undefined, await checkFields(e, definitionSpecs[kind], body, '(body)'));
    await putDefinition(e.trx, e.doc.identifier, { identifier: id, kind, payload, lastChange: e.now });
    e.record('create', kind, id, null, payload);
    return id;
  });
  return value;
}

export async function updateDefinition(db: Db, documentIdentifier: string, list: string, id: string, body: unknown, mode: WriteMode, ifMatch: string | undefined, by: Author): Promise<void> {
  const kind = definitionKindOf(list);
  await edit(db, documentIdentifier, by, { action: 'framework.definition.update', targetType: kind, targetId: id }, async (e) => {
    refuseIfFrozen(e.doc, 'definitionId');
    const d = await memberDefinition(e, kind, id, true);
    checkIfMatch(ifMatch, d.payload, `${kind} ${id}`);
    const { fields, kept } = editable(d.payload, definitionSpecs[kind]);
    const input = mode.kind === 'merge' ? mergePatch(fields, body, '(body)') : body;
    const payload = stored(e, id, d.payload, await checkFields(e, definitionSpecs[kind], input, '(body)', kept));
    await putDefinition(e.trx, e.doc.identifier, { identifier: id, kind, payload, lastChange: e.now });
    e.record('update', kind, id, d.payload, payload);
  });
}

export async function deleteDefinition(db: Db, documentIdentifier: string, list: string, id: string, ifMatch: string | undefined, by: Author): Promise<void> {
  const kind = definitionKindOf(list);
  await edit(db, documentIdentifier, by, { action: 'framework.definition.delete', targetType: kind, targetId: id }, async (e) => {
    refuseIfFrozen(e.doc, 'definitionId');
    const d = await memberDefinition(e, kind, id, false);
    checkIfMatch(ifMatch, d.payload, `${kind} ${id}`);
    const users = await itemsNaming(e.trx, e.doc.identifier, id);
    if (users.length) throw new ShirubeError('conflict', `definitionId: ${users.length} CFItems link to ${kind} ${id} (e.g. ${users[0]}); change them first`, 'definitionId');
    await removeMember(e.trx, e.doc.identifier, 'CFDefinition', id);
    e.record('delete', kind, id, d.payload, null);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The CFDocument

const DRAFT_STATUSES = ['Private Draft', 'Draft', 'Pending Implementation'];

/** Creates an empty framework (Private Draft unless a draft status is given); an organization author's belongs to the organization. */
export async function createFramework(db: Db, body: unknown, by: Author & { organizationId: string | null }): Promise<string> {
  if (!isObj(body)) throw bad('(body)', 'must be a CFDocument object');
  const id = newIdentifier(body['identifier'], 'identifier');
  const status = body['adoptionStatus'] ?? 'Private Draft';
  if (typeof status !== 'string' || !DRAFT_STATUSES.includes(status)) throw bad('adoptionStatus', `a new framework starts as ${DRAFT_STATUSES.join(', ')}; publish it later (PUT …/adoption-status)`);
  const { adoptionStatus: _s, ...rest } = body;
  await db.transaction().execute(async (trx) => {
    if (await getDocument(trx, id)) throw new ShirubeError('conflict', `identifier: a framework ${id} exists already`, 'identifier');
    const now = by.now ?? new Date();
    await trx.insertInto('cf_document').values({
      identifier: id, payload: JSON.stringify({ identifier: id }) as never, title: '', creator: '', adoption_status: status, authored: true,
      organization_id: by.organizationId, package_extensions: null, definitions_extensions: null, source_url: null, last_change_date_time: now,
    }).execute();
    const doc = (await lockDocument(trx, id))!;
    const e: Edit = { trx, doc, now, changed: now.toISOString(), by, record: () => {} };
    const fields = await checkFields(e, documentSpec, rest, '(body)');
    const payload: Obj = { ...stored(e, id, undefined, fields), adoptionStatus: status, statusStartDate: e.changed.slice(0, 10) };
    await updateDocument(trx, id, payload, now);
    await bumpCaseGeneration(trx);
    await addChanges(trx, [{ documentIdentifier: id, at: now, actor: by.actor, action: 'create', entityType: 'CFDocument', entityIdentifier: id, before: null, after: payload }]);
    await audit(trx, { actor: by.actor, action: 'framework.create', targetType: 'CFDocument', targetId: id, details: { title: payload['title'] } });
  });
  return id;
}

/** Replaces or merge-patches the CFDocument's metadata (status fields go through the adoption-status workflow). */
export async function updateFramework(db: Db, documentIdentifier: string, body: unknown, mode: WriteMode, ifMatch: string | undefined, by: Author): Promise<void> {
  await edit(db, documentIdentifier, by, { action: 'framework.update', targetType: 'CFDocument', targetId: documentIdentifier }, async (e) => {
    checkIfMatch(ifMatch, e.doc.payload, `CFDocument ${documentIdentifier}`);
    refuseIfFrozen(e.doc, 'CFDocument');
    const { adoptionStatus: s, statusStartDate: a, statusEndDate: b, ...payload } = e.doc.payload;
    const status = { ...(s !== undefined ? { adoptionStatus: s } : {}), ...(a !== undefined ? { statusStartDate: a } : {}), ...(b !== undefined ? { statusEndDate: b } : {}) };
    for (const k of ['adoptionStatus', 'statusStartDate', 'statusEndDate']) {
      if (isObj(body) && body[k] !== undefined && body[k] !== status[k as keyof typeof status]) throw bad(k, 'changes through PUT …/adoption-status');
    }
    const input = isObj(body) ? Object.fromEntries(Object.entries(body).filter(([k]) => !(k in status) && !['adoptionStatus', 'statusStartDate', 'statusEndDate'].includes(k))) : body;
    const { fields, kept } = editable(payload, documentSpec);
    const merged = mode.kind === 'merge' ? mergePatch(fields, input, '(body)') : input;
    e.docPayload = { ...stored(e, documentIdentifier, e.doc.payload, await checkFields(e, documentSpec, merged, '(body)', kept)), ...status };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reads for editors

/** One entity of a framework with its entity tag (for If-Match). */
export async function readItem(db: Db, documentIdentifier: string, itemId: string): Promise<ItemRow> {
  const item = await getItem(db, itemId);
  if (!item || !(await isMember(db, documentIdentifier, 'CFItem', itemId))) throw new ShirubeError('not_found', `No CFItem ${itemId} in framework ${documentIdentifier}`, 'itemId');
  return item;
}

export async function readAssociation(db: Db, documentIdentifier: string, id: string): Promise<AssociationRow> {
  const a = await getAssociation(db, id);
  if (!a || a.documentIdentifier !== documentIdentifier) throw new ShirubeError('not_found', `No CFAssociation ${id} in framework ${documentIdentifier}`, 'associationId');
  return a;
}

export async function readDefinition(db: Db, documentIdentifier: string, list: string, id: string): Promise<DefinitionRow> {
  const kind = definitionKindOf(list);
  const d = await getDefinition(db, id, kind);
  if (!d || !(await isMember(db, documentIdentifier, 'CFDefinition', id))) throw new ShirubeError('not_found', `No ${kind} ${id} in framework ${documentIdentifier}`, 'definitionId');
  return d;
}

export async function readRubric(db: Db, documentIdentifier: string, id: string): Promise<RubricRow> {
  const r = await getRubric(db, id);
  if (!r || !(await isMember(db, documentIdentifier, 'CFRubric', id))) throw new ShirubeError('not_found', `No CFRubric ${id} in framework ${documentIdentifier}`, 'rubricId');
  return r;
}

/** A node of the editor's tree: an item, where it sits, and its children in sequenceNumber order. */
export interface TreeNode {
  identifier: string;
  fullStatement: string;
  humanCodingScheme: string | null;
  CFItemType: string | null;
  lastChangeDateTime: string;
  etag: string;
  association: { identifier: string; sequenceNumber: number | null; etag: string };
  children: TreeNode[];
}

/** The framework as a tree of isChildOf links (for a tree editor), and the package's items outside the tree. */
export async function frameworkTree(db: Db, documentIdentifier: string): Promise<{ etag: string; children: TreeNode[]; unplaced: Array<Omit<TreeNode, 'association' | 'children'>> }> {
  const rows = await loadPackage(db, documentIdentifier);
  if (!rows) throw new ShirubeError('not_found', `No framework (CFDocument) ${documentIdentifier}`, 'id');
  const items = new Map(rows.items.map((i) => [i.identifier, i]));
  const links = rows.associations.filter((a) => a.associationType === 'isChildOf').sort(byOrder);
  const summary = (i: ItemRow) => ({
    identifier: i.identifier, fullStatement: String(i.payload['fullStatement'] ?? ''), humanCodingScheme: i.humanCodingScheme,
    CFItemType: typeof i.payload['CFItemType'] === 'string' ? i.payload['CFItemType'] : null, lastChangeDateTime: i.lastChange.toISOString(), etag: entityTag(i.payload),
  });
  const byParent = new Map<string, AssociationRow[]>();
  for (const a of links) byParent.set(a.destinationIdentifier, [...(byParent.get(a.destinationIdentifier) ?? []), a]);
  const placed = new Set<string>();
  const childrenOf = (parent: string, path: Set<string>): TreeNode[] =>
    (byParent.get(parent) ?? []).filter((a) => items.has(a.originIdentifier) && !path.has(a.originIdentifier)).map((a) => {
      placed.add(a.originIdentifier);
      return {
        ...summary(items.get(a.originIdentifier)!),
        association: { identifier: a.identifier, sequenceNumber: a.sequenceNumber, etag: entityTag(a.payload) },
        children: childrenOf(a.originIdentifier, new Set([...path, a.originIdentifier])),
      };
    });
  const children = childrenOf(documentIdentifier, new Set());
  return { etag: entityTag(rows.document.payload), children, unplaced: rows.items.filter((i) => !placed.has(i.identifier)).map(summary) };
}
