import type { Db } from '../store/db.js';
import * as store from '../store/badges.js';
import { LOCAL_BASE, uuidv5 } from '../case/index.js';
import { frameworkRules, frameworkStructure, listUnitSchemes, unitSchemeView, type RubricLevel } from '../progress/index.js';
import { ShirubeError } from '../errors.js';

export type AchievementRow = store.AchievementRow;

/**
 * The machine rule of an achievement: the framework's proficiency rule says Mastered on every item; or at least
 * `minCorrectRate` mean score over at least `minAnswers` answers on its items in the last `days` days; or every item
 * reaches `level` (or a higher one) of the rubric criterion that grades it (docs/progress.md: Rubrics).
 */
export type AchievementRule =
  | { kind: 'mastered' }
  | { kind: 'correctRate'; minCorrectRate: number; minAnswers: number; days: number }
  | { kind: 'rubricLevel'; level: string };

const NAMESPACE = '0c7a8f5e-3d4b-5e6f-8a9b-1c2d3e4f5a6b';
export const achievementIdOfItem = (itemId: string) => uuidv5(`achievement:${itemId}`, NAMESPACE);
export const achievementUrl = (publicUrl: string, id: string) => `${publicUrl}/badges/achievements/${id}`;
const publicUri = (uri: string, publicUrl: string) => (uri.startsWith(LOCAL_BASE) ? publicUrl + uri.slice(LOCAL_BASE.length) : uri);

export function checkAchievementRule(v: unknown, field = 'rule'): AchievementRule {
  const r = v as Record<string, unknown> | null;
  if (r?.['kind'] === 'mastered' && Object.keys(r).length === 1) return { kind: 'mastered' };
  if (r?.['kind'] === 'correctRate') {
    const { minCorrectRate, minAnswers, days } = r as { minCorrectRate: number; minAnswers: number; days: number };
    if (typeof minCorrectRate !== 'number' || !(minCorrectRate > 0 && minCorrectRate <= 1)) throw new ShirubeError('invalid_request', `${field}.minCorrectRate: a number in (0, 1]`, `${field}.minCorrectRate`);
    if (!Number.isInteger(minAnswers) || minAnswers < 1 || minAnswers > 10_000) throw new ShirubeError('invalid_request', `${field}.minAnswers: an integer from 1`, `${field}.minAnswers`);
    if (!Number.isInteger(days) || days < 1 || days > 3660) throw new ShirubeError('invalid_request', `${field}.days: an integer from 1 to 3660`, `${field}.days`);
    return { kind: 'correctRate', minCorrectRate, minAnswers, days };
  }
  if (r?.['kind'] === 'rubricLevel') {
    const level = r['level'];
    if (typeof level !== 'string' || !level.trim() || level.length > 50) throw new ShirubeError('invalid_request', `${field}.level: the name (quality) of a rubric level, e.g. "A"`, `${field}.level`);
    return { kind: 'rubricLevel', level };
  }
  throw new ShirubeError('invalid_request', `${field}: {"kind":"mastered"}, {"kind":"correctRate","minCorrectRate","minAnswers","days"} or {"kind":"rubricLevel","level"}`, field);
}

/** A rubricLevel rule needs that level in the rubric of every item; returns the level of the first item. */
async function checkRubricLevel(db: Db, framework: string, itemIds: string[], rule: AchievementRule, field = 'rule'): Promise<RubricLevel | undefined> {
  if (rule.kind !== 'rubricLevel') return undefined;
  const { rubrics } = await frameworkRules(db, framework);
  let first: RubricLevel | undefined;
  for (const id of itemIds) {
    const level = rubrics.get(id)?.levels.find((l) => l.quality === rule.level);
    if (!level) throw new ShirubeError('invalid_request', `${field}.level: item ${id} has no rubric with a level "${rule.level}" (author one: PUT /api/frameworks/{id}/rubrics/{rubricId})`, `${field}.level`);
    first ??= level;
  }
  return first;
}

/** The criteria narrative a rule gets by default; `items` > 1: a group, where the rule holds on each item. */
export function ruleNarrative(rule: AchievementRule, items = 1, level?: RubricLevel): string {
  const each = items > 1 ? `対象の内容 ${items} 件のそれぞれで、` : '';
  if (rule.kind === 'rubricLevel') {
    const what = items === 1 && level?.description ? `（${level.description}）` : '';
    return `学習記録（xAPI）から、${each}ルーブリックの評価が「${rule.level}」以上${what}と判定され、担任の先生が承認したときに授与されます。`;
  }
  return rule.kind === 'mastered'
    ? `学習記録（xAPI）から、${each}習熟度ルールで「習得」と判定され、担任の先生が承認したときに授与されます。`
    : `${each}直近${rule.days}日間に${rule.minAnswers}問以上回答し、平均正答率が${Math.round(rule.minCorrectRate * 100)}%以上で、担任の先生が承認したときに授与されます。`;
}

/** How long credentials issued for an achievement stay valid: null (no expiry) or 1 to 3650 days. */
export function checkValidForDays(v: unknown, field = 'validForDays'): number | null {
  if (v === null) return null;
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 3650) throw new ShirubeError('invalid_request', `${field}: null (no expiry) or an integer from 1 to 3650`, field);
  return v as number;
}

/** The OB 3.0 CASE Alignment of a CFItem (the specification's example): the five fields. */
function caseAlignment(publicUrl: string, framework: string, target: { id: string; name: string; uri: string | undefined }) {
  return {
    type: ['Alignment'],
    targetType: 'CFItem',
    targetName: target.name,
    targetCode: target.id,
    targetFramework: framework,
    targetUrl: publicUri(target.uri ?? `${LOCAL_BASE}/uri/${target.id}`, publicUrl),
  };
}

/**
 * Sensible defaults for every content item of a framework (one Achievement per CFItem, rule "Mastered"), aligned
 * to the item as the OB 3.0 specification's CASE example does; achievements already present (perhaps edited) stay.
 * Returns how many were created.
 */
export async function createDefaultAchievements(db: Db, publicUrl: string, framework: string): Promise<number> {
  const s = await frameworkStructure(db, framework);
  const uris = await store.itemUris(db, s.items.map((i) => i.id));
  const rule: AchievementRule = { kind: 'mastered' };
  const list: AchievementRow[] = s.items.map((i) => {
    const where = [i.grade ? `${i.grade}年` : null, i.category, i.sectionNumber].filter(Boolean).join(' ');
    return {
      id: achievementIdOfItem(i.id),
      framework,
      itemIds: [i.id],
      name: where ? `${where}（${i.code}）` : i.code,
      description: i.fullStatement,
      image: null,
      criteriaNarrative: ruleNarrative(rule),
      rule,
      humanCode: i.code,
      alignment: [caseAlignment(publicUrl, s.title, { id: i.id, name: i.fullStatement, uri: uris.get(i.id) })],
      enabled: true,
      unit: null,
      validForDays: null,
    };
  });
  return store.saveAchievements(db, list, true);
}

export interface AchievementEdit {
  name?: string;
  description?: string;
  image?: string | null;
  criteriaNarrative?: string;
  rule?: unknown;
  enabled?: boolean;
  validForDays?: number | null;
}

/** A textbook unit a group achievement can be made from, with its content items (in Course of Study order). */
export interface UnitChoice {
  /** The framework itself (its (1),(2)… categories) or a publisher's unit scheme (docs/progress-api.md). */
  document: string;
  documentTitle: string;
  id: string;
  code: string | null;
  label: string;
  itemIds: string[];
}

/**
 * What a group achievement of a framework can be made of: its content items, and the units the learning map's unit
 * view shows (the framework's own, by default its categories, and each imported publisher's scheme).
 */
export async function groupChoices(db: Db, framework: string) {
  const s = await frameworkStructure(db, framework);
  const ordered = (ids: Iterable<string>) => {
    const set = new Set(ids);
    return s.items.filter((i) => set.has(i.id)).map((i) => i.id);
  };
  const units: UnitChoice[] = s.units.map((g) => ({ document: s.identifier, documentTitle: s.title, id: g.id, code: g.code, label: g.label, itemIds: ordered(s.items.filter((i) => i.unit === g.id).map((i) => i.id)) }));
  for (const scheme of await listUnitSchemes(db, s.identifier)) {
    const v = await unitSchemeView(db, s.identifier, scheme.identifier);
    const itemsOf = (unit: string) => [...v.unitOf].filter(([, u]) => u === unit).map(([item]) => item);
    for (const g of v.groups) units.push({ document: scheme.identifier, documentTitle: scheme.title, id: g.id, code: g.code, label: g.label, itemIds: ordered(itemsOf(g.id)) });
  }
  return { items: s.items.map((i) => ({ id: i.id, code: i.code, fullStatement: i.fullStatement, grade: i.grade })), units };
}

export interface GroupAchievementInput {
  framework: string;
  /** CFItem identifiers of the framework's content items; or `unit`. */
  itemIds?: string[];
  unit?: { document: string; id: string };
  name: string;
  description?: string;
  criteriaNarrative?: string;
  rule: unknown;
  image?: string | null;
  validForDays?: number | null;
}

const bad = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);

/**
 * A group achievement: an explicit list of the framework's content items, or a textbook unit expanded to its items.
 * The rule must hold on each item. The credential aligns to every item (the five CASE fields each) and, for a unit,
 * to the unit too (a CFItem of its document, with a URI). `humanCode`: the unit's code, or the items' codes joined
 * by " + ". The id follows from the unit or the set of items, so the same group twice is a 409.
 */
export async function createGroupAchievement(db: Db, publicUrl: string, input: GroupAchievementInput): Promise<AchievementRow> {
  const s = await frameworkStructure(db, input.framework);
  if ((input.itemIds === undefined) === (input.unit === undefined)) throw bad('itemIds', 'give either itemIds (content items of the framework) or unit ({document, id}), not both');
  const rule = checkAchievementRule(input.rule);
  const validForDays = checkValidForDays(input.validForDays ?? null);
  let itemIds: string[];
  let unit: UnitChoice | undefined;
  if (input.itemIds) {
    const seen = new Set<string>();
    input.itemIds.forEach((id, i) => {
      if (!s.byId.has(id)) throw bad(`itemIds[${i}]`, `${id} is not a content item of framework ${s.identifier}`);
      if (seen.has(id)) throw bad(`itemIds[${i}]`, `${id} is listed twice`);
      seen.add(id);
    });
    if (seen.size < 2) throw bad('itemIds', 'a group has at least two items (each item has its own default achievement)');
    itemIds = s.items.filter((i) => seen.has(i.id)).map((i) => i.id);
  } else {
    const { document, id } = input.unit!;
    const choices = (await groupChoices(db, s.identifier)).units;
    if (!choices.some((u) => u.document === document)) throw bad('unit.document', `${document} is neither framework ${s.identifier} nor one of its unit schemes (GET /api/progress/units)`);
    unit = choices.find((u) => u.document === document && u.id === id);
    if (!unit) throw bad('unit.id', `${id} is not a unit of ${document}`);
    if (!unit.itemIds.length) throw bad('unit.id', `unit ${unit.label} has no content items`);
    itemIds = unit.itemIds;
  }
  const achievementId = unit ? uuidv5(`achievement:unit:${unit.document}:${unit.id}`, NAMESPACE) : uuidv5(`achievement:items:${[...itemIds].sort().join(',')}`, NAMESPACE);
  const existing = await store.getAchievement(db, achievementId);
  if (existing) throw new ShirubeError('conflict', `${unit ? 'unit' : 'itemIds'}: the achievement “${existing.name}” already has this ${unit ? 'unit' : 'group of items'}; edit it instead`, unit ? 'unit' : 'itemIds');
  const level = await checkRubricLevel(db, s.identifier, itemIds, rule);
  const uris = await store.itemUris(db, [...itemIds, ...(unit ? [unit.id] : [])]);
  const items = itemIds.map((id) => s.byId.get(id)!);
  const a: AchievementRow = {
    id: achievementId,
    framework: s.identifier,
    itemIds,
    name: input.name,
    description: input.description ?? items.map((i) => `${i.code} ${i.fullStatement}`).join('\n'),
    image: input.image ?? null,
    criteriaNarrative: input.criteriaNarrative ?? ruleNarrative(rule, itemIds.length, level),
    rule,
    humanCode: unit ? (unit.code ?? unit.label) : items.map((i) => i.code).join(' + '),
    alignment: [
      ...items.map((i) => caseAlignment(publicUrl, s.title, { id: i.id, name: i.fullStatement, uri: uris.get(i.id) })),
      ...(unit && uris.has(unit.id) ? [caseAlignment(publicUrl, unit.documentTitle, { id: unit.id, name: unit.label, uri: uris.get(unit.id) })] : []),
    ],
    enabled: true,
    unit: unit ? { document: unit.document, id: unit.id } : null,
    validForDays,
  };
  await store.saveAchievements(db, [a]);
  return a;
}

/** Deletes an achievement nothing was issued for (its candidates go); once issued, disable it instead (409). */
export async function deleteAchievement(db: Db, id: string): Promise<void> {
  const r = await store.deleteAchievement(db, id);
  if (r === 'missing') throw new ShirubeError('not_found', `No achievement ${id}`, 'id');
  if (r === 'issued') throw new ShirubeError('conflict', 'Credentials were issued for this achievement: disable it instead (enabled: false)', 'id');
}

export async function getAchievement(db: Db, id: string): Promise<AchievementRow> {
  const a = await store.getAchievement(db, id);
  if (!a) throw new ShirubeError('not_found', `No achievement ${id}`, 'achievementId');
  return a;
}

/** An author's edit of an achievement (the alignment and items stay: they are the CFItem's). */
export async function editAchievement(db: Db, id: string, e: AchievementEdit): Promise<AchievementRow> {
  const a = await getAchievement(db, id);
  const rule = e.rule !== undefined ? checkAchievementRule(e.rule) : undefined;
  if (rule) await checkRubricLevel(db, a.framework, a.itemIds, rule);
  const next: AchievementRow = {
    ...a,
    ...(e.name !== undefined ? { name: e.name } : {}),
    ...(e.description !== undefined ? { description: e.description } : {}),
    ...(e.image !== undefined ? { image: e.image } : {}),
    ...(e.criteriaNarrative !== undefined ? { criteriaNarrative: e.criteriaNarrative } : {}),
    ...(rule ? { rule } : {}),
    ...(e.enabled !== undefined ? { enabled: e.enabled } : {}),
    ...(e.validForDays !== undefined ? { validForDays: checkValidForDays(e.validForDays) } : {}),
  };
  await store.saveAchievements(db, [next]);
  return next;
}

/** The OB 3.0 Achievement of a row. */
export function achievementJson(publicUrl: string, a: AchievementRow): Record<string, unknown> {
  const url = achievementUrl(publicUrl, a.id);
  return {
    id: url,
    type: ['Achievement'],
    achievementType: 'Competency',
    name: a.name,
    description: a.description,
    criteria: { id: `${url}#criteria`, narrative: a.criteriaNarrative },
    image: { id: a.image ?? `${url}/image.svg`, type: 'Image' },
    ...(a.humanCode ? { humanCode: a.humanCode } : {}),
    alignment: a.alignment,
    inLanguage: 'ja',
  };
}
