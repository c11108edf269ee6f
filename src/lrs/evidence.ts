import type { Db } from '../store/db.js';
import type { StatementInsert } from '../store/lrs.js';
import * as store from '../store/lrs-evidence.js';
import { caseGeneration } from '../store/case-generation.js';
import type { ItemRef } from '../case/index.js';
import type { ItemCache } from './item-cache.js';
import { VOIDED, isObject, type Json } from './validate.js';

/** Our extension IRI (result or activity definition extension) carrying a CFItem's UUID or CASE URI. */
export const CF_ITEM_EXTENSION_PATH = '/xapi/extensions/cf-item';
export const cfItemExtension = (publicUrl: string) => `${publicUrl}${CF_ITEM_EXTENSION_PATH}`;
/** The Japan xAPI profile's Course of Study Code extension (activity or context extension; an array of codes). */
export const COURSE_OF_STUDY_CODE = 'https://w3id.org/japan-xapi/extensions/course-of-study-code';

/**
 * A change of a learner's evidence on an item, for the domains that keep state from evidence (progress): a new
 * answer (a statement with a score or success), or, without `answer`, a change that needs the (learner, item)'s
 * evidence re-read (voiding).
 */
export interface EvidenceChange {
  learnerId: string;
  itemId: string;
  answer?: { timestamp: Date; score: number; correct: boolean };
}
/**
 * Called inside the statements' transaction after their evidence is written, with the frameworks' generation token
 * read in that transaction (what is derived from frameworks may be cached under it).
 */
export type EvidenceHook = (trx: Db, changes: EvidenceChange[], caseGeneration: string) => Promise<void>;

export type LinkVia = 'result_extension' | 'context_activity' | 'activity_extension' | 'course_of_study_code';

/** A CFItem reference found in a statement, before it is resolved. */
export interface LinkReference {
  reference: string;
  via: LinkVia;
}

const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const ext = (holder: unknown, key: string): unknown => (isObject(holder) && isObject(holder['extensions']) ? holder['extensions'][key] : undefined);

/** The four ways a statement names CFItems (docs/lrs.md): our extension in result or activity, context activities, Course of Study Codes. */
export function linkReferences(s: Json, publicUrl: string): LinkReference[] {
  const key = cfItemExtension(publicUrl);
  const object = s['object'] as Json;
  const definition = object['definition'];
  const out: LinkReference[] = [];
  for (const r of strings(ext(s['result'], key))) out.push({ reference: r, via: 'result_extension' });
  const ca = isObject(s['context']) ? s['context']['contextActivities'] : undefined;
  if (isObject(ca)) {
    for (const k of ['category', 'other', 'grouping', 'parent']) {
      for (const a of Array.isArray(ca[k]) ? ca[k] : []) if (isObject(a) && typeof a['id'] === 'string') out.push({ reference: a['id'], via: 'context_activity' });
    }
  }
  for (const r of strings(ext(definition, key))) out.push({ reference: r, via: 'activity_extension' });
  for (const c of [...strings(ext(definition, COURSE_OF_STUDY_CODE)), ...strings(ext(s['context'], COURSE_OF_STUDY_CODE))]) out.push({ reference: c, via: 'course_of_study_code' });
  return out;
}

/**
 * Score in [0, 1] and success of an attempt: result.score.scaled, else (raw - min) / (max - min) (the Japan
 * profile's rule, min defaulting to 0), else success as 1 or 0. Success: result.success, else a full score.
 */
export function scoreOf(result: unknown): { score: number | null; success: boolean | null } {
  if (!isObject(result)) return { score: null, success: null };
  const sc = isObject(result['score']) ? result['score'] : {};
  const success = typeof result['success'] === 'boolean' ? result['success'] : null;
  let score: number | null = null;
  if (typeof sc['scaled'] === 'number') score = sc['scaled'];
  else if (typeof sc['raw'] === 'number' && typeof sc['max'] === 'number') {
    const min = typeof sc['min'] === 'number' ? sc['min'] : 0;
    if (sc['max'] > min) score = (sc['raw'] - min) / (sc['max'] - min);
  } else if (success !== null) score = success ? 1 : 0;
  if (score !== null) score = Math.min(1, Math.max(0, score));
  return { score, success: success ?? (score === null ? null : score >= 1) };
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function dayIn(at: Date, timeZone: string): string {
  // A formatter costs far more to build than to use: one per time zone.
  let f = dayFormats.get(timeZone);
  if (!f) dayFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(at);
}

const totals = (e: { score: number | null; success: boolean | null }): store.RollupTotals => ({
  attempts: 1,
  correct: e.success ? 1 : 0,
  scoreSum: e.score ?? 0,
  scored: e.score === null ? 0 : 1,
});

type Pair = { learnerId: string; itemId: string };
const pairKey = (a: Pair) => `${a.learnerId}\u0000${a.itemId}`;

/** Rebuilds the rollups of these (learner, item) pairs from their evidence rows (after voiding, or late statements). */
export async function recomputeRollups(db: Db, pairs: Pair[], timeZone: string): Promise<void> {
  if (!pairs.length) return;
  const rows = (await store.listEvidenceOfPairs(db, pairs)).filter((e) => e.score !== null || e.success !== null);
  const rollups = new Map<string, store.Rollup>();
  const days = new Map<string, store.RollupDay>();
  for (const e of rows) {
    const t = totals(e);
    const k = pairKey(e);
    const day = dayIn(e.timestamp, timeZone);
    const d = days.get(`${k}\u0000${day}`) ?? { learnerId: e.learnerId, itemId: e.itemId, day, attempts: 0, correct: 0, scoreSum: 0, scored: 0 };
    days.set(`${k}\u0000${day}`, { ...d, attempts: d.attempts + 1, correct: d.correct + t.correct, scoreSum: d.scoreSum + t.scoreSum, scored: d.scored + t.scored });
    const r = rollups.get(k);
    rollups.set(
      k,
      r
        ? { ...r, attempts: r.attempts + 1, correct: r.correct + t.correct, scoreSum: r.scoreSum + t.scoreSum, scored: r.scored + t.scored, lastAt: e.timestamp }
        : { learnerId: e.learnerId, itemId: e.itemId, ...t, firstAt: e.timestamp, lastAt: e.timestamp },
    );
  }
  await store.replaceRollups(db, sortedPairs(pairs), byKey(rollups), byKey(days));
}

/** Key order: concurrent batches then lock shared rows in the same order. */
const byKey = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
const sortedPairs = (pairs: Pair[]) => byKey(new Map(pairs.map((p) => [pairKey(p), p])));

type Attempt = { learnerId: string; itemId: string; timestamp: Date; score: number | null; success: boolean | null };

/**
 * The evidence of new statements, for their transaction to write with them (store.insertStatements): one row per
 * (statement, CFItem) for statements whose actor is a learner; references that resolve to no item are flagged,
 * never rejected; and the attempts (rows with a score or success) for recordAttempts. An item named also gives
 * evidence to its exact matches (exactMatchOf either way: a derivative's item and its source, via exact_match),
 * so that both keep the same evidence (docs/derivatives.md). Items are looked up in `items` under
 * `caseGeneration`, the frameworks' token read in this transaction.
 */
export async function linkEvidence(db: Db, rows: StatementInsert[], o: { publicUrl: string; items: ItemCache; caseGeneration: string }): Promise<store.EvidenceLinks & { attempts: Attempt[] }> {
  const attempts: Attempt[] = [];
  const evidence: store.EvidenceLinks['evidence'] = [];
  const unresolvedAll: store.EvidenceLinks['unresolved'] = [];
  const linked = rows.filter((r) => r.verbIri !== VOIDED).map((row) => ({ row, refs: linkReferences(row.payload, o.publicUrl) }));
  const codes = linked.flatMap((l) => l.refs.filter((r) => r.via === 'course_of_study_code').map((r) => r.reference));
  const byCode = await o.items.itemsOfCodes(db, codes, o.caseGeneration, o.publicUrl);
  const named: Array<{ row: StatementInsert; items: Map<string, LinkVia | 'exact_match'> }> = [];
  for (const { row, refs } of linked) {
    if (!refs.length) continue;
    const items = new Map<string, LinkVia | 'exact_match'>();
    for (const r of refs) {
      let found: ItemRef[];
      if (r.via === 'course_of_study_code') {
        found = byCode.get(r.reference) ?? [];
      } else {
        const one = await o.items.itemOfReference(db, r.reference, o.caseGeneration, o.publicUrl);
        found = one ? [one] : [];
      }
      // Any context activity may be a CFItem; only the ones that look like one but do not resolve are flagged.
      if (!found.length && (r.via !== 'context_activity' || r.reference.includes('/uri/'))) unresolvedAll.push({ statementId: row.id, reference: r.reference, via: r.via });
      for (const item of found) if (!items.has(item.identifier)) items.set(item.identifier, r.via);
    }
    if (row.learnerId && items.size) named.push({ row, items });
  }
  const matches = await o.items.exactMatchesOf(db, [...new Set(named.flatMap((n) => [...n.items.keys()]))], o.caseGeneration, o.publicUrl);
  for (const { row, items } of named) {
    for (const id of [...items.keys()]) for (const other of matches.get(id) ?? []) if (!items.has(other)) items.set(other, 'exact_match');
    const { score, success } = scoreOf(row.payload['result']);
    for (const [itemId, via] of items) evidence.push({ statementId: row.id, itemId, learnerId: row.learnerId!, timestamp: row.timestamp, score, success, via });
    if (score === null && success === null) continue;
    for (const itemId of items.keys()) attempts.push({ learnerId: row.learnerId!, itemId, timestamp: row.timestamp, score, success });
  }
  return { evidence, unresolved: unresolvedAll, attempts };
}

type ExactMatchLink = { from: string; to: string };
type BackfillOptions = { timeZone: string; onEvidence?: EvidenceHook | undefined };

/**
 * Gives each `to` item the evidence its `from` item has and it lacks (copyEvidence): statements stored before a
 * derivative count for it as later ones do. Rebuilds the pairs' rollups and calls the hook (mastery replays from
 * the evidence), in chunks of pairs, each chunk's pairs locked as a statement batch locks them.
 */
async function extendEvidence(db: Db, links: ExactMatchLink[], o: BackfillOptions): Promise<number> {
  const pairs = await store.copyEvidence(db, links);
  const token = await caseGeneration(db);
  for (let i = 0; i < pairs.length; i += 1000) {
    const part = pairs.slice(i, i + 1000);
    await store.lockPairs(db, part);
    await recomputeRollups(db, part, o.timeZone);
    if (o.onEvidence) await o.onEvidence(db, part, token);
  }
  return pairs.length;
}

/**
 * A derivation's evidence backfill (docs/derivatives.md): in its transaction, then once more after its commit,
 * when the statement batches that linked without the derivative (they read the frameworks before it committed)
 * have finished: what they wrote for a source item is copied too. Returns the (learner, item) pairs given evidence.
 */
export function derivationBackfill(o: BackfillOptions) {
  return {
    inTransaction: (trx: Db, links: ExactMatchLink[]) => extendEvidence(trx, links, o),
    afterCommit: async (db: Db, links: ExactMatchLink[]) => {
      await store.waitForLinkingWriters(db);
      return db.transaction().execute((trx) => extendEvidence(trx, links, o));
    },
  };
}

/**
 * Counts the attempts of stored evidence into the rollups, inside the statements' transaction, then calls the
 * hook. Rollups count attempts with a result (score or success); a pair with an attempt older than its rollup's
 * last one is rebuilt from the evidence, the others are added to in one statement.
 */
export async function recordAttempts(db: Db, attempts: Attempt[], o: { timeZone: string; caseGeneration: string; onEvidence?: EvidenceHook | undefined }): Promise<void> {
  // In (learner, item, day) order: concurrent batches then lock shared rows in the same order.
  const key = pairKey;
  attempts.sort((a, b) => (key(a) !== key(b) ? (key(a) < key(b) ? -1 : 1) : a.timestamp.getTime() - b.timestamp.getTime()));
  await store.lockPairs(db, attempts);
  const changes: EvidenceChange[] = [];
  const rollups = new Map<string, store.Rollup>();
  const days = new Map<string, store.RollupDay>();
  for (const a of attempts) {
    changes.push({ learnerId: a.learnerId, itemId: a.itemId, answer: { timestamp: a.timestamp, score: a.score ?? 0, correct: a.success ?? false } });
    const t = totals(a);
    const r = rollups.get(key(a));
    rollups.set(key(a), r ? { ...r, attempts: r.attempts + 1, correct: r.correct + t.correct, scoreSum: r.scoreSum + t.scoreSum, scored: r.scored + t.scored, lastAt: a.timestamp } : { learnerId: a.learnerId, itemId: a.itemId, ...t, firstAt: a.timestamp, lastAt: a.timestamp });
    const day = dayIn(a.timestamp, o.timeZone);
    const dk = `${key(a)}\u0000${day}`;
    const d = days.get(dk) ?? { learnerId: a.learnerId, itemId: a.itemId, day, attempts: 0, correct: 0, scoreSum: 0, scored: 0 };
    days.set(dk, { ...d, attempts: d.attempts + 1, correct: d.correct + t.correct, scoreSum: d.scoreSum + t.scoreSum, scored: d.scored + t.scored });
  }
  const late = await store.addAttempts(db, byKey(rollups), byKey(days));
  await recomputeRollups(db, late, o.timeZone);
  if (o.onEvidence && changes.length) await o.onEvidence(db, changes, o.caseGeneration);
}

/** Takes voided statements out of the evidence and rebuilds the rollups they were in. */
export async function voidEvidence(db: Db, statementIds: string[], o: { timeZone: string; caseGeneration: string; onEvidence?: EvidenceHook | undefined }): Promise<void> {
  const pairs = sortedPairs(await store.voidEvidence(db, statementIds));
  await store.lockPairs(db, pairs);
  await recomputeRollups(db, pairs, o.timeZone);
  const changes: EvidenceChange[] = pairs.map((p) => ({ learnerId: p.learnerId, itemId: p.itemId }));
  if (o.onEvidence && changes.length) await o.onEvidence(db, changes, o.caseGeneration);
}

/** The evidence API: a learner's evidence rows, rollups and per-day series, optionally for one item. */
export async function learnerEvidence(db: Db, learnerId: string, itemId?: string) {
  const [evidence, rollups, days] = await Promise.all([store.listEvidence(db, learnerId, itemId), store.listRollups(db, learnerId, itemId), store.listRollupDays(db, learnerId, itemId)]);
  return {
    evidence: evidence.map((e) => ({ ...e, timestamp: e.timestamp.toISOString() })),
    rollups: rollups.map((r) => ({
      ...r,
      firstAt: r.firstAt.toISOString(),
      lastAt: r.lastAt.toISOString(),
      days: days.filter((d) => d.itemId === r.itemId).map(({ day, attempts, correct, scoreSum, scored }) => ({ day, attempts, correct, scoreSum, scored })),
    })),
  };
}
