import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as store from '../store/badges.js';
import { audit } from '../store/auth.js';
import { learnerInClasses } from '../store/progress-rosters.js';
import { ShirubeError } from '../errors.js';
import { achievementJson } from './achievements.js';
import { didDocument, ensureIssuer, issuerProfile, type BadgeContext } from './issuers.js';
import { isoSeconds, newStatusEntry, statusListCredential } from './status.js';
import { signCredential } from './sign.js';
import { ob2Document } from './ob2.js';
import { didKeyDocument, type Resolve } from './verify.js';

/** Who decides: admins anything; teachers the learners enrolled in the classes they teach. Never the learner. */
export interface Decider {
  actor: string;
  admin: boolean;
  teacherOf: string[];
}

export const OB3_CONTEXT = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json'];
export const OB3_SCHEMA = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';

export interface CandidateKey {
  achievementId: string;
  learnerId: string;
}

async function requireDecider(ctx: BadgeContext, d: Decider, learnerId: string): Promise<void> {
  if (d.admin) return;
  if (d.teacherOf.length && (await learnerInClasses(ctx.db, learnerId, d.teacherOf))) return;
  throw new ShirubeError('forbidden', 'Only a teacher of the learner’s class (or an administrator) decides on a badge', 'learnerId');
}

async function pendingCandidate(ctx: BadgeContext, key: CandidateKey, field: string): Promise<store.CandidateRow> {
  const [c] = await store.getCandidates(ctx.db, { keys: [key] });
  if (!c) throw new ShirubeError('not_found', `${field}: no candidate for this achievement and learner`, field);
  if (c.status !== 'pending') throw new ShirubeError('conflict', `${field}: already ${c.status}`, field);
  return c;
}

/** The recipient as a salted SHA-256 of the learner's Shirube id: no name or e-mail in clear. */
function recipient(learnerId: string) {
  const salt = randomBytes(16).toString('hex');
  return { type: 'IdentityObject', identityHash: `sha256$${createHash('sha256').update(learnerId + salt, 'utf8').digest('hex')}`, identityType: 'systemId', hashed: true, salt };
}

function evidenceOf(summary: Record<string, unknown>) {
  const s = summary as { items: number; answers: number; correct: number; from: string | null; to: string | null };
  const period = s.from && s.to ? `${s.from.slice(0, 10)} – ${s.to.slice(0, 10)}` : '—';
  return [
    {
      type: ['Evidence'],
      name: '学習記録の要約 (xAPI)',
      description: `${s.items} item(s), ${s.answers} answer(s), ${s.correct} correct, ${period}`,
      narrative: `対象の内容 ${s.items} 件について ${s.answers} 回の回答（正答 ${s.correct} 回）、期間 ${period}。`,
    },
  ];
}

/**
 * Approves candidates (all or nothing): each becomes an OpenBadgeCredential signed by the learner's school (or
 * Shirube), with a revocation status entry, stored and audited. An achievement with `validForDays` gives the
 * credential a `validUntil` (VC 2.0; the VC-JWT's `exp`). `now`: the issuing time (validFrom). Returns the credentials.
 */
export async function approveCandidates(ctx: BadgeContext, d: Decider, keys: CandidateKey[], now = new Date()): Promise<Array<Record<string, unknown>>> {
  return ctx.db.transaction().execute(async (trx) => {
    const t: BadgeContext = { ...ctx, db: trx };
    const out: Array<Record<string, unknown>> = [];
    for (const [i, key] of keys.entries()) {
      const field = `candidates.${i}`;
      await requireDecider(t, d, key.learnerId);
      const c = await pendingCandidate(t, key, field);
      const a = (await store.getAchievement(trx, key.achievementId))!;
      const issuer = await ensureIssuer(t, (await store.learnerSchool(trx, key.learnerId)) ?? null);
      const status = await newStatusEntry(trx, ctx.publicUrl, issuer);
      const id = `urn:uuid:${randomUUID()}`;
      const validFrom = isoSeconds(now);
      const validUntil = a.validForDays ? isoSeconds(new Date(Date.parse(validFrom) + a.validForDays * 86_400_000)) : null;
      const credential = await signCredential(t, issuer, {
        '@context': OB3_CONTEXT,
        id,
        type: ['VerifiableCredential', 'OpenBadgeCredential'],
        name: a.name,
        issuer: issuerProfile(issuer),
        validFrom,
        ...(validUntil ? { validUntil } : {}),
        awardedDate: validFrom,
        // `id`: a per-credential urn:uuid that names no one (VC-JWT needs it as `sub`); the learner is the hashed identifier.
        credentialSubject: { id: `urn:uuid:${randomUUID()}`, type: ['AchievementSubject'], identifier: [recipient(key.learnerId)], achievement: achievementJson(ctx.publicUrl, a) },
        evidence: evidenceOf(c.summary),
        credentialStatus: status.entry,
        credentialSchema: [{ id: OB3_SCHEMA, type: '1EdTechJsonSchemaValidator2019' }],
      });
      await store.insertCredential(trx, { id, achievementId: a.id, learnerId: key.learnerId, issuerId: issuer.id, payload: credential, statusListId: status.listId, statusIndex: status.index, issuedBy: d.actor, validUntil: validUntil ? new Date(validUntil) : null });
      await store.decideCandidate(trx, key, { status: 'issued', by: d.actor, credentialId: id });
      await audit(trx, { actor: d.actor, action: 'badge.approve', targetType: 'badge_credential', targetId: id, details: { achievementId: a.id, learnerId: key.learnerId, issuer: issuer.id } });
      out.push(credential);
    }
    return out;
  });
}

/** Dismisses candidates with a reason (they are not proposed again). */
export async function dismissCandidates(ctx: BadgeContext, d: Decider, keys: CandidateKey[], reason: string): Promise<number> {
  if (!reason.trim()) throw new ShirubeError('invalid_request', 'reason: say why the candidate is dismissed', 'reason');
  return ctx.db.transaction().execute(async (trx) => {
    for (const [i, key] of keys.entries()) {
      await requireDecider({ ...ctx, db: trx }, d, key.learnerId);
      await pendingCandidate({ ...ctx, db: trx }, key, `candidates.${i}`);
      await store.decideCandidate(trx, key, { status: 'dismissed', by: d.actor, reason });
      await audit(trx, { actor: d.actor, action: 'badge.dismiss', targetType: 'badge_candidate', targetId: `${key.achievementId}/${key.learnerId}`, details: { reason } });
    }
    return keys.length;
  });
}

/** How long after an approval the teacher may undo it; later, the badge is revoked like any other. */
export const UNDO_MINUTES = 15;
/** The revocation reason of an undone approval (the learner's passport shows it). */
export const UNDO_REASON = '承認を取り消しました（発行の直後に先生が元に戻しました） / Approval undone by the teacher right after issuing';

/**
 * Undoes approvals made in the last UNDO_MINUTES (all or nothing): each credential is revoked (its status list bit is
 * set: it may have been fetched already) with UNDO_REASON, and its candidate is pending again, so the teacher can
 * decide anew. Audited (`badge.approve.undo`). Returns how many were undone.
 */
export async function undoApprovals(ctx: BadgeContext, d: Decider, keys: CandidateKey[], now = new Date()): Promise<number> {
  return ctx.db.transaction().execute(async (trx) => {
    for (const [i, key] of keys.entries()) {
      const field = `candidates.${i}`;
      await requireDecider({ ...ctx, db: trx }, d, key.learnerId);
      const [c] = await store.getCandidates(trx, { keys: [key] });
      if (!c) throw new ShirubeError('not_found', `${field}: no candidate for this achievement and learner`, field);
      const credential = c.status === 'issued' && c.credentialId ? await store.getCredential(trx, c.credentialId) : undefined;
      if (!credential) throw new ShirubeError('conflict', `${field}: not issued, nothing to undo`, field);
      if (credential.revokedAt) throw new ShirubeError('conflict', `${field}: the badge is already revoked`, field);
      if (now.getTime() - credential.issuedAt.getTime() > UNDO_MINUTES * 60_000) {
        throw new ShirubeError('conflict', `${field}: approved more than ${UNDO_MINUTES} minutes ago; revoke the badge instead (POST /api/badges/credentials/{id}/revoke)`, field);
      }
      await store.revokeCredential(trx, credential.id, d.actor, UNDO_REASON);
      await store.reopenIssued(trx, key, credential.id);
      await audit(trx, { actor: d.actor, action: 'badge.approve.undo', targetType: 'badge_credential', targetId: credential.id, details: { achievementId: key.achievementId, learnerId: key.learnerId } });
    }
    return keys.length;
  });
}

/** Revokes an issued credential (its status list bit is set from now on). */
export async function revokeCredential(ctx: BadgeContext, d: Decider, credentialId: string, reason: string): Promise<void> {
  if (!reason.trim()) throw new ShirubeError('invalid_request', 'reason: say why the credential is revoked', 'reason');
  const c = await store.getCredential(ctx.db, credentialId);
  if (!c) throw new ShirubeError('not_found', `No credential ${credentialId}`, 'credentialId');
  if (c.learnerId) await requireDecider(ctx, d, c.learnerId);
  else if (!d.admin) throw new ShirubeError('forbidden', 'Only an administrator revokes the credential of an erased learner', 'credentialId');
  if (!(await store.revokeCredential(ctx.db, credentialId, d.actor, reason))) throw new ShirubeError('conflict', 'Already revoked', 'credentialId');
  await audit(ctx.db, { actor: d.actor, action: 'badge.revoke', targetType: 'badge_credential', targetId: credentialId, details: { reason } });
}

/**
 * Documents this Shirube answers for verification, in-process: its issuers' DID documents and their keys, its
 * status lists and its OB 2.0 hosted documents. Other URLs: undefined (never fetched).
 */
export function ownResolver(ctx: BadgeContext): Resolve {
  return async (url) => {
    if (url.startsWith('did:key:')) return didKeyDocument(url);
    if (url.startsWith('did:web:')) {
      const [did, fragment] = url.split('#');
      const issuer = await store.getIssuer(ctx.db, { did: did! });
      if (!issuer) return undefined;
      const doc = await didDocument(ctx.db, issuer);
      if (fragment === undefined) return doc;
      const vm = (doc['verificationMethod'] as Array<Record<string, unknown>>).find((m) => m['id'] === url);
      return vm && { '@context': 'https://w3id.org/security/multikey/v1', ...vm };
    }
    const ob2 = await ob2Document(ctx, url);
    if (ob2) return ob2;
    const m = new RegExp(`^${ctx.publicUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/badges/status/([0-9a-f-]{36})$`).exec(url);
    return m ? statusListCredential(ctx, m[1]!) : undefined;
  };
}

