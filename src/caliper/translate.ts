import { ShirubeError } from '../errors.js';
import { COURSE_OF_STUDY_CODE, cfItemExtension, isObject, type Json } from '../lrs/index.js';
import type { AcceptedEventType } from './schema.js';

/** Our extension IRI (context extension) keeping where a statement came from: the Caliper event's id, type and action. */
export const CALIPER_EVENT_EXTENSION_PATH = '/xapi/extensions/caliper-event';
/** The account homePage of learners known only by a Caliper Person IRI (docs/caliper.md). */
const CALIPER_PERSONS_PATH = '/caliper/persons';

/** The xAPI verb for each accepted action (ADL vocabulary where it has one; the Caliper action IRI where not). */
const VERBS: Record<string, { id: string; en: string; ja: string }> = {
  'AssessmentItemEvent/Started': { id: 'http://adlnet.gov/expapi/verbs/attempted', en: 'attempted', ja: '取り組んだ' },
  'AssessmentItemEvent/Skipped': { id: 'http://id.tincanapi.com/verb/skipped', en: 'skipped', ja: '飛ばした' },
  'AssessmentItemEvent/Completed': { id: 'http://adlnet.gov/expapi/verbs/answered', en: 'answered', ja: '回答した' },
  'AssessmentEvent/Started': { id: 'http://adlnet.gov/expapi/verbs/attempted', en: 'attempted', ja: '取り組んだ' },
  'AssessmentEvent/Paused': { id: 'http://adlnet.gov/expapi/verbs/suspended', en: 'suspended', ja: '中断した' },
  'AssessmentEvent/Resumed': { id: 'http://adlnet.gov/expapi/verbs/resumed', en: 'resumed', ja: '再開した' },
  'AssessmentEvent/Restarted': { id: 'http://purl.imsglobal.org/caliper/actions/Restarted', en: 'restarted', ja: 'やり直した' },
  'AssessmentEvent/Reset': { id: 'http://purl.imsglobal.org/caliper/actions/Reset', en: 'reset', ja: 'リセットした' },
  'AssessmentEvent/Submitted': { id: 'http://adlnet.gov/expapi/verbs/completed', en: 'completed', ja: '提出した' },
  'GradeEvent/Graded': { id: 'http://adlnet.gov/expapi/verbs/scored', en: 'scored', ja: '採点された' },
};

const ACTIVITY_TYPES: Record<string, string> = {
  AssessmentItem: 'http://adlnet.gov/expapi/activities/question',
  Assessment: 'http://adlnet.gov/expapi/activities/assessment',
};

const UUID_URN = /^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const CODE = /^\d{16}$/;
const idOf = (e: unknown): string => (typeof e === 'string' ? e : String((e as Json)['id']));
const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * The CFItems an entity (an AssessmentItem or Assessment) names, as the LRS links them (src/lrs/evidence.ts): item
 * references (UUID, CASE URI or /uri/ URL) and Course of Study Codes. From its `learningObjectives` (each
 * LearningObjective's id, and its or the entity's `otherIdentifiers` of type CaseItemUri) and from the extensions
 * `<SHIRUBE_PUBLIC_URL>/xapi/extensions/cf-item` and the Japan xAPI profile's course-of-study-code.
 */
function cfItemReferences(resource: unknown, publicUrl: string): { references: string[]; codes: string[] } {
  const references: string[] = [];
  const codes: string[] = [];
  const codeUri = `${publicUrl}/uri/code/`;
  const add = (r: string) => {
    const uuid = UUID_URN.exec(r)?.[1];
    if (uuid) references.push(uuid.toLowerCase());
    else if (r.startsWith(codeUri) && CODE.test(r.slice(codeUri.length))) codes.push(r.slice(codeUri.length));
    else references.push(r);
  };
  const fromIdentifiers = (e: Json) => {
    for (const i of Array.isArray(e['otherIdentifiers']) ? e['otherIdentifiers'] : []) if (isObject(i) && i['identifierType'] === 'CaseItemUri') add(String(i['identifier']));
  };
  const fromExtensions = (e: Json) => {
    const ext = isObject(e['extensions']) ? e['extensions'] : {};
    strings(ext[cfItemExtension(publicUrl)]).forEach(add);
    for (const c of strings(ext[COURSE_OF_STUDY_CODE])) codes.push(c);
  };
  if (!isObject(resource)) return { references, codes };
  fromIdentifiers(resource);
  fromExtensions(resource);
  for (const lo of Array.isArray(resource['learningObjectives']) ? resource['learningObjectives'] : []) {
    add(idOf(lo));
    if (isObject(lo)) {
      fromIdentifiers(lo);
      fromExtensions(lo);
    }
  }
  return { references: [...new Set(references)], codes: [...new Set(codes)] };
}

/** SystemIdentifier types that carry a OneRoster sourcedId (E.2). */
const SOURCED_ID_TYPES = new Set(['OneRosterSourcedId', 'LisSourcedId']);

/** The OneRoster sourcedIds a Person carries in its otherIdentifiers. */
export function sourcedIdsOf(person: unknown): string[] {
  if (!isObject(person) || !Array.isArray(person['otherIdentifiers'])) return [];
  return person['otherIdentifiers'].filter((i): i is Json => isObject(i) && SOURCED_ID_TYPES.has(String(i['identifierType']))).map((i) => String(i['identifier']));
}

/** The learner a Caliper event is about: the actor Person, or a graded Attempt's assignee. */
export const learnerOfEvent = (event: Json): unknown => (event['type'] === 'GradeEvent' ? (event['object'] as Json)['assignee'] : event['actor']);

/**
 * The learner as an xAPI Agent: a rostered student named by a OneRoster sourcedId (`roster`: their actors, by
 * sourcedId) is that student; a mailto: IRI is an mbox; any other Person IRI an account under our homePage.
 */
function agentOfPerson(person: unknown, publicUrl: string, roster: Map<string, Json>): Json {
  const rostered = sourcedIdsOf(person).map((s) => roster.get(s)).find((a) => a !== undefined);
  if (rostered) return rostered;
  const id = idOf(person);
  if (/^mailto:/i.test(id)) return { objectType: 'Agent', mbox: id };
  return { objectType: 'Agent', account: { homePage: `${publicUrl}${CALIPER_PERSONS_PATH}`, name: id } };
}

/** The Activity of an AssessmentItem or Assessment, its definition carrying the CFItems it names. */
function activityOf(resource: unknown, publicUrl: string): Json {
  const activity: Json = { objectType: 'Activity', id: idOf(resource) };
  if (!isObject(resource)) return activity;
  const definition: Json = {};
  const type = ACTIVITY_TYPES[String(resource['type'])];
  if (type) definition['type'] = type;
  // A Caliper name has no language: "und" (undetermined, BCP 47).
  if (typeof resource['name'] === 'string' && resource['name']) definition['name'] = { und: resource['name'] };
  const { references, codes } = cfItemReferences(resource, publicUrl);
  const extensions: Json = {};
  if (references.length) extensions[cfItemExtension(publicUrl)] = references;
  if (codes.length) extensions[COURSE_OF_STUDY_CODE] = codes;
  if (Object.keys(extensions).length) definition['extensions'] = extensions;
  if (Object.keys(definition).length) activity['definition'] = definition;
  return activity;
}

/** result.score of a Score: raw of max (min 0) and scaled; without maxScore > 0, raw alone (no evidence of correctness). */
function resultOf(score: unknown, field: string): Json | undefined {
  if (!isObject(score) || typeof score['scoreGiven'] !== 'number') return undefined;
  const given = score['scoreGiven'];
  const max = typeof score['maxScore'] === 'number' ? score['maxScore'] : undefined;
  if (max === undefined || max <= 0) return { score: { raw: given } };
  if (given < 0 || given > max) throw new ShirubeError('invalid_request', `${field}.scoreGiven: must be between 0 and maxScore (${max})`, `${field}.scoreGiven`);
  return { score: { scaled: given / max, raw: given, min: 0, max } };
}

/**
 * One accepted Caliper event (already validated) as the xAPI statement Shirube stores for it (docs/caliper.md): the
 * statement id is the event's UUID, so that a re-sent event is the same statement and stored once.
 */
export function statementOfEvent(event: Json, field: string, publicUrl: string, roster: Map<string, Json>): Json {
  const type = event['type'] as AcceptedEventType;
  const action = String(event['action']);
  const verb = VERBS[`${type}/${action}`]!;
  const grade = type === 'GradeEvent';
  const attempt = grade ? (event['object'] as Json) : undefined;
  const resource = attempt ? attempt['assignable'] : event['object'];
  const statement: Json = {
    id: UUID_URN.exec(String(event['id']))![1]!.toLowerCase(),
    actor: agentOfPerson(learnerOfEvent(event), publicUrl, roster),
    verb: { id: verb.id, display: { 'en-US': verb.en, 'ja-JP': verb.ja } },
    object: activityOf(resource, publicUrl),
    // When the learner answered: a graded Attempt's end (or start), else the event's time.
    timestamp: (attempt && (attempt['endedAtTime'] ?? attempt['startedAtTime'])) ?? event['eventTime'],
    context: {
      ...(typeof event['edApp'] === 'string' ? { platform: event['edApp'] } : isObject(event['edApp']) ? { platform: String(event['edApp']['id']) } : {}),
      extensions: { [`${publicUrl}${CALIPER_EVENT_EXTENSION_PATH}`]: { id: event['id'], type, action } },
    },
  };
  const result = grade ? resultOf(event['generated'], `${field}.generated`) : type === 'AssessmentItemEvent' && action === 'Completed' ? { completion: true } : undefined;
  if (result) statement['result'] = result;
  return statement;
}
