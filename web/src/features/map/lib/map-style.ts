import type { StylesheetStyle } from 'cytoscape';
import { DEFAULT_LAYOUT } from './layout.js';

/**
 * Proficiency colours. Text on every fill has a contrast of at least 4.5:1 (WCAG AA), and each state also has its
 * own border style (dashed, solid, double) besides the words in the label, for people who do not see the colour.
 */
export const STATE_COLOURS = {
  none: { fill: '#ffffff', text: '#1b1f24', border: '#57606a' },
  not_started: { fill: '#eef1f4', text: '#1b1f24', border: '#57606a' },
  in_progress: { fill: '#fff0c2', text: '#1b1f24', border: '#8a5a00' },
  mastered: { fill: '#1e6b3c', text: '#ffffff', border: '#0f3d21' },
  /** 記録なし: white with a dotted border and grey words (6.4:1), unlike 未学習's grey fill and dashed border. */
  no_record: { fill: '#ffffff', text: '#57606a', border: '#6e7781' },
} as const;
/**
 * A class map's fill by the fifth of the class that mastered the item (0–19 %, … 80–100 %): light to dark green,
 * text contrast ≥ 4.5:1 on each (dark text on the first four, white on the last); the label says the share in words.
 */
export const SHARE_COLOURS = [
  { fill: '#f6f8fa', text: '#1b1f24' },
  { fill: '#dcefe2', text: '#1b1f24' },
  { fill: '#a8d5b5', text: '#1b1f24' },
  { fill: '#6fb685', text: '#1b1f24' },
  { fill: '#1e6b3c', text: '#ffffff' },
] as const;
export const BLOCKED_BORDER = '#b42318';
const TRACE = '#6d28d9';
const MATCH = '#f0a500';
/** Badge outlines (3:1 or more against the white page and the boxes' tints: WCAG non-text contrast). */
export const BADGE_CANDIDATE = '#c2185b';
export const BADGE_ISSUED = '#9a6700';

/** @types/cytoscape lags behind cytoscape 3.34 (no underlay-* or outline-*): rules are plain records, checked by use. */
type Rule = { selector: string; style: Record<string, string | number> };

const rules: Rule[] = [
  {
    selector: 'node.item',
    style: {
      shape: 'round-rectangle',
      width: DEFAULT_LAYOUT.nodeWidth,
      height: DEFAULT_LAYOUT.nodeHeight,
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-max-width': `${DEFAULT_LAYOUT.nodeWidth - 10}px`,
      'text-valign': 'center',
      'text-halign': 'center',
      'font-size': 12,
      'line-height': 1.35,
      'font-family': 'system-ui, "Hiragino Sans", "Noto Sans CJK JP", "Noto Sans JP", sans-serif',
      'background-color': STATE_COLOURS.none.fill,
      color: STATE_COLOURS.none.text,
      'border-width': 2,
      'border-color': STATE_COLOURS.none.border,
      // Below this on-screen size labels are skipped: a zoomed-out 5,000-item map pans smoothly.
      'min-zoomed-font-size': 7,
      'z-index-compare': 'manual',
      'z-index': 10,
    },
  },
  { selector: 'node.item[state = "not_started"]', style: { 'background-color': STATE_COLOURS.not_started.fill, 'border-color': STATE_COLOURS.not_started.border, 'border-style': 'dashed' } },
  { selector: 'node.item[state = "in_progress"]', style: { 'background-color': STATE_COLOURS.in_progress.fill, 'border-color': STATE_COLOURS.in_progress.border, 'border-width': 3 } },
  { selector: 'node.item[state = "mastered"]', style: { 'background-color': STATE_COLOURS.mastered.fill, color: STATE_COLOURS.mastered.text, 'border-color': STATE_COLOURS.mastered.border, 'border-style': 'double', 'border-width': 5 } },
  { selector: 'node.item[state = "no_record"]', style: { 'background-color': STATE_COLOURS.no_record.fill, color: STATE_COLOURS.no_record.text, 'border-color': STATE_COLOURS.no_record.border, 'border-style': 'dotted' } },
  ...SHARE_COLOURS.map((c, i) => ({ selector: `node.item[state = "share"][share = ${i}]`, style: { 'background-color': c.fill, color: c.text, 'border-color': '#57606a', 'border-width': 1 + i } })),
  { selector: 'node.item[?blocked]', style: { 'border-color': BLOCKED_BORDER, 'border-width': 4, 'border-style': 'dashed' } },
  // Badge marks: an outline outside the state's border (which keeps its own colour and style): a
  // pending candidate is double (the blocked border is dashed), an issued badge solid; the label says it in words too.
  { selector: 'node.item[badge = "candidate"]', style: { 'outline-width': 7, 'outline-color': BADGE_CANDIDATE, 'outline-offset': 3, 'outline-style': 'double' } },
  { selector: 'node.item[badge = "issued"]', style: { 'outline-width': 4, 'outline-color': BADGE_ISSUED, 'outline-offset': 3, 'outline-style': 'solid' } },
  {
    // Boxes behind the items (grade columns, domain cells, units): drawn first, never hit, so a drag on them pans.
    selector: 'node.group',
    style: {
      shape: 'round-rectangle',
      width: 'data(width)',
      height: 'data(height)',
      label: 'data(label)',
      'text-valign': 'top',
      'text-halign': 'center',
      'font-size': 14,
      'font-weight': 'bold',
      color: '#1b1f24',
      'background-color': '#ffffff',
      'border-width': 1,
      'border-color': '#8c959f',
      events: 'no',
      'z-index-compare': 'manual',
      'z-index': 0,
      'min-zoomed-font-size': 6,
    },
  },
  { selector: 'node.group.grade', style: { 'font-size': 30, 'text-margin-y': 48, 'background-color': '#eaeef2', 'border-width': 2 } },
  { selector: 'node.group.domain', style: { 'font-size': 18, 'text-margin-y': 30, 'background-color': '#f3f8fd', 'z-index': 1 } },
  { selector: 'node.group.category', style: { 'font-size': 13, 'text-margin-y': 24, 'background-color': '#ffffff', 'border-style': 'dashed', 'z-index': 2 } },
  {
    selector: 'edge',
    style: {
      width: 2,
      // Straight lines: bezier bundles parallel edges, which costs a pass over every edge at 5,000 items.
      'curve-style': 'straight',
      'line-color': '#57606a',
      'target-arrow-color': '#57606a',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 1.2,
      opacity: 0.8,
      'z-index-compare': 'manual',
      'z-index': 5,
    },
  },
  { selector: 'edge.isRelatedTo', style: { 'line-style': 'dashed', 'line-color': '#8250df', 'target-arrow-shape': 'none' } },
  { selector: '.faded', style: { opacity: 0.25 } },
  { selector: 'node.trace', style: { 'underlay-color': TRACE, 'underlay-opacity': 0.45, 'underlay-padding': 8, 'underlay-shape': 'round-rectangle', opacity: 1 } },
  { selector: 'edge.trace', style: { width: 6, 'line-color': TRACE, 'target-arrow-color': TRACE, opacity: 1, 'z-index': 9 } },
  { selector: 'node.match', style: { 'underlay-color': MATCH, 'underlay-opacity': 0.7, 'underlay-padding': 10, 'underlay-shape': 'round-rectangle' } },
  { selector: 'node.item:selected', style: { 'overlay-color': '#1f5fa8', 'overlay-opacity': 0.18, 'overlay-padding': 6, 'border-color': '#1f5fa8', 'border-width': 5, 'border-style': 'solid' } },
  { selector: 'node.focused', style: { 'outline-width': 4, 'outline-color': '#f0a500', 'outline-offset': 4 } },
];

export const mapStyle = rules as unknown as StylesheetStyle[];
