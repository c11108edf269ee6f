import { describe, expect, it } from 'vitest';
import { PrecedesGraph, nextSteps, traceBack, type ItemStanding } from '../../src/progress/graph.js';

/*
 * A hand-built graph (edges: source precedes target):
 *
 *   a1 (g1) ──► b2 (g2) ──► d3 (g3) ──► t (g4)
 *   a2 (g1) ──► c2 (g2) ──────────────► t
 *   e1 (g1) ──► c2                        ▲
 *   f3 (g3) ──────────────────────────────┘
 */
const edges = [
  ['a1', 'b2'],
  ['b2', 'd3'],
  ['d3', 't'],
  ['a2', 'c2'],
  ['e1', 'c2'],
  ['c2', 't'],
  ['f3', 't'],
].map(([source, target]) => ({ id: `${source}>${target}`, source: source!, target: target! }));

const table: Record<string, Omit<ItemStanding, 'code'>> = {
  t: { state: 'in_progress', probability: 0.2, grade: '4' },
  d3: { state: 'in_progress', probability: 0.4, grade: '3' },
  f3: { state: 'mastered', probability: 0.95, grade: '3' },
  c2: { state: 'mastered', probability: 0.5, grade: '2' }, // mastered by the counting rule but weak
  b2: { state: 'not_started', probability: 0.2, grade: '2' },
  a1: { state: 'mastered', probability: 0.9, grade: '1' },
  a2: { state: 'not_started', probability: 0.2, grade: '1' },
  e1: { state: 'in_progress', probability: 0.2, grade: '1' },
};
const standing = (id: string): ItemStanding => ({ ...table[id]!, code: id });
const g = new PrecedesGraph(edges);

describe('trace-back', () => {
  it('ranks unmastered or weak prerequisites by (1 − p) / hops, ties by grade, with shortest chains', () => {
    const r = traceBack(g, 't', standing);
    expect(r.map((e) => [e.itemId, e.hops, Number(e.score.toFixed(4))])).toEqual([
      ['d3', 1, 0.6], // (1 − 0.4) / 1
      ['c2', 1, 0.5], // mastered but weak: (1 − 0.5) / 1
      ['a2', 2, 0.4], // (1 − 0.2) / 2, grade 1
      ['e1', 2, 0.4], // same score and grade: by code
      ['b2', 2, 0.4], // same score, grade 2 last
    ]);
  });

  it('orders equal scores by lower grade first', () => {
    const ids = traceBack(g, 't', standing).map((e) => e.itemId);
    expect(ids).toEqual(['d3', 'c2', 'a2', 'e1', 'b2']);
  });

  it('gives each prerequisite its chain to the item and the edges to highlight', () => {
    const r = traceBack(g, 't', standing);
    expect(r.find((e) => e.itemId === 'a2')!.path).toEqual(['a2', 'c2', 't']);
    expect(r.find((e) => e.itemId === 'b2')!.path).toEqual(['b2', 'd3', 't']);
    expect(r.find((e) => e.itemId === 'b2')!.pathEdges.map((e) => e.id)).toEqual(['b2>d3', 'd3>t']);
    // a1 (mastered, strong) and f3 (mastered, strong) are not listed; a1 is still walked through.
    expect(r.some((e) => e.itemId === 'a1' || e.itemId === 'f3')).toBe(false);
  });

  it('stops at a strongly mastered prerequisite: what it builds on counts as known', () => {
    // z0 (never answered) precedes f3 (mastered, p 0.95) precedes t: z0 is not traced back to.
    const g2 = new PrecedesGraph([...edges, { id: 'z0>f3', source: 'z0', target: 'f3' }, { id: 'y0>c2', source: 'y0', target: 'c2' }]);
    const st = (id: string): ItemStanding => (id === 'z0' || id === 'y0' ? { state: 'not_started', probability: 0.2, grade: '1', code: id } : standing(id));
    const ids = traceBack(g2, 't', st).map((e) => e.itemId);
    expect(ids).not.toContain('z0');
    // c2 is mastered but weak: the walk goes on behind it.
    expect(ids).toContain('y0');
  });

  it('stops at maxHops', () => {
    expect(traceBack(g, 't', standing, { maxHops: 1 }).map((e) => e.itemId)).toEqual(['d3', 'c2']);
  });

  it('an item without prerequisites has an empty trace-back', () => {
    expect(traceBack(g, 'a1', standing)).toEqual([]);
  });
});

describe('next steps and blocked', () => {
  it('lists unmastered items whose prerequisites are all mastered: in progress first, then grade, then order', () => {
    const order = ['a1', 'a2', 'e1', 'b2', 'c2', 'd3', 'f3', 't'];
    // b2 (a1 mastered), a2 and e1 (no prerequisites); d3 waits for b2, t for d3.
    expect(nextSteps(g, order, standing)).toEqual(['e1', 'a2', 'b2']);
  });

  it("respects the learner's grade: nothing later, earlier grades only where their answers show a gap", () => {
    const order = ['a1', 'a2', 'e1', 'b2', 'c2', 'd3', 'f3', 't'];
    // Grade 3: a2 (grade 1, never answered) is no gap; e1 (grade 1, in progress) is; b2 (grade 2, never answered) is
    // assumed learned, so d3 (grade 3, in progress) may come next; t (grade 4) is later.
    expect(nextSteps(g, order, standing, { learnerGrade: '3' })).toEqual(['e1', 'd3']);
    // Grade 4: t waits for d3 (grade 3, answered, not mastered): a gap shown by the answers.
    expect(nextSteps(g, order, standing, { learnerGrade: '4' })).toEqual(['e1', 'd3']);
    // No grade known: as before.
    expect(nextSteps(g, order, standing, { learnerGrade: null })).toEqual(['e1', 'a2', 'b2']);
  });

  it('flags an item blocked when a direct prerequisite is not mastered', () => {
    const mastered = (id: string) => table[id]!.state === 'mastered';
    expect(g.isBlocked('t', mastered)).toBe(true);
    expect(g.isBlocked('b2', mastered)).toBe(false);
    expect(g.isBlocked('c2', mastered)).toBe(false); // mastered items are never blocked
    expect(g.isBlocked('a2', mastered)).toBe(false);
  });
});
