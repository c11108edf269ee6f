import type { Db } from '../../store/db.js';
import { getCaseSource, saveCaseSource, type CaseSourceRow } from '../../store/case-source.js';
import { isShirubeError, ShirubeError } from '../../errors.js';
import { uuidv4 } from '../uuid.js';
import { importCaseJson, parseCasePackage, parseJsonText, type CaseJsonImportOptions } from './case-json.js';
import type { ImportResult, OnProgress } from './save.js';

/** OAuth 2.0 client credentials for a remote CASE server (CASE 1.1 security: client_credentials, Bearer). */
export interface RemoteAuth {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string | undefined;
}

export interface RemoteOptions {
  /** A CFPackages/{id} URL; or a CFDocuments list URL, a CASE API base (…/ims/case/v1p1) or a server base, with documentId. */
  url: string;
  documentId?: string | undefined;
  /** Used, and saved for this server when the import succeeds; without it, saved credentials (if any) are used. */
  auth?: RemoteAuth | undefined;
  /** Per request; default 30 s. */
  timeoutMs?: number | undefined;
  /** Largest response accepted; default 64 MiB. */
  maxBytes?: number | undefined;
}

export type RemoteImportOptions = RemoteOptions & Omit<CaseJsonImportOptions, 'sourceUrl' | 'alsoWrite'>;

export interface RemoteDocument {
  identifier: string;
  title: string;
  creator?: string;
  adoptionStatus?: string;
  lastChangeDateTime?: string;
  packageUrl: string;
}

const DEFAULT_TIMEOUT = 30_000;
const DEFAULT_MAX = 64 * 1024 * 1024;
const invalid = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);
const gateway = (message: string, field?: string) => new ShirubeError('bad_gateway', message, field);

interface Target {
  /** The server (scheme, host, path before /ims/case/): credentials are kept per server. */
  server: string;
  /** Package URLs to try in order (v1p1 first when only a server base was given). */
  packages: string[];
  /** The CFDocuments list, when the URL names one. */
  list?: string;
}

/** Works out what the URL names: a package, a document list, or a server. */
export function resolveRemote(url: string, documentId?: string): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid('url', `"${url}" is not an absolute URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalid('url', 'must be an http or https URL');
  if (documentId !== undefined && !/^[A-Za-z0-9._:-]+$/.test(documentId)) throw invalid('documentId', 'must be a CASE identifier');
  const path = u.pathname.replace(/\/+$/, '');
  const m = /^(.*?)\/ims\/case\/(v1p[01])(\/.*)?$/.exec(path);
  const server = `${u.origin}${m ? m[1] : path}`;
  const pkgUrl = (version: string, id: string) => `${server}/ims/case/${version}/CFPackages/${encodeURIComponent(id)}`;
  if (m) {
    const rest = m[3] ?? '';
    const pkg = /^\/CFPackages\/([^/]+)$/.exec(rest);
    if (pkg) return { server, packages: [`${u.origin}${path}${u.search}`] };
    if (rest === '/CFDocuments' || rest === '') {
      return { server, packages: documentId ? [pkgUrl(m[2]!, documentId)] : [], ...(rest ? { list: `${u.origin}${path}${u.search}` } : { list: `${server}/ims/case/${m[2]}/CFDocuments` }) };
    }
    throw invalid('url', 'must name a CFPackages/{id} or CFDocuments endpoint, a CASE API base (…/ims/case/v1p1) or a server');
  }
  return { server, packages: documentId ? [pkgUrl('v1p1', documentId), pkgUrl('v1p0', documentId)] : [], list: `${server}/ims/case/v1p1/CFDocuments` };
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** GET or POST with a timeout covering the whole response, reading at most maxBytes. */
async function call(url: string, init: RequestInit, opts: RemoteOptions, what: string): Promise<{ status: number; type: string; body: Buffer }> {
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT;
  const max = opts.maxBytes ?? DEFAULT_MAX;
  const signal = AbortSignal.timeout(timeout);
  try {
    const res = await fetch(url, { ...init, signal, redirect: 'follow' }).catch((e: unknown) => {
      // A kept-alive connection the server closed as it was reused: one fresh attempt (GET and the token grant are safe to repeat).
      const code = (e as { cause?: { code?: string } }).cause?.code;
      if (signal.aborted || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw e;
      return fetch(url, { ...init, signal, redirect: 'follow' });
    });
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > max) throw gateway(`The ${what} at ${url} is larger than ${max} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    if (res.body) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        if (size > max) throw gateway(`The ${what} at ${url} is larger than ${max} bytes`);
        chunks.push(Buffer.from(chunk));
      }
    }
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: Buffer.concat(chunks) };
  } catch (e) {
    if (isShirubeError(e)) throw e;
    if (signal.aborted) throw gateway(`The remote server timed out: no complete ${what} from ${url} within ${seconds(timeout)}`);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw gateway(`Could not reach the remote server at ${url} (${cause?.code ?? cause?.message ?? (e as Error).message})`);
  }
}

/** The remote's JSON, or a clear error: HTML, garbage, authorisation and server failures are told apart. */
async function getJson(url: string, token: string | undefined, opts: RemoteOptions, what: string): Promise<unknown> {
  const res = await call(url, { headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } }, opts, what);
  if (res.status === 401 || res.status === 403) {
    throw token
      ? invalid('auth', `the remote server refused the access token (HTTP ${res.status}) for ${url}; check the client's scopes`)
      : invalid('auth', `the remote server requires authorisation (HTTP ${res.status}) for ${url}: give auth { tokenUrl, clientId, clientSecret }`);
  }
  if (res.status === 404) throw invalid('url', `the remote server has no ${what} at ${url} (HTTP 404)`);
  if (res.status >= 300) throw gateway(`The remote server failed (HTTP ${res.status}) for ${url}`);
  try {
    return parseJsonText(res.body);
  } catch {
    const start = res.body.subarray(0, 60).toString('utf8').replace(/\s+/g, ' ');
    throw gateway(`The remote server did not send JSON for ${url} (${res.type || 'no content type'}: "${start}…")`);
  }
}

/** client_credentials grant (RFC 6749 §4.4), client authenticated with HTTP Basic (§2.3.1). */
async function accessToken(auth: RemoteAuth, opts: RemoteOptions): Promise<string> {
  try {
    new URL(auth.tokenUrl);
  } catch {
    throw invalid('auth.tokenUrl', `"${auth.tokenUrl}" is not an absolute URL`);
  }
  const form = new URLSearchParams({ grant_type: 'client_credentials', ...(auth.scope ? { scope: auth.scope } : {}) });
  const basic = Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64');
  const res = await call(auth.tokenUrl, { method: 'POST', body: form, headers: { authorization: `Basic ${basic}`, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' } }, opts, 'token response');
  if (res.status === 400 || res.status === 401 || res.status === 403) {
    throw invalid('auth', `the token endpoint ${auth.tokenUrl} refused the client credentials (HTTP ${res.status})`);
  }
  if (res.status >= 300) throw gateway(`The token endpoint ${auth.tokenUrl} failed (HTTP ${res.status})`);
  let token: unknown;
  try {
    token = (parseJsonText(res.body) as { access_token?: unknown })?.access_token;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || !token) throw gateway(`The token endpoint ${auth.tokenUrl} sent no access_token`);
  return token;
}

function checkAuth(auth: RemoteAuth | undefined): void {
  if (auth === undefined) return;
  if (typeof auth !== 'object' || auth === null) throw invalid('auth', 'must be an object { tokenUrl, clientId, clientSecret, scope? }');
  for (const f of ['tokenUrl', 'clientId', 'clientSecret'] as const) {
    if (typeof auth[f] !== 'string' || !auth[f]) throw invalid(`auth.${f}`, 'is required and must be a string');
  }
  if (auth.scope !== undefined && typeof auth.scope !== 'string') throw invalid('auth.scope', 'must be a string');
}

/** The credentials to use for a server: the given ones, else the saved ones. */
async function credentials(db: Db, server: string, auth: RemoteAuth | undefined): Promise<RemoteAuth | undefined> {
  checkAuth(auth);
  if (auth) return auth;
  const saved = await getCaseSource(db, server);
  return saved?.tokenUrl && saved.clientId && saved.clientSecret
    ? { tokenUrl: saved.tokenUrl, clientId: saved.clientId, clientSecret: saved.clientSecret, scope: saved.scope ?? undefined }
    : undefined;
}

/** The documents a remote CASE server lists (getAllCFDocuments), to choose one to import. */
export async function listRemoteDocuments(db: Db, opts: RemoteOptions): Promise<RemoteDocument[]> {
  const target = resolveRemote(opts.url);
  if (!target.list) throw invalid('url', 'names a package, not a list of documents');
  const auth = await credentials(db, target.server, opts.auth);
  const token = auth && (await accessToken(auth, opts));
  const body = await getJson(target.list, token, opts, 'CFDocuments list');
  // Texas and others send a bare array instead of { CFDocuments: [...] }.
  const docs = Array.isArray(body) ? body : (body as { CFDocuments?: unknown })?.CFDocuments;
  if (!Array.isArray(docs)) throw gateway(`The remote response from ${target.list} is not a CFDocuments list`);
  const version = /\/ims\/case\/(v1p[01])\//.exec(target.list)?.[1] ?? 'v1p1';
  return docs.flatMap((d: Record<string, unknown>) =>
    d && typeof d['identifier'] === 'string'
      ? [{
          identifier: d['identifier'],
          title: typeof d['title'] === 'string' ? d['title'] : '',
          ...(typeof d['creator'] === 'string' ? { creator: d['creator'] } : {}),
          ...(typeof d['adoptionStatus'] === 'string' ? { adoptionStatus: d['adoptionStatus'] } : {}),
          ...(typeof d['lastChangeDateTime'] === 'string' ? { lastChangeDateTime: d['lastChangeDateTime'] } : {}),
          packageUrl: `${target.server}/ims/case/${version}/CFPackages/${encodeURIComponent(d['identifier'])}`,
        }]
      : [],
  );
}

/**
 * Imports a package from a remote CASE server in one transaction (with the credentials, saved for the server when
 * given). Nothing is stored when the remote fails, times out, refuses, or sends something that is not a CFPackage.
 */
export async function importRemote(db: Db, opts: RemoteImportOptions, onProgress?: OnProgress): Promise<ImportResult> {
  const target = resolveRemote(opts.url, opts.documentId);
  if (!target.packages.length) throw invalid('documentId', `is required: ${opts.url} is not a CFPackages URL; choose a document from its CFDocuments list`);
  const auth = await credentials(db, target.server, opts.auth);
  const token = auth && (await accessToken(auth, opts));
  let body: unknown;
  let from = '';
  for (const [i, url] of target.packages.entries()) {
    try {
      body = await getJson(url, token, opts, 'CFPackage');
      from = url;
      break;
    } catch (e) {
      // A bare server base: v1p1 first, then v1p0.
      if (!(isShirubeError(e) && e.field === 'url' && i < target.packages.length - 1)) throw e;
    }
  }
  try {
    parseCasePackage(body);
  } catch (e) {
    if (isShirubeError(e)) throw gateway(`The remote response from ${from} is not a usable CFPackage: ${e.message}`, e.field);
    throw e;
  }
  const { url: _u, documentId: _d, auth: _a, timeoutMs: _t, maxBytes: _m, ...importOpts } = opts;
  const given = opts.auth;
  const source: CaseSourceRow | undefined = given && {
    id: uuidv4(), baseUrl: target.server, tokenUrl: given.tokenUrl, clientId: given.clientId, clientSecret: given.clientSecret, scope: given.scope ?? null,
  };
  try {
    return await importCaseJson(db, body, { ...importOpts, sourceUrl: from, ...(source ? { alsoWrite: (trx) => saveCaseSource(trx, source) } : {}) }, onProgress);
  } catch (e) {
    if (isShirubeError(e) && e.code === 'invalid_request') throw gateway(`The remote response from ${from} is not a usable CFPackage: ${e.message}`, e.field);
    throw e;
  }
}
