import { randomUUID } from 'node:crypto';
import type { LearnerDataPart } from '../lrs/index.js';
import type { Db } from '../store/db.js';
import * as store from '../store/badges.js';
import * as obStore from '../store/ob-api.js';
import { ShirubeError } from '../errors.js';
import type { BadgeContext } from './issuers.js';
import { verifierOptions } from './verifier.js';
import { verifyCredential } from './verify.js';

/**
 * What the Open Badges 3.0 API (docs/badges.md) keeps for a learner besides what Shirube issued: credentials that
 * other platforms or the learner's wallet put into the passport, and the learner's own Profile.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

/** A credential of the learner's, as getCredentials returns it: signed JSON, or a VC-JWT's compact JWS. */
export type HeldCredential = { id: string; at: Date } & ({ json: Obj } | { jws: string });

/**
 * The learner's credentials in the order they came (issued here, or received): every OpenBadgeCredential issued to
 * the learner exactly as signed (revoked ones too: their status list says so), then those received, without a
 * received copy of one issued here. `since`: issued or received after.
 */
export async function learnerCredentials(db: Db, learnerId: string, since?: Date): Promise<HeldCredential[]> {
  const issued = (await store.listCredentials(db, { learnerId })).filter((c) => !since || c.issuedAt > since);
  const ids = new Set(issued.map((c) => c.id));
  const received = (await obStore.listExternalCredentials(db, learnerId, since)).filter((c) => !ids.has(c.credentialId));
  const all: HeldCredential[] = [
    ...issued.map((c) => ({ id: c.id, at: c.issuedAt, json: c.payload })),
    ...received.map((c) => ({ id: c.credentialId, at: c.updatedAt, ...(c.payload ? { json: c.payload } : { jws: c.compactJws! }) })),
  ];
  return all.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The claims of a compact JWS (only read after its verification). */
function jwsClaims(jws: string): Obj {
  try {
    const claims = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as unknown;
    return isObj(claims) ? claims : {};
  } catch {
    return {};
  }
}

/**
 * upsertCredential: puts a credential into the learner's passport once it verifies (signature, OB 3.0 schema,
 * dates, issuer, status: verifyCredential). A failed check is a 400 naming it. Says whether it was new, replaced a
 * credential with the same id, or was that very credential already.
 */
export async function receiveCredential(ctx: BadgeContext, learnerId: string, input: unknown, clientId: string): Promise<{ outcome: 'created' | 'replaced' | 'unchanged'; id: string }> {
  if (typeof input === 'string' && !COMPACT_JWS.test(input.trim())) throw new ShirubeError('invalid_request', 'body: a credential is JSON, or a VC-JWT in compact JWS form (text/plain)', 'body');
  const credential = typeof input === 'string' ? input.trim() : input;
  // verifyCredential also reads OB 2.0 assertions and baked images; a passport takes OB 3.0 credentials only.
  const claimed = typeof credential === 'string' ? jwsClaims(credential) : isObj(credential) ? credential : {};
  const types = [(isObj(claimed['vc']) ? claimed['vc'] : claimed)['type']].flat();
  if (!types.includes('VerifiableCredential') || !(types.includes('OpenBadgeCredential') || types.includes('AchievementCredential'))) {
    throw new ShirubeError('invalid_request', 'format: an OpenBadgeCredential (type VerifiableCredential and OpenBadgeCredential or AchievementCredential)', 'format');
  }
  const verdict = await verifyCredential(credential, verifierOptions(ctx));
  const failed = verdict.checks.find((c) => !c.ok);
  if (failed || !verdict.verified) {
    const check = failed?.check ?? 'proof';
    throw new ShirubeError('invalid_request', `${check}: ${failed?.message ?? 'the credential does not verify'}`, check);
  }
  const claims = typeof credential === 'string' ? jwsClaims(credential) : (credential as Obj);
  const vc = isObj(claims['vc']) ? claims['vc'] : claims;
  const id = [claims['jti'], vc['id'], claims['id']].find((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 2000);
  if (!id) throw new ShirubeError('invalid_request', 'id: the credential needs an id (a URI) to be kept', 'id');
  const outcome = await obStore.upsertExternalCredential(ctx.db, learnerId, {
    credentialId: id,
    payload: typeof credential === 'string' ? null : (credential as Obj),
    compactJws: typeof credential === 'string' ? credential : null,
    clientId,
  });
  return { outcome, id };
}

/** Profile properties a learner may set for themselves; nothing else about them is ever put in their Profile. */
export const PROFILE_FIELDS = ['name', 'givenName', 'familyName', 'email', 'url', 'phone', 'description', 'image'] as const;
export const PROFILE_CONTEXT = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'];

/**
 * The learner's OB 3.0 Profile: an opaque `urn:uuid` id made for it (not the learner id), type Profile, and only the
 * properties the learner set through putProfile. No name or e-mail from the roster.
 */
export async function learnerProfile(db: Db, learnerId: string): Promise<Obj> {
  const p = await obStore.ensureProfile(db, learnerId, `urn:uuid:${randomUUID()}`);
  return { '@context': PROFILE_CONTEXT, id: p.profileId, type: ['Profile'], ...p.payload };
}

/** putProfile: replaces what the learner set (the properties in PROFILE_FIELDS); the id cannot change. */
export async function putLearnerProfile(db: Db, learnerId: string, body: Obj): Promise<Obj> {
  const current = await learnerProfile(db, learnerId);
  if (body['id'] !== undefined && body['id'] !== current['id']) throw new ShirubeError('invalid_request', `id: the learner's Profile is ${String(current['id'])}; it cannot change`, 'id');
  const type = body['type'];
  if (type !== undefined && !(type === 'Profile' || (Array.isArray(type) && type.includes('Profile')))) throw new ShirubeError('invalid_request', 'type: must contain Profile', 'type');
  const payload = Object.fromEntries(PROFILE_FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]));
  await obStore.putProfile(db, learnerId, payload);
  return learnerProfile(db, learnerId);
}

/**
 * The OB API part of a learner's personal data: credentials received from elsewhere, the clients the learner
 * authorised and the Profile they set. Erasure deletes them all, and the authorisations' tokens.
 */
export const obApiPersonalData: LearnerDataPart = {
  name: 'openBadgesApi',
  async export(db, learnerId) {
    return {
      externalCredentials: (await obStore.listExternalCredentials(db, learnerId)).map((c) => ({ id: c.credentialId, credential: c.payload ?? c.compactJws, receivedFrom: c.clientId, receivedAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() })),
      authorizedClients: await obStore.learnerGrants(db, learnerId),
      profile: (await obStore.getProfile(db, learnerId)) ?? null,
    };
  },
  erase: (trx, learnerId) => obStore.eraseLearner(trx, learnerId),
};
