import { sql } from 'kysely';
import type { Db } from './db.js';
import { lrs } from './lrs-tables.js';

export interface EvidenceRow {
  statementId: string;
  itemId: string;
  learnerId: string;
  timestamp: Date;
  score: number | null;
  success: boolean | null;
  voided: boolean;
  via: string;
}

export interface RollupTotals {
  attempts: number;
  correct: number;
  scoreSum: number;
  scored: number;
}

export interface Rollup extends RollupTotals {
  learnerId: string;
  itemId: string;
  firstAt: Date;
  lastAt: Date;
}

export interface RollupDay extends RollupTotals {
  learnerId: string;
  itemId: string;
  day: string;
}

/** Slices of at most `size`: each statement stays under PostgreSQL's 65,535 parameters. */
const chunks = <T>(xs: T[], size: number): T[][] => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));

type Pair = { learnerId: string; itemId: string };
const inPairs = (pairs: Pair[]) => sql<boolean>`(learner_id, item_id) in (${sql.join(pairs.map((p) => sql`(${p.learnerId}, ${p.itemId})`))})`;

export async function insertEvidence(db: Db, rows: Omit<EvidenceRow, 'voided'>[]): Promise<void> {
  for (const chunk of chunks(rows, 5000)) {
    await lrs(db)
      .insertInto('evidence')
      .values(chunk.map((r) => ({ statement_id: r.statementId, item_id: r.itemId, learner_id: r.learnerId, timestamp: r.timestamp, score: r.score, success: r.success, via: r.via })))
      .onConflict((c) => c.columns(['statement_id', 'item_id']).doNothing())
      .execute();
  }
}

export async function insertUnresolved(db: Db, rows: Array<{ statementId: string; reference: string; via: string }>): Promise<void> {
  if (!rows.length) return;
  await lrs(db)
    .insertInto('evidence_unresolved')
    .values(rows.map((r) => ({ statement_id: r.statementId, reference: r.reference.slice(0, 2000), via: r.via })))
    .onConflict((c) => c.doNothing())
    .execute();
}

/** Marks the evidence of these statements voided; returns the (learner, item) pairs touched. */
export async function voidEvidence(db: Db, statementIds: string[]): Promise<Array<{ learnerId: string; itemId: string }>> {
  if (!statementIds.length) return [];
  const rows = await lrs(db).updateTable('evidence').set({ voided: true }).where('statement_id', 'in', statementIds).returning(['learner_id', 'item_id']).execute();
  return rows.map((r) => ({ learnerId: r.learner_id, itemId: r.item_id }));
}

const toEvidence = (r: { statement_id: string; item_id: string; learner_id: string; timestamp: Date; score: number | null; success: boolean | null; voided: boolean; via: string }): EvidenceRow => ({
  statementId: r.statement_id,
  itemId: r.item_id,
  learnerId: r.learner_id,
  timestamp: r.timestamp,
  score: r.score,
  success: r.success,
  voided: r.voided,
  via: r.via,
});

export async function listEvidence(db: Db, learnerId: string, itemId?: string, includeVoided = true): Promise<EvidenceRow[]> {
  let q = lrs(db).selectFrom('evidence').selectAll().where('learner_id', '=', learnerId);
  if (itemId !== undefined) q = q.where('item_id', '=', itemId);
  if (!includeVoided) q = q.where('voided', '=', false);
  return (await q.orderBy('timestamp').orderBy('statement_id').execute()).map(toEvidence);
}

export async function listRollups(db: Db, learnerId: string, itemId?: string): Promise<Rollup[]> {
  let q = lrs(db).selectFrom('evidence_rollup').selectAll().where('learner_id', '=', learnerId);
  if (itemId !== undefined) q = q.where('item_id', '=', itemId);
  const rows = await q.orderBy('item_id').execute();
  return rows.map((r) => ({
    learnerId: r.learner_id,
    itemId: r.item_id,
    attempts: r.attempts,
    correct: r.correct,
    scoreSum: r.score_sum,
    scored: r.scored,
    firstAt: r.first_at,
    lastAt: r.last_at,
  }));
}

export async function listRollupDays(db: Db, learnerId: string, itemId?: string): Promise<RollupDay[]> {
  let q = lrs(db).selectFrom('evidence_rollup_day').selectAll().where('learner_id', '=', learnerId);
  if (itemId !== undefined) q = q.where('item_id', '=', itemId);
  const rows = await q.orderBy('item_id').orderBy('day').execute();
  return rows.map((r) => ({
    learnerId: r.learner_id,
    itemId: r.item_id,
    day: typeof r.day === 'string' ? r.day : (r.day as Date).toISOString().slice(0, 10),
    attempts: r.attempts,
    correct: r.correct,
    scoreSum: r.score_sum,
    scored: r.scored,
  }));
}

/** The rollups of these (learner, item) pairs. */
export async function getRollups(db: Db, pairs: Pair[]): Promise<Map<string, Rollup>> {
  const rows = [];
  for (const chunk of chunks(pairs, 10_000)) rows.push(...(await lrs(db).selectFrom('evidence_rollup').selectAll().where(inPairs(chunk)).execute()));
  return new Map(
    rows.map((r) => [
      `${r.learner_id}\u0000${r.item_id}`,
      { learnerId: r.learner_id, itemId: r.item_id, attempts: r.attempts, correct: r.correct, scoreSum: r.score_sum, scored: r.scored, firstAt: r.first_at, lastAt: r.last_at },
    ]),
  );
}

/**
 * Adds attempts to rollups and their days in two statements; each (learner, item) and (learner, item, day) at most
 * once, in key order.
 */
export async function addToRollups(db: Db, rollups: Rollup[], days: RollupDay[]): Promise<void> {
  const x = lrs(db);
  for (const chunk of chunks(rollups, 5000)) {
    await x
      .insertInto('evidence_rollup')
      .values(chunk.map((r) => ({ learner_id: r.learnerId, item_id: r.itemId, attempts: r.attempts, correct: r.correct, score_sum: r.scoreSum, scored: r.scored, first_at: r.firstAt, last_at: r.lastAt })))
      .onConflict((c) =>
        c.columns(['learner_id', 'item_id']).doUpdateSet((eb) => ({
          attempts: eb('evidence_rollup.attempts', '+', eb.ref('excluded.attempts')),
          correct: eb('evidence_rollup.correct', '+', eb.ref('excluded.correct')),
          score_sum: eb('evidence_rollup.score_sum', '+', eb.ref('excluded.score_sum')),
          scored: eb('evidence_rollup.scored', '+', eb.ref('excluded.scored')),
          first_at: eb.fn('least', [eb.ref('evidence_rollup.first_at'), eb.ref('excluded.first_at')]),
          last_at: eb.fn('greatest', [eb.ref('evidence_rollup.last_at'), eb.ref('excluded.last_at')]),
        })),
      )
      .execute();
  }
  for (const chunk of chunks(days, 5000)) {
    await x
      .insertInto('evidence_rollup_day')
      .values(chunk.map((d) => ({ learner_id: d.learnerId, item_id: d.itemId, day: d.day, attempts: d.attempts, correct: d.correct, score_sum: d.scoreSum, scored: d.scored })))
      .onConflict((c) =>
        c.columns(['learner_id', 'item_id', 'day']).doUpdateSet((eb) => ({
          attempts: eb('evidence_rollup_day.attempts', '+', eb.ref('excluded.attempts')),
          correct: eb('evidence_rollup_day.correct', '+', eb.ref('excluded.correct')),
          score_sum: eb('evidence_rollup_day.score_sum', '+', eb.ref('excluded.score_sum')),
          scored: eb('evidence_rollup_day.scored', '+', eb.ref('excluded.scored')),
        })),
      )
      .execute();
  }
}

/** The unvoided evidence rows of these (learner, item) pairs, in time order. */
export async function listEvidenceOfPairs(db: Db, pairs: Pair[]): Promise<EvidenceRow[]> {
  const out: EvidenceRow[] = [];
  for (const chunk of chunks(pairs, 10_000)) {
    const rows = await lrs(db).selectFrom('evidence').selectAll().where(inPairs(chunk)).where('voided', '=', false).orderBy('timestamp').orderBy('statement_id').execute();
    out.push(...rows.map(toEvidence));
  }
  return out;
}

/** Replaces the rollups and days of these (learner, item) pairs: nothing is left for a pair absent from `rollups`. */
export async function replaceRollups(db: Db, pairs: Pair[], rollups: Rollup[], days: RollupDay[]): Promise<void> {
  for (const chunk of chunks(pairs, 10_000)) {
    await lrs(db).deleteFrom('evidence_rollup').where(inPairs(chunk)).execute();
    await lrs(db).deleteFrom('evidence_rollup_day').where(inPairs(chunk)).execute();
  }
  await addToRollups(db, rollups, days);
}
