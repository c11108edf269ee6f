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

/** The evidence rows and unresolved references of new statements, written with them (lrs.ts: insertStatements). */
export interface EvidenceLinks {
  evidence: Array<Omit<EvidenceRow, 'voided'>>;
  unresolved: Array<{ statementId: string; reference: string; via: string }>;
}

type Pair = { learnerId: string; itemId: string };
// Rows go as column arrays through unnest: one parameter per column, whatever the number of rows.
const inPairs = (pairs: Pair[]) => sql<boolean>`(learner_id, item_id) in (select * from unnest(${pairs.map((p) => p.learnerId)}::text[], ${pairs.map((p) => p.itemId)}::text[]))`;

/**
 * Serialises writers of the same (learner, item) pairs until commit (transaction-scoped advisory locks, taken in
 * one order): a rollup rebuilt from the evidence then sees every attempt committed before it, and no concurrent
 * attempt is lost between its read and its write.
 */
export async function lockPairs(db: Db, pairs: Pair[]): Promise<void> {
  if (!pairs.length) return;
  await sql`
    select pg_advisory_xact_lock(k) from (
      select distinct hashtextextended(l || chr(1) || i, 0) k from unnest(${pairs.map((p) => p.learnerId)}::text[], ${pairs.map((p) => p.itemId)}::text[]) as t(l, i)
    ) x order by k`.execute(db);
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

/**
 * Adds attempts to rollups and their days in one statement; each (learner, item) and (learner, item, day) at most
 * once, in key order.
 */
export async function addToRollups(db: Db, rollups: Rollup[], days: RollupDay[]): Promise<void> {
  if (!rollups.length && !days.length) return;
  const r = <T>(f: (x: Rollup) => T) => rollups.map(f);
  const d = <T>(f: (x: RollupDay) => T) => days.map(f);
  await sql`
    with d as (
      insert into evidence_rollup_day as o (learner_id, item_id, day, attempts, correct, score_sum, scored)
      select * from unnest(${d((x) => x.learnerId)}::text[], ${d((x) => x.itemId)}::text[], ${d((x) => x.day)}::date[], ${d((x) => x.attempts)}::int[],
        ${d((x) => x.correct)}::int[], ${d((x) => x.scoreSum)}::float8[], ${d((x) => x.scored)}::int[])
      on conflict (learner_id, item_id, day) do update set attempts = o.attempts + excluded.attempts, correct = o.correct + excluded.correct,
        score_sum = o.score_sum + excluded.score_sum, scored = o.scored + excluded.scored
    )
    insert into evidence_rollup as o (learner_id, item_id, attempts, correct, score_sum, scored, first_at, last_at)
    select * from unnest(${r((x) => x.learnerId)}::text[], ${r((x) => x.itemId)}::text[], ${r((x) => x.attempts)}::int[], ${r((x) => x.correct)}::int[],
      ${r((x) => x.scoreSum)}::float8[], ${r((x) => x.scored)}::int[], ${r((x) => x.firstAt.toISOString())}::timestamptz[], ${r((x) => x.lastAt.toISOString())}::timestamptz[])
    on conflict (learner_id, item_id) do update set attempts = o.attempts + excluded.attempts, correct = o.correct + excluded.correct,
      score_sum = o.score_sum + excluded.score_sum, scored = o.scored + excluded.scored,
      first_at = least(o.first_at, excluded.first_at), last_at = greatest(o.last_at, excluded.last_at)`.execute(db);
}

/**
 * Adds a batch's attempts (one rollup per pair, in key order, with its days) to rollups not newer than them, in one
 * statement: a pair whose rollup has a later attempt than the batch's first is left as it is (days too), and
 * returned, for its rollup to be rebuilt from the evidence. Call with the pairs locked (lockPairs).
 */
export async function addAttempts(db: Db, rollups: Rollup[], days: RollupDay[]): Promise<Pair[]> {
  if (!rollups.length) return [];
  const r = <T>(f: (x: Rollup) => T) => rollups.map(f);
  const d = <T>(f: (x: RollupDay) => T) => days.map(f);
  const { rows } = await sql<{ learner_id: string; item_id: string }>`
    with r as (
      insert into evidence_rollup as o (learner_id, item_id, attempts, correct, score_sum, scored, first_at, last_at)
      select * from unnest(${r((x) => x.learnerId)}::text[], ${r((x) => x.itemId)}::text[], ${r((x) => x.attempts)}::int[], ${r((x) => x.correct)}::int[],
        ${r((x) => x.scoreSum)}::float8[], ${r((x) => x.scored)}::int[], ${r((x) => x.firstAt.toISOString())}::timestamptz[], ${r((x) => x.lastAt.toISOString())}::timestamptz[])
      on conflict (learner_id, item_id) do update set attempts = o.attempts + excluded.attempts, correct = o.correct + excluded.correct,
        score_sum = o.score_sum + excluded.score_sum, scored = o.scored + excluded.scored,
        first_at = least(o.first_at, excluded.first_at), last_at = greatest(o.last_at, excluded.last_at)
        where o.last_at <= excluded.first_at
      returning learner_id, item_id
    ),
    d as (
      insert into evidence_rollup_day as o (learner_id, item_id, day, attempts, correct, score_sum, scored)
      select t.* from unnest(${d((x) => x.learnerId)}::text[], ${d((x) => x.itemId)}::text[], ${d((x) => x.day)}::date[], ${d((x) => x.attempts)}::int[],
        ${d((x) => x.correct)}::int[], ${d((x) => x.scoreSum)}::float8[], ${d((x) => x.scored)}::int[]) as t(learner_id, item_id, day, attempts, correct, score_sum, scored)
      join r using (learner_id, item_id)
      order by 1, 2, 3
      on conflict (learner_id, item_id, day) do update set attempts = o.attempts + excluded.attempts, correct = o.correct + excluded.correct,
        score_sum = o.score_sum + excluded.score_sum, scored = o.scored + excluded.scored
    )
    select learner_id, item_id from r`.execute(db);
  const added = new Set(rows.map((x) => `${x.learner_id}\u0000${x.item_id}`));
  return rollups.filter((x) => !added.has(`${x.learnerId}\u0000${x.itemId}`)).map(({ learnerId, itemId }) => ({ learnerId, itemId }));
}

/** The unvoided evidence rows of these (learner, item) pairs, in time order. */
export async function listEvidenceOfPairs(db: Db, pairs: Pair[]): Promise<EvidenceRow[]> {
  if (!pairs.length) return [];
  const rows = await lrs(db).selectFrom('evidence').selectAll().where(inPairs(pairs)).where('voided', '=', false).orderBy('timestamp').orderBy('statement_id').execute();
  return rows.map(toEvidence);
}

/** Replaces the rollups and days of these (learner, item) pairs: nothing is left for a pair absent from `rollups`. */
export async function replaceRollups(db: Db, pairs: Pair[], rollups: Rollup[], days: RollupDay[]): Promise<void> {
  if (!pairs.length) return;
  await lrs(db).deleteFrom('evidence_rollup').where(inPairs(pairs)).execute();
  await lrs(db).deleteFrom('evidence_rollup_day').where(inPairs(pairs)).execute();
  await addToRollups(db, rollups, days);
}

/**
 * Gives each `to` item the evidence rows of its `from` item (same statements, scores and voided flags, via
 * exact_match), skipping rows it has; returns the (learner, item) pairs that got rows, for their rollups.
 */
export async function copyEvidence(db: Db, links: Array<{ from: string; to: string }>): Promise<Pair[]> {
  if (!links.length) return [];
  const { rows } = await sql<{ learner_id: string; item_id: string }>`
    with added as (
      insert into evidence (statement_id, item_id, learner_id, timestamp, score, success, voided, via)
      select e.statement_id, l.to_item, e.learner_id, e.timestamp, e.score, e.success, e.voided, 'exact_match'
      from unnest(${links.map((l) => l.from)}::text[], ${links.map((l) => l.to)}::text[]) as l(from_item, to_item)
      join evidence e on e.item_id = l.from_item
      on conflict (statement_id, item_id) do nothing
      returning learner_id, item_id
    )
    select distinct learner_id, item_id from added order by 1, 2`.execute(db);
  return rows.map((r) => ({ learnerId: r.learner_id, itemId: r.item_id }));
}

// One advisory lock key: statement batches hold it shared while they link and write evidence.
const linkingKey = sql`hashtextextended('shirube evidence linking', 0)`;

/** Held shared by a statement batch's transaction, first thing: a derivation can wait for the batches in flight. */
export async function holdLinking(db: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(${linkingKey})`.execute(db);
}

/**
 * Waits until every statement batch in flight has committed or rolled back (batches starting meanwhile wait that
 * long too, then read the frameworks as they are now).
 */
export async function waitForLinkingWriters(db: Db): Promise<void> {
  await db.transaction().execute((trx) => sql`select pg_advisory_xact_lock(${linkingKey})`.execute(trx));
}
