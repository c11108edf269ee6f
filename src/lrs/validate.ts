import { ShirubeError } from '../errors.js';
import { assertStorableJson } from '../store/json.js';
import { isDuration, isIri, isLanguageTag, isMailto, isMediaType, isSha1Hex, isSha2Hex, isUuid, parseTimestamp, toUtc } from './formats.js';

/** The xAPI versions Shirube speaks, chosen per request by X-Experience-API-Version. */
export type XapiVersion = '1.0.3' | '2.0.0';
export type Json = Record<string, unknown>;

export const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';
export const SIGNATURE_USAGE = 'http://adlnet.gov/expapi/attachments/signature';

const INTERACTION_COMPONENTS: Record<string, readonly string[]> = {
  'true-false': [],
  choice: ['choices'],
  'fill-in': [],
  'long-fill-in': [],
  matching: ['source', 'target'],
  performance: ['steps'],
  sequencing: ['choices'],
  likert: ['scale'],
  numeric: [],
  other: [],
};
const ALL_COMPONENTS = ['choices', 'scale', 'source', 'target', 'steps'];
const CONTEXT_ACTIVITY_KEYS = ['parent', 'grouping', 'category', 'other'];

const ifiOfAny = (a: Json) => ['mbox', 'mbox_sha1sum', 'openid', 'account'].some((k) => a[k] !== undefined);

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(path: string, message: string): never {
  throw new ShirubeError('invalid_request', `${path}: ${message}`, path);
}

/**
 * Checks one Statement against xAPI 1.0.3 or 2.0.0 (Data §2 and §4) and returns its normalised copy: context
 * activities always arrays, and under 2.0 timestamps in UTC. Throws a ShirubeError naming the first bad property.
 * Extension values are never judged (the spec forbids rejecting a statement for them).
 */
export function validateStatement(raw: unknown, version: XapiVersion, path = 'statement'): Json {
  const statement = new Checker(version).statement(raw, path);
  // Not a judgement of the content: PostgreSQL cannot store U+0000, and a clear 400 beats a failed write.
  assertStorableJson(statement, path);
  return statement;
}

/** Checks an Agent or Group given as a query or document parameter (`agent=`). */
export function validateAgentParam(raw: unknown, version: XapiVersion, path = 'agent', allowGroup = false): Json {
  return new Checker(version).agent(raw, path, { group: allowGroup ? 'allowed' : 'no' });
}

class Checker {
  constructor(readonly version: XapiVersion) {}

  object(v: unknown, path: string): Json {
    if (!isObject(v)) fail(path, 'must be a JSON object');
    return v as Json;
  }

  keys(o: Json, path: string, allowed: readonly string[], required: readonly string[] = []): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${path}.${k}`, 'is not a property allowed here');
    for (const k of required) if (o[k] === undefined) fail(`${path}.${k}`, 'is required');
  }

  string(v: unknown, path: string): string {
    if (typeof v !== 'string') fail(path, 'must be a string');
    return v as string;
  }

  iri(v: unknown, path: string): void {
    if (!isIri(v)) fail(path, 'must be an absolute IRI');
  }

  languageMap(v: unknown, path: string): void {
    const m = this.object(v, path);
    for (const [k, text] of Object.entries(m)) {
      if (!isLanguageTag(k)) fail(`${path}.${k}`, 'is not an RFC 5646 language tag');
      if (typeof text !== 'string') fail(`${path}.${k}`, 'must be a string');
    }
  }

  extensions(v: unknown, path: string): void {
    const m = this.object(v, path);
    for (const k of Object.keys(m)) if (!isIri(k)) fail(`${path}.${k}`, 'extension keys must be IRIs');
  }

  timestamp(o: Json, key: string, path: string): void {
    if (o[key] === undefined) return;
    if (!parseTimestamp(o[key])) fail(`${path}.${key}`, 'must be an ISO 8601 date-time with a time zone (not -00:00)');
    if (this.version === '2.0.0') o[key] = toUtc(o[key] as string);
  }

  agent(v: unknown, path: string, opts: { group: 'no' | 'allowed' | 'required' }): Json {
    const a = this.object(v, path);
    const type = a['objectType'];
    if (type !== undefined && type !== 'Agent' && type !== 'Group') fail(`${path}.objectType`, 'must be Agent or Group');
    const isGroup = type === 'Group';
    if (isGroup && opts.group === 'no') fail(`${path}.objectType`, 'must be an Agent, not a Group');
    if (!isGroup && opts.group === 'required') fail(`${path}.objectType`, 'must be Group');
    this.keys(a, path, isGroup ? ['objectType', 'name', 'mbox', 'mbox_sha1sum', 'openid', 'account', 'member'] : ['objectType', 'name', 'mbox', 'mbox_sha1sum', 'openid', 'account']);
    if (a['name'] !== undefined) this.string(a['name'], `${path}.name`);
    const ifis = ['mbox', 'mbox_sha1sum', 'openid', 'account'].filter((k) => a[k] !== undefined);
    if (ifis.length > 1) fail(path, `must have exactly one inverse functional identifier, not ${ifis.join(' and ')}`);
    if (a['mbox'] !== undefined && !isMailto(a['mbox'])) fail(`${path}.mbox`, 'must be a mailto: IRI of an email address');
    if (a['mbox_sha1sum'] !== undefined && !isSha1Hex(a['mbox_sha1sum'])) fail(`${path}.mbox_sha1sum`, 'must be a hex SHA-1');
    if (a['openid'] !== undefined) this.iri(a['openid'], `${path}.openid`);
    if (a['account'] !== undefined) {
      const acc = this.object(a['account'], `${path}.account`);
      this.keys(acc, `${path}.account`, ['homePage', 'name'], ['homePage', 'name']);
      this.iri(acc['homePage'], `${path}.account.homePage`);
      this.string(acc['name'], `${path}.account.name`);
    }
    if (isGroup) {
      if (a['member'] !== undefined) {
        if (!Array.isArray(a['member'])) fail(`${path}.member`, 'must be an array of Agents');
        (a['member'] as unknown[]).forEach((m, i) => this.agent(m, `${path}.member.${i}`, { group: 'no' }));
      }
      if (!ifis.length && !(Array.isArray(a['member']) && a['member'].length)) fail(`${path}.member`, 'an anonymous Group must list its members');
    } else if (!ifis.length) {
      fail(path, 'an Agent needs an inverse functional identifier (mbox, mbox_sha1sum, openid or account)');
    }
    return a;
  }

  verb(v: unknown, path: string): Json {
    const verb = this.object(v, path);
    this.keys(verb, path, ['id', 'display'], ['id']);
    this.iri(verb['id'], `${path}.id`);
    if (verb['display'] !== undefined) this.languageMap(verb['display'], `${path}.display`);
    return verb;
  }

  interactionComponents(v: unknown, path: string): void {
    if (!Array.isArray(v)) fail(path, 'must be an array of interaction components');
    const seen = new Set<string>();
    (v as unknown[]).forEach((c, i) => {
      const comp = this.object(c, `${path}.${i}`);
      this.keys(comp, `${path}.${i}`, ['id', 'description'], ['id']);
      const id = this.string(comp['id'], `${path}.${i}.id`);
      if (!id.trim() || /\s/.test(id)) fail(`${path}.${i}.id`, 'must be a non-empty string without spaces');
      if (seen.has(id)) fail(`${path}.${i}.id`, `duplicates the id ${id}`);
      seen.add(id);
      if (comp['description'] !== undefined) this.languageMap(comp['description'], `${path}.${i}.description`);
    });
  }

  activityDefinition(v: unknown, path: string): void {
    const d = this.object(v, path);
    this.keys(d, path, ['name', 'description', 'type', 'moreInfo', 'extensions', 'interactionType', 'correctResponsesPattern', ...ALL_COMPONENTS]);
    if (d['name'] !== undefined) this.languageMap(d['name'], `${path}.name`);
    if (d['description'] !== undefined) this.languageMap(d['description'], `${path}.description`);
    if (d['type'] !== undefined) this.iri(d['type'], `${path}.type`);
    if (d['moreInfo'] !== undefined) this.iri(d['moreInfo'], `${path}.moreInfo`);
    if (d['extensions'] !== undefined) this.extensions(d['extensions'], `${path}.extensions`);
    const it = d['interactionType'];
    if (it !== undefined && (typeof it !== 'string' || !(it in INTERACTION_COMPONENTS))) {
      fail(`${path}.interactionType`, `must be one of ${Object.keys(INTERACTION_COMPONENTS).join(', ')}`);
    }
    const allowed = it === undefined ? [] : INTERACTION_COMPONENTS[it as string]!;
    if (d['correctResponsesPattern'] !== undefined) {
      if (it === undefined) fail(`${path}.correctResponsesPattern`, 'needs an interactionType');
      const p = d['correctResponsesPattern'];
      if (!Array.isArray(p) || p.some((x) => typeof x !== 'string')) fail(`${path}.correctResponsesPattern`, 'must be an array of strings');
    }
    for (const k of ALL_COMPONENTS) {
      if (d[k] === undefined) continue;
      if (!allowed.includes(k)) fail(`${path}.${k}`, `is not allowed for interactionType ${String(it ?? '(none)')}`);
      this.interactionComponents(d[k], `${path}.${k}`);
    }
  }

  activity(v: unknown, path: string): Json {
    const a = this.object(v, path);
    this.keys(a, path, ['objectType', 'id', 'definition'], ['id']);
    if (a['objectType'] !== undefined && a['objectType'] !== 'Activity') fail(`${path}.objectType`, 'must be Activity');
    this.iri(a['id'], `${path}.id`);
    if (a['definition'] !== undefined) this.activityDefinition(a['definition'], `${path}.definition`);
    return a;
  }

  statementRef(v: unknown, path: string): Json {
    const r = this.object(v, path);
    this.keys(r, path, ['objectType', 'id'], ['objectType', 'id']);
    if (r['objectType'] !== 'StatementRef') fail(`${path}.objectType`, 'must be StatementRef');
    if (!isUuid(r['id'])) fail(`${path}.id`, 'must be a UUID');
    return r;
  }

  statementObject(v: unknown, path: string, inSubStatement: boolean): Json {
    const o = this.object(v, path);
    switch (o['objectType']) {
      case undefined:
      case 'Activity':
        return this.activity(o, path);
      case 'Agent':
      case 'Group':
        return this.agent(o, path, { group: 'allowed' });
      case 'StatementRef':
        return this.statementRef(o, path);
      case 'SubStatement':
        if (inSubStatement) fail(`${path}.objectType`, 'a SubStatement cannot contain another SubStatement');
        return this.subStatement(o, path);
      default:
        return fail(`${path}.objectType`, 'must be Activity, Agent, Group, StatementRef or SubStatement');
    }
  }

  score(v: unknown, path: string): void {
    const s = this.object(v, path);
    this.keys(s, path, ['scaled', 'raw', 'min', 'max']);
    for (const k of ['scaled', 'raw', 'min', 'max']) {
      if (s[k] !== undefined && (typeof s[k] !== 'number' || !Number.isFinite(s[k]))) fail(`${path}.${k}`, 'must be a number');
    }
    const { scaled, raw, min, max } = s as Partial<Record<string, number>>;
    if (scaled !== undefined && (scaled < -1 || scaled > 1)) fail(`${path}.scaled`, 'must be between -1 and 1');
    if (min !== undefined && max !== undefined && min >= max) fail(`${path}.min`, 'must be less than max');
    if (raw !== undefined && min !== undefined && raw < min) fail(`${path}.raw`, 'must not be less than min');
    if (raw !== undefined && max !== undefined && raw > max) fail(`${path}.raw`, 'must not be more than max');
  }

  result(v: unknown, path: string): void {
    const r = this.object(v, path);
    this.keys(r, path, ['score', 'success', 'completion', 'response', 'duration', 'extensions']);
    if (r['score'] !== undefined) this.score(r['score'], `${path}.score`);
    for (const k of ['success', 'completion']) if (r[k] !== undefined && typeof r[k] !== 'boolean') fail(`${path}.${k}`, 'must be true or false');
    if (r['response'] !== undefined) this.string(r['response'], `${path}.response`);
    if (r['duration'] !== undefined && !isDuration(r['duration'])) fail(`${path}.duration`, 'must be an ISO 8601 duration');
    if (r['extensions'] !== undefined) this.extensions(r['extensions'], `${path}.extensions`);
  }

  relevantTypes(v: unknown, path: string): void {
    if (!Array.isArray(v) || !v.length) fail(path, 'must be a non-empty array of IRIs');
    (v as unknown[]).forEach((t, i) => this.iri(t, `${path}.${i}`));
  }

  context(v: unknown, path: string, object: Json): void {
    const c = this.object(v, path);
    const v2 = this.version === '2.0.0';
    this.keys(c, path, [
      'registration', 'instructor', 'team', 'contextActivities', 'revision', 'platform', 'language', 'statement', 'extensions',
      ...(v2 ? ['contextAgents', 'contextGroups'] : []),
    ]);
    if (c['registration'] !== undefined && !isUuid(c['registration'])) fail(`${path}.registration`, 'must be a UUID');
    if (c['instructor'] !== undefined) this.agent(c['instructor'], `${path}.instructor`, { group: 'allowed' });
    if (c['team'] !== undefined) this.agent(c['team'], `${path}.team`, { group: 'required' });
    const objectIsActivity = object['objectType'] === undefined || object['objectType'] === 'Activity';
    for (const k of ['revision', 'platform']) {
      if (c[k] === undefined) continue;
      this.string(c[k], `${path}.${k}`);
      if (!objectIsActivity) fail(`${path}.${k}`, 'is only allowed when the object is an Activity');
    }
    if (c['language'] !== undefined && !isLanguageTag(c['language'])) fail(`${path}.language`, 'must be an RFC 5646 language tag');
    if (c['statement'] !== undefined) this.statementRef(c['statement'], `${path}.statement`);
    if (c['extensions'] !== undefined) this.extensions(c['extensions'], `${path}.extensions`);
    if (c['contextActivities'] !== undefined) {
      const ca = this.object(c['contextActivities'], `${path}.contextActivities`);
      this.keys(ca, `${path}.contextActivities`, CONTEXT_ACTIVITY_KEYS);
      for (const k of CONTEXT_ACTIVITY_KEYS) {
        if (ca[k] === undefined) continue;
        // The LRS returns every context activity list as an array (Data §2.4.6.2).
        const list = Array.isArray(ca[k]) ? (ca[k] as unknown[]) : [ca[k]];
        list.forEach((a, i) => this.activity(a, `${path}.contextActivities.${k}.${i}`));
        ca[k] = list;
      }
    }
    for (const [k, inner, type] of [['contextAgents', 'agent', 'contextAgent'], ['contextGroups', 'group', 'contextGroup']] as const) {
      if (c[k] === undefined) continue;
      if (!Array.isArray(c[k])) fail(`${path}.${k}`, 'must be an array');
      (c[k] as unknown[]).forEach((e, i) => {
        const p = `${path}.${k}.${i}`;
        const o = this.object(e, p);
        this.keys(o, p, ['objectType', inner, 'relevantTypes'], ['objectType', inner]);
        if (o['objectType'] !== type) fail(`${p}.objectType`, `must be ${type}`);
        this.agent(o[inner], `${p}.${inner}`, { group: inner === 'group' ? 'required' : 'no' });
        if (o['relevantTypes'] !== undefined) this.relevantTypes(o['relevantTypes'], `${p}.relevantTypes`);
      });
    }
  }

  attachments(v: unknown, path: string): void {
    if (!Array.isArray(v)) fail(path, 'must be an array');
    (v as unknown[]).forEach((x, i) => {
      const p = `${path}.${i}`;
      const a = this.object(x, p);
      this.keys(a, p, ['usageType', 'display', 'description', 'contentType', 'length', 'sha2', 'fileUrl'], ['usageType', 'display', 'contentType', 'length', 'sha2']);
      this.iri(a['usageType'], `${p}.usageType`);
      this.languageMap(a['display'], `${p}.display`);
      if (a['description'] !== undefined) this.languageMap(a['description'], `${p}.description`);
      if (!isMediaType(a['contentType'])) fail(`${p}.contentType`, 'must be an Internet media type');
      if (!Number.isInteger(a['length']) || (a['length'] as number) < 0) fail(`${p}.length`, 'must be a non-negative integer');
      if (!isSha2Hex(a['sha2'])) fail(`${p}.sha2`, 'must be a hex SHA-2 hash');
      if (a['fileUrl'] !== undefined) this.iri(a['fileUrl'], `${p}.fileUrl`);
    });
  }

  /** The properties a Statement and a SubStatement share. */
  core(s: Json, path: string, inSubStatement: boolean): void {
    this.agent(s['actor'], `${path}.actor`, { group: 'allowed' });
    const verb = this.verb(s['verb'], `${path}.verb`);
    const object = this.statementObject(s['object'], `${path}.object`, inSubStatement);
    if (verb['id'] === VOIDED && object['objectType'] !== 'StatementRef') fail(`${path}.object`, 'a voiding statement must have a StatementRef object');
    if (s['result'] !== undefined) this.result(s['result'], `${path}.result`);
    if (s['context'] !== undefined) this.context(s['context'], `${path}.context`, object);
    this.timestamp(s, 'timestamp', path);
    if (s['attachments'] !== undefined) this.attachments(s['attachments'], `${path}.attachments`);
  }

  subStatement(s: Json, path: string): Json {
    this.keys(s, path, ['objectType', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'attachments'], ['actor', 'verb', 'object']);
    this.core(s, path, true);
    return s;
  }

  statement(raw: unknown, path: string): Json {
    const s = structuredClone(this.object(raw, path));
    this.keys(s, path, ['id', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'stored', 'authority', 'version', 'attachments'], ['actor', 'verb', 'object']);
    if (s['id'] !== undefined && !isUuid(s['id'])) fail(`${path}.id`, 'must be a UUID');
    this.core(s, path, false);
    this.timestamp(s, 'stored', path);
    if (s['authority'] !== undefined) {
      const a = this.agent(s['authority'], `${path}.authority`, { group: 'allowed' });
      // A Group authority is OAuth's pair of an application and a user.
      if (a['objectType'] === 'Group' && (ifiOfAny(a) || !Array.isArray(a['member']) || a['member'].length !== 2)) {
        fail(`${path}.authority`, 'a Group authority is an anonymous Group of exactly two Agents (OAuth: application and user)');
      }
    }
    if (s['version'] !== undefined) {
      const ok = this.version === '2.0.0' ? /^(1\.0(\.\d+)?|2\.0(\.\d+)?)$/ : /^1\.0(\.\d+)?$/;
      if (typeof s['version'] !== 'string' || !ok.test(s['version'])) fail(`${path}.version`, `must be a ${this.version === '2.0.0' ? '1.0.x or 2.0.x' : '1.0.x'} version`);
    }
    return s;
  }
}
