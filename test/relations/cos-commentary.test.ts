import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../helper.js';
import { candidateSpace, courseOfStudyCommentary, evaluate, offlineEstimator, tfidfEstimator, type Proposal } from '../../src/relations/index.js';
import { relationFramework } from '../../src/relations/framework.js';
import { cscaseId } from '../../src/case/cscode.js';
import { smallPackage } from './fixtures.js';

const CSV = `${SHARED}data/cscode/elementary-science-2017.csv`;
const TSV = `${SHARED}data/cscode/raw/jp-cos-commentary_cs-basic-advanced-20250816_science.tsv`;

/** The commentary file read here independently of the builder: precedes pairs of codes, rows with an end elsewhere. */
function expected() {
  const rows = parse(readFileSync(CSV), { columns: true, bom: true }) as Array<Record<string, string>>;
  const grade = new Map(rows.map((r) => [r['code']!, Number(r['grade'])]));
  const lines = readFileSync(TSV, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const inside = new Set<string>();
  const outsideCodes = new Set<string>();
  let outsideRows = 0;
  const subjects = new Set<string>();
  for (const [s, rel, o] of lines) {
    const [from, to] = rel === 'basicItem' ? [o!, s!] : [s!, o!];
    if (grade.has(s!)) subjects.add(s!);
    if (grade.has(from) && grade.has(to)) inside.add(`${from}>${to}`);
    else {
      outsideRows++;
      for (const c of [from, to]) if (!grade.has(c)) outsideCodes.add(c);
    }
  }
  return { rows: lines.length, inside, outsideRows, outsideCodes, subjects, grade };
}

const dataset = () => courseOfStudyCommentary(readFileSync(CSV), readFileSync(TSV));

describe('Course of Study commentary (理科 基礎/応用) as ground truth', () => {
  it('maps every pair with both ends in 理科 to the framework’s CFItems, deduplicated; pairs with a JH end are reported', () => {
    const want = expected();
    const ds = dataset();
    const codeOf = new Map(ds.package.CFItems.map((i) => [i.identifier, i.humanCodingScheme!]));
    expect(ds.package.CFItems).toHaveLength(want.grade.size);
    expect(ds.truth).toHaveLength(want.inside.size);
    for (const t of ds.truth) {
      expect(t.type).toBe('precedes');
      expect(codeOf.has(t.origin)).toBe(true);
      expect(codeOf.has(t.destination)).toBe(true);
    }
    expect(new Set(ds.truth.map((t) => `${codeOf.get(t.origin)}>${codeOf.get(t.destination)}`))).toEqual(want.inside);
    // The importer's deterministic identifiers: the shipped 理科 has the same ones.
    for (const t of ds.truth) expect([t.origin, t.destination]).toEqual([cscaseId(codeOf.get(t.origin)!), cscaseId(codeOf.get(t.destination)!)]);
    const r = ds.report;
    expect(r.rows).toBe(want.rows);
    expect(r.basicItem + r.advancedItem).toBe(want.rows);
    expect(r.rowsOutside).toBe(want.outsideRows);
    expect(r.rowsOutside).toBeGreaterThan(0);
    expect(new Set(r.codesOutside)).toEqual(want.outsideCodes);
    for (const c of r.codesOutside) expect(c.startsWith('836')).toBe(true);
    expect(r.rowsInside + r.rowsOutside).toBe(want.rows);
    expect(r.rowsInside - r.repeatedRows).toBe(want.inside.size);
    expect(new Set(r.subjects)).toEqual(want.subjects);
    // The truth is between (n) categories: one item type, the one to relate.
    const types = new Set(ds.truth.flatMap((t) => [t.origin, t.destination]).map((id) => ds.package.CFItems.find((i) => i.identifier === id)!.CFItemType));
    expect([...types]).toEqual([r.itemType]);
  });

  it('names the field of a bad relation row', () => {
    const bad = 'subject_code\trelation\tobject_code\n8260253110000000\tbroader\t8260233110000000\n';
    expect(() => courseOfStudyCommentary(readFileSync(CSV), bad)).toThrow(/relations\[0\]\.relation/);
  });

  it('reads a category with the statements under it (its content items); items whose descendants are estimated too have none', () => {
    const ds = dataset();
    const fw = relationFramework(ds.package, { itemTypes: [ds.report.itemType!] });
    const parent = new Map(ds.package.CFAssociations.filter((a) => a.associationType === 'isChildOf').map((a) => [a.originNodeURI!.identifier, a.destinationNodeURI!.identifier]));
    for (const cat of fw.items) {
      const under = ds.package.CFItems.filter((i) => {
        for (let p = parent.get(i.identifier); p; p = parent.get(p)) if (p === cat.identifier) return true;
        return false;
      });
      expect(under.length).toBeGreaterThan(0);
      expect(cat.below!.split('\n')).toEqual(under.map((i) => i.fullStatement));
    }
    // Relating every item of the framework: nothing is under an item that is not estimated itself.
    const types = [...new Set(ds.package.CFItems.map((i) => String(i.CFItemType)))];
    expect(relationFramework(ds.package, { itemTypes: types }).items.every((i) => i.below === undefined)).toBe(true);
  });

  it('evaluates offline and TF-IDF on the categories: P/R/F as recomputed here, the recall ceiling of the candidate space', async () => {
    const want = expected();
    const ds = dataset();
    const fw = relationFramework(ds.package, { itemTypes: [ds.report.itemType!] });
    const byId = new Map(fw.items.map((i) => [i.identifier, i]));
    for (const t of ds.truth) expect(byId.has(t.origin) && byId.has(t.destination)).toBe(true);
    const truth = new Set(ds.truth.map((t) => `${t.origin}>${t.destination}`));
    const judgedIds = new Set(fw.items.filter((i) => ds.report.subjects.includes(i.code!)).map((i) => i.identifier));

    for (const maxGradeGap of [2, 3]) {
      const space = candidateSpace(fw, { maxGradeGap });
      const gaps = [...want.inside].map((p) => p.split('>').map((c) => want.grade.get(c)!)).map(([a, b]) => b! - a!);
      const preds = new Map<string, Proposal[]>([
        ['offline', (await offlineEstimator().estimate(fw, space)).proposals],
        ['tfidf', (await tfidfEstimator().estimate(fw, space)).proposals],
      ]);
      for (const judged of [undefined, ds.report.subjects]) {
        const e = evaluate(fw, ds.truth, preds, { space, judged });
        expect(e.truthInScope).toBe(truth.size);
        // Every truth pair is within one domain (Ａ or Ｂ), so the space holds those within the grade gap.
        expect(e.truthInSpace!.precedes).toBe(gaps.filter((g) => g >= 0 && g <= maxGradeGap).length);
        for (const [name, proposals] of preds) {
          const scored = proposals.filter((p) => p.type === 'precedes' && (!judged || judgedIds.has(p.origin) || judgedIds.has(p.destination)));
          const keys = new Set(scored.map((p) => `${p.origin}>${p.destination}`));
          const tp = [...keys].filter((k) => truth.has(k)).length;
          const precision = keys.size ? tp / keys.size : 0;
          const recall = tp / truth.size;
          const s = e.scores.find((x) => x.estimator === name && x.type === 'precedes' && x.domain === '(all)')!;
          expect(s).toMatchObject({ truth: truth.size, predicted: keys.size, tp });
          expect(s.precision).toBeCloseTo(precision, 10);
          expect(s.recall).toBeCloseTo(recall, 10);
          expect(s.f1).toBeCloseTo(precision + recall ? (2 * precision * recall) / (precision + recall) : 0, 10);
          if (judged) expect(e.judged!.predictionsLeftOut[name]).toBe(proposals.filter((p) => !judgedIds.has(p.origin) && !judgedIds.has(p.destination)).length);
        }
        if (judged) expect(e.judged!.items + e.judged!.notEstimated).toBe(ds.report.subjects.length);
      }
    }
  });
});

describe('evaluate: candidate space and judged items', () => {
  const fw = relationFramework(smallPackage());
  const [a, b, c, d] = fw.items;
  const truth = [
    { origin: a!.identifier, destination: b!.identifier, type: 'precedes' as const },
    { origin: c!.code!, destination: a!.code!, type: 'isRelatedTo' as const },
    { origin: c!.identifier, destination: d!.identifier, type: 'precedes' as const },
  ];
  const p = (o: typeof a, x: typeof a, type: Proposal['type']): Proposal => ({ origin: o!.identifier, destination: x!.identifier, type, confidence: 0.5 });

  it('counts the truth inside the space: precedes in its direction, isRelatedTo in either', () => {
    const space = { pairs: new Set([`${b!.identifier}\t${a!.identifier}`, `${a!.identifier}\t${c!.identifier}`, `${c!.identifier}\t${d!.identifier}`]) };
    expect(evaluate(fw, truth, new Map(), { space }).truthInSpace).toEqual({ precedes: 1, isRelatedTo: 1 });
    expect(evaluate(fw, truth, new Map()).truthInSpace).toBeUndefined();
  });

  it('scores only relations with an end among the judged items, and counts what it leaves out', () => {
    const preds = new Map([['x', [p(a, b, 'precedes'), p(c, d, 'precedes'), p(b, d, 'precedes'), p(d, b, 'isRelatedTo')]]]);
    const e = evaluate(fw, truth, preds, { judged: [a!.code!, 'not-an-item'] });
    expect(e.judged).toEqual({ items: 1, notEstimated: 1, truthLeftOut: 1, predictionsLeftOut: { x: 3 } });
    expect(e.scores.find((s) => s.type === 'precedes' && s.domain === '(all)')).toMatchObject({ truth: 1, predicted: 1, tp: 1, precision: 1, recall: 1 });
    expect(e.scores.find((s) => s.type === 'isRelatedTo' && s.domain === '(all)')).toMatchObject({ truth: 1, predicted: 0, tp: 0 });
  });
});
