import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf, canAdminister, type Principal } from '../../auth/index.js';
import { ShirubeError } from '../../errors.js';
import {
  changes,
  classMap,
  getRulesView,
  heatmap,
  heatmapCsv,
  importUnits,
  itemDetail,
  listUnitSchemes,
  learnerOfUser,
  learningMap,
  nextSteps,
  putRules,
  requireClassAccess,
  requireLearnerAccess,
  stuck,
  type Viewer,
} from '../../progress/index.js';
import { errorSchema } from './auth.js';

const security: { [scheme: string]: string[] }[] = [{ session: [] }, { oauth2: ['case:admin'] }];
const tags = ['Progress'];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };
const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const day = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$', description: 'YYYY-MM-DD in SHIRUBE_TIMEZONE' } as const;
const query = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, required, properties });

/** The progress view of a principal: admins (and case:admin clients) see all; teachers their classes; learners themselves. */
export function viewerOf(p: Principal): Viewer {
  if (p.kind === 'anonymous') throw new ShirubeError('unauthorized', 'Sign in to see progress');
  if (canAdminister(p)) return { admin: true, userId: p.kind === 'user' ? p.userId : null, teacherOf: [] };
  if (p.kind === 'client') throw new ShirubeError('forbidden', 'An API client needs case:admin to read progress');
  return { admin: false, userId: p.userId, teacherOf: p.roles.filter((r) => r.role === 'teacher' && r.scopeType === 'class').map((r) => r.scopeId) };
}

/** The learning map, a learner's item detail, next steps and changes, class dashboards (docs/progress-api.md). */
export default async function progressRoutes(app: FastifyInstance) {
  const db = () => app.store.db;
  // The views may read a replica (DATABASE_READ_URL, fresh within its bound); who may see what is read from the primary.
  const views = () => app.store.reader();
  const o = () => ({ timeZone: app.config.timeZone, schoolTerms: app.config.schoolTerms });
  const learner = async (req: FastifyRequest, learnerId: string) => {
    await requireLearnerAccess(db(), viewerOf(req.principal), learnerId);
    return learnerId;
  };
  const cls = (req: FastifyRequest, classId: string) => requireClassAccess(viewerOf(req.principal), classId);

  app.get<{ Querystring: { framework: string; learner?: string; asOf?: string; view: 'curriculum' | 'unit'; units?: string } }>('/map', {
    schema: {
      tags,
      security,
      summary: 'The learning map of a framework: content items with a learner’s proficiency, associations, groups (curriculum or units)',
      querystring: query({ framework: id, learner: id, asOf: day, view: { type: 'string', enum: ['curriculum', 'unit'], default: 'curriculum' }, units: { ...id, description: 'A unit scheme (GET /api/progress/units) for the unit view' } }, ['framework']),
      response: { ...errors },
    },
  }, async (req) => {
    const v = viewerOf(req.principal);
    let learnerId = req.query.learner;
    if (!learnerId && !v.admin && !v.teacherOf.length) {
      learnerId = (v.userId && (await learnerOfUser(db(), v.userId))) || undefined;
      if (!learnerId) throw new ShirubeError('forbidden', 'This account is not linked to a learner', 'learner');
    }
    if (learnerId) await learner(req, learnerId);
    return learningMap(await views(), { framework: req.query.framework, learnerId, asOf: req.query.asOf, view: req.query.view, units: req.query.units }, o());
  });

  const learnerParams = { type: 'object', required: ['learnerId'], properties: { learnerId: id } } as const;

  app.get<{ Params: { learnerId: string; itemId: string }; Querystring: { framework?: string; asOf?: string } }>('/learners/:learnerId/items/:itemId', {
    schema: {
      tags,
      security,
      summary: 'One learner on one item: statement, own evidence, per-day timeline, trace-back of weak prerequisites with the path',
      params: { type: 'object', required: ['learnerId', 'itemId'], properties: { learnerId: id, itemId: id } },
      querystring: query({ framework: id, asOf: day }),
    },
  }, async (req) => itemDetail(await views(), { learnerId: await learner(req, req.params.learnerId), itemId: req.params.itemId, framework: req.query.framework, asOf: req.query.asOf }, o()));

  app.get<{ Params: { learnerId: string }; Querystring: { framework: string; asOf?: string; limit: number } }>('/learners/:learnerId/next-steps', {
    schema: {
      tags,
      security,
      summary: 'The next items to learn: not mastered, every prerequisite mastered',
      params: learnerParams,
      querystring: query({ framework: id, asOf: day, limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 } }, ['framework']),
    },
  }, async (req) => nextSteps(await views(), { learnerId: await learner(req, req.params.learnerId), framework: req.query.framework, asOf: req.query.asOf, limit: req.query.limit }, o()));

  app.get<{ Params: { learnerId: string }; Querystring: { framework: string; from: string; to?: string } }>('/learners/:learnerId/changes', {
    schema: {
      tags,
      security,
      summary: 'What changed for a learner between two dates (states and labels)',
      params: learnerParams,
      querystring: query({ framework: id, from: day, to: day }, ['framework', 'from']),
    },
  }, async (req) => changes(await views(), { learnerId: await learner(req, req.params.learnerId), framework: req.query.framework, from: req.query.from, to: req.query.to }, o()));

  const classParams = { type: 'object', required: ['classId'], properties: { classId: id } } as const;
  const heatmapQuery = query({ framework: id, grade: { type: 'string', maxLength: 4 }, domain: { type: 'string', maxLength: 50 }, asOf: day }, ['framework']);
  type HeatmapQuery = { framework: string; grade?: string; domain?: string; asOf?: string };

  app.get<{ Params: { classId: string }; Querystring: { framework: string; asOf?: string; view: 'curriculum' | 'unit'; units?: string } }>('/classes/:classId/map', {
    schema: {
      tags,
      security,
      summary: 'The learning map of a class: per content item (and group) how many of its learners mastered it, are learning it, have not started it or have no record of it (teachers of the class, admins)',
      params: classParams,
      querystring: query({ framework: id, asOf: day, view: { type: 'string', enum: ['curriculum', 'unit'], default: 'curriculum' }, units: { ...id, description: 'A unit scheme (GET /api/progress/units) for the unit view' } }, ['framework']),
      response: { ...errors },
    },
  }, async (req) => {
    cls(req, req.params.classId);
    return classMap(await views(), { classId: req.params.classId, ...req.query }, o());
  });

  app.get<{ Params: { classId: string }; Querystring: HeatmapQuery }>('/classes/:classId/heatmap', {
    schema: { tags, security, summary: 'Class × item heatmap (learners × content items), filtered by grade and domain', params: classParams, querystring: heatmapQuery },
  }, async (req) => {
    cls(req, req.params.classId);
    return heatmap(await views(), { classId: req.params.classId, ...req.query }, o());
  });

  app.get<{ Params: { classId: string }; Querystring: HeatmapQuery }>('/classes/:classId/heatmap.csv', {
    schema: { tags, security, summary: 'The class heatmap as CSV (labels; * = mastered)', params: classParams, querystring: heatmapQuery },
  }, async (req, reply) => {
    cls(req, req.params.classId);
    const csv = await heatmapCsv(await views(), { classId: req.params.classId, ...req.query }, o());
    return reply.type('text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="heatmap-${encodeURIComponent(req.params.classId)}.csv"`).send(csv);
  });

  app.get<{ Params: { classId: string }; Querystring: { framework: string; asOf?: string; min: number } }>('/classes/:classId/stuck', {
    schema: {
      tags,
      security,
      summary: 'Learners stuck on the same prerequisite (not mastered, blocking items they are working on)',
      params: classParams,
      querystring: query({ framework: id, asOf: day, min: { type: 'integer', minimum: 1, maximum: 1000, default: 2 } }, ['framework']),
    },
  }, async (req) => {
    cls(req, req.params.classId);
    return stuck(await views(), { classId: req.params.classId, ...req.query }, o());
  });

  app.get<{ Querystring: { framework: string } }>('/units', {
    schema: { tags, security, summary: 'Unit schemes (publishers’ textbook units) imported for a framework', querystring: query({ framework: id }, ['framework']) },
  }, async (req) => {
    viewerOf(req.principal);
    return { schemes: await listUnitSchemes(db(), req.query.framework) };
  });

  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post<{ Querystring: { framework: string; title: string }; Body: string }>('/units', {
    schema: {
      tags,
      security,
      summary: 'Import a publisher’s units from CSV (unit, title, grade, items[, order, after]) for the unit view',
      description: 'Send the CSV as the body with Content-Type: text/csv. Importing the same title again replaces the scheme.',
      querystring: query({ framework: id, title: { type: 'string', minLength: 1, maxLength: 200 } }, ['framework', 'title']),
    },
  }, async (req, reply) => {
    const v = viewerOf(req.principal);
    if (!v.admin && !v.teacherOf.length) throw new ShirubeError('forbidden', 'Only teachers and administrators import units');
    if (typeof req.body !== 'string' || !req.body.trim()) throw new ShirubeError('invalid_request', '(body): send the CSV with Content-Type: text/csv', 'body');
    return reply.code(201).send(await importUnits(db(), req.query.framework, req.query.title, req.body, app.config.publicUrl, actorOf(req.principal)));
  });

  app.get<{ Querystring: { framework: string } }>('/rules', {
    schema: { tags, security, summary: 'Proficiency rules, teacher labels and BKT parameters of a framework', querystring: query({ framework: id }, ['framework']) },
  }, async (req) => {
    viewerOf(req.principal);
    return getRulesView(db(), req.query.framework);
  });

  const ruleSchema = {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: { minAnswers: { type: 'integer' }, lastK: { type: 'integer' }, minCorrectRate: { type: 'number' }, recencyDays: { type: ['integer', 'null'] } },
  } as const;
  app.put<{ Body: { framework: string; rule?: Record<string, unknown> | null; itemId?: string; labels?: Record<string, unknown> } }>('/rules', {
    schema: {
      tags,
      security,
      summary: 'Set a framework’s proficiency rule, one item’s rule, or the teacher labels (admins and teachers)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['framework'],
        properties: {
          framework: id,
          itemId: id,
          rule: ruleSchema,
          labels: {
            type: 'object',
            additionalProperties: false,
            required: ['labels'],
            properties: {
              basis: { type: 'string', enum: ['correctRate', 'probability'] },
              labels: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['label', 'min'], properties: { label: { type: 'string' }, min: { type: 'number' } } } },
            },
          },
        },
      },
    },
  }, async (req) => {
    const v = viewerOf(req.principal);
    if (!v.admin && !v.teacherOf.length) throw new ShirubeError('forbidden', 'Only teachers and administrators set proficiency rules');
    return putRules(db(), req.body);
  });
}
