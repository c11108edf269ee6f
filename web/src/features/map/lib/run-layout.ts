import type { LayoutNode, LayoutResult } from './layout.js';
import type { LayoutRequest, LayoutResponse } from './layout.worker.js';

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (r: LayoutResponse) => void; reject: (e: Error) => void }>();

/** Runs the layered layout in the Web Worker (one worker for the page, started on first use). */
export function runLayout(nodes: LayoutNode[]): Promise<{ result: LayoutResult; ms: number }> {
  if (!worker) {
    worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<LayoutResponse>) => {
      pending.get(e.data.id)?.resolve(e.data);
      pending.delete(e.data.id);
    };
    // A worker that cannot start (blocked script, crash) fails every waiting layout instead of hanging it.
    worker.onerror = (e) => {
      for (const p of pending.values()) p.reject(new Error(`layout worker: ${e.message}`));
      pending.clear();
      worker = undefined;
    };
  }
  const id = nextId++;
  const request: LayoutRequest = { id, nodes };
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker!.postMessage(request);
  });
}
