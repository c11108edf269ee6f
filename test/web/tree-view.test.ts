import { describe, expect, it } from 'vitest';
import { buildTree } from '../../web/src/features/frameworks/lib/build-tree.js';
import { filterTree, normalizeText, visibleRows } from '../../web/src/features/frameworks/lib/tree-view.js';
import type { CFAssociation, CFItem } from '../../web/src/features/frameworks/lib/case-types.js';

const item = (identifier: string, humanCodingScheme: string, fullStatement: string): CFItem => ({ identifier, humanCodingScheme, fullStatement });
const childOf = (child: string, parent: string): CFAssociation => ({
  identifier: `${child}-${parent}`,
  associationType: 'isChildOf',
  originNodeURI: { identifier: child },
  destinationNodeURI: { identifier: parent },
});
// 算数 > 第１学年 > (ア) …; 第２学年 > Apple (shared with 第１学年)
const tree = buildTree({
  CFItems: [
    item('root', '8250000000000000', '算数'),
    item('g1', '8250210000000000', '〔第１学年〕'),
    item('c1', '8250213111100000', '(ア) ものとものとを対応させることによって，ものの個数を比べること。'),
    item('g2', '8250220000000000', '〔第２学年〕'),
    item('en', 'X.1', 'Count an Apple'),
  ],
  CFAssociations: [childOf('g1', 'root'), childOf('c1', 'g1'), childOf('g2', 'root'), childOf('en', 'g2'), childOf('en', 'g1')],
});

describe('filterTree', () => {
  it('returns null for a blank query', () => {
    expect(filterTree(tree, '  ')).toBeNull();
  });

  it('matches text, keeps the ancestors of matches visible and expanded', () => {
    const f = filterTree(tree, '個数')!;
    expect([...f.matches]).toEqual(['root/g1/c1']);
    expect([...f.ancestors].sort()).toEqual(['root', 'root/g1']);
    expect([...f.visible].sort()).toEqual(['root', 'root/g1', 'root/g1/c1']);
  });

  it('matches codes, folds full-width and case, and needs every word', () => {
    expect([...filterTree(tree, '8250213111100000')!.matches]).toEqual(['root/g1/c1']);
    // 「第1学年」typed with an ASCII digit finds 〔第１学年〕.
    expect([...filterTree(tree, '第1学年')!.matches]).toEqual(['root/g1']);
    expect([...filterTree(tree, 'apple COUNT')!.matches].sort()).toEqual(['root/g1/en', 'root/g2/en']);
    expect(filterTree(tree, 'apple 個数')!.matches.size).toBe(0);
    expect(normalizeText('ＡＢＣ１２３')).toBe('abc123');
  });
});

describe('visibleRows', () => {
  it('shows roots, and children of expanded nodes only', () => {
    expect(visibleRows(tree, new Set()).map((r) => r.key)).toEqual(['root']);
    expect(visibleRows(tree, new Set(['root'])).map((r) => r.key)).toEqual(['root', 'root/g1', 'root/g2']);
    expect(visibleRows(tree, new Set(['root', 'root/g1'])).map((r) => r.key)).toEqual(['root', 'root/g1', 'root/g1/c1', 'root/g1/en', 'root/g2']);
  });

  it('limits rows to what a filter keeps visible', () => {
    const f = filterTree(tree, 'apple')!;
    expect(visibleRows(tree, new Set([...f.ancestors]), f.visible).map((r) => r.key)).toEqual(['root', 'root/g1', 'root/g1/en', 'root/g2', 'root/g2/en']);
  });
});
