import { layoutLayers, type LayoutNode, type LayoutResult } from './layout.js';

/** The layered layout off the main thread: the page stays responsive (pannable) while 5,000 items are placed. */
export interface LayoutRequest {
  id: number;
  nodes: LayoutNode[];
}
export interface LayoutResponse {
  id: number;
  result: LayoutResult;
  ms: number;
}

// web/tsconfig.json has the DOM library, not WebWorker: name only what this worker uses.
const scope = self as unknown as { onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null; postMessage: (m: LayoutResponse) => void };

scope.onmessage = (e) => {
  const t0 = performance.now();
  const result = layoutLayers(e.data.nodes);
  scope.postMessage({ id: e.data.id, result, ms: performance.now() - t0 });
};
