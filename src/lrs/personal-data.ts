import type { Db } from '../store/db.js';
import * as store from '../store/lrs.js';
import { audit } from '../store/auth.js';
import { learnerEvidence } from './evidence.js';
import { agentOfIfi } from './agents.js';
import { ShirubeError } from '../errors.js';
import { findLearner } from './learners.js';
import { validateAgentParam } from './validate.js';

/** The learner an Agent (JSON) maps to; not found when the LRS has never seen it. */
export async function findLearnerByAgent(db: Db, agent: unknown): Promise<string> {
  const learnerId = await findLearner(db, validateAgentParam(agent, '2.0.0'));
  if (!learnerId) throw new ShirubeError('not_found', 'No learner with this Agent', 'agent');
  return learnerId;
}

async function requireLearner(db: Db, learnerId: string) {
  const l = await store.getLearner(db, learnerId);
  if (!l) throw new ShirubeError('not_found', `No learner ${learnerId}`, 'learnerId');
  return l;
}

/**
 * What another domain holds about a learner (progress: rosters, enrolments, proficiency), so that export and
 * erasure cover it: `export` adds a property named `name`; `erase` runs inside the erasure's transaction, first.
 */
export interface LearnerDataPart {
  name: string;
  export(db: Db, learnerId: string): Promise<unknown>;
  erase(trx: Db, learnerId: string): Promise<Record<string, number>>;
}

/** Everything held about one learner: identifiers, statements, documents, evidence and rollups, and the parts'. */
export async function exportLearner(db: Db, learnerId: string, parts: readonly LearnerDataPart[] = []) {
  const learner = await requireLearner(db, learnerId);
  const actors = await store.learnerActors(db, learnerId);
  const data = await store.learnerData(db, learnerId);
  return {
    learner: { id: learner.id, displayName: learner.displayName, createdAt: learner.createdAt.toISOString() },
    agents: actors.map((a) => ({ ...agentOfIfi(a.ifi), ...(a.name ? { name: a.name } : {}) })),
    statements: data.statements,
    documents: data.documents.map((d) => ({
      kind: d.kind,
      activityId: d.activity_id || undefined,
      registration: d.registration || undefined,
      documentId: d.document_id,
      contentType: d.content_type,
      updated: d.updated.toISOString(),
      content: /^application\/json\b|^text\//i.test(d.content_type) ? Buffer.from(d.content).toString('utf8') : Buffer.from(d.content).toString('base64'),
      encoding: /^application\/json\b|^text\//i.test(d.content_type) ? 'utf8' : 'base64',
    })),
    ...(await learnerEvidence(db, learnerId)),
    ...Object.fromEntries(await Promise.all(parts.map(async (p) => [p.name, await p.export(db, learnerId)] as const))),
  };
}

/**
 * Erases one learner: statements (their evidence and links), documents, rollups and identifiers, in one
 * transaction. The audit log keeps only the learner id and the counts.
 */
export async function eraseLearner(db: Db, learnerId: string, actor: string, parts: readonly LearnerDataPart[] = []): Promise<{ statements: number; documents: number } & Record<string, number>> {
  return db.transaction().execute(async (trx) => {
    await requireLearner(trx, learnerId);
    const extra: Record<string, number> = {};
    for (const p of parts) Object.assign(extra, await p.erase(trx, learnerId));
    const counts = { ...extra, ...(await store.eraseLearner(trx, learnerId)) };
    await audit(trx, { actor, action: 'learner.erase', targetType: 'learner', targetId: learnerId, details: counts });
    return counts;
  });
}
