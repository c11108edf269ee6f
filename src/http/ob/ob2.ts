import type { FastifyInstance } from 'fastify';
import { hostedAssertion, hostedBadgeClass, hostedIssuer, hostedRevocationList } from '../../badges/index.js';
import { badgeContext } from './context.js';

const tags = ['Open Badges 2.0'];
const uuid = { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' } as const;
const issuerId = { type: 'string', minLength: 1, maxLength: 200 } as const;
const params = (properties: Record<string, unknown>) => ({ type: 'object', required: Object.keys(properties), properties });
const LD = 'application/ld+json';

/** OB 2.0 hosted verification for older backpacks (docs/badges.md): Assertions, BadgeClasses, Issuers, RevocationLists. */
export default async function ob2Routes(app: FastifyInstance) {
  app.get<{ Params: { id: string } }>('/badges/ob2/assertions/:id', {
    schema: { tags, summary: 'The OB 2.0 hosted Assertion of a credential issued here (410 with revoked: true once revoked)', params: params({ id: uuid }) },
  }, async (req, reply) => {
    const { gone, assertion } = await hostedAssertion(badgeContext(app), `urn:uuid:${req.params.id.toLowerCase()}`);
    return reply.code(gone ? 410 : 200).header('cache-control', 'no-cache').type(LD).send(assertion);
  });

  app.get<{ Params: { issuerId: string; id: string } }>('/badges/ob2/issuers/:issuerId/badgeclasses/:id', {
    schema: { tags, summary: 'The OB 2.0 BadgeClass of an Achievement as awarded by an issuer, with its CFItem alignment', params: params({ issuerId, id: uuid }) },
  }, async (req, reply) => reply.type(LD).send(await hostedBadgeClass(badgeContext(app), req.params.issuerId, req.params.id.toLowerCase())));

  app.get<{ Params: { issuerId: string } }>('/badges/ob2/issuers/:issuerId', {
    schema: { tags, summary: 'The OB 2.0 Issuer Profile of a badge issuer', params: params({ issuerId }) },
  }, async (req, reply) => reply.type(LD).send(await hostedIssuer(badgeContext(app), req.params.issuerId)));

  app.get<{ Params: { issuerId: string } }>('/badges/ob2/issuers/:issuerId/revocations', {
    schema: { tags, summary: 'The OB 2.0 RevocationList of an issuer: revoked assertions with their reasons', params: params({ issuerId }) },
  }, async (req, reply) => reply.header('cache-control', 'no-cache').type(LD).send(await hostedRevocationList(badgeContext(app), req.params.issuerId)));
}
