import type { Db } from '../store/db.js';
import { listDocuments, type DocumentRow } from '../store/case.js';
import { indexedEducationLevels, normalizeEducationLevel, normalizeSearchText, searchIndex } from '../store/search.js';
import { ShirubeError } from '../errors.js';
import { adoptionStatuses } from './model.js';

/** Search across frameworks (docs/search.md). */
export interface SearchQuery {
  /** Words in Japanese or English, a humanCodingScheme or a Course of Study Code; every word must occur. */
  q?: string | undefined;
  /** The framework's adoptionStatus. */
  status?: string | undefined;
  /** One of the framework's subjects (CFDocument.subject). */
  subject?: string | undefined;
  /** An educationLevel of the item (01–12, KG…; 3 reads as 03). */
  grade?: string | undefined;
  /** A framework (CFDocument identifier). */
  framework?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface SearchHit {
  identifier: string;
  humanCodingScheme: string | null;
  fullStatement: string;
  abbreviatedStatement: string | null;
  educationLevel: string[];
  CFItemType: string | null;
  uri: string;
  framework: { identifier: string; title: string; adoptionStatus: string | null; subject: string[] };
  /** Why it is listed: its code is the query, starts with it, or its text holds every word. */
  match: 'code' | 'code-prefix' | 'text';
}

export interface SearchResult {
  total: number;
  items: SearchHit[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

const MAX_TERMS = 10;
const matches = ['code', 'code-prefix', 'text'] as const;

const subjectsOf = (d: DocumentRow): string[] => {
  const s = d.payload['subject'];
  return Array.isArray(s) ? s.filter((x): x is string => typeof x === 'string') : [];
};

/**
 * English words are matched as given and without a plural ending (fractions → fraction, properties → propert,
 * boxes → box), so a plural finds the singular; any other word as given. Substring matching does the rest.
 */
function stem(term: string): string {
  if (!/^[a-z]{4,}$/.test(term)) return term;
  if (term.endsWith('ies')) return term.slice(0, -3);
  if (/(x|ch|sh|ss)es$/.test(term)) return term.slice(0, -2);
  if (term.endsWith('s') && !term.endsWith('ss')) return term.slice(0, -1);
  return term;
}

/** The query's words, normalised, each kept once (a word inside another is implied by it). */
function termsOf(q: string): string[] {
  const words = [...new Set(normalizeSearchText(q).split(' ').filter(Boolean).map(stem))];
  if (words.length > MAX_TERMS) throw new ShirubeError('invalid_request', `q: at most ${MAX_TERMS} words`, 'q');
  return words.filter((w) => !words.some((o) => o !== w && o.includes(w)));
}

function decodeCursor(cursor: string, documents: string[]) {
  try {
    const [rank, doc, position] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const index = documents.indexOf(doc as string);
    if (typeof rank === 'number' && typeof position === 'number' && index >= 0) return { rank, doc: index + 1, position };
  } catch {
    // falls through to the error
  }
  throw new ShirubeError('invalid_request', 'cursor: not a cursor of this search (send the nextCursor of the previous page, or start without one)', 'cursor');
}

const encodeCursor = (rank: number, doc: string, position: number) => Buffer.from(JSON.stringify([rank, doc, position])).toString('base64url');

/** The frameworks a search covers: those the caller may see, narrowed by the framework, status and subject filters. */
async function frameworksSearched(db: Db, canSee: (d: DocumentRow) => boolean, q: Pick<SearchQuery, 'framework' | 'status' | 'subject'>): Promise<DocumentRow[]> {
  const visible = (await listDocuments(db)).filter(canSee);
  if (q.framework !== undefined && !visible.some((d) => d.identifier === q.framework)) {
    throw new ShirubeError('not_found', `framework: no framework (CFDocument) ${q.framework}`, 'framework');
  }
  if (q.status !== undefined && !(adoptionStatuses as readonly string[]).includes(q.status)) {
    throw new ShirubeError('invalid_request', `status: must be one of ${adoptionStatuses.join(', ')}`, 'status');
  }
  const subject = q.subject === undefined ? undefined : normalizeSearchText(q.subject);
  return visible.filter(
    (d) =>
      (q.framework === undefined || d.identifier === q.framework) &&
      (q.status === undefined || d.adoptionStatus === q.status) &&
      (subject === undefined || subjectsOf(d).some((s) => normalizeSearchText(s) === subject)),
  );
}

/**
 * CFItems of every framework the caller may see (`canSee`: private drafts only for those who may read them) whose
 * code or text matches `q`, filtered by the framework's status and subject and the item's grade: items with the code
 * first, then those whose code starts with it, then the rest by framework (title) and place in it.
 */
export async function searchItems(db: Db, canSee: (d: DocumentRow) => boolean, query: SearchQuery, publicUrl: string): Promise<SearchResult> {
  const docs = await frameworksSearched(db, canSee, query);
  const terms = query.q === undefined ? [] : termsOf(query.q);
  const code = query.q === undefined ? '' : normalizeSearchText(query.q).replace(/ /g, '');
  const documents = docs.map((d) => d.identifier);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, documents);
  if (!documents.length) return { total: 0, items: [], nextCursor: null };
  const grade = query.grade === undefined ? undefined : normalizeEducationLevel(query.grade);
  const { hits, total } = await searchIndex(db, {
    documents,
    terms,
    code: code || undefined,
    educationLevels: grade === undefined ? undefined : [grade],
    after,
    limit: query.limit + 1,
  });
  const page = hits.slice(0, query.limit);
  const last = page.at(-1);
  const byId = new Map(docs.map((d) => [d.identifier, d]));
  return {
    total,
    nextCursor: hits.length > query.limit && last ? encodeCursor(last.rank, last.documentIdentifier, last.position) : null,
    items: page.map((h) => {
      const d = byId.get(h.documentIdentifier)!;
      const p = h.payload;
      const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : null);
      return {
        identifier: h.itemIdentifier,
        humanCodingScheme: str('humanCodingScheme'),
        fullStatement: str('fullStatement') ?? '',
        abbreviatedStatement: str('abbreviatedStatement'),
        educationLevel: Array.isArray(p['educationLevel']) ? (p['educationLevel'] as string[]) : [],
        CFItemType: str('CFItemType'),
        uri: `${publicUrl}/uri/${h.itemIdentifier}`,
        framework: { identifier: d.identifier, title: d.title, adoptionStatus: d.adoptionStatus, subject: subjectsOf(d) },
        match: matches[h.rank]!,
      };
    }),
  };
}

/** What the filters may be set to, from the frameworks the caller may see: frameworks, statuses, subjects, grades. */
export async function searchFilters(db: Db, canSee: (d: DocumentRow) => boolean) {
  const docs = (await listDocuments(db)).filter(canSee);
  return {
    frameworks: docs.map((d) => ({ identifier: d.identifier, title: d.title, adoptionStatus: d.adoptionStatus, subject: subjectsOf(d) })),
    statuses: adoptionStatuses.filter((s) => docs.some((d) => d.adoptionStatus === s)),
    subjects: [...new Set(docs.flatMap(subjectsOf))].sort(),
    grades: await indexedEducationLevels(db, docs.map((d) => d.identifier)),
  };
}
