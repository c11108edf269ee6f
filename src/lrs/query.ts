import type { Db } from '../store/db.js';
import * as store from '../store/lrs.js';
import { ShirubeError } from '../errors.js';
import { checkInput } from '../input.js';
import { ifiOf } from './agents.js';
import { isIri, isUuid, parseTimestamp } from './formats.js';
import { isObject, validateAgentParam, type Json, type XapiVersion } from './validate.js';

export const STATEMENT_QUERY_PARAMS = [
  'statementId', 'voidedStatementId', 'agent', 'verb', 'activity', 'registration', 'related_activities', 'related_agents',
  'since', 'until', 'limit', 'format', 'attachments', 'ascending',
] as const;
/** The most statements one response holds; `limit=0` means this. */
export const PAGE_SIZE = 100;

export type StatementFormat = 'ids' | 'exact' | 'canonical';

export type StatementQuery =
  | { kind: 'single'; id: string; voided: boolean; format: StatementFormat; attachments: boolean }
  | { kind: 'list'; filter: Omit<store.StatementFilter, 'clientId'>; format: StatementFormat; attachments: boolean; params: Record<string, string> };

function bad(field: string, message: string): never {
  throw new ShirubeError('invalid_request', `${field}: ${message}`, field);
}

function bool(v: string | undefined, field: string): boolean {
  if (v === undefined) return false;
  if (v !== 'true' && v !== 'false') bad(field, 'must be true or false');
  return v === 'true';
}

function parseJson(v: string, field: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(v);
  } catch {
    return bad(field, 'must be JSON');
  }
  checkInput(value, field);
  return value;
}

/** Checks the query parameters of GET /statements (Communication §2.1.3). */
export function parseStatementQuery(params: Record<string, string>, version: XapiVersion): StatementQuery {
  for (const k of Object.keys(params)) if (!(STATEMENT_QUERY_PARAMS as readonly string[]).includes(k)) bad(k, 'is not a parameter of the Statement resource');
  const format = (params['format'] ?? 'exact') as StatementFormat;
  if (!['ids', 'exact', 'canonical'].includes(format)) bad('format', 'must be ids, exact or canonical');
  const attachments = bool(params['attachments'], 'attachments');
  const single = params['statementId'] ?? params['voidedStatementId'];
  if (single !== undefined) {
    const field = params['statementId'] !== undefined ? 'statementId' : 'voidedStatementId';
    if (params['statementId'] !== undefined && params['voidedStatementId'] !== undefined) bad('voidedStatementId', 'cannot be combined with statementId');
    const others = Object.keys(params).filter((k) => !['statementId', 'voidedStatementId', 'format', 'attachments'].includes(k));
    if (others.length) bad(others[0]!, `cannot be combined with ${field}`);
    if (!isUuid(single)) bad(field, 'must be a UUID');
    return { kind: 'single', id: single, voided: field === 'voidedStatementId', format, attachments };
  }
  let agentIfi: string | undefined;
  if (params['agent'] !== undefined) agentIfi = ifiOf(validateAgentParam(parseJson(params['agent'], 'agent'), version, 'agent', true));
  if (params['agent'] !== undefined && !agentIfi) bad('agent', 'must identify an Agent or identified Group');
  if (params['verb'] !== undefined && !isIri(params['verb'])) bad('verb', 'must be an IRI');
  if (params['activity'] !== undefined && !isIri(params['activity'])) bad('activity', 'must be an IRI');
  if (params['registration'] !== undefined && !isUuid(params['registration'])) bad('registration', 'must be a UUID');
  const time = (k: 'since' | 'until') => {
    if (params[k] === undefined) return undefined;
    return parseTimestamp(params[k])?.date ?? bad(k, 'must be an ISO 8601 timestamp');
  };
  let limit = PAGE_SIZE;
  if (params['limit'] !== undefined) {
    if (!/^\d+$/.test(params['limit'])) bad('limit', 'must be a non-negative integer');
    limit = Number(params['limit']) === 0 ? PAGE_SIZE : Math.min(Number(params['limit']), PAGE_SIZE);
  }
  return {
    kind: 'list',
    format,
    attachments,
    params,
    filter: {
      agentIfi,
      relatedAgents: bool(params['related_agents'], 'related_agents'),
      verb: params['verb'],
      activity: params['activity'],
      relatedActivities: bool(params['related_activities'], 'related_activities'),
      registration: params['registration']?.toLowerCase(),
      since: time('since'),
      until: time('until'),
      ascending: bool(params['ascending'], 'ascending'),
      limit,
    },
  };
}

/** The opaque `more` token: the original parameters and where the last page ended. */
export function encodeMore(params: Record<string, string>, afterSeq: number, untilSeq: number): string {
  return Buffer.from(JSON.stringify({ p: params, a: afterSeq, u: untilSeq })).toString('base64url');
}

export function decodeMore(token: string): { params: Record<string, string>; afterSeq: number; untilSeq: number } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { p: Record<string, string>; a: number; u: number };
    if (isObject(t.p) && Number.isInteger(t.a) && Number.isInteger(t.u)) return { params: t.p, afterSeq: t.a, untilSeq: t.u };
  } catch {
    // fall through
  }
  return bad('more', 'is not a link this LRS gave');
}

export interface StatementPage {
  statements: Json[];
  /** The `more` token, when there are more results. */
  more: string | undefined;
  attachmentSha2: string[];
}

/** Runs a list query; `afterSeq` continues a `more` link, and `untilSeq` keeps later statements out of its pages. */
export async function queryStatementPage(
  db: Db,
  q: Extract<StatementQuery, { kind: 'list' }>,
  o: { clientId?: string | undefined; afterSeq?: number | undefined; untilSeq?: number | undefined; acceptLanguage?: string | undefined },
): Promise<StatementPage> {
  const untilSeq = o.untilSeq ?? (await store.latestSeq(db));
  const rows = await store.queryStatements(db, { ...q.filter, clientId: o.clientId, afterSeq: o.afterSeq, untilSeq, limit: q.filter.limit + 1 });
  const page = rows.slice(0, q.filter.limit);
  const more = rows.length > q.filter.limit ? encodeMore(q.params, page[page.length - 1]!.seq, untilSeq) : undefined;
  return {
    statements: page.map((r) => formatStatement(r.payload, q.format, o.acceptLanguage)),
    more,
    attachmentSha2: q.attachments ? [...new Set(page.flatMap((r) => r.attachmentSha2))] : [],
  };
}

// ---- format=ids|canonical (Communication §2.1.3)

function idsAgent(a: Json): Json {
  const ifi = ifiOf(a);
  const out: Json = a['objectType'] ? { objectType: a['objectType'] } : {};
  if (ifi) {
    for (const k of ['mbox', 'mbox_sha1sum', 'openid', 'account']) if (a[k] !== undefined) out[k] = a[k];
  } else if (Array.isArray(a['member'])) {
    out['member'] = (a['member'] as Json[]).map(idsAgent);
  }
  return out;
}

const idsActivity = (a: Json): Json => ({ id: a['id'] });

function idsObject(o: Json): Json {
  switch (o['objectType']) {
    case 'Agent':
    case 'Group':
      return idsAgent(o);
    case 'StatementRef':
      return o;
    case 'SubStatement':
      return idsStatement(o);
    default:
      return idsActivity(o);
  }
}

function idsContext(c: Json): Json {
  const out: Json = { ...c };
  if (isObject(c['instructor'])) out['instructor'] = idsAgent(c['instructor']);
  if (isObject(c['team'])) out['team'] = idsAgent(c['team']);
  if (isObject(c['contextActivities'])) {
    out['contextActivities'] = Object.fromEntries(Object.entries(c['contextActivities']).map(([k, list]) => [k, (list as Json[]).map(idsActivity)]));
  }
  if (Array.isArray(c['contextAgents'])) out['contextAgents'] = (c['contextAgents'] as Json[]).map((e) => ({ ...e, agent: idsAgent(e['agent'] as Json) }));
  if (Array.isArray(c['contextGroups'])) out['contextGroups'] = (c['contextGroups'] as Json[]).map((e) => ({ ...e, group: idsAgent(e['group'] as Json) }));
  return out;
}

function idsStatement(s: Json): Json {
  const out: Json = { ...s, actor: idsAgent(s['actor'] as Json), verb: { id: (s['verb'] as Json)['id'] }, object: idsObject(s['object'] as Json) };
  if (isObject(s['authority'])) out['authority'] = idsAgent(s['authority']);
  if (isObject(s['context'])) out['context'] = idsContext(s['context']);
  return out;
}

/** The best language of a language map for an Accept-Language header (any language when none matches). */
export function pickLanguage(map: Json, acceptLanguage: string | undefined): Json {
  const keys = Object.keys(map);
  if (keys.length <= 1) return map;
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...ps] = part.trim().split(';');
      const q = ps.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return { tag: (tag ?? '').trim().toLowerCase(), q: q ? Number(q) : 1 };
    })
    .filter((w) => w.tag && w.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const w of wanted) {
    const hit = w.tag === '*' ? keys[0] : keys.find((k) => k.toLowerCase() === w.tag) ?? keys.find((k) => k.toLowerCase().split('-')[0] === w.tag.split('-')[0]);
    if (hit) return { [hit]: map[hit] };
  }
  const k = keys[0]!;
  return { [k]: map[k] };
}

const LANGUAGE_MAP_KEYS = new Set(['display', 'name', 'description']);

function canonical(v: unknown, acceptLanguage: string | undefined): unknown {
  if (Array.isArray(v)) return v.map((x) => canonical(x, acceptLanguage));
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'extensions') out[k] = x;
    else if (LANGUAGE_MAP_KEYS.has(k) && isObject(x) && Object.values(x).every((t) => typeof t === 'string')) out[k] = pickLanguage(x, acceptLanguage);
    else out[k] = canonical(x, acceptLanguage);
  }
  return out;
}

export function formatStatement(s: Json, format: StatementFormat, acceptLanguage?: string): Json {
  if (format === 'ids') return idsStatement(s);
  if (format === 'canonical') return canonical(s, acceptLanguage) as Json;
  return s;
}
