import type { Db } from '../store/db.js';
import * as store from '../store/badges.js';
import { latestMasteryOf, type MasteryRow } from '../store/progress.js';
import { listEvidenceOfPairs, type EvidenceRow } from '../store/lrs-evidence.js';
import { applyEvidence, evaluateProficiency, frameworkRules, labelsOf, ruleOf, RulesCache, windowAnswers, type FrameworkRules } from '../progress/index.js';
import { dayIn, type EvidenceChange, type EvidenceHook } from '../lrs/index.js';
import { ShirubeError } from '../errors.js';
import { checkAchievementRule } from './achievements.js';

/**
 * By default the evidence an achievement's rule counts must fall on at least this many days: three right answers in
 * one sitting are not yet a badge. A framework's teachers may choose otherwise (1: one day is enough).
 */
export const DEFAULT_MIN_DAYS = 2;
export const MAX_MIN_DAYS = 30;

/** What candidates of a framework's achievements need beyond each rule (docs/badges.md: criteria). */
export interface BadgeCriteria {
  framework: string;
  minDays: number;
  /** false: the default (no teacher chose). */
  chosen: boolean;
}

export async function badgeCriteria(db: Db, framework: string): Promise<BadgeCriteria> {
  const minDays = await store.getMinDays(db, framework);
  return { framework, minDays: minDays ?? DEFAULT_MIN_DAYS, chosen: minDays !== undefined };
}

/** Counts and period of the evidence behind an award: what the credential's Evidence summarises. */
export interface EvidenceSummary {
  items: number;
  answers: number;
  correct: number;
  from: string | null;
  to: string | null;
}

interface Judging {
  rules: (framework: string) => Promise<FrameworkRules>;
  /** The framework's minimum number of days with evidence (its badge criteria). */
  minDays: (framework: string) => Promise<number>;
  /** Days are counted in this time zone (SHIRUBE_TIMEZONE). */
  timeZone: string;
  /** The latest mastery of (learner, item) pairs already known in this transaction (undefined: none), by pair key. */
  mastery?: Map<string, MasteryRow | undefined> | undefined;
}
type Judged = { a: store.AchievementRow; learnerId: string; met: boolean; summary: EvidenceSummary };
const pairKey = (learnerId: string, itemId: string) => `${learnerId}\u0000${itemId}`;
const distinctDays = (times: number[], timeZone: string) => new Set(times.map((t) => dayIn(new Date(t), timeZone))).size;

/**
 * Whether each learner meets each achievement's rule, and for those who do the evidence summary: mastery of all of
 * them in one query, then evidence in one (for correct-rate rules, and the summaries of those met). The SQL a
 * batch of statements costs does not grow with its learners.
 */
async function judge(db: Db, todo: Array<{ a: store.AchievementRow; learnerId: string }>, o: Judging, now: Date): Promise<Judged[]> {
  if (!todo.length) return [];
  const at = Math.floor(now.getTime() / 1000);
  const pairsOf = (list: typeof todo) => [...new Map(list.flatMap(({ a, learnerId }) => a.itemIds.map((itemId) => [pairKey(learnerId, itemId), { learnerId, itemId }] as const))).values()];
  const byRate = (a: store.AchievementRow) => checkAchievementRule(a.rule).kind === 'correctRate';
  const minDays = new Map(await Promise.all([...new Set(todo.map((t) => t.a.framework))].map(async (f) => [f, await o.minDays(f)] as const)));
  const known = o.mastery ?? new Map<string, MasteryRow | undefined>();
  const mastery = await latestMasteryOf(db, pairsOf(todo.filter((t) => !byRate(t.a))).filter((p) => !known.has(pairKey(p.learnerId, p.itemId))));
  for (const [k, m] of known) if (m) mastery.set(k, m);
  const mastered = async ({ a, learnerId }: (typeof todo)[number]) => {
    const rule = checkAchievementRule(a.rule);
    const r = await o.rules(a.framework);
    const days = minDays.get(a.framework)!;
    return a.itemIds.every((itemId) => {
      const m = mastery.get(pairKey(learnerId, itemId));
      // rubricLevel: the item's rule, with that level's threshold as the mean score to reach.
      let itemRule = ruleOf(r, itemId);
      if (rule.kind === 'rubricLevel') {
        const level = r.rubrics.get(itemId)?.levels.find((l) => l.quality === rule.level);
        if (!level) return false;
        itemRule = { ...itemRule, minCorrectRate: level.min };
      }
      if (!m || evaluateProficiency(m.attempts, m.recent, m.p, itemRule, labelsOf(r, itemId), at).state !== 'mastered') return false;
      // The answers of the rule's window (what made the item mastered) on enough days.
      return distinctDays(windowAnswers(m.recent, itemRule, at).map(([t]) => t * 1000), o.timeZone) >= days;
    });
  };
  const metByMastery = new Set<(typeof todo)[number]>();
  for (const t of todo) if (!byRate(t.a) && (await mastered(t))) metByMastery.add(t);
  const evidence = new Map<string, EvidenceRow[]>();
  for (const e of await listEvidenceOfPairs(db, pairsOf(todo.filter((t) => byRate(t.a) || metByMastery.has(t))))) {
    if (e.score === null) continue;
    const k = pairKey(e.learnerId, e.itemId);
    (evidence.get(k) ?? evidence.set(k, []).get(k)!).push(e);
  }
  return todo.map((t) => {
    const { a, learnerId } = t;
    const rule = checkAchievementRule(a.rule);
    const since = rule.kind === 'correctRate' ? now.getTime() - rule.days * 86_400_000 : -Infinity;
    const mine = (itemId: string) => (evidence.get(pairKey(learnerId, itemId)) ?? []).filter((e) => e.timestamp.getTime() >= since);
    // A group's rule holds on each of its items: the last item to meet it makes the learner a candidate. On each, the
    // answers it counts fall on at least the framework's minDays days.
    const met =
      rule.kind === 'correctRate'
        ? a.itemIds.every((itemId) => {
            const list = mine(itemId);
            return (
              list.length >= rule.minAnswers &&
              list.reduce((s, e) => s + e.score!, 0) / list.length >= rule.minCorrectRate &&
              distinctDays(list.map((e) => e.timestamp.getTime()), o.timeZone) >= minDays.get(a.framework)!
            );
          })
        : metByMastery.has(t);
    // In time order across the items, as the credential's Evidence reports them.
    const answers = met ? a.itemIds.flatMap(mine).sort((x, y) => x.timestamp.getTime() - y.timestamp.getTime() || (x.statementId < y.statementId ? -1 : x.statementId > y.statementId ? 1 : 0)) : [];
    const summary: EvidenceSummary = {
      items: a.itemIds.length,
      answers: answers.length,
      correct: answers.filter((e) => e.success ?? e.score! >= 1).length,
      from: answers[0]?.timestamp.toISOString() ?? null,
      to: answers.at(-1)?.timestamp.toISOString() ?? null,
    };
    return { a, learnerId, met, summary };
  });
}

/**
 * Re-evaluates the achievements that involve the changed (learner, item) pairs, inside the statements'
 * transaction, after mastery is updated: a learner who now meets the rule becomes a pending candidate; one who no
 * longer does leaves the pending list. Decided candidates (issued, dismissed) are never touched, except an issued
 * one whose credential has expired: a learner who meets the rule again becomes a renewal candidate. Nothing scans
 * statements: only the changed pairs' evidence and mastery rows are read.
 */
export async function evaluateCandidates(db: Db, changes: EvidenceChange[], o: { now?: Date; timeZone: string } & Partial<Omit<Judging, 'timeZone'>>): Promise<void> {
  const now = o.now ?? new Date();
  const byLearner = new Map<string, Set<string>>();
  for (const c of changes) (byLearner.get(c.learnerId) ?? byLearner.set(c.learnerId, new Set()).get(c.learnerId)!).add(c.itemId);
  const allItems = [...new Set(changes.map((c) => c.itemId))];
  const achievements = await store.achievementsOfItems(db, allItems);
  if (!achievements.length) return;
  const relevant = [...byLearner].map(([learnerId, items]) => ({ learnerId, achievements: achievements.filter((a) => a.itemIds.some((i) => items.has(i))) }));
  const keys = relevant.flatMap(({ learnerId, achievements: as }) => as.map((a) => ({ achievementId: a.id, learnerId })));
  if (!keys.length) return;
  // The batch's candidates, decided, pending or up for renewal, in one query whatever the number of learners.
  const keyOf = (k: { achievementId: string; learnerId: string }) => `${k.learnerId} ${k.achievementId}`;
  const existing = new Map((await store.candidatesOfKeys(db, keys, now)).map((c) => [keyOf(c), c]));
  const todo = relevant.flatMap(({ learnerId, achievements: as }) => as.map((a) => ({ a, learnerId }))).filter((t) => {
    const c = existing.get(keyOf({ achievementId: t.a.id, learnerId: t.learnerId }));
    return !c || c.status === 'pending' || c.expired;
  });
  const met: Array<{ achievementId: string; learnerId: string; summary: Record<string, unknown> }> = [];
  const withdrawn: Array<{ achievementId: string; learnerId: string }> = [];
  for (const j of await judge(db, todo, { ...judging(db, o.timeZone), ...(o.rules ? { rules: o.rules } : {}), mastery: o.mastery }, now)) {
    const key = { achievementId: j.a.id, learnerId: j.learnerId };
    const c = existing.get(keyOf(key));
    if (c?.expired) {
      if (j.met) await store.renewCandidate(db, key, c.credentialId!, { ...j.summary, renewalOf: c.credentialId });
    } else if (j.met) met.push({ ...key, summary: { ...j.summary } });
    else if (c) withdrawn.push(key);
  }
  await store.markMet(db, met);
  await store.withdrawPending(db, withdrawn);
}

/**
 * What follows a change of evidence, in its transaction (the LRS's WriteOptions.onEvidence, a derivation's
 * backfill): mastery first, then badge candidates from it.
 */
export function evidenceHook(timeZone: string, rules = new RulesCache()): EvidenceHook {
  return async (trx, changes, caseGeneration) => {
    const mastery = await applyEvidence(trx, changes, timeZone);
    await evaluateCandidates(trx, changes, { rules: (framework) => rules.get(trx, framework, caseGeneration), mastery, timeZone });
  };
}

/** The frameworks' proficiency rules and badge criteria, read once per framework and evaluation. */
function judging(db: Db, timeZone: string): Judging {
  const rules = new Map<string, Promise<FrameworkRules>>();
  const minDays = new Map<string, Promise<number>>();
  return {
    rules: (fw) => rules.get(fw) ?? rules.set(fw, frameworkRules(db, fw)).get(fw)!,
    minDays: (fw) => minDays.get(fw) ?? minDays.set(fw, badgeCriteria(db, fw).then((c) => c.minDays)).get(fw)!,
    timeZone,
  };
}

/**
 * Renewal candidates, evaluated lazily when a teacher lists candidates: each issued badge of these learners (all when
 * undefined) whose credential expired unrevoked is pending again if the learner still meets the rule. The expired
 * credential stays in the passport (shown as expired); the teacher approves a new one or dismisses the renewal.
 */
export async function renewExpiredCandidates(db: Db, learnerIds: string[] | undefined, timeZone: string, now = new Date()): Promise<number> {
  const expired = await store.expiredIssued(db, now, learnerIds ? { learnerIds } : {});
  if (!expired.length) return 0;
  const achievements = new Map((await store.listAchievements(db, { ids: [...new Set(expired.map((c) => c.achievementId))] })).map((a) => [a.id, a]));
  const todo = expired.flatMap((c) => {
    const a = achievements.get(c.achievementId);
    return a?.enabled ? [{ a, learnerId: c.learnerId }] : [];
  });
  const credentialOf = new Map(expired.map((c) => [`${c.learnerId} ${c.achievementId}`, c.credentialId!]));
  let renewed = 0;
  for (const j of await judge(db, todo, judging(db, timeZone), now)) {
    if (!j.met) continue;
    const credentialId = credentialOf.get(`${j.learnerId} ${j.a.id}`)!;
    await store.renewCandidate(db, { achievementId: j.a.id, learnerId: j.learnerId }, credentialId, { ...j.summary, renewalOf: credentialId });
    renewed++;
  }
  return renewed;
}

/**
 * A new achievement's candidates from the evidence already recorded: the learners with mastery rows on every one of
 * its items are evaluated (not the statements), so a group badge made after the lessons still proposes them.
 */
export async function evaluateNewAchievement(db: Db, a: store.AchievementRow, timeZone: string, now = new Date()): Promise<number> {
  const learners = await store.learnersWithMasteryOnAll(db, a.itemIds);
  const met = (await judge(db, learners.map((learnerId) => ({ a, learnerId })), judging(db, timeZone), now)).filter((j) => j.met);
  await store.markMet(db, met.map((j) => ({ achievementId: a.id, learnerId: j.learnerId, summary: { ...j.summary } })));
  return met.length;
}

/**
 * Sets the framework's minimum number of days with evidence (teachers and admins; audited by the caller) and
 * re-evaluates its candidates at once: pending ones that no longer meet it are withdrawn, and learners whose recorded
 * mastery now meets an enabled achievement's rule are proposed (as for a new achievement). Decided candidates stay.
 */
export async function setBadgeCriteria(db: Db, framework: string, minDays: number, by: string, timeZone: string, now = new Date()): Promise<BadgeCriteria & { withdrawn: number; proposed: number }> {
  if (!Number.isInteger(minDays) || minDays < 1 || minDays > MAX_MIN_DAYS) throw new ShirubeError('invalid_request', `minDays: an integer from 1 to ${MAX_MIN_DAYS}`, 'minDays');
  return db.transaction().execute(async (trx) => {
    await store.setMinDays(trx, framework, minDays, by);
    const achievements = (await store.listAchievements(trx, { framework })).filter((a) => a.enabled);
    const byId = new Map(achievements.map((a) => [a.id, a]));
    const j = judging(trx, timeZone);
    const pending = await store.pendingOfAchievements(trx, [...byId.keys()]);
    // A framework's candidates are thousands (the demo: 35 learners × 289 achievements): judged a few hundred at a time,
    // which keeps each query's parameters few.
    const judgeAll = async (todo: Array<{ a: store.AchievementRow; learnerId: string }>) => {
      const out: Judged[] = [];
      for (let i = 0; i < todo.length; i += 500) out.push(...(await judge(trx, todo.slice(i, i + 500), j, now)));
      return out;
    };
    const withdrawn = (await judgeAll(pending.map((c) => ({ a: byId.get(c.achievementId)!, learnerId: c.learnerId })))).filter((x) => !x.met).map((x) => ({ achievementId: x.a.id, learnerId: x.learnerId }));
    await store.withdrawPending(trx, withdrawn);
    // Everyone else with mastery on an achievement's items: newly met ones become candidates (decided ones stay).
    const todo: Array<{ a: store.AchievementRow; learnerId: string }> = [];
    for (const a of achievements) for (const learnerId of await store.learnersWithMasteryOnAll(trx, a.itemIds)) todo.push({ a, learnerId });
    const existing = new Set((await store.candidatesOfKeys(trx, todo.map((t) => ({ achievementId: t.a.id, learnerId: t.learnerId })), now)).map((c) => `${c.learnerId} ${c.achievementId}`));
    const met = (await judgeAll(todo.filter((t) => !existing.has(`${t.learnerId} ${t.a.id}`)))).filter((x) => x.met);
    await store.markMet(trx, met.map((x) => ({ achievementId: x.a.id, learnerId: x.learnerId, summary: { ...x.summary } })));
    return { framework, minDays, chosen: true, withdrawn: withdrawn.length, proposed: met.length };
  });
}
