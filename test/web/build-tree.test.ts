import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { buildTree, pathTo, type FrameworkTree, type TreeNode } from '../../web/src/features/frameworks/lib/build-tree.js';
import type { CFAssociation, CFItem, CFPackage } from '../../web/src/features/frameworks/lib/case-types.js';
import { SHARED } from '../helper.js';

const DOC = 'doc-0';
const item = (identifier: string, humanCodingScheme?: string): CFItem => ({ identifier, fullStatement: `statement ${identifier}`, humanCodingScheme });
let n = 0;
const childOf = (child: string, parent: string, sequenceNumber?: number | string): CFAssociation => ({
  identifier: `a${n++}`,
  associationType: 'isChildOf',
  originNodeURI: { identifier: child, title: child },
  destinationNodeURI: { identifier: parent, title: parent },
  sequenceNumber,
});
const ids = (nodes: TreeNode[]) => nodes.map((x) => x.item.identifier);
/** Every node, depth first, as "identifier@depth". */
const outline = (tree: FrameworkTree) => {
  const out: string[] = [];
  const walk = (ns: TreeNode[]) => ns.forEach((x) => (out.push(`${x.item.identifier}@${x.depth}`), walk(x.children)));
  walk(tree.roots);
  return out;
};

describe('buildTree', () => {
  it('nests by isChildOf (origin = child) with the CFDocument and outside parents as roots', () => {
    const tree = buildTree({
      CFItems: [item('a'), item('b'), item('c'), item('d'), item('e')],
      CFAssociations: [childOf('a', DOC), childOf('b', 'a'), childOf('c', 'b'), childOf('d', 'http://elsewhere/x'), { ...childOf('e', 'a'), associationType: 'precedes' }],
    });
    // e has only a precedes association: no isChildOf, so it is a root too.
    expect(outline(tree)).toEqual(['a@0', 'b@1', 'c@2', 'd@0', 'e@0']);
    expect(tree.nodes.get('a/b/c')?.parentKey).toBe('a/b');
    expect(ids(pathTo(tree, 'a/b/c'))).toEqual(['a', 'b', 'c']);
  });

  it('orders siblings by sequenceNumber (numbers or numeric strings), then code (numeric-aware), then package order', () => {
    const tree = buildTree({
      CFItems: [item('p'), item('x', 'A.10'), item('y', 'A.2'), item('z', 'A.1'), item('s1'), item('s2'), item('u1'), item('u2')],
      CFAssociations: [
        childOf('p', DOC),
        childOf('u2', 'p'),
        childOf('x', 'p'),
        childOf('y', 'p'),
        childOf('z', 'p'),
        childOf('s2', 'p', '1'),
        childOf('s1', 'p', 2),
        childOf('u1', 'p'),
      ],
    });
    // Sequenced first (1, 2), then codes A.1 < A.2 < A.10, then uncoded in package order (u1 before u2).
    expect(ids(tree.roots[0]!.children)).toEqual(['s2', 's1', 'z', 'y', 'x', 'u1', 'u2']);
  });

  it('places an item under each of its parents (aliasing), with distinct keys', () => {
    const tree = buildTree({
      CFItems: [item('r1'), item('r2'), item('shared')],
      CFAssociations: [childOf('shared', 'r1'), childOf('shared', 'r2'), childOf('shared', 'r2')],
    });
    expect(outline(tree)).toEqual(['r1@0', 'shared@1', 'r2@0', 'shared@1']);
    expect(tree.places.get('shared')?.map((p) => p.key)).toEqual(['r1/shared', 'r2/shared']);
  });

  it('survives cycles and self-loops: every item appears, no infinite nesting', () => {
    const tree = buildTree({
      CFItems: [item('a'), item('b'), item('c'), item('self')],
      CFAssociations: [childOf('a', 'b'), childOf('b', 'a'), childOf('c', 'a'), childOf('self', 'self')],
    });
    expect(outline(tree)).toEqual(['self@0', 'a@0', 'b@1', 'c@1']);
    expect(new Set([...tree.nodes.values()].map((x) => x.item.identifier))).toEqual(new Set(['a', 'b', 'c', 'self']));
  });

  it('ignores associations to missing items and duplicate items', () => {
    const tree = buildTree({ CFItems: [item('a'), item('a'), item('b')], CFAssociations: [childOf('ghost', 'a'), childOf('b', 'a')] });
    expect(outline(tree)).toEqual(['a@0', 'b@1']);
    expect(buildTree({}).roots).toEqual([]);
  });

  it("ACT (no sequenceNumbers): OpenSALT's ordering test, L1.1 … L1.9, L1.10 … L1.24", () => {
    const pkg = JSON.parse(readFileSync(`${SHARED}data/case-frameworks/act-holistic-framework-math.v1p0.cfpackage.json`, 'utf8')) as CFPackage;
    const tree = buildTree(pkg);
    expect(tree.roots.map((r) => r.item.humanCodingScheme)).toEqual(['H.A.MATH.GM']);
    const l1 = tree.places.get(pkg.CFItems!.find((i) => i.humanCodingScheme === 'H.A.MATH.GM.PF.2DFP.L1')!.identifier)![0]!;
    expect(l1.depth).toBe(3);
    expect(l1.children.map((c) => c.item.humanCodingScheme)).toEqual(Array.from({ length: 24 }, (_, i) => `H.A.MATH.GM.PF.2DFP.L1.${i + 1}`));
    expect(tree.nodes.size).toBe(pkg.CFItems!.length);
  });

  it('Smarter Balanced (585 items, partial sequenceNumbers, outside links): every item placed, sequences respected', () => {
    const pkg = JSON.parse(readFileSync(`${SHARED}data/case-frameworks/smarter-balanced-math-content-spec.v1p0.cfpackage.json`, 'utf8')) as CFPackage;
    const tree = buildTree(pkg);
    expect(tree.items.size).toBe(585);
    expect(new Set([...tree.nodes.values()].map((x) => x.item.identifier)).size).toBe(585);
    const seq = new Map(pkg.CFAssociations!.filter((a) => a.associationType === 'isChildOf').map((a) => [`${a.destinationNodeURI.identifier}/${a.originNodeURI.identifier}`, a.sequenceNumber]));
    let checked = 0;
    for (const node of tree.nodes.values()) {
      const numbers = node.children.map((c) => seq.get(`${node.item.identifier}/${c.item.identifier}`)).filter((s) => s !== undefined).map(Number);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      checked += numbers.length;
    }
    expect(checked).toBeGreaterThan(0);
  });

  describe('Course of Study Codes (算数 2017, 632 rows)', () => {
    const rows = parse(readFileSync(`${SHARED}data/cscode/elementary-math-2017.csv`), { columns: true }) as Array<Record<string, string>>;
    // Reversed package order: only sequenceNumber or the code can produce the document order.
    const shuffled = [...rows].reverse();
    const items = shuffled.map((r) => ({ identifier: r['code']!, humanCodingScheme: r['code'], fullStatement: r['text']! }));
    const docOrder = rows.map((r) => r['code']);
    const codes = (tree: FrameworkTree) => outline(tree).map((s) => s.split('@')[0]);

    it('with sequenceNumbers (the 項番), reproduces the MEXT document order exactly', () => {
      const tree = buildTree({ CFItems: items, CFAssociations: shuffled.map((r) => childOf(r['code']!, r['parent_code']!, Number(r['order']))) });
      expect(codes(tree)).toEqual(docOrder);
      const content = tree.places.get('8250213111100000')![0]!;
      expect(pathTo(tree, content.key).map((x) => x.item.identifier)).toEqual([
        '8250000000000000', '8250200000000000', '8250210000000000', '8250213000000000', '8250213100000000', '8250213110000000', '8250213111000000', '8250213111100000',
      ]);
    });

    it('without them, code order is document order but for the two codes with a letter digit (README quirks)', () => {
      const tree = buildTree({ CFItems: items, CFAssociations: shuffled.map((r) => childOf(r['code']!, r['parent_code']!)) });
      const quirks = ['8250245A00000000', '82503A0140000000'];
      expect(codes(tree).filter((c) => !quirks.includes(c!))).toEqual(docOrder.filter((c) => !quirks.includes(c!)));
      for (const q of quirks) expect(tree.places.get(q)![0]!.parentKey!.split('/').at(-1)).toBe(rows.find((r) => r['code'] === q)!['parent_code']);
    });
  });
});
