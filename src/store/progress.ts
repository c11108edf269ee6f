import { sql } from 'kysely';
import type { Db } from './db.js';
import { bumpCaseGeneration } from './case-generation.js';
import { dayString, pdb } from './progress-tables.js';

/** One learner on one item at the end of a day (see migration 0004). */
export interface MasteryRow {
  learnerId: string;
  itemId: string;
  day: string;
  p: number;
  attempts: number;
  correct: number;
  dayAttempts: number;
  dayCorrect: number;
  recent: Array<[number, number]>;
  lastAt: Date;
}

const toMastery = (r: any): MasteryRow => ({
  learnerId: r.learner_id,
  itemId: r.item_id,
  day: dayString(r.day),
  p: r.p,
  attempts: r.attempts,
  correct: r.correct,
  dayAttempts: r.day_attempts,
  dayCorrect: r.day_correct,
  recent: typeof r.recent === 'string' ? JSON.parse(r.recent) : r.recent,
  lastAt: new Date(r.last_at),
});

const masteryColumns = ['learner_id', 'item_id', sql<string>`day::text`.as('day'), 'p', 'attempts', 'correct', 'day_attempts', 'day_correct', 'recent', 'last_at'] as const;

type Pair = { learnerId: string; itemId: string };
const inPairs = (pairs: Pair[]) => sql<boolean>`(learner_id, item_id) in (${sql.join(pairs.map((p) => sql`(${p.learnerId}, ${p.itemId})`))})`;
/** Slices that keep each statement under PostgreSQL's 65,535 parameters. */
const chunks = <T>(xs: T[], size: number): T[][] => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));

/** The latest day row of each of these (learner, item) pairs that has one, keyed `learnerId\0itemId`, in one query. */
export async function latestMasteryOf(db: Db, pairs: Pair[]): Promise<Map<string, MasteryRow>> {
  const out = new Map<string, MasteryRow>();
  for (const chunk of chunks(pairs, 10_000)) {
    const rows = await pdb(db)
      .selectFrom('mastery_day')
      .distinctOn(['learner_id', 'item_id'])
      .select(masteryColumns)
      .where(inPairs(chunk))
      .orderBy('learner_id')
      .orderBy('item_id')
      .orderBy('day', 'desc')
      .execute();
    for (const r of rows) out.set(`${r.learner_id}\u0000${r.item_id}`, toMastery(r));
  }
  return out;
}

/** Writes day rows (each (learner, item, day) at most once), in one statement per 5,000. */
export async function upsertMasteryDays(db: Db, rows: MasteryRow[]): Promise<void> {
  for (const chunk of chunks(rows, 5000)) {
    await pdb(db)
      .insertInto('mastery_day')
      .values(
        chunk.map((m) => ({
          learner_id: m.learnerId,
          item_id: m.itemId,
          day: m.day,
          p: m.p,
          attempts: m.attempts,
          correct: m.correct,
          day_attempts: m.dayAttempts,
          day_correct: m.dayCorrect,
          recent: JSON.stringify(m.recent),
          last_at: m.lastAt,
        })),
      )
      .onConflict((c) =>
        c.columns(['learner_id', 'item_id', 'day']).doUpdateSet((eb) => ({
          p: eb.ref('excluded.p'),
          attempts: eb.ref('excluded.attempts'),
          correct: eb.ref('excluded.correct'),
          day_attempts: eb.ref('excluded.day_attempts'),
          day_correct: eb.ref('excluded.day_correct'),
          recent: eb.ref('excluded.recent'),
          last_at: eb.ref('excluded.last_at'),
        })),
      )
      .execute();
  }
}

/** Replaces every day row of these (learner, item) pairs. */
export async function replaceMasteryOf(db: Db, pairs: Pair[], rows: MasteryRow[]): Promise<void> {
  for (const chunk of chunks(pairs, 10_000)) await pdb(db).deleteFrom('mastery_day').where(inPairs(chunk)).execute();
  await upsertMasteryDays(db, rows);
}

/** The daily rows of one learner on these items, by item then day (what competency assertions' `since` reads). */
export async function masteryDaysOf(db: Db, learnerId: string, itemIds: string[]): Promise<MasteryRow[]> {
  if (!itemIds.length) return [];
  const rows = await pdb(db).selectFrom('mastery_day').select(masteryColumns).where('learner_id', '=', learnerId).where('item_id', 'in', itemIds).orderBy('item_id').orderBy('day').execute();
  return rows.map(toMastery);
}

/**
 * The latest row on or before `asOf` (YYYY-MM-DD; undefined: the latest) of each (learner, item) of these
 * learners and items: one index descent per pair (mastery_day's primary key), so the cost follows learners × items,
 * not the length of their histories.
 */
export async function masteryAsOf(db: Db, learnerIds: string[], asOf: string | undefined, itemIds: string[]): Promise<MasteryRow[]> {
  if (!learnerIds.length || !itemIds.length) return [];
  const until = asOf ?? '9999-12-31';
  const { rows } = await sql<any>`
    select m.learner_id, m.item_id, m.day::text as day, m.p, m.attempts, m.correct, m.day_attempts, m.day_correct, m.recent, m.last_at
    from unnest(${learnerIds}::text[]) as l(id)
    cross join unnest(${itemIds}::text[]) as i(id)
    cross join lateral (
      select * from mastery_day d
      where d.learner_id = l.id and d.item_id = i.id and d.day <= ${until}::date
      order by d.day desc limit 1
    ) m`.execute(db);
  return rows.map(toMastery);
}

export async function eraseMastery(db: Db, learnerId: string): Promise<number> {
  const r = await pdb(db).deleteFrom('mastery_day').where('learner_id', '=', learnerId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function learnerMasteryRows(db: Db, learnerId: string): Promise<MasteryRow[]> {
  const rows = await pdb(db).selectFrom('mastery_day').select(masteryColumns).where('learner_id', '=', learnerId).orderBy('item_id').orderBy('day').execute();
  return rows.map(toMastery);
}

// Rules and labels

export async function getRules(db: Db, framework: string): Promise<Array<{ itemId: string; rule: Record<string, unknown> }>> {
  const rows = await pdb(db).selectFrom('proficiency_rule').select(['item_id', 'rule']).where('framework_identifier', '=', framework).orderBy('item_id').execute();
  return rows.map((r) => ({ itemId: r.item_id, rule: (typeof r.rule === 'string' ? JSON.parse(r.rule) : r.rule) as Record<string, unknown> }));
}

/** Call in a transaction: the frameworks' generation token moves on with the rule (cached rules expire). */
export async function setRule(db: Db, framework: string, itemId: string, rule: Record<string, unknown> | null): Promise<void> {
  await bumpCaseGeneration(db);
  const x = pdb(db);
  if (rule === null) {
    await x.deleteFrom('proficiency_rule').where('framework_identifier', '=', framework).where('item_id', '=', itemId).execute();
    return;
  }
  await x
    .insertInto('proficiency_rule')
    .values({ framework_identifier: framework, item_id: itemId, rule: JSON.stringify(rule) })
    .onConflict((c) => c.columns(['framework_identifier', 'item_id']).doUpdateSet({ rule: JSON.stringify(rule) }))
    .execute();
}

export async function getLabelScheme(db: Db, framework: string): Promise<Record<string, unknown> | undefined> {
  const r = await pdb(db).selectFrom('label_scheme').select('scheme').where('framework_identifier', '=', framework).executeTakeFirst();
  return r ? ((typeof r.scheme === 'string' ? JSON.parse(r.scheme) : r.scheme) as Record<string, unknown>) : undefined;
}

/** Call in a transaction, as setRule. */
export async function setLabelScheme(db: Db, framework: string, scheme: Record<string, unknown>): Promise<void> {
  await bumpCaseGeneration(db);
  await pdb(db)
    .insertInto('label_scheme')
    .values({ framework_identifier: framework, scheme: JSON.stringify(scheme) })
    .onConflict((c) => c.column('framework_identifier').doUpdateSet({ scheme: JSON.stringify(scheme) }))
    .execute();
}

/** Associations of these types whose both ends are among the items, from any document. */
export async function associationsAmong(db: Db, itemIds: string[], types: string[]): Promise<Array<{ id: string; type: string; source: string; target: string }>> {
  if (!itemIds.length) return [];
  const rows = await db
    .selectFrom('cf_association')
    .select(['identifier', 'association_type', 'origin_identifier', 'destination_identifier'])
    .where('association_type', 'in', types)
    .where('origin_identifier', 'in', itemIds)
    .where('destination_identifier', 'in', itemIds)
    .orderBy('document_identifier')
    .orderBy('position')
    .execute();
  return rows.map((r) => ({ id: r.identifier, type: r.association_type, source: r.origin_identifier, target: r.destination_identifier }));
}

/** The newest change among the associations touching a document's items (cache key of a framework's graph). */
export async function associationsVersion(db: Db): Promise<string> {
  const r = await db.selectFrom('cf_association').select([sql<string>`max(updated_at)::text`.as('t'), sql<number>`count(*)::int`.as('n')]).executeTakeFirst();
  return `${r?.t ?? ''}/${r?.n ?? 0}`;
}

/** precedes/isRelatedTo with one end among `itemIds` and the other a CFItem of another framework (cross-subject links). */
export async function associationsToOtherFrameworks(db: Db, itemIds: string[], documentId: string, types: string[]) {
  if (!itemIds.length) return [];
  const ends = [['origin_identifier', 'destination_identifier'], ['destination_identifier', 'origin_identifier']] as const;
  const rows = await Promise.all(
    ends.map(([mine, other]) =>
      db
        .selectFrom('cf_association as a')
        .innerJoin('cf_item as i', 'i.identifier', `a.${other}`)
        .innerJoin('cf_document as d', 'd.identifier', 'i.document_identifier')
        .select(['a.identifier', 'a.association_type', 'a.origin_identifier', 'a.destination_identifier', `a.${mine} as item`, 'i.identifier as otherId', 'i.human_coding_scheme', 'i.payload', 'd.identifier as framework', 'd.title'])
        .where('a.association_type', 'in', types)
        .where(`a.${mine}`, 'in', itemIds)
        .where('i.document_identifier', '<>', documentId)
        .orderBy('a.identifier')
        .execute(),
    ),
  );
  return rows.flat().map((r) => ({
    id: r.identifier,
    type: r.association_type,
    source: r.origin_identifier,
    target: r.destination_identifier,
    item: r.item,
    other: { id: r.otherId, code: r.human_coding_scheme, fullStatement: String((r.payload as Record<string, unknown>)['fullStatement'] ?? ''), framework: { identifier: r.framework, title: r.title } },
  }));
}
