import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ShirubeError } from '../errors.js';

/** What jsonld / @digitalbazaar/vc expect from a document loader. */
export interface RemoteDocument {
  contextUrl: null;
  documentUrl: string;
  document: Record<string, unknown>;
}
export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

// From src/badges (tsx, tests) or dist/src/badges (the build): the first assets/ob3 above this module.
const base = ['../../assets/ob3/', '../../../assets/ob3/']
  .map((up) => fileURLToPath(new URL(up, import.meta.url)))
  .find((d) => existsSync(`${d}contexts/index.json`));
if (!base) throw new Error('assets/ob3 is missing from the installation');
const index = JSON.parse(readFileSync(`${base}contexts/index.json`, 'utf8')) as Record<string, string>;
const cache = new Map<string, Record<string, unknown>>();

/** The JSON-LD context shipped with Shirube for this URL, or undefined. */
export function shippedContext(url: string): Record<string, unknown> | undefined {
  const file = index[url];
  if (!file) return undefined;
  let doc = cache.get(url);
  if (!doc) {
    doc = JSON.parse(readFileSync(`${base}${file}`, 'utf8')) as Record<string, unknown>;
    cache.set(url, doc);
  }
  return doc;
}

/** A file under assets/ob3 (the JSON schemas). */
export const ob3Asset = (path: string) => JSON.parse(readFileSync(`${base}${path}`, 'utf8')) as Record<string, unknown>;

export const remote = (url: string, document: Record<string, unknown>): RemoteDocument => ({ contextUrl: null, documentUrl: url, document });

/**
 * The offline loader: shipped contexts, then `resolve` (DID documents, keys and status lists this Shirube answers
 * in-process, or keys carried by the credential itself). Never fetches: anything else is an error naming the URL.
 */
export function documentLoader(resolve?: (url: string) => Promise<Record<string, unknown> | undefined>): DocumentLoader {
  return async (url: string) => {
    const ctx = shippedContext(url);
    if (ctx) return remote(url, ctx);
    const doc = resolve ? await resolve(url) : undefined;
    if (doc) return remote(url, doc);
    throw new ShirubeError('not_found', `Cannot load ${url}: Shirube loads only its shipped JSON-LD contexts and documents it can resolve offline`);
  };
}
