/**
 * CASE 1.1 allows Markdown (and LaTeX between $…$) in statements and notes. This parses the small subset the
 * UI shows (paragraphs, line breaks, lists, headings, **strong**, *emphasis*, `code`, [links](https://…), bare
 * https:// addresses, $math$) into plain data that components render as React elements, so untrusted text is
 * never parsed as HTML.
 * LaTeX is shown as its source in a math style (no TeX engine).
 */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'math'; text: string }
  | { kind: 'strong'; children: Inline[] }
  | { kind: 'em'; children: Inline[] }
  | { kind: 'link'; href: string; children: Inline[] }
  | { kind: 'br' };

export type Block =
  | { kind: 'paragraph'; inlines: Inline[] }
  | { kind: 'heading'; inlines: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }
  | { kind: 'math'; text: string };

const INLINE = /`([^`\n]+)`|\$([^$\s](?:[^$\n]*[^$\s])?)\$|\*\*([^*\n]+)\*\*|\*([^*\s\n][^*\n]*)\*|\[([^\]\n]+)\]\(([^()\s]+)\)|(https?:\/\/[^\s<>()（）「」、。，,]*[^\s<>()（）「」、。，,.;:!?])/g;

/** Only web links and same-site paths: never javascript:, data: or other schemes. */
export function safeHref(href: string): string | undefined {
  if (/^https?:\/\//i.test(href)) return href;
  if (href.startsWith('/') && !href.startsWith('//')) return href;
  return undefined;
}

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  const pushText = (s: string) => {
    s.split('\n').forEach((part, i) => {
      if (i > 0) out.push({ kind: 'br' });
      if (!part) return;
      const prev = out.at(-1);
      // A rejected link stays text: join it with its neighbours.
      if (prev?.kind === 'text') prev.text += part;
      else out.push({ kind: 'text', text: part });
    });
  };
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index ?? 0;
    pushText(text.slice(last, at));
    last = at + m[0].length;
    const [whole, code, math, strong, em, label, href, bare] = m;
    if (code !== undefined) out.push({ kind: 'code', text: code });
    else if (math !== undefined) out.push({ kind: 'math', text: math });
    else if (strong !== undefined) out.push({ kind: 'strong', children: parseInline(strong) });
    else if (em !== undefined) out.push({ kind: 'em', children: parseInline(em) });
    else if (label !== undefined && href !== undefined) {
      const safe = safeHref(href);
      if (safe) out.push({ kind: 'link', href: safe, children: parseInline(label) });
      else pushText(whole);
    } else if (bare !== undefined) out.push({ kind: 'link', href: bare, children: [{ kind: 'text', text: bare }] });
  }
  pushText(text.slice(last));
  return out;
}

const BULLET = /^\s*[-*+]\s+/;
const NUMBERED = /^\s*\d+[.)]\s+/;

function listBlock(lines: string[]): Block | undefined {
  for (const [re, ordered] of [[BULLET, false], [NUMBERED, true]] as const) {
    if (lines.every((l) => re.test(l))) return { kind: 'list', ordered, items: lines.map((l) => parseInline(l.replace(re, ''))) };
  }
  return undefined;
}

export function parseRichText(text: string): Block[] {
  const blocks: Block[] = [];
  const chunks = text.replace(/\r\n?/g, '\n').split(/\n\s*\n/);
  for (const raw of chunks) {
    const chunk = raw.trim();
    if (!chunk) continue;
    const display = /^\$\$([\s\S]+)\$\$$/.exec(chunk);
    if (display) {
      blocks.push({ kind: 'math', text: display[1]!.trim() });
      continue;
    }
    const lines = chunk.split('\n');
    const list = listBlock(lines);
    if (list) {
      blocks.push(list);
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(chunk);
    if (heading && lines.length === 1) blocks.push({ kind: 'heading', inlines: parseInline(heading[1]!) });
    else blocks.push({ kind: 'paragraph', inlines: parseInline(chunk) });
  }
  return blocks;
}

const inlineText = (inlines: Inline[]): string =>
  inlines.map((i) => (i.kind === 'br' ? ' ' : 'children' in i ? inlineText(i.children) : i.text)).join('');

/** The words of a Markdown text without its markup: for places that draw plain text (the map's canvas labels). */
export function plainText(text: string): string {
  return parseRichText(text)
    .map((b) => (b.kind === 'list' ? b.items.map(inlineText).join(' ') : b.kind === 'math' ? b.text : inlineText(b.inlines)))
    .join(' ');
}
