import { ShirubeError } from '../errors.js';
import type { RelationFramework, RelationItem } from './model.js';
import { words } from './text.js';

/**
 * The hierarchy constraints on which pairs are worth asking about:
 * - `domain`: within one domain, across grades (an item can only precede items of its grade or a later one);
 * - `grade`: within one grade, across domains;
 * - `viewpoint`: knowledge-and-skills ↔ thinking-judgement-expression items of one category in one grade;
 * - `family`: across grades between different domains of one family (see domainFamily).
 */
export const candidateModes = ['domain', 'grade', 'viewpoint', 'family'] as const;
export type CandidateMode = (typeof candidateModes)[number];
/** A block's kind: a hierarchy constraint of one framework, or `cross` (two frameworks, see cross.ts). */
export type BlockMode = CandidateMode | 'cross';

export interface CandidateOptions {
  modes?: readonly CandidateMode[] | undefined;
  /** Largest grade distance within a domain (default 2). */
  maxGradeGap?: number | undefined;
}

/** A group of items asked about together (one LLM request), with the ordered pairs it covers. */
export interface Block {
  key: string;
  mode: BlockMode;
  label: string;
  items: RelationItem[];
  pairs: Array<[string, string]>;
}

export interface CandidateSpace {
  /** Ordered pairs (origin, destination) as `origin\tdestination`. */
  pairs: Set<string>;
  blocks: Block[];
  /** Every ordered pair of distinct items: n(n-1). */
  allPairs: number;
  modes: BlockMode[];
  maxGradeGap: number;
}

export const pairKey = (origin: string, destination: string) => `${origin}\t${destination}`;

export function parseModes(s: string): CandidateMode[] {
  const modes = s.split(',').map((m) => m.trim()).filter(Boolean);
  for (const m of modes) {
    if (!(candidateModes as readonly string[]).includes(m)) throw new ShirubeError('invalid_request', `modes: "${m}" is not one of ${candidateModes.join(', ')}`, 'modes');
  }
  if (!modes.length) throw new ShirubeError('invalid_request', `modes: at least one of ${candidateModes.join(', ')}`, 'modes');
  return modes as CandidateMode[];
}

const onOneBranch = (a: RelationItem, b: RelationItem) => a.ancestors.has(b.identifier) || b.ancestors.has(a.identifier);

function groupBy(items: RelationItem[], key: (i: RelationItem) => string | undefined): Map<string, RelationItem[]> {
  const m = new Map<string, RelationItem[]>();
  for (const i of items) {
    const k = key(i);
    if (k === undefined) continue;
    const list = m.get(k);
    if (list) list.push(i);
    else m.set(k, [i]);
  }
  return m;
}

/**
 * Course of Study domains whose content continues in another one in later grades: 測定 (grades 1–3) gives way to
 * 図形 (面積, 体積) and 変化と関係 (単位量当たりの大きさ) from grade 4. (測定 and 変化と関係 share the domain code C, and
 * so the domain key, already.)
 */
const COURSE_OF_STUDY_FAMILIES: Array<[RegExp, RegExp]> = [[/測定/, /図形/], [/測定/, /変化と関係/]];

/**
 * Whether a precedes from an item of one domain to a later grade's item of another domain is worth asking about:
 * the later domain begins after the earlier item's grade, or the earlier domain ends before the later item's grade
 * (CCSS: Operations and Algebraic Thinking (K–5) → Expressions and Equations (6–8) → the high-school categories),
 * the domains' names share a word (Number and Operations in Base Ten / —Fractions, Expressions and Equations /
 * Reasoning with Equations), or the Course of Study families above.
 */
export function domainFamily(fw: RelationFramework): (a: RelationItem, b: RelationItem) => boolean {
  const span = new Map<string, { first: number; last: number; words: Set<string> }>();
  for (const i of fw.items) {
    const g = i.grade ?? 0;
    const s = span.get(i.domain);
    if (s) {
      s.first = Math.min(s.first, g);
      s.last = Math.max(s.last, g);
    } else span.set(i.domain, { first: g, last: g, words: new Set(words(i.domainLabel, fw.language === 'ja' ? 'ja' : 'en')) });
  }
  const memo = new Map<string, boolean>();
  const related = (x: string, y: string) => {
    const k = `${x}\t${y}`;
    let r = memo.get(k);
    if (r === undefined) {
      const [a, b] = [span.get(x)!, span.get(y)!];
      r = [...a.words].some((w) => b.words.has(w));
      memo.set(k, r);
    }
    return r;
  };
  return (a, b) => {
    const [ga, gb] = [a.grade ?? 0, b.grade ?? 0];
    if (a.domain === b.domain || gb <= ga) return false;
    return span.get(b.domain)!.first > ga || span.get(a.domain)!.last < gb || related(a.domain, b.domain) ||
      COURSE_OF_STUDY_FAMILIES.some(([from, to]) => from.test(a.domainLabel) && to.test(b.domainLabel));
  };
}

/** The constrained candidate space of a framework, split into hierarchy blocks. */
export function candidateSpace(fw: RelationFramework, opts: CandidateOptions = {}): CandidateSpace {
  const modes = [...(opts.modes ?? candidateModes)];
  const maxGradeGap = opts.maxGradeGap ?? 2;
  const blocks: Block[] = [];
  const grade = (i: RelationItem) => i.grade ?? 0;
  const addBlock = (mode: CandidateMode, key: string, label: string, items: RelationItem[], ok: (a: RelationItem, b: RelationItem) => boolean) => {
    const pairs: Array<[string, string]> = [];
    for (const a of items) for (const b of items) if (a !== b && !onOneBranch(a, b) && ok(a, b)) pairs.push([a.identifier, b.identifier]);
    if (pairs.length) blocks.push({ key: `${mode}:${key}`, mode, label, items, pairs });
  };
  if (modes.includes('domain')) {
    for (const [key, items] of groupBy(fw.items, (i) => i.domain)) {
      addBlock('domain', key, items[0]!.domainLabel, items, (a, b) => grade(b) >= grade(a) && grade(b) - grade(a) <= maxGradeGap);
    }
  }
  if (modes.includes('grade')) {
    for (const [key, items] of groupBy(fw.items, (i) => String(i.grade ?? ''))) {
      addBlock('grade', key, items[0]!.gradeLabel, items, (a, b) => a.domain !== b.domain);
    }
  }
  if (modes.includes('viewpoint')) {
    const withViewpoint = fw.items.filter((i) => i.viewpoint);
    for (const [key, items] of groupBy(withViewpoint, (i) => `${i.grade ?? ''}/${i.category}`)) {
      addBlock('viewpoint', key, `${items[0]!.gradeLabel} ${items[0]!.categoryLabel}`, items, (a, b) => a.viewpoint !== b.viewpoint);
    }
  }
  if (modes.includes('family')) {
    // One block per destination domain: its items and the items of other domains that may precede them.
    const family = domainFamily(fw);
    for (const [key, items] of groupBy(fw.items, (i) => i.domain)) {
      const origins = fw.items.filter((a) => items.some((b) => family(a, b) && grade(b) - grade(a) <= maxGradeGap));
      const pairs: Array<[string, string]> = [];
      for (const a of origins) for (const b of items) if (!onOneBranch(a, b) && family(a, b) && grade(b) - grade(a) <= maxGradeGap) pairs.push([a.identifier, b.identifier]);
      if (pairs.length) blocks.push({ key: `family:${key}`, mode: 'family', label: `→ ${items[0]!.domainLabel}`, items: [...origins, ...items], pairs });
    }
  }
  const pairs = new Set(blocks.flatMap((b) => b.pairs.map(([o, d]) => pairKey(o, d))));
  const n = fw.items.length;
  return { pairs, blocks, allPairs: n * (n - 1), modes, maxGradeGap };
}

/**
 * Blocks of at most `maxItems` items, so that one answer fits the model's output limit. A larger block's items, in the
 * prompt's order (grade, then document order), are cut into chunks of maxItems/2; each pair goes to the block of its
 * two chunks (a chunk's own pairs to the block with the next chunk), so every pair is still asked exactly once, and
 * chunks without pairs between them (grades too far apart) make no block.
 */
export function splitBlocks(blocks: readonly Block[], maxItems: number): Block[] {
  const half = Math.max(1, Math.floor(maxItems / 2));
  return blocks.flatMap((b) => {
    if (b.items.length <= maxItems) return [b];
    const items = [...b.items].sort((x, y) => (x.grade ?? 0) - (y.grade ?? 0) || x.order - y.order);
    const chunks: RelationItem[][] = [];
    for (let i = 0; i < items.length; i += half) chunks.push(items.slice(i, i + half));
    const chunkOf = new Map(chunks.flatMap((c, n) => c.map((i) => [i.identifier, n] as const)));
    const parts = new Map<string, { lo: number; hi: number; pairs: Array<[string, string]> }>();
    for (const [o, d] of b.pairs) {
      const [a, c] = [chunkOf.get(o)!, chunkOf.get(d)!];
      let [lo, hi] = a < c ? [a, c] : [c, a];
      if (lo === hi) [lo, hi] = lo + 1 < chunks.length ? [lo, lo + 1] : [lo - 1, lo];
      const k = `${lo}-${hi}`;
      const part = parts.get(k) ?? { lo, hi, pairs: [] };
      part.pairs.push([o, d]);
      parts.set(k, part);
    }
    const sorted = [...parts.values()].sort((x, y) => x.lo - y.lo || x.hi - y.hi);
    return sorted.map((p, n) => ({
      key: `${b.key}#${p.lo}-${p.hi}`, mode: b.mode, label: `${b.label} (${n + 1}/${sorted.length})`,
      items: [...chunks[p.lo]!, ...chunks[p.hi]!], pairs: p.pairs,
    }));
  });
}
