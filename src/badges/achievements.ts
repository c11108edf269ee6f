import type { Db } from '../store/db.js';
import * as store from '../store/badges.js';
import { LOCAL_BASE, uuidv5 } from '../case/index.js';
import { frameworkStructure } from '../progress/index.js';
import { ShirubeError } from '../errors.js';

export type AchievementRow = store.AchievementRow;

/**
 * The machine rule of an achievement: the framework's proficiency rule says Mastered on every item, or at least
 * `minCorrectRate` mean score over at least `minAnswers` answers on its items in the last `days` days.
 */
export type AchievementRule = { kind: 'mastered' } | { kind: 'correctRate'; minCorrectRate: number; minAnswers: number; days: number };

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
  throw new ShirubeError('invalid_request', `${field}: {"kind":"mastered"} or {"kind":"correctRate","minCorrectRate","minAnswers","days"}`, field);
}

export function ruleNarrative(rule: AchievementRule): string {
  return rule.kind === 'mastered'
    ? '学習記録（xAPI）から、習熟度ルールで「習得」と判定され、担任の先生が承認したときに授与されます。'
    : `直近${rule.days}日間に${rule.minAnswers}問以上回答し、平均正答率が${Math.round(rule.minCorrectRate * 100)}%以上で、担任の先生が承認したときに授与されます。`;
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
      alignment: [
        {
          type: ['Alignment'],
          targetType: 'CFItem',
          targetName: i.fullStatement,
          targetCode: i.id,
          targetFramework: s.title,
          targetUrl: publicUri(uris.get(i.id) ?? `${LOCAL_BASE}/uri/${i.id}`, publicUrl),
        },
      ],
      enabled: true,
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
}

export async function getAchievement(db: Db, id: string): Promise<AchievementRow> {
  const a = await store.getAchievement(db, id);
  if (!a) throw new ShirubeError('not_found', `No achievement ${id}`, 'achievementId');
  return a;
}

/** An author's edit of an achievement (the alignment and items stay: they are the CFItem's). */
export async function editAchievement(db: Db, id: string, e: AchievementEdit): Promise<AchievementRow> {
  const a = await getAchievement(db, id);
  const next: AchievementRow = {
    ...a,
    ...(e.name !== undefined ? { name: e.name } : {}),
    ...(e.description !== undefined ? { description: e.description } : {}),
    ...(e.image !== undefined ? { image: e.image } : {}),
    ...(e.criteriaNarrative !== undefined ? { criteriaNarrative: e.criteriaNarrative } : {}),
    ...(e.rule !== undefined ? { rule: checkAchievementRule(e.rule) } : {}),
    ...(e.enabled !== undefined ? { enabled: e.enabled } : {}),
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
