import cytoscape, { type CollectionReturnValue, type Core, type ElementDefinition, type NodeSingular } from 'cytoscape';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { MapElements } from '../lib/to-elements.js';
import { DEFAULT_LAYOUT, type LayoutResult } from '../lib/layout.js';
import { runLayout } from '../lib/run-layout.js';
import { mapStyle } from '../lib/map-style.js';
import { nearestInDirection, type Direction } from '../lib/navigate.js';
import { chunkElements } from '../lib/chunks.js';
import { placeElements } from '../lib/place.js';
import './learning-map.css';

export interface Highlight {
  nodes: ReadonlySet<string>;
  edges: ReadonlySet<string>;
}

interface MapTimings {
  /** Data in hand → positions back from the worker (0 when the layout was reused). */
  layoutMs: number;
  /** Data in hand → the first screenful drawn. */
  firstFrameMs: number;
  /** Data in hand → every element drawn. */
  renderMs: number;
  /** Frames the elements were drawn in: the first screenful, then the rest in chunks. */
  chunks: number;
}

interface Props {
  elements: MapElements;
  /** Changes when the set of nodes changes (view, framework): the worker lays them out again. */
  layoutKey: string;
  /** Changes when the drawn elements change (edge toggles): rebuilt on the same positions. Otherwise only node data is patched. */
  structureKey: string;
  selected: string | undefined;
  highlight: Highlight | undefined;
  matches: readonly string[];
  label: string;
  /** Id of the element describing the keys. */
  describedBy: string;
  onSelect: (id: string | undefined) => void;
  /** The text read out for the node the keyboard is on. */
  describe: (id: string) => string;
  /** Said when a trace-back path does not fit at a legible zoom. */
  tracePartial: string;
}

const KEY_DIRECTIONS: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };
/** Data fields that change with the date or the language; everything else is structure. */
const STATE_FIELDS = ['state', 'share', 'blocked', 'label', 'badge'] as const;

/**
 * A readable start: the whole map when it fits at a legible zoom, else its top-left corner (the first grade). The
 * extent comes from the layout's positions: asking cytoscape for the bounding box would measure every label,
 * which costs seconds at 5,000 items.
 */
function initialView(cy: Core, layout: LayoutResult) {
  let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
  const extend = (ax: number, ay: number, bx: number, by: number) => {
    [x1, y1, x2, y2] = [Math.min(x1, ax), Math.min(y1, ay), Math.max(x2, bx), Math.max(y2, by)];
  };
  const { nodeWidth: w, nodeHeight: h } = DEFAULT_LAYOUT;
  for (const p of Object.values(layout.positions)) extend(p.x - w / 2, p.y - h / 2, p.x + w / 2, p.y + h / 2);
  for (const r of Object.values(layout.rects)) extend(r.x, r.y, r.x + r.width, r.y + r.height);
  if (x1 === Infinity) return;
  const margin = 16;
  const fit = Math.min(cy.width() / (x2 - x1 + 2 * margin), cy.height() / (y2 - y1 + 2 * margin), 1);
  const zoom = Math.max(fit, READABLE_ZOOM);
  const centre = fit >= READABLE_ZOOM;
  cy.viewport({
    zoom,
    pan: centre ? { x: cy.width() / 2 - ((x1 + x2) / 2) * zoom, y: cy.height() / 2 - ((y1 + y2) / 2) * zoom } : { x: margin - x1 * zoom, y: margin - y1 * zoom },
  });
}

/**
 * Cytoscape injects an inline <style> (`position: relative` for its container) unless an element with its id
 * exists; the page's CSP forbids inline styles, and learning-map.css positions the container already.
 */
function claimCytoscapeStylesheet() {
  const id = '__________cytoscape_stylesheet';
  if (document.getElementById(id)) return;
  const placeholder = document.createElement('meta');
  placeholder.id = id;
  document.head.prepend(placeholder);
}

/** The smallest zoom at which the items' words can be read (12 px text drawn at about 8 px). */
const READABLE_ZOOM = 0.68;

/** Nodes added per frame after the first screenful. */
const CHUNK = 1000;

/** Resolves after cytoscape has drawn a frame with what was just added. */
const nextFrame = (cy: Core) =>
  new Promise<void>((resolve) => {
    // A chunk wholly off screen may not redraw: do not wait for a frame that never comes.
    const fallback = setTimeout(resolve, 200);
    cy.one('render', () => setTimeout(() => (clearTimeout(fallback), resolve()), 0));
  });

/** The items' label size in model pixels (map-style.ts) and the smallest on-screen size that stays legible. */
const LABEL_PX = 12;
const LEGIBLE_PX = 10;
/** The smallest zoom at which the items' labels stay legible (10 px on screen). */
const LEGIBLE_ZOOM = LEGIBLE_PX / LABEL_PX;

/**
 * Shows `eles` whole, but never larger than their natural size (one or two nodes would fill the screen) nor smaller
 * than legible: when they do not fit at a legible zoom, the view stays legible with `centre` (else the first of them)
 * on screen, and the caller says so. Returns whether they all fit.
 */
function fitLegible(cy: Core, eles: CollectionReturnValue, centre?: NodeSingular): boolean {
  // A running animation (reveal's) would move the view after this.
  cy.stop(true, false);
  const bb = eles.boundingBox();
  const padding = 80;
  const fit = Math.min((cy.width() - 2 * padding) / Math.max(bb.w, 1), (cy.height() - 2 * padding) / Math.max(bb.h, 1), 1);
  if (fit >= LEGIBLE_ZOOM) {
    cy.zoom(fit);
    cy.center(eles);
    return true;
  }
  // Centred on the item, moved towards the rest of the path as far as the item stays on screen: more of the path shows.
  const item = (centre?.nonempty() ? centre : eles.nodes().first()).position();
  const room = (size: number, node: number) => Math.max(0, size / 2 / LEGIBLE_ZOOM - node / 2 - padding);
  const towards = (from: number, to: number, max: number) => from + Math.max(-max, Math.min(max, to - from));
  const { nodeWidth, nodeHeight } = DEFAULT_LAYOUT;
  const x = towards(item.x, (bb.x1 + bb.x2) / 2, room(cy.width(), nodeWidth));
  const y = towards(item.y, (bb.y1 + bb.y2) / 2, room(cy.height(), nodeHeight));
  cy.viewport({ zoom: LEGIBLE_ZOOM, pan: { x: cy.width() / 2 - x * LEGIBLE_ZOOM, y: cy.height() / 2 - y * LEGIBLE_ZOOM } });
  return false;
}

/** Brings a node into view without moving the map when it is visible already. */
function reveal(cy: Core, node: NodeSingular, animate: boolean) {
  const ext = cy.extent();
  const bb = node.boundingBox();
  if (bb.x1 >= ext.x1 && bb.x2 <= ext.x2 && bb.y1 >= ext.y1 && bb.y2 <= ext.y2) return;
  if (animate) cy.animate({ center: { eles: node }, duration: 250 });
  else cy.center(node);
}

/**
 * The learning map: the only holder of the cytoscape instance (destroyed on unmount). Layout runs in a Web Worker;
 * the date slider and the language only patch node data, so the map never jumps. Keyboard: arrows move between
 * nodes, Enter opens one, + and − zoom, 0 fits, Escape closes.
 */
export function LearningMap(props: Props) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | undefined>(undefined);
  const built = useRef<{ layoutKey?: string; structureKey?: string; layout?: LayoutResult }>({});
  const [status, setStatus] = useState<'layout' | 'ready' | 'error'>('layout');
  const [timings, setTimings] = useState<MapTimings>();
  const [focusId, setFocusId] = useState<string>();
  const [pan, setPan] = useState('0,0');
  const [edgeCount, setEdgeCount] = useState(0);
  const [zoom, setZoom] = useState(1);
  // False while a trace-back path is wider than the screen at a legible zoom (the map says so).
  const [traceFits, setTraceFits] = useState(true);
  // Which nodes cytoscape draws with a badge mark (read back from cy: what is on the canvas, for tests and tools).
  const [marked, setMarked] = useState({ candidate: '', issued: '' });
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    claimCytoscapeStylesheet();
    const cy = cytoscape({
      container: container.current,
      style: mapStyle,
      minZoom: 0.03,
      maxZoom: 3,
      // While panning or zooming, draw a cached bitmap and no edges: 5,000 items stay smooth.
      textureOnViewport: true,
      hideEdgesOnViewport: true,
      boxSelectionEnabled: false,
      autoungrabify: true,
      selectionType: 'single',
    });
    cy.on('tap', 'node.item', (e) => latest.current.onSelect(e.target.id()));
    cy.on('tap', (e) => e.target === cy && latest.current.onSelect(undefined));
    let frame = 0;
    cy.on('viewport', () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        setPan(`${Math.round(cy.pan().x)},${Math.round(cy.pan().y)}`);
        setZoom(cy.zoom());
      });
    });
    cyRef.current = cy;
    return () => {
      cancelAnimationFrame(frame);
      cy.destroy();
      cyRef.current = undefined;
    };
  }, []);

  useEffect(() => {
    const cy = cyRef.current!;
    const b = built.current;
    const { elements, layoutKey, structureKey } = props;
    let live = true;
    const t0 = performance.now();
    (async () => {
      let layoutMs = 0;
      const newLayout = b.layoutKey !== layoutKey || !b.layout;
      if (newLayout) {
        setStatus('layout');
        const { result } = await runLayout(elements.layout);
        if (!live) return;
        layoutMs = performance.now() - t0;
        Object.assign(b, { layout: result, layoutKey, structureKey: undefined });
      }
      if (b.structureKey !== structureKey) {
        b.structureKey = structureKey;
        if (newLayout) initialView(cy, b.layout!);
        // What is on screen first, the rest in chunks between frames: the first frame is quick and the map pans
        // while a big one streams in.
        const ext = cy.extent();
        const margin = 200;
        const onScreen = (e: ElementDefinition) => !!e.position && e.position.x > ext.x1 - margin && e.position.x < ext.x2 + margin && e.position.y > ext.y1 - margin && e.position.y < ext.y2 + margin;
        const [first, ...rest] = chunkElements(placeElements(elements.elements, b.layout!), onScreen, CHUNK);
        cy.batch(() => {
          cy.elements().remove();
          cy.add(first!);
        });
        await nextFrame(cy);
        if (!live) return;
        const firstFrameMs = performance.now() - t0;
        for (const chunk of rest) {
          cy.add(chunk);
          await nextFrame(cy);
          if (!live) return;
        }
        const t = { layoutMs, firstFrameMs, renderMs: performance.now() - t0, chunks: 1 + rest.length };
        setTimings(t);
        setEdgeCount(cy.edges().length);
      } else {
        cy.batch(() => {
          for (const e of elements.elements) {
            const node = e.group === 'nodes' ? cy.getElementById(e.data.id!) : undefined;
            if (node?.nonempty()) for (const f of STATE_FIELDS) if (e.data[f] !== undefined) node.data(f, e.data[f]);
          }
        });
      }
      const ids = (mark: string) => cy.nodes(`node.item[badge = "${mark}"]`).map((n) => n.id()).sort().join(' ');
      setMarked({ candidate: ids('candidate'), issued: ids('issued') });
      setStatus('ready');
    })().catch(() => live && setStatus('error'));
    return () => {
      live = false;
    };
  }, [props.elements, props.layoutKey, props.structureKey]);

  // Selection follows the prop (the URL or the side panel), and brings the node into view.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || status !== 'ready') return;
    cy.$(':selected').unselect();
    const node = props.selected ? cy.getElementById(props.selected) : undefined;
    if (node?.nonempty()) {
      node.select();
      reveal(cy, node, true);
    }
  }, [props.selected, status, props.structureKey]);

  // Trace-back: the path's nodes and edges stand out, the rest fades; the view fits the path.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || status !== 'ready') return;
    const h = props.highlight;
    cy.batch(() => {
      cy.elements().removeClass('trace faded');
      if (!h || h.nodes.size < 2) return;
      cy.$('node.item, edge').addClass('faded');
      for (const id of h.nodes) cy.getElementById(id).removeClass('faded').addClass('trace');
      for (const id of h.edges) cy.getElementById(id).removeClass('faded').addClass('trace');
    });
    const selected = props.selected ? cy.getElementById(props.selected) : undefined;
    setTraceFits(h && h.nodes.size >= 2 ? fitLegible(cy, cy.$('node.trace'), selected) : true);
  }, [props.highlight, status, props.structureKey]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || status !== 'ready') return;
    cy.batch(() => {
      cy.$('.match').removeClass('match');
      for (const id of props.matches) cy.getElementById(id).addClass('match');
    });
    const found = cy.$('.match');
    if (found.nonempty()) fitLegible(cy, found);
  }, [props.matches, status, props.structureKey]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.$('.focused').removeClass('focused');
    if (focusId) cy.getElementById(focusId).addClass('focused');
  }, [focusId, status]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const cy = cyRef.current;
    if (!cy || status !== 'ready') return;
    const dir = KEY_DIRECTIONS[e.key];
    if (dir) {
      e.preventDefault();
      const points = cy.nodes('.item').map((n) => ({ id: n.id(), ...n.position() }));
      const current = cy.getElementById(focusId ?? props.selected ?? '');
      let next: string | undefined;
      if (current.nonempty()) {
        next = nearestInDirection(current.position(), points, dir);
      } else {
        // First arrow: the node nearest the top-left corner of what is on screen.
        const ext = cy.extent();
        const visible = points.filter((p) => p.x >= ext.x1 && p.y >= ext.y1 && p.x <= ext.x2 && p.y <= ext.y2);
        next = visible.sort((a, b) => a.x - ext.x1 + (a.y - ext.y1) - (b.x - ext.x1 + (b.y - ext.y1)))[0]?.id;
      }
      if (next) {
        setFocusId(next);
        reveal(cy, cy.getElementById(next), false);
      }
    } else if ((e.key === 'Enter' || e.key === ' ') && focusId) {
      e.preventDefault();
      props.onSelect(focusId);
    } else if (e.key === '+' || e.key === '=' || e.key === '-') {
      e.preventDefault();
      cy.zoom({ level: cy.zoom() * (e.key === '-' ? 1 / 1.25 : 1.25), renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    } else if (e.key === '0') {
      e.preventDefault();
      cy.fit(undefined, 24);
    } else if (e.key === 'Escape') {
      props.onSelect(undefined);
    }
  };

  return (
    <div className="learning-map-frame">
      <div
        ref={container}
        className="learning-map"
        role="application"
        aria-label={props.label}
        aria-describedby={props.describedBy}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-status={status}
        data-layout-ms={timings?.layoutMs.toFixed(0)}
        data-first-frame-ms={timings?.firstFrameMs.toFixed(0)}
        data-render-ms={timings?.renderMs.toFixed(0)}
        data-chunks={timings?.chunks}
        data-node-count={props.elements.layout.length}
        data-edge-count={edgeCount}
        data-selected={props.selected ?? ''}
        data-focused={focusId ?? ''}
        data-highlighted={props.highlight && props.highlight.nodes.size >= 2 ? [...props.highlight.nodes].sort().join(' ') : ''}
        data-pan={pan}
        data-zoom={zoom.toFixed(3)}
        data-trace-fits={String(traceFits)}
        data-badge-candidates={marked.candidate}
        data-badge-issued={marked.issued}
      />
      {!traceFits && (
        <p className="map-notice" role="status">
          {props.tracePartial}
        </p>
      )}
      <p className="visually-hidden" aria-live="polite">
        {focusId ? props.describe(focusId) : ''}
      </p>
    </div>
  );
}
