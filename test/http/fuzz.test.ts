import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { bearer, build, session, type TestApp } from './../helper.js';
import { apiScopes } from '../../src/auth/index.js';

/**
 * Hostile input over every operation of the app's own OpenAPI document (docs/security.md, "Input limits"): NUL bytes,
 * lone surrogates, invalid UTF-8 and odd Unicode in every path parameter, query parameter and string body field;
 * wrong types; bodies nested 10,000 levels deep; anonymous, bearer-token and session callers. Asserts that no request
 * gets a 5xx, that a request that failed changed nothing stored (row counts of every table and the frameworks'
 * generation token), and that a write refused to anonymous callers is refused (401) whatever its body.
 * Deterministic: the inputs are fixed lists, no randomness.
 */

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; enum?: unknown[]; format?: string; anyOf?: Schema[]; oneOf?: Schema[]; required?: string[] };
type Operation = { parameters?: { in: string; name: string; schema?: Schema }[]; requestBody?: { content: Record<string, { schema?: Schema }> } };

/** Path segments as sent on the wire (already percent-encoded): NUL, invalid UTF-8, a lone surrogate's UTF-8, odd Unicode. */
const PATH_VALUES = ['%00', '00000000-0000-4000-8000-00000000000%00', '%ED%A0%80', '%E2%80%AE%F0%9F%98%80%EF%BF%BF', 'x'.repeat(400)];
/** Query values as sent on the wire. */
const QUERY_VALUES = ['a%00', '%ED%A0%80', '-1e309', '%5B%7B%22a%22%3A%00%7D'];
/** Strings put in every string field of a body (JSON-encoded by JSON.stringify: \u0000 and the lone surrogate stay escapes). */
const BODY_STRINGS = ['a\u0000b', '\u202e\ud800\ufeff\uffff'];
/** What else is put in each field: wrong types. */
const WRONG_TYPES: unknown[] = [12, { a: ['\u0000'] }];
const DEPTH = 10_000;
const deepArray = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
const deepObject = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);

/** Query parameters of the xAPI resources (their OpenAPI entries document none). */
const XAPI_QUERY: Record<string, string[]> = {
  '/xapi/statements': ['statementId', 'voidedStatementId', 'agent', 'verb', 'activity', 'registration', 'since', 'until', 'limit', 'format', 'attachments', 'ascending', 'related_activities', 'related_agents'],
  '/xapi/activities/state': ['activityId', 'agent', 'registration', 'stateId', 'since'],
  '/xapi/activities/profile': ['activityId', 'profileId', 'since'],
  '/xapi/agents/profile': ['agent', 'profileId', 'since'],
  '/xapi/activities': ['activityId'],
  '/xapi/agents': ['agent'],
};
const AGENT = { objectType: 'Agent', mbox: 'mailto:fuzz@example.org' };
const STATEMENT = { actor: AGENT, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' }, object: { id: 'http://example.org/a', definition: { name: { en: 'x' } } } };
/** A sample xAPI body per resource, and the query that goes with it when it is valid. */
const XAPI_SAMPLE: Record<string, { body: unknown; query: Record<string, string> }> = {
  '/xapi/statements': { body: [STATEMENT], query: {} },
  '/xapi/activities/state': { body: { a: 1 }, query: { activityId: 'http://example.org/a', agent: JSON.stringify(AGENT), stateId: 's' } },
  '/xapi/activities/profile': { body: { a: 1 }, query: { activityId: 'http://example.org/a', profileId: 'p' } },
  '/xapi/agents/profile': { body: { a: 1 }, query: { agent: JSON.stringify(AGENT), profileId: 'p' } },
};

const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Writes whose 401 is about the credentials in the request itself (client, password, LTI state), not a missing caller. */
const CREDENTIAL_CHECKS = new Set(['POST /oauth/token', 'POST /oauth/revoke', 'POST /api/auth/sign-in', 'POST /lti/launch']);
/** Tables failed requests are meant to change: failed sign-ins count towards the rate limit, a client's requests towards its usage. */
const COUNTED_FAILURES = new Set(['rate_limit', 'api_client_usage']);

/** A plausible value for a schema: every property filled in. */
function sample(s: Schema | undefined, depth = 0): unknown {
  if (!s || depth > 6) return 'x';
  const alt = s.anyOf?.[0] ?? s.oneOf?.[0];
  if (alt) return sample(alt, depth + 1);
  if (s.enum?.length) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(v, depth + 1)]));
    case 'array':
      return [sample(s.items, depth + 1)];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'string':
      return s.format === 'uuid' ? '00000000-0000-4000-8000-000000000000' : s.format === 'date-time' ? '2024-01-01T00:00:00Z' : s.format === 'uri' ? 'http://example.org/x' : 'x';
    default:
      return s.properties ? sample({ ...s, type: 'object' }, depth) : 'x';
  }
}

/** Paths (as key lists) of every leaf of a sample body. */
function leaves(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...at, i]));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => leaves(x, [...at, k]));
  return [at];
}

function replaced(v: unknown, at: (string | number)[], value: unknown): unknown {
  if (at.length === 0) return value;
  const copy: any = Array.isArray(v) ? [...v] : { ...(v as object) };
  copy[at[0]!] = replaced(copy[at[0]!], at.slice(1), value);
  return copy;
}

interface Request {
  method: string;
  url: string;
  payload?: string;
  contentType?: string;
  label: string;
  /** A field input on the body's first field. */
  first?: boolean;
}

/** Every hostile request for one operation, without credentials. */
function hostileRequests(method: string, path: string, op: Operation): Request[] {
  const out: Request[] = [];
  const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const fill = (name: string, value: string) => path.replace(/\{([^}]+)\}/g, (_, p: string) => (p === name ? value : '00000000-0000-4000-8000-000000000000'));
  const plainPath = fill('', '');
  const xapi = XAPI_SAMPLE[path];
  const baseQuery = new URLSearchParams(xapi?.query ?? {}).toString();
  const withQuery = (p: string, q: string) => (q ? `${p}?${q}` : p);
  const jsonSchema = op.requestBody?.content['application/json']?.schema;
  const sampleBody = xapi ? xapi.body : jsonSchema ? sample(jsonSchema) : WRITE.has(method) && method !== 'DELETE' ? {} : undefined;
  const body = sampleBody === undefined ? {} : { payload: JSON.stringify(sampleBody), contentType: 'application/json' };

  out.push({ method, url: withQuery(plainPath, baseQuery), ...body, label: 'plain' });
  for (const name of pathParams) for (const v of PATH_VALUES) out.push({ method, url: withQuery(fill(name, v), baseQuery), ...body, label: `path ${name}=${v.slice(0, 40)}` });
  const queryNames = [...(op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name), ...(XAPI_QUERY[path] ?? [])];
  for (const name of new Set(queryNames)) {
    for (const v of QUERY_VALUES) {
      const q = new URLSearchParams(xapi?.query ?? {});
      q.delete(name);
      out.push({ method, url: `${plainPath}?${[q.toString(), `${name}=${v}`].filter(Boolean).join('&')}`, ...body, label: `query ${name}=${v.slice(0, 40)}` });
    }
  }
  if (sampleBody !== undefined) {
    const url = withQuery(plainPath, baseQuery);
    const send = (payload: string, label: string, first?: boolean) => out.push({ method, url, payload, contentType: 'application/json', label, first });
    const fields = leaves(sampleBody).slice(0, 10);
    for (const [i, at] of fields.entries()) {
      for (const s of BODY_STRINGS) send(JSON.stringify(replaced(sampleBody, at, s)), `field ${at.join('.')}=${JSON.stringify(s)}`, i === 0);
      for (const w of WRONG_TYPES) send(JSON.stringify(replaced(sampleBody, at, w)), `field ${at.join('.')}=${JSON.stringify(w)}`, i === 0);
    }
    const first = fields[0] ?? ['a'];
    send(JSON.stringify(replaced(sampleBody, first, 'x'.repeat(100_000))), `field ${first.join('.')}=100k`);
    send(JSON.stringify({ '\u0000': 1, '\ud800': 2 }), 'body keys NUL');
    send('"\\u0000"', 'body string NUL');
    send('[1,"\\ud800"]', 'body array');
    send('{"a": ', 'body truncated');
    send(deepArray, 'body deep array');
    send(deepObject, 'body deep object');
    if (xapi && path === '/xapi/statements') {
      const deep = replaced(STATEMENT, ['object', 'definition', 'extensions'], { 'http://example.org/e': 0 });
      const text = JSON.stringify(deep).replace('0}', `${deepArray}}`);
      send(`[${text}]`, 'body statement nested 10,000 levels');
    }
  }
  return out;
}

let t: TestApp;
let doc: { paths: Record<string, Record<string, Operation>> };
let callers: { name: string; headers: Record<string, string> }[];
let snapshotSql: string;

beforeAll(async () => {
  t = await build();
  doc = (await t.app.inject({ url: '/openapi.json' })).json();
  const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(t.store.db);
  snapshotSql = `select ${tables.rows.filter((r) => !COUNTED_FAILURES.has(r.name)).map((r) => `(select count(*) from "${r.name}") as "${r.name}"`).join(', ')}, (select token::text from case_generation limit 1) as "case_generation token"`;
  const s = await session(t, [{ role: 'admin', scopeType: 'global', scopeId: '' }]);
  callers = [
    { name: 'anonymous', headers: {} },
    { name: 'bearer', headers: await bearer(t, Object.keys(apiScopes)) },
    { name: 'session', headers: { cookie: s.cookie, 'x-csrf-token': s['x-csrf-token'] } },
  ];
});
afterAll(() => t?.close());

async function snapshot(): Promise<Record<string, unknown>> {
  const { rows } = await sql.raw<Record<string, unknown>>(snapshotSql).execute(t.store.db);
  return Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, String(v)]));
}

const label = (path: string, method: string, caller: string, r: Request) => `${method} ${path} ${caller} ${r.label}`;

describe('hostile input over every OpenAPI operation', () => {
  it('never gets a 5xx, changes nothing when it fails, and refuses anonymous writes with 401 whatever the body', async () => {
    const errors: string[] = [];
    const changed: string[] = [];
    const notRefused: string[] = [];
    const failedOps = new Set<string>();
    let requests = 0;
    const send = async (path: string, caller: { headers: Record<string, string> }, r: Request) => {
      requests++;
      const xapi = path.startsWith('/xapi/') ? { 'x-experience-api-version': '1.0.3' } : {};
      return t.app.inject({
        method: r.method as 'GET',
        url: r.url,
        headers: { ...caller.headers, ...xapi, ...(r.contentType ? { 'content-type': r.contentType } : {}) },
        ...(r.payload !== undefined ? { payload: r.payload } : {}),
      });
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        const method = m.toUpperCase();
        const all = hostileRequests(method, path, op);
        // A snapshot costs ~20 ms: one around each operation's requests, and one around each failed request only when
        // some request of the operation succeeded (and may have changed what is stored).
        const start = await snapshot();
        const failed: { caller: (typeof callers)[number]; r: Request; status: number }[] = [];
        let succeeded = false;
        for (const caller of callers) {
          // Signing out ends the session the other operations use.
          if (caller.name === 'session' && path === '/api/auth/sign-out') continue;
          // Every input goes with the bearer caller; anonymous callers get all but the fields after the first; the
          // session (which differs from the bearer only in how it authenticates) the path and whole-body inputs.
          const list =
            caller.name === 'bearer' ? all
            : caller.name === 'anonymous' ? all.filter((r) => !r.label.startsWith('field ') || r.first)
            : all.filter((r) => /^(plain|path|body) /.test(`${r.label} `));
          let anonymousRefused = false;
          for (const r of list) {
            const res = await send(path, caller, r);
            const what = label(path, method, caller.name, r);
            if (res.statusCode >= 500) {
              errors.push(`${what} → ${res.statusCode} ${res.body.slice(0, 160)}`);
              failedOps.add(`${method} ${path}`);
            }
            if (caller.name === 'anonymous' && WRITE.has(method) && !CREDENTIAL_CHECKS.has(`${method} ${path}`)) {
              if (r.label === 'plain') anonymousRefused = res.statusCode === 401;
              else if (anonymousRefused && /^(body|field) /.test(r.label) && res.statusCode !== 401) notRefused.push(`${what} → ${res.statusCode}`);
            }
            if (res.statusCode >= 400) failed.push({ caller, r, status: res.statusCode });
            else succeeded = true;
          }
        }
        const end = await snapshot();
        const diff = (a: Record<string, unknown>, b: Record<string, unknown>) => Object.keys(a).filter((k) => a[k] !== b[k]);
        if (!succeeded) {
          if (diff(start, end).length) changed.push(`${method} ${path}: failed requests changed ${diff(start, end).join(', ')}`);
          continue;
        }
        // Reads that changed nothing at all, successes included, need no second look.
        if (!WRITE.has(method) && !diff(start, end).length) continue;
        // Some request succeeded: the failed ones again, together; one by one only when together they changed something.
        const again = async () => {
          for (const { caller, r } of failed) await send(path, caller, r);
        };
        let before = await snapshot();
        await again();
        if (!diff(before, await snapshot()).length) continue;
        before = await snapshot();
        for (const { caller, r, status } of failed) {
          const res = await send(path, caller, r);
          const after = await snapshot();
          if (res.statusCode >= 400 && diff(before, after).length) changed.push(`${label(path, method, caller.name, r)} → ${status} changed ${diff(before, after).join(', ')}`);
          before = after;
        }
      }
    }
    const ops = (list: string[]) => [...new Set(list.map((x) => x.split(' ').slice(0, 2).join(' ').replace(/:$/, '')))];
    console.info(
      `fuzz: ${requests} requests over ${Object.values(doc.paths).flatMap(Object.keys).length} operations; ${errors.length} 5xx on ${failedOps.size}: ${[...failedOps].join('; ')}\n` +
        `changed on failure (${changed.length}) ${ops(changed).join('; ')}\nanonymous not refused (${notRefused.length}) on ${ops(notRefused).length}: ${ops(notRefused).join('; ')}`,
    );
    if (process.env['FUZZ_REPORT']) writeFileSync(process.env['FUZZ_REPORT'], [...errors, ...changed, ...notRefused].join('\n'));
    expect(requests).toBeGreaterThan(1000);
    expect(errors).toEqual([]);
    expect(changed).toEqual([]);
    expect(notRefused).toEqual([]);
    // ~8,400 requests: a guard against a hang, not a budget (a loaded 2-core machine took 190 s).
  }, 600_000);
});

/**
 * Writes anonymous callers may send: OAuth 2.0 (client credentials are in the request), signing in and out,
 * verifying a credential, an LTI platform's login initiation and launch (the signed id_token is the credential), the LRS's read-only resources (POST there is xAPI's alternate request syntax for a GET),
 * a supplier's request for an API client and its claim token, and the alignment check of public frameworks.
 */
const OPEN_WRITES = new Set([
  'POST /oauth/token', 'POST /oauth/revoke', 'POST /oauth/register', 'POST /oauth/authorize', 'POST /api/auth/sign-in', 'POST /api/auth/sign-out',
  'POST /badges/verify', 'POST /xapi/activities', 'POST /xapi/agents', 'POST /lti/login', 'POST /lti/launch',
  'POST /api/client-requests', 'POST /api/client-requests/status', 'POST /api/client-requests/claim', 'POST /api/alignment/check',
]);

describe('authentication before body validation', () => {
  it('every other write answers an anonymous caller with a body it would not accept 401', async () => {
    const answers: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const m of Object.keys(ops)) {
        const method = m.toUpperCase();
        if (!WRITE.has(method) || OPEN_WRITES.has(`${method} ${path}`)) continue;
        const res = await t.app.inject({
          method: method as 'POST',
          url: path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'),
          headers: { 'content-type': 'application/json', ...(path.startsWith('/xapi/') ? { 'x-experience-api-version': '1.0.3' } : {}) },
          payload: '{"unknown": [1, "\\u0000"]}',
        });
        answers.push(`${res.statusCode} ${method} ${path}`);
      }
    }
    expect(answers.length).toBeGreaterThan(40);
    expect(answers.filter((a) => !a.startsWith('401 '))).toEqual([]);
  });
});
