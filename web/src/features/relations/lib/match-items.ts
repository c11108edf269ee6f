/** An item as the add-a-relation form offers it. */
export interface PickableItem {
  identifier: string;
  code: string | null;
  text: string;
}

// Full-width and half-width forms match each other (ＡＢ１ = AB1), and case does not matter.
const fold = (s: string) => s.normalize('NFKC').toLowerCase();

/**
 * Items matching a query: every whitespace-separated word must occur in the code or the text. Code matches come
 * first (a code prefix before a code part), then document order; at most `limit`.
 */
export function matchItems(items: readonly PickableItem[], query: string, limit: number): PickableItem[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return items.slice(0, limit);
  const scored: Array<{ item: PickableItem; rank: number; order: number }> = [];
  items.forEach((item, order) => {
    const code = fold(item.code ?? '');
    const text = fold(item.text);
    if (!words.every((w) => code.includes(w) || text.includes(w))) return;
    const rank = words.some((w) => code.startsWith(w)) ? 0 : words.some((w) => code.includes(w)) ? 1 : 2;
    scored.push({ item, rank, order });
  });
  return scored.sort((a, b) => a.rank - b.rank || a.order - b.order).slice(0, limit).map((s) => s.item);
}
