import type { CFItem } from './case-types.js';
import type { FrameworkTree, TreeNode } from './build-tree.js';

/**
 * NFKC folds full-width digits and letters (１２３, ＡＢＣ) into their ASCII forms, so「1年」finds「１年」;
 * lower-casing makes English search case-insensitive.
 */
export const normalizeText = (s: string) => s.normalize('NFKC').toLowerCase();

const searchable = (item: CFItem) =>
  normalizeText([item.humanCodingScheme, item.listEnumeration, item.abbreviatedStatement, item.fullStatement].filter(Boolean).join('\n'));

export interface TreeFilter {
  /** Nodes whose item matches every word of the query. */
  matches: Set<string>;
  /** Matches and their ancestors: what stays visible. */
  visible: Set<string>;
  /** Ancestors of matches: expanded so every match shows. */
  ancestors: Set<string>;
}

/** Filters by text or code: every whitespace-separated word must occur. Null for an empty query. */
export function filterTree(tree: FrameworkTree, query: string): TreeFilter | null {
  const words = normalizeText(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  const matches = new Set<string>();
  const ancestors = new Set<string>();
  const textOf = new Map<string, string>();
  for (const node of tree.nodes.values()) {
    let text = textOf.get(node.item.identifier);
    if (text === undefined) textOf.set(node.item.identifier, (text = searchable(node.item)));
    if (!words.every((w) => text.includes(w))) continue;
    matches.add(node.key);
    for (let p = node.parentKey; p && !ancestors.has(p); p = tree.nodes.get(p)?.parentKey ?? null) ancestors.add(p);
  }
  return { matches, ancestors, visible: new Set([...matches, ...ancestors]) };
}

/** The rows a tree view shows, top to bottom: expanded nodes' children, limited to `visible` when filtering. */
export function visibleRows(tree: FrameworkTree, expanded: ReadonlySet<string>, visible?: ReadonlySet<string>): TreeNode[] {
  const rows: TreeNode[] = [];
  const walk = (nodes: TreeNode[]) => {
    for (const n of nodes) {
      if (visible && !visible.has(n.key)) continue;
      rows.push(n);
      if (expanded.has(n.key)) walk(n.children);
    }
  };
  walk(tree.roots);
  return rows;
}
