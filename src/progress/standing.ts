import type { Db } from '../store/db.js';
import * as store from '../store/progress.js';
import { DEFAULT_BKT } from './bkt.js';
import { checkLabels, checkRule, DEFAULT_LABELS, DEFAULT_RULE, evaluate, type LabelScheme, type ProficiencyRule, type ProficiencyState } from './rules.js';
import type { FrameworkStructure } from './framework.js';
import { isNoRecord, type ItemStanding } from './graph.js';
import { itemRubrics, rubricLabels, rubricRule, type ItemRubric } from './rubrics.js';
import { rubricsNamingItemsOf } from '../store/case.js';

/** A learner on one item (docs/progress-api.md: Progress). */
export interface Progress {
  state: ProficiencyState;
  label: string | null;
  probability: number;
  blocked: boolean;
  /** No answer on an item of a grade below the learner's (記録なし): state stays not_started (graph.ts: isNoRecord). */
  noRecord: boolean;
  attempts: number;
  correct: number;
  correctRate: number | null;
  lastAt: string | null;
}

export interface FrameworkRules {
  rule: ProficiencyRule;
  items: Map<string, ProficiencyRule>;
  labels: LabelScheme;
  /** Rubric criteria (from any framework) naming the framework's items. */
  rubrics: Map<string, ItemRubric>;
}

/** The framework's rule, per-item rules, labels and rubrics (defaults where none are set). */
export async function frameworkRules(db: Db, framework: string): Promise<FrameworkRules> {
  const [rows, labels, rubrics] = await Promise.all([store.getRules(db, framework), store.getLabelScheme(db, framework), rubricsNamingItemsOf(db, framework)]);
  const fw = rows.find((r) => r.itemId === '');
  return {
    rule: fw ? checkRule(fw.rule) : { ...DEFAULT_RULE },
    items: new Map(rows.filter((r) => r.itemId !== '').map((r) => [r.itemId, checkRule(r.rule)])),
    labels: labels ? checkLabels(labels) : DEFAULT_LABELS,
    rubrics: itemRubrics(rubrics.map((r) => r.payload)),
  };
}

/**
 * Framework rules cached by one server under the frameworks' generation token, which every write of rules, labels,
 * rubrics or packages moves on (store/case-generation.ts): the LRS's write path reads them once per framework and
 * token instead of three queries (one a scan of every rubric) per batch.
 */
export class RulesCache {
  #token: string | undefined;
  #rules = new Map<string, Promise<FrameworkRules>>();

  get(db: Db, framework: string, token: string): Promise<FrameworkRules> {
    if (this.#token !== token) [this.#token, this.#rules] = [token, new Map()];
    let r = this.#rules.get(framework);
    if (!r) {
      this.#rules.set(framework, (r = frameworkRules(db, framework)));
      // A failed read (its transaction rolled back) is not kept.
      r.catch(() => this.#rules.get(framework) === r && this.#rules.delete(framework));
    }
    return r;
  }
}

/**
 * An item's rule: the teacher's rule for that item, else the framework's with the item's rubric deciding the
 * mean score that counts as Mastered.
 */
export function ruleOf(r: FrameworkRules, itemId: string): ProficiencyRule {
  const own = r.items.get(itemId);
  if (own) return own;
  const rubric = r.rubrics.get(itemId);
  return rubric ? rubricRule(r.rule, rubric) : r.rule;
}

/** An item's labels: its rubric's levels, else the framework's teacher labels. */
export function labelsOf(r: FrameworkRules, itemId: string): LabelScheme {
  const rubric = r.rubrics.get(itemId);
  return rubric ? rubricLabels(rubric) : r.labels;
}

/** The instant (epoch seconds) at the end of a calendar day in a time zone. */
export function endOfDay(day: string, timeZone: string): number {
  const guess = Date.parse(`${day}T23:59:59Z`);
  const local = new Date(new Date(guess).toLocaleString('en-US', { timeZone })).getTime();
  const utc = new Date(new Date(guess).toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
  return Math.floor((guess - (local - utc)) / 1000);
}

/** Standings of one learner on every item of a map, as of a day (undefined: now). */
export class LearnerStandings {
  constructor(
    readonly s: FrameworkStructure,
    private readonly rows: Map<string, store.MasteryRow>,
    private readonly rules: FrameworkRules,
    private readonly at: number,
    /** The learner's grade (their classes'), for "no record"; null: not known. */
    readonly learnerGrade: string | null = null,
  ) {}

  private evaluated = new Map<string, Omit<Progress, 'blocked' | 'noRecord'>>();

  base(itemId: string): Omit<Progress, 'blocked' | 'noRecord'> {
    let e = this.evaluated.get(itemId);
    if (!e) {
      const r = this.rows.get(itemId);
      const p = r?.p ?? DEFAULT_BKT.pL0;
      const ev = evaluate(r?.attempts ?? 0, r?.recent ?? [], p, ruleOf(this.rules, itemId), labelsOf(this.rules, itemId), this.at);
      e = { ...ev, probability: p, attempts: r?.attempts ?? 0, correct: r?.correct ?? 0, lastAt: r ? r.lastAt.toISOString() : null };
      this.evaluated.set(itemId, e);
    }
    return e;
  }

  mastered = (itemId: string) => this.base(itemId).state === 'mastered';

  noRecord = (itemId: string) => isNoRecord(this.s.byId.get(itemId)?.grade ?? null, this.learnerGrade, this.base(itemId).attempts);

  /** Mastered, or no record of an earlier grade (taken as learned then). */
  private known = (itemId: string) => this.mastered(itemId) || this.noRecord(itemId);

  progress(itemId: string): Progress {
    return { ...this.base(itemId), blocked: this.s.graph.isBlocked(itemId, this.mastered, this.known), noRecord: this.noRecord(itemId) };
  }

  standing = (itemId: string): ItemStanding => {
    const b = this.base(itemId);
    const item = this.s.byId.get(itemId);
    return { state: b.state, probability: b.probability, grade: item?.grade ?? null, code: item?.code ?? itemId };
  };
}

/** Standings of several learners (a class) as of a day; `grades`: each learner's grade (for "no record"). */
export async function standingsOf(
  db: Db,
  s: FrameworkStructure,
  learnerIds: string[],
  asOf: string | undefined,
  timeZone: string,
  known?: FrameworkRules,
  grades: (learnerId: string) => string | null = () => null,
): Promise<Map<string, LearnerStandings>> {
  // A caller that needs the rules itself passes them: they are three queries (rules, labels, rubrics).
  const rules = known ?? (await frameworkRules(db, s.identifier));
  const rows = await store.masteryAsOf(db, learnerIds, asOf, [...s.byId.keys()]);
  const by = new Map<string, Map<string, store.MasteryRow>>(learnerIds.map((l) => [l, new Map()]));
  for (const r of rows) if (s.byId.has(r.itemId)) by.get(r.learnerId)?.set(r.itemId, r);
  const at = asOf ? endOfDay(asOf, timeZone) : Math.floor(Date.now() / 1000);
  return new Map(learnerIds.map((l) => [l, new LearnerStandings(s, by.get(l)!, rules, at, grades(l))]));
}
