import type { PackageRows } from '../store/case.js';
import { ShirubeError } from '../errors.js';
import {
  definitionKinds,
  type CFAssociation,
  type CFDefinitions,
  type CFPackage,
  type DefinitionListName,
} from './model.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** CASE date-times; legacy data has no zone (treated as UTC) or a space instead of `T`. */
export function parseCaseDateTime(v: unknown): Date | undefined {
  if (typeof v !== 'string' || !v.trim()) return undefined;
  let s = v.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) s += 'Z';
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The identifier a link points at: LinkURI.identifier, or the last path segment of a legacy plain-string URI. */
export function linkIdentifier(link: unknown): string | undefined {
  if (isObj(link) && typeof link['identifier'] === 'string') return link['identifier'];
  if (typeof link === 'string' && link) return link.replace(/[?#].*$/, '').split(/[/:]/).filter(Boolean).pop();
  return undefined;
}

const seqNumber = (v: unknown): number | null => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : null;
};

export interface PackageRowOptions {
  authored: boolean;
  isCourseOfStudy?: boolean;
  organizationId?: string | null;
  sourceUrl?: string | null;
  /** Used for entities that carry no lastChangeDateTime (lenient import). */
  now?: Date;
  /** Provenance per association identifier (relations estimated or reviewed in Shirube). */
  provenance?: ReadonlyMap<string, Obj>;
}

const need = (cond: unknown, field: string, message: string) => {
  if (!cond) throw new ShirubeError('invalid_request', `${field}: ${message}`, field);
};

/**
 * Turns a CFPackage into the rows the store keeps. Every entity's payload is the object as given (nothing dropped
 * or rewritten); only the columns used to query are derived, leniently (see docs/case.md, "Import leniency").
 * Fields a store cannot do without (identifiers, association endpoints) are checked, naming the path.
 */
export function packageToRows(pkg: CFPackage, opts: PackageRowOptions): PackageRows {
  const now = opts.now ?? new Date();
  need(isObj(pkg), '(body)', 'a CFPackage must be a JSON object');
  const doc = pkg.CFDocument;
  need(isObj(doc), 'CFDocument', 'is required and must be an object');
  need(typeof doc.identifier === 'string' && doc.identifier, 'CFDocument.identifier', 'is required');
  need(typeof doc.title === 'string', 'CFDocument.title', 'is required and must be a string');
  const at = (v: unknown) => parseCaseDateTime(v) ?? now;
  const arr = (v: unknown, field: string): Obj[] => {
    if (v === undefined || v === null) return [];
    need(Array.isArray(v), field, 'must be an array');
    (v as unknown[]).forEach((x, i) => {
      need(isObj(x), `${field}[${i}]`, 'must be an object');
      need(typeof (x as Obj)['identifier'] === 'string' && (x as Obj)['identifier'], `${field}[${i}].identifier`, 'is required');
    });
    return v as Obj[];
  };
  const items = arr(pkg.CFItems, 'CFItems');
  const associations = arr(pkg.CFAssociations, 'CFAssociations');
  const rubrics = arr(pkg.CFRubrics, 'CFRubrics');
  const defs: CFDefinitions = isObj(pkg.CFDefinitions) ? pkg.CFDefinitions : {};
  need(pkg.CFDefinitions === undefined || pkg.CFDefinitions === null || isObj(pkg.CFDefinitions), 'CFDefinitions', 'must be an object');

  const docId = doc.identifier;
  const { CFDocument: _d, CFItems: _i, CFAssociations: _a, CFDefinitions: _f, CFRubrics: _r, ...packageRest } = pkg;
  const { extensions: _defExt, ...definitionsRest } = defs;
  for (const k of Object.keys(definitionsRest)) {
    if (!(k in definitionKinds)) throw new ShirubeError('invalid_request', `CFDefinitions.${k}: unknown definition list`, `CFDefinitions.${k}`);
  }
  return {
    document: {
      identifier: docId,
      payload: doc,
      title: doc.title,
      creator: typeof doc.creator === 'string' ? doc.creator : '',
      adoptionStatus: typeof doc.adoptionStatus === 'string' ? doc.adoptionStatus : null,
      lastChange: at(doc.lastChangeDateTime),
      authored: opts.authored,
      isCourseOfStudy: opts.isCourseOfStudy ?? false,
      organizationId: opts.organizationId ?? null,
      // Anything at package level besides the five lists (extensions, CFPackageURI...) is kept here.
      packageExtensions: Object.keys(packageRest).length ? packageRest : null,
      definitionsExtensions: defs.extensions !== undefined ? { extensions: defs.extensions } : null,
      sourceUrl: opts.sourceUrl ?? null,
    },
    items: items.map((i) => ({
      identifier: i['identifier'] as string,
      payload: i,
      documentIdentifier: linkIdentifier(i['CFDocumentURI']) ?? docId,
      humanCodingScheme: typeof i['humanCodingScheme'] === 'string' ? i['humanCodingScheme'] : null,
      lastChange: at(i['lastChangeDateTime']),
      authored: opts.authored,
    })),
    associations: associations.map((a, n) => {
      const origin = linkIdentifier(a['originNodeURI']);
      const destination = linkIdentifier(a['destinationNodeURI']);
      need(origin, `CFAssociations[${n}].originNodeURI`, 'is required (a LinkGenURI with an identifier)');
      need(destination, `CFAssociations[${n}].destinationNodeURI`, 'is required (a LinkGenURI with an identifier)');
      need(typeof a['associationType'] === 'string', `CFAssociations[${n}].associationType`, 'is required');
      const id = a['identifier'] as string;
      return {
        identifier: id,
        payload: a,
        documentIdentifier: docId,
        associationType: (a as CFAssociation).associationType,
        originIdentifier: origin!,
        destinationIdentifier: destination!,
        sequenceNumber: seqNumber(a['sequenceNumber']),
        provenance: opts.provenance?.get(id) ?? null,
        lastChange: at(a['lastChangeDateTime']),
        authored: opts.authored,
      };
    }),
    definitions: (Object.keys(definitionKinds) as DefinitionListName[]).flatMap((list) =>
      arr(defs[list], `CFDefinitions.${list}`).map((x) => ({
        identifier: x['identifier'] as string,
        kind: definitionKinds[list],
        payload: x,
        lastChange: at(x['lastChangeDateTime']),
        authored: opts.authored,
      })),
    ),
    rubrics: rubrics.map((x) => ({
      identifier: x['identifier'] as string,
      payload: x,
      lastChange: at(x['lastChangeDateTime']),
      authored: opts.authored,
    })),
  };
}

/** The stored package, as it was given (for imports) or authored: the inverse of packageToRows. */
export function rowsToPackage(rows: PackageRows): CFPackage {
  const { document: d } = rows;
  const definitions: CFDefinitions = {};
  for (const [list, kind] of Object.entries(definitionKinds) as Array<[DefinitionListName, string]>) {
    const xs = rows.definitions.filter((x) => x.kind === kind).map((x) => x.payload);
    if (xs.length) (definitions as Obj)[list] = xs;
  }
  if (d.definitionsExtensions && 'extensions' in d.definitionsExtensions) definitions.extensions = d.definitionsExtensions['extensions'] as Obj;
  const pkg: CFPackage = {
    CFDocument: d.payload as CFPackage['CFDocument'],
    CFItems: rows.items.map((x) => x.payload) as CFPackage['CFItems'],
    CFAssociations: rows.associations.map((x) => x.payload) as CFPackage['CFAssociations'],
    ...(Object.keys(definitions).length ? { CFDefinitions: definitions } : {}),
    ...(rows.rubrics.length ? { CFRubrics: rows.rubrics.map((x) => x.payload) as CFPackage['CFRubrics'] } : {}),
    ...(d.packageExtensions ?? {}),
  };
  return pkg;
}
