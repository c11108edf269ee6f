/**
 * The one HTTP client of the UI. Every failure — CASE's imsx_StatusInfo, /api's {error:{code,message}}, a proxy's
 * HTML page, a dropped connection — becomes one ApiError with a status, a code and a message fit to show.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The API's code (`not_found`, `unauthorized`…), CASE's codeMinor value, or `network` / `http_<status>`. */
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface StatusInfoBody {
  imsx_codeMajor: string;
  imsx_description?: string;
  imsx_codeMinor?: { imsx_codeMinorField?: Array<{ imsx_codeMinorFieldName?: string; imsx_codeMinorFieldValue?: string }> };
}
interface UiErrorBody {
  error: { code: string; message: string; field?: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Turns an error response body (already parsed, or undefined when it was not JSON) into an ApiError. */
export function toApiError(status: number, body: unknown): ApiError {
  if (isObject(body) && isObject(body['error']) && typeof body['error']['code'] === 'string') {
    const e = (body as unknown as UiErrorBody).error;
    return new ApiError(status, e.code, e.message || `HTTP ${status}`, e.field);
  }
  if (isObject(body) && typeof body['imsx_codeMajor'] === 'string') {
    const s = body as unknown as StatusInfoBody;
    const minor = s.imsx_codeMinor?.imsx_codeMinorField?.[0];
    return new ApiError(status, minor?.imsx_codeMinorFieldValue ?? `http_${status}`, s.imsx_description || `HTTP ${status}`, minor?.imsx_codeMinorFieldName);
  }
  return new ApiError(status, `http_${status}`, `HTTP ${status}`);
}

let csrfToken: string | undefined;
/** Cookie-authenticated writes must echo the session's CSRF token (set after sign-in and on session load). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** A body sent as it is (a CSV file) rather than as JSON. */
interface RawBody {
  text: string;
  contentType: string;
  /** The answer wanted: JSON (parsed), or another type returned as text (a CSV report). */
  accept: string;
}

/** An answer with its ETag (the authoring API's entities: docs/authoring.md). */
export interface Tagged<T> {
  data: T;
  etag: string | undefined;
}

async function exchange<T>(method: string, path: string, body?: unknown, raw?: RawBody, ifMatch?: string): Promise<Tagged<T>> {
  const headers: Record<string, string> = { accept: raw?.accept ?? 'application/json' };
  if (raw) headers['content-type'] = raw.contentType;
  else if (body !== undefined) headers['content-type'] = 'application/json';
  if (ifMatch !== undefined) headers['if-match'] = ifMatch;
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: raw ? raw.text : body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  const text = await res.text();
  const etag = res.headers.get('etag') ?? undefined;
  if (res.ok && raw && raw.accept !== 'application/json') return { data: text as T, etag };
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) throw toApiError(res.status, parsed);
  if (text && parsed === undefined) throw new ApiError(res.status, 'invalid_response', `${method} ${path}: the server did not answer with JSON`);
  return { data: parsed as T, etag };
}

const request = async <T>(method: string, path: string, body?: unknown, raw?: RawBody) => (await exchange<T>(method, path, body, raw)).data;

export const apiClient = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  /** POST a text body (`text/csv`…) for a JSON answer, or for a text one of the type `accept`. */
  postText: <T>(path: string, text: string, contentType: string, accept = 'application/json') => request<T>('POST', path, undefined, { text, contentType, accept }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
  /** GET keeping the ETag; a write sending it back in If-Match (412 when someone else changed the entity). */
  getTagged: <T>(path: string) => exchange<T>('GET', path),
  write: <T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body: unknown, ifMatch?: string) => exchange<T>(method, path, body, undefined, ifMatch),
};
