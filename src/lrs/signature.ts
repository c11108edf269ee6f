import { createVerify, X509Certificate } from 'node:crypto';
import { ShirubeError } from '../errors.js';
import { isObject, type Json } from './validate.js';
import { truncateDuration } from './formats.js';

const ALGORITHMS: Record<string, string> = { RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512' };

function bad(path: string, message: string): never {
  throw new ShirubeError('invalid_request', `${path}: ${message}`, path);
}

function decodeJson(part: string, path: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return bad(path, 'the JWS is not made of base64url JSON');
  }
}

/** Deep equality of JSON values, ignoring object key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

// What the LRS may add or change after signing: these are left out of the comparison.
const UNSIGNED = ['attachments', 'authority', 'stored', 'version'];

/**
 * Checks a signed statement's JWS (Data §2.6): compact serialization, RS256/384/512, a payload equal to the
 * statement as sent without its attachments, and with an x5c certificate chain, a valid signature by its first
 * certificate.
 */
export function verifyStatementSignature(statement: Json, jws: Buffer, path: string): void {
  const parts = jws.toString('utf8').trim().split('.');
  if (parts.length !== 3) bad(path, 'the signature is not a JWS in compact serialization');
  const [h, p, sig] = parts as [string, string, string];
  const header = decodeJson(h, path);
  if (!isObject(header) || typeof header['alg'] !== 'string' || !ALGORITHMS[header['alg']]) bad(path, 'the JWS algorithm must be RS256, RS384 or RS512');
  const payload = decodeJson(p, path);
  if (!isObject(payload)) return bad(path, 'the JWS payload is not a Statement');
  const strip = (s: Json, keepId: boolean) => {
    const out = Object.fromEntries(Object.entries(s).filter(([k]) => !UNSIGNED.includes(k) && (keepId || k !== 'id')));
    const r = out['result'];
    if (isObject(r) && typeof r['duration'] === 'string') out['result'] = { ...r, duration: truncateDuration(r['duration']) };
    return out;
  };
  if (!jsonEqual(strip(payload, true), strip(statement, payload['id'] !== undefined))) bad(path, 'the JWS payload differs from the statement');
  const x5c = (header as Json)['x5c'];
  if (x5c !== undefined) {
    if (!Array.isArray(x5c) || typeof x5c[0] !== 'string') bad(path, 'x5c must be an array of base64 certificates');
    let ok = false;
    try {
      const cert = new X509Certificate(Buffer.from(x5c[0] as string, 'base64'));
      ok = createVerify(ALGORITHMS[(header as Json)['alg'] as string]!).update(`${h}.${p}`).verify(cert.publicKey, Buffer.from(sig, 'base64url'));
    } catch {
      ok = false;
    }
    if (!ok) bad(path, 'the JWS signature does not verify with its x5c certificate');
  }
}
