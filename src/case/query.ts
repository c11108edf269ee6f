import { ShirubeError } from '../errors.js';
import type { CaseVersion } from './model.js';

/**
 * getAllCFDocuments' collection parameters, as the CASE 1.1 REST binding §3 defines them: limit/offset (§3.1),
 * sort/orderBy (§3.2), filter (§3.3), fields (§3.4). Applied to the serialized CFDocuments (what the consumer sees).
 */
export interface CollectionQuery {
  limit?: number | undefined;
  offset?: number | undefined;
  sort?: string | undefined;
  orderBy?: 'asc' | 'desc' | undefined;
  filter?: string | undefined;
  fields?: string | undefined;
}

export type Predicate = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~';
export interface Comparison { field: string; predicate: Predicate; value: string }
/** Disjunctive normal form: OR of ANDs (AND binds tighter, as usual). */
export type Filter = Comparison[][];

export const DEFAULT_LIMIT = 100;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** CFDocument's fields per version; nested LinkURI fields may be used with a dot (licenseURI.title). */
const LINK_FIELDS = ['title', 'identifier', 'uri'];
const documentFields = {
  '1.0': [
    'identifier', 'uri', 'creator', 'title', 'lastChangeDateTime', 'officialSourceURL', 'publisher', 'description', 'subject',
    'subjectURI', 'language', 'version', 'adoptionStatus', 'statusStartDate', 'statusEndDate', 'licenseURI', 'notes', 'CFPackageURI',
  ],
  '1.1': [] as string[],
};
documentFields['1.1'] = [...documentFields['1.0'], 'frameworkType', 'caseVersion', 'extensions'];
const linkFields = new Set(['subjectURI', 'licenseURI', 'CFPackageURI']);
const dateFields = new Set(['lastChangeDateTime', 'statusStartDate', 'statusEndDate']);

/** Is `path` a field of CFDocument in this version (top level, a LinkURI part, or anything under extensions)? */
export function isDocumentField(path: string, version: CaseVersion): boolean {
  const [head, ...rest] = path.split('.');
  if (!head || !documentFields[version].includes(head)) return false;
  if (rest.length === 0) return true;
  if (head === 'extensions') return rest.every(Boolean);
  return linkFields.has(head) && rest.length === 1 && LINK_FIELDS.includes(rest[0]!);
}

const bad = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);

const PREDICATES: Predicate[] = ['!=', '>=', '<=', '=', '>', '<', '~'];
const LOGICAL = /^ (AND|OR) /;

/**
 * Parses `<field><pred>'<value>'[ AND|OR <field><pred>'<value>']…`. A value runs to the quote that ends the filter
 * or precedes ` AND ` / ` OR `, so values may themselves hold quotes (O'Neil).
 */
export function parseFilter(text: string): Filter {
  const groups: Filter = [[]];
  let i = 0;
  const fail = (what: string) => bad('filter', `${what} at position ${i + 1} of "${text}"; expected <field><predicate>'<value>' joined by " AND " or " OR "`);
  while (true) {
    const fieldMatch = /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)/.exec(text.slice(i));
    if (!fieldMatch) throw fail('a field name is missing');
    const field = fieldMatch[1]!;
    i += field.length;
    const predicate = PREDICATES.find((p) => text.startsWith(p, i));
    if (!predicate) throw fail(`no predicate (one of ${PREDICATES.join(' ')}) after "${field}"`);
    i += predicate.length;
    if (text[i] !== "'") throw fail(`the value for "${field}" must be in single quotes`);
    let end = -1;
    for (let j = i + 1; j < text.length; j++) {
      if (text[j] === "'" && (j === text.length - 1 || LOGICAL.test(text.slice(j + 1)))) {
        end = j;
        break;
      }
    }
    if (end < 0) throw fail(`the value for "${field}" has no closing quote`);
    groups[groups.length - 1]!.push({ field, predicate, value: text.slice(i + 1, end) });
    i = end + 1;
    if (i >= text.length) return groups;
    const logical = LOGICAL.exec(text.slice(i))!;
    if (logical[1] === 'OR') groups.push([]);
    i += logical[0].length;
  }
}

// Case-insensitive comparison under the Unicode Collation Algorithm (ICU via Intl): accents still count, case does not.
const collator = new Intl.Collator('und', { sensitivity: 'accent' });
const fold = (s: string) => s.normalize('NFKC').toLocaleLowerCase('und');

/** The values at a dotted path, flattened through arrays (subjectURI.title → every title). */
function valuesAt(record: unknown, path: string[]): unknown[] {
  if (path.length === 0) return Array.isArray(record) ? record : [record];
  if (Array.isArray(record)) return record.flatMap((x) => valuesAt(x, path));
  if (!isObj(record) || !(path[0]! in record)) return [];
  return valuesAt(record[path[0]!], path.slice(1));
}

const asText = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

function compareScalar(field: string, a: string, b: string): number {
  if (dateFields.has(field.split('.')[0]!)) {
    const [x, y] = [Date.parse(a), Date.parse(b)];
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  }
  return collator.compare(a, b);
}

/**
 * One comparison on one record. Arrays (binding §3.3): the value is a comma-separated list; `=` holds when the
 * record's array and the list hold the same values (AND semantics), `~` when any listed value is contained in any
 * element (OR semantics); `!=` is the negation of `=`; `< <= > >=` hold when some element compares so.
 */
function matches(record: Obj, c: Comparison): boolean {
  const path = c.field.split('.');
  const raw = valuesAt(record, path);
  const isArray = raw.length !== 1 || Array.isArray(isObj(record) ? record[path[0]!] : undefined);
  const values = raw.map(asText).filter((v): v is string => v !== undefined);
  const wanted = isArray ? c.value.split(',').map((s) => s.trim()).filter(Boolean) : [c.value];
  const eq = (a: string, b: string) => compareScalar(c.field, a, b) === 0;
  const equal = () =>
    values.length > 0 && values.every((v) => wanted.some((w) => eq(v, w))) && wanted.every((w) => values.some((v) => eq(v, w)));
  switch (c.predicate) {
    case '=': return equal();
    case '!=': return !equal();
    case '~': return wanted.some((w) => values.some((v) => fold(v).includes(fold(w))));
    default: {
      const ok = { '>': (n: number) => n > 0, '>=': (n: number) => n >= 0, '<': (n: number) => n < 0, '<=': (n: number) => n <= 0 }[c.predicate];
      return values.some((v) => ok(compareScalar(c.field, v, c.value)));
    }
  }
}

export interface CollectionResult<T> {
  /** The page, after field selection. */
  page: T[];
  /** How many records matched the filter (X-Total-Count). */
  total: number;
  limit: number;
  offset: number;
  /** Set when `sort` named no field: the default order was used (invalid_sort_field, a success/warning). */
  sortWarning?: string;
}

/**
 * Applies filter → sort → offset/limit → fields to serialized CFDocuments (given in the default order).
 * Throws invalid_request naming `filter` for a malformed filter or an unknown filter field (the binding's
 * "invalid_filter_field": no data is returned) and naming `fields` for a blank field selection.
 */
export function applyCollectionQuery(records: Obj[], q: CollectionQuery, version: CaseVersion): CollectionResult<Obj> {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const offset = q.offset ?? 0;
  let fields: string[] | undefined;
  if (q.fields !== undefined) {
    const list = q.fields.split(',').map((s) => s.trim());
    if (list.some((s) => s === '')) throw bad('fields', 'a blank field was requested (invalid_selection_field); list field names separated by commas');
    // An unknown field selects every field (binding §3.4).
    fields = list.every((s) => isDocumentField(s, version) && !s.includes('.')) ? list : undefined;
  }
  let rows = records;
  if (q.filter !== undefined) {
    const filter = parseFilter(q.filter);
    const unknown = filter.flat().find((c) => !isDocumentField(c.field, version));
    if (unknown) throw bad('filter', `invalid_filter_field: CFDocument has no field "${unknown.field}"`);
    rows = rows.filter((r) => filter.some((group) => group.every((c) => matches(r, c))));
  }
  let sortWarning: string | undefined;
  if (q.sort !== undefined) {
    if (isDocumentField(q.sort, version)) {
      const path = q.sort.split('.');
      const key = (r: Obj) => valuesAt(r, path).map(asText).filter((v) => v !== undefined).join(',');
      const dir = q.orderBy === 'desc' ? -1 : 1;
      // Records without the field go last in either direction; ties keep the default order (stable sort).
      rows = [...rows].sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        if (!x || !y) return x ? -1 : y ? 1 : 0;
        return dir * compareScalar(q.sort!, x, y);
      });
    } else {
      sortWarning = `invalid_sort_field: CFDocument has no field "${q.sort}"; the default order (title) was used`;
    }
  } else if (q.orderBy === 'desc') {
    rows = [...rows].reverse();
  }
  const page = rows.slice(offset, offset + limit).map((r) => (fields ? Object.fromEntries(fields.filter((k) => k in r).map((k) => [k, r[k]])) : r));
  return { page, total: rows.length, limit, offset, ...(sortWarning ? { sortWarning } : {}) };
}

/** first/prev/next/last page links for the Link header (binding §3.1). */
export function pageLinks(total: number, limit: number, offset: number): Array<{ rel: 'first' | 'prev' | 'next' | 'last'; limit: number; offset: number }> {
  const last = total > 0 ? Math.floor((total - 1) / limit) * limit : 0;
  return [
    { rel: 'first' as const, limit, offset: 0 },
    ...(offset > 0 ? [{ rel: 'prev' as const, limit, offset: Math.max(0, offset - limit) }] : []),
    ...(offset + limit < total ? [{ rel: 'next' as const, limit, offset: offset + limit }] : []),
    { rel: 'last' as const, limit, offset: Math.max(last, 0) },
  ];
}
