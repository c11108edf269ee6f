import { ShirubeError } from '../errors.js';
import type { RelationFramework, RelationItem } from './model.js';

/**
 * The hierarchy constraints on which pairs are worth asking about:
 * - `domain`: within one domain, across grades (an item can only precede items of its grade or a later one);
 * - `grade`: within one grade, across domains;
 * - `viewpoint`: knowledge-and-skills ↔ thinking-judgement-expression items of one category in one grade.
 */
export const candidateModes = ['domain', 'grade', 'viewpoint'] as const;
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
  const pairs = new Set(blocks.flatMap((b) => b.pairs.map(([o, d]) => pairKey(o, d))));
  const n = fw.items.length;
  return { pairs, blocks, allPairs: n * (n - 1), modes, maxGradeGap };
}
