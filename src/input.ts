import { ShirubeError } from './errors.js';

/**
 * Input limits every API applies before a route sees a request (docs/security.md, "Input limits"): JSON nested deeper
 * than MAX_JSON_DEPTH is refused (validators, JSON.stringify and PostgreSQL's jsonb all recurse), and so are strings
 * that PostgreSQL text and jsonb cannot hold: NUL (U+0000) and unpaired UTF-16 surrogates.
 */
export const MAX_JSON_DEPTH = 100;

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be stored, or undefined when it can. */
export function unstorable(s: string): string | undefined {
  const m = UNSTORABLE.exec(s);
  if (!m) return undefined;
  return m[0] === '\u0000' ? 'contains a NUL character (U+0000), which cannot be stored' : 'contains an unpaired UTF-16 surrogate, which is not Unicode text';
}

const join = (field: string, key: string | number) => (field ? `${field}.${key}` : String(key));

/**
 * Throws invalid_request naming the field (`name`, `roles.0.scopeId`; `field` itself for the top level) when a parsed
 * value holds an unstorable string, as a value or a key, or nests deeper than MAX_JSON_DEPTH. Iterative: a body
 * nested 10,000 levels deep is refused, not a stack overflow. `strings: false` checks only the depth (for data
 * stored as bytes, such as xAPI documents).
 */
export function checkInput(value: unknown, field: string, opts: { strings?: boolean } = {}): void {
  const strings = opts.strings ?? true;
  const stack: { v: unknown; at: string; depth: number }[] = [{ v: value, at: field, depth: 0 }];
  while (stack.length) {
    const { v, at, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (!strings) continue;
      const why = unstorable(v);
      if (why) throw new ShirubeError('invalid_request', `${at || 'body'}: ${why}`, at || 'body');
      continue;
    }
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new ShirubeError('invalid_request', `${at || 'body'}: nested deeper than ${MAX_JSON_DEPTH} levels`, at || 'body');
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], at: join(at, i), depth: depth + 1 });
      continue;
    }
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, x] = entries[i]!;
      const why = strings ? unstorable(k) : undefined;
      if (why) throw new ShirubeError('invalid_request', `${join(at, JSON.stringify(k))}: the property name ${why}`, at || 'body');
      stack.push({ v: x, at: join(at, k), depth: depth + 1 });
    }
  }
}
