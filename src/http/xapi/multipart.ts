import { randomBytes } from 'node:crypto';
import { ShirubeError } from '../../errors.js';

export interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

const bad = (message: string) => new ShirubeError('invalid_request', `multipart/mixed: ${message}`, 'body');

/** The boundary parameter of a multipart Content-Type. */
export function boundaryOf(contentType: string): string {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (!b) throw bad('the Content-Type has no boundary');
  return b;
}

/** Splits a multipart/mixed body (RFC 2046) into parts with lower-cased header names. */
export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw bad('no boundary found in the body');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, pos);
    if (next < 0) throw bad('the closing boundary is missing');
    // The part runs from after the boundary line's CRLF to the CRLF before the next boundary.
    let start = pos;
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    else if (body[start] === 0x0a) start += 1;
    let end = next;
    if (body[end - 1] === 0x0a) end -= 1;
    if (body[end - 1] === 0x0d) end -= 1;
    const raw = body.subarray(start, Math.max(start, end));
    let sep = raw.indexOf('\r\n\r\n');
    let sepLen = 4;
    if (sep < 0) {
      sep = raw.indexOf('\n\n');
      sepLen = 2;
    }
    if (sep < 0) throw bad('a part has no blank line after its headers');
    const headers: Record<string, string> = {};
    for (const line of raw.subarray(0, sep).toString('utf8').split(/\r?\n/)) {
      if (!line.trim()) continue;
      const i = line.indexOf(':');
      if (i < 0) throw bad(`bad part header line: ${line.slice(0, 80)}`);
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    parts.push({ headers, body: Buffer.from(raw.subarray(sep + sepLen)) });
    pos = next;
  }
  return parts;
}

/** Builds a multipart/mixed body; returns it with its Content-Type. */
export function buildMultipart(parts: Part[]): { contentType: string; body: Buffer } {
  const boundary = `xapi-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const head = Object.entries(p.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n\r\n`), p.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: Buffer.concat(chunks) };
}
