import type { TreeNode } from '../api/authoring.js';

/** Where a node is: its parent's identifier (the framework's at the top level), its siblings, its 1-based position. */
export interface Place {
  parent: string;
  siblings: TreeNode[];
  position: number;
  /** The parent's own place (undefined at the top level). */
  up: Place | undefined;
}

export function findPlace(root: string, nodes: TreeNode[], id: string, up?: Place): Place | undefined {
  for (const [i, n] of nodes.entries()) {
    const here: Place = { parent: up ? up.siblings[up.position - 1]!.identifier : root, siblings: nodes, position: i + 1, up };
    if (n.identifier === id) return here;
    const below = findPlace(root, n.children, id, here);
    if (below) return below;
  }
  return undefined;
}

export type Move = 'up' | 'down' | 'indent' | 'outdent';

/**
 * The placement (PUT …/placement) a keyboard move asks for, or undefined when the node cannot go that way:
 * up/down swap with a sibling, indent makes it the previous sibling's last child, outdent puts it after its parent.
 */
export function placementFor(place: Place, move: Move): { parent: string; sequenceNumber: number } | undefined {
  const { parent, siblings, position, up } = place;
  switch (move) {
    case 'up':
      return position > 1 ? { parent, sequenceNumber: position - 1 } : undefined;
    case 'down':
      return position < siblings.length ? { parent, sequenceNumber: position + 1 } : undefined;
    case 'indent': {
      const previous = siblings[position - 2];
      return previous ? { parent: previous.identifier, sequenceNumber: previous.children.length + 1 } : undefined;
    }
    case 'outdent':
      return up ? { parent: up.parent, sequenceNumber: up.position + 1 } : undefined;
  }
}
