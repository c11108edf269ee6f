/**
 * The learning map's layered layout: it reads by grade. Columns are layers (grades, left to right), rows are lanes
 * (domains, top to bottom, aligned across every column), and inside a cell each box (a unit: the (1),(2)… category)
 * holds its items in a small grid, in order. Precedes edges, which mostly run from a grade to a later one, then
 * point rightwards. Linear in the number of nodes, pure, so it runs in a Web Worker (layout.worker.ts) and in tests.
 */
export interface LayoutNode {
  id: string;
  /** Column: grades sort numerically (0 = not tied to a grade). */
  layer: number;
  /** Row, the same across columns (domain index). */
  lane: number;
  /** The box the node is drawn in (its unit); nodes without one get a box of their own per cell. */
  box?: string | undefined;
  /** Order inside the box and of boxes in a cell (first member's order). */
  order: number;
}

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  /** Space between nodes, and the room a box's title and border take. */
  gap: number;
  boxPadding: number;
  boxHeader: number;
  /** Extra room around each cell: the grade and domain groups drawn around the boxes need it for their own titles. */
  cellPadding: number;
  /** Items per row inside a box. */
  boxColumns: number;
  /** Room above the first row for the layers' titles. */
  layerHeader: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = { nodeWidth: 168, nodeHeight: 72, gap: 16, boxPadding: 12, boxHeader: 28, cellPadding: 56, boxColumns: 2, layerHeader: 64 };

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LayoutResult {
  /** Centre of every node. */
  positions: Record<string, Point>;
  /**
   * The boxes drawn behind the nodes, by key: `box:<box>` (a unit), `cell:<layer>|<lane>` (a domain of a grade),
   * `layer:<layer>` (a grade's column, with room for its title on top). Plain rectangles, not compound nodes:
   * cytoscape's compound bounds cost seconds at 5,000 items.
   */
  rects: Record<string, Rect>;
  /** Left edge of each layer's column and top of each lane's row: for axis labels. */
  layers: Array<{ layer: number; x: number; width: number }>;
  lanes: Array<{ lane: number; y: number; height: number }>;
}

interface Box {
  key: string;
  order: number;
  nodes: LayoutNode[];
}

const byOrder = (a: { order: number }, b: { order: number }) => a.order - b.order;

export function layoutLayers(nodes: readonly LayoutNode[], options: Partial<LayoutOptions> = {}): LayoutResult {
  const o = { ...DEFAULT_LAYOUT, ...options };
  const cellW = o.nodeWidth + o.gap;
  const cellH = o.nodeHeight + o.gap;

  // layer → lane → box key → box
  const cells = new Map<number, Map<number, Map<string, Box>>>();
  for (const n of nodes) {
    let lanes = cells.get(n.layer);
    if (!lanes) cells.set(n.layer, (lanes = new Map()));
    let boxes = lanes.get(n.lane);
    if (!boxes) lanes.set(n.lane, (boxes = new Map()));
    const key = n.box ?? '';
    let box = boxes.get(key);
    if (!box) boxes.set(key, (box = { key, order: n.order, nodes: [] }));
    box.nodes.push(n);
    box.order = Math.min(box.order, n.order);
  }

  const boxSize = (box: Box) => {
    const cols = Math.min(o.boxColumns, box.nodes.length);
    const rows = Math.ceil(box.nodes.length / cols);
    return { cols, width: cols * cellW - o.gap + 2 * o.boxPadding, height: rows * cellH - o.gap + 2 * o.boxPadding + o.boxHeader };
  };

  const layerKeys = [...cells.keys()].sort((a, b) => a - b);
  const laneKeys = [...new Set(nodes.map((n) => n.lane))].sort((a, b) => a - b);

  // A column is as wide as its widest box; a row as tall as its tallest stack of boxes in any column.
  const sortedBoxes = (layer: number, lane: number) => [...(cells.get(layer)?.get(lane)?.values() ?? [])].sort(byOrder);
  const stackHeight = (boxes: Box[]) => boxes.reduce((h, b) => h + boxSize(b).height + o.gap, 0) - (boxes.length ? o.gap : 0);
  const columnWidth = new Map(layerKeys.map((l) => [l, Math.max(0, ...[...cells.get(l)!.values()].flatMap((m) => [...m.values()].map((b) => boxSize(b).width)))]));
  const rowHeight = new Map(laneKeys.map((lane) => [lane, Math.max(0, ...layerKeys.map((l) => stackHeight(sortedBoxes(l, lane))))]));

  const layers: LayoutResult['layers'] = [];
  const lanes: LayoutResult['lanes'] = [];
  let x = 0;
  for (const l of layerKeys) {
    layers.push({ layer: l, x, width: columnWidth.get(l)! + 2 * o.cellPadding });
    x += columnWidth.get(l)! + 2 * o.cellPadding + o.cellPadding;
  }
  let y = 0;
  for (const lane of laneKeys) {
    lanes.push({ lane, y, height: rowHeight.get(lane)! + 2 * o.cellPadding });
    y += rowHeight.get(lane)! + 2 * o.cellPadding + o.gap;
  }

  const positions: Record<string, Point> = {};
  const rects: Record<string, Rect> = {};
  const bottom = lanes.length ? lanes.at(-1)!.y + lanes.at(-1)!.height : 0;
  const inset = o.cellPadding / 4;
  for (const col of layers) {
    rects[`layer:${col.layer}`] = { x: col.x, y: -o.layerHeader, width: col.width, height: bottom + o.layerHeader + inset };
    for (const row of lanes) {
      const boxes = sortedBoxes(col.layer, row.lane);
      if (boxes.length) rects[`cell:${col.layer}|${row.lane}`] = { x: col.x + inset, y: row.y + inset, width: col.width - 2 * inset, height: row.height - 2 * inset };
      let top = row.y + o.cellPadding;
      for (const box of boxes) {
        const size = boxSize(box);
        const left = col.x + o.cellPadding;
        if (box.key) rects[`box:${box.key}`] = { x: left, y: top, width: size.width, height: size.height };
        box.nodes.sort(byOrder).forEach((n, i) => {
          positions[n.id] = {
            x: left + o.boxPadding + (i % size.cols) * cellW + o.nodeWidth / 2,
            y: top + o.boxPadding + o.boxHeader + Math.floor(i / size.cols) * cellH + o.nodeHeight / 2,
          };
        });
        top += size.height + o.gap;
      }
    }
  }
  return { positions, rects, layers, lanes };
}
