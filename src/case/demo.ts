import type { Db } from '../store/db.js';

/** Loads the demo framework (算数 2017, from assets/) into an empty database; returns its identifier when it did. */
export async function ensureDemoFramework(_db: Db, _progress: (msg: string) => void): Promise<string | undefined> {
  // Filled in by the CSCASE importer.
  return undefined;
}
