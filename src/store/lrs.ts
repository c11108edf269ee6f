import { randomUUID } from 'node:crypto';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { CaseGenerationTables } from './case-generation.js';
import type { Db } from './db.js';
import type { EvidenceLinks } from './lrs-evidence.js';
import { lrs } from './lrs-tables.js';

type Json = Record<string, unknown>;

export interface StatementInsert {
  id: string;
  payload: Json;
  stored: Date;
  timestamp: Date;
  version: string;
  verbIri: string;
  objectActivityId: string | null;
  objectStatementId: string | null;
  learnerId: string | null;
  registration: string | null;
  clientId: string | null;
  attachmentSha2: string[];
  actors: Array<{ ifi: string; usage: string }>;
  activities: Array<{ activityId: string; usage: string }>;
}

export interface StatementRow {
  id: string;
  seq: number;
  payload: Json;
  stored: Date;
  voided: boolean;
  verbIri: string;
  objectStatementId: string | null;
  learnerId: string | null;
  clientId: string | null;
  attachmentSha2: string[];
}

const toRow = (r: {
  id: string;
  seq: number;
  payload: Json;
  stored: Date;
  voided: boolean;
  verb_iri: string;
  object_statement_id: string | null;
  learner_id: string | null;
  client_id: string | null;
  attachment_sha2: string[];
}): StatementRow => ({
  id: r.id,
  seq: Number(r.seq),
  payload: r.payload,
  stored: r.stored,
  voided: r.voided,
  verbIri: r.verb_iri,
  objectStatementId: r.object_statement_id,
  learnerId: r.learner_id,
  clientId: r.client_id,
  attachmentSha2: r.attachment_sha2,
});
const rowColumns = ['id', 'seq', 'payload', 'stored', 'voided', 'verb_iri', 'object_statement_id', 'learner_id', 'client_id', 'attachment_sha2'] as const;

/** A deadlock, serialization failure or lost insert race (same statement id): run the transaction again. */
export const isTransientConflict = (e: unknown) => ['40P01', '40001', '23505'].includes(String((e as { code?: unknown })?.code ?? ''));

/**
 * Inserts statements with their actor and activity links, evidence and unresolved references in one SQL statement: columns go as arrays through
 * unnest, so the statement is parsed and planned the same whatever the batch size, and costs one round trip.
 */
export async function insertStatements(db: Db, rows: StatementInsert[], links: EvidenceLinks): Promise<void> {
  if (!rows.length) return;
  const e = <T>(f: (r: EvidenceLinks['evidence'][number]) => T) => links.evidence.map(f);
  const u = links.unresolved;
  const actors = rows.flatMap((r) => r.actors.map((a) => [r.id, a.ifi, a.usage] as const));
  const activities = rows.flatMap((r) => r.activities.map((a) => [r.id, a.activityId, a.usage] as const));
  const col = <T>(f: (r: StatementInsert) => T) => rows.map(f);
  await sql`
    with s as (
      insert into xapi_statement (id, payload, stored, timestamp, version, verb_iri, object_activity_id, object_statement_id, learner_id, registration, client_id, attachment_sha2)
      select id, payload, stored, timestamp, version, verb_iri, object_activity_id, object_statement_id, learner_id, registration, client_id,
        coalesce(array(select jsonb_array_elements_text(sha2)), '{}')
      from unnest(${col((r) => r.id)}::uuid[], ${col((r) => JSON.stringify(r.payload))}::jsonb[], ${col((r) => r.stored.toISOString())}::timestamptz[],
        ${col((r) => r.timestamp.toISOString())}::timestamptz[], ${col((r) => r.version)}::text[], ${col((r) => r.verbIri)}::text[],
        ${col((r) => r.objectActivityId)}::text[], ${col((r) => r.objectStatementId)}::uuid[], ${col((r) => r.learnerId)}::text[],
        ${col((r) => r.registration)}::uuid[], ${col((r) => r.clientId)}::text[], ${col((r) => JSON.stringify(r.attachmentSha2))}::jsonb[])
        as t(id, payload, stored, timestamp, version, verb_iri, object_activity_id, object_statement_id, learner_id, registration, client_id, sha2)
      returning id
    ),
    a as (
      insert into statement_to_actor (statement_id, ifi, usage)
      select * from unnest(${actors.map((x) => x[0])}::uuid[], ${actors.map((x) => x[1])}::text[], ${actors.map((x) => x[2])}::text[])
      on conflict do nothing
    ),
    v as (
      insert into statement_to_activity (statement_id, activity_id, usage)
      select * from unnest(${activities.map((x) => x[0])}::uuid[], ${activities.map((x) => x[1])}::text[], ${activities.map((x) => x[2])}::text[])
      on conflict do nothing
    ),
    e as (
      insert into evidence (statement_id, item_id, learner_id, timestamp, score, success, via)
      select * from unnest(${e((r) => r.statementId)}::uuid[], ${e((r) => r.itemId)}::text[], ${e((r) => r.learnerId)}::text[],
        ${e((r) => r.timestamp.toISOString())}::timestamptz[], ${e((r) => r.score)}::float8[], ${e((r) => r.success)}::bool[], ${e((r) => r.via)}::text[])
      on conflict (statement_id, item_id) do nothing
    ),
    u as (
      insert into evidence_unresolved (statement_id, reference, via)
      select * from unnest(${u.map((r) => r.statementId)}::uuid[], ${u.map((r) => r.reference.slice(0, 2000))}::text[], ${u.map((r) => r.via)}::text[])
      on conflict do nothing
    )
    select count(*) from s`.execute(db);
}

export async function getStatements(db: Db, ids: string[]): Promise<StatementRow[]> {
  if (!ids.length) return [];
  const rows = await lrs(db).selectFrom('xapi_statement').select(rowColumns).where('id', 'in', ids).execute();
  return rows.map(toRow);
}

/** What a batch of statements needs read before it is written (see readBeforeWrite). */
export interface BeforeWrite {
  /** The stored statements among the ids asked for (the batch's own, and its voiding targets). */
  statements: StatementRow[];
  /** The learner of each IFI that has one. */
  learners: Map<string, string>;
  /** The stored definition of each known Activity. */
  activities: Map<string, Json | null>;
  /** The frameworks' generation token (migration 0011), under which CFItem look-ups may be cached. */
  caseGeneration: string;
}

/**
 * The reads a batch of statements needs before its writes, as one SQL statement (one round trip, one snapshot):
 * statements by id, learners by IFI, Activities by id, and the frameworks' generation token.
 */
export async function readBeforeWrite(db: Db, q: { statementIds: string[]; ifis: string[]; activityIds: string[] }): Promise<BeforeWrite> {
  const x = lrs(db).withTables<CaseGenerationTables>();
  const r = await x
    .selectNoFrom((eb) => [
      jsonArrayFrom(eb.selectFrom('xapi_statement').select(rowColumns).where('id', '=', eb.fn.any(sql<string[]>`${q.statementIds}::uuid[]`))).as('statements'),
      jsonArrayFrom(eb.selectFrom('xapi_actor').select(['ifi', 'learner_id']).where('ifi', '=', eb.fn.any(sql<string[]>`${q.ifis}::text[]`))).as('actors'),
      jsonArrayFrom(eb.selectFrom('xapi_activity').select(['id', 'definition']).where('id', '=', eb.fn.any(sql<string[]>`${q.activityIds}::text[]`))).as('activities'),
      eb.selectFrom('case_generation').select('token').as('caseGeneration'),
    ])
    .executeTakeFirstOrThrow();
  return {
    // Inside JSON, timestamps arrive as text.
    statements: r.statements.map((s) => toRow({ ...s, stored: new Date(s.stored) })),
    learners: new Map(r.actors.map((a) => [a.ifi, a.learner_id])),
    activities: new Map(r.activities.map((a) => [a.id, a.definition])),
    // Without the row (never after migration 0011), a token of its own: nothing is served from a cache.
    caseGeneration: r.caseGeneration ?? randomUUID(),
  };
}

/** Marks statements voided; returns those that were not voided before. */
export async function voidStatements(db: Db, ids: string[]): Promise<StatementRow[]> {
  if (!ids.length) return [];
  const rows = await lrs(db).updateTable('xapi_statement').set({ voided: true }).where('id', 'in', ids).where('voided', '=', false).returning(rowColumns).execute();
  return rows.map(toRow);
}

export interface StatementFilter {
  agentIfi?: string | undefined;
  relatedAgents?: boolean | undefined;
  verb?: string | undefined;
  activity?: string | undefined;
  relatedActivities?: boolean | undefined;
  registration?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  /** Only the statements this client wrote (xapi:statements/read/mine). */
  clientId?: string | undefined;
  ascending?: boolean | undefined;
  /** Paging cursor: continue after this seq in the chosen order. */
  afterSeq?: number | undefined;
  /** Paging snapshot: nothing stored after the first page. */
  untilSeq?: number | undefined;
  limit: number;
}

/**
 * The filter conditions that also select statements targeting a matching statement (Communication §2.1.3:
 * "Filter Conditions for StatementRefs"), for a statement table alias `t`.
 */
function matches(eb: ExpressionBuilder<any, any>, t: string, f: StatementFilter): Expression<SqlBool>[] {
  const c: Expression<SqlBool>[] = [];
  const col = (name: string) => eb.ref(`${t}.${name}`);
  if (f.verb !== undefined) c.push(eb(col('verb_iri'), '=', f.verb));
  if (f.registration !== undefined) c.push(eb(col('registration'), '=', f.registration));
  if (f.agentIfi !== undefined) {
    let q = eb.selectFrom('statement_to_actor as sa').select(sql`1`.as('one')).whereRef('sa.statement_id', '=', col('id')).where('sa.ifi', '=', f.agentIfi);
    if (!f.relatedAgents) q = q.where('sa.usage', 'in', ['actor', 'object']);
    c.push(eb.exists(q));
  }
  if (f.activity !== undefined) {
    if (f.relatedActivities) {
      c.push(eb.exists(eb.selectFrom('statement_to_activity as st').select(sql`1`.as('one')).whereRef('st.statement_id', '=', col('id')).where('st.activity_id', '=', f.activity)));
    } else {
      c.push(eb(col('object_activity_id'), '=', f.activity));
    }
  }
  return c;
}

export async function queryStatements(db: Db, f: StatementFilter): Promise<StatementRow[]> {
  let q = lrs(db)
    .selectFrom('xapi_statement as s')
    .select(rowColumns.map((c) => `s.${c}` as const))
    .where('s.voided', '=', false);
  const hasContentFilter = f.verb !== undefined || f.registration !== undefined || f.agentIfi !== undefined || f.activity !== undefined;
  if (hasContentFilter) {
    // The matching ids and the ids of statements targeting them, as one set: an OR of the two made PostgreSQL
    // scan the whole table in seq order, whereas the set costs what the filter selects.
    q = q.where('s.id', 'in', (eb) => {
      const matching = () => eb.selectFrom('xapi_statement as t').select('t.id').where((e2) => e2.and(matches(e2, 't', f)));
      // (`is not null`: the index of StatementRefs holds only those.)
      return matching().unionAll(eb.selectFrom('xapi_statement as r').select('r.id').where('r.object_statement_id', 'is not', null).where('r.object_statement_id', 'in', matching()));
    });
  }
  if (f.since) q = q.where('s.stored', '>', f.since);
  if (f.until) q = q.where('s.stored', '<=', f.until);
  if (f.clientId !== undefined) q = q.where('s.client_id', '=', f.clientId);
  if (f.afterSeq !== undefined) q = q.where('s.seq', f.ascending ? '>' : '<', f.afterSeq);
  if (f.untilSeq !== undefined) q = q.where('s.seq', '<=', f.untilSeq);
  const rows = await q.orderBy('s.seq', f.ascending ? 'asc' : 'desc').limit(f.limit).execute();
  return rows.map(toRow);
}

export async function latestSeq(db: Db): Promise<number> {
  const r = await lrs(db).selectFrom('xapi_statement').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
  return Number(r?.m ?? 0);
}

// ---- Activities

export async function getActivity(db: Db, id: string): Promise<{ id: string; definition: Json | null } | undefined> {
  return lrs(db).selectFrom('xapi_activity').select(['id', 'definition']).where('id', '=', id).executeTakeFirst();
}

export async function upsertActivities(db: Db, rows: Array<{ id: string; definition: Json | null }>): Promise<void> {
  if (!rows.length) return;
  await lrs(db)
    .insertInto('xapi_activity')
    .values(rows.map((r) => ({ id: r.id, definition: r.definition && JSON.stringify(r.definition) })))
    .onConflict((c) => c.column('id').doUpdateSet((eb) => ({ definition: eb.ref('excluded.definition'), updated_at: new Date() })))
    .execute();
}

// ---- Attachments

export async function insertAttachments(db: Db, rows: Array<{ sha2: string; contentType: string; content: Buffer }>): Promise<void> {
  if (!rows.length) return;
  await lrs(db)
    .insertInto('xapi_attachment')
    .values(rows.map((r) => ({ sha2: r.sha2, content_type: r.contentType, content: r.content })))
    .onConflict((c) => c.column('sha2').doNothing())
    .execute();
}

export async function getAttachments(db: Db, sha2: string[]): Promise<Array<{ sha2: string; contentType: string; content: Buffer }>> {
  if (!sha2.length) return [];
  const rows = await lrs(db).selectFrom('xapi_attachment').select(['sha2', 'content_type', 'content']).where('sha2', 'in', sha2).execute();
  return rows.map((r) => ({ sha2: r.sha2, contentType: r.content_type, content: Buffer.from(r.content) }));
}

// ---- Learners and actors

/** The learner of each IFI that has one. */
export async function learnersOfIfis(db: Db, ifis: string[]): Promise<Map<string, string>> {
  if (!ifis.length) return new Map();
  const rows = await lrs(db).selectFrom('xapi_actor').select(['ifi', 'learner_id']).where('ifi', 'in', ifis).execute();
  return new Map(rows.map((r) => [r.ifi, r.learner_id]));
}

/** Maps an IFI to a new learner unless a concurrent writer mapped it first; returns the learner it maps to. */
export async function createLearnerForIfi(db: Db, ifi: string, learnerId: string, name: string | null): Promise<string> {
  const x = lrs(db);
  await x.insertInto('learner').values({ id: learnerId, display_name: name }).execute();
  const r = await x.insertInto('xapi_actor').values({ ifi, learner_id: learnerId, name }).onConflict((c) => c.column('ifi').doNothing()).returning('learner_id').executeTakeFirst();
  if (r) return r.learner_id;
  await x.deleteFrom('learner').where('id', '=', learnerId).execute();
  return (await learnersOfIfis(db, [ifi])).get(ifi)!;
}

/** New learners, and the IFIs to map to them or to learners that exist. */
export interface NewLearners {
  learners: Array<{ id: string; name: string | null }>;
  actors: Array<{ ifi: string; learnerId: string; name: string | null }>;
}

/**
 * Learners, IFI mappings and Activities first named by a batch, as one SQL statement (atomic on its own; run before
 * the batch's transaction). An IFI or Activity already stored (by a concurrent writer) is kept as it is; a new
 * learner is created only with an IFI mapped to it (the foreign key is checked at the end of the statement).
 */
export async function storeFirstSeen(db: Db, n: NewLearners, activities: Array<{ id: string; definition: Json | null }>): Promise<void> {
  if (!n.actors.length && !activities.length) return;
  const a = [...n.actors].sort((x, y) => (x.ifi < y.ifi ? -1 : 1));
  const v = [...activities].sort((x, y) => (x.id < y.id ? -1 : 1));
  await sql`
    with a as (
      insert into xapi_actor (ifi, learner_id, name)
      select * from unnest(${a.map((x) => x.ifi)}::text[], ${a.map((x) => x.learnerId)}::text[], ${a.map((x) => x.name)}::text[])
      on conflict (ifi) do nothing
      returning learner_id
    ),
    v as (
      insert into xapi_activity (id, definition)
      select * from unnest(${v.map((x) => x.id)}::text[], ${v.map((x) => (x.definition ? JSON.stringify(x.definition) : null))}::jsonb[])
      on conflict (id) do nothing
    )
    insert into learner (id, display_name)
    select t.id, t.name from unnest(${n.learners.map((l) => l.id)}::text[], ${n.learners.map((l) => l.name)}::text[]) as t(id, name)
    where t.id in (select learner_id from a)`.execute(db);
}

export async function mapIfiToLearner(db: Db, ifi: string, learnerId: string, name: string | null): Promise<void> {
  await lrs(db)
    .insertInto('xapi_actor')
    .values({ ifi, learner_id: learnerId, name })
    .onConflict((c) => c.column('ifi').doUpdateSet({ learner_id: learnerId }))
    .execute();
}

export async function learnerActors(db: Db, learnerId: string): Promise<Array<{ ifi: string; name: string | null }>> {
  return lrs(db).selectFrom('xapi_actor').select(['ifi', 'name']).where('learner_id', '=', learnerId).orderBy('created_at').orderBy('ifi').execute();
}

export async function getLearner(db: Db, id: string): Promise<{ id: string; displayName: string | null; createdAt: Date } | undefined> {
  const r = await lrs(db).selectFrom('learner').select(['id', 'display_name', 'created_at']).where('id', '=', id).executeTakeFirst();
  return r && { id: r.id, displayName: r.display_name, createdAt: r.created_at };
}

// ---- Documents (State, Activity Profile, Agent Profile)

export interface DocumentKey {
  kind: 'state' | 'activity_profile' | 'agent_profile';
  activityId: string;
  agentIfi: string;
  registration: string;
}

export interface StoredDocument {
  documentId: string;
  content: Buffer;
  contentType: string;
  etag: string;
  updated: Date;
}

const keyWhere = <Q extends { where: (...a: any[]) => Q }>(q: Q, k: DocumentKey): Q =>
  q.where('kind', '=', k.kind).where('activity_id', '=', k.activityId).where('agent_ifi', '=', k.agentIfi).where('registration', '=', k.registration);

export async function getDocument(db: Db, k: DocumentKey, documentId: string): Promise<StoredDocument | undefined> {
  const r = await keyWhere(lrs(db).selectFrom('xapi_document').select(['document_id', 'content', 'content_type', 'etag', 'updated']), k)
    .where('document_id', '=', documentId)
    .executeTakeFirst();
  return r && { documentId: r.document_id, content: Buffer.from(r.content), contentType: r.content_type, etag: r.etag, updated: r.updated };
}

/** Locks the document row (or its absence, by key) for the rest of the transaction. */
export async function lockDocumentKey(db: Db, k: DocumentKey, documentId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${JSON.stringify([k.kind, k.activityId, k.agentIfi, k.registration, documentId])}))`.execute(db);
}

export async function listDocumentIds(db: Db, k: DocumentKey, since?: Date): Promise<string[]> {
  let q = keyWhere(lrs(db).selectFrom('xapi_document').select('document_id'), k);
  if (since) q = q.where('updated', '>', since);
  return (await q.orderBy('document_id').execute()).map((r) => r.document_id);
}

export async function lastDocumentUpdate(db: Db, k: DocumentKey): Promise<Date | undefined> {
  const r = await keyWhere(lrs(db).selectFrom('xapi_document').select((eb) => eb.fn.max('updated').as('m')), k).executeTakeFirst();
  return r?.m ? new Date(r.m as unknown as string) : undefined;
}

export async function putDocument(db: Db, k: DocumentKey, d: StoredDocument, learnerId: string | null): Promise<void> {
  await lrs(db)
    .insertInto('xapi_document')
    .values({
      kind: k.kind,
      activity_id: k.activityId,
      agent_ifi: k.agentIfi,
      registration: k.registration,
      document_id: d.documentId,
      learner_id: learnerId,
      content: d.content,
      content_type: d.contentType,
      etag: d.etag,
      updated: d.updated,
    })
    .onConflict((c) =>
      c.columns(['kind', 'activity_id', 'agent_ifi', 'registration', 'document_id']).doUpdateSet({ content: d.content, content_type: d.contentType, etag: d.etag, updated: d.updated }),
    )
    .execute();
}

export async function deleteDocuments(db: Db, k: DocumentKey, documentId?: string): Promise<number> {
  let q = keyWhere(lrs(db).deleteFrom('xapi_document'), k);
  if (documentId !== undefined) q = q.where('document_id', '=', documentId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ---- Personal data

/** Everything held about a learner, for export. */
export async function learnerData(db: Db, learnerId: string) {
  const x = lrs(db);
  const statements = await x.selectFrom('xapi_statement').select(['payload']).where('learner_id', '=', learnerId).orderBy('seq').execute();
  const documents = await x.selectFrom('xapi_document').selectAll().where('learner_id', '=', learnerId).orderBy('kind').orderBy('document_id').execute();
  return { statements: statements.map((s) => s.payload), documents };
}

/** Removes the learner: statements (with their links and evidence), documents, rollups, actors cascade. */
export async function eraseLearner(db: Db, learnerId: string): Promise<{ statements: number; documents: number }> {
  const x = lrs(db);
  const s = await x.deleteFrom('xapi_statement').where('learner_id', '=', learnerId).executeTakeFirst();
  const d = await x.deleteFrom('xapi_document').where('learner_id', '=', learnerId).executeTakeFirst();
  await x.deleteFrom('learner').where('id', '=', learnerId).execute();
  return { statements: Number(s.numDeletedRows), documents: Number(d.numDeletedRows) };
}
