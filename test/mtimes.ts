import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The newest and oldest modification times of the files under `dir` (newest 0 and oldest Infinity when it has none or
 * does not exist): a build is current when its oldest file is newer than the newest source file.
 */
export function mtimes(dir: string): { newest: number; oldest: number } {
  let newest = 0;
  let oldest = Infinity;
  try {
    for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (!e.isFile()) continue;
      const t = statSync(join(e.parentPath, e.name)).mtimeMs;
      newest = Math.max(newest, t);
      oldest = Math.min(oldest, t);
    }
  } catch {
    // no such directory
  }
  return { newest, oldest };
}
