/** The one error domains throw; each HTTP API maps `code` to its own status and error format. */
export type ShirubeErrorCode =
  | 'not_found'
  | 'invalid_uuid'
  | 'invalid_request'
  | 'conflict'
  | 'precondition_failed'
  | 'precondition_required'
  | 'payload_too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'busy'
  | 'bad_gateway'
  | 'unavailable'
  | 'internal';

export class ShirubeError extends Error {
  readonly code: ShirubeErrorCode;
  /** The request field, query parameter or document path the error is about, when there is one. */
  readonly field: string | undefined;

  constructor(code: ShirubeErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'ShirubeError';
    this.code = code;
    this.field = field;
  }
}

export const isShirubeError = (e: unknown): e is ShirubeError => e instanceof ShirubeError;

/** PostgreSQL errors a request's data causes (SQLSTATE class 22 and stack depth), whatever route let the data through. */
const DATA_ERRORS: Record<string, string> = {
  '22021': 'a value contains a character that cannot be stored (NUL or invalid UTF-8)',
  '22P05': 'a value contains a character that cannot be stored (NUL, U+0000)',
  '22P02': 'a value has the wrong form for what it names',
  '22001': 'a value is too long',
  '22003': 'a number is out of range',
  '22007': 'a date or time is not valid',
  '22008': 'a date or time is out of range',
  '54001': 'the data is nested too deeply',
};

/** Seconds a client waits before trying again when the database does not answer (503 answers, /ready). */
export const RETRY_AFTER_SECONDS = 5;

/**
 * How a lost or refused database connection shows (PostgreSQL restarting, failing over or full): SQLSTATE class 08
 * and these codes, the socket's error codes, and the driver's (pg, Kysely) messages for a connection that died.
 */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = /^(Connection terminated|Client has encountered a connection error|Postgres connection has been discarded|timeout exceeded when trying to connect)/;

/** True when `err` says the database cannot be reached right now (docs/operations.md, "Faults"). */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return code === undefined && UNAVAILABLE_MESSAGES.test(err.message);
}

/**
 * The last line of defence of "bad input never gives 5xx" (docs/security.md, "Input limits"): an error the request's
 * data caused below the HTTP layer (a PostgreSQL data exception, a stack overflow on nested data) as invalid_request;
 * a database that cannot be reached as unavailable (503 with Retry-After: a client tries again); any other error
 * unchanged. Each API's error mapper applies it first. The statement failed, so its transaction rolled back.
 */
export function asRequestError(err: unknown): unknown {
  if (isShirubeError(err)) return err;
  if (isDatabaseUnavailable(err)) {
    return new ShirubeError('unavailable', `The database does not answer; try again in ${RETRY_AFTER_SECONDS} seconds`);
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in DATA_ERRORS && !(err as { statusCode?: unknown }).statusCode) {
    return new ShirubeError('invalid_request', `Request: ${DATA_ERRORS[code]}`);
  }
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return new ShirubeError('invalid_request', 'Request: the data is nested too deeply');
  }
  return err;
}
