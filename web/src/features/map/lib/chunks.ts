import type { ElementDefinition } from 'cytoscape';

/**
 * The order in which a big map is added, so the first frame comes fast and the page stays pannable while the rest
 * streams in: first the boxes, the nodes on screen and the edges between them; then the other nodes, `size` at a
 * time, each chunk with the edges that now have both ends. Every element appears exactly once; an edge whose end
 * is missing from the map is dropped.
 */
export function chunkElements(elements: readonly ElementDefinition[], onScreen: (e: ElementDefinition) => boolean, size: number): ElementDefinition[][] {
  const first: ElementDefinition[] = [];
  const rest: ElementDefinition[] = [];
  const edges: ElementDefinition[] = [];
  const nodeIds = new Set<string>();
  for (const e of elements) {
    if (e.group === 'edges') edges.push(e);
    else {
      nodeIds.add(e.data.id!);
      // Boxes (data.rect) are few and lie behind everything: always in the first chunk.
      (e.data['rect'] !== undefined || onScreen(e) ? first : rest).push(e);
    }
  }
  const added = new Set<string>();
  const waiting = new Map<string, ElementDefinition[]>();
  for (const e of edges) {
    const { source, target } = e.data as { source: string; target: string };
    if (!nodeIds.has(source) || !nodeIds.has(target)) continue;
    // Keyed by one end; checked for both when that end arrives.
    for (const end of [source, target]) waiting.set(end, [...(waiting.get(end) ?? []), e]);
  }
  const placed = new Set<ElementDefinition>();
  const withEdges = (nodes: ElementDefinition[]) => {
    const chunk = [...nodes];
    for (const n of nodes) added.add(n.data.id!);
    for (const n of nodes) {
      for (const e of waiting.get(n.data.id!) ?? []) {
        if (!placed.has(e) && added.has(e.data.source as string) && added.has(e.data.target as string)) {
          placed.add(e);
          chunk.push(e);
        }
      }
    }
    return chunk;
  };
  const chunks = [withEdges(first)];
  for (let i = 0; i < rest.length; i += size) chunks.push(withEdges(rest.slice(i, i + size)));
  return chunks;
}
