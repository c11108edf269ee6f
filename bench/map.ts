// npm run bench (map part; alone: npx tsx bench/map.ts) — the learning map in Debian's Chromium; prints JSON.
//
// The map data is served in the exact shape of GET /api/progress/map (docs/progress-api.md), so only the browser
// side is measured: 算数 (217 items) and a synthetic framework of BENCH_MAP_SIZE items (default 5,000), each opened
// BENCH_MAP_RUNS times (default 5). Measured: layout in the Web Worker, the first screenful, everything drawn (from
// the data in hand), the longest main-thread gap between frames while the big map streams in, and a drag step.
// Baseline, in the same browser and run: Cytoscape alone drawing the same elements, already placed, with the same
// style, in one batch — the library's own limit. In Node: the map's element building and layout for the big map
// against JSON.parse of its data (the least any client does with it).
import { fileURLToPath } from 'node:url';
import { createUser } from '../src/auth/index.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrateToLatest, openStore } from '../src/store/db.js';
import type { LearningMap } from '../web/src/types/progress-api.js';
import { toElements, type MapOptions } from '../web/src/features/map/lib/to-elements.js';
import { layoutLayers } from '../web/src/features/map/lib/layout.js';
import { placeElements } from '../web/src/features/map/lib/place.js';
import { mapStyle } from '../web/src/features/map/lib/map-style.js';
import { mathMap, progressOf, serveMapOnly, syntheticMap } from '../test/web/map-fixture.js';
import { buildWebUi, launchChromium } from '../test/browser.js';

const SIZE = Number(process.env['BENCH_MAP_SIZE'] ?? 5000);
const RUNS = Number(process.env['BENCH_MAP_RUNS'] ?? 5);
const VIEWPORT = { width: 1360, height: 900 };
const CYTOSCAPE = fileURLToPath(new URL('../node_modules/cytoscape/dist/cytoscape.min.js', import.meta.url));
const USER = { username: 'bench', displayName: 'Bench', password: 'a long bench passphrase 標' };
const log = (msg: string) => process.stderr.write(`[bench:map] ${msg}\n`);

const round = (n: number) => Math.round(n * 10) / 10;
function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0);
  return { p50: at(50), p95: at(95), max: at(100), runs: s.length };
}
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const text: MapOptions['text'] = { not_started: '未学習', in_progress: '学習中', mastered: '習得', blocked: '前提未習得', no_record: '記録なし', classShare: (m, l, p) => `習得 ${m}/${l} 人 (${p}%)`, classNoRecord: (n) => `記録なし ${n} 人`, unitCount: (m, t) => `${m}/${t}`, grade: (g) => `第${g}学年` };
const options: MapOptions = { view: 'curriculum', edgeTypes: new Set(['precedes', 'isRelatedTo', 'isChildOf']), text };

const small = mathMap({ stateOf: (_n, i) => progressOf(i % 3 === 0 ? 'mastered' : i % 3 === 1 ? 'in_progress' : 'not_started', i % 11 === 0) });
const big = syntheticMap(SIZE);

/** Node side: building the elements and the layout, against parsing the data. */
function inNode(map: LearningMap) {
  const json = JSON.stringify(map);
  const parse: number[] = [];
  const build: number[] = [];
  const layout: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t0 = performance.now();
    JSON.parse(json);
    parse.push(performance.now() - t0);
    t0 = performance.now();
    const { layout: nodes } = toElements(map, options);
    build.push(performance.now() - t0);
    t0 = performance.now();
    layoutLayers(nodes);
    layout.push(performance.now() - t0);
  }
  return { jsonParseMs: stats(parse), toElementsMs: stats(build), layoutMs: stats(layout) };
}

const webRoot = await buildWebUi();
const store = await openStore({});
await migrateToLatest(store.db);
await createUser(store.db, { ...USER, roles: [{ role: 'admin' }] });
const app = await buildApp({ config: loadConfig({ SHIRUBE_LOG_LEVEL: 'silent', SHIRUBE_DEMO: '0' }), store, logger: false, webRoot });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: VIEWPORT, locale: 'ja-JP' });
  if ((await page.request.post(`${base}/api/auth/sign-in`, { data: { username: USER.username, password: USER.password } })).status() !== 200) throw new Error('bench sign-in failed');
  let served = small;
  await serveMapOnly(page, USER, () => served);
  // The main thread's longest gap between animation frames since the page loaded (a string: tsx would wrap a
  // function's inner names in a helper the page does not have).
  await page.addInitScript(`
    window.__maxFrameGap = 0;
    let last = performance.now();
    const tick = (now) => {
      window.__maxFrameGap = Math.max(window.__maxFrameGap, now - last);
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);`);

  /** Shirube's map, opened RUNS times: its own timings (from the data in hand) and, for the big map, a drag. */
  async function shirube(map: LearningMap) {
    served = map;
    const layout: number[] = [];
    const first: number[] = [];
    const all: number[] = [];
    const gaps: number[] = [];
    const drag: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto(`${base}/map?framework=${map.framework.identifier}&learner=learner-1`);
      const canvas = page.locator('.learning-map[data-status="ready"][data-render-ms]');
      await canvas.waitFor({ timeout: 60_000 });
      if (Number(await canvas.getAttribute('data-node-count')) !== map.nodes.length) throw new Error('the map did not draw every item');
      layout.push(Number(await canvas.getAttribute('data-layout-ms')));
      first.push(Number(await canvas.getAttribute('data-first-frame-ms')));
      all.push(Number(await canvas.getAttribute('data-render-ms')));
      gaps.push(await page.evaluate(() => (window as unknown as { __maxFrameGap: number }).__maxFrameGap));
      const box = (await canvas.boundingBox())!;
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      const t0 = performance.now();
      const steps = 20;
      for (let s = 1; s <= steps; s++) await page.mouse.move(cx - s * 15, cy - s * 10);
      await page.mouse.up();
      drag.push((performance.now() - t0) / steps);
    }
    return { layoutInWorkerMs: stats(layout), firstScreenfulMs: stats(first), allDrawnMs: stats(all), longestFrameGapMs: stats(gaps), dragStepMs: stats(drag) };
  }

  /** Cytoscape alone: the same placed elements and style in one batch, time to the first drawn frame. */
  async function cytoscapeAlone(map: LearningMap) {
    const { elements, layout } = toElements(map, options);
    const placed = placeElements(elements, layoutLayers(layout));
    const raw = await browser.newPage({ viewport: VIEWPORT });
    try {
      await raw.setContent(`<div id="cy" style="width:${VIEWPORT.width}px;height:${VIEWPORT.height - 200}px"></div>`);
      await raw.addScriptTag({ path: CYTOSCAPE });
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        ms.push(
          await raw.evaluate(
            ({ elements, style }) =>
              new Promise<number>((resolve) => {
                const cytoscape = (window as unknown as { cytoscape: (o: unknown) => { one(e: string, f: () => void): void; destroy(): void } }).cytoscape;
                const t0 = performance.now();
                const cy = cytoscape({ container: document.getElementById('cy'), elements, style, layout: { name: 'preset' }, textureOnViewport: true, hideEdgesOnViewport: true });
                cy.one('render', () =>
                  setTimeout(() => {
                    const t = performance.now() - t0;
                    cy.destroy();
                    resolve(t);
                  }, 0),
                );
              }),
            { elements: placed, style: mapStyle },
          ),
        );
      }
      return { allDrawnMs: stats(ms) };
    } finally {
      await raw.close();
    }
  }

  log(`算数 (${small.nodes.length} items) and a synthetic framework of ${big.nodes.length} items, ${RUNS} runs each`);
  const out = {
    viewport: VIEWPORT,
    runs: RUNS,
    sizes: { small: small.nodes.length, big: big.nodes.length },
    small: { shirube: await shirube(small), cytoscapeAlone: await cytoscapeAlone(small) },
    big: { shirube: await shirube(big), cytoscapeAlone: await cytoscapeAlone(big), node: inNode(big) },
  };
  const report = {
    ...out,
    ratios: {
      smallAllDrawnVsCytoscape: ratio(out.small.shirube.allDrawnMs.p50, out.small.cytoscapeAlone.allDrawnMs.p50),
      bigFirstScreenfulVsCytoscapeAll: ratio(out.big.shirube.firstScreenfulMs.p50, out.big.cytoscapeAlone.allDrawnMs.p50),
      bigAllDrawnVsCytoscape: ratio(out.big.shirube.allDrawnMs.p50, out.big.cytoscapeAlone.allDrawnMs.p50),
      bigToElementsVsJsonParse: ratio(out.big.node.toElementsMs.p50, out.big.node.jsonParseMs.p50),
      bigLayoutVsJsonParse: ratio(out.big.node.layoutMs.p50, out.big.node.jsonParseMs.p50),
    },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await browser.close();
  await app.close();
  await store.close();
}
