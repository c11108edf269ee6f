import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Headers a browser-based CASE consumer may read across origins. */
export const EXPOSED_HEADERS = 'ETag, Last-Modified, Link, X-Total-Count, Warning';

/** A strong validator: the hash of the exact bytes sent. */
export const etagOf = (text: string) => `"${createHash('sha256').update(text).digest('base64url').slice(0, 43)}"`;

function notModified(req: FastifyRequest, etag: string, lastModified: Date | undefined): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    // If-None-Match uses the weak comparison (RFC 9110 §13.1.2) and, when present, decides alone.
    return inm.split(',').map((s) => s.trim().replace(/^W\//, '')).some((t) => t === '*' || t === etag);
  }
  const ims = req.headers['if-modified-since'];
  if (ims === undefined || !lastModified) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

/**
 * Sends a body with ETag, Last-Modified and Cache-Control, or 304 when the client's copy is current. Public answers
 * may be cached by anyone for a minute; answers to signed-in callers (which may include Private Drafts) are private.
 */
export function sendCached(req: FastifyRequest, reply: FastifyReply, body: unknown, lastModified: Date | undefined, type = 'application/json; charset=utf-8') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const etag = etagOf(text);
  reply.header('ETag', etag);
  if (lastModified) reply.header('Last-Modified', lastModified.toUTCString());
  reply.header('Cache-Control', req.principal.kind === 'anonymous' ? 'public, max-age=60' : 'private, no-cache');
  reply.header('Vary', 'Accept, Accept-Language, Authorization, Cookie');
  if (notModified(req, etag, lastModified)) return reply.code(304).send();
  return reply.type(type).send(text);
}
