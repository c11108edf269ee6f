import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import * as store from '../store/lrs.js';
import { ShirubeError } from '../errors.js';
import { agentOfIfi, ifiOf, mboxSha1 } from './agents.js';
import type { Json } from './validate.js';

/** The IFIs that name the same person as this Agent: its own, and for an mbox the mbox_sha1sum of it. */
export function equivalentIfis(agent: Json): string[] {
  const ifi = ifiOf(agent);
  if (!ifi) return [];
  return typeof agent['mbox'] === 'string' ? [ifi, `mbox_sha1sum:${mboxSha1(agent['mbox'])}`] : [ifi];
}

/**
 * The learner an Agent maps to (each IFI maps to exactly one learner); an unknown Agent creates one. Groups are
 * not learners: null. `prefetched` (the learners of a whole batch's IFIs) saves the lookup when it knows every IFI.
 */
export async function resolveLearner(db: Db, agent: Json, prefetched?: Map<string, string>): Promise<string | null> {
  if (agent['objectType'] === 'Group') return null;
  const ifis = equivalentIfis(agent);
  if (!ifis.length) return null;
  const name = typeof agent['name'] === 'string' ? agent['name'] : null;
  const known = prefetched && ifis.every((i) => prefetched.has(i)) ? prefetched : await store.learnersOfIfis(db, ifis);
  let learnerId = ifis.map((i) => known.get(i)).find((l) => l !== undefined);
  if (!learnerId) learnerId = await store.createLearnerForIfi(db, ifis[0]!, randomUUID(), name);
  for (const ifi of ifis) if (!known.has(ifi) && ifi !== ifis[0]) await store.mapIfiToLearner(db, ifi, learnerId, name);
  return learnerId;
}

/** The learner of an Agent among `known` (IFI to learner), if every one of its IFIs is there; Groups have none. */
export function knownLearner(agent: Json, known: Map<string, string>): string | null | undefined {
  if (agent['objectType'] === 'Group') return null;
  const ifis = equivalentIfis(agent);
  if (!ifis.length) return null;
  return ifis.every((i) => known.has(i)) ? known.get(ifis[0]!) : undefined;
}

/**
 * What resolveLearner does for one Agent, for many: a new learner for each Agent none of whose IFIs has one, and
 * the mappings of its IFIs (an mbox's SHA-1 too), for store.storeFirstSeen to write. Reads only for Agents with
 * several IFIs (one of them may be mapped already); a mapping of an IFI someone mapped first is dropped there.
 */
export async function newLearners(db: Db, agents: Json[]): Promise<store.NewLearners> {
  const people = agents
    .filter((a) => a['objectType'] !== 'Group')
    .map((a) => ({ ifis: equivalentIfis(a), name: typeof a['name'] === 'string' ? a['name'] : null }))
    .filter((p) => p.ifis.length)
    .sort((a, b) => (a.ifis[0]! < b.ifis[0]! ? -1 : 1));
  const several = people.filter((p) => p.ifis.length > 1).flatMap((p) => p.ifis);
  const assigned = several.length ? await store.learnersOfIfis(db, [...new Set(several)]) : new Map<string, string>();
  const learners: Array<{ id: string; name: string | null }> = [];
  const actors: Array<{ ifi: string; learnerId: string; name: string | null }> = [];
  for (const p of people) {
    let id = p.ifis.map((i) => assigned.get(i)).find((l) => l !== undefined);
    if (!id) learners.push({ id: (id = randomUUID()), name: p.name });
    for (const ifi of p.ifis) if (!assigned.has(ifi)) actors.push({ ifi, learnerId: assigned.set(ifi, id).get(ifi)!, name: p.name });
  }
  return { learners, actors };
}

/** The learner of an Agent if it has one (no creation). */
export async function findLearner(db: Db, agent: Json): Promise<string | undefined> {
  const known = await store.learnersOfIfis(db, equivalentIfis(agent));
  return [...known.values()][0];
}

/** Adds another Agent (another IFI) to a learner, e.g. the same pupil's account in a second drill. */
export async function linkActor(db: Db, learnerId: string, agent: Json): Promise<void> {
  if (!(await store.getLearner(db, learnerId))) throw new ShirubeError('not_found', `No learner ${learnerId}`, 'learnerId');
  for (const ifi of equivalentIfis(agent)) await store.mapIfiToLearner(db, ifi, learnerId, typeof agent['name'] === 'string' ? agent['name'] : null);
}

/**
 * The Person object of the Agents resource (Communication §2.4): every identifier known for the learner the
 * Agent maps to, or just the Agent itself when unknown.
 */
export async function personOf(db: Db, agent: Json): Promise<Json> {
  const learnerId = await findLearner(db, agent);
  const actors = learnerId ? await store.learnerActors(db, learnerId) : [{ ifi: ifiOf(agent)!, name: typeof agent['name'] === 'string' ? agent['name'] : null }];
  const person: Record<string, unknown[]> = {};
  const add = (k: string, v: unknown) => {
    const list = (person[k] ??= []);
    if (!list.some((x) => JSON.stringify(x) === JSON.stringify(v))) list.push(v);
  };
  if (typeof agent['name'] === 'string') add('name', agent['name']);
  for (const a of actors) {
    if (a.name) add('name', a.name);
    for (const [k, v] of Object.entries(agentOfIfi(a.ifi))) add(k, v);
  }
  return { objectType: 'Person', ...person };
}
