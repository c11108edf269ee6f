import { createHash } from 'node:crypto';
import type { Db } from '../store/db.js';
import * as store from '../store/lrs.js';
import { ShirubeError } from '../errors.js';
import { checkInput } from '../input.js';
import { ifiOf } from './agents.js';
import { resolveLearner } from './learners.js';
import { isObject, type Json, type XapiVersion } from './validate.js';

export type DocumentKind = store.DocumentKey['kind'];

/** Where a document lives: State (activity, agent, registration), Activity Profile (activity), Agent Profile (agent). */
export interface DocumentScope {
  kind: DocumentKind;
  activityId?: string | undefined;
  agent?: Json | undefined;
  registration?: string | undefined;
}

/** HTTP preconditions (Communication §3.1), already split into entity tags. */
export interface Preconditions {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
}

const key = (s: DocumentScope): store.DocumentKey => ({
  kind: s.kind,
  activityId: s.activityId ?? '',
  agentIfi: s.agent ? ifiOf(s.agent) ?? '' : '',
  registration: s.registration?.toLowerCase() ?? '',
});

export const etagOf = (content: Buffer) => `"${createHash('sha1').update(content).digest('hex')}"`;

const tags = (h: string) => h.split(',').map((t) => t.trim().replace(/^W\//, ''));

function checkPreconditions(current: store.StoredDocument | undefined, pre: Preconditions): void {
  if (pre.ifMatch !== undefined) {
    const list = tags(pre.ifMatch);
    if (!current || !(list.includes('*') || list.includes(current.etag))) throw new ShirubeError('precondition_failed', 'If-Match: the document has changed or does not exist', 'If-Match');
  }
  if (pre.ifNoneMatch !== undefined && current) {
    const list = tags(pre.ifNoneMatch);
    if (list.includes('*') || list.includes(current.etag)) throw new ShirubeError('precondition_failed', 'If-None-Match: the document exists', 'If-None-Match');
  }
}

export async function getDocument(db: Db, scope: DocumentScope, documentId: string): Promise<store.StoredDocument> {
  const d = await store.getDocument(db, key(scope), documentId);
  if (!d) throw new ShirubeError('not_found', `No document ${documentId}`, 'documentId');
  return d;
}

/** The ids of the documents in a scope (changed after `since`), with the latest change for Last-Modified. */
export async function listDocuments(db: Db, scope: DocumentScope, since?: Date): Promise<{ ids: string[]; updated: Date | undefined }> {
  const k = key(scope);
  return { ids: await store.listDocumentIds(db, k, since), updated: await store.lastDocumentUpdate(db, k) };
}

function jsonObject(content: Buffer, contentType: string): Json | undefined {
  if (!/^application\/json\b/i.test(contentType)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(content.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
  // Merged documents are re-serialized: within the depth limit (src/input.ts), else JSON.stringify overflows. They are
  // stored as bytes, so any string is fine.
  checkInput(v, 'body', { strings: false });
  return isObject(v) ? v : undefined;
}

/**
 * PUT (replace) or POST (merge JSON objects) a document under the concurrency rules: If-Match / If-None-Match
 * failures are 412; a PUT without either header to an existing document is 409 for profiles, and for State too
 * under xAPI 2.0 (under 1.0.3 a profile PUT without either header is a 400 even for a new document). Returns the
 * new ETag.
 */
export async function writeDocument(
  db: Db,
  scope: DocumentScope,
  documentId: string,
  body: { content: Buffer; contentType: string },
  mode: 'put' | 'post',
  pre: Preconditions,
  version: XapiVersion,
): Promise<string> {
  const k = key(scope);
  return db.transaction().execute(async (trx) => {
    await store.lockDocumentKey(trx, k, documentId);
    const current = await store.getDocument(trx, k, documentId);
    checkPreconditions(current, pre);
    if (mode === 'put' && pre.ifMatch === undefined && pre.ifNoneMatch === undefined && (scope.kind !== 'state' || version === '2.0.0')) {
      if (current) throw new ShirubeError('conflict', 'The document exists: send If-Match with its ETag to replace it, or If-None-Match: * to create only');
      // xAPI 1.0.3 requires a precondition on every profile PUT (the 1.0.3 conformance suite checks the 400).
      if (version === '1.0.3') throw new ShirubeError('invalid_request', 'If-Match or If-None-Match is required to PUT a profile document', 'If-None-Match');
    }
    let { content, contentType } = body;
    if (mode === 'post' && current) {
      const old = jsonObject(current.content, current.contentType);
      const next = jsonObject(content, contentType);
      if (!old || !next) throw new ShirubeError('invalid_request', 'POST merges JSON objects: the stored document and the request body must both be application/json objects', 'body');
      content = Buffer.from(JSON.stringify({ ...old, ...next }));
      contentType = 'application/json';
    } else if (mode === 'post' && /^application\/json\b/i.test(contentType) && !jsonObject(content, contentType)) {
      throw new ShirubeError('invalid_request', 'body: a POSTed application/json document must be a JSON object', 'body');
    }
    const etag = etagOf(content);
    const learnerId = scope.agent ? await resolveLearner(trx, scope.agent) : null;
    await store.putDocument(trx, k, { documentId, content, contentType, etag, updated: new Date() }, learnerId);
    return etag;
  });
}

/** Deletes one document, or (State only, no id) every document of the scope. */
export async function deleteDocument(db: Db, scope: DocumentScope, documentId: string | undefined, pre: Preconditions): Promise<void> {
  const k = key(scope);
  await db.transaction().execute(async (trx) => {
    if (documentId !== undefined) {
      await store.lockDocumentKey(trx, k, documentId);
      checkPreconditions(await store.getDocument(trx, k, documentId), pre);
    }
    await store.deleteDocuments(trx, k, documentId);
  });
}
