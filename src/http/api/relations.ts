import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf, canReviewFramework, type FrameworkRef, type Principal } from '../../auth/index.js';
import { getFramework } from '../../case/index.js';
import { ShirubeError } from '../../errors.js';
import {
  addRelation, asProposed, candidateSpace, decide, proposalOf, evaluate, loadRelationFramework, offlineEstimator, parseGroundTruth, relationTypes,
  reviewActions, tfidfEstimator, type Decision, type Proposal, type RelationFramework, type RelationItem, type RelationType,
} from '../../relations/index.js';
import { allSuggestions, listSuggestions, type SuggestionRow, type SuggestionStatus } from '../../store/relations.js';
import { getDocument, getItem } from '../../store/case.js';
import { authorize } from '../plugins/auth.js';
import { errorSchema } from './auth.js';

export const tags = ['Relations'];
export const security: { [scheme: string]: string[] }[] = [{ oauth2: ['case:write'] }, { session: [] }];
export const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };
const statuses = ['pending', 'accepted', 'rejected', 'superseded'] as const;
export const fwParams = { type: 'object', required: ['framework'], additionalProperties: false, properties: { framework: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
export const anyObject = { type: 'object', additionalProperties: true } as const;
export const id = { type: 'string', minLength: 1, maxLength: 100 } as const;
const comment = { type: 'string', maxLength: 2000 } as const;

/**
 * The framework, if the caller reviews it (or passes `can`): 401 for nobody, 403 for others (private frameworks are
 * not revealed: 404).
 */
export async function reviewed(req: FastifyRequest<{ Params: { framework: string } }>, what: string, can: (p: Principal, target: FrameworkRef) => boolean = canReviewFramework) {
  const d = await getFramework(req.server.store.db, req.params.framework);
  authorize(req, (p) => can(p, { identifier: d.identifier, organizationId: d.organizationId }), what);
  return d;
}

/**
 * An item as the review queue shows it: its text, its place in the hierarchy and its framework (a cross-subject
 * suggestion names an item of another framework).
 */
const itemView = (i: RelationItem, fw: { identifier: string; title: string }) => ({
  identifier: i.identifier, code: i.code ?? null, text: i.text, grade: i.gradeLabel, domain: i.domainLabel, category: i.categoryLabel, path: i.path,
  framework: { identifier: fw.identifier, title: fw.title },
});

async function withItems(req: FastifyRequest, fw: RelationFramework, rows: SuggestionRow[]) {
  const db = req.server.store.db;
  const byId = new Map(fw.items.map((i) => [i.identifier, i]));
  // Other frameworks, loaded once per answer.
  const others = new Map<string, Promise<RelationFramework | undefined>>();
  const other = (identifier: string) => {
    if (!others.has(identifier)) others.set(identifier, loadRelationFramework(db, identifier).catch(() => undefined));
    return others.get(identifier)!;
  };
  const view = async (identifier: string) => {
    const i = byId.get(identifier);
    if (i) return itemView(i, fw);
    // A cross-subject suggestion or a relation a reviewer added may name an item outside the estimated set.
    const item = await getItem(db, identifier);
    const home = item?.documentIdentifier && item.documentIdentifier !== fw.identifier ? await other(item.documentIdentifier) : undefined;
    const there = home?.items.find((x) => x.identifier === identifier);
    if (home && there) return itemView(there, home);
    const doc = item?.documentIdentifier ? await getDocument(db, item.documentIdentifier) : undefined;
    return {
      identifier, code: item?.humanCodingScheme ?? null, text: String(item?.payload['fullStatement'] ?? ''), grade: '', domain: '', category: '', path: [] as string[],
      framework: doc ? { identifier: doc.identifier, title: doc.title } : null,
    };
  };
  // The estimator's confidence and rationale are about the relation it proposed: a flipped or retyped suggestion
  // shows them under `proposed` only.
  return Promise.all(rows.map(async (s) => {
    const same = asProposed(s);
    return {
      id: s.id, type: s.associationType, status: s.status, confidence: same ? s.confidence : null, domain: s.domain, estimator: s.estimator, model: s.model,
      promptVersion: s.promptVersion, runId: s.runId, rationale: same ? s.rationale : null, comment: s.comment, createdAt: s.createdAt.toISOString(),
      decidedBy: s.decidedBy, decidedAt: s.decidedAt?.toISOString() ?? null, associationIdentifier: s.associationIdentifier,
      edited: !same, proposed: proposalOf(s), edits: s.edits,
      origin: await view(s.originIdentifier), destination: await view(s.destinationIdentifier),
    };
  }));
}

interface ListQuery {
  status?: string;
  type?: RelationType;
  domain?: string;
  estimator?: string;
  minConfidence?: number;
  sort?: 'confidence' | '-confidence' | 'domain' | 'created';
  limit?: number;
  offset?: number;
}

/** The review queue of relation suggestions (`/api/relations/:framework/...`), for reviewers of the framework. */
export default async function relationRoutes(app: FastifyInstance) {
  const db = () => app.store.db;

  app.get<{ Params: { framework: string }; Querystring: ListQuery }>('/:framework/suggestions', {
    schema: {
      tags, security,
      summary: "List a framework's relation suggestions with both items' texts and places, filtered and sorted",
      params: fwParams,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          status: { type: 'string', pattern: `^(${statuses.join('|')})(,(${statuses.join('|')}))*$` },
          type: { type: 'string', enum: relationTypes }, domain: { type: 'string', maxLength: 200 }, estimator: { type: 'string', maxLength: 100 },
          minConfidence: { type: 'number', minimum: 0, maximum: 1 }, sort: { type: 'string', enum: ['confidence', '-confidence', 'domain', 'created'] },
          limit: { type: 'integer', minimum: 1, maximum: 1000 }, offset: { type: 'integer', minimum: 0 },
        },
      },
      response: { 200: anyObject, ...errors },
    },
  }, async (req) => {
    await reviewed(req, 'review relations of this framework');
    const q = req.query;
    const fw = await loadRelationFramework(db(), req.params.framework);
    const { total, rows } = await listSuggestions(db(), {
      documentIdentifier: req.params.framework, status: (q.status ?? 'pending').split(',') as SuggestionStatus[], type: q.type, domain: q.domain,
      estimator: q.estimator, minConfidence: q.minConfidence, sort: q.sort, limit: q.limit ?? 100, offset: q.offset ?? 0,
    });
    const domains = [...new Set(fw.items.map((i) => i.domainLabel).filter(Boolean))];
    return { total, domains, suggestions: await withItems(req, fw, rows) };
  });

  app.post<{ Params: { framework: string }; Body: { ids: string[]; action: Decision['action']; type?: RelationType; comment?: string } }>('/:framework/decisions', {
    schema: {
      tags, security,
      summary: 'Decide suggestions: accept (becomes a CFAssociation), reject, flip direction, change type or comment; several at once',
      params: fwParams,
      body: {
        type: 'object', required: ['ids', 'action'], additionalProperties: false,
        properties: { ids: { type: 'array', minItems: 1, maxItems: 1000, uniqueItems: true, items: id }, action: { type: 'string', enum: reviewActions }, type: { type: 'string', enum: relationTypes }, comment },
      },
      response: { 200: anyObject, ...errors },
    },
  }, async (req) => {
    await reviewed(req, 'review relations of this framework');
    const rows = await decide(db(), req.params.framework, req.body.ids, { action: req.body.action, type: req.body.type, comment: req.body.comment }, { actor: actorOf(req.principal) });
    req.log.info({ framework: req.params.framework, action: req.body.action, count: rows.length }, 'Relation decisions');
    return { suggestions: await withItems(req, await loadRelationFramework(db(), req.params.framework), rows) };
  });

  app.post<{ Params: { framework: string }; Body: { origin: string; destination: string; type: RelationType; comment?: string } }>('/:framework/relations', {
    schema: {
      tags, security,
      summary: 'Add a relation the estimators missed: it becomes a CFAssociation of the framework at once',
      params: fwParams,
      body: { type: 'object', required: ['origin', 'destination', 'type'], additionalProperties: false, properties: { origin: id, destination: id, type: { type: 'string', enum: relationTypes }, comment } },
      response: { 201: anyObject, ...errors },
    },
  }, async (req, reply) => {
    await reviewed(req, 'add relations to this framework');
    const s = await addRelation(db(), req.params.framework, req.body, { actor: actorOf(req.principal) });
    const [view] = await withItems(req, await loadRelationFramework(db(), req.params.framework), [s]);
    return reply.code(201).send(view);
  });

  app.post<{ Params: { framework: string }; Body: { groundTruth: string; estimators?: Array<'offline' | 'tfidf'>; runs?: string[]; closure?: boolean } }>('/:framework/evaluation', {
    schema: {
      tags, security,
      summary: 'Precision, recall and F per relation type × domain × estimator against a ground truth (CSV origin,destination,type or JSON)',
      params: fwParams,
      body: {
        type: 'object', required: ['groundTruth'], additionalProperties: false,
        properties: {
          groundTruth: { type: 'string', minLength: 1, maxLength: 5_000_000 },
          estimators: { type: 'array', uniqueItems: true, items: { type: 'string', enum: ['offline', 'tfidf'] } },
          runs: { type: 'array', maxItems: 20, items: id }, closure: { type: 'boolean' },
        },
      },
      response: { 200: anyObject, ...errors },
    },
  }, async (req) => {
    await reviewed(req, 'evaluate relations of this framework');
    const truth = parseGroundTruth(req.body.groundTruth);
    const fw = await loadRelationFramework(db(), req.params.framework);
    const space = candidateSpace(fw);
    const predictions = new Map<string, Proposal[]>();
    for (const name of req.body.estimators ?? ['offline', 'tfidf']) predictions.set(name, (await (name === 'tfidf' ? tfidfEstimator() : offlineEstimator()).estimate(fw, space)).proposals);
    for (const run of req.body.runs ?? []) {
      const rows = await allSuggestions(db(), req.params.framework, [run]);
      if (!rows.length) throw new ShirubeError('invalid_request', `runs: run ${run} has no suggestions in this framework`, 'runs');
      predictions.set(`${rows[0]!.estimator}${rows[0]!.model ? `:${rows[0]!.model}` : ''}@${run.slice(0, 8)}`, rows.map((s) => ({ origin: s.originIdentifier, destination: s.destinationIdentifier, type: s.associationType, confidence: s.confidence })));
    }
    return { candidatePairs: space.pairs.size, allPairs: space.allPairs, ...evaluate(fw, truth, predictions, { closure: req.body.closure, space }) };
  });

}
