import { describe, expect, it } from 'vitest';
import { groupAssociations } from '../../web/src/features/frameworks/lib/item-associations.js';
import type { CFAssociation } from '../../web/src/features/frameworks/lib/case-types.js';

const assoc = (identifier: string, associationType: string, origin: string, destination: string, sequenceNumber?: number): CFAssociation => ({
  identifier,
  associationType,
  originNodeURI: { identifier: origin },
  destinationNodeURI: { identifier: destination },
  sequenceNumber,
});

describe('groupAssociations', () => {
  it('groups by type and direction in a fixed order, naming the other end', () => {
    const groups = groupAssociations(
      [
        assoc('1', 'isRelatedTo', 'x', 'me'),
        assoc('2', 'precedes', 'me', 'next'),
        assoc('3', 'isChildOf', 'kid2', 'me', 2),
        assoc('4', 'isChildOf', 'me', 'parent'),
        assoc('5', 'precedes', 'before', 'me'),
        assoc('6', 'isChildOf', 'kid1', 'me', 1),
        assoc('7', 'ext:custom', 'me', 'y'),
        assoc('8', 'isChildOf', 'other', 'unrelated'),
      ],
      'me',
    );
    expect(groups.map((g) => [g.associationType, g.inverse, g.entries.map((e) => e.other.identifier)])).toEqual([
      ['isChildOf', false, ['parent']],
      ['isChildOf', true, ['kid1', 'kid2']],
      ['precedes', false, ['next']],
      ['precedes', true, ['before']],
      ['isRelatedTo', true, ['x']],
      ['ext:custom', false, ['y']],
    ]);
  });

  it('returns nothing for an item without associations', () => {
    expect(groupAssociations([assoc('1', 'isChildOf', 'a', 'b')], 'me')).toEqual([]);
  });
});
