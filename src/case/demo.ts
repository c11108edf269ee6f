import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../store/db.js';
import { listDocuments } from '../store/case.js';
import { importCourseOfStudyCodes } from './import/cscode.js';

const DEMO_FILE = 'assets/frameworks/elementary-math-2017.csv';

/** The demo table, found from src/case (tsx, tests) or dist/src/case (npm start). */
export function demoFrameworkPath(): string {
  for (const up of ['../../', '../../../']) {
    const path = fileURLToPath(new URL(up + DEMO_FILE, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`The demo framework ${DEMO_FILE} is missing from the installation`);
}

/** Loads the demo framework (算数 2017, from assets/) into an empty database; returns its identifier when it did. */
export async function ensureDemoFramework(db: Db, progress: (msg: string) => void): Promise<string | undefined> {
  if ((await listDocuments(db)).length > 0) return undefined;
  progress('Loading the demo framework: 小学校学習指導要領（平成29年告示）算数 (Course of Study Codes, 632 items)');
  const [result] = await importCourseOfStudyCodes(db, readFileSync(demoFrameworkPath()), { version: '82V11', audit: { actor: 'system', action: 'framework.import.demo' } });
  return result?.identifier;
}
