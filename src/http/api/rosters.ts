import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf, canAdminister } from '../../auth/index.js';
import { ShirubeError } from '../../errors.js';
import { enroll, importOneRoster, removeClass, removePerson, removeSchool, requireClassAccess, saveClass, savePerson, unenroll } from '../../progress/index.js';
import * as rosters from '../../store/progress-rosters.js';
import { audit, getOrganization, listOrganizations } from '../../store/auth.js';
import { authorize } from '../plugins/auth.js';
import { errorSchema } from './auth.js';
import { viewerOf } from './progress.js';

const security: { [scheme: string]: string[] }[] = [{ session: [] }, { oauth2: ['case:admin'] }];
const tags = ['Rosters'];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };
const id = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^/?#\\s]+$' } as const;
const text = { type: 'string', minLength: 1, maxLength: 200 } as const;
const idParams = { type: 'object', required: ['id'], properties: { id } } as const;
const body = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, required, properties });
const grades = { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 10 } } as const;

const classView = (c: rosters.ClassRow & { teachers?: number; learners?: number }) => ({ ...c, teachers: c.teachers ?? 0, learners: c.learners ?? 0 });
const personView = (p: rosters.PersonRow) => ({ id: p.id, role: p.role, displayName: p.displayName, kana: p.kana, email: p.email, userId: p.userId, learnerId: p.learnerId, schoolId: p.schoolId });

/**
 * Schools, classes, people and enrolments (`/api/rosters`, docs/progress-api.md): manual entry and the OneRoster
 * 1.2 CSV zip (Japan Profile). Administrators write; teachers read their own classes.
 */
export default async function rosterRoutes(app: FastifyInstance) {
  const db = () => app.store.db;
  const admin = (req: FastifyRequest) => authorize(req, canAdminister, 'manage rosters');
  const log = (req: FastifyRequest, action: string, targetType: string, targetId: string) => audit(db(), { actor: actorOf(req.principal), action, targetType, targetId });
  app.addContentTypeParser(['application/zip', 'application/x-zip-compressed', 'application/octet-stream'], { parseAs: 'buffer' }, (_req, payload, done) => done(null, payload));

  // Schools
  app.get('/schools', { schema: { tags, security, summary: 'Schools (organizations)', response: { ...errors } } }, async (req) => {
    admin(req);
    return { schools: (await listOrganizations(db())).map((o) => ({ id: o.id, name: o.name, kind: o.kind, parentId: o.parentId })) };
  });
  app.post<{ Body: { id?: string; name: string } }>('/schools', { schema: { tags, security, summary: 'Add a school', body: body({ id, name: text }, ['name']) } }, async (req, reply) => {
    admin(req);
    const sid = req.body.id ?? crypto.randomUUID();
    if (await getOrganization(db(), sid)) throw new ShirubeError('conflict', `id: ${sid} exists`, 'id');
    await rosters.upsertSchool(db(), { id: sid, name: req.body.name, kind: 'school', parentId: null });
    await log(req, 'roster.school.create', 'organization', sid);
    return reply.code(201).send({ id: sid, name: req.body.name, kind: 'school', parentId: null });
  });
  app.patch<{ Params: { id: string }; Body: { name: string } }>('/schools/:id', { schema: { tags, security, summary: 'Rename a school', params: idParams, body: body({ name: text }, ['name']) } }, async (req) => {
    admin(req);
    const o = await getOrganization(db(), req.params.id);
    if (!o) throw new ShirubeError('not_found', `No school ${req.params.id}`, 'id');
    await rosters.upsertSchool(db(), { id: o.id, name: req.body.name, kind: o.kind, parentId: o.parentId });
    await log(req, 'roster.school.update', 'organization', o.id);
    return { id: o.id, name: req.body.name, kind: o.kind, parentId: o.parentId };
  });
  app.delete<{ Params: { id: string } }>('/schools/:id', { schema: { tags, security, summary: 'Delete a school without classes', params: idParams } }, async (req, reply) => {
    admin(req);
    await removeSchool(db(), req.params.id);
    await log(req, 'roster.school.delete', 'organization', req.params.id);
    return reply.code(204).send();
  });

  // Classes
  app.get<{ Querystring: { school?: string } }>('/classes', {
    schema: { tags, security, summary: 'Classes (a teacher: the classes they teach)', querystring: body({ school: id }) },
  }, async (req) => {
    const v = viewerOf(req.principal);
    const list = await rosters.listClasses(db(), { schoolId: req.query.school, ...(v.admin ? {} : { ids: v.teacherOf }) });
    return { classes: list.map(classView) };
  });
  const classBody = { id, title: text, schoolId: id, grades, framework: { type: ['string', 'null'], maxLength: 200 } };
  app.post<{ Body: { id?: string; title: string; schoolId: string; grades?: string[]; framework?: string | null } }>('/classes', {
    schema: { tags, security, summary: 'Add a class', body: body(classBody, ['title', 'schoolId']) },
  }, async (req, reply) => {
    admin(req);
    if (req.body.id && (await rosters.getClass(db(), req.body.id))) throw new ShirubeError('conflict', `id: ${req.body.id} exists`, 'id');
    const c = await saveClass(db(), { ...req.body, source: 'manual' });
    await log(req, 'roster.class.create', 'class', c.id);
    return reply.code(201).send(classView(c));
  });
  app.patch<{ Params: { id: string }; Body: { title?: string; grades?: string[]; framework?: string | null } }>('/classes/:id', {
    schema: { tags, security, summary: 'Change a class', params: idParams, body: body({ title: text, grades, framework: classBody.framework }) },
  }, async (req) => {
    admin(req);
    const old = await rosters.getClass(db(), req.params.id);
    if (!old) throw new ShirubeError('not_found', `No class ${req.params.id}`, 'id');
    const c = await saveClass(db(), { ...old, ...req.body, id: old.id });
    await log(req, 'roster.class.update', 'class', c.id);
    return classView(c);
  });
  app.delete<{ Params: { id: string } }>('/classes/:id', { schema: { tags, security, summary: 'Delete a class and its enrolments', params: idParams } }, async (req, reply) => {
    admin(req);
    await db().transaction().execute((trx) => removeClass(trx, req.params.id));
    await log(req, 'roster.class.delete', 'class', req.params.id);
    return reply.code(204).send();
  });

  // People
  app.get<{ Querystring: { school?: string } }>('/people', { schema: { tags, security, summary: 'People of the rosters', querystring: body({ school: id }) } }, async (req) => {
    admin(req);
    return { people: (await rosters.listPeople(db(), req.query.school)).map(personView) };
  });
  app.post<{ Body: { id?: string; role: 'student' | 'teacher' | 'administrator'; displayName: string; kana?: string; email?: string; username?: string; schoolId: string } }>('/people', {
    schema: {
      tags,
      security,
      summary: 'Add a person: their sign-in account (no password: OIDC) and, for a student, the learner and xAPI actor',
      body: body({ id, role: { type: 'string', enum: ['student', 'teacher', 'administrator'] }, displayName: text, kana: { type: 'string', maxLength: 200 }, email: { type: 'string', format: 'email', maxLength: 200 }, username: { type: 'string', maxLength: 64 }, schoolId: id }, ['role', 'displayName', 'schoolId']),
    },
  }, async (req, reply) => {
    admin(req);
    if (!(await getOrganization(db(), req.body.schoolId))) throw new ShirubeError('not_found', `No school ${req.body.schoolId}`, 'schoolId');
    if (req.body.id && (await rosters.getPerson(db(), req.body.id))) throw new ShirubeError('conflict', `id: ${req.body.id} exists`, 'id');
    const p = await db().transaction().execute((trx) => savePerson(trx, { ...req.body, source: 'manual' }, app.config.publicUrl));
    await log(req, 'roster.person.create', 'person', p.id);
    return reply.code(201).send(personView(p));
  });
  app.delete<{ Params: { id: string } }>('/people/:id', { schema: { tags, security, summary: 'Remove a person from the rosters (learning records stay until erased)', params: idParams } }, async (req, reply) => {
    admin(req);
    await db().transaction().execute((trx) => removePerson(trx, req.params.id));
    await log(req, 'roster.person.delete', 'person', req.params.id);
    return reply.code(204).send();
  });

  // Enrolments
  app.get<{ Params: { id: string } }>('/classes/:id/enrollments', { schema: { tags, security, summary: 'Teachers and learners of a class', params: idParams } }, async (req) => {
    requireClassAccess(viewerOf(req.principal), req.params.id);
    if (!(await rosters.getClass(db(), req.params.id))) throw new ShirubeError('not_found', `No class ${req.params.id}`, 'id');
    const list = await rosters.listEnrollments(db(), { classId: req.params.id });
    return { enrollments: list.map((e) => ({ personId: e.personId, role: e.role, displayName: e.displayName, learnerId: e.learnerId, userId: e.userId })) };
  });
  app.post<{ Params: { id: string }; Body: { personId: string; role: 'teacher' | 'student' } }>('/classes/:id/enrollments', {
    schema: { tags, security, summary: 'Enrol a teacher or a student (a teacher gets the teacher role on the class)', params: idParams, body: body({ personId: id, role: { type: 'string', enum: ['teacher', 'student'] } }, ['personId', 'role']) },
  }, async (req, reply) => {
    admin(req);
    await db().transaction().execute((trx) => enroll(trx, req.params.id, req.body.personId, req.body.role, 'manual'));
    await log(req, 'roster.enroll', 'class', req.params.id);
    return reply.code(201).send({ classId: req.params.id, personId: req.body.personId, role: req.body.role });
  });
  app.delete<{ Params: { id: string; personId: string } }>('/classes/:id/enrollments/:personId', {
    schema: { tags, security, summary: 'Remove an enrolment', params: { type: 'object', required: ['id', 'personId'], properties: { id, personId: id } } },
  }, async (req, reply) => {
    admin(req);
    await db().transaction().execute((trx) => unenroll(trx, req.params.id, req.params.personId));
    await log(req, 'roster.unenroll', 'class', req.params.id);
    return reply.code(204).send();
  });

  // OneRoster
  app.post<{ Querystring: { mode?: 'bulk' | 'delta' } }>('/oneroster', {
    schema: {
      tags,
      security,
      summary: 'Import a OneRoster 1.2 CSV zip (Japan Profile): bulk or delta; every rejected row is reported with its reason',
      description: 'Send the zip as the raw body with Content-Type: application/zip.',
      querystring: body({ mode: { type: 'string', enum: ['bulk', 'delta'] } }),
    },
  }, async (req) => {
    admin(req);
    if (!Buffer.isBuffer(req.body) || !req.body.length) throw new ShirubeError('invalid_request', '(body): send the zip with Content-Type: application/zip', 'body');
    const r = await importOneRoster(db(), req.body, { publicUrl: app.config.publicUrl, actor: actorOf(req.principal), mode: req.query.mode });
    req.log.info({ mode: r.mode, counts: r.counts, rejected: r.rejected.length }, 'OneRoster import');
    return r;
  });

  // OIDC per school
  const oidcBody = {
    issuer: { type: 'string', pattern: '^https?://', maxLength: 500 },
    clientId: text,
    clientSecret: { type: 'string', minLength: 1, maxLength: 500 },
    label: { type: 'string', minLength: 1, maxLength: 50 },
    claim: { type: 'string', enum: ['email', 'preferred_username', 'sub'] },
    enabled: { type: 'boolean' },
  };
  app.get<{ Params: { id: string } }>('/schools/:id/oidc', { schema: { tags, security, summary: 'The school’s OpenID Connect sign-in (never the secret)', params: idParams } }, async (req) => {
    admin(req);
    const p = await rosters.getOidcProvider(db(), req.params.id);
    if (!p) throw new ShirubeError('not_found', `No OIDC sign-in configured for ${req.params.id}`, 'id');
    return { issuer: p.issuer, clientId: p.clientId, label: p.label, claim: p.claim, enabled: p.enabled };
  });
  app.put<{ Params: { id: string }; Body: { issuer: string; clientId: string; clientSecret?: string; label: string; claim?: string; enabled?: boolean } }>('/schools/:id/oidc', {
    schema: { tags, security, summary: 'Configure the school’s OpenID Connect sign-in (Google Workspace, Microsoft 365…)', params: idParams, body: body(oidcBody, ['issuer', 'clientId', 'label']) },
  }, async (req) => {
    admin(req);
    if (!(await getOrganization(db(), req.params.id))) throw new ShirubeError('not_found', `No school ${req.params.id}`, 'id');
    const old = await rosters.getOidcProvider(db(), req.params.id);
    const secret = req.body.clientSecret ?? old?.clientSecret;
    if (!secret) throw new ShirubeError('invalid_request', 'clientSecret: is required the first time', 'clientSecret');
    const p = { organizationId: req.params.id, issuer: req.body.issuer.replace(/\/+$/, ''), clientId: req.body.clientId, clientSecret: secret, label: req.body.label, claim: req.body.claim ?? 'email', enabled: req.body.enabled ?? true };
    await rosters.putOidcProvider(db(), p);
    await log(req, 'roster.oidc.configure', 'organization', req.params.id);
    return { issuer: p.issuer, clientId: p.clientId, label: p.label, claim: p.claim, enabled: p.enabled };
  });
}
