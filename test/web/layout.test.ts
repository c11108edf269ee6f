import { describe, expect, it } from 'vitest';
import { DEFAULT_LAYOUT, layoutLayers, type LayoutNode } from '../../web/src/features/map/lib/layout.js';

const node = (id: string, layer: number, lane: number, box: string | undefined, order: number): LayoutNode => ({ id, layer, lane, box, order });
const { nodeWidth: W, nodeHeight: H } = DEFAULT_LAYOUT;

/** True when the two nodes' rectangles overlap. */
const overlap = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) < W && Math.abs(a.y - b.y) < H;

describe('layoutLayers', () => {
  const nodes = [
    node('g2-a', 2, 0, 'u3', 30),
    node('g1-a1', 1, 0, 'u1', 10),
    node('g1-a2', 1, 0, 'u1', 11),
    node('g1-a3', 1, 0, 'u1', 12),
    node('g1-b', 1, 1, 'u2', 20),
    node('g2-b', 2, 1, 'u4', 40),
    node('g2-b2', 2, 1, 'u5', 41),
  ];
  const { positions: p, layers, lanes } = layoutLayers(nodes);

  it('puts grades in columns from left to right', () => {
    expect(layers.map((l) => l.layer)).toEqual([1, 2]);
    for (const id of ['g1-a1', 'g1-a2', 'g1-a3', 'g1-b']) {
      expect(p[id]!.x).toBeGreaterThan(layers[0]!.x);
      expect(p[id]!.x).toBeLessThan(layers[1]!.x);
    }
    for (const id of ['g2-a', 'g2-b', 'g2-b2']) expect(p[id]!.x).toBeGreaterThan(layers[1]!.x);
  });

  it('aligns domains in rows across grades', () => {
    expect(lanes.map((l) => l.lane)).toEqual([0, 1]);
    const row1 = lanes[1]!.y;
    for (const id of ['g1-a1', 'g1-a3', 'g2-a']) expect(p[id]!.y).toBeLessThan(row1);
    for (const id of ['g1-b', 'g2-b', 'g2-b2']) expect(p[id]!.y).toBeGreaterThan(row1);
    // The first box of each cell starts at the same height in every column.
    expect(p['g1-a1']!.y).toBe(p['g2-a']!.y);
    expect(p['g1-b']!.y).toBe(p['g2-b']!.y);
  });

  it('fills a box row by row in order, and stacks boxes of a cell', () => {
    expect(p['g1-a1']!.y).toBe(p['g1-a2']!.y);
    expect(p['g1-a1']!.x).toBeLessThan(p['g1-a2']!.x);
    expect(p['g1-a3']!.x).toBe(p['g1-a1']!.x);
    expect(p['g1-a3']!.y).toBeGreaterThan(p['g1-a1']!.y);
    expect(p['g2-b2']!.y).toBeGreaterThan(p['g2-b']!.y + H);
  });

  it('never overlaps two nodes', () => {
    const ids = Object.keys(p);
    expect(ids.sort()).toEqual(nodes.map((n) => n.id).sort());
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) expect(overlap(p[ids[i]!]!, p[ids[j]!]!), `${ids[i]} / ${ids[j]}`).toBe(false);
  });

  // How fast: npm run bench (bench/map.ts), against parsing the same data in the same run.
  it('lays out 5,000 nodes without overlaps', () => {
    const many: LayoutNode[] = [];
    for (let i = 0; i < 5000; i++) many.push(node(`n${i}`, 1 + (i % 12), (i >> 4) % 5, `u${i >> 3}`, i));
    const { positions } = layoutLayers(many);
    expect(Object.keys(positions)).toHaveLength(5000);
    // Overlap check per column (nodes of different columns are separated by the column test above).
    const seen = new Set<string>();
    for (const q of Object.values(positions)) {
      const key = `${q.x},${q.y}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    expect(seen.size).toBe(5000);
  });
});
