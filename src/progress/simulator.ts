import { uuidv5 } from '../case/index.js';
import { COURSE_OF_STUDY_CODE } from '../lrs/index.js';
import type { FrameworkStructure } from './framework.js';

/** A learner of the simulated class: their xAPI Agent and a latent ability (standard normal). */
export interface SimLearner {
  agent: Record<string, unknown>;
  ability: number;
}

export interface SimulationOptions {
  /** The class's grade: its items are taught in Course of Study order over the year; earlier grades are reviewed. */
  grade: number;
  /** First school day (two semesters: April–September, October–March). */
  start: Date;
  /** School days in the year (about 200). */
  days: number;
  seed: number;
  /** Questions per learner per taught item. */
  questionsPerItem: number;
  /**
   * The subject's drill (docs/demo.md): its statements get their own ids and random stream, so that several
   * subjects can be simulated for one class and interleaved (simulateClass). Unset: the 算数 drill as it always was.
   */
  subject?: string | undefined;
  /** Hour of the lesson, UTC (1 = 10:00 JST). */
  hour?: number | undefined;
}

export const DEFAULT_SIMULATION: Readonly<SimulationOptions> = Object.freeze({ grade: 4, start: new Date('2025-04-08T00:00:00Z'), days: 200, seed: 2017, questionsPerItem: 6 });

/** mulberry32: small, seeded, good enough for a demo. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const normal = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const READINESS_DAYS = 10;
/** A small string hash (FNV-1a), to give each subject its own random stream from one seed. */
const salt = (text: string | undefined) => {
  if (!text) return 0;
  let h = 0x811c9dc5;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
};
const NAMESPACE = '2f8d3b7e-61a4-4c55-8f0e-6b3c9d1e7a20';
const ANSWERED = { id: 'http://adlnet.gov/expapi/verbs/answered', display: { 'en-US': 'answered', 'ja-JP': '回答した' } };

/**
 * Drill statements for a class over a school year (Japan xAPI profile, "answered" template with the Course of
 * Study Code extension). Each learner knows an earlier-grade item with a chance rising with ability; a taught item
 * is learned with a chance that falls with each unknown prerequisite (precedes), so P(correct) depends on the
 * mastery of prerequisites: known → 1 − slip (0.1), unknown → guess (0.2). A framework without precedes (理科)
 * works the same way with no prerequisite ever missing. Deterministic for a seed. Yields statements in time order,
 * one school day at a time.
 */
export function* simulate(s: FrameworkStructure, learners: SimLearner[], o: SimulationOptions = DEFAULT_SIMULATION): Generator<Record<string, unknown>[]> {
  for (const batch of simulateDays(s, learners, o)) if (batch.length) yield batch;
}

/** One subject of a class's timetable: its framework and its options (the same learners for every subject). */
export interface SimSubject {
  structure: FrameworkStructure;
  options: SimulationOptions;
}

/**
 * Drill statements of several subjects for one class (算数 in the morning, 理科 after lunch …), interleaved day by
 * day in time order: each school day yields the day's statements of every subject, in the order given.
 */
export function* simulateClass(subjects: SimSubject[], learners: SimLearner[]): Generator<Record<string, unknown>[]> {
  const days = subjects.map((x) => simulateDays(x.structure, learners, x.options));
  for (;;) {
    const today = days.map((d) => d.next());
    if (today.every((x) => x.done)) return;
    const batch = today.flatMap((x) => (x.done ? [] : x.value));
    if (batch.length) yield batch;
  }
}

/** Every school day's statements, an empty batch on a day without drills. */
function* simulateDays(s: FrameworkStructure, learners: SimLearner[], o: SimulationOptions): Generator<Record<string, unknown>[]> {
  const r = rng(o.seed ^ salt(o.subject));
  const idPrefix = o.subject ? `sim:${o.subject}:${o.seed}` : `sim:${o.seed}`;
  const hour = o.hour ?? 1;
  const gradeOf = (id: string) => Number(s.byId.get(id)?.grade ?? 0);
  const taught = s.items.filter((i) => gradeOf(i.id) === o.grade);
  const review = s.items.filter((i) => gradeOf(i.id) > 0 && gradeOf(i.id) < o.grade);
  // Knowledge at the start of the year: earlier grades mostly known, weaker learners miss more (and the items
  // built on what they miss).
  const known = learners.map((l) => {
    const k = new Set<string>();
    for (const i of review) {
      const prereqsKnown = s.graph.prerequisitesOf(i.id).every((e) => k.has(e.source) || gradeOf(e.source) >= o.grade);
      if (r() < sigmoid(1.6 + 1.2 * l.ability + (o.grade - gradeOf(i.id)) * 0.2 - (prereqsKnown ? 0 : 1.5))) k.add(i.id);
    }
    return k;
  });
  // Taught items spread over the days in order; each is practised over 3 days, reviews are mixed in.
  const plan = new Map<number, string[]>();
  taught.forEach((item, n) => {
    const first = Math.floor((n / taught.length) * (o.days - 10));
    for (let d = 0; d < 3; d++) (plan.get(first + d * 2) ?? plan.set(first + d * 2, []).get(first + d * 2)!).push(item.id);
  });
  const readiness = review.filter((i) => gradeOf(i.id) === o.grade - 1).map((i) => i.id);
  let counter = 0;
  for (let day = 0; day < o.days; day++) {
    // School days: skip weekends and the summer break (roughly late July to August).
    const date = new Date(o.start.getTime() + Math.floor(day * 1.45) * 86400000);
    const batch: Record<string, unknown>[] = [];
    const todays = plan.get(day) ?? [];
    learners.forEach((l, li) => {
      const questions: string[] = [];
      for (const id of todays) for (let q = 0; q < Math.ceil(o.questionsPerItem / 3); q++) questions.push(id);
      // April readiness check: three questions on each item of the previous grade, spread over the first days.
      readiness.forEach((id, n) => {
        if (n % READINESS_DAYS === day) for (let q = 0; q < 3; q++) questions.push(id);
      });
      // Review drills: about one learner in eight practises an earlier-grade item (three questions) on a day.
      if (review.length && r() < 0.125) {
        const id = review[Math.floor(r() * review.length)]!.id;
        for (let q = 0; q < 3; q++) questions.push(id);
      }
      questions.forEach((id, qi) => {
        const item = s.byId.get(id)!;
        const prereqs = s.graph.prerequisitesOf(id);
        const unknown = prereqs.filter((e) => !known[li]!.has(e.source)).length;
        const knows = known[li]!.has(id);
        const pCorrect = knows ? 0.9 : 0.2 + 0.1 * sigmoid(l.ability);
        const correct = r() < pCorrect;
        // Practice teaches, less when prerequisites are missing.
        if (!knows && r() < sigmoid(-0.6 + 0.8 * l.ability - 1.2 * unknown)) known[li]!.add(id);
        const t = new Date(date.getTime() + (hour * 3600 + li * 60 + qi * 20) * 1000); // 10:00 JST onwards by default
        const n = ++counter;
        batch.push({
          id: uuidv5(`${idPrefix}:${n}`, NAMESPACE),
          actor: l.agent,
          verb: ANSWERED,
          object: {
            objectType: 'Activity',
            id: `https://drill.shirube.example/questions/${item.code}/${n % 7}`,
            definition: {
              type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
              interactionType: 'fill-in',
              name: { 'ja-JP': `${item.category ?? '算数'} 練習問題 ${(n % 7) + 1}` },
              extensions: { [COURSE_OF_STUDY_CODE]: [item.code] },
            },
          },
          result: { success: correct, score: { scaled: correct ? 1 : 0, raw: correct ? 1 : 0, min: 0, max: 1 }, duration: `PT${20 + Math.floor(r() * 60)}S` },
          context: { platform: 'Shirube デモドリル', language: 'ja-JP' },
          timestamp: t.toISOString(),
        });
      });
    });
    yield batch;
  }
}

/** Learners of a simulated class with abilities from the seed. */
export function simLearners(agents: Record<string, unknown>[], seed: number): SimLearner[] {
  const r = rng(seed ^ 0x5eed);
  return agents.map((agent) => ({ agent, ability: normal(r) }));
}
