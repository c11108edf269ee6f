import type { Db } from '../store/db.js';
import { getLearner } from '../store/lrs.js';
import { listAchievements, listCredentials } from '../store/badges.js';
import { audit } from '../store/auth.js';
import { ShirubeError } from '../errors.js';
import { findItemsByReferences } from '../case/index.js';
import { frameworkOfItem, learnerHoldings, type Holding } from '../progress/index.js';

/** What is asked: one learner, and either a CFItem (UUID, CASE URI, /uri/ URL or Course of Study Code) or a framework. */
export interface AssertionQuery {
  learnerId: string;
  item?: string | undefined;
  framework?: string | undefined;
  asOf?: string | undefined;
}

/** The CFItems an `item` parameter names (a Course of Study Code may name items of several frameworks); 404 when none. */
async function itemsOf(db: Db, reference: string, publicUrl: string): Promise<string[]> {
  const ids = (await findItemsByReferences(db, [reference], publicUrl)).get(reference)!.map((i) => i.identifier);
  if (!ids.length) throw new ShirubeError('not_found', `item: no CFItem ${reference} (a UUID, CASE URI or Course of Study Code)`, 'item');
  return ids;
}

/** The learner's badges aligned to each item (an achievement of several items counts for each), issued by Shirube. */
async function badgesByItem(db: Db, learnerId: string, publicUrl: string) {
  const credentials = await listCredentials(db, { learnerId });
  const achievements = new Map((await listAchievements(db, { ids: [...new Set(credentials.map((c) => c.achievementId))] })).map((a) => [a.id, a]));
  const by = new Map<string, Array<Record<string, unknown>>>();
  for (const c of credentials) {
    const a = achievements.get(c.achievementId);
    if (!a) continue;
    const badge = {
      id: c.id,
      url: `${publicUrl}/badges/credentials/${c.id.replace(/^urn:uuid:/, '')}`,
      achievement: { id: `${publicUrl}/badges/achievements/${a.id}`, name: a.name },
      issuedAt: c.issuedAt.toISOString(),
      validUntil: c.validUntil?.toISOString() ?? null,
      revoked: c.revokedAt !== null,
    };
    for (const itemId of a.itemIds) by.set(itemId, [...(by.get(itemId) ?? []), badge]);
  }
  return by;
}

/** One assertion, in the CASS Assertion's words (docs/competency-reporting.md). */
function assertionOf(h: Holding, framework: string, learnerId: string, badges: Array<Record<string, unknown>>, publicUrl: string) {
  const p = h.progress;
  const holds = p.state === 'mastered';
  return {
    competency: `${publicUrl}/uri/${h.item.id}`,
    competencyId: h.item.id,
    code: h.item.code,
    framework: `${publicUrl}/uri/${framework}`,
    subject: learnerId,
    holds,
    // CASS: a negative assertion says the subject does not hold it; without answers nothing is asserted either way.
    negative: !holds && p.attempts > 0,
    state: p.state,
    level: p.label,
    confidence: p.probability,
    since: h.since,
    evidence: {
      attempts: p.attempts,
      correct: p.correct,
      correctRate: p.correctRate,
      lastAt: p.lastAt,
      statements: h.counted.map((e) => ({ id: e.statementId, timestamp: e.timestamp.toISOString(), score: e.score, success: e.success })),
      badges,
    },
  };
}

/**
 * Whether a learner holds a competency (a CFItem) or each of a framework's content items, as assertions with their
 * evidence: the statements the proficiency rule counts and the badges aligned to the item. Every answer is audited
 * (`competency.read`, target the learner; details: what was asked and how many assertions, no results).
 */
export async function competencyAssertions(db: Db, q: AssertionQuery, o: { publicUrl: string; timeZone: string; actor: string; auditDb: Db }) {
  if ((q.item === undefined) === (q.framework === undefined)) throw new ShirubeError('invalid_request', 'item: give either item (one CFItem) or framework (all its items)', q.item === undefined ? 'item' : 'framework');
  if (!(await getLearner(db, q.learnerId))) throw new ShirubeError('not_found', `No learner ${q.learnerId}`, 'learner');
  const groups: Array<{ framework: string; itemIds?: string[] }> = [];
  if (q.framework !== undefined) groups.push({ framework: q.framework });
  else {
    const byFramework = new Map<string, string[]>();
    for (const id of await itemsOf(db, q.item!, o.publicUrl)) {
      const f = await frameworkOfItem(db, id);
      byFramework.set(f, [...(byFramework.get(f) ?? []), id]);
    }
    for (const [framework, itemIds] of byFramework) groups.push({ framework, itemIds });
  }
  const badges = await badgesByItem(db, q.learnerId, o.publicUrl);
  const assertions = [];
  const frameworks = [];
  for (const g of groups) {
    const { structure, holdings } = await learnerHoldings(db, { learnerId: q.learnerId, framework: g.framework, itemIds: g.itemIds, asOf: q.asOf }, o);
    frameworks.push({ identifier: structure.identifier, uri: `${o.publicUrl}/uri/${structure.identifier}`, title: structure.title, items: holdings.length, held: holdings.filter((h) => h.progress.state === 'mastered').length });
    assertions.push(...holdings.map((h) => assertionOf(h, structure.identifier, q.learnerId, badges.get(h.item.id) ?? [], o.publicUrl)));
  }
  await audit(o.auditDb, {
    actor: o.actor,
    action: 'competency.read',
    targetType: 'learner',
    targetId: q.learnerId,
    details: { ...(q.item !== undefined ? { item: q.item } : { framework: q.framework }), ...(q.asOf ? { asOf: q.asOf } : {}), assertions: assertions.length },
  });
  return { subject: q.learnerId, agent: o.publicUrl, assertionDate: new Date().toISOString(), asOf: q.asOf ?? null, frameworks, assertions };
}
