import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

const read = (path: string) => parse(readFileSync(path), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
const set = read('assets/frameworks/elementary-math-2017-precedes.csv');
const content = new Map(read('/work/shared/data/cscode/elementary-math-2017-content-items.csv').map((r) => [r['code']!, r]));

describe('the curated 算数 precedes set (docs/demo.md)', () => {
  it('links content items only, each pair once, with a rule and a note', () => {
    const seen = new Set<string>();
    for (const r of set) {
      expect(content.has(r['origin_code']!), r['origin_code']).toBe(true);
      expect(content.has(r['destination_code']!), r['destination_code']).toBe(true);
      expect(['keito', 'within-grade', 'knowledge-before-thinking']).toContain(r['rule']);
      expect(r['note']!.length).toBeGreaterThan(10);
      const key = `${r['origin_code']}>${r['destination_code']}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      const [from, to] = [content.get(r['origin_code']!)!, content.get(r['destination_code']!)!];
      // keito crosses grades forward; the other rules stay inside a grade
      if (r['rule'] === 'keito') expect(Number(from['grade'])).toBeLessThan(Number(to['grade']));
      else expect(from['grade']).toBe(to['grade']);
    }
  });

  it('has no cycle', () => {
    const next = new Map<string, string[]>();
    for (const r of set) next.set(r['origin_code']!, [...(next.get(r['origin_code']!) ?? []), r['destination_code']!]);
    const state = new Map<string, 'open' | 'done'>();
    const visit = (code: string): void => {
      expect(state.get(code), `cycle through ${code}`).not.toBe('open');
      if (state.get(code) === 'done') return;
      state.set(code, 'open');
      for (const d of next.get(code) ?? []) visit(d);
      state.set(code, 'done');
    };
    for (const code of next.keys()) visit(code);
  });

  it('recalls the 系統 a teacher expects: 九九 → 3年の除法 → 4年の多位数の除法, 長方形 → 三角形 → 円の面積', () => {
    const has = (o: string, d: string) => set.some((r) => r['origin_code'] === o && r['destination_code'] === d);
    expect(has('8250223131400000', '8250233141400000')).toBe(true);
    expect(has('8250233141400000', '8250243131100000')).toBe(true);
    expect(has('8250243241200000', '8250253231100000')).toBe(true);
    expect(has('8250253231100000', '8250263231100000')).toBe(true);
    expect(has('8250243151200000', '8250253151100000')).toBe(true);
  });
});
