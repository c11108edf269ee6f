import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../store/db.js';
import { associationsFrom, getItems, itemsDocuments, listDocuments, type DocumentRow, type ItemRow } from '../store/case.js';
import { ShirubeError } from '../errors.js';
import { findItemsByReferences, itemRef } from './items.js';

/**
 * The alignment check (docs/suppliers.md): a vendor's list of CFItem references (UUIDs, CASE URIs, Course of Study
 * Codes) against the frameworks here, each line answered official, current, replaced (with what replaces it),
 * deprecated or unknown.
 */
export const alignmentStatuses = ['official', 'current', 'replaced', 'deprecated', 'unknown'] as const;
export type AlignmentStatus = (typeof alignmentStatuses)[number];

/** `replacedBy` (CASE) and `isReplacedBy` as other tools write it (imported as an `ext:` type): origin is replaced by destination. */
const REPLACEMENT_TYPES = ['replacedBy', 'ext:isReplacedBy'] as const;
const OFFICIAL = new Set(['Adopted', 'Implemented']);
const ENDED = new Set(['Deprecated', 'Retired']);
/** Hops followed along replacement chains (A replaced by B replaced by C): the last item is reported. */
const MAX_HOPS = 10;
/** Header names a CSV's reference column may have (case-insensitive); otherwise the first column is read. */
const REFERENCE_COLUMNS = ['reference', 'identifier', 'uri', 'code', 'cfitem', 'cfitemuri', 'humancodingscheme', '学習指導要領コード', 'コード'];

export interface AlignmentLine {
  line: number;
  reference: string;
}

export interface AlignmentNode {
  identifier: string;
  humanCodingScheme: string | null;
  uri: string;
}

export interface AlignmentResult extends AlignmentLine {
  status: AlignmentStatus;
  /** The CFItem the reference names (the best of several, official first), null when unknown. */
  item: (AlignmentNode & { framework: { identifier: string; title: string; adoptionStatus: string | null } }) | null;
  /** What replaces it, at the end of the replacement chain (status replaced). */
  replacement: (AlignmentNode & { title: string | null }) | null;
  /** Why the status, in words (English, also in the CSV). */
  reason: string;
  /** How many CFItems the reference names (a Course of Study Code may be in several frameworks). */
  matches: number;
}

export interface AlignmentReport {
  checkedAt: string;
  total: number;
  counts: Record<AlignmentStatus, number>;
  /** The statuses the caller said fail the check, and how many lines have one. */
  failOn: AlignmentStatus[];
  failed: number;
  results: AlignmentResult[];
}

const bad = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);

/**
 * The references of an uploaded list: one per line, or a column of a CSV (named by `column`, a header name or a
 * 1-based number; by default a column headed reference, identifier, uri, code… or else the first). Empty cells are
 * skipped; each reference keeps its line number.
 */
export function parseReferenceList(text: string, column?: string): AlignmentLine[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof records;
  } catch (e) {
    throw bad('(body)', `not valid CSV (${(e as Error).message}); send one reference a line, or CSV with a header`);
  }
  if (!records.length) throw bad('(body)', 'no references: send one UUID, URI or Course of Study Code a line');
  const head = records[0]!.record.map((c) => c.toLowerCase());
  let index = 0;
  let header = false;
  if (column !== undefined && /^\d+$/.test(column)) {
    index = Number(column) - 1;
    if (index < 0) throw bad('column', 'columns are numbered from 1');
    header = head.some((c) => REFERENCE_COLUMNS.includes(c));
  } else if (column !== undefined) {
    index = head.indexOf(column.toLowerCase());
    if (index < 0) throw bad('column', `no column "${column}" in the first line (${records[0]!.record.join(', ')})`);
    header = true;
  } else {
    const named = head.findIndex((c) => REFERENCE_COLUMNS.includes(c));
    header = named >= 0;
    index = Math.max(named, 0);
  }
  return records
    .slice(header ? 1 : 0)
    .map((r) => ({ line: r.info.lines, reference: r.record[index] ?? '' }))
    .filter((r) => r.reference !== '');
}

/** The references of a JSON body: an array of strings, or `{ "references": [...] }`. */
export function jsonReferenceList(body: unknown): AlignmentLine[] {
  const list = Array.isArray(body) ? body : (body as { references?: unknown } | null)?.references;
  if (!Array.isArray(list) || !list.length) throw bad('references', 'a non-empty array of UUIDs, URIs or Course of Study Codes');
  return list.map((r, i) => {
    if (typeof r !== 'string' || !r.trim()) throw bad(`references.${i}`, 'a UUID, URI or Course of Study Code (a non-empty string)');
    return { line: i + 1, reference: r.trim() };
  });
}

const day = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : undefined);

interface Judged {
  status: Exclude<AlignmentStatus, 'unknown'>;
  reason: string;
  item: ItemRow;
  framework: DocumentRow;
  replacement?: AlignmentResult['replacement'];
}

const RANK: Record<Judged['status'], number> = { official: 0, current: 1, replaced: 2, deprecated: 3 };

/**
 * Checks each line. `canSee` says which frameworks the caller may read: items only invisible frameworks hold are
 * unknown, and only visible frameworks' associations replace.
 */
export async function checkAlignment(
  db: Db,
  lines: AlignmentLine[],
  opts: { publicUrl: string; canSee: (d: DocumentRow) => boolean; failOn?: AlignmentStatus[]; now?: Date },
): Promise<AlignmentReport> {
  const now = opts.now ?? new Date();
  const today = now.toISOString().slice(0, 10);
  const refs = await findItemsByReferences(db, lines.map((l) => l.reference), opts.publicUrl);
  const ids = [...new Set([...refs.values()].flat().map((r) => r.identifier))];
  const docs = await itemsDocuments(db, ids);
  const visibleDocs = (id: string) => (docs.get(id) ?? []).filter(opts.canSee);
  const visibleIds = ids.filter((id) => visibleDocs(id).length);
  const items = await getItems(db, visibleIds);
  const allDocs = new Map((await listDocuments(db)).map((d) => [d.identifier, d]));

  // Replacement chains, one query a hop: item → the item that replaces it, from frameworks the caller may see.
  const replacedBy = new Map<string, { identifier: string; title: string | null; uri: string | null; framework: string }>();
  let frontier = visibleIds;
  for (let hop = 0; hop < MAX_HOPS && frontier.length; hop++) {
    const next: string[] = [];
    for (const a of await associationsFrom(db, frontier, REPLACEMENT_TYPES)) {
      const d = allDocs.get(a.documentIdentifier);
      if (!d || !opts.canSee(d) || replacedBy.has(a.originIdentifier) || a.destinationIdentifier === a.originIdentifier) continue;
      const node = a.payload['destinationNodeURI'] as { title?: unknown; uri?: unknown } | undefined;
      replacedBy.set(a.originIdentifier, { identifier: a.destinationIdentifier, title: typeof node?.title === 'string' ? node.title : null, uri: typeof node?.uri === 'string' ? node.uri : null, framework: d.title });
      if (!replacedBy.has(a.destinationIdentifier)) next.push(a.destinationIdentifier);
    }
    frontier = [...new Set(next)];
  }
  const ends = new Set<string>();
  for (const start of replacedBy.keys()) {
    let id = start;
    for (let hop = 0; hop < MAX_HOPS && replacedBy.has(id); hop++) id = replacedBy.get(id)!.identifier;
    ends.add(id);
  }
  const endItems = await getItems(db, [...ends]);
  const endDocs = await itemsDocuments(db, [...ends]);

  const replacementOf = (id: string): AlignmentResult['replacement'] => {
    let last = replacedBy.get(id)!;
    for (let hop = 0; hop < MAX_HOPS && replacedBy.has(last.identifier); hop++) last = replacedBy.get(last.identifier)!;
    const stored = endItems.get(last.identifier);
    if (stored && (endDocs.get(last.identifier) ?? []).some(opts.canSee)) {
      const r = itemRef(stored, opts.publicUrl);
      return { identifier: r.identifier, humanCodingScheme: r.humanCodingScheme, uri: r.uris[0]!, title: typeof stored.payload['fullStatement'] === 'string' ? stored.payload['fullStatement'] : last.title };
    }
    return { identifier: last.identifier, humanCodingScheme: null, uri: last.uri ?? `${opts.publicUrl}/uri/${last.identifier}`, title: last.title };
  };

  const judge = (id: string): Judged | undefined => {
    const item = items.get(id);
    const seen = visibleDocs(id);
    if (!item || !seen.length) return undefined;
    // Its own framework first, then the others holding it.
    const framework = seen.find((d) => d.identifier === item.documentIdentifier) ?? seen[0]!;
    if (replacedBy.has(id)) return { status: 'replaced', reason: `replacedBy association in ${replacedBy.get(id)!.framework}`, item, framework, replacement: replacementOf(id) };
    const end = day(item.payload['statusEndDate']);
    if (end && end < today) return { status: 'deprecated', reason: `the CFItem's statusEndDate ${end} has passed`, item, framework };
    const live = seen.filter((d) => !ENDED.has(d.adoptionStatus ?? '') && !((day(d.payload['statusEndDate']) ?? '9999') < today));
    if (!live.length) {
      const ended = framework.adoptionStatus && ENDED.has(framework.adoptionStatus) ? `adoption status ${framework.adoptionStatus}` : `statusEndDate ${day(framework.payload['statusEndDate'])} has passed`;
      return { status: 'deprecated', reason: `its framework's ${ended}`, item, framework };
    }
    const official = live.find((d) => OFFICIAL.has(d.adoptionStatus ?? ''));
    if (official) return { status: 'official', reason: `in ${official.title} (${official.adoptionStatus})`, item, framework: official };
    return { status: 'current', reason: `in ${live[0]!.title} (${live[0]!.adoptionStatus ?? 'no adoption status'}), not Adopted or Implemented`, item, framework: live[0]! };
  };

  const results: AlignmentResult[] = lines.map((l) => {
    const judged = (refs.get(l.reference) ?? []).map((r) => judge(r.identifier)).filter((j): j is Judged => !!j);
    const best = judged.sort((a, b) => RANK[a.status] - RANK[b.status])[0];
    if (!best) return { ...l, status: 'unknown', item: null, replacement: null, reason: 'no CFItem here has this UUID, URI or Course of Study Code', matches: 0 };
    const r = itemRef(best.item, opts.publicUrl);
    return {
      ...l,
      status: best.status,
      item: { identifier: r.identifier, humanCodingScheme: r.humanCodingScheme, uri: r.uris[0]!, framework: { identifier: best.framework.identifier, title: best.framework.title, adoptionStatus: best.framework.adoptionStatus } },
      replacement: best.replacement ?? null,
      reason: best.reason,
      matches: judged.length,
    };
  });
  const counts = Object.fromEntries(alignmentStatuses.map((s) => [s, 0])) as Record<AlignmentStatus, number>;
  for (const r of results) counts[r.status]++;
  const failOn = opts.failOn ?? [];
  return { checkedAt: now.toISOString(), total: results.length, counts, failOn, failed: results.filter((r) => failOn.includes(r.status)).length, results };
}

/** The report as CSV, a row a line, for a spreadsheet or a CI artifact. */
export function alignmentCsv(report: AlignmentReport): string {
  const head = ['line', 'reference', 'status', 'identifier', 'humanCodingScheme', 'uri', 'framework', 'frameworkAdoptionStatus', 'replacementIdentifier', 'replacementHumanCodingScheme', 'replacementUri', 'reason'];
  return stringify([
    head,
    ...report.results.map((r) => [
      r.line, r.reference, r.status, r.item?.identifier ?? '', r.item?.humanCodingScheme ?? '', r.item?.uri ?? '', r.item?.framework.title ?? '', r.item?.framework.adoptionStatus ?? '',
      r.replacement?.identifier ?? '', r.replacement?.humanCodingScheme ?? '', r.replacement?.uri ?? '', r.reason,
    ]),
  ]);
}

/** Reads a failOn list (`unknown,replaced`) as the API's query and the CLI's flag give it. */
export function parseFailOn(v: string | undefined, field = 'failOn'): AlignmentStatus[] {
  if (v === undefined || v === '') return [];
  const list = v.split(/[\s,]+/).filter(Boolean);
  const badOnes = list.filter((s) => !(alignmentStatuses as readonly string[]).includes(s));
  if (badOnes.length) throw bad(field, `unknown status ${badOnes.join(', ')}; use ${alignmentStatuses.join(', ')}`);
  return [...new Set(list)] as AlignmentStatus[];
}
