import { describe, expect, it } from 'vitest';
import { nearestInDirection } from '../../web/src/features/map/lib/navigate.js';

//   a   b
//   c       d
//       e
const nodes = [
  { id: 'a', x: 0, y: 0 },
  { id: 'b', x: 100, y: 0 },
  { id: 'c', x: 0, y: 100 },
  { id: 'd', x: 200, y: 100 },
  { id: 'e', x: 100, y: 200 },
];
const from = (id: string) => nodes.find((n) => n.id === id)!;

describe('nearestInDirection', () => {
  it('moves along the arrow to the nearest node on that side', () => {
    expect(nearestInDirection(from('a'), nodes, 'right')).toBe('b');
    expect(nearestInDirection(from('a'), nodes, 'down')).toBe('c');
    expect(nearestInDirection(from('c'), nodes, 'up')).toBe('a');
    expect(nearestInDirection(from('b'), nodes, 'left')).toBe('a');
  });

  it('prefers a node straight ahead to a closer one off to the side', () => {
    // From c rightwards: d is 200 ahead on the same row; e is 100 ahead but 100 below (100 + 2×100 = 300).
    expect(nearestInDirection(from('c'), nodes, 'right')).toBe('d');
    expect(nearestInDirection(from('b'), nodes, 'down')).toBe('e');
  });

  it('returns undefined at the edge of the map', () => {
    expect(nearestInDirection(from('a'), nodes, 'up')).toBeUndefined();
    expect(nearestInDirection(from('a'), nodes, 'left')).toBeUndefined();
    expect(nearestInDirection(from('d'), nodes, 'right')).toBeUndefined();
  });
});
