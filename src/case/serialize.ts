import type { AssociationRow, DefinitionRow, DocumentRow, ItemRow, PackageRows, RubricRow } from '../store/case.js';
import { associationTypes, definitionKinds, isOfficial, LOCAL_BASE, type CaseVersion, type DefinitionKind, type DefinitionListName } from './model.js';
import { linkIdentifier } from './package.js';

/**
 * Stored rows → CASE JSON (1.0 or 1.1). The stored payloads are never modified: every function builds new objects.
 * Output is strict by default: only what the official schema forbids or requires is normalised, field by field, as
 * listed in docs/case-normalisation.md. `uriExtras` adds CFDocumentURI / CFPackageURI inside packages.
 */
export interface SerializeOptions {
  version: CaseVersion;
  /** SHIRUBE_PUBLIC_URL, without a trailing slash: replaces `shirube-local:` in authored entities. */
  publicUrl: string;
  /** Add CFPackageURI to the package's CFDocument and CFDocumentURI to its items and associations (not schema-valid). */
  uriExtras?: boolean;
}

export type Json = Record<string, unknown>;

type Kind =
  | 'string' | 'uri' | 'dateTime' | 'date' | 'int' | 'float' | 'strings' | 'link' | 'links' | 'genLink'
  | 'ext' | 'extArray' | 'associationType' | 'caseVersion' | { list: ClassSpec };
interface FieldSpec { kind: Kind; required?: true; since11?: true }
type ClassSpec = Record<string, FieldSpec>;

const f = (kind: Kind, ...flags: Array<'required' | '1.1'>): FieldSpec => ({
  kind,
  ...(flags.includes('required') ? { required: true as const } : {}),
  ...(flags.includes('1.1') ? { since11: true as const } : {}),
});
const base = { identifier: f('string', 'required'), uri: f('uri', 'required') };
const changed = { lastChangeDateTime: f('dateTime', 'required') };
const ext = { extensions: f('ext', '1.1') };

/** The official v1p1 classes (CFPckg* variants), in the schema's property order; `since11` fields are removed in 1.0. */
const spec = {
  CFDocument: {
    ...base, frameworkType: f('string', '1.1'), caseVersion: f('caseVersion', '1.1'), creator: f('string', 'required'),
    title: f('string', 'required'), ...changed, officialSourceURL: f('uri'), publisher: f('string'), description: f('string'),
    subject: f('strings'), subjectURI: f('links'), language: f('string'), version: f('string'), adoptionStatus: f('string'),
    statusStartDate: f('date'), statusEndDate: f('date'), licenseURI: f('link'), notes: f('string'), ...ext,
  },
  CFItem: {
    identifier: base.identifier, fullStatement: f('string', 'required'), alternativeLabel: f('string'), CFItemType: f('string'),
    uri: base.uri, humanCodingScheme: f('string'), listEnumeration: f('string'), abbreviatedStatement: f('string'),
    conceptKeywords: f('strings'), conceptKeywordsURI: f('link'), notes: f('string'), subject: f('strings', '1.1'),
    subjectURI: f('links', '1.1'), language: f('string'), educationLevel: f('strings'), CFItemTypeURI: f('link'),
    licenseURI: f('link'), statusStartDate: f('date'), statusEndDate: f('date'), ...changed, ...ext,
  },
  CFAssociation: {
    identifier: base.identifier, associationType: f('associationType', 'required'), sequenceNumber: f('int'), uri: base.uri,
    originNodeURI: f('genLink', 'required'), destinationNodeURI: f('genLink', 'required'), CFAssociationGroupingURI: f('link'),
    ...changed, notes: f('string', '1.1'), ...ext,
  },
  CFConcept: {
    ...base, title: f('string', 'required'), keywords: f('string'), hierarchyCode: f('string', 'required'),
    description: f('string'), ...changed, ...ext,
  },
  CFSubject: { ...base, title: f('string', 'required'), hierarchyCode: f('string', 'required'), description: f('string'), ...changed, ...ext },
  CFLicense: { ...base, title: f('string', 'required'), description: f('string'), licenseText: f('string', 'required'), ...changed, ...ext },
  CFItemType: {
    ...base, title: f('string', 'required'), description: f('string', 'required'), hierarchyCode: f('string', 'required'),
    typeCode: f('string'), ...changed, ...ext,
  },
  CFAssociationGrouping: { ...base, title: f('string', 'required'), description: f('string'), ...changed, ...ext },
  CFRubric: {
    ...base, title: f('string'), description: f('string'), ...changed,
    CFRubricCriteria: f({
      list: {
        ...base, category: f('string'), description: f('string'), CFItemURI: f('link'), weight: f('float'), position: f('int'),
        rubricId: f('string'), ...changed,
        CFRubricCriterionLevels: f({
          list: {
            ...base, description: f('string'), quality: f('string'), score: f('float'), feedback: f('string'),
            position: f('int'), rubricCriterionId: f('string'), ...changed,
            // The schema makes this one an array (a spec slip, kept: the schema decides).
            extensions: f('extArray', '1.1'),
          },
        }),
        ...ext,
      },
    }),
    ...ext,
  },
} satisfies Record<string, ClassSpec>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Absolute URI without characters RFC 3986 forbids (what the schema's `format: uri` accepts). */
export const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s"<>\\^`{|}]*$/;
const RFC3339 = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})$/;
const EXT_TOKEN = /^ext:[A-Za-z0-9.\-_]+$/;

/** A CASE date-time as RFC 3339: legacy values without a zone are UTC (`Z` appended), a space becomes `T`. */
export function caseDateTime(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  let s = v.trim().replace(/^(\d{4}-\d{2}-\d{2})[ t]/, '$1T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00Z';
  s = s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(/z$/, 'Z');
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s += 'Z';
  s = s.replace(/T(\d{2}:\d{2})(Z|[+-])/, 'T$1:00$2');
  const m = RFC3339.exec(s);
  return m && !Number.isNaN(Date.parse(s)) ? s : undefined;
}

/** A CASE date (`YYYY-MM-DD`): the date part of a date-time is taken. */
function caseDate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/.exec(v.trim());
  return m && !Number.isNaN(Date.parse(m[1]!)) ? m[1] : undefined;
}

const scalarString = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/** Legacy spellings of association types (e.g. "Is Related To") map to the vocabulary; other tokens become `ext:`. */
function associationType(v: unknown, version: CaseVersion): string {
  const s = typeof v === 'string' ? v.trim() : '';
  const squashed = s.replace(/[\s_-]+/g, '').toLowerCase();
  const known = associationTypes.find((t) => t.toLowerCase() === squashed);
  if (version === '1.0') return known && known !== 'isTranslationOf' ? known : 'isRelatedTo';
  if (known) return known;
  if (EXT_TOKEN.test(s)) return s;
  const token = s.replace(/^ext:/, '').replace(/[^A-Za-z0-9.\-_]+/g, '');
  return token ? `ext:${token}` : 'isRelatedTo';
}

/** What a serializer needs besides the payload: the row's own facts and the output options. */
interface Ctx extends SerializeOptions {
  lastChange: Date;
}

const resolver = (ctx: Ctx, identifier: string) => `${ctx.publicUrl}/uri/${encodeURIComponent(identifier)}`;

/** LinkURI / LinkGenURI: legacy plain strings become objects; missing parts come from the uri or `title`. */
function link(v: unknown, ctx: Ctx, gen: boolean, fallbackTitle = ''): Obj | undefined {
  const o: Obj = isObj(v) ? v : typeof v === 'string' && v ? { uri: v } : {};
  const identifier = scalarString(o['identifier']) ?? linkIdentifier(o['uri']);
  if (!identifier) return undefined;
  const uri = typeof o['uri'] === 'string' && URI.test(o['uri']) ? o['uri'] : resolver(ctx, identifier);
  const out: Obj = { title: scalarString(o['title']) ?? fallbackTitle, identifier, uri };
  const target = o['targetType'];
  if (gen && ctx.version === '1.1' && typeof target === 'string' && (target === 'CASE' || EXT_TOKEN.test(target))) out['targetType'] = target;
  return out;
}

function value(kind: Kind, v: unknown, ctx: Ctx): unknown {
  if (v === null || v === undefined) return undefined;
  switch (kind) {
    case 'string': return scalarString(v);
    case 'uri': return typeof v === 'string' && URI.test(v) ? v : undefined;
    case 'dateTime': return caseDateTime(v);
    case 'date': return caseDate(v);
    case 'int': {
      const n = typeof v === 'string' && v.trim() ? Number(v) : v;
      return typeof n === 'number' && Number.isInteger(n) && Math.abs(n) < 2 ** 31 ? n : undefined;
    }
    case 'float': {
      const n = typeof v === 'string' && v.trim() ? Number(v) : v;
      return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
    }
    case 'strings':
      if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
      return Array.isArray(v) ? v.map(scalarString).filter((s): s is string => s !== undefined) : undefined;
    case 'link': return link(Array.isArray(v) ? v[0] : v, ctx, false);
    case 'links': return (Array.isArray(v) ? v : [v]).map((x) => link(x, ctx, false)).filter((x) => x !== undefined);
    case 'genLink': return link(v, ctx, true);
    case 'ext': return isObj(v) ? v : undefined;
    case 'extArray': return Array.isArray(v) ? v.filter(isObj) : isObj(v) ? [v] : undefined;
    case 'associationType': return associationType(v, ctx.version);
    case 'caseVersion': return v === '1.1' ? v : undefined;
    default:
      return Array.isArray(v) ? v.filter(isObj).map((x) => normalise(kind.list, x, ctx)) : undefined;
  }
}

/** Pre-final CASE spellings read when the standard field is absent (legacy OpenSALT: `educationalLevel: "06"`). */
const legacyNames: Record<string, string> = { educationLevel: 'educationalLevel' };

/** One object through its class spec: known fields only, in schema order; required ones always present. */
function normalise(cls: ClassSpec, payload: Obj, ctx: Ctx): Json {
  const out: Json = {};
  for (const [name, field] of Object.entries(cls)) {
    if (field.since11 && ctx.version === '1.0') continue;
    const legacy = legacyNames[name];
    let v = value(field.kind, payload[name] ?? (legacy ? payload[legacy] : undefined), ctx);
    if (v === undefined && field.required) {
      if (field.kind === 'dateTime') v = ctx.lastChange.toISOString();
      else if (field.kind === 'uri') v = resolver(ctx, String(payload['identifier'] ?? ''));
      else if (field.kind === 'string') v = '';
    }
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Authored entities store URIs under `shirube-local:`; every string starting with it gets the public URL. */
function localised<T>(v: T, publicUrl: string): T {
  if (typeof v === 'string') return (v.startsWith(LOCAL_BASE) ? publicUrl + v.slice(LOCAL_BASE.length) : v) as T;
  if (Array.isArray(v)) return v.map((x) => localised(x, publicUrl)) as T;
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, localised(x, publicUrl)])) as T;
  return v;
}

type Row = { payload: Obj; lastChange: Date; authored: boolean };
const entity = (cls: ClassSpec, row: Row, opts: SerializeOptions): Json => {
  const payload = row.authored ? localised(row.payload, opts.publicUrl) : row.payload;
  return normalise(cls, payload, { ...opts, lastChange: row.lastChange });
};
const ctxOf = (row: Row, opts: SerializeOptions): Ctx => ({ ...opts, lastChange: row.lastChange });
const payloadOf = (row: Row, opts: SerializeOptions): Obj => (row.authored ? localised(row.payload, opts.publicUrl) : row.payload);

const apiBase = (opts: SerializeOptions) => `${opts.publicUrl}/ims/case/${opts.version === '1.0' ? 'v1p0' : 'v1p1'}`;

/** CFPackageURI: the stored one (legacy strings become LinkURI) or this server's CFPackages endpoint. */
function packageUri(doc: DocumentRow, opts: SerializeOptions): Json {
  const stored = link(payloadOf(doc, opts)['CFPackageURI'], ctxOf(doc, opts), false, doc.title);
  return stored ?? { title: doc.title, identifier: doc.identifier, uri: `${apiBase(opts)}/CFPackages/${doc.identifier}` };
}

/** A LinkURI to the document itself (CFDocumentURI of its items and associations). */
export function documentLink(doc: DocumentRow, opts: SerializeOptions): Json {
  const d = entity(spec.CFDocument, doc, opts);
  return { title: d['title'], identifier: d['identifier'], uri: d['uri'] };
}

/** CFDocumentURI of an item: the stored link (title from the document when missing), else one to its document. */
function itemDocumentUri(item: ItemRow, doc: DocumentRow | undefined, opts: SerializeOptions): Json {
  const stored = link(payloadOf(item, opts)['CFDocumentURI'], ctxOf(item, opts), false, doc?.title ?? '');
  if (stored) return stored;
  if (doc) return documentLink(doc, opts);
  const id = item.documentIdentifier ?? '';
  return { title: '', identifier: id, uri: resolver(ctxOf(item, opts), id) };
}

/**
 * Shirube's marks on a framework (docs/authoring.md): official = Adopted / Implemented and not past its statusEndDate;
 * verified = its publisher is known here: an organization the administrators registered owns it, or it was built from
 * MEXT's Course of Study Code table.
 */
export function frameworkMarks(doc: DocumentRow, now = new Date()): { official: boolean; verified: boolean } {
  const end = caseDate(doc.payload['statusEndDate']);
  return { official: isOfficial(doc.adoptionStatus) && !(end && end < now.toISOString().slice(0, 10)), verified: doc.isCourseOfStudy || doc.organizationId !== null };
}

/** CFPckgDocument; `standalone` adds the required CFPackageURI (getCFDocument, getAllCFDocuments). */
export function serializeDocument(doc: DocumentRow, opts: SerializeOptions, standalone = true): Json {
  const out = entity(spec.CFDocument, doc, opts);
  const marks = frameworkMarks(doc);
  // CASE 1.1 extensions carry the marks (1.0 has no extensions); set only when one holds, so other documents are served as stored.
  if (opts.version === '1.1' && (marks.official || marks.verified)) out['extensions'] = { ...(isObj(out['extensions']) ? out['extensions'] : {}), shirube: marks };
  if (standalone || opts.uriExtras) out['CFPackageURI'] = packageUri(doc, opts);
  return out;
}

/** CFItem (standalone, with the required CFDocumentURI); `doc` is the item's own framework when stored here. */
export function serializeItem(item: ItemRow, doc: DocumentRow | undefined, opts: SerializeOptions): Json {
  return { ...entity(spec.CFItem, item, opts), CFDocumentURI: itemDocumentUri(item, doc, opts) };
}

/** CFAssociation (standalone); CFDocumentURI names the document whose package holds it. */
export function serializeAssociation(a: AssociationRow, doc: DocumentRow | undefined, opts: SerializeOptions): Json {
  const out = entity(spec.CFAssociation, a, opts);
  if (doc) out['CFDocumentURI'] = documentLink(doc, opts);
  return out;
}

/** CFAssociationSet (getCFItemAssociations): the item and the CFPckgAssociations that start or end at it. */
export function serializeItemAssociations(
  item: ItemRow,
  itemDoc: DocumentRow | undefined,
  associations: Array<{ row: AssociationRow; doc: DocumentRow | undefined }>,
  opts: SerializeOptions,
): Json {
  return {
    CFItem: serializeItem(item, itemDoc, opts),
    CFAssociations: associations.map(({ row, doc }) => {
      const out = entity(spec.CFAssociation, row, opts);
      if (opts.uriExtras && doc) out['CFDocumentURI'] = documentLink(doc, opts);
      return out;
    }),
  };
}

const listOf = Object.fromEntries(Object.entries(definitionKinds).map(([list, kind]) => [kind, list])) as Record<DefinitionKind, DefinitionListName>;

/** One definition (flat: getCFLicense, getCFAssociationGrouping). */
export function serializeDefinition(row: DefinitionRow, opts: SerializeOptions): Json {
  return entity(spec[row.kind], row, opts);
}

/**
 * CFConceptSet / CFSubjectSet / CFItemTypeSet: the requested definition first, then its children by hierarchyCode
 * (codes that extend the requested one with a dot, e.g. 1 → 1.2, 1.2.3), from `candidates` of the same kind.
 */
export function serializeDefinitionSet(row: DefinitionRow, candidates: DefinitionRow[], opts: SerializeOptions): Json {
  const first = serializeDefinition(row, opts);
  const code = typeof first['hierarchyCode'] === 'string' ? first['hierarchyCode'] : '';
  const seen = new Set([row.identifier]);
  const children = code
    ? candidates.filter((c) => {
        if (c.kind !== row.kind || seen.has(c.identifier)) return false;
        seen.add(c.identifier);
        const h = scalarString(c.payload['hierarchyCode']);
        return h !== undefined && h.startsWith(`${code}.`);
      })
    : [];
  return { [listOf[row.kind]]: [first, ...children.map((c) => serializeDefinition(c, opts))] };
}

export function serializeRubric(row: RubricRow, opts: SerializeOptions): Json {
  return entity(spec.CFRubric, row, opts);
}

/**
 * CFPackage for getCFPackage and export files. Strict (CFPckg* classes) unless `uriExtras`, which adds CFPackageURI
 * to the document and CFDocumentURI to items and associations, as OpenSALT-era consumers expect.
 */
export function serializePackage(rows: PackageRows, opts: SerializeOptions): Json {
  const doc = rows.document;
  const docLink = opts.uriExtras ? documentLink(doc, opts) : undefined;
  const definitions: Json = {};
  for (const [list, kind] of Object.entries(definitionKinds) as Array<[DefinitionListName, DefinitionKind]>) {
    const xs = rows.definitions.filter((d) => d.kind === kind);
    if (xs.length) definitions[list] = xs.map((d) => serializeDefinition(d, opts));
  }
  const defExt = doc.definitionsExtensions?.['extensions'];
  if (opts.version === '1.1' && isObj(defExt)) definitions['extensions'] = defExt;
  const pkgExt = doc.packageExtensions?.['extensions'];
  return {
    CFDocument: serializeDocument(doc, opts, false),
    CFItems: rows.items.map((i) => {
      const out = entity(spec.CFItem, i, opts);
      if (opts.uriExtras) out['CFDocumentURI'] = i.documentIdentifier === doc.identifier || !i.documentIdentifier ? docLink : itemDocumentUri(i, undefined, opts);
      // The pre-final CFItemAssociationURI (legacy OpenSALT) is another URI extra: kept as given.
      if (opts.uriExtras && i.payload['CFItemAssociationURI'] !== undefined) out['CFItemAssociationURI'] = payloadOf(i, opts)['CFItemAssociationURI'];
      return out;
    }),
    CFAssociations: rows.associations.map((a) => ({ ...entity(spec.CFAssociation, a, opts), ...(docLink ? { CFDocumentURI: docLink } : {}) })),
    ...(Object.keys(definitions).length ? { CFDefinitions: definitions } : {}),
    ...(rows.rubrics.length ? { CFRubrics: rows.rubrics.map((r) => serializeRubric(r, opts)) } : {}),
    ...(opts.version === '1.1' && isObj(pkgExt) ? { extensions: pkgExt } : {}),
  };
}
