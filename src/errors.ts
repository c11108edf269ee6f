/** The one error domains throw; each HTTP API maps `code` to its own status and error format. */
export type ShirubeErrorCode =
  | 'not_found'
  | 'invalid_uuid'
  | 'invalid_request'
  | 'conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'busy'
  | 'bad_gateway'
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
