import { sql, type ColumnType, type Kysely, type Transaction } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './tables.js';
import { ShirubeError } from '../errors.js';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultNow = ColumnType<Date, Date | string | undefined, Date | string>;
type JsonIn = ColumnType<Record<string, unknown>, string, string>;

export type SuggestionStatus = 'pending' | 'accepted' | 'rejected' | 'superseded';
export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export type BlockStatus = 'ok' | 'retried' | 'skipped';

export interface EstimationRunTable {
  id: string;
  document_identifier: string;
  estimator: string;
  model: string | null;
  params: JsonIn;
  candidate_pairs: ColumnType<number, number | undefined, number>;
  all_pairs: ColumnType<number, number | undefined, number>;
  requests: ColumnType<number, number | undefined, number>;
  cached_requests: ColumnType<number, number | undefined, number>;
  input_tokens: ColumnType<number, number | undefined, number>;
  output_tokens: ColumnType<number, number | undefined, number>;
  cost_usd: ColumnType<number, number | undefined, number>;
  started_at: DefaultNow;
  finished_at: Timestamp | null;
  status: ColumnType<RunStatus, RunStatus | undefined, RunStatus>;
  progress_done: ColumnType<number, number | undefined, number>;
  progress_total: ColumnType<number, number | undefined, number>;
  suggestions: ColumnType<number, number | undefined, number>;
  error: string | null;
  started_by: string | null;
  heartbeat_at: DefaultNow;
  cancel_requested_at: Timestamp | null;
  cancelled_by: string | null;
  skipped_blocks: ColumnType<number, number | undefined, number>;
}

export interface EstimationRunBlockTable {
  run_id: string;
  position: number;
  key: string;
  label: string;
  items: number;
  pairs: number;
  status: BlockStatus;
  cached: ColumnType<boolean, boolean | undefined, boolean>;
  attempts: ColumnType<number, number | undefined, number>;
  reason: string | null;
  proposals: ColumnType<number, number | undefined, number>;
  requests: ColumnType<number, number | undefined, number>;
  input_tokens: ColumnType<number, number | undefined, number>;
  output_tokens: ColumnType<number, number | undefined, number>;
  cost_usd: ColumnType<number, number | undefined, number>;
  finished_at: DefaultNow;
}

export interface RelationSuggestionTable {
  id: string;
  document_identifier: string;
  origin_identifier: string;
  destination_identifier: string;
  association_type: 'precedes' | 'isRelatedTo';
  domain: ColumnType<string, string | undefined, string>;
  estimator: string;
  model: string | null;
  prompt_version: string | null;
  run_id: string | null;
  confidence: number;
  rationale: string | null;
  created_at: DefaultNow;
  status: ColumnType<SuggestionStatus, SuggestionStatus | undefined, SuggestionStatus>;
  decided_by: string | null;
  decided_at: Timestamp | null;
  comment: string | null;
  association_identifier: string | null;
  proposed_origin: string;
  proposed_destination: string;
  proposed_type: 'precedes' | 'isRelatedTo';
  edits: ColumnType<ReviewerEdit[], string | undefined, string>;
}

export interface LlmCacheTable {
  key: string;
  provider: string;
  model: string;
  response: JsonIn;
  input_tokens: number;
  output_tokens: number;
  created_at: DefaultNow;
}

/** The tables of migration 0003 (relation estimation and review), with 0010's run state and 0012's block outcomes. */
export type RelationTables = { estimation_run: EstimationRunTable; estimation_run_block: EstimationRunBlockTable; relation_suggestion: RelationSuggestionTable; llm_cache: LlmCacheTable };
type RelDb = Kysely<Database & RelationTables>;
const rel = (db: Kysely<Database> | Transaction<Database>): RelDb => db.withTables<RelationTables>() as unknown as RelDb;

export interface RunRow {
  id: string;
  documentIdentifier: string;
  estimator: string;
  model: string | null;
  params: Record<string, unknown>;
  candidatePairs: number;
  allPairs: number;
  requests: number;
  cachedRequests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  startedAt: Date;
  finishedAt: Date | null;
  status: RunStatus;
  progressDone: number;
  progressTotal: number;
  /** Suggestions so far: proposals while running, those stored once done. */
  suggestions: number;
  /** Why a failed run failed (or what a completed one skipped), for the person who started it. */
  error: string | null;
  startedBy: string | null;
  /** Blocks given up (a bad answer or no answer after retries); the run completed without them. */
  skippedBlocks: number;
  cancelRequestedAt: Date | null;
  cancelledBy: string | null;
}

/** What happened to one block of a run (estimation_run_block). */
export interface RunBlockRow {
  position: number;
  key: string;
  label: string;
  items: number;
  pairs: number;
  status: BlockStatus;
  /** Answered from the cache: no request. */
  cached: boolean;
  attempts: number;
  /** Why a block was retried or skipped. */
  reason: string | null;
  proposals: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** A reviewer's change to a suggestion before deciding it: what it was and what it became. */
export interface ReviewerEdit {
  action: 'flip' | 'change-type';
  by: string;
  at: string;
  from: { origin: string; destination: string; type: 'precedes' | 'isRelatedTo' };
  to: { origin: string; destination: string; type: 'precedes' | 'isRelatedTo' };
}

export interface SuggestionRow {
  id: string;
  documentIdentifier: string;
  originIdentifier: string;
  destinationIdentifier: string;
  associationType: 'precedes' | 'isRelatedTo';
  domain: string;
  estimator: string;
  model: string | null;
  promptVersion: string | null;
  runId: string | null;
  confidence: number;
  rationale: string | null;
  createdAt: Date;
  status: SuggestionStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  comment: string | null;
  associationIdentifier: string | null;
  /** The relation as the estimator proposed it; `confidence` is the estimator's for this relation. */
  proposedOrigin: string;
  proposedDestination: string;
  proposedType: 'precedes' | 'isRelatedTo';
  edits: ReviewerEdit[];
}

const toRun = (r: any): RunRow => ({
  id: r.id, documentIdentifier: r.document_identifier, estimator: r.estimator, model: r.model, params: r.params,
  candidatePairs: r.candidate_pairs, allPairs: r.all_pairs, requests: r.requests, cachedRequests: r.cached_requests,
  inputTokens: r.input_tokens, outputTokens: r.output_tokens, costUsd: r.cost_usd, startedAt: new Date(r.started_at),
  finishedAt: r.finished_at ? new Date(r.finished_at) : null, status: r.status, progressDone: r.progress_done, progressTotal: r.progress_total,
  suggestions: r.suggestions, error: r.error, startedBy: r.started_by, skippedBlocks: r.skipped_blocks,
  cancelRequestedAt: r.cancel_requested_at ? new Date(r.cancel_requested_at) : null, cancelledBy: r.cancelled_by,
});
const toBlock = (r: any): RunBlockRow => ({
  position: r.position, key: r.key, label: r.label, items: r.items, pairs: r.pairs, status: r.status, cached: r.cached, attempts: r.attempts,
  reason: r.reason, proposals: r.proposals, requests: r.requests, inputTokens: r.input_tokens, outputTokens: r.output_tokens, costUsd: r.cost_usd,
});
const toSuggestion = (r: any): SuggestionRow => ({
  id: r.id, documentIdentifier: r.document_identifier, originIdentifier: r.origin_identifier, destinationIdentifier: r.destination_identifier,
  associationType: r.association_type, domain: r.domain, estimator: r.estimator, model: r.model, promptVersion: r.prompt_version, runId: r.run_id,
  confidence: r.confidence, rationale: r.rationale, createdAt: new Date(r.created_at), status: r.status, decidedBy: r.decided_by,
  decidedAt: r.decided_at ? new Date(r.decided_at) : null, comment: r.comment, associationIdentifier: r.association_identifier,
  proposedOrigin: r.proposed_origin, proposedDestination: r.proposed_destination, proposedType: r.proposed_type, edits: r.edits ?? [],
});

export type RunUsage = Pick<RunRow, 'requests' | 'cachedRequests' | 'inputTokens' | 'outputTokens' | 'costUsd'>;
const usageColumns = (u: RunUsage) => ({ requests: u.requests, cached_requests: u.cachedRequests, input_tokens: u.inputTokens, output_tokens: u.outputTokens, cost_usd: u.costUsd });
const isUniqueViolation = (e: unknown) => String((e as { code?: unknown })?.code ?? '') === '23505';

/**
 * A new run, queued or already running. Only one run per framework may be queued or running (a partial unique
 * index): another gets `conflict`.
 */
export async function insertRun(db: Db, r: Pick<RunRow, 'id' | 'documentIdentifier' | 'estimator' | 'model' | 'params' | 'status' | 'startedBy'>): Promise<void> {
  try {
    await rel(db).insertInto('estimation_run').values({
      id: r.id, document_identifier: r.documentIdentifier, estimator: r.estimator, model: r.model, params: JSON.stringify(r.params), status: r.status, started_by: r.startedBy,
    }).execute();
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const active = await activeRun(db, r.documentIdentifier);
    throw new ShirubeError('conflict', `An estimation run of this framework is already ${active?.status ?? 'running'} (run ${active?.id ?? '?'}); wait for it to finish, then start another`, 'framework');
  }
}

/** The framework's queued or running run, if any. */
export async function activeRun(db: Db, documentIdentifier: string): Promise<RunRow | undefined> {
  const r = await rel(db).selectFrom('estimation_run').selectAll().where('document_identifier', '=', documentIdentifier).where('status', 'in', ['queued', 'running']).executeTakeFirst();
  return r && toRun(r);
}

/**
 * The run started working: its candidate space and full parameters are known. False when it was cancelled while
 * queued (or is no longer queued or running).
 */
export async function startRun(db: Db, id: string, s: Pick<RunRow, 'params' | 'candidatePairs' | 'allPairs' | 'progressTotal'>): Promise<boolean> {
  const r = await rel(db).updateTable('estimation_run').set({
    status: 'running', params: JSON.stringify(s.params), candidate_pairs: s.candidatePairs, all_pairs: s.allPairs, progress_total: s.progressTotal, heartbeat_at: sql`now()` as never,
  }).where('id', '=', id).where('status', 'in', ['queued', 'running']).where('cancel_requested_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Progress of a running run; also its heartbeat. Says whether someone asked the run to stop (from any instance).
 */
export async function updateRunProgress(db: Db, id: string, p: Partial<Pick<RunRow, 'progressDone' | 'progressTotal' | 'suggestions' | 'skippedBlocks'>> & { usage?: RunUsage | undefined } = {}): Promise<{ cancelRequested: boolean }> {
  const r = await rel(db).updateTable('estimation_run').set({
    ...(p.progressDone !== undefined ? { progress_done: p.progressDone } : {}),
    ...(p.progressTotal !== undefined ? { progress_total: p.progressTotal } : {}),
    ...(p.suggestions !== undefined ? { suggestions: p.suggestions } : {}),
    ...(p.skippedBlocks !== undefined ? { skipped_blocks: p.skippedBlocks } : {}),
    ...(p.usage ? usageColumns(p.usage) : {}),
    heartbeat_at: sql`now()` as never,
  }).where('id', '=', id).where('status', '=', 'running').returning('cancel_requested_at').executeTakeFirst();
  return { cancelRequested: !!r?.cancel_requested_at };
}

/**
 * A run ends: done (perhaps with skipped blocks), failed or cancelled, with what it did until then (usage, the
 * suggestions stored, skipped blocks) and for failed or cancelled runs a message for the user.
 */
export async function endRun(db: Db | Transaction<Database>, id: string, e: RunUsage & { status: 'done' | 'failed' | 'cancelled'; suggestions: number; skippedBlocks: number; error: string | null }): Promise<void> {
  await rel(db).updateTable('estimation_run').set({
    ...usageColumns(e), suggestions: e.suggestions, skipped_blocks: e.skippedBlocks, status: e.status, error: e.error,
    ...(e.status === 'done' ? { progress_done: sql`progress_total` as never } : {}), finished_at: sql`now()` as never, heartbeat_at: sql`now()` as never,
  }).where('id', '=', id).where('status', 'in', ['queued', 'running']).execute();
}

/**
 * Asks a queued or running run to stop: a queued one is cancelled at once; a running one stops at its next block
 * or heartbeat, wherever it runs. Undefined when the run is no longer queued or running.
 */
export async function requestCancel(db: Db, id: string, by: string): Promise<RunRow | undefined> {
  await rel(db).updateTable('estimation_run').set({ status: 'cancelled', cancelled_by: by, cancel_requested_at: sql`now()` as never, finished_at: sql`now()` as never, error: 'Cancelled before it started' })
    .where('id', '=', id).where('status', '=', 'queued').execute();
  const r = await rel(db).updateTable('estimation_run').set({ cancelled_by: by, cancel_requested_at: sql`coalesce(cancel_requested_at, now())` as never })
    .where('id', '=', id).where('status', '=', 'running').returningAll().executeTakeFirst();
  return r && toRun(r);
}

/** One block's outcome, as it finishes. */
export async function insertRunBlock(db: Db, runId: string, b: RunBlockRow): Promise<void> {
  await rel(db).insertInto('estimation_run_block').values({
    run_id: runId, position: b.position, key: b.key, label: b.label, items: b.items, pairs: b.pairs, status: b.status, cached: b.cached, attempts: b.attempts,
    reason: b.reason, proposals: b.proposals, requests: b.requests, input_tokens: b.inputTokens, output_tokens: b.outputTokens, cost_usd: b.costUsd,
  }).onConflict((oc) => oc.columns(['run_id', 'position']).doNothing()).execute();
}

export async function listRunBlocks(db: Db, runId: string): Promise<RunBlockRow[]> {
  return (await rel(db).selectFrom('estimation_run_block').selectAll().where('run_id', '=', runId).orderBy('position').execute()).map(toBlock);
}

export async function failRun(db: Db, id: string, error: string): Promise<void> {
  await rel(db).updateTable('estimation_run').set({ status: 'failed', error, finished_at: sql`now()` as never })
    .where('id', '=', id).where('status', 'in', ['queued', 'running']).execute();
}

/** Queued or running runs whose heartbeat is older than `staleBefore` (their process is gone) become failed. */
export async function failStaleRuns(db: Db, staleBefore: Date, error: string, documentIdentifier?: string): Promise<number> {
  let q = rel(db).updateTable('estimation_run').set({ status: 'failed', error, finished_at: sql`now()` as never })
    .where('status', 'in', ['queued', 'running']).where('heartbeat_at', '<', staleBefore);
  if (documentIdentifier) q = q.where('document_identifier', '=', documentIdentifier);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function getRun(db: Db, id: string): Promise<RunRow | undefined> {
  const r = await rel(db).selectFrom('estimation_run').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toRun(r);
}

export async function listRuns(db: Db, documentIdentifier?: string): Promise<RunRow[]> {
  let q = rel(db).selectFrom('estimation_run').selectAll();
  if (documentIdentifier) q = q.where('document_identifier', '=', documentIdentifier);
  return (await q.orderBy('started_at', 'desc').execute()).map(toRun);
}

export type NewSuggestion = Pick<SuggestionRow, 'id' | 'documentIdentifier' | 'originIdentifier' | 'destinationIdentifier' | 'associationType' | 'domain' | 'estimator' | 'model' | 'promptVersion' | 'runId' | 'confidence' | 'rationale'>;

/**
 * Stores a run's suggestions: earlier pending suggestions of the same estimator and model, and of runs with the same
 * target framework (none for a same-framework run; see the run's params.targetFramework), become superseded, and
 * pairs a reviewer already decided are not proposed again. With `covered`, only earlier suggestions of pairs this
 * run answered are superseded (a run that skipped blocks, failed or was cancelled leaves the others pending).
 */
export async function replaceSuggestions(trx: Transaction<Database>, documentIdentifier: string, estimator: string, model: string | null, targetFramework: string | null, rows: NewSuggestion[], covered?: (origin: string, destination: string) => boolean): Promise<number> {
  const r = rel(trx);
  const earlier = await r.selectFrom('relation_suggestion').select(['id', 'origin_identifier', 'destination_identifier'])
    .where('document_identifier', '=', documentIdentifier).where('estimator', '=', estimator)
    .where((eb) => (model === null ? eb('model', 'is', null) : eb('model', '=', model)))
    .where('status', '=', 'pending')
    .where(sql<boolean>`coalesce((select r.params->>'targetFramework' from estimation_run r where r.id = relation_suggestion.run_id), '') = ${targetFramework ?? ''}`)
    .execute();
  const superseded = earlier.filter((s) => !covered || covered(s.origin_identifier, s.destination_identifier)).map((s) => s.id);
  for (let i = 0; i < superseded.length; i += 1000) {
    await r.updateTable('relation_suggestion').set({ status: 'superseded' }).where('id', 'in', superseded.slice(i, i + 1000)).execute();
  }
  const decided = await r.selectFrom('relation_suggestion').select(['origin_identifier', 'destination_identifier', 'association_type'])
    .where('document_identifier', '=', documentIdentifier).where('status', 'in', ['accepted', 'rejected']).execute();
  const done = new Set(decided.map((d) => `${d.association_type}\t${d.origin_identifier}\t${d.destination_identifier}`));
  const fresh = rows.filter((s) => !done.has(`${s.associationType}\t${s.originIdentifier}\t${s.destinationIdentifier}`));
  for (let i = 0; i < fresh.length; i += 500) {
    await r.insertInto('relation_suggestion').values(fresh.slice(i, i + 500).map((s) => ({
      id: s.id, document_identifier: s.documentIdentifier, origin_identifier: s.originIdentifier, destination_identifier: s.destinationIdentifier,
      association_type: s.associationType, domain: s.domain, estimator: s.estimator, model: s.model, prompt_version: s.promptVersion,
      run_id: s.runId, confidence: s.confidence, rationale: s.rationale,
      proposed_origin: s.originIdentifier, proposed_destination: s.destinationIdentifier, proposed_type: s.associationType,
    }))).execute();
  }
  return fresh.length;
}

export async function insertSuggestion(trx: Transaction<Database>, s: NewSuggestion): Promise<void> {
  await rel(trx).insertInto('relation_suggestion').values({
    id: s.id, document_identifier: s.documentIdentifier, origin_identifier: s.originIdentifier, destination_identifier: s.destinationIdentifier,
    association_type: s.associationType, domain: s.domain, estimator: s.estimator, model: s.model, prompt_version: s.promptVersion,
    run_id: s.runId, confidence: s.confidence, rationale: s.rationale,
    proposed_origin: s.originIdentifier, proposed_destination: s.destinationIdentifier, proposed_type: s.associationType,
  }).execute();
}

export interface SuggestionFilter {
  documentIdentifier: string;
  status?: SuggestionStatus[] | undefined;
  type?: 'precedes' | 'isRelatedTo' | undefined;
  domain?: string | undefined;
  estimator?: string | undefined;
  runId?: string | undefined;
  minConfidence?: number | undefined;
  sort?: 'confidence' | '-confidence' | 'domain' | 'created' | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export async function listSuggestions(db: Db, f: SuggestionFilter): Promise<{ total: number; rows: SuggestionRow[] }> {
  let q = rel(db).selectFrom('relation_suggestion').where('document_identifier', '=', f.documentIdentifier);
  if (f.status?.length) q = q.where('status', 'in', f.status);
  if (f.type) q = q.where('association_type', '=', f.type);
  if (f.domain !== undefined) q = q.where('domain', '=', f.domain);
  if (f.estimator) q = q.where('estimator', '=', f.estimator);
  if (f.runId) q = q.where('run_id', '=', f.runId);
  if (f.minConfidence !== undefined) q = q.where('confidence', '>=', f.minConfidence);
  const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  let s = q.selectAll();
  const sort = f.sort ?? '-confidence';
  if (sort === 'confidence') s = s.orderBy('confidence', 'asc');
  else if (sort === '-confidence') s = s.orderBy('confidence', 'desc');
  else if (sort === 'domain') s = s.orderBy('domain').orderBy('confidence', 'desc');
  else s = s.orderBy('created_at', 'desc');
  s = s.orderBy('id').limit(f.limit ?? 100).offset(f.offset ?? 0);
  return { total: Number(total), rows: (await s.execute()).map(toSuggestion) };
}

/** All suggestions of a framework (for evaluation and ensembles), optionally of some runs. */
export async function allSuggestions(db: Db, documentIdentifier: string, runIds?: string[]): Promise<SuggestionRow[]> {
  let q = rel(db).selectFrom('relation_suggestion').selectAll().where('document_identifier', '=', documentIdentifier);
  if (runIds?.length) q = q.where('run_id', 'in', runIds);
  return (await q.orderBy('id').execute()).map(toSuggestion);
}

export async function getSuggestions(db: Db | Transaction<Database>, ids: string[]): Promise<SuggestionRow[]> {
  if (!ids.length) return [];
  return (await rel(db).selectFrom('relation_suggestion').selectAll().where('id', 'in', ids).forUpdate().execute()).map(toSuggestion);
}

export async function updateSuggestion(trx: Transaction<Database>, id: string, patch: Partial<Pick<SuggestionRow, 'originIdentifier' | 'destinationIdentifier' | 'associationType' | 'domain' | 'status' | 'decidedBy' | 'decidedAt' | 'comment' | 'associationIdentifier' | 'edits'>>): Promise<void> {
  const set: Record<string, unknown> = {};
  if (patch.edits !== undefined) set['edits'] = JSON.stringify(patch.edits);
  if (patch.originIdentifier !== undefined) set['origin_identifier'] = patch.originIdentifier;
  if (patch.destinationIdentifier !== undefined) set['destination_identifier'] = patch.destinationIdentifier;
  if (patch.associationType !== undefined) set['association_type'] = patch.associationType;
  if (patch.domain !== undefined) set['domain'] = patch.domain;
  if (patch.status !== undefined) set['status'] = patch.status;
  if (patch.decidedBy !== undefined) set['decided_by'] = patch.decidedBy;
  if (patch.decidedAt !== undefined) set['decided_at'] = patch.decidedAt;
  if (patch.comment !== undefined) set['comment'] = patch.comment;
  if (patch.associationIdentifier !== undefined) set['association_identifier'] = patch.associationIdentifier;
  await rel(trx).updateTable('relation_suggestion').set(set as never).where('id', '=', id).execute();
}

/** A CFAssociation authored in Shirube (an accepted suggestion), appended to its framework. */
export async function appendAssociation(trx: Transaction<Database>, a: { identifier: string; payload: Record<string, unknown>; documentIdentifier: string; associationType: string; originIdentifier: string; destinationIdentifier: string; provenance: Record<string, unknown>; lastChange: Date }): Promise<void> {
  const { max } = await trx.selectFrom('cf_association').select((eb) => eb.fn.max('position').as('max')).where('document_identifier', '=', a.documentIdentifier).executeTakeFirstOrThrow();
  await trx.insertInto('cf_association').values({
    identifier: a.identifier, payload: JSON.stringify(a.payload) as never, document_identifier: a.documentIdentifier, association_type: a.associationType,
    origin_identifier: a.originIdentifier, destination_identifier: a.destinationIdentifier, sequence_number: null,
    provenance: JSON.stringify(a.provenance) as never, position: (max ?? -1) + 1, authored: true, last_change_date_time: a.lastChange,
  }).execute();
}

/** The framework changed: its CFDocument's lastChangeDateTime (payload and column). */
export async function touchDocument(trx: Transaction<Database>, documentIdentifier: string, at: Date, lastChangeDateTime: string): Promise<void> {
  await trx.updateTable('cf_document').set({
    payload: sql`jsonb_set(payload, '{lastChangeDateTime}', to_jsonb(${lastChangeDateTime}::text))` as never,
    last_change_date_time: at, updated_at: sql`now()` as never,
  }).where('identifier', '=', documentIdentifier).execute();
}

export async function cachedResponse(db: Db, key: string): Promise<{ response: Record<string, unknown>; inputTokens: number; outputTokens: number } | undefined> {
  const r = await rel(db).selectFrom('llm_cache').selectAll().where('key', '=', key).executeTakeFirst();
  return r && { response: r.response as unknown as Record<string, unknown>, inputTokens: r.input_tokens, outputTokens: r.output_tokens };
}

export async function cacheResponse(db: Db, e: { key: string; provider: string; model: string; response: Record<string, unknown>; inputTokens: number; outputTokens: number }): Promise<void> {
  await rel(db).insertInto('llm_cache').values({
    key: e.key, provider: e.provider, model: e.model, response: JSON.stringify(e.response), input_tokens: e.inputTokens, output_tokens: e.outputTokens,
  }).onConflict((oc) => oc.column('key').doNothing()).execute();
}

/** Is the item a member of the framework's package? */
export async function isPackageItem(db: Db, documentIdentifier: string, itemIdentifier: string): Promise<boolean> {
  const r = await db.selectFrom('cf_package_member').select('identifier')
    .where('document_identifier', '=', documentIdentifier).where('kind', '=', 'CFItem').where('identifier', '=', itemIdentifier).executeTakeFirst();
  return r !== undefined;
}
