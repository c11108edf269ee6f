import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * JSON Schemas of the Caliper 1.2 data this endpoint accepts, written from the specification (IMS Caliper Analytics
 * 1.2: §5.2 Envelope, §2.1 Event, B.2 AssessmentEvent, B.3 AssessmentItemEvent, B.6 GradeEvent, C.6 Attempt, C.26
 * LearningObjective, C.40 Score, E.1 SystemIdentifier): 1EdTech publishes the JSON-LD context for 1.2 but no JSON
 * Schema. Events are closed (custom attributes belong in `extensions`, §2.1); entities are checked for the
 * properties Shirube reads and may carry the others their type defines.
 */
export const CALIPER_V1P2 = 'http://purl.imsglobal.org/ctx/caliper/v1p2';

/** The events accepted, with their actions (B.2, B.3, B.6). */
export const ACCEPTED_ACTIONS = {
  AssessmentItemEvent: ['Started', 'Skipped', 'Completed'],
  AssessmentEvent: ['Started', 'Paused', 'Resumed', 'Restarted', 'Reset', 'Submitted'],
  GradeEvent: ['Graded'],
} as const;
export type AcceptedEventType = keyof typeof ACCEPTED_ACTIONS;

/** The metric profiles of Caliper 1.2 (the `profile` term of an Event). */
const PROFILES = [
  'AnnotationProfile', 'AssessmentProfile', 'AssignableProfile', 'FeedbackProfile', 'ForumProfile', 'GeneralProfile', 'GradingProfile',
  'MediaProfile', 'ReadingProfile', 'ResourceManagementProfile', 'SearchProfile', 'SessionProfile', 'SurveyProfile', 'ToolLaunchProfile', 'ToolUseProfile',
];
/** E.2 System Identifier Types. */
const IDENTIFIER_TYPES = [
  'AccountUserName', 'CaseItemUri', 'EmailAddress', 'LisSourcedId', 'LtiContextId', 'LtiDeploymentId', 'LtiPlatformId', 'LtiToolId', 'LtiUserId', 'OneRosterSourcedId', 'Other', 'SisSourcedId', 'SystemId',
];
/** Response and its subtypes (C.37…), what an AssessmentItemEvent generates. */
const RESPONSE_TYPES = ['Response', 'FillinBlankResponse', 'MultipleChoiceResponse', 'MultipleResponseResponse', 'SelectTextResponse', 'TrueFalseResponse'];
/** Agent and its subtypes (C.1), for a GradeEvent's actor. */
const AGENT_TYPES = ['Agent', 'Person', 'SoftwareApplication', 'Organization', 'Group', 'CourseOffering', 'CourseSection'];

const IRI = { type: 'string', maxLength: 2048, pattern: '^(?:[A-Za-z][A-Za-z0-9+.-]*:|_:)[^\\s]+$', description: 'an IRI (or a blank node identifier _:…)' } as const;
const DATE_TIME = {
  type: 'string',
  pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?Z$',
  description: 'a UTC date and time, YYYY-MM-DDTHH:mm:ss.SSSZ',
} as const;
const EVENT_ID = { type: 'string', pattern: '^urn:uuid:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$', description: 'a UUID as a URN, urn:uuid:<UUID>' } as const;
const CONTEXT = {
  if: { type: 'string' },
  then: { const: CALIPER_V1P2 },
  else: { type: 'array', minItems: 1, maxItems: 20, contains: { const: CALIPER_V1P2 } },
  description: `the Caliper 1.2 context ${CALIPER_V1P2}`,
} as const;
const EXTENSIONS = { type: 'object' } as const;

/** An entity as an IRI or as an object of one of `types` (id and type required, §2.2). */
function entity(types: readonly string[] | null, properties: Record<string, unknown> = {}, required: string[] = []) {
  return {
    if: { type: 'string' },
    then: IRI,
    else: {
      type: 'object',
      required: ['id', 'type', ...required],
      properties: { '@context': CONTEXT, id: IRI, type: types ? { enum: types } : { type: 'string', minLength: 1 }, name: { type: 'string' }, description: { type: 'string' }, dateCreated: DATE_TIME, dateModified: DATE_TIME, extensions: EXTENSIONS, otherIdentifiers: { type: 'array', items: SYSTEM_IDENTIFIER }, ...properties },
    },
  };
}

const SYSTEM_IDENTIFIER = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'identifier', 'identifierType'],
  properties: { type: { const: 'SystemIdentifier' }, identifier: { type: 'string', minLength: 1, maxLength: 2048 }, identifierType: { enum: IDENTIFIER_TYPES }, source: { if: { type: 'string' }, then: IRI, else: { type: 'object' } }, extensions: EXTENSIONS },
} as const;

const ANY = entity(null);
const LEARNING_OBJECTIVE = entity(['LearningObjective']);
/** DigitalResource properties Shirube reads (`learningObjectives` name the CFItems). */
const resource = (types: string[]) =>
  entity(types, { learningObjectives: { type: 'array', maxItems: 100, items: LEARNING_OBJECTIVE }, isPartOf: ANY, maxScore: { type: 'number', minimum: 0 }, maxAttempts: { type: 'integer', minimum: 0 } });
const ASSESSMENT_ITEM = resource(['AssessmentItem']);
const ASSESSMENT = resource(['Assessment']);
const PERSON = entity(['Person']);

/** The Event properties (§2.1); `target` is not applicable to a GradeEvent. */
function event(type: AcceptedEventType, parts: { actor: unknown; object: unknown; generated: unknown; referrer?: unknown; target?: boolean }) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['@context', 'id', 'type', 'actor', 'action', 'object', 'eventTime'],
    properties: {
      '@context': CONTEXT,
      id: EVENT_ID,
      type: { const: type },
      profile: { enum: PROFILES },
      actor: parts.actor,
      action: { enum: ACCEPTED_ACTIONS[type] },
      object: parts.object,
      eventTime: DATE_TIME,
      ...(parts.target === false ? {} : { target: ANY }),
      generated: parts.generated,
      edApp: ANY,
      referrer: parts.referrer ?? ANY,
      group: ANY,
      membership: ANY,
      session: ANY,
      federatedSession: ANY,
      extensions: EXTENSIONS,
    },
  };
}

const ATTEMPT_OF_LEARNER = {
  type: 'object',
  required: ['id', 'type', 'assignee', 'assignable'],
  properties: {
    '@context': CONTEXT, id: IRI, type: { const: 'Attempt' }, assignee: PERSON, assignable: resource(['AssessmentItem', 'Assessment', 'AssignableDigitalResource', 'DigitalResource']),
    isPartOf: ANY, count: { type: 'integer', minimum: 0 }, startedAtTime: DATE_TIME, endedAtTime: DATE_TIME, dateCreated: DATE_TIME, dateModified: DATE_TIME, extensions: EXTENSIONS,
  },
  description: 'the graded Attempt as an object naming its assignee (the learner) and assignable (the item)',
} as const;
const SCORE = entity(['Score'], { scoreGiven: { type: 'number' }, maxScore: { type: 'number', minimum: 0 }, attempt: ANY, scoredBy: ANY, comment: { type: 'string' } });

const schemas = {
  envelope: {
    type: 'object',
    additionalProperties: false,
    required: ['sensor', 'sendTime', 'dataVersion', 'data'],
    properties: { sensor: { type: 'string', minLength: 1, maxLength: 2048 }, sendTime: DATE_TIME, dataVersion: { type: 'string', minLength: 1, maxLength: 2048 }, data: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'object' } } },
  },
  // B.3: a Response for Completed (the 1.2 fixtures also generate the Attempt on Started); the previous item as referrer.
  AssessmentItemEvent: event('AssessmentItemEvent', { actor: PERSON, object: ASSESSMENT_ITEM, generated: entity(['Attempt', ...RESPONSE_TYPES]), referrer: ASSESSMENT_ITEM }),
  AssessmentEvent: event('AssessmentEvent', { actor: PERSON, object: ASSESSMENT, generated: entity(['Attempt']) }),
  GradeEvent: event('GradeEvent', { actor: entity(AGENT_TYPES), object: ATTEMPT_OF_LEARNER, generated: SCORE, target: false }),
  /** An Entity describe (§5.2: an envelope may carry entities beside events). */
  entity: { type: 'object', required: ['@context', 'id', 'type'], properties: { '@context': CONTEXT, id: IRI, type: { type: 'string', minLength: 1 } } },
};

const ajv = new Ajv({ strict: false, allErrors: false, verbose: true });
const compiled = Object.fromEntries(Object.entries(schemas).map(([k, s]) => [k, ajv.compile(s)])) as Record<keyof typeof schemas, ValidateFunction>;

/** `field: message` of the first error, with the field as a dotted path under `base` (`data.0.object.assignee`). */
function describe(e: ErrorObject, base: string): { field: string; message: string } {
  const path = [base, ...e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))].filter(Boolean).join('.');
  const at = (child: string) => (path ? `${path}.${child}` : child);
  const p = e.params as Record<string, unknown>;
  const described = (e.parentSchema as { description?: string } | undefined)?.description;
  switch (e.keyword) {
    case 'required':
      return { field: at(String(p['missingProperty'])), message: 'is required' };
    case 'additionalProperties':
      return { field: at(String(p['additionalProperty'])), message: 'is not a property of this Caliper type (custom attributes go in extensions)' };
    case 'enum':
      return { field: path, message: `must be one of ${(p['allowedValues'] as unknown[]).join(', ')}` };
    case 'const':
      return { field: path, message: `must be ${JSON.stringify(p['allowedValue'])}` };
    case 'pattern':
    case 'contains':
      return { field: path, message: `must be ${described ?? 'well formed'}` };
    default:
      return { field: path, message: e.message ?? 'is invalid' };
  }
}

/** Validates against one of the schemas; null when valid, else the first error's field and message. */
export function schemaError(which: keyof typeof schemas, value: unknown, base: string): { field: string; message: string } | null {
  const v = compiled[which];
  if (v(value)) return null;
  return describe(v.errors![0]!, base);
}
