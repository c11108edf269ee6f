import type { ElementDefinition } from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { chunkElements } from '../../web/src/features/map/lib/chunks.js';

const node = (id: string, x: number): ElementDefinition => ({ group: 'nodes', data: { id }, position: { x, y: 0 } });
const box = (id: string): ElementDefinition => ({ group: 'nodes', data: { id, rect: `box:${id}` } });
const edge = (source: string, target: string): ElementDefinition => ({ group: 'edges', data: { id: `${source}>${target}`, source, target } });
const ids = (chunk: ElementDefinition[]) => chunk.map((e) => e.data.id);

describe('chunkElements', () => {
  const elements = [box('g'), node('a', 0), node('b', 10), node('c', 500), node('d', 600), node('e', 700), edge('a', 'b'), edge('a', 'c'), edge('d', 'e'), edge('c', 'missing')];
  const chunks = chunkElements(elements, (e) => e.position!.x < 100, 2);

  it('starts with the boxes, the nodes on screen and the edges between them', () => {
    expect(ids(chunks[0]!)).toEqual(['g', 'a', 'b', 'a>b']);
  });

  it('adds the other nodes in chunks, each edge as soon as both ends are in', () => {
    expect(chunks.slice(1).map(ids)).toEqual([['c', 'd', 'a>c'], ['e', 'd>e']]);
  });

  it('places every element once and drops edges to nodes not on the map', () => {
    const all = chunks.flat().map((e) => e.data.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(ids(elements.filter((e) => e.data.id !== 'c>missing')).sort());
  });
});
