import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import * as store from '../store/lrs.js';
import { ShirubeError } from '../errors.js';
import { activityObjects, ifiOf, statementActivities, statementActors } from './agents.js';
import { equivalentIfis, knownLearner, newLearners } from './learners.js';
import { mergeDefinition } from './activities.js';
import { jsonEqual, verifyStatementSignature } from './signature.js';
import { SIGNATURE_USAGE, VOIDED, isObject, validateStatement, type Json, type XapiVersion } from './validate.js';
import { linkEvidence, recordAttempts, voidEvidence, type EvidenceHook } from './evidence.js';
import { holdLinking } from '../store/lrs-evidence.js';
import type { ItemCache } from './item-cache.js';
import type { FirstSeen } from './first-seen.js';
import type { WriteGate } from './write-gate.js';
import { parseTimestamp } from './formats.js';

/** Who writes: the credentials' API client, as the statement's authority. */
export interface Writer {
  clientId: string | null;
  authority: Json;
}

/** One part of a multipart/mixed request after the statements: an attachment's content. */
export interface AttachmentPart {
  sha2: string;
  contentType: string;
  content: Buffer;
}

export interface WriteOptions {
  version: XapiVersion;
  writer: Writer;
  /** Base of our own IRIs (SHIRUBE_PUBLIC_URL), for linking statements to CFItems. */
  publicUrl: string;
  timeZone: string;
  /** The server's cache of CFItem look-ups (one per app: it lives as long as the server). */
  items: ItemCache;
  /** The actors and Activities the server has seen stored (one per app). */
  seen?: FirstSeen | undefined;
  /** How many batches write at once (one per app). */
  gate?: WriteGate | undefined;
  now?: Date | undefined;
  /** Keeps other domains' state in step with evidence (progress: mastery), in the same transaction. */
  onEvidence?: EvidenceHook | undefined;
}

const HASHES: Record<number, string> = { 56: 'sha224', 64: 'sha256', 96: 'sha384', 128: 'sha512' };

function checkParts(statements: Json[], raws: Json[], parts: AttachmentPart[]): void {
  const byHash = new Map<string, AttachmentPart>();
  parts.forEach((p, i) => {
    const algo = HASHES[p.sha2.length];
    if (!algo || createHash(algo).update(p.content).digest('hex') !== p.sha2.toLowerCase()) {
      throw new ShirubeError('invalid_request', `attachment part ${i + 1}: X-Experience-API-Hash does not match its content`, 'X-Experience-API-Hash');
    }
    byHash.set(p.sha2.toLowerCase(), p);
  });
  const used = new Set<string>();
  statements.forEach((s, i) => {
    const list = Array.isArray(s['attachments']) ? (s['attachments'] as Json[]) : [];
    list.forEach((a, j) => {
      const sha2 = String(a['sha2']).toLowerCase();
      const part = byHash.get(sha2);
      const path = `statements.${i}.attachments.${j}`;
      if (!part && a['fileUrl'] === undefined) throw new ShirubeError('invalid_request', `${path}: no fileUrl and no multipart/mixed part with its sha2`, path);
      if (part) used.add(sha2);
      if (a['usageType'] === SIGNATURE_USAGE) {
        if (a['contentType'] !== 'application/octet-stream') throw new ShirubeError('invalid_request', `${path}.contentType: a signature is application/octet-stream`, `${path}.contentType`);
        if (!part) throw new ShirubeError('invalid_request', `${path}: the signature must be sent as a part`, path);
        verifyStatementSignature(raws[i]!, part.content, path);
      }
    });
  });
  for (const sha2 of byHash.keys()) {
    if (!used.has(sha2)) throw new ShirubeError('invalid_request', `attachment part ${sha2}: no statement names this attachment`, 'attachments');
  }
}

/** Equal apart from what the LRS sets (Data §2.3, statement comparison). */
function sameStatement(incoming: Json, stored: Json): boolean {
  const strip = (s: Json) => Object.fromEntries(Object.entries(s).filter(([k]) => !['authority', 'stored', 'version'].includes(k) && (k !== 'timestamp' || incoming['timestamp'] !== undefined)));
  return jsonEqual(strip(incoming), strip(stored));
}

/**
 * Validates and stores statements (Communication §2.1.1/§2.1.2): assigns ids, stored, timestamp, authority and
 * version, checks attachments and signatures, voids targets, resolves learners and writes evidence, all in one
 * transaction. A statement whose id exists with the same content is skipped; with other content it is a conflict.
 * Returns the ids in order.
 */
export async function storeStatements(db: Db, raw: unknown[], parts: AttachmentPart[], o: WriteOptions): Promise<string[]> {
  if (!raw.length) throw new ShirubeError('invalid_request', 'statements: the batch is empty', 'statements');
  const single = raw.length === 1;
  const statements = raw.map((s, i) => validateStatement(s, o.version, single ? 'statement' : `statements.${i}`));
  checkParts(statements, raw as Json[], parts);
  const stored = o.now ?? new Date();
  const storedIso = stored.toISOString();
  const ids = new Set<string>();
  for (const [i, s] of statements.entries()) {
    s['id'] ??= randomUUID();
    const id = String(s['id']).toLowerCase();
    if (ids.has(id)) throw new ShirubeError('invalid_request', `statements.${i}.id: the batch has this id twice`, `statements.${i}.id`);
    ids.add(id);
  }
  const voidTargets = statements.filter((s) => (s['verb'] as Json)['id'] === VOIDED).map((s) => String((s['object'] as Json)['id']).toLowerCase());
  const { agents, definitions } = namedIn(statements);
  const keys = { agents: (a: Json) => equivalentIfis(a).map((i) => `actor ${i}`), activity: (id: string) => `activity ${id}` };
  const firstSeen = async (n: NotYetStored) => store.storeFirstSeen(db, await newLearners(db, n.agents), n.activities);

  const writing = async () => {
    // New learners and Activities first, in one statement of their own: concurrent batches naming the same new ones
    // then wait for that, not for each other's whole batch (a unique insert waits for the commit of the transaction
    // that inserted the key first).
    const unseen = new NotYetStored(
      o.seen ? agents.filter((a) => o.seen!.unknown(keys.agents(a)).length) : [],
      o.seen ? [...definitions].filter(([id]) => o.seen!.unknown([keys.activity(id)]).length).map(([id, definition]) => ({ id, definition })) : [],
    );
    if (unseen.agents.length || unseen.activities.length) await firstSeen(unseen);
    // Concurrent batches touch shared rows (learners, rollups): work in a fixed order, and retry the rare deadlock.
    for (let attempt = 1; ; attempt++) {
      try {
        const written = await db.transaction().execute((trx) => write(trx, statements, parts, voidTargets, storedIso, stored, o));
        o.seen?.add([...agents.flatMap(keys.agents), ...[...definitions.keys()].map(keys.activity)]);
        return written;
      } catch (e) {
        if (e instanceof NotYetStored && attempt < 5) {
          await firstSeen(e);
          continue;
        }
        if (attempt >= 5 || !store.isTransientConflict(e)) throw e;
      }
    }
  };
  return o.gate ? o.gate.run(writing) : writing();
}

/** The actors (Agents with an IFI, by IFI) and Activities (merged definitions, by id) of statements. */
function namedIn(statements: Json[]) {
  const actors = new Map<string, Json>();
  const definitions = new Map<string, Json | null>();
  for (const s of statements) {
    const ifi = ifiOf(s['actor'] as Json);
    if (ifi) actors.set(ifi, s['actor'] as Json);
    for (const a of activityObjects(s)) {
      const id = String(a['id']);
      definitions.set(id, mergeDefinition(definitions.has(id) ? definitions.get(id)! : null, isObject(a['definition']) ? a['definition'] : null));
    }
  }
  return { actors, agents: [...actors.values()], definitions };
}

/** Actors with no learner or Activities not stored yet (write() stops before writing anything when it finds some). */
class NotYetStored {
  constructor(
    readonly agents: Json[],
    readonly activities: Array<{ id: string; definition: Json | null }>,
  ) {}
}

async function write(trx: Db, statements: Json[], parts: AttachmentPart[], voidTargets: string[], storedIso: string, stored: Date, o: WriteOptions): Promise<string[]> {
  const ids = statements.map((s) => String(s['id']).toLowerCase());
  // Before the batch reads the frameworks: a derivation waits for batches that linked without it (derivatives.md).
  await holdLinking(trx);
  // Everything the batch reads before writing, in one round trip: its ids and void targets, its actors' learners
  // and its Activities (of every statement: those that turn out to exist already are a few extra rows).
  const before = await store.readBeforeWrite(trx, {
    statementIds: [...new Set([...ids, ...voidTargets])],
    ifis: [...new Set(statements.flatMap((s) => equivalentIfis(s['actor'] as Json)))],
    activityIds: [...new Set(statements.flatMap(activityObjects).map((a) => String(a['id'])))],
  });
  const existing = new Map(before.statements.map((r) => [r.id, r]));
  const fresh: Json[] = [];
  for (const [i, s] of statements.entries()) {
    const old = existing.get(ids[i]!);
    if (!old) {
      fresh.push(s);
      continue;
    }
    if (!sameStatement(s, old.payload)) throw new ShirubeError('conflict', `statement ${String(s['id'])} exists with different content`, 'id');
  }
  // A voiding statement cannot target a voiding statement (Data §2.3.2).
  const batchVoiding = new Set(fresh.filter((s) => (s['verb'] as Json)['id'] === VOIDED).map((s) => String(s['id']).toLowerCase()));
  for (const t of voidTargets) {
    if (batchVoiding.has(t) || existing.get(t)?.verbIri === VOIDED) {
      throw new ShirubeError('invalid_request', `object.id: statement ${t} is a voiding statement and cannot be voided`, 'object.id');
    }
  }
  const rows: store.StatementInsert[] = [];
  const { actors, definitions } = namedIn(fresh);
  const learners = new Map([...actors].map(([ifi, actor]) => [ifi, knownLearner(actor, before.learners)]));
  const unknown = [...actors.keys()].filter((ifi) => learners.get(ifi) === undefined);
  const newActivities = [...definitions].filter(([id]) => !before.activities.has(id));
  if (unknown.length || newActivities.length) {
    throw new NotYetStored(
      unknown.map((ifi) => actors.get(ifi)!),
      newActivities.map(([id, definition]) => ({ id, definition })),
    );
  }
  for (const s of fresh) {
    s['stored'] = storedIso;
    s['timestamp'] ??= storedIso;
    s['authority'] = o.writer.authority;
    s['version'] ??= o.version === '2.0.0' ? '2.0.0' : '1.0.0';
    const actor = s['actor'] as Json;
    const object = s['object'] as Json;
    const ctx = isObject(s['context']) ? s['context'] : {};
    rows.push({
      id: String(s['id']).toLowerCase(),
      payload: s,
      stored,
      timestamp: parseTimestamp(s['timestamp'])!.date,
      version: String(s['version']),
      verbIri: String((s['verb'] as Json)['id']),
      objectActivityId: object['objectType'] === undefined || object['objectType'] === 'Activity' ? String(object['id']) : null,
      objectStatementId: object['objectType'] === 'StatementRef' ? String(object['id']).toLowerCase() : null,
      learnerId: learners.get(ifiOf(actor) ?? '') ?? null,
      registration: typeof ctx['registration'] === 'string' ? ctx['registration'].toLowerCase() : null,
      clientId: o.writer.clientId,
      attachmentSha2: Array.isArray(s['attachments']) ? (s['attachments'] as Json[]).map((a) => String(a['sha2']).toLowerCase()) : [],
      actors: statementActors(s),
      activities: statementActivities(s),
    });
  }
  const links = await linkEvidence(trx, rows, { ...o, caseGeneration: before.caseGeneration });
  await store.insertStatements(trx, rows, links);
  await store.insertAttachments(
    trx,
    parts.map((p) => ({ sha2: p.sha2.toLowerCase(), contentType: p.contentType, content: p.content })).sort((a, b) => (a.sha2 < b.sha2 ? -1 : 1)),
  );
  if (definitions.size) {
    const known = before.activities;
    // Only changed definitions are written (new Activities were, before): a no-op update would still lock the row
    // until commit, and concurrent batches naming the same activities would wait for each other.
    const changed = [...definitions]
      .map(([id, d]) => ({ id, definition: mergeDefinition(known.get(id) ?? null, d) }))
      .filter((a) => !jsonEqual(a.definition, known.get(a.id)))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    await store.upsertActivities(trx, changed);
  }
  await recordAttempts(trx, links.attempts, { ...o, caseGeneration: before.caseGeneration });
  // After the evidence: a batch may void one of its own statements.
  const voided = await store.voidStatements(trx, rows.filter((r) => r.verbIri === VOIDED).map((r) => r.objectStatementId!));
  await voidEvidence(trx, voided.map((v) => v.id), { ...o, caseGeneration: before.caseGeneration });
  return statements.map((s) => String(s['id']));
}

/** A statement by id, or by voidedStatementId; not found (404) when its voided state does not match. */
export async function getStatement(db: Db, id: string, wantVoided: boolean): Promise<store.StatementRow> {
  const [row] = await store.getStatements(db, [id.toLowerCase()]);
  if (!row || row.voided !== wantVoided) throw new ShirubeError('not_found', `No ${wantVoided ? 'voided ' : ''}statement ${id}`, wantVoided ? 'voidedStatementId' : 'statementId');
  return row;
}
