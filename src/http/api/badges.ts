import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf, canAdminister, canAuthorFramework, type Principal } from '../../auth/index.js';
import { getFramework } from '../../case/index.js';
import {
  approveCandidates,
  badgeCriteria,
  learnerClr,
  setBadgeCriteria,
  undoApprovals,
  MAX_MIN_DAYS,
  UNDO_MINUTES,
  rotateKey,
  badgePng,
  bakePng,
  bakeSvg,
  createDefaultAchievements,
  createGroupAchievement,
  credentialJwt,
  deleteAchievement,
  dismissCandidates,
  editAchievement,
  evaluateNewAchievement,
  groupChoices,
  ob2Assertion,
  ob2RecipientUrl,
  OB2_PNG_KEYWORD,
  renewExpiredCandidates,
  revokeCredential,
  type Decider,
  type GroupAchievementInput,
} from '../../badges/index.js';
import { learnerOfUser, requireLearnerAccess } from '../../progress/index.js';
import * as store from '../../store/badges.js';
import { audit } from '../../store/auth.js';
import { listEnrollments } from '../../store/progress-rosters.js';
import { ShirubeError } from '../../errors.js';
import { badgeContext } from '../ob/context.js';
import { viewerOf } from './progress.js';
import { errorSchema } from './auth.js';
import { authorize } from '../plugins/auth.js';
import { badgeSvg } from '../ob/public.js';

const tags = ['Badges'];
const security: { [scheme: string]: string[] }[] = [{ session: [] }, { oauth2: ['case:admin'] }];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };
const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const uuid = { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' } as const;
const obj = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, required, properties });
/** json / jwt: the credential with its embedded proof / as a VC-JWT; png, svg: baked with the JSON; *-jwt: with the JWT. */
const DOWNLOAD_FORMATS = ['json', 'jwt', 'png', 'svg', 'png-jwt', 'svg-jwt', 'ob2', 'ob2-png'] as const;
type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];
const candidateKeys = { type: 'array', minItems: 1, maxItems: 500, items: obj({ achievementId: uuid, learnerId: id }, ['achievementId', 'learnerId']) } as const;

/** Who decides on badges: a teacher of the learner's class or an admin (never a learner, never a plain client). */
function deciderOf(p: Principal): Decider {
  const v = viewerOf(p);
  if (!v.admin && !v.teacherOf.length) throw new ShirubeError('forbidden', 'Only teachers and administrators decide on badges');
  return { actor: actorOf(p), admin: v.admin, teacherOf: v.teacherOf };
}

const credentialView = (c: store.CredentialRow, now: Date) => ({
  id: c.id,
  achievementId: c.achievementId,
  issuedAt: c.issuedAt.toISOString(),
  revoked: c.revokedAt !== null,
  revokedReason: c.revokedReason,
  validUntil: c.validUntil?.toISOString() ?? null,
  expired: c.validUntil !== null && c.validUntil <= now,
  credential: c.payload,
});
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
/** Days a credential issued for the achievement stays valid (its validUntil); null: no expiry. */
const validForDays = { type: ['integer', 'null'], minimum: 1, maximum: 3650 } as const;

/** Achievements, candidates for teachers, approval, revocation, the learner's passport and downloads (docs/badges.md). */
export default async function badgeRoutes(app: FastifyInstance) {
  const db = () => app.store.db;

  /** The framework's authors and admins create, edit and delete achievements. */
  const requireAuthor = async (req: FastifyRequest, framework: string, what: string) => {
    const d = await getFramework(db(), framework);
    authorize(req, (p) => canAuthorFramework(p, { identifier: d.identifier, organizationId: d.organizationId }), what);
    return d;
  };

  app.post<{ Body: { framework: string } }>('/achievements/defaults', {
    schema: { tags, security, summary: 'Create the default Achievement (rule: Mastered) for every content item of a framework', body: obj({ framework: id }, ['framework']), response: errors },
  }, async (req) => {
    const d = await requireAuthor(req, req.body.framework, 'create achievements');
    return { created: await createDefaultAchievements(db(), app.config.publicUrl, d.identifier) };
  });

  app.post<{ Body: GroupAchievementInput }>('/achievements', {
    schema: {
      tags,
      security,
      summary: 'Create a group achievement: several content items of a framework (itemIds), or a textbook unit ({document, id}) expanded to its items; the rule must hold on each item',
      body: obj(
        {
          framework: id,
          // Each id is checked against the framework's content items: the 400 names `itemIds[i]`.
          itemIds: { type: 'array', minItems: 1, maxItems: 300, items: { type: 'string', maxLength: 200 } },
          unit: obj({ document: id, id }, ['document', 'id']),
          name: text(500),
          description: text(5000),
          criteriaNarrative: text(5000),
          rule: { type: 'object' },
          image: { type: ['string', 'null'], format: 'uri' },
          validForDays,
        },
        ['framework', 'name', 'rule'],
      ),
      response: errors,
    },
  }, async (req, reply) => {
    const d = await requireAuthor(req, req.body.framework, 'create achievements');
    // Learners whose recorded evidence already meets the rule are proposed at once.
    const a = await db().transaction().execute(async (trx) => {
      const created = await createGroupAchievement(trx, app.config.publicUrl, { ...req.body, framework: d.identifier });
      await evaluateNewAchievement(trx, created, app.config.timeZone);
      return created;
    });
    await audit(db(), { actor: actorOf(req.principal), action: 'badge.achievement.create', targetType: 'badge_achievement', targetId: a.id, details: { items: a.itemIds.length, unit: a.unit } });
    return reply.code(201).send(a);
  });

  app.get<{ Querystring: { framework: string } }>('/achievements/group-choices', {
    schema: { tags, security, summary: 'What a group achievement can be made of: the framework’s content items and its units (its own and each publisher’s unit scheme) with their items', querystring: obj({ framework: id }, ['framework']), response: errors },
  }, async (req) => groupChoices(db(), (await requireAuthor(req, req.query.framework, 'create achievements')).identifier));

  app.delete<{ Params: { id: string } }>('/achievements/:id', {
    schema: { tags, security, summary: 'Delete an achievement nothing was issued for (409 otherwise: disable it instead)', params: obj({ id: uuid }, ['id']), response: errors },
  }, async (req, reply) => {
    const a = await store.getAchievement(db(), req.params.id);
    if (!a) throw new ShirubeError('not_found', `No achievement ${req.params.id}`, 'id');
    await requireAuthor(req, a.framework, 'delete achievements');
    await deleteAchievement(db(), a.id);
    await audit(db(), { actor: actorOf(req.principal), action: 'badge.achievement.delete', targetType: 'badge_achievement', targetId: a.id, details: { items: a.itemIds.length } });
    return reply.code(204).send();
  });

  app.get<{ Querystring: { framework: string } }>('/achievements', {
    schema: { tags, security, summary: 'The achievements of a framework (authors, teachers, admins), and whether the caller may edit them', querystring: obj({ framework: id }, ['framework']), response: errors },
  }, async (req) => {
    const d = await getFramework(db(), req.query.framework);
    const canEdit = canAuthorFramework(req.principal, { identifier: d.identifier, organizationId: d.organizationId });
    // Teachers read them (the candidates' statements); learners have no business here.
    if (!canEdit) deciderOf(req.principal);
    return { canEdit, achievements: await store.listAchievements(db(), { framework: d.identifier }) };
  });

  app.patch<{ Params: { id: string }; Body: Record<string, unknown> }>('/achievements/:id', {
    schema: {
      tags,
      security,
      summary: 'Edit an achievement: name, description, image, criteria narrative, machine rule, enabled, validity of the credentials issued from now on (validForDays)',
      params: obj({ id: uuid }, ['id']),
      body: obj({ name: text(500), description: text(5000), image: { type: ['string', 'null'], format: 'uri' }, criteriaNarrative: text(5000), rule: { type: 'object' }, enabled: { type: 'boolean' }, validForDays }),
      response: errors,
    },
  }, async (req) => {
    const a = await store.getAchievement(db(), req.params.id);
    if (!a) throw new ShirubeError('not_found', `No achievement ${req.params.id}`, 'id');
    await requireAuthor(req, a.framework, 'edit achievements');
    return editAchievement(db(), a.id, req.body);
  });

  app.get<{ Querystring: { classId?: string; learner?: string; status?: store.CandidateStatus } }>('/candidates', {
    schema: {
      tags,
      security,
      summary: 'Badge candidates of the learners in the classes a teacher teaches (admins: all), or of one of them (learner); issued ones say whether their credential was revoked',
      querystring: obj({ classId: id, learner: id, status: { type: 'string', enum: ['pending', 'dismissed', 'issued'], default: 'pending' } }),
      response: errors,
    },
  }, async (req) => {
    const d = deciderOf(req.principal);
    const { classId, learner } = req.query;
    const classes = classId ? [classId] : d.teacherOf;
    if (classId && !d.admin && !d.teacherOf.includes(classId)) throw new ShirubeError('forbidden', 'You may see only the classes you teach', 'classId');
    const learners = new Map<string, string>();
    for (const c of classes) for (const e of await listEnrollments(db(), { classId: c })) if (e.role === 'student' && e.learnerId) learners.set(e.learnerId, e.displayName);
    if (learner && !learners.has(learner) && !(d.admin && !classId)) throw new ShirubeError('forbidden', 'You may see only the learners of the classes you teach', 'learner');
    const learnerIds = learner ? [learner] : d.admin && !classId ? undefined : [...learners.keys()];
    // Expired badges of learners who still meet the rule come back as renewal candidates (docs/badges.md).
    if ((req.query.status ?? 'pending') === 'pending') await renewExpiredCandidates(db(), learnerIds, app.config.timeZone);
    const rows = await store.getCandidates(db(), { ...(learnerIds ? { learnerIds } : {}), status: req.query.status ?? 'pending' });
    const achievements = new Map((await store.listAchievements(db(), { ids: [...new Set(rows.map((r) => r.achievementId))] })).map((a) => [a.id, a]));
    const revoked = new Set((await store.listCredentials(db(), { ids: rows.flatMap((r) => (r.credentialId ? [r.credentialId] : [])) })).filter((c) => c.revokedAt).map((c) => c.id));
    return {
      candidates: rows.map((r) => ({
        achievementId: r.achievementId,
        learnerId: r.learnerId,
        learnerName: learners.get(r.learnerId) ?? null,
        achievement: { name: achievements.get(r.achievementId)?.name ?? null, humanCode: achievements.get(r.achievementId)?.humanCode ?? null, itemIds: achievements.get(r.achievementId)?.itemIds ?? [] },
        status: r.status,
        metAt: r.metAt.toISOString(),
        summary: r.summary,
        reason: r.reason,
        credentialId: r.credentialId,
        revoked: r.credentialId ? revoked.has(r.credentialId) : null,
      })),
    };
  });

  app.post<{ Body: { candidates: Array<{ achievementId: string; learnerId: string }> } }>('/candidates/approve', {
    schema: { tags, security, summary: 'Approve candidates (one or many): each becomes a signed OpenBadgeCredential; audited', body: obj({ candidates: candidateKeys }, ['candidates']), response: errors },
  }, async (req, reply) => {
    const credentials = await approveCandidates(badgeContext(app), deciderOf(req.principal), req.body.candidates);
    req.log.info({ issued: credentials.length }, 'badges issued');
    return reply.code(201).send({ credentials });
  });

  app.post<{ Body: { candidates: Array<{ achievementId: string; learnerId: string }> } }>('/candidates/undo', {
    schema: {
      tags,
      security,
      summary: `Undo approvals made in the last ${UNDO_MINUTES} minutes: each credential is revoked and its candidate is pending again; audited`,
      body: obj({ candidates: candidateKeys }, ['candidates']),
      response: errors,
    },
  }, async (req) => ({ undone: await undoApprovals(badgeContext(app), deciderOf(req.principal), req.body.candidates) }));

  /** The framework a `framework` field names (a 404 names that field). */
  const frameworkField = async (identifier: string) => {
    try {
      return (await getFramework(db(), identifier)).identifier;
    } catch (e) {
      throw e instanceof ShirubeError && e.code === 'not_found' ? new ShirubeError('not_found', e.message, 'framework') : e;
    }
  };

  app.get<{ Querystring: { framework: string } }>('/criteria', {
    schema: { tags, security, summary: 'What a framework’s badge candidates need beyond each achievement’s rule: evidence on at least minDays days (teachers, admins)', querystring: obj({ framework: id }, ['framework']), response: errors },
  }, async (req) => {
    deciderOf(req.principal);
    return badgeCriteria(db(), await frameworkField(req.query.framework));
  });

  app.put<{ Body: { framework: string; minDays: number } }>('/criteria', {
    schema: {
      tags,
      security,
      summary: 'Set the minimum number of days with evidence for a framework’s badge candidates (teachers, admins); its candidates are re-evaluated at once; audited',
      body: obj({ framework: id, minDays: { type: 'integer', minimum: 1, maximum: MAX_MIN_DAYS } }, ['framework', 'minDays']),
      response: errors,
    },
  }, async (req) => {
    const d = deciderOf(req.principal);
    const framework = await frameworkField(req.body.framework);
    const result = await setBadgeCriteria(db(), framework, req.body.minDays, d.actor, app.config.timeZone);
    await audit(db(), { actor: d.actor, action: 'badge.criteria.update', targetType: 'CFDocument', targetId: framework, details: { minDays: result.minDays, withdrawn: result.withdrawn, proposed: result.proposed } });
    return result;
  });

  app.post<{ Body: { candidates: Array<{ achievementId: string; learnerId: string }>; reason: string } }>('/candidates/dismiss', {
    schema: { tags, security, summary: 'Dismiss candidates with a reason; audited', body: obj({ candidates: candidateKeys, reason: { type: 'string', minLength: 1, maxLength: 2000 } }, ['candidates', 'reason']), response: errors },
  }, async (req) => ({ dismissed: await dismissCandidates(badgeContext(app), deciderOf(req.principal), req.body.candidates, req.body.reason) }));

  app.post<{ Params: { id: string }; Body: { reason: string } }>('/credentials/:id/revoke', {
    schema: { tags, security, summary: 'Revoke an issued credential with a reason (its BitstringStatusList bit is set); audited', params: obj({ id: uuid }, ['id']), body: obj({ reason: { type: 'string', minLength: 1, maxLength: 2000 } }, ['reason']), response: errors },
  }, async (req, reply) => {
    await revokeCredential(badgeContext(app), deciderOf(req.principal), `urn:uuid:${req.params.id.toLowerCase()}`, req.body.reason);
    return reply.code(204).send();
  });

  /** The learner whose passport this is: the caller's own, or (teachers, admins) the one named. */
  const passportLearner = async (req: FastifyRequest, learner: string | undefined) => {
    const v = viewerOf(req.principal);
    const own = v.userId ? await learnerOfUser(db(), v.userId) : null;
    const learnerId = learner ?? own;
    if (!learnerId) throw new ShirubeError('forbidden', 'This account is not linked to a learner', 'learner');
    await requireLearnerAccess(db(), v, learnerId);
    return learnerId;
  };

  app.get<{ Querystring: { learner?: string } }>('/passport', {
    schema: { tags, security, summary: 'A learner’s badges (a learner: their own only)', querystring: obj({ learner: id }), response: errors },
  }, async (req) => {
    const learnerId = await passportLearner(req, req.query.learner);
    // ob2Recipient: the URL identity the learner adds to an OB 2.0 backpack so it matches their exported badges.
    return { learnerId, ob2Recipient: ob2RecipientUrl(badgeContext(app), learnerId), credentials: (await store.listCredentials(db(), { learnerId })).map((c) => credentialView(c, new Date())) };
  });

  app.get<{ Querystring: { learner?: string } }>('/passport/clr', {
    schema: { tags, security, summary: 'A CLR 2.0 credential bundling the learner’s valid badges with the associations between their items', querystring: obj({ learner: id }), response: errors },
  }, async (req, reply) => reply.type('application/vc+ld+json').send(await learnerClr(badgeContext(app), await passportLearner(req, req.query.learner))));

  app.get<{ Params: { id: string }; Querystring: { format: DownloadFormat } }>('/credentials/:id/download', {
    schema: {
      tags,
      security,
      summary: 'Download a credential: JSON (application/vc+ld+json) or VC-JWT (jwt, text/plain); a PNG or SVG baked with either (OB 3.0 baking: png, svg, png-jwt, svg-jwt); or the OB 2.0 Assertion for older backpacks (ob2 JSON, ob2-png baked)',
      params: obj({ id: uuid }, ['id']),
      querystring: obj({ format: { type: 'string', enum: DOWNLOAD_FORMATS, default: 'json' } }),
      response: errors,
    },
  }, async (req, reply) => {
    const c = await store.getCredential(db(), `urn:uuid:${req.params.id.toLowerCase()}`);
    if (!c?.learnerId) throw new ShirubeError('not_found', `No credential ${req.params.id}`, 'id');
    await passportLearner(req, c.learnerId);
    const { format } = req.query;
    const file = (ext: string) => reply.header('content-disposition', `attachment; filename="badge-${req.params.id}.${ext}"`);
    if (format === 'ob2' || format === 'ob2-png') {
      const { gone, assertion } = ob2Assertion(badgeContext(app), c);
      if (gone) throw new ShirubeError('conflict', 'This credential is revoked: there is no OB 2.0 assertion to download', 'format');
      const text = JSON.stringify(assertion, null, 2);
      if (format === 'ob2') return file('ob2.json').type('application/ld+json').send(text);
      return file('ob2.png').type('image/png').send(bakePng(badgePng(), text, OB2_PNG_KEYWORD));
    }
    const jwt = format === 'jwt' || format.endsWith('-jwt');
    const text = jwt ? await credentialJwt(badgeContext(app), c) : JSON.stringify(c.payload, null, 2);
    if (format === 'json') return file('json').type('application/vc+ld+json').send(text);
    if (format === 'jwt') return file('jwt').type('text/plain; charset=utf-8').send(text);
    if (format.startsWith('png')) return file('png').type('image/png').send(bakePng(badgePng(), text));
    const a = c.payload['credentialSubject'] as { achievement: { humanCode?: string; name: string } };
    return file('svg').type('image/svg+xml').send(bakeSvg(badgeSvg(a.achievement.humanCode ?? '', a.achievement.name), text));
  });

  app.get('/issuers', { schema: { tags, security, summary: 'The badge issuers (admins)', response: errors } }, async (req) => {
    authorize(req, canAdminister, 'list badge issuers');
    return { issuers: await store.listIssuers(db()) };
  });

  app.post<{ Params: { id: string }; Body: { didMethod?: 'web' | 'key' } }>('/issuers/:id/rotate', {
    schema: { tags, security, summary: 'Rotate an issuer’s signing key (old keys stay in its DID document), optionally switching between did:web and did:key (admins)', params: obj({ id }, ['id']), body: obj({ didMethod: { type: 'string', enum: ['web', 'key'] } }), response: errors },
  }, async (req) => {
    authorize(req, canAdminister, 'rotate issuer keys');
    const issuer = await rotateKey(badgeContext(app), req.params.id, req.body.didMethod);
    await audit(db(), { actor: actorOf(req.principal), action: 'badge.issuer.rotate', targetType: 'badge_issuer', targetId: issuer.id, details: { didMethod: issuer.didMethod } });
    return issuer;
  });
}
