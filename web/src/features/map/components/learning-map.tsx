import cytoscape, { type Core, type NodeSingular } from 'cytoscape';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { MapElements } from '../lib/to-elements.js';
import type { Point } from '../lib/layout.js';
import { runLayout } from '../lib/run-layout.js';
import { mapStyle } from '../lib/map-style.js';
import { nearestInDirection, type Direction } from '../lib/navigate.js';
import './learning-map.css';

export interface Highlight {
  nodes: ReadonlySet<string>;
  edges: ReadonlySet<string>;
}

export interface MapTimings {
  /** Data in hand → positions back from the worker (0 when the layout was reused). */
  layoutMs: number;
  /** Data in hand → first frame drawn. */
  renderMs: number;
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
  onReady?: (timings: MapTimings) => void;
}

const KEY_DIRECTIONS: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };
/** Data fields that change with the date or the language; everything else is structure. */
const STATE_FIELDS = ['state', 'blocked', 'label'] as const;

/** A readable start: the whole map when it fits at a legible zoom, else its top-left corner (the first grade). */
function initialView(cy: Core) {
  cy.fit(undefined, 24);
  if (cy.zoom() >= 0.55) return;
  const bb = cy.elements().boundingBox();
  cy.zoom(0.6);
  cy.pan({ x: 24 - bb.x1 * 0.6, y: 40 - bb.y1 * 0.6 });
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
  const built = useRef<{ layoutKey?: string; structureKey?: string; positions?: Record<string, Point> }>({});
  const [status, setStatus] = useState<'layout' | 'ready' | 'error'>('layout');
  const [timings, setTimings] = useState<MapTimings>();
  const [focusId, setFocusId] = useState<string>();
  const [pan, setPan] = useState('0,0');
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
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
      frame = requestAnimationFrame(() => setPan(`${Math.round(cy.pan().x)},${Math.round(cy.pan().y)}`));
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
      const newLayout = b.layoutKey !== layoutKey || !b.positions;
      if (newLayout) {
        setStatus('layout');
        const { result } = await runLayout(elements.layout);
        if (!live) return;
        layoutMs = performance.now() - t0;
        Object.assign(b, { positions: result.positions, layoutKey, structureKey: undefined });
      }
      if (b.structureKey !== structureKey) {
        const positions = b.positions!;
        const positioned = elements.elements.map((e) => (e.group === 'nodes' && positions[e.data.id!] ? { ...e, position: positions[e.data.id!] } : e));
        cy.batch(() => {
          cy.elements().remove();
          cy.add(positioned);
        });
        if (newLayout) initialView(cy);
        b.structureKey = structureKey;
        await new Promise<void>((resolve) => cy.one('render', () => resolve()));
        if (!live) return;
        const t = { layoutMs, renderMs: performance.now() - t0 };
        setTimings(t);
        latest.current.onReady?.(t);
      } else {
        cy.batch(() => {
          for (const e of elements.elements) {
            const node = e.group === 'nodes' ? cy.getElementById(e.data.id!) : undefined;
            if (node?.nonempty()) for (const f of STATE_FIELDS) if (e.data[f] !== undefined) node.data(f, e.data[f]);
          }
        });
      }
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
    if (h && h.nodes.size >= 2) cy.animate({ fit: { eles: cy.$('.trace'), padding: 80 }, duration: 300 });
  }, [props.highlight, status, props.structureKey]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || status !== 'ready') return;
    cy.batch(() => {
      cy.$('.match').removeClass('match');
      for (const id of props.matches) cy.getElementById(id).addClass('match');
    });
    const found = cy.$('.match');
    if (found.nonempty()) {
      cy.fit(found, 80);
      // One match would fill the screen: keep it at natural size.
      if (cy.zoom() > 1) cy.zoom({ level: 1, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    }
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
        aria-roledescription="map"
        aria-label={props.label}
        aria-describedby={props.describedBy}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-status={status}
        data-layout-ms={timings?.layoutMs.toFixed(0)}
        data-render-ms={timings?.renderMs.toFixed(0)}
        data-node-count={props.elements.layout.length}
        data-selected={props.selected ?? ''}
        data-focused={focusId ?? ''}
        data-highlighted={props.highlight && props.highlight.nodes.size >= 2 ? [...props.highlight.nodes].sort().join(' ') : ''}
        data-pan={pan}
      />
      <p className="visually-hidden" aria-live="polite">
        {focusId ? props.describe(focusId) : ''}
      </p>
    </div>
  );
}
