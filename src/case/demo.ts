import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../store/db.js';
import { listDocuments } from '../store/case.js';
import { importCourseOfStudyCodes } from './import/cscode.js';

/** The Course of Study Code tables shipped in assets/ (82V11), loaded in this order. */
const SHIPPED = [
  { file: 'assets/frameworks/elementary-math-2017.csv', name: '小学校学習指導要領（平成29年告示）算数 (Course of Study Codes, 632 items)' },
  { file: 'assets/frameworks/elementary-science-2017.csv', name: '小学校学習指導要領（平成29年告示）理科 (Course of Study Codes, 271 items)' },
] as const;

/** A shipped table, found from src/case (tsx, tests) or dist/src/case (npm start). */
function shippedFrameworkPath(file: string): string {
  for (const up of ['../../', '../../../']) {
    const path = fileURLToPath(new URL(up + file, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`The shipped framework ${file} is missing from the installation`);
}

async function loadShipped(db: Db, tables: ReadonlyArray<(typeof SHIPPED)[number]>, progress: (msg: string) => void): Promise<string[]> {
  if ((await listDocuments(db)).length > 0) return [];
  const ids: string[] = [];
  for (const t of tables) {
    progress(`Loading the demo framework: ${t.name}`);
    const [result] = await importCourseOfStudyCodes(db, readFileSync(shippedFrameworkPath(t.file)), { version: '82V11', audit: { actor: 'system', action: 'framework.import.demo' } });
    if (result) ids.push(result.identifier);
  }
  return ids;
}

/** Loads 算数 2017 into an empty database; returns its identifier when it did. */
export async function ensureDemoFramework(db: Db, progress: (msg: string) => void): Promise<string | undefined> {
  return (await loadShipped(db, SHIPPED.slice(0, 1), progress))[0];
}

/**
 * Loads every shipped framework (算数 and 理科 2017) into an empty database, as `npm start` does; returns their
 * identifiers, 算数 first, or none when the database already had a framework (a deleted one never comes back).
 */
export const ensureShippedFrameworks = (db: Db, progress: (msg: string) => void): Promise<string[]> => loadShipped(db, SHIPPED, progress);
