import type { Db } from '../store/db.js';
import * as store from '../store/badges.js';
import { latestMasteryOf } from '../store/progress.js';
import { listEvidenceOfPairs } from '../store/lrs-evidence.js';
import { evaluateProficiency, frameworkRules, labelsOf, ruleOf, type FrameworkRules } from '../progress/index.js';
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
  // A group's rule holds on each of its items: the last item to meet it makes the learner a candidate.
  if (rule.kind === 'correctRate') {
    const met = a.itemIds.every((itemId) => {
      const mine = answers.filter((e) => e.itemId === itemId);
      return mine.length >= rule.minAnswers && mine.reduce((s, e) => s + e.score!, 0) / mine.length >= rule.minCorrectRate;
    });
    return { met, summary };
  }
  const r = await rules();
  const at = Math.floor(now.getTime() / 1000);
  const rows = await latestMasteryOf(db, a.itemIds.map((itemId) => ({ learnerId, itemId })));
  for (const itemId of a.itemIds) {
    const m = rows.get(`${learnerId}\u0000${itemId}`);
    // rubricLevel: the item's rule, with that level's threshold as the mean score to reach.
    let itemRule = ruleOf(r, itemId);
    if (rule.kind === 'rubricLevel') {
      const level = r.rubrics.get(itemId)?.levels.find((l) => l.quality === rule.level);
      if (!level) return { met: false, summary };
      itemRule = { ...itemRule, minCorrectRate: level.min };
    }
    if (!m || evaluateProficiency(m.attempts, m.recent, m.p, itemRule, labelsOf(r, itemId), at).state !== 'mastered') return { met: false, summary };
  }
  return { met: true, summary };
}

/**
 * Re-evaluates the achievements that involve the changed (learner, item) pairs, inside the statements'
 * transaction, after mastery is updated: a learner who now meets the rule becomes a pending candidate; one who no
 * longer does leaves the pending list. Decided candidates (issued, dismissed) are never touched, except an issued
 * one whose credential has expired: a learner who meets the rule again becomes a renewal candidate. Nothing scans
 * statements: only the changed pairs' evidence and mastery rows are read.
 */
export async function evaluateCandidates(db: Db, changes: EvidenceChange[], now = new Date()): Promise<void> {
  const byLearner = new Map<string, Set<string>>();
  for (const c of changes) (byLearner.get(c.learnerId) ?? byLearner.set(c.learnerId, new Set()).get(c.learnerId)!).add(c.itemId);
  const allItems = [...new Set(changes.map((c) => c.itemId))];
  const achievements = await store.achievementsOfItems(db, allItems);
  if (!achievements.length) return;
  const relevant = [...byLearner].map(([learnerId, items]) => ({ learnerId, achievements: achievements.filter((a) => a.itemIds.some((i) => items.has(i))) }));
  const keys = relevant.flatMap(({ learnerId, achievements: as }) => as.map((a) => ({ achievementId: a.id, learnerId })));
  if (!keys.length) return;
  // The batch's decided and expired candidates in two queries, whatever the number of learners.
  const keyOf = (k: { achievementId: string; learnerId: string }) => `${k.learnerId} ${k.achievementId}`;
  const expired = new Map(
    (await store.expiredIssued(db, now, { learnerIds: [...byLearner.keys()], achievementIds: [...new Set(keys.map((k) => k.achievementId))] })).map((c) => [keyOf(c), c.credentialId!]),
  );
  const decided = new Set((await store.getCandidates(db, { keys })).filter((c) => c.status !== 'pending' && !expired.has(keyOf(c))).map(keyOf));
  const rules = rulesOf(db);
  for (const { learnerId, achievements: as } of relevant) {
    for (const a of as) {
      const key = keyOf({ achievementId: a.id, learnerId });
      if (decided.has(key)) continue;
      const { met, summary } = await evaluate(db, a, learnerId, rules(a.framework), now);
      const renewing = expired.get(key);
      if (renewing) {
        if (met) await store.renewCandidate(db, { achievementId: a.id, learnerId }, renewing, { ...summary, renewalOf: renewing });
      } else if (met) await store.markMet(db, a.id, learnerId, { ...summary });
      else await store.withdrawPending(db, a.id, learnerId);
    }
  }
}

/** The framework's proficiency rules, read once per framework and evaluation. */
function rulesOf(db: Db) {
  const cache = new Map<string, Promise<FrameworkRules>>();
  return (fw: string) => () => cache.get(fw) ?? cache.set(fw, frameworkRules(db, fw)).get(fw)!;
}

/**
 * Renewal candidates, evaluated lazily when a teacher lists candidates: each issued badge of these learners (all when
 * undefined) whose credential expired unrevoked is pending again if the learner still meets the rule. The expired
 * credential stays in the passport (shown as expired); the teacher approves a new one or dismisses the renewal.
 */
export async function renewExpiredCandidates(db: Db, learnerIds: string[] | undefined, now = new Date()): Promise<number> {
  const expired = await store.expiredIssued(db, now, learnerIds ? { learnerIds } : {});
  if (!expired.length) return 0;
  const achievements = new Map((await store.listAchievements(db, { ids: [...new Set(expired.map((c) => c.achievementId))] })).map((a) => [a.id, a]));
  const rules = rulesOf(db);
  let renewed = 0;
  for (const c of expired) {
    const a = achievements.get(c.achievementId);
    if (!a?.enabled) continue;
    const { met, summary } = await evaluate(db, a, c.learnerId, rules(a.framework), now);
    if (!met) continue;
    await store.renewCandidate(db, c, c.credentialId!, { ...summary, renewalOf: c.credentialId });
    renewed++;
  }
  return renewed;
}

/**
 * A new achievement's candidates from the evidence already recorded: the learners with mastery rows on every one of
 * its items are evaluated (not the statements), so a group badge made after the lessons still proposes them.
 */
export async function evaluateNewAchievement(db: Db, a: store.AchievementRow, now = new Date()): Promise<number> {
  const rules = rulesOf(db);
  let met = 0;
  for (const learnerId of await store.learnersWithMasteryOnAll(db, a.itemIds)) {
    const r = await evaluate(db, a, learnerId, rules(a.framework), now);
    if (!r.met) continue;
    await store.markMet(db, a.id, learnerId, { ...r.summary });
    met++;
  }
  return met;
}
