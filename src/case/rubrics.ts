import type { Db } from '../store/db.js';
import { getItem, getRubric, isMember, memberDocuments, putRubric, removeRubric } from '../store/case.js';
import { ShirubeError } from '../errors.js';
import { getFramework } from './frameworks.js';
import { checkIfMatch, edit } from './authoring.js';
import { itemLink } from './items.js';
import { localUri } from './model.js';
import { isCaseUuid, uuidv4 } from './uuid.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (field: string, msg: string) => new ShirubeError('invalid_request', `${field}: ${msg}`, field);

const MAX_CRITERIA = 1000;
const MAX_LEVELS = 10;

function optionalString(o: Obj, name: string, path: string, max = 10_000): string | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > max) throw bad(`${path}.${name}`, `must be a string of at most ${max} characters`);
  return v;
}

function identifierOf(o: Obj, path: string): string {
  const v = o['identifier'];
  if (v === undefined) return uuidv4();
  if (typeof v !== 'string' || !isCaseUuid(v.toLowerCase())) throw bad(`${path}.identifier`, 'must be a UUID (or left out: one is made)');
  return v.toLowerCase();
}

function number(o: Obj, name: string, path: string, integer = false): number | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) throw bad(`${path}.${name}`, `must be ${integer ? 'an integer' : 'a number'}`);
  return v;
}

/**
 * An authored CFRubric checked field by field and completed as CASE 1.1 wants it: identifiers (made where left
 * out), URIs, rubricId / rubricCriterionId, positions, each criterion's CFItemURI from the stored CFItem, and
 * lastChangeDateTime on every entity. Levels need a name (quality) and a score, so that the rubric can drive the
 * mastery rules (docs/progress.md: Rubrics).
 */
export async function checkRubric(db: Db, identifier: string, body: unknown, now: Date): Promise<Obj> {
  if (!isObj(body)) throw bad('body', 'must be a CFRubric object');
  for (const k of Object.keys(body)) {
    if (!['identifier', 'uri', 'title', 'description', 'lastChangeDateTime', 'CFRubricCriteria', 'extensions'].includes(k)) throw bad(k, 'unknown CFRubric property');
  }
  if (body['identifier'] !== undefined && String(body['identifier']).toLowerCase() !== identifier) throw bad('identifier', `must be the identifier in the path (${identifier})`);
  const changed = now.toISOString();
  const title = optionalString(body, 'title', 'CFRubric', 1000);
  const description = optionalString(body, 'description', 'CFRubric');
  if (body['extensions'] !== undefined && !isObj(body['extensions'])) throw bad('extensions', 'must be an object');
  const criteria = body['CFRubricCriteria'];
  if (!Array.isArray(criteria) || criteria.length < 1 || criteria.length > MAX_CRITERIA) throw bad('CFRubricCriteria', `must list 1 to ${MAX_CRITERIA} criteria`);
  const out: Obj[] = [];
  for (const [i, c] of criteria.entries()) {
    const path = `CFRubricCriteria.${i}`;
    if (!isObj(c)) throw bad(path, 'must be a CFRubricCriterion object');
    const link = c['CFItemURI'];
    const itemId = isObj(link) && typeof link['identifier'] === 'string' ? link['identifier'] : undefined;
    if (!itemId) throw bad(`${path}.CFItemURI.identifier`, 'is required: the CFItem this criterion assesses');
    const item = await getItem(db, itemId);
    if (!item) throw bad(`${path}.CFItemURI.identifier`, `no CFItem ${itemId} is stored`);
    const criterionId = identifierOf(c, path);
    const levelsIn = c['CFRubricCriterionLevels'];
    if (!Array.isArray(levelsIn) || levelsIn.length < 1 || levelsIn.length > MAX_LEVELS) throw bad(`${path}.CFRubricCriterionLevels`, `must list 1 to ${MAX_LEVELS} levels`);
    const qualities = new Set<string>();
    const levels = levelsIn.map((l, j) => {
      const lp = `${path}.CFRubricCriterionLevels.${j}`;
      if (!isObj(l)) throw bad(lp, 'must be a CFRubricCriterionLevel object');
      const quality = l['quality'];
      if (typeof quality !== 'string' || !quality.trim() || quality.length > 50) throw bad(`${lp}.quality`, 'is required: the level’s name, 1 to 50 characters (e.g. A)');
      if (qualities.has(quality)) throw bad(`${lp}.quality`, `"${quality}" is used by another level of this criterion`);
      qualities.add(quality);
      const score = number(l, 'score', lp);
      if (score === undefined) throw bad(`${lp}.score`, 'is required: the lowest mean score (0–1) at this level, or its points');
      const levelId = identifierOf(l, lp);
      return {
        identifier: levelId, uri: localUri(levelId), quality, score,
        ...(optionalString(l, 'description', lp) !== undefined ? { description: l['description'] } : {}),
        ...(optionalString(l, 'feedback', lp) !== undefined ? { feedback: l['feedback'] } : {}),
        position: number(l, 'position', lp, true) ?? j + 1,
        rubricCriterionId: criterionId, lastChangeDateTime: changed,
      };
    });
    const ext = c['extensions'];
    if (ext !== undefined && !isObj(ext)) throw bad(`${path}.extensions`, 'must be an object');
    const mastery = isObj(ext) ? ext['masteryLevel'] : undefined;
    if (mastery !== undefined && !levels.some((l) => l.quality === mastery || l.identifier === mastery)) throw bad(`${path}.extensions.masteryLevel`, 'must name one of the criterion’s levels (its quality or identifier)');
    out.push({
      identifier: criterionId, uri: localUri(criterionId),
      ...(optionalString(c, 'category', path, 1000) !== undefined ? { category: c['category'] } : {}),
      ...(optionalString(c, 'description', path) !== undefined ? { description: c['description'] } : {}),
      CFItemURI: itemLink(item),
      ...(number(c, 'weight', path) !== undefined ? { weight: c['weight'] } : {}),
      position: number(c, 'position', path, true) ?? i + 1,
      rubricId: identifier, lastChangeDateTime: changed,
      ...(isObj(ext) ? { extensions: ext } : {}),
      CFRubricCriterionLevels: levels,
    });
  }
  return {
    identifier, uri: localUri(identifier),
    ...(title !== undefined ? { title } : {}),
    ...(description !== undefined ? { description } : {}),
    lastChangeDateTime: changed,
    ...(isObj(body['extensions']) ? { extensions: body['extensions'] } : {}),
    CFRubricCriteria: out,
  };
}

/**
 * Creates or replaces a CFRubric of a framework, audited and kept in the history; the framework's lastChangeDateTime
 * moves on (CASE consumers sync by it). Replacing needs the rubric's ETag (`ifMatch`). A rubric another framework
 * holds cannot be taken over. Rubrics are assessment material over a framework: an official framework takes them too.
 */
export async function saveRubric(db: Db, documentIdentifier: string, identifier: string, body: unknown, by: { actor: string; now?: Date; ifMatch?: string | undefined }): Promise<{ created: boolean; rubric: Obj }> {
  if (!isCaseUuid(identifier)) throw bad('rubricId', 'must be a UUID');
  await getFramework(db, documentIdentifier);
  const holders = (await memberDocuments(db, identifier)).filter((d) => d.identifier !== documentIdentifier);
  if (holders.length) throw new ShirubeError('conflict', `CFRubric ${identifier} belongs to framework ${holders[0]!.identifier}; change it there`, 'rubricId');
  const now = by.now ?? new Date();
  const rubric = await checkRubric(db, identifier, body, now);
  const criteria = rubric['CFRubricCriteria'] as Obj[];
  const previous = await getRubric(db, identifier);
  await edit(db, documentIdentifier, { actor: by.actor, canSee: () => true, now }, {
    action: previous ? 'rubric.update' : 'rubric.create', targetType: 'CFRubric', targetId: identifier,
    details: { items: criteria.map((c) => (c['CFItemURI'] as Obj)['identifier']) },
  }, async (e) => {
    if (previous) checkIfMatch(by.ifMatch, previous.payload, `CFRubric ${identifier}`);
    await putRubric(e.trx, documentIdentifier, { identifier, payload: rubric, lastChange: now });
    e.record(previous ? 'update' : 'create', 'CFRubric', identifier, previous?.payload ?? null, rubric);
  });
  return { created: !previous, rubric };
}

/** Deletes a CFRubric from a framework (its ETag in `ifMatch`), audited and kept in the history. */
export async function deleteRubric(db: Db, documentIdentifier: string, identifier: string, by: { actor: string; now?: Date; ifMatch?: string | undefined }): Promise<void> {
  await edit(db, documentIdentifier, { actor: by.actor, canSee: () => true, ...(by.now ? { now: by.now } : {}) }, { action: 'rubric.delete', targetType: 'CFRubric', targetId: identifier }, async (e) => {
    const previous = await getRubric(e.trx, identifier);
    if (!previous || !(await isMember(e.trx, documentIdentifier, 'CFRubric', identifier))) throw new ShirubeError('not_found', `No CFRubric ${identifier} in framework ${documentIdentifier}`, 'rubricId');
    checkIfMatch(by.ifMatch, previous.payload, `CFRubric ${identifier}`);
    await removeRubric(e.trx, documentIdentifier, identifier);
    e.record('delete', 'CFRubric', identifier, previous.payload, null);
  });
}
