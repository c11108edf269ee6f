import type { FastifyInstance, FastifyReply } from 'fastify';
import { ShirubeError } from '../../errors.js';
import { checkInput } from '../../input.js';
import {
  decodeMore,
  formatStatement,
  getAttachmentContents,
  getStatement,
  isObject,
  parseStatementQuery,
  queryStatementPage,
  storeStatements,
  type AttachmentPart,
  type Json,
} from '../../lrs/index.js';
import { requireAccess } from './access.js';
import { buildMultipart, parseMultipart } from './multipart.js';
import type { XapiRequest } from './request.js';
import type { StatementWriter } from './writer.js';

const bad = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);

/** The statements as JSON, within the input limits (depth, storable strings: src/input.ts). */
function parseJson(body: Buffer, field: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw bad(field, 'is not valid JSON');
  }
  checkInput(value, field);
  return value;
}

/** The statements and attachment parts of a PUT/POST body: application/json or multipart/mixed (Data §2.4.11). */
function statementBody(x: XapiRequest): { statements: unknown; parts: AttachmentPart[] } {
  const ct = x.contentType.toLowerCase();
  if (ct.startsWith('application/json')) return { statements: parseJson(x.body, 'body'), parts: [] };
  if (ct.startsWith('multipart/mixed')) {
    const [first, ...rest] = parseMultipart(x.body, x.contentType);
    if (!first || !(first.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      throw bad('body', 'the first part of multipart/mixed must be the application/json statements');
    }
    const parts = rest.map((p, i) => {
      const sha2 = p.headers['x-experience-api-hash'];
      if (!sha2) throw bad(`part ${i + 2}`, 'has no X-Experience-API-Hash header');
      if ((p.headers['content-transfer-encoding'] ?? '').toLowerCase() !== 'binary') throw bad(`part ${i + 2}`, 'needs Content-Transfer-Encoding: binary');
      return { sha2, contentType: p.headers['content-type'] ?? 'application/octet-stream', content: p.body };
    });
    return { statements: parseJson(first.body, 'body'), parts };
  }
  throw bad('Content-Type', 'statements are sent as application/json or multipart/mixed');
}

async function sendResult(reply: FastifyReply, app: FastifyInstance, result: Json, withAttachments: boolean, sha2: string[]) {
  if (!withAttachments) return reply.type('application/json; charset=utf-8').send(result);
  const attachments = await getAttachmentContents(app.store.db, sha2);
  const { contentType, body } = buildMultipart([
    { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(result)) },
    ...attachments.map((a) => ({
      headers: { 'Content-Type': a.contentType, 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': a.sha2 },
      body: a.content,
    })),
  ]);
  return reply.type(contentType).send(body);
}

/** The Statement resource (Communication §2.1). */
export default async function statementRoutes(app: FastifyInstance, opts: { writer: StatementWriter }) {
  const options = (x: XapiRequest) => opts.writer(x.version, x.principal);

  async function put(x: XapiRequest, reply: FastifyReply) {
    requireAccess(x.principal, 'statements/write');
    const id = x.params['statementId'];
    if (id === undefined) throw bad('statementId', 'is required to PUT a statement');
    const unknown = Object.keys(x.params).find((k) => k !== 'statementId');
    if (unknown) throw bad(unknown, 'is not a parameter of PUT /statements');
    const { statements, parts } = statementBody(x);
    if (!isObject(statements)) throw bad('body', 'PUT takes one statement (a JSON object)');
    if (statements['id'] !== undefined && String(statements['id']).toLowerCase() !== id.toLowerCase()) throw bad('id', 'differs from the statementId parameter');
    await storeStatements(app.store.db, [{ ...statements, id: statements['id'] ?? id }], parts, options(x));
    return reply.code(204).send();
  }

  async function post(x: XapiRequest, reply: FastifyReply) {
    requireAccess(x.principal, 'statements/write');
    const unknown = Object.keys(x.params)[0];
    if (unknown) throw bad(unknown, 'is not a parameter of POST /statements');
    const { statements, parts } = statementBody(x);
    const list = Array.isArray(statements) ? statements : [statements];
    const ids = await storeStatements(app.store.db, list, parts, options(x));
    return reply.type('application/json; charset=utf-8').send(ids);
  }

  async function get(x: XapiRequest, reply: FastifyReply) {
    const { onlyClientId } = requireAccess(x.principal, 'statements/read');
    let params = x.params;
    let cursor: { afterSeq?: number; untilSeq?: number } = {};
    if (params['more'] !== undefined) {
      const more = decodeMore(params['more']);
      params = more.params;
      cursor = { afterSeq: more.afterSeq, untilSeq: more.untilSeq };
    }
    const q = parseStatementQuery(params, x.version);
    if (q.kind === 'single') {
      const row = await getStatement(app.store.db, q.id, q.voided);
      if (onlyClientId !== undefined && row.clientId !== onlyClientId) {
        throw new ShirubeError('not_found', `No statement ${q.id}`, 'statementId');
      }
      reply.header('Last-Modified', row.stored.toUTCString());
      return sendResult(reply, app, formatStatement(row.payload, q.format, x.headers['accept-language']), q.attachments, row.attachmentSha2);
    }
    const page = await queryStatementPage(app.store.db, q, { clientId: onlyClientId, ...cursor, acceptLanguage: x.headers['accept-language'] });
    const stored = page.statements.map((s) => Date.parse(String(s['stored']))).filter((t) => !Number.isNaN(t));
    if (stored.length) reply.header('Last-Modified', new Date(Math.max(...stored)).toUTCString());
    const more = page.more ? `/xapi/statements?more=${page.more}` : '';
    return sendResult(reply, app, { statements: page.statements, more }, q.attachments, page.attachmentSha2);
  }

  app.route({
    method: ['GET', 'PUT', 'POST'],
    url: '/statements',
    schema: { tags: ['xAPI'], summary: 'Statements: store (PUT one by statementId, POST one or a batch) and query' },
    handler: async (req, reply) => {
      const x = req.xapi;
      if (x.method === 'PUT') return put(x, reply);
      if (x.method === 'POST') return post(x, reply);
      if (x.method === 'GET') return get(x, reply);
      throw new ShirubeError('invalid_request', `method: ${x.method} is not allowed on statements`, 'method');
    },
  });
}
