import { describe, expect, it } from 'vitest';
import { matchItems } from '../../web/src/features/relations/lib/match-items.js';

const items = [
  { identifier: 'a', code: '8250213111100000', text: '１位数と１位数との加法及びその逆の減法の計算が確実にできること。' },
  { identifier: 'b', code: '8250223111100000', text: '２位数の加法及びその逆の減法の計算の仕方を考えること。' },
  { identifier: 'c', code: null, text: 'Count to 100 by ones and by tens.' },
  { identifier: 'd', code: 'X.1', text: 'Contains 8250213 in its text' },
];

describe('matchItems (the add-a-relation form search)', () => {
  it('matches codes and words, every word, ignoring width and case', () => {
    expect(matchItems(items, '加法 ２位数', 10).map((i) => i.identifier)).toEqual(['b']);
    expect(matchItems(items, '2位数', 10).map((i) => i.identifier)).toEqual(['b']);
    expect(matchItems(items, 'COUNT tens', 10).map((i) => i.identifier)).toEqual(['c']);
    expect(matchItems(items, 'nothing like this', 10)).toEqual([]);
  });

  it('puts code matches first, a code prefix before a code part, else document order; at most limit', () => {
    expect(matchItems(items, '8250213', 10).map((i) => i.identifier)).toEqual(['a', 'd']);
    expect(matchItems(items, '3111', 10).map((i) => i.identifier)).toEqual(['a', 'b']);
    expect(matchItems(items, '', 2).map((i) => i.identifier)).toEqual(['a', 'b']);
  });
});
