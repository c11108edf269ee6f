import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's assets/ folder, found from this module whether it runs from src/ (tsx, tests) or dist/src/. */
function assetsRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'assets'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('assets/ not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return join(dir, 'assets');
}

export const assetPath = (relative: string) => join(assetsRoot(), relative);
