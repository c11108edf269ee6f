import { ShirubeError } from '../errors.js';

/** Rejects what PostgreSQL's jsonb cannot hold (U+0000 in a string), naming the path, before anything is written. */
export function assertStorableJson(v: unknown, path: string): void {
  if (typeof v === 'string') {
    if (v.includes('\u0000')) throw new ShirubeError('invalid_request', `${path}: contains a NUL character (U+0000), which cannot be stored`, path);
  } else if (Array.isArray(v)) v.forEach((x, i) => assertStorableJson(x, `${path}[${i}]`));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) assertStorableJson(x, path ? `${path}.${k}` : k);
}
