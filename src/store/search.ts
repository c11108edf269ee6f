import { sql, type Kysely } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './tables.js';

/**
 * The search index over CFItems (docs/search.md), table cf_item_search: one row per (framework, item) with the item's
 * text normalised (NFKC, lower case, one space), its code and education levels, and the tokens a GIN index finds it
 * by. Japanese has no spaces between words, so the tokens are characters, not words: every bigram of a run of
 * non-space characters, and every non-ASCII character alone (a one-kanji query: 円, 数). A term is found by its
 * bigrams, then checked as a substring of the text (bigrams in another order do not match).
 */

/** How indexed text and query terms are compared: NFKC (full-width ＡＢＣ１２３ and half-width ｶﾅ fold), lower case, one space. */
export const normalizeSearchText = (s: string): string => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

const isAscii = (c: string) => c.charCodeAt(0) < 0x80;

/** The tokens of normalised text (the index) or of one normalised query term (the look-up). */
export function searchTokens(text: string): string[] {
  const out = new Set<string>();
  for (const run of text.split(' ')) {
    const chars = Array.from(run);
    chars.forEach((c, i) => {
      if (!isAscii(c)) out.add(c);
      if (i + 1 < chars.length) out.add(c + chars[i + 1]);
    });
  }
  return [...out];
}

/** A text[] literal: one parameter on both engines (PGlite and pg serialise JS arrays differently). */
const textArray = (xs: string[]) => `{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** "3" and "03" are one grade: CASE's educationLevel codes are two digits (01–12), other codes (KG, PK) as given. */
export const normalizeEducationLevel = (s: string): string => {
  const n = s.normalize('NFKC').trim().toUpperCase();
  return /^\d$/.test(n) ? `0${n}` : n;
};

/** What of a CFItem is searched: its code, statements, keywords, notes and type, and a Course of Study Code. */
function indexRow(documentIdentifier: string, itemIdentifier: string, position: number, humanCodingScheme: string | null, p: Record<string, unknown>) {
  const cos = (p['extensions'] as { courseOfStudy?: { code?: unknown } } | undefined)?.courseOfStudy?.code;
  const code = humanCodingScheme ?? (typeof cos === 'string' ? cos : null);
  const parts = [code, typeof cos === 'string' && cos !== code ? cos : null, p['abbreviatedStatement'], p['fullStatement'], p['alternativeLabel'], ...strings(p['conceptKeywords']), p['CFItemType'], p['notes']];
  const search_text = normalizeSearchText(parts.filter((x): x is string => typeof x === 'string' && x !== '').join(' '));
  return {
    document_identifier: documentIdentifier,
    item_identifier: itemIdentifier,
    position,
    code: code === null ? null : normalizeSearchText(code),
    education_levels: strings(p['educationLevel']).map(normalizeEducationLevel),
    search_text,
    tokens: searchTokens(search_text),
  };
}

const CHUNK = 500;

/**
 * Rebuilds a framework's rows of the search index from its package (every CFItem, or only `itemIdentifiers`), inside
 * the caller's transaction. Every write of a framework's items calls it (savePackage does; item authoring must);
 * a framework that no longer exists loses its rows.
 */
export async function reindexFramework(trx: Kysely<Database>, documentIdentifier: string, itemIdentifiers?: string[]): Promise<void> {
  if (itemIdentifiers && itemIdentifiers.length === 0) return;
  let del = trx.deleteFrom('cf_item_search' as never).where('document_identifier' as never, '=', documentIdentifier as never);
  if (itemIdentifiers) del = del.where('item_identifier' as never, 'in', itemIdentifiers as never);
  await del.execute();
  let q = trx
    .selectFrom('cf_package_member as m')
    .innerJoin('cf_item as i', 'i.identifier', 'm.identifier')
    .select(['i.identifier', 'i.payload', 'i.human_coding_scheme', 'm.position'])
    .where('m.document_identifier', '=', documentIdentifier)
    .where('m.kind', '=', 'CFItem');
  if (itemIdentifiers) q = q.where('m.identifier', 'in', itemIdentifiers);
  const items = await q.execute();
  for (let i = 0; i < items.length; i += CHUNK) {
    const rows = items.slice(i, i + CHUNK).map((r) => indexRow(documentIdentifier, r.identifier, r.position, r.human_coding_scheme, r.payload));
    await sql`
      insert into cf_item_search (document_identifier, item_identifier, position, code, education_levels, search_text, tokens)
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as r(document_identifier text, item_identifier text, position integer, code text, education_levels text[], search_text text, tokens text[])`.execute(trx);
  }
}

/** Other frameworks holding any of these items (an item shared between packages): their rows must follow its change. */
export async function frameworksSharing(trx: Kysely<Database>, documentIdentifier: string, itemIdentifiers: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < itemIdentifiers.length; i += CHUNK) {
    const rows = await trx
      .selectFrom('cf_package_member')
      .select(['document_identifier', 'identifier'])
      .where('kind', '=', 'CFItem')
      .where('identifier', 'in', itemIdentifiers.slice(i, i + CHUNK))
      .where('document_identifier', '<>', documentIdentifier)
      .execute();
    for (const r of rows) out.set(r.document_identifier, [...(out.get(r.document_identifier) ?? []), r.identifier]);
  }
  return out;
}

/** Indexes every framework that has items but no rows in the index (a database from before the index: migration 0019). */
export async function indexUnindexedFrameworks(db: Db): Promise<string[]> {
  const { rows } = await sql<{ identifier: string }>`
    select d.identifier from cf_document d
    where exists (select 1 from cf_package_member m where m.document_identifier = d.identifier and m.kind = 'CFItem')
      and not exists (select 1 from cf_item_search s where s.document_identifier = d.identifier)`.execute(db);
  for (const r of rows) await db.transaction().execute((trx) => reindexFramework(trx, r.identifier));
  return rows.map((r) => r.identifier);
}

/** Where a page of results starts: after this (rank, framework's place in `documents`, item's position). */
export interface SearchKey {
  rank: number;
  doc: number;
  position: number;
}

export interface IndexQuery {
  /** The frameworks to search, in the order results are listed (after rank); never empty. */
  documents: string[];
  /** Normalised terms; each must occur in the item's text. */
  terms: string[];
  /** The whole query as a code (normalised, no spaces): an item with this code ranks first, one starting with it next. */
  code?: string | undefined;
  /** Any of these education levels (normalised). */
  educationLevels?: string[] | undefined;
  after?: SearchKey | undefined;
  limit: number;
}

export interface IndexHit extends SearchKey {
  documentIdentifier: string;
  itemIdentifier: string;
  payload: Record<string, unknown>;
}

/** The LIKE pattern matching strings that start with `s`. */
const startsWith = (s: string) => `${s.replace(/[\\%_]/g, '\\$&')}%`;

/** One page of index hits, ordered by rank (0 the code, 1 a code starting with the query, 2 the text), framework, position; and how many match in all. */
export async function searchIndex(db: Db, q: IndexQuery): Promise<{ hits: IndexHit[]; total: number }> {
  const tokens = [...new Set(q.terms.flatMap(searchTokens))];
  const conditions = [sql`s.document_identifier = any(${textArray(q.documents)}::text[])`];
  if (tokens.length) conditions.push(sql`s.tokens @> ${textArray(tokens)}::text[]`);
  for (const t of q.terms) conditions.push(sql`strpos(s.search_text, ${t}) > 0`);
  if (q.educationLevels?.length) conditions.push(sql`s.education_levels && ${textArray(q.educationLevels)}::text[]`);
  const rank = q.code ? sql`case when s.code = ${q.code} then 0 when s.code like ${startsWith(q.code)} then 1 else 2 end` : sql`2`;
  const after = q.after ? sql`where (rank, doc, position) > (${q.after.rank}, ${q.after.doc}, ${q.after.position})` : sql``;
  const { rows } = await sql<{ document_identifier: string; item_identifier: string; rank: number; doc: number; position: number; payload: Record<string, unknown>; total: number }>`
    with hits as (
      select s.document_identifier, s.item_identifier, s.position, ${rank} as rank,
             array_position(${textArray(q.documents)}::text[], s.document_identifier) as doc
      from cf_item_search s
      where ${sql.join(conditions, sql` and `)}
    ), page as (
      select * from hits ${after} order by rank, doc, position limit ${q.limit}
    )
    select p.*, i.payload, (select count(*) from hits)::int as total
    from page p join cf_item i on i.identifier = p.item_identifier
    order by p.rank, p.doc, p.position`.execute(db);
  let total = rows[0]?.total ?? 0;
  if (!rows.length && q.after) total = (await searchIndex(db, { ...q, after: undefined, limit: 1 })).total;
  return {
    total,
    hits: rows.map((r) => ({ documentIdentifier: r.document_identifier, itemIdentifier: r.item_identifier, rank: r.rank, doc: r.doc, position: r.position, payload: r.payload })),
  };
}

/** The education levels the items of these frameworks name (the grade filter's choices). */
export async function indexedEducationLevels(db: Db, documents: string[]): Promise<string[]> {
  if (!documents.length) return [];
  const { rows } = await sql<{ level: string }>`
    select distinct unnest(education_levels) as level from cf_item_search
    where document_identifier = any(${textArray(documents)}::text[]) order by 1`.execute(db);
  return rows.map((r) => r.level);
}
