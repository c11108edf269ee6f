import type { Db } from '../store/db.js';
import { ShirubeError } from '../errors.js';
import * as store from '../store/progress.js';
import { listEvidence, type EvidenceRow } from '../store/lrs-evidence.js';
import { frameworkStructure, type FrameworkStructure, type MapItem } from './framework.js';
import { endOfDay, frameworkRules, labelsOf, ruleOf, standingsOf, type Progress } from './standing.js';
import { evaluate, windowAnswers, type RecentAnswer } from './rules.js';
import { learnerGradeOf } from './views.js';

/** Where a learner stands on one content item, with what the standing rests on (competency assertions). */
export interface Holding {
  item: MapItem;
  progress: Progress;
  /** The day (SHIRUBE_TIMEZONE) from which the item has been mastered without a day of answers that was not; null when not mastered. */
  since: string | null;
  /** The answers the proficiency rule counts now (its window), oldest first. */
  counted: EvidenceRow[];
}

/**
 * A learner's standing on content items of a framework (all of them when `itemIds` is absent) as of a day: the
 * learning map's progress, since when each mastered item has been, and the evidence the rule's window counts.
 */
export async function learnerHoldings(
  db: Db,
  q: { learnerId: string; framework: string; itemIds?: string[] | undefined; asOf?: string | undefined },
  o: { timeZone: string },
): Promise<{ structure: FrameworkStructure; holdings: Holding[] }> {
  const s = await frameworkStructure(db, q.framework);
  const ids = q.itemIds ?? s.items.map((i) => i.id);
  const outside = ids.find((i) => !s.byId.has(i));
  if (outside) throw new ShirubeError('not_found', `item: ${outside} is not a content item of ${s.title} (ask for the framework to have all its content items)`, 'item');
  const rules = await frameworkRules(db, s.identifier);
  const grade = await learnerGradeOf(db, q.learnerId);
  const st = (await standingsOf(db, s, [q.learnerId], q.asOf, o.timeZone, rules, () => grade)).get(q.learnerId)!;
  const at = q.asOf ? endOfDay(q.asOf, o.timeZone) : Math.floor(Date.now() / 1000);
  const wanted = new Set(ids);
  const days = (await store.masteryDaysOf(db, q.learnerId, ids)).filter((d) => !q.asOf || d.day <= q.asOf);
  const answers = (await listEvidence(db, q.learnerId, ids.length === 1 ? ids[0] : undefined, false)).filter(
    (e) => wanted.has(e.itemId) && (e.score !== null || e.success !== null) && e.timestamp.getTime() <= at * 1000,
  );
  const holdings = ids.map((itemId) => {
    const rule = ruleOf(rules, itemId);
    const labels = labelsOf(rules, itemId);
    const progress = st.progress(itemId);
    let start: string | null = null;
    for (const d of days.filter((x) => x.itemId === itemId)) {
      const mastered = evaluate(d.attempts, d.recent, d.p, rule, labels, endOfDay(d.day, o.timeZone)).state === 'mastered';
      if (!mastered) start = null;
      else start ??= d.day;
    }
    // The rule's own window over the item's answers: windowAnswers keeps the tuples it is given, so each maps back to its row.
    const rows = new Map<RecentAnswer, EvidenceRow>(answers.filter((e) => e.itemId === itemId).map((e) => [[Math.floor(e.timestamp.getTime() / 1000), e.score ?? (e.success ? 1 : 0)], e]));
    const counted = windowAnswers([...rows.keys()], rule, at).map((t) => rows.get(t)!);
    return { item: s.byId.get(itemId)!, progress, since: progress.state === 'mastered' ? start : null, counted };
  });
  return { structure: s, holdings };
}
