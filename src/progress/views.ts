import type { Db } from '../store/db.js';
import { getLearner } from '../store/lrs.js';
import { listEvidence } from '../store/lrs-evidence.js';
import * as store from '../store/progress.js';
import * as rosters from '../store/progress-rosters.js';
import { getStatements } from '../store/lrs.js';
import { ShirubeError } from '../errors.js';
import { frameworkOfItem, frameworkStructure, type FrameworkStructure, type MapItem } from './framework.js';
import { frameworkRules, labelsOf, ruleOf, standingsOf, endOfDay, type FrameworkRules, type LearnerStandings, type Progress } from './standing.js';
import { nextSteps as nextStepIds, traceBack } from './graph.js';
import { evaluate } from './rules.js';
import { unitSchemeView } from './units.js';
import { resourcesOfItems } from './resources.js';

export interface ViewOptions {
  timeZone: string;
  /** The school year's terms (MM-DD ranges from April on: SHIRUBE_SCHOOL_TERMS), which a learner's map carries for its date slider. */
  schoolTerms?: ReadonlyArray<{ from: string; to: string }>;
}

const summary = (i: MapItem) => ({ id: i.id, code: i.code, fullStatement: i.fullStatement, grade: i.grade, domain: i.domain, category: i.category });

async function learnerRef(db: Db, learnerId: string) {
  const l = await getLearner(db, learnerId);
  if (!l) throw new ShirubeError('not_found', `No learner ${learnerId}`, 'learnerId');
  const person = (await rosters.findPerson(db, { learnerId }))[0];
  return { id: l.id, displayName: person?.displayName ?? l.displayName ?? l.id };
}

async function one(db: Db, s: FrameworkStructure, learnerId: string, asOf: string | undefined, o: ViewOptions, rules?: FrameworkRules, learnerGrade: string | null = null): Promise<LearnerStandings> {
  return (await standingsOf(db, s, [learnerId], asOf, o.timeZone, rules, () => learnerGrade)).get(learnerId)!;
}

/** A learner's grade from their classes (null when none says). */
export const learnerGradeOf = async (db: Db, learnerId: string) => gradeOfClasses(await rosters.learnerClassGrades(db, learnerId));

type MapQuery = { framework: string; asOf?: string | undefined; view: 'curriculum' | 'unit'; units?: string | undefined };

/**
 * The parts of a map every kind shares (a learner's, the framework alone, a class's): nodes (with what `extra`
 * adds to each), edges and groups (with what `summarise` says of the nodes inside each) for the view.
 */
async function mapParts<N extends object, S extends object>(db: Db, s: FrameworkStructure, q: MapQuery, extra: (i: MapItem) => N, summarise: (inside: Array<MapItem & N>) => S) {
  // A publisher's unit scheme replaces the default units (the categories) in the unit view.
  const scheme = q.units && q.view === 'unit' ? await unitSchemeView(db, s.identifier, q.units) : null;
  const unitView = q.view === 'unit';
  const unitOf = (i: MapItem) => (scheme ? (scheme.unitOf.get(i.id) ?? null) : i.unit);
  const nodes = s.items.map((i) => ({ ...i, unit: unitOf(i), group: unitView ? unitOf(i) : i.group, ...extra(i) }));
  const parents = new Map(s.groups.map((g) => [g.id, g.parent]));
  const isInside = (groupId: string | null, ancestor: string) => {
    for (let g = groupId; g; g = parents.get(g) ?? null) if (g === ancestor) return true;
    return false;
  };
  const groups = (scheme ? scheme.groups : unitView ? s.units : s.groups).map((g) => ({ ...g, ...summarise(nodes.filter((n) => (unitView ? n.group === g.id : isInside(n.group, g.id)))) }));
  const childEdges = scheme ? [] : unitView ? s.childEdges.filter((e) => s.byId.has(e.source)).map((e) => ({ ...e, target: s.byId.get(e.source)!.unit ?? e.target })) : s.childEdges;
  let unitEdges = s.unitEdges;
  if (scheme) {
    // Units ordered by the scheme, and units whose items precede each other's.
    const counts = new Map<string, number>(scheme.explicit.map((e) => [`${e.source} ${e.target}`, 0]));
    for (const e of s.graph.successors.values()) {
      for (const x of e) {
        const a = scheme.unitOf.get(x.source);
        const b = scheme.unitOf.get(x.target);
        if (a && b && a !== b) counts.set(`${a} ${b}`, (counts.get(`${a} ${b}`) ?? 0) + 1);
      }
    }
    unitEdges = [...counts].map(([k, count]) => ({ source: k.split(' ')[0]!, target: k.split(' ')[1]!, count }));
  }
  return { nodes, edges: [...s.edges, ...childEdges], groups, unitEdges, crossLinks: s.crossLinks };
}

/** GET /api/progress/map (docs/progress-api.md). */
export async function learningMap(db: Db, q: MapQuery & { learnerId?: string | undefined }, o: ViewOptions) {
  const s = await frameworkStructure(db, q.framework);
  const learner = q.learnerId ? await learnerRef(db, q.learnerId) : null;
  const rules = await frameworkRules(db, s.identifier);
  const learnerGrade = q.learnerId ? await learnerGradeOf(db, q.learnerId) : null;
  const st = q.learnerId ? await one(db, s, q.learnerId, q.asOf, o, rules, learnerGrade) : null;
  const parts = await mapParts(
    db,
    s,
    q,
    (i) => ({ progress: st ? st.progress(i.id) : null }),
    (inside) => {
      const count = (state: string) => inside.filter((n) => (n.progress?.state ?? 'not_started') === state).length;
      return { summary: { total: inside.length, mastered: count('mastered'), inProgress: count('in_progress'), notStarted: count('not_started'), noRecord: inside.filter((n) => n.progress?.noRecord).length } };
    },
  );
  return {
    framework: { identifier: s.identifier, title: s.title },
    learner,
    learnerGrade,
    asOf: q.asOf ?? null,
    view: q.view,
    labels: rules.labels.labels,
    labelBasis: rules.labels.basis,
    schoolTerms: o.schoolTerms ?? [],
    ...parts,
  };
}

/** How many of a class's learners are in each state on an item (or, summed, on a group's items). */
export interface ClassShare {
  learners: number;
  mastered: number;
  inProgress: number;
  notStarted: number;
  /** Of notStarted: no record of an earlier grade than the class's. */
  noRecord: number;
}

/**
 * GET /api/progress/classes/{classId}/map: the learning map of a class, each item with how many of the class's
 * learners mastered it, are learning it, have not started it (of whom with no record of an earlier grade); each
 * group with the same summed over its items (learner × item pairs).
 */
export async function classMap(db: Db, q: MapQuery & { classId: string }, o: ViewOptions) {
  const { cls, s, learners, st, rules } = await classStandings(db, q, o);
  const zero = (): ClassShare => ({ learners: 0, mastered: 0, inProgress: 0, notStarted: 0, noRecord: 0 });
  const add = (a: ClassShare, b: ClassShare) => {
    for (const k of Object.keys(a) as Array<keyof ClassShare>) a[k] += b[k];
    return a;
  };
  const shareOf = (itemId: string): ClassShare => {
    const c = zero();
    for (const l of learners) {
      const p = st.get(l.id)!.progress(itemId);
      c.learners++;
      if (p.state === 'mastered') c.mastered++;
      else if (p.state === 'in_progress') c.inProgress++;
      else c.notStarted++;
      if (p.noRecord) c.noRecord++;
    }
    return c;
  };
  const parts = await mapParts(
    db,
    s,
    q,
    (i) => ({ progress: null, classShare: shareOf(i.id) }),
    (inside) => ({ summary: { total: inside.length, mastered: 0, inProgress: 0, notStarted: 0, noRecord: 0 }, classShare: inside.reduce((a, n) => add(a, n.classShare), zero()) }),
  );
  return {
    framework: { identifier: s.identifier, title: s.title },
    class: { id: cls.id, title: cls.title, schoolId: cls.schoolId, grades: cls.grades, learners: learners.length },
    learner: null,
    learnerGrade: gradeOfClasses(cls.grades),
    asOf: q.asOf ?? null,
    view: q.view,
    labels: rules.labels.labels,
    labelBasis: rules.labels.basis,
    ...parts,
  };
}

/** GET /api/progress/learners/{id}/items/{itemId}. */
export async function itemDetail(db: Db, q: { learnerId: string; itemId: string; framework?: string | undefined; asOf?: string | undefined }, o: ViewOptions) {
  const s = await frameworkStructure(db, q.framework ?? (await frameworkOfItem(db, q.itemId)));
  const item = s.byId.get(q.itemId);
  if (!item) throw new ShirubeError('not_found', `No content item ${q.itemId} in framework ${s.identifier}`, 'itemId');
  const learner = await learnerRef(db, q.learnerId);
  const rules = await frameworkRules(db, s.identifier);
  const st = await one(db, s, q.learnerId, q.asOf, o, rules, await learnerGradeOf(db, q.learnerId));
  const until = q.asOf ? endOfDay(q.asOf, o.timeZone) * 1000 : Infinity;
  const all = (await listEvidence(db, q.learnerId, q.itemId, false)).filter((e) => e.timestamp.getTime() <= until);
  const shown = all.slice(-200);
  const statements = new Map((await getStatements(db, shown.map((e) => e.statementId))).map((r) => [r.id, r.payload]));
  const evidence = shown.map((e) => {
    const p = (statements.get(e.statementId) ?? {}) as Record<string, any>;
    const name = p['object']?.['definition']?.['name'];
    return {
      statementId: e.statementId,
      timestamp: e.timestamp.toISOString(),
      score: e.score,
      success: e.success,
      verb: p['verb']?.['id'] ?? null,
      activity: p['object']?.['id'] ?? null,
      activityName: name && typeof name === 'object' ? (name['ja'] ?? name['ja-JP'] ?? Object.values(name)[0] ?? null) : null,
    };
  });
  const rule = ruleOf(rules, q.itemId);
  const labels = labelsOf(rules, q.itemId);
  const timeline = (await store.masteryDaysOf(db, q.learnerId, [q.itemId]))
    .filter((d) => !q.asOf || d.day <= q.asOf)
    .map((d) => {
      const ev = evaluate(d.attempts, d.recent, d.p, rule, labels, endOfDay(d.day, o.timeZone));
      return { day: d.day, attempts: d.dayAttempts, correct: d.dayCorrect, totalAttempts: d.attempts, probability: d.p, state: ev.state, label: ev.label };
    });
  const chains = traceBack(s.graph, q.itemId, st.standing);
  const edges = new Map(chains.flatMap((c) => c.pathEdges).map((e) => [e.id, { id: e.id, source: e.source, target: e.target }]));
  return {
    learner,
    item: summary(item),
    progress: st.progress(q.itemId),
    /**
     * What the label is judged on: `correctRate` (the mean score of the rule's window, the last `window` answers) or
     * `probability` (BKT), with the thresholds; the item panel shows the label beside that figure.
     */
    labelBasis: labels.basis,
    labels: labels.labels,
    window: rule.lastK,
    /** The rubric criterion that grades this item (its levels name the labels), or null. */
    rubric: rules.rubrics.get(q.itemId) ?? null,
    evidence,
    evidenceTotal: all.length,
    timeline,
    traceBack: chains.map((c) => {
      const p = st.progress(c.itemId);
      return { item: summary(s.byId.get(c.itemId)!), hops: c.hops, probability: p.probability, correctRate: p.correctRate, labelBasis: labelsOf(rules, c.itemId).basis, state: p.state, label: p.label, score: c.score, path: c.path };
    }),
    pathEdges: [...edges.values()],
    /** Drills, videos… aligned to the item (docs/resources.md). */
    resources: (await resourcesOfItems(db, [q.itemId])).get(q.itemId) ?? [],
  };
}

/** A learner's grade from their classes' roster grades (P4 as the Japan profile writes it, 04 or 4): the highest; null when none says. */
export function gradeOfClasses(grades: string[]): string | null {
  const n = grades.map((g) => /^P?0?(\d{1,2})$/i.exec(g.trim())?.[1]).filter((x): x is string => !!x).map(Number);
  return n.length ? String(Math.max(...n)) : null;
}

/** GET /api/progress/learners/{id}/next-steps. */
export async function nextSteps(db: Db, q: { learnerId: string; framework: string; asOf?: string | undefined; limit: number }, o: ViewOptions) {
  const s = await frameworkStructure(db, q.framework);
  await learnerRef(db, q.learnerId);
  const learnerGrade = await learnerGradeOf(db, q.learnerId);
  const st = await one(db, s, q.learnerId, q.asOf, o, undefined, learnerGrade);
  const ids = nextStepIds(s.graph, s.items.map((i) => i.id), st.standing, { learnerGrade }).slice(0, q.limit);
  const resources = await resourcesOfItems(db, ids, 5);
  return {
    learnerGrade,
    items: ids.map((id) => ({ item: summary(s.byId.get(id)!), progress: st.progress(id), prerequisites: s.graph.prerequisitesOf(id).map((e) => e.source), resources: resources.get(id) ?? [] })),
  };
}

const brief = (p: Progress) => ({ state: p.state, label: p.label, probability: p.probability });

/** GET /api/progress/learners/{id}/changes. */
export async function changes(db: Db, q: { learnerId: string; framework: string; from: string; to?: string | undefined }, o: ViewOptions) {
  if (q.to && q.to < q.from) throw new ShirubeError('invalid_request', 'to: must not be before from', 'to');
  const s = await frameworkStructure(db, q.framework);
  await learnerRef(db, q.learnerId);
  const to = q.to ?? new Intl.DateTimeFormat('en-CA', { timeZone: o.timeZone }).format(new Date());
  const rules = await frameworkRules(db, s.identifier);
  const [a, b] = await Promise.all([one(db, s, q.learnerId, q.from, o, rules), one(db, s, q.learnerId, to, o, rules)]);
  const out = [];
  const sum = { mastered: 0, started: 0, regressed: 0 };
  for (const i of s.items) {
    const before = a.progress(i.id);
    const after = b.progress(i.id);
    if (before.state === after.state && before.label === after.label) continue;
    if (after.state === 'mastered' && before.state !== 'mastered') sum.mastered++;
    if (before.state === 'not_started') sum.started++;
    if (before.state === 'mastered' && after.state !== 'mastered') sum.regressed++;
    out.push({ item: summary(i), before: brief(before), after: brief(after) });
  }
  return { from: q.from, to, summary: sum, changes: out };
}

/** The class, its learners and their standings (heatmap, stuck). */
async function classStandings(db: Db, q: { classId: string; framework: string; asOf?: string | undefined }, o: ViewOptions) {
  const cls = await rosters.getClass(db, q.classId);
  if (!cls) throw new ShirubeError('not_found', `No class ${q.classId}`, 'classId');
  const s = await frameworkStructure(db, q.framework);
  const learners = (await rosters.listEnrollments(db, { classId: q.classId }))
    .filter((e) => e.role === 'student' && e.learnerId)
    .map((e) => ({ id: e.learnerId!, displayName: e.displayName }));
  // The class's grade for everyone in it: "no record" is of the grades the class has left behind.
  const grade = gradeOfClasses(cls.grades);
  const rules = await frameworkRules(db, s.identifier);
  const st = await standingsOf(db, s, learners.map((l) => l.id), q.asOf, o.timeZone, rules, () => grade);
  return { cls, s, learners, st, rules };
}

/** The Course of Study letters of the viewpoints inside a unit: ア 知識及び技能, イ 思考力，判断力，表現力等. */
const VIEWPOINT_LETTERS: Array<[RegExp, string]> = [
  [/^知識/, 'ア'],
  [/^思考/, 'イ'],
  [/^学びに向かう/, 'ウ'],
];

/**
 * A short name of a Course of Study item for a column head, as the Course of Study writes it: grade, domain letter,
 * unit number, viewpoint letter and section ("4A(1)ア(イ)"); the code when the framework has no such parts.
 */
function shortCode(i: MapItem, unitLabel: string | null): string {
  const unitNo = unitLabel ? /^\((\d+)\)/.exec(unitLabel)?.[1] : undefined;
  if (!i.grade || !i.domainCode || !unitNo) return i.code;
  const viewpoint = VIEWPOINT_LETTERS.find(([re]) => re.test(i.viewpoint ?? ''))?.[1] ?? '';
  const section = i.sectionNumber ? `(${i.sectionNumber.replace(/[()（）]/g, '')})` : '';
  return `${i.grade}${i.domainCode}(${unitNo})${viewpoint}${section}`;
}

/** GET /api/progress/classes/{classId}/heatmap. */
export async function heatmap(db: Db, q: { classId: string; framework: string; grade?: string | undefined; domain?: string | undefined; asOf?: string | undefined }, o: ViewOptions) {
  const { cls, s, learners, st } = await classStandings(db, q, o);
  const items = s.items.filter((i) => (!q.grade || i.grade === q.grade) && (!q.domain || i.domain === q.domain || i.domainCode === q.domain));
  const unitLabel = new Map(s.groups.map((g) => [g.id, g.label]));
  return {
    class: { id: cls.id, title: cls.title, schoolId: cls.schoolId, grades: cls.grades },
    // Column heads: the short name and the unit (the category, "(1) 整数の表し方"), beside the summary.
    items: items.map((i) => {
      const unit = i.group ? (unitLabel.get(i.group) ?? null) : null;
      return { ...summary(i), domainCode: i.domainCode, sectionNumber: i.sectionNumber, unit, shortCode: shortCode(i, unit) };
    }),
    learners,
    cells: learners.map((l) =>
      items.map((i) => {
        const p = st.get(l.id)!.progress(i.id);
        return { state: p.state, label: p.label, probability: p.probability, attempts: p.attempts, correct: p.correct, blocked: p.blocked, noRecord: p.noRecord };
      }),
    ),
  };
}

const csvCell = (v: string) => (/[",\n\r]/.test(v) || /^[=+\-@]/.test(v) ? `"${(/^[=+\-@]/.test(v) ? "'" : '') + v.replace(/"/g, '""')}"` : v);

/** GET /api/progress/classes/{classId}/heatmap.csv: labels per learner and item (Excel-friendly: BOM, CRLF). */
export async function heatmapCsv(db: Db, q: Parameters<typeof heatmap>[1], o: ViewOptions): Promise<string> {
  const h = await heatmap(db, q, o);
  const lines = [['learner', 'displayName', ...h.items.map((i) => i.code)]];
  h.learners.forEach((l, r) => lines.push([l.id, l.displayName, ...h.cells[r]!.map((c) => `${c.label ?? '-'}${c.state === 'mastered' ? '*' : ''}`)]));
  return '\uFEFF' + lines.map((cols) => cols.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** GET /api/progress/classes/{classId}/stuck. */
export async function stuck(db: Db, q: { classId: string; framework: string; asOf?: string | undefined; min: number }, o: ViewOptions) {
  const { s, learners, st } = await classStandings(db, q, o);
  const byPrereq = new Map<string, Array<{ id: string; displayName: string; blockedItems: string[] }>>();
  for (const l of learners) {
    const ls = st.get(l.id)!;
    const blocked = new Map<string, string[]>();
    for (const i of s.items) {
      const b = ls.base(i.id);
      if (b.attempts === 0 || b.state === 'mastered') continue;
      for (const e of s.graph.prerequisitesOf(i.id)) if (!ls.mastered(e.source)) (blocked.get(e.source) ?? blocked.set(e.source, []).get(e.source)!).push(i.id);
    }
    for (const [p, items] of blocked) (byPrereq.get(p) ?? byPrereq.set(p, []).get(p)!).push({ ...l, blockedItems: items });
  }
  const order = new Map(s.items.map((i, n) => [i.id, n]));
  return {
    prerequisites: [...byPrereq]
      .filter(([, ls]) => ls.length >= q.min)
      .sort(([a, x], [b, y]) => y.length - x.length || order.get(a)! - order.get(b)!)
      .map(([id, ls]) => ({ item: summary(s.byId.get(id)!), learners: ls })),
  };
}
