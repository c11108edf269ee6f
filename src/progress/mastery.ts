import type { Db } from '../store/db.js';
import * as store from '../store/progress.js';
import { listEvidence } from '../store/lrs-evidence.js';
import type { EvidenceChange } from '../lrs/index.js';
import { bktUpdate, DEFAULT_BKT, type BktParams } from './bkt.js';
import { MAX_WINDOW, type RecentAnswer } from './rules.js';

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export const dayIn = (at: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

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

async function rebuild(db: Db, learnerId: string, itemId: string, timeZone: string): Promise<void> {
  const answers = (await listEvidence(db, learnerId, itemId, false))
    .filter((e) => e.score !== null)
    .map((e) => ({ timestamp: e.timestamp, score: e.score!, correct: e.success ?? e.score! >= 1 }));
  await store.replaceMastery(db, learnerId, itemId, replay(learnerId, itemId, answers, timeZone));
}

/**
 * Keeps mastery in step with evidence, inside the statement's transaction (the LRS calls it through
 * WriteOptions.onEvidence): an answer newer than the last one is added; an older one, or voiding, replays the
 * (learner, item) from its evidence rows. Nothing reads raw statements.
 */
export async function applyEvidence(db: Db, changes: EvidenceChange[], timeZone: string): Promise<void> {
  const rebuilt = new Set<string>();
  for (const ch of changes) {
    const key = `${ch.learnerId}\u0000${ch.itemId}`;
    if (rebuilt.has(key)) continue;
    const prev = ch.answer ? await store.latestMastery(db, ch.learnerId, ch.itemId) : undefined;
    if (ch.answer && (!prev || ch.answer.timestamp >= prev.lastAt)) {
      await store.upsertMasteryDay(db, addAnswer(prev, ch.learnerId, ch.itemId, ch.answer, timeZone));
    } else {
      await rebuild(db, ch.learnerId, ch.itemId, timeZone);
      rebuilt.add(key);
    }
  }
}
