import type { Db } from '../store/db.js';
import * as store from '../store/progress.js';
import { listEvidenceOfPairs } from '../store/lrs-evidence.js';
import { dayIn, type EvidenceChange } from '../lrs/index.js';
import { bktUpdate, DEFAULT_BKT, type BktParams } from './bkt.js';
import { MAX_WINDOW, type RecentAnswer } from './rules.js';

export interface Answer {
  timestamp: Date;
  score: number;
  correct: boolean;
}

/** The day row after one more answer (`prev` is the latest row, possibly of an earlier day). */
export function addAnswer(prev: store.MasteryRow | undefined, learnerId: string, itemId: string, a: Answer, timeZone: string, k: BktParams = DEFAULT_BKT): store.MasteryRow {
  const day = dayIn(a.timestamp, timeZone);
  const sameDay = prev?.day === day;
  const recent: RecentAnswer[] = [...(prev?.recent ?? []), [Math.floor(a.timestamp.getTime() / 1000), a.score] as RecentAnswer].slice(-MAX_WINDOW);
  const c = a.correct ? 1 : 0;
  return {
    learnerId,
    itemId,
    day,
    p: bktUpdate(prev?.p ?? k.pL0, a.score, k),
    attempts: (prev?.attempts ?? 0) + 1,
    correct: (prev?.correct ?? 0) + c,
    dayAttempts: (sameDay ? prev.dayAttempts : 0) + 1,
    dayCorrect: (sameDay ? prev.dayCorrect : 0) + c,
    recent,
    lastAt: a.timestamp,
  };
}

/** Every day row of a (learner, item) from its answers in time order. */
export function replay(learnerId: string, itemId: string, answers: Answer[], timeZone: string): store.MasteryRow[] {
  const out: store.MasteryRow[] = [];
  let prev: store.MasteryRow | undefined;
  for (const a of answers) {
    const next = addAnswer(prev, learnerId, itemId, a, timeZone);
    if (out.length && out.at(-1)!.day === next.day) out[out.length - 1] = next;
    else out.push(next);
    prev = next;
  }
  return out;
}

const pairKey = (p: { learnerId: string; itemId: string }) => `${p.learnerId}\u0000${p.itemId}`;

/**
 * Keeps mastery in step with evidence, inside the statement's transaction (the LRS calls it through
 * WriteOptions.onEvidence): an answer newer than the last one is added; an older one, or voiding, replays the
 * (learner, item) from its evidence rows. Nothing reads raw statements. A batch costs a few queries whatever its
 * size: the latest rows of every pair are read at once, and the new and replayed rows written at once, in
 * (learner, item) order so that concurrent batches lock rows in the same order. Returns the latest row of each
 * changed pair (undefined: it has none left), for what is decided from mastery in the same transaction.
 */
export async function applyEvidence(db: Db, changes: EvidenceChange[], timeZone: string): Promise<Map<string, store.MasteryRow | undefined>> {
  const byPair = new Map<string, EvidenceChange[]>();
  for (const ch of changes) {
    const list = byPair.get(pairKey(ch));
    if (list) list.push(ch);
    else byPair.set(pairKey(ch), [ch]);
  }
  const keys = [...byPair.keys()].sort();
  const latest = await store.latestMasteryOf(db, keys.filter((k) => byPair.get(k)!.some((ch) => ch.answer)).map((k) => byPair.get(k)![0]!));
  const added: store.MasteryRow[] = [];
  const replayed: EvidenceChange[] = [];
  const now = new Map<string, store.MasteryRow | undefined>();
  for (const k of keys) {
    const list = byPair.get(k)!;
    let prev = latest.get(k);
    // The day rows after each answer in turn; an answer older than the last one (or voiding) replays instead.
    const days = new Map<string, store.MasteryRow>();
    let replay = false;
    for (const ch of list) {
      if (!ch.answer || (prev && ch.answer.timestamp < prev.lastAt)) {
        replay = true;
        break;
      }
      prev = addAnswer(prev, ch.learnerId, ch.itemId, ch.answer, timeZone);
      days.set(prev.day, prev);
    }
    if (replay) replayed.push(list[0]!);
    else {
      added.push(...days.values());
      now.set(k, prev);
    }
  }
  await store.upsertMasteryDays(db, added);
  if (!replayed.length) return now;
  const answers = new Map<string, Answer[]>();
  for (const e of await listEvidenceOfPairs(db, replayed)) {
    if (e.score === null) continue;
    const a = { timestamp: e.timestamp, score: e.score, correct: e.success ?? e.score >= 1 };
    const list = answers.get(pairKey(e));
    if (list) list.push(a);
    else answers.set(pairKey(e), [a]);
  }
  const rows = replayed.map((p) => replay(p.learnerId, p.itemId, answers.get(pairKey(p)) ?? [], timeZone));
  await store.replaceMasteryOf(db, replayed, rows.flat());
  replayed.forEach((p, i) => now.set(pairKey(p), rows[i]!.at(-1)));
  return now;
}
