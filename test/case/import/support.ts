import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { SHARED } from '../../helper.js';
import type { Db } from '../../../src/store/db.js';

export const FRAMEWORKS = `${SHARED}data/case-frameworks/`;
export const readFramework = (file: string) => JSON.parse(readFileSync(FRAMEWORKS + file, 'utf8'));
export const ACT = 'act-holistic-framework-math.v1p0.cfpackage.json';
export const LEGACY = 'opensalt-sample-what-standards-could-be.legacy.json';
export const SMARTER = 'smarter-balanced-math-content-spec.v1p0.cfpackage.json';
export const CCSS_CSV = 'ccss-ela-items.opensalt-format.csv';

const TABLES = ['cf_document', 'cf_item', 'cf_association', 'cf_definition', 'cf_rubric', 'cf_package_member', 'case_source', 'audit_log'] as const;

/** Every row of every CASE table (and the audit log, and remote sources) as text, in a stable order: "is the database unchanged?" */
export async function snapshot(db: Db): Promise<string> {
  const parts: string[] = [];
  for (const t of TABLES) {
    const rows = await sql<{ j: unknown }>`select to_jsonb(t) as j from ${sql.table(t)} t order by to_jsonb(t)::text`.execute(db);
    parts.push(`${t}:${JSON.stringify(rows.rows.map((r) => r.j))}`);
  }
  return parts.join('\n');
}
