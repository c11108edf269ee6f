import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as store from '../store/badges.js';
import { associationsAmong } from '../store/progress.js';
import { ShirubeError } from '../errors.js';
import { achievementUrl } from './achievements.js';
import { ensureIssuer, issuerProfile, type BadgeContext } from './issuers.js';
import { signCredential } from './sign.js';
import { isoSeconds } from './status.js';

export const CLR_CONTEXT = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'];
const ASSOCIATION_TYPES = ['precedes', 'isChildOf', 'isPartOf', 'exactMatchOf', 'isRelatedTo'];

/**
 * A CLR 2.0 credential bundling a learner's valid badges (not revoked, not expired; each still verifiable on its own)
 * with the framework's associations between their items, as associations between the achievements. Signed by the
 * learner's school.
 */
export async function learnerClr(ctx: BadgeContext, learnerId: string, now = new Date()): Promise<Record<string, unknown>> {
  const issued = (await store.listCredentials(ctx.db, { learnerId })).filter((c) => c.revokedAt === null && (c.validUntil === null || c.validUntil > now));
  if (!issued.length) throw new ShirubeError('not_found', 'The learner has no valid badge to bundle', 'learner');
  const achievements = await store.listAchievements(ctx.db, { ids: [...new Set(issued.map((c) => c.achievementId))] });
  const byItem = new Map<string, string[]>();
  for (const a of achievements) for (const i of a.itemIds) byItem.set(i, [...(byItem.get(i) ?? []), achievementUrl(ctx.publicUrl, a.id)]);
  const seen = new Set<string>();
  const association = (await associationsAmong(ctx.db, [...byItem.keys()], ASSOCIATION_TYPES)).flatMap((e) =>
    (byItem.get(e.source) ?? []).flatMap((sourceId) =>
      (byItem.get(e.target) ?? []).flatMap((targetId) => {
        const key = `${e.type} ${sourceId} ${targetId}`;
        if (sourceId === targetId || seen.has(key)) return [];
        seen.add(key);
        return [{ type: 'Association', associationType: e.type, sourceId, targetId }];
      }),
    ),
  );
  const issuer = await ensureIssuer(ctx, (await store.learnerSchool(ctx.db, learnerId)) ?? null);
  const salt = randomBytes(16).toString('hex');
  return signCredential(ctx, issuer, {
    '@context': CLR_CONTEXT,
    id: `urn:uuid:${randomUUID()}`,
    type: ['VerifiableCredential', 'ClrCredential'],
    name: '学びのパスポート (CLR)',
    issuer: issuerProfile(issuer),
    validFrom: isoSeconds(now),
    credentialSubject: {
      type: ['ClrSubject'],
      identifier: [{ type: 'IdentityObject', identityHash: `sha256$${createHash('sha256').update(learnerId + salt, 'utf8').digest('hex')}`, identityType: 'systemId', hashed: true, salt }],
      verifiableCredential: issued.map((c) => c.payload),
      ...(association.length ? { association } : {}),
    },
  });
}
