import type { Db } from '../store/db.js';
import { exactMatchLinks, findCourseOfStudyItemsByCodes, getItem, type ItemRow } from '../store/case.js';
import { LOCAL_BASE, localUri } from './model.js';
import { isCaseUuid } from './uuid.js';

/** A CFItem as other domains refer to it (the LRS links statements to it). */
/** A stored CFItem as a CASE LinkURI (an association's node, a rubric criterion's CFItemURI): code or statement as title. */
export function itemLink(item: ItemRow): { title: string; identifier: string; uri: string } {
  const p = item.payload;
  return { title: item.humanCodingScheme ?? String(p['fullStatement'] ?? item.identifier).slice(0, 60), identifier: item.identifier, uri: typeof p['uri'] === 'string' ? p['uri'] : localUri(item.identifier) };
}

export interface ItemRef {
  identifier: string;
  humanCodingScheme: string | null;
  /** The IRIs that name it: its CFItem uri as served, and our /uri/ resolver URL. */
  uris: string[];
}

/** A stored CFItem as an ItemRef, with the URIs it is served under at `publicUrl`. */
export function itemRef(item: { identifier: string; humanCodingScheme: string | null; payload: Record<string, unknown> }, publicUrl: string): ItemRef {
  const own = typeof item.payload['uri'] === 'string' ? item.payload['uri'] : undefined;
  const served = own?.startsWith(LOCAL_BASE) ? `${publicUrl}${own.slice(LOCAL_BASE.length)}` : own;
  return { identifier: item.identifier, humanCodingScheme: item.humanCodingScheme, uris: [...new Set([served, `${publicUrl}/uri/${item.identifier}`].filter((u): u is string => !!u))] };
}

const UUID_AT_END = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/**
 * The CFItem a reference names: its identifier (UUID), its CASE URI, or our /uri/ URL. Undefined when no stored
 * item matches.
 */
export async function findItemByReference(db: Db, reference: string, publicUrl: string): Promise<ItemRef | undefined> {
  const id = isCaseUuid(reference) ? reference : UUID_AT_END.exec(reference)?.[1];
  if (!id) return undefined;
  const row = await getItem(db, id.toLowerCase());
  if (!row) return undefined;
  const r = itemRef(row, publicUrl);
  return reference === id || r.uris.includes(reference) ? r : undefined;
}

/** The items of Course of Study frameworks with each Course of Study Code (humanCodingScheme), in one query. */
export async function findItemsByCourseOfStudyCodes(db: Db, codes: string[], publicUrl: string): Promise<Map<string, ItemRef[]>> {
  const found = await findCourseOfStudyItemsByCodes(db, [...new Set(codes)]);
  return new Map([...found].map(([code, items]) => [code, items.map((i) => itemRef(i, publicUrl))]));
}

/**
 * The CFItems each reference names, as the APIs that take "a UUID, URI or Course of Study Code" read it: a code names
 * the item of each Course of Study framework that has it, a UUID or URI one item; none ([]) when nothing matches.
 */
export async function findItemsByReferences(db: Db, references: string[], publicUrl: string): Promise<Map<string, ItemRef[]>> {
  const codes = await findItemsByCourseOfStudyCodes(db, references.filter((r) => /^[0-9A-Za-z]{1,32}$/.test(r)), publicUrl);
  const out = new Map<string, ItemRef[]>();
  for (const r of new Set(references)) {
    const byCode = codes.get(r) ?? [];
    out.set(r, byCode.length ? byCode : [await findItemByReference(db, r, publicUrl)].filter((x): x is ItemRef => !!x));
  }
  return out;
}

/** How far exactMatchOf chains are followed (a derivative of a derivative of … the source). */
const MAX_EXACT_MATCH_DEPTH = 8;

/**
 * The items each of `ids` is an exact match of, either way and through chains (a derivative's item, its source,
 * another derivative of that source): exactMatchOf read as an equivalence between stored CFItems. An item with
 * none maps to [].
 */
export async function exactMatches(db: Db, ids: string[]): Promise<Map<string, string[]>> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    const p = parent.get(x) ?? x;
    return p === x ? x : find(p);
  };
  let frontier = [...new Set(ids)];
  const seen = new Set(frontier);
  for (let depth = 0; frontier.length && depth < MAX_EXACT_MATCH_DEPTH; depth++) {
    const next: string[] = [];
    for (const { origin, destination } of await exactMatchLinks(db, frontier)) {
      const [a, b] = [find(origin), find(destination)];
      if (a !== b) parent.set(a, b);
      for (const x of [origin, destination]) {
        if (seen.has(x)) continue;
        seen.add(x);
        next.push(x);
      }
    }
    frontier = next;
  }
  const members = new Map<string, string[]>();
  for (const x of seen) (members.get(find(x)) ?? members.set(find(x), []).get(find(x))!).push(x);
  return new Map([...new Set(ids)].map((id) => [id, members.get(find(id))!.filter((x) => x !== id).sort()]));
}
