import type { Db } from '../store/db.js';
import { exactMatches, findItemByReference, findItemsByCourseOfStudyCodes, type ItemRef } from '../case/index.js';

// Codes and references that name no item are cached too (any context activity id is a reference): a bound per
// map keeps clients sending many of them from growing the process. Past it, that map starts again.
const MAX_ENTRIES = 20_000;

/**
 * The CFItems that Course of Study Codes and item references name, and the items' exact matches, cached by one server (one per app) under the
 * frameworks' generation token (store/case-generation.ts). Every framework write gives the frameworks a new token
 * in its own transaction, so a batch that reads the new token (in its first query) finds the cache stale and
 * reads again: the first statement after an import, on any instance, links to the imported items. Entries are
 * added under the token the batch read; a batch still running on an older token replaces the cache for it,
 * which costs the next batch one look-up, never a wrong answer.
 */
export class ItemCache {
  #token: string | undefined;
  #publicUrl: string | undefined;
  #codes = new Map<string, ItemRef[]>();
  #references = new Map<string, ItemRef | undefined>();
  #matches = new Map<string, string[]>();

  #under(token: string, publicUrl: string): this {
    if (this.#token !== token || this.#publicUrl !== publicUrl) {
      [this.#token, this.#publicUrl, this.#codes, this.#references, this.#matches] = [token, publicUrl, new Map(), new Map(), new Map()];
    }
    if (this.#codes.size > MAX_ENTRIES) this.#codes = new Map();
    if (this.#references.size > MAX_ENTRIES) this.#references = new Map();
    if (this.#matches.size > MAX_ENTRIES) this.#matches = new Map();
    return this;
  }

  /** The items of each Course of Study Code (the humanCodingScheme of a Course of Study framework's CFItem). */
  async itemsOfCodes(db: Db, codes: string[], token: string, publicUrl: string): Promise<Map<string, ItemRef[]>> {
    const known = this.#under(token, publicUrl).#codes;
    const missing = [...new Set(codes)].filter((k) => !known.has(k));
    if (missing.length) for (const [k, items] of await findItemsByCourseOfStudyCodes(db, missing, publicUrl)) known.set(k, items);
    return new Map(codes.map((k) => [k, known.get(k) ?? []]));
  }

  /** The item a UUID, CASE URI or /uri/ URL names, if any. */
  async itemOfReference(db: Db, reference: string, token: string, publicUrl: string): Promise<ItemRef | undefined> {
    const known = this.#under(token, publicUrl).#references;
    if (!known.has(reference)) known.set(reference, await findItemByReference(db, reference, publicUrl));
    return known.get(reference);
  }

  /** The items each item is an exact match of (exactMatchOf, either way, through chains). */
  async exactMatchesOf(db: Db, ids: string[], token: string, publicUrl: string): Promise<Map<string, string[]>> {
    const known = this.#under(token, publicUrl).#matches;
    const missing = [...new Set(ids)].filter((k) => !known.has(k));
    if (missing.length) for (const [k, others] of await exactMatches(db, missing)) known.set(k, others);
    return new Map(ids.map((k) => [k, known.get(k) ?? []]));
  }
}
