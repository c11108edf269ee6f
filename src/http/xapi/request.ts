import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../auth/index.js';
import { credentialsPrincipal } from '../plugins/auth.js';
import { ShirubeError } from '../../errors.js';
import { checkInput } from '../../input.js';
import type { Db } from '../../store/db.js';
import type { XapiVersion } from '../../lrs/index.js';

export type XapiMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** A request after the alternate request syntax (1.0.3) is unfolded: what the resources act on. */
export interface XapiRequest {
  version: XapiVersion;
  method: XapiMethod;
  params: Record<string, string>;
  headers: Record<string, string | undefined>;
  body: Buffer;
  contentType: string;
  principal: Principal;
}

// Headers the alternate request syntax carries as form fields (Communication §1.3).
const FORM_HEADERS = ['authorization', 'x-experience-api-version', 'content-type', 'content-length', 'if-match', 'if-none-match', 'accept-language'];

const bad = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);

function single(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(v)) throw bad(k, 'is given more than once');
    out[k] = String(v);
  }
  return out;
}

/** X-Experience-API-Version: 1.0.x is served as 1.0.3, 2.0.x as 2.0.0; anything else is a 400. */
export function parseVersion(v: string | undefined): XapiVersion {
  if (v === undefined) throw bad('X-Experience-API-Version', 'the header is required');
  if (/^1\.0(\.\d+)?$/.test(v.trim())) return '1.0.3';
  if (/^2\.0(\.\d+)?$/.test(v.trim())) return '2.0.0';
  throw bad('X-Experience-API-Version', `version ${v} is not supported (1.0.3 and 2.0.0 are)`);
}

/**
 * Unfolds the request: the alternate request syntax (POST ?method=X with a form body, 1.0.3 only) becomes the
 * request it stands for; then the version header is checked and the credentials resolved.
 */
export async function xapiRequestOf(req: FastifyRequest, db: Db, opts: { versionOptional: boolean }): Promise<XapiRequest> {
  let method = (req.method === 'HEAD' ? 'GET' : req.method) as XapiMethod;
  let params = single(req.query);
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  let body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (params['method'] !== undefined) {
    if (req.method !== 'POST') throw bad('method', 'the alternate request syntax uses POST');
    const m = params['method'].toUpperCase();
    if (!['GET', 'PUT', 'POST', 'DELETE'].includes(m)) throw bad('method', 'must be GET, PUT, POST or DELETE');
    if (Object.keys(params).length > 1) throw bad('method', 'with the alternate request syntax every other parameter goes in the form body');
    if (!/^application\/x-www-form-urlencoded\b/i.test(headers['content-type'] ?? '')) throw bad('Content-Type', 'the alternate request syntax sends application/x-www-form-urlencoded');
    const form = new URLSearchParams(body.toString('utf8'));
    params = {};
    body = Buffer.alloc(0);
    let contentType: string | undefined;
    for (const [k, v] of form) {
      const lk = k.toLowerCase();
      if (lk === 'content') body = Buffer.from(v, 'utf8');
      else if (lk === 'content-type') contentType = v;
      else if (FORM_HEADERS.includes(lk)) headers[lk] = v;
      else params[k] = v;
    }
    for (const [k, v] of Object.entries(params)) checkInput(v, k);
    headers['content-type'] = contentType ?? (body.length ? 'application/json' : undefined);
    method = m as XapiMethod;
  }
  const version = opts.versionOptional && headers['x-experience-api-version'] === undefined ? '2.0.0' : parseVersion(headers['x-experience-api-version']);
  if (version === '2.0.0' && req.query && (req.query as Record<string, unknown>)['method'] !== undefined) {
    throw bad('method', 'the alternate request syntax was removed in xAPI 2.0');
  }
  return {
    version,
    method,
    params,
    headers,
    body,
    contentType: headers['content-type'] ?? '',
    // Kept on the request too: who called, for the client's usage count.
    principal: (req.principal = await credentialsPrincipal(db, headers['authorization'], req.principal)),
  };
}
