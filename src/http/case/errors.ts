import type { FastifyError, FastifyInstance } from 'fastify';
import { asRequestError, isShirubeError, type ShirubeErrorCode } from '../../errors.js';
import type { CaseVersion } from '../../case/model.js';

/** imsx_codeMinor values differ between CASE 1.0 and 1.1 (spec/case/NOTES.md §2). */
const minor = {
  '1.0': { unauthorised: 'unauthorisedrequest', invalidUuid: 'invaliduuid' },
  '1.1': { unauthorised: 'unauthorised_request', invalidUuid: 'invalid_uuid' },
} as const;

const table: Record<ShirubeErrorCode, { status: number; minor: (v: CaseVersion) => string }> = {
  not_found: { status: 404, minor: () => 'unknownobject' },
  invalid_uuid: { status: 404, minor: (v) => minor[v].invalidUuid },
  invalid_request: { status: 400, minor: () => 'invalid_selection_field' },
  conflict: { status: 409, minor: () => 'invalid_selection_field' },
  precondition_failed: { status: 412, minor: () => 'invalid_selection_field' },
  precondition_required: { status: 428, minor: () => 'invalid_selection_field' },
  payload_too_large: { status: 413, minor: () => 'invalid_selection_field' },
  unauthorized: { status: 401, minor: (v) => minor[v].unauthorised },
  forbidden: { status: 403, minor: () => 'forbidden' },
  busy: { status: 429, minor: () => 'server_busy' },
  bad_gateway: { status: 502, minor: () => 'internal_server_error' },
  unavailable: { status: 503, minor: () => 'server_busy' },
  internal: { status: 500, minor: () => 'internal_server_error' },
};

export interface StatusInfo {
  imsx_codeMajor: 'success' | 'processing' | 'failure' | 'unsupported';
  imsx_severity: 'status' | 'warning' | 'error';
  imsx_description?: string;
  imsx_codeMinor: { imsx_codeMinorField: Array<{ imsx_codeMinorFieldName: string; imsx_codeMinorFieldValue: string }> };
}

export function statusInfo(code: ShirubeErrorCode, description: string, version: CaseVersion, field = 'sourcedId'): { status: number; body: StatusInfo } {
  const row = table[code];
  return {
    status: row.status,
    body: {
      imsx_codeMajor: 'failure',
      imsx_severity: 'error',
      imsx_description: description,
      imsx_codeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: field, imsx_codeMinorFieldValue: row.minor(version) }] },
    },
  };
}

/** Maps any error to { status, imsx_StatusInfo }: Shirube errors by code, Fastify's own 4xx (body parsing, limits) by status. */
export function toStatusInfo(err: unknown, version: CaseVersion): { status: number; body: StatusInfo } {
  err = asRequestError(err);
  if (isShirubeError(err)) return statusInfo(err.code, err.message, version, err.field ?? 'sourcedId');
  const fe = err as FastifyError;
  const status = fe.statusCode ?? 500;
  if (fe.validation) {
    const v = fe.validation[0];
    const field = (v?.instancePath?.replace(/^\//, '').replace(/\//g, '.') || (v?.params as { missingProperty?: string })?.missingProperty) ?? fe.validationContext ?? 'request';
    return statusInfo('invalid_request', `${field}: ${v?.message ?? fe.message}`, version, field);
  }
  if (status === 413) return statusInfo('payload_too_large', 'body: the request body is too large', version, 'body');
  if (status === 415) return statusInfo('invalid_request', `Content-Type: ${fe.message}`, version, 'Content-Type');
  if (status >= 400 && status < 500) return statusInfo('invalid_request', `body: ${fe.message}`, version, 'body');
  return statusInfo('internal', 'Internal server error; the request was not applied. Try again later.', version);
}

/** Encapsulated error and not-found handlers for one CASE API prefix. */
export function useCaseErrors(app: FastifyInstance, version: CaseVersion): void {
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = toStatusInfo(err, version);
    if (status >= 500) req.log.error({ err }, 'CASE request failed');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const { status, body } = statusInfo('not_found', `No CASE endpoint ${req.method} ${req.url.split('?')[0]}`, version, 'endpoint');
    return reply.code(status).send(body);
  });
}
