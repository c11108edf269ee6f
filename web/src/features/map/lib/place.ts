import type { ElementDefinition } from 'cytoscape';
import type { LayoutResult } from './layout.js';

/** Items at their layout positions; group boxes at their rectangles (centre, width, height); boxes without one dropped. */
export function placeElements(elements: readonly ElementDefinition[], layout: LayoutResult): ElementDefinition[] {
  const out: ElementDefinition[] = [];
  for (const e of elements) {
    if (e.group !== 'nodes') out.push(e);
    else if (typeof e.data['rect'] === 'string') {
      const r = layout.rects[e.data['rect']];
      if (r) out.push({ ...e, data: { ...e.data, width: r.width, height: r.height }, position: { x: r.x + r.width / 2, y: r.y + r.height / 2 } });
    } else {
      const p = layout.positions[e.data.id!];
      out.push(p ? { ...e, position: p } : e);
    }
  }
  return out;
}
