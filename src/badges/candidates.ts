import type { Db } from '../store/db.js';
import * as store from '../store/badges.js';
import { latestMasteryOf } from '../store/progress.js';
import { listEvidenceOfPairs } from '../store/lrs-evidence.js';
import { evaluateProficiency, frameworkRules, type FrameworkRules } from '../progress/index.js';
import type { EvidenceChange } from '../lrs/index.js';
import { checkAchievementRule } from './achievements.js';

/** Counts and period of the evidence behind an award: what the credential's Evidence summarises. */
export interface EvidenceSummary {
  items: number;
  answers: number;
  correct: number;
  from: string | null;
  to: string | null;
}

async function evaluate(db: Db, a: store.AchievementRow, learnerId: string, rules: () => Promise<FrameworkRules>, now: Date): Promise<{ met: boolean; summary: EvidenceSummary }> {
  const rule = checkAchievementRule(a.rule);
  const since = rule.kind === 'correctRate' ? now.getTime() - rule.days * 86_400_000 : -Infinity;
  const answers = (await listEvidenceOfPairs(db, a.itemIds.map((itemId) => ({ learnerId, itemId })))).filter((e) => e.score !== null && e.timestamp.getTime() >= since);
  const summary: EvidenceSummary = {
    items: a.itemIds.length,
    answers: answers.length,
    correct: answers.filter((e) => e.success ?? e.score! >= 1).length,
    from: answers[0]?.timestamp.toISOString() ?? null,
    to: answers.at(-1)?.timestamp.toISOString() ?? null,
  };
  if (rule.kind === 'correctRate') {
    const mean = answers.reduce((s, e) => s + e.score!, 0) / (answers.length || 1);
    return { met: answers.length >= rule.minAnswers && mean >= rule.minCorrectRate, summary };
  }
  const r = await rules();
  const at = Math.floor(now.getTime() / 1000);
  const rows = await latestMasteryOf(db, a.itemIds.map((itemId) => ({ learnerId, itemId })));
  for (const itemId of a.itemIds) {
    const m = rows.get(`${learnerId}\u0000${itemId}`);
    if (!m || evaluateProficiency(m.attempts, m.recent, m.p, r.items.get(itemId) ?? r.rule, r.labels, at).state !== 'mastered') return { met: false, summary };
  }
  return { met: true, summary };
}

/**
 * Re-evaluates the achievements that involve the changed (learner, item) pairs, inside the statements'
 * transaction, after mastery is updated: a learner who now meets the rule becomes a pending candidate; one who no
 * longer does leaves the pending list. Decided candidates (issued, dismissed) are never touched. Nothing scans
 * statements: only the changed pairs' evidence and mastery rows are read.
 */
export async function evaluateCandidates(db: Db, changes: EvidenceChange[], now = new Date()): Promise<void> {
  const byLearner = new Map<string, Set<string>>();
  for (const c of changes) (byLearner.get(c.learnerId) ?? byLearner.set(c.learnerId, new Set()).get(c.learnerId)!).add(c.itemId);
  const allItems = [...new Set(changes.map((c) => c.itemId))];
  const achievements = await store.achievementsOfItems(db, allItems);
  if (!achievements.length) return;
  const rulesOf = new Map<string, Promise<FrameworkRules>>();
  const rules = (fw: string) => () => rulesOf.get(fw) ?? rulesOf.set(fw, frameworkRules(db, fw)).get(fw)!;
  for (const [learnerId, items] of byLearner) {
    const relevant = achievements.filter((a) => a.itemIds.some((i) => items.has(i)));
    if (!relevant.length) continue;
    const decided = new Set(
      (await store.getCandidates(db, { keys: relevant.map((a) => ({ achievementId: a.id, learnerId })) })).filter((c) => c.status !== 'pending').map((c) => c.achievementId),
    );
    for (const a of relevant) {
      if (decided.has(a.id)) continue;
      const { met, summary } = await evaluate(db, a, learnerId, rules(a.framework), now);
      if (met) await store.markMet(db, a.id, learnerId, { ...summary });
      else await store.withdrawPending(db, a.id, learnerId);
    }
  }
}
