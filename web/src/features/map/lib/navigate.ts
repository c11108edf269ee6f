import type { Point } from './layout.js';

export type Direction = 'left' | 'right' | 'up' | 'down';

const AXES: Record<Direction, { main: 'x' | 'y'; sign: 1 | -1 }> = {
  left: { main: 'x', sign: -1 },
  right: { main: 'x', sign: 1 },
  up: { main: 'y', sign: -1 },
  down: { main: 'y', sign: 1 },
};

/**
 * Keyboard navigation on the map: the node an arrow key moves to from `from`. Only nodes on that side count; the
 * nearest along the arrow wins, a step sideways costing twice as much (so ↓ goes to the node below, not to a
 * close node beside it). Undefined when nothing lies that way.
 */
export function nearestInDirection(from: Point, candidates: ReadonlyArray<{ id: string } & Point>, dir: Direction): string | undefined {
  const { main, sign } = AXES[dir];
  const cross = main === 'x' ? 'y' : 'x';
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const ahead = (c[main] - from[main]) * sign;
    if (ahead <= 0.5) continue;
    const score = ahead + 2 * Math.abs(c[cross] - from[cross]);
    if (score < bestScore) {
      bestScore = score;
      best = c.id;
    }
  }
  return best;
}
