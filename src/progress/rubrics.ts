import type { LabelScheme, ProficiencyRule } from './rules.js';

/** One level of a CFRubricCriterion as Shirube reads it (docs/progress.md: Rubrics). */
export interface RubricLevel {
  identifier: string;
  /** The level's name (CASE `quality`): the label shown to teachers and learners, e.g. A, B, C. */
  quality: string;
  description: string | null;
  score: number | null;
  /** Lowest mean score (0–1) at this level; the lowest level has 0. */
  min: number;
}

/** The rubric criterion that names an item, with its levels from the highest down. */
export interface ItemRubric {
  rubric: { identifier: string; title: string | null };
  criterion: { identifier: string; description: string | null; category: string | null };
  levels: RubricLevel[];
  /** The level that counts as Mastered (criterion `extensions.masteryLevel`, else the highest). */
  mastery: string;
  lastChangeDateTime: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
const finite = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Reads a criterion's levels as a scale: ordered by score (highest first), each level's threshold its score when
 * every score is in [0, 1] (a mean correct rate, as Shirube authors them), else its share of the highest score
 * (points such as 4/3/2/1). Undefined when a level has no score or name: such a rubric is shown, not applied.
 */
export function criterionScale(criterion: Obj): { levels: RubricLevel[]; mastery: string } | undefined {
  const raw = Array.isArray(criterion['CFRubricCriterionLevels']) ? criterion['CFRubricCriterionLevels'].filter(isObj) : [];
  if (!raw.length) return undefined;
  const levels = raw.map((l) => ({
    identifier: String(l['identifier'] ?? ''),
    quality: str(l['quality']) ?? '',
    description: str(l['description']),
    score: finite(l['score']),
    position: finite(l['position']) ?? 0,
  }));
  if (levels.some((l) => l.score === null || !l.quality)) return undefined;
  levels.sort((a, b) => b.score! - a.score! || a.position - b.position);
  const top = levels[0]!.score!;
  const ratio = levels.every((l) => l.score! >= 0 && l.score! <= 1);
  if (!ratio && top <= 0) return undefined;
  const scaled = levels.map(({ position: _p, ...l }, i) => ({ ...l, min: i === levels.length - 1 ? 0 : ratio ? l.score! : l.score! / top }));
  const ext = isObj(criterion['extensions']) ? str(criterion['extensions']['masteryLevel']) : null;
  const mastery = (ext && scaled.find((l) => l.identifier === ext || l.quality === ext)) || scaled[0]!;
  return { levels: scaled, mastery: mastery.identifier };
}

/**
 * The rubric criteria naming each item, from CFRubric payloads of any framework. When several name one item, the
 * most recently changed rubric wins (a board's or school's newer rubric over an older one).
 */
export function itemRubrics(rubrics: Obj[]): Map<string, ItemRubric> {
  const out = new Map<string, ItemRubric>();
  for (const r of rubrics) {
    const changed = String(r['lastChangeDateTime'] ?? '');
    for (const c of Array.isArray(r['CFRubricCriteria']) ? r['CFRubricCriteria'].filter(isObj) : []) {
      const itemId = isObj(c['CFItemURI']) ? str(c['CFItemURI']['identifier']) : null;
      const scale = itemId ? criterionScale(c) : undefined;
      if (!itemId || !scale) continue;
      const seen = out.get(itemId);
      if (seen && Date.parse(seen.lastChangeDateTime) >= Date.parse(changed)) continue;
      out.set(itemId, {
        rubric: { identifier: String(r['identifier']), title: str(r['title']) },
        criterion: { identifier: String(c['identifier'] ?? ''), description: str(c['description']), category: str(c['category']) },
        ...scale,
        lastChangeDateTime: changed,
      });
    }
  }
  return out;
}

/** The item's rule under its rubric: Mastered from the mastery level's threshold, the rest from the framework rule. */
export const rubricRule = (rule: ProficiencyRule, r: ItemRubric): ProficiencyRule => ({ ...rule, minCorrectRate: r.levels.find((l) => l.identifier === r.mastery)!.min });

/** The item's labels under its rubric: its levels' names, by mean correct rate. */
export const rubricLabels = (r: ItemRubric): LabelScheme => ({ basis: 'correctRate', labels: r.levels.map((l) => ({ label: l.quality, min: l.min })) });
