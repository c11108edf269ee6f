import { createHash, createHmac } from 'node:crypto';
import * as store from '../store/badges.js';
import { ShirubeError } from '../errors.js';
import { achievementUrl } from './achievements.js';
import type { BadgeContext, IssuerRow } from './issuers.js';

/**
 * Open Badges 2.0 export for older backpacks (Badgr / Canvas Credentials, Moodle…): hosted verification. Each issued
 * OpenBadgeCredential is also an OB 2.0 `Assertion` at a stable URL, its Achievement a `BadgeClass` of the issuer,
 * the issuer an `Issuer` Profile with a `RevocationList`. Built on request from what is stored, never stored twice.
 */
export const OB2_CONTEXT = 'https://w3id.org/openbadges/v2';
/** The PNG iTXt keyword of OB 2.0 baking. */
export const OB2_PNG_KEYWORD = 'openbadges';

const uuidOf = (credentialId: string) => credentialId.replace(/^urn:uuid:/, '');
export const ob2IssuerUrl = (publicUrl: string, issuerId: string) => `${publicUrl}/badges/ob2/issuers/${encodeURIComponent(issuerId)}`;
export const ob2AssertionUrl = (publicUrl: string, credentialId: string) => `${publicUrl}/badges/ob2/assertions/${uuidOf(credentialId)}`;
// A BadgeClass has one issuer, while an Achievement is awarded by each learner's school: one BadgeClass per pair.
export const ob2BadgeClassUrl = (publicUrl: string, issuerId: string, achievementId: string) => `${ob2IssuerUrl(publicUrl, issuerId)}/badgeclasses/${achievementId}`;
const revocationListUrl = (publicUrl: string, issuerId: string) => `${ob2IssuerUrl(publicUrl, issuerId)}/revocations`;

/**
 * The learner's OB 2.0 recipient identity: a URL naming no one (an HMAC of the learner id under the server's secret
 * key), the same in all their assertions. Shirube keeps no e-mail address, and puts none in a badge even hashed: the
 * learner adds this URL to their backpack profile as a "URL" identity, so backpacks that match url recipients (Badgr /
 * Canvas Credentials) match it; those matching e-mail only import the badge without matching the recipient.
 */
export function ob2RecipientUrl(ctx: BadgeContext, learnerId: string): string {
  const pseudonym = createHmac('sha256', ctx.secret).update(`ob2-recipient:${learnerId}`, 'utf8').digest('hex').slice(0, 32);
  return `${ctx.publicUrl}/badges/ob2/recipients/${pseudonym}`;
}

/** OB 2.0 IdentityObject: `sha256$` + hex(sha256(identity + salt)). */
export const ob2Recipient = (identity: string, salt: string) => ({
  type: 'url',
  hashed: true,
  salt,
  identity: `sha256$${createHash('sha256').update(identity + salt, 'utf8').digest('hex')}`,
});

/**
 * The hosted Assertion of a credential, or (revoked, or its learner erased) `gone`: the OB 2.0 answer for a revoked
 * hosted assertion (HTTP 410 with `revoked: true`), which says nothing about the recipient.
 */
export function ob2Assertion(ctx: BadgeContext, c: store.CredentialRow): { gone: boolean; assertion: Record<string, unknown> } {
  const id = ob2AssertionUrl(ctx.publicUrl, c.id);
  if (c.revokedAt || !c.learnerId) {
    return { gone: true, assertion: { '@context': OB2_CONTEXT, type: 'Assertion', id, revoked: true, revocationReason: c.revokedReason ?? 'Revoked' } };
  }
  const vc = c.payload as { validFrom: string; validUntil?: string; awardedDate?: string; credentialSubject: { identifier?: Array<{ salt?: string }> }; evidence?: Array<Record<string, string>> };
  // The OB 3.0 credential's salt: the hash stays the same on every request.
  const salt = vc.credentialSubject.identifier?.[0]?.salt ?? createHmac('sha256', ctx.secret).update(`ob2-salt:${c.id}`).digest('hex').slice(0, 32);
  const evidence = (vc.evidence ?? []).map((e) => ({ type: 'Evidence', ...(e['name'] ? { name: e['name'] } : {}), ...(e['description'] ? { description: e['description'] } : {}), ...(e['narrative'] ? { narrative: e['narrative'] } : {}) }));
  return {
    gone: false,
    assertion: {
      '@context': OB2_CONTEXT,
      type: 'Assertion',
      id,
      recipient: ob2Recipient(ob2RecipientUrl(ctx, c.learnerId), salt),
      badge: ob2BadgeClassUrl(ctx.publicUrl, c.issuerId, c.achievementId),
      issuedOn: vc.awardedDate ?? vc.validFrom,
      ...(vc.validUntil ? { expires: vc.validUntil } : {}),
      verification: { type: 'hosted' },
      ...(evidence.length ? { evidence } : {}),
    },
  };
}

async function issuerOf(ctx: BadgeContext, issuerId: string): Promise<IssuerRow> {
  const issuer = await store.getIssuer(ctx.db, { id: issuerId });
  if (!issuer) throw new ShirubeError('not_found', `No issuer ${issuerId}`, 'issuerId');
  return issuer;
}

/** The hosted Assertion of a credential issued here (see ob2Assertion), or not_found. */
export async function hostedAssertion(ctx: BadgeContext, credentialId: string) {
  const c = await store.getCredential(ctx.db, credentialId);
  if (!c) throw new ShirubeError('not_found', `No assertion ${uuidOf(credentialId)}`, 'id');
  return ob2Assertion(ctx, c);
}

/** The BadgeClass of an achievement as awarded by an issuer, aligned to its CFItems. */
export async function hostedBadgeClass(ctx: BadgeContext, issuerId: string, achievementId: string): Promise<Record<string, unknown>> {
  const issuer = await issuerOf(ctx, issuerId);
  const a = await store.getAchievement(ctx.db, achievementId);
  if (!a) throw new ShirubeError('not_found', `No achievement ${achievementId}`, 'achievementId');
  const url = achievementUrl(ctx.publicUrl, a.id);
  return {
    '@context': OB2_CONTEXT,
    type: 'BadgeClass',
    id: ob2BadgeClassUrl(ctx.publicUrl, issuer.id, a.id),
    name: a.name,
    description: a.description,
    image: a.image ?? `${url}/image.svg`,
    criteria: { id: `${url}#criteria`, narrative: a.criteriaNarrative },
    issuer: ob2IssuerUrl(ctx.publicUrl, issuer.id),
    alignment: a.alignment.map((x) => ({
      targetName: x['targetName'],
      targetUrl: x['targetUrl'],
      ...(a.humanCode && a.itemIds.length === 1 ? { targetDescription: `学習指導要領コード / Course of Study Code ${a.humanCode}` } : {}),
      ...(x['targetFramework'] ? { targetFramework: x['targetFramework'] } : {}),
      ...(x['targetCode'] ? { targetCode: x['targetCode'] } : {}),
    })),
    ...(a.humanCode ? { tags: [a.humanCode] } : {}),
  };
}

/** The issuer's OB 2.0 Profile (`Issuer`), naming its revocation list. */
export async function hostedIssuer(ctx: BadgeContext, issuerId: string): Promise<Record<string, unknown>> {
  const issuer = await issuerOf(ctx, issuerId);
  return {
    '@context': OB2_CONTEXT,
    type: 'Issuer',
    id: ob2IssuerUrl(ctx.publicUrl, issuer.id),
    name: issuer.name,
    url: issuer.url ?? ctx.publicUrl,
    revocationList: revocationListUrl(ctx.publicUrl, issuer.id),
  };
}

/** The issuer's RevocationList: every revoked assertion with its reason. */
export async function hostedRevocationList(ctx: BadgeContext, issuerId: string): Promise<Record<string, unknown>> {
  const issuer = await issuerOf(ctx, issuerId);
  const revoked = await store.revokedCredentials(ctx.db, issuer.id);
  return {
    '@context': OB2_CONTEXT,
    type: 'RevocationList',
    id: revocationListUrl(ctx.publicUrl, issuer.id),
    issuer: ob2IssuerUrl(ctx.publicUrl, issuer.id),
    revokedAssertions: revoked.map((r) => ({ id: ob2AssertionUrl(ctx.publicUrl, r.id), revocationReason: r.reason ?? 'Revoked' })),
  };
}

/** The hosted OB 2.0 document at a URL of this Shirube (for verification in-process), else undefined. */
export async function ob2Document(ctx: BadgeContext, url: string): Promise<Record<string, unknown> | undefined> {
  if (!url.startsWith(`${ctx.publicUrl}/badges/ob2/`)) return undefined;
  const path = url.slice(`${ctx.publicUrl}/badges/ob2/`.length).split('/').map(decodeURIComponent);
  const found = async () => {
    if (path[0] === 'assertions' && path.length === 2) return (await hostedAssertion(ctx, `urn:uuid:${path[1]!.toLowerCase()}`)).assertion;
    if (path[0] !== 'issuers' || !path[1]) return undefined;
    if (path.length === 2) return hostedIssuer(ctx, path[1]);
    if (path.length === 3 && path[2] === 'revocations') return hostedRevocationList(ctx, path[1]);
    if (path.length === 4 && path[2] === 'badgeclasses') return hostedBadgeClass(ctx, path[1], path[3]!.toLowerCase());
    return undefined;
  };
  try {
    return await found();
  } catch (e) {
    if (e instanceof ShirubeError && e.code === 'not_found') return undefined;
    throw e;
  }
}
