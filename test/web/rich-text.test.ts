import { describe, expect, it } from 'vitest';
import { parseInline, parseRichText, plainText, safeHref } from '../../web/src/lib/rich-text.js';

describe('parseRichText', () => {
  it('keeps plain Japanese text, including brackets and full-width punctuation, as one paragraph', () => {
    const text = '(ア) ものとものとを対応させることによって，ものの個数を比べること。';
    expect(parseRichText(text)).toEqual([{ kind: 'paragraph', inlines: [{ kind: 'text', text }] }]);
  });

  it('parses paragraphs, line breaks, lists, headings and display math', () => {
    expect(parseRichText('# Title\n\nfirst\nsecond\n\n- a\n- **b**\n\n1. one\n2) two\n\n$$\\frac{1}{2}$$')).toEqual([
      { kind: 'heading', inlines: [{ kind: 'text', text: 'Title' }] },
      { kind: 'paragraph', inlines: [{ kind: 'text', text: 'first' }, { kind: 'br' }, { kind: 'text', text: 'second' }] },
      { kind: 'list', ordered: false, items: [[{ kind: 'text', text: 'a' }], [{ kind: 'strong', children: [{ kind: 'text', text: 'b' }] }]] },
      { kind: 'list', ordered: true, items: [[{ kind: 'text', text: 'one' }], [{ kind: 'text', text: 'two' }]] },
      { kind: 'math', text: '\\frac{1}{2}' },
    ]);
  });

  it('parses inline code, math, emphasis and links', () => {
    expect(parseInline('Use `x+1`, $a^2 + b^2$ and *this* [spec](https://example.org/a_b)')).toEqual([
      { kind: 'text', text: 'Use ' },
      { kind: 'code', text: 'x+1' },
      { kind: 'text', text: ', ' },
      { kind: 'math', text: 'a^2 + b^2' },
      { kind: 'text', text: ' and ' },
      { kind: 'em', children: [{ kind: 'text', text: 'this' }] },
      { kind: 'text', text: ' ' },
      { kind: 'link', href: 'https://example.org/a_b', children: [{ kind: 'text', text: 'spec' }] },
    ]);
  });

  it('links bare web addresses, stopping at Japanese punctuation and a final full stop', () => {
    expect(parseInline('出典（https://www.mext.go.jp/a_menu/other/data_00002.htm）。See https://example.org/x.')).toEqual([
      { kind: 'text', text: '出典（' },
      { kind: 'link', href: 'https://www.mext.go.jp/a_menu/other/data_00002.htm', children: [{ kind: 'text', text: 'https://www.mext.go.jp/a_menu/other/data_00002.htm' }] },
      { kind: 'text', text: '）。See ' },
      { kind: 'link', href: 'https://example.org/x', children: [{ kind: 'text', text: 'https://example.org/x' }] },
      { kind: 'text', text: '.' },
    ]);
  });

  it('does not take prices for math', () => {
    expect(parseInline('costs $5 and $10')).toEqual([{ kind: 'text', text: 'costs $5 and $10' }]);
  });

  it('never produces markup from HTML or unsafe links: they stay text', () => {
    expect(parseInline('<img src=x onerror=alert(1)> [x](javascript:alert(1)) [y](//evil.example)')).toEqual([
      { kind: 'text', text: '<img src=x onerror=alert(1)> [x](javascript:alert(1)) [y](//evil.example)' },
    ]);
    expect(safeHref('/uri/abc')).toBe('/uri/abc');
    expect(safeHref('data:text/html,x')).toBeUndefined();
  });
});

describe('plainText', () => {
  it('keeps the words and drops the markup', () => {
    expect(plainText('**Solve** *real-world* problems with `x` and [links](https://example.org).\n\n- one\n- two')).toBe('Solve real-world problems with x and links. one two');
  });
});
