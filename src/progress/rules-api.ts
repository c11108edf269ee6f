import type { Db } from '../store/db.js';
import * as store from '../store/progress.js';
import { getDocument } from '../store/case.js';
import { ShirubeError } from '../errors.js';
import { DEFAULT_BKT } from './bkt.js';
import { checkLabels, checkRule } from './rules.js';
import { frameworkRules } from './standing.js';

async function requireFramework(db: Db, framework: string) {
  if (!(await getDocument(db, framework))) throw new ShirubeError('not_found', `No framework ${framework}`, 'framework');
}

/** GET /api/progress/rules: the framework's rule, per-item rules, labels, the items' rubrics and the BKT parameters. */
export async function getRulesView(db: Db, framework: string) {
  await requireFramework(db, framework);
  const r = await frameworkRules(db, framework);
  return { framework, rule: r.rule, items: Object.fromEntries(r.items), labels: r.labels, rubrics: Object.fromEntries(r.rubrics), bkt: { ...DEFAULT_BKT } };
}

/** PUT /api/progress/rules: one change (framework rule, one item's rule, or the labels), checked before writing. */
export async function putRules(db: Db, body: { framework: string; rule?: Record<string, unknown> | null; itemId?: string; labels?: Record<string, unknown> }) {
  await requireFramework(db, body.framework);
  const rule = body.rule === undefined || body.rule === null ? body.rule : checkRule(body.rule);
  const labels = body.labels === undefined ? undefined : checkLabels(body.labels);
  if (rule === null && body.itemId === undefined) throw new ShirubeError('invalid_request', 'rule: null removes an item’s rule; give itemId', 'rule');
  await db.transaction().execute(async (trx) => {
    if (rule !== undefined) await store.setRule(trx, body.framework, body.itemId ?? '', rule as Record<string, unknown> | null);
    if (labels) await store.setLabelScheme(trx, body.framework, labels as unknown as Record<string, unknown>);
  });
  return getRulesView(db, body.framework);
}
