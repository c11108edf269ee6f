import type { CFAssociation, CFItem, CFPackage } from './case-types.js';

/** One place of an item in the hierarchy. An item with two parents (CASE aliasing) has two nodes. */
export interface TreeNode {
  /** Unique per place: the identifiers from the root down, joined by '/'. */
  key: string;
  item: CFItem;
  depth: number;
  parentKey: string | null;
  children: TreeNode[];
}

export interface FrameworkTree {
  roots: TreeNode[];
  /** Every node by key. */
  nodes: Map<string, TreeNode>;
  /** Every node of an item, by the item's identifier, in tree order. */
  places: Map<string, TreeNode[]>;
  items: Map<string, CFItem>;
}

interface Edge {
  child: string;
  sequence: number | undefined;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Real packages send sequenceNumber as a number, a numeric string, or not at all. */
function toSequence(v: CFAssociation['sequenceNumber']): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Missing values sort after present ones. */
function compareOptional<T>(a: T | undefined, b: T | undefined, cmp: (x: T, y: T) => number): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  return cmp(a, b);
}

/**
 * Builds the item hierarchy of a CFPackage from its isChildOf associations (origin = child, destination = parent).
 * Roots are items with no isChildOf, or whose parent is the CFDocument or outside the package. Siblings are ordered
 * by the association's sequenceNumber, then humanCodingScheme (numeric-aware), then package order. Items caught
 * only in cycles become roots, so every item appears at least once; an edge that would close a cycle is dropped.
 */
export function buildTree(pkg: Pick<CFPackage, 'CFItems' | 'CFAssociations'>): FrameworkTree {
  const itemList = pkg.CFItems ?? [];
  const items = new Map<string, CFItem>();
  const order = new Map<string, number>();
  itemList.forEach((item, i) => {
    if (items.has(item.identifier)) return;
    items.set(item.identifier, item);
    order.set(item.identifier, i);
  });

  const children = new Map<string, Edge[]>();
  const topLevel = new Map<string, number | undefined>();
  const hasParentInPackage = new Set<string>();
  const seen = new Set<string>();
  for (const a of pkg.CFAssociations ?? []) {
    if (a.associationType !== 'isChildOf') continue;
    const child = a.originNodeURI?.identifier;
    const parent = a.destinationNodeURI?.identifier;
    if (!child || !parent || !items.has(child) || child === parent) continue;
    const sequence = toSequence(a.sequenceNumber);
    if (!items.has(parent)) {
      if (!topLevel.has(child) || topLevel.get(child) === undefined) topLevel.set(child, sequence);
      continue;
    }
    const pair = `${parent}\u0000${child}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    hasParentInPackage.add(child);
    const list = children.get(parent) ?? [];
    list.push({ child, sequence });
    children.set(parent, list);
  }

  const compare = (a: Edge, b: Edge) =>
    compareOptional(a.sequence, b.sequence, (x, y) => x - y) ||
    compareOptional(items.get(a.child)!.humanCodingScheme || undefined, items.get(b.child)!.humanCodingScheme || undefined, collator.compare) ||
    order.get(a.child)! - order.get(b.child)!;
  for (const list of children.values()) list.sort(compare);

  const nodes = new Map<string, TreeNode>();
  const places = new Map<string, TreeNode[]>();
  const reached = new Set<string>();

  const place = (id: string, parent: TreeNode | null, ancestors: Set<string>): TreeNode => {
    const key = parent ? `${parent.key}/${id}` : id;
    const node: TreeNode = { key, item: items.get(id)!, depth: parent ? parent.depth + 1 : 0, parentKey: parent?.key ?? null, children: [] };
    nodes.set(key, node);
    places.set(id, [...(places.get(id) ?? []), node]);
    reached.add(id);
    ancestors.add(id);
    for (const e of children.get(id) ?? []) {
      if (!ancestors.has(e.child)) node.children.push(place(e.child, node, ancestors));
    }
    ancestors.delete(id);
    return node;
  };

  const rootEdges: Edge[] = [...items.keys()]
    .filter((id) => topLevel.has(id) || !hasParentInPackage.has(id))
    .map((id) => ({ child: id, sequence: topLevel.get(id) }))
    .sort(compare);
  const roots = rootEdges.map((e) => place(e.child, null, new Set()));
  for (const id of items.keys()) {
    if (!reached.has(id)) roots.push(place(id, null, new Set()));
  }
  return { roots, nodes, places, items };
}

/** The nodes from the root down to `key` (inclusive). */
export function pathTo(tree: FrameworkTree, key: string): TreeNode[] {
  const path: TreeNode[] = [];
  for (let n = tree.nodes.get(key); n; n = n.parentKey ? tree.nodes.get(n.parentKey) : undefined) path.unshift(n);
  return path;
}
