import { ShirubeError } from '../errors.js';
import { pairKey, type Block, type CandidateSpace } from './candidates.js';
import type { RelationFramework, RelationItem } from './model.js';

/**
 * Cross-subject estimation (算数 → 理科 and back): the estimators work unchanged on one combined RelationFramework
 * whose candidate space only holds pairs across the two frameworks. Items keep their own framework (`framework`,
 * `subject`); domain and category keys are made unique per framework, since both subjects have a domain "A".
 */
export interface CrossOptions {
  /**
   * Largest grade distance of a precedes across the frameworks (default 1): an item precedes items of the other
   * framework in its own grade or up to this many grades later, in both directions. isRelatedTo: the same grade.
   */
  maxGradeGap?: number | undefined;
}

/** The subject as a reader names it: 算数 from 「小学校学習指導要領（平成29年告示）算数」, else the title. */
export function subjectOf(title: string): string {
  const t = title.replace(/\s*\(.*\)\s*$/, '').trim();
  const cos = /）\s*(\S+)$/.exec(t);
  return cos?.[1] ?? t;
}

/** Both frameworks' items in one framework for the estimators: A's first, keys scoped by framework. */
export function combineFrameworks(a: RelationFramework, b: RelationFramework): RelationFramework {
  if (a.identifier === b.identifier) throw new ShirubeError('invalid_request', 'targetFramework: must be another framework than the one estimated', 'targetFramework');
  const scoped = (fw: RelationFramework, offset: number) => {
    const subject = subjectOf(fw.title);
    return fw.items.map((i): RelationItem => ({
      ...i,
      framework: fw.identifier,
      subject,
      domain: `${fw.identifier}|${i.domain}`,
      category: i.category ? `${fw.identifier}|${i.category}` : '',
      order: i.order + offset,
    }));
  };
  const offset = Math.max(0, ...a.items.map((i) => i.order)) + 1;
  return {
    identifier: a.identifier,
    title: `${a.title} × ${b.title}`,
    language: a.language === 'ja' && b.language === 'ja' ? 'ja' : 'en',
    items: [...scoped(a, 0), ...scoped(b, offset)],
  };
}

function groupBy(items: RelationItem[], key: (i: RelationItem) => string): Map<string, RelationItem[]> {
  const m = new Map<string, RelationItem[]>();
  for (const i of items) m.set(key(i), [...(m.get(key(i)) ?? []), i]);
  return m;
}

/**
 * The candidate space across two frameworks of a combined framework (combineFrameworks): every ordered pair has one
 * end in `source` and the other in `target`; items without a grade are left out. precedes: from an item to an item
 * of the other framework in the same grade or up to maxGradeGap grades later (either direction); isRelatedTo: the
 * same grade. One block per grade pair × source domain × target domain, so that an LLM request stays small.
 */
export function crossCandidateSpace(fw: RelationFramework, source: string, target: string, opts: CrossOptions = {}): CandidateSpace {
  const maxGradeGap = opts.maxGradeGap ?? 1;
  const graded = (id: string) => fw.items.filter((i) => i.framework === id && i.grade !== undefined);
  const as = groupBy(graded(source), (i) => `${i.grade}\t${i.domain}`);
  const bs = groupBy(graded(target), (i) => `${i.grade}\t${i.domain}`);
  const blocks: Block[] = [];
  for (const aItems of as.values()) {
    for (const bItems of bs.values()) {
      const ga = aItems[0]!.grade!;
      const gb = bItems[0]!.grade!;
      if (Math.abs(ga - gb) > maxGradeGap) continue;
      const pairs: Array<[string, string]> = [];
      for (const x of aItems) {
        for (const y of bItems) {
          // x precedes y when y is as late or later; y precedes x when x is; the same grade: both (and isRelatedTo).
          if (gb >= ga) pairs.push([x.identifier, y.identifier]);
          if (ga >= gb) pairs.push([y.identifier, x.identifier]);
        }
      }
      const [a, b] = [aItems[0]!, bItems[0]!];
      blocks.push({
        key: `cross:${ga}-${gb}:${a.domain}:${b.domain}`,
        mode: 'cross',
        label: `${a.subject ?? ''} ${a.gradeLabel} ${a.domainLabel} ↔ ${b.subject ?? ''} ${b.gradeLabel} ${b.domainLabel}`.replace(/\s+/g, ' ').trim(),
        items: [...aItems, ...bItems],
        pairs,
      });
    }
  }
  blocks.sort((x, y) => x.key.localeCompare(y.key));
  const pairs = new Set(blocks.flatMap((b) => b.pairs.map(([o, d]) => pairKey(o, d))));
  const n = fw.items.filter((i) => i.framework === source).length;
  const m = fw.items.filter((i) => i.framework === target).length;
  return { pairs, blocks, allPairs: 2 * n * m, modes: ['cross'], maxGradeGap };
}
