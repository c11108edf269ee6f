import { ShirubeError } from '../errors.js';

/** When an item counts as mastered (docs/progress.md). */
export interface ProficiencyRule {
  /** At least this many answers in the window... */
  minAnswers: number;
  /** ...among the last K answers (at most MAX_WINDOW)... */
  lastK: number;
  /** ...with a mean score (partial credit) of at least this. */
  minCorrectRate: number;
  /** Only answers within this many days before the evaluated moment count; null: no limit. */
  recencyDays: number | null;
}

export const MAX_WINDOW = 20;
export const DEFAULT_RULE: Readonly<ProficiencyRule> = Object.freeze({ minAnswers: 3, lastK: 5, minCorrectRate: 0.8, recencyDays: null });

export interface LabelScheme {
  basis: 'correctRate' | 'probability';
  /** Descending min; the last one has min 0. */
  labels: Array<{ label: string; min: number }>;
}

export const DEFAULT_LABELS: Readonly<LabelScheme> = Object.freeze({
  basis: 'correctRate',
  labels: [
    { label: 'A', min: 0.8 },
    { label: 'B', min: 0.5 },
    { label: 'C', min: 0 },
  ],
});

export type ProficiencyState = 'not_started' | 'in_progress' | 'mastered';

/** One answer kept in the window: when (epoch seconds) and its score in [0, 1]. */
export type RecentAnswer = [number, number];

const bad = (field: string, msg: string) => new ShirubeError('invalid_request', `${field}: ${msg}`, field);
const num = (v: unknown, field: string, min: number, max: number, integer: boolean): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw bad(field, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return v;
};

/** Checks a rule from the API (all fields optional: defaults fill in). */
export function checkRule(v: Record<string, unknown>, field = 'rule'): ProficiencyRule {
  const r = { ...DEFAULT_RULE, ...v };
  const lastK = num(r.lastK, `${field}.lastK`, 1, MAX_WINDOW, true);
  const minAnswers = num(r.minAnswers, `${field}.minAnswers`, 1, MAX_WINDOW, true);
  if (minAnswers > lastK) throw bad(`${field}.minAnswers`, 'must not exceed lastK');
  return {
    minAnswers,
    lastK,
    minCorrectRate: num(r.minCorrectRate, `${field}.minCorrectRate`, 0, 1, false),
    recencyDays: r.recencyDays === null ? null : num(r.recencyDays, `${field}.recencyDays`, 1, 3650, true),
  };
}

export function checkLabels(v: { basis?: unknown; labels?: unknown }, field = 'labels'): LabelScheme {
  const basis = v.basis ?? 'correctRate';
  if (basis !== 'correctRate' && basis !== 'probability') throw bad(`${field}.basis`, 'must be correctRate or probability');
  if (!Array.isArray(v.labels) || v.labels.length < 1 || v.labels.length > 10) throw bad(`${field}.labels`, 'must list 1 to 10 labels');
  const labels = v.labels.map((l: { label?: unknown; min?: unknown }, i) => {
    if (typeof l?.label !== 'string' || !/^\S{1,8}$/.test(l.label)) throw bad(`${field}.labels.${i}.label`, 'must be 1 to 8 characters');
    return { label: l.label, min: num(l.min, `${field}.labels.${i}.min`, 0, 1, false) };
  });
  labels.forEach((l, i) => {
    if (i > 0 && l.min >= labels[i - 1]!.min) throw bad(`${field}.labels.${i}.min`, 'must be lower than the label before');
  });
  if (labels.at(-1)!.min !== 0) throw bad(`${field}.labels.${labels.length - 1}.min`, 'the last label must have min 0');
  return { basis, labels };
}

/** The answers of the window at `at` (epoch seconds): the last K, within recencyDays. */
export function windowAnswers(recent: RecentAnswer[], rule: ProficiencyRule, at: number): RecentAnswer[] {
  const since = rule.recencyDays === null ? -Infinity : at - rule.recencyDays * 86400;
  return recent.filter(([t]) => t <= at && t >= since).slice(-rule.lastK);
}

export interface Evaluation {
  state: ProficiencyState;
  label: string | null;
  correctRate: number | null;
}

/** State, label and the window's mean score of one learner on one item. */
export function evaluate(attempts: number, recent: RecentAnswer[], probability: number, rule: ProficiencyRule, labels: LabelScheme, at: number): Evaluation {
  if (attempts === 0) return { state: 'not_started', label: null, correctRate: null };
  const w = windowAnswers(recent, rule, at);
  const correctRate = w.length ? w.reduce((a, [, s]) => a + s, 0) / w.length : null;
  const mastered = w.length >= rule.minAnswers && correctRate !== null && correctRate >= rule.minCorrectRate;
  const basis = labels.basis === 'probability' ? probability : (correctRate ?? 0);
  const label = labels.labels.find((l) => basis >= l.min)?.label ?? labels.labels.at(-1)!.label;
  return { state: mastered ? 'mastered' : 'in_progress', label, correctRate };
}
