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

export async function insertEvidence(db: Db, rows: Omit<EvidenceRow, 'voided'>[]): Promise<void> {
  // Chunks keep each INSERT under PostgreSQL's 65,535 parameters.
  for (let i = 0; i < rows.length; i += 5000) {
    await lrs(db)
      .insertInto('evidence')
      .values(rows.slice(i, i + 5000).map((r) => ({ statement_id: r.statementId, item_id: r.itemId, learner_id: r.learnerId, timestamp: r.timestamp, score: r.score, success: r.success, via: r.via })))
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
export async function getRollups(db: Db, pairs: Array<{ learnerId: string; itemId: string }>): Promise<Map<string, Rollup>> {
  if (!pairs.length) return new Map();
  const rows = await lrs(db)
    .selectFrom('evidence_rollup')
    .selectAll()
    .where(sql<boolean>`(learner_id, item_id) in (${sql.join(pairs.map((p) => sql`(${p.learnerId}, ${p.itemId})`))})`)
    .execute();
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
  if (rollups.length) {
    await x
      .insertInto('evidence_rollup')
      .values(rollups.map((r) => ({ learner_id: r.learnerId, item_id: r.itemId, attempts: r.attempts, correct: r.correct, score_sum: r.scoreSum, scored: r.scored, first_at: r.firstAt, last_at: r.lastAt })))
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
  if (days.length) {
    await x
      .insertInto('evidence_rollup_day')
      .values(days.map((d) => ({ learner_id: d.learnerId, item_id: d.itemId, day: d.day, attempts: d.attempts, correct: d.correct, score_sum: d.scoreSum, scored: d.scored })))
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

/** Replaces the rollup of one (learner, item) and its days; no rollup when nothing is left. */
export async function replaceRollup(db: Db, learnerId: string, itemId: string, rollup: Rollup | undefined, days: RollupDay[]): Promise<void> {
  const x = lrs(db);
  await x.deleteFrom('evidence_rollup').where('learner_id', '=', learnerId).where('item_id', '=', itemId).execute();
  await x.deleteFrom('evidence_rollup_day').where('learner_id', '=', learnerId).where('item_id', '=', itemId).execute();
  if (rollup) {
    await x
      .insertInto('evidence_rollup')
      .values({
        learner_id: learnerId,
        item_id: itemId,
        attempts: rollup.attempts,
        correct: rollup.correct,
        score_sum: rollup.scoreSum,
        scored: rollup.scored,
        first_at: rollup.firstAt,
        last_at: rollup.lastAt,
      })
      .execute();
  }
  if (days.length) {
    await x
      .insertInto('evidence_rollup_day')
      .values(days.map((d) => ({ learner_id: learnerId, item_id: itemId, day: d.day, attempts: d.attempts, correct: d.correct, score_sum: d.scoreSum, scored: d.scored })))
      .execute();
  }
}
