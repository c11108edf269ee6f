import { describe, expect, it } from 'vitest';
import { ShirubeError, type ShirubeErrorCode } from '../../../src/errors.js';
import { codeMinor, toObStatusInfo } from '../../../src/http/ob/errors.js';

describe('OB 3.0 imsx_StatusInfo mapping', () => {
  const OB_MINOR = ['forbidden', 'fullsuccess', 'internal_server_error', 'invalid_data', 'invalid_query_parameter', 'misdirected_request', 'not_acceptable', 'not_allowed', 'not_found', 'not_modified', 'server_busy', 'unauthorizedrequest', 'unknown'];

  it.each([
    ['not_found', 404, 'not_found'],
    ['invalid_uuid', 404, 'not_found'],
    ['invalid_request', 400, 'invalid_data'],
    ['unauthorized', 401, 'unauthorizedrequest'],
    ['forbidden', 403, 'forbidden'],
    ['busy', 429, 'server_busy'],
    ['internal', 500, 'internal_server_error'],
  ] as const)('maps %s to %i / %s, naming the field', (code, status, minor) => {
    const r = toObStatusInfo(new ShirubeError(code, 'what went wrong', 'proof'));
    expect(r.status).toBe(status);
    expect(r.body).toEqual({
      imsx_codeMajor: 'failure',
      imsx_severity: 'error',
      imsx_description: r.status === 500 ? expect.any(String) : 'what went wrong',
      imsx_codeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'proof', imsx_codeMinorFieldValue: minor }] },
    });
  });

  it('uses only OB 3.0 code minor values', () => {
    for (const code of Object.keys(codeMinor) as ShirubeErrorCode[]) expect(OB_MINOR).toContain(codeMinor[code]);
  });

  it('says invalid_query_parameter for a bad query parameter, and never shows internals', () => {
    const query = toObStatusInfo(Object.assign(new Error('x'), { statusCode: 400, validation: [{ instancePath: '/limit', message: 'must be >= 1', params: {} }], validationContext: 'querystring' }));
    expect(query.body.imsx_codeMinor.imsx_codeMinorField[0]).toEqual({ imsx_codeMinorFieldName: 'limit', imsx_codeMinorFieldValue: 'invalid_query_parameter' });
    const crash = toObStatusInfo(new Error('connection string postgres://secret'));
    expect(crash.status).toBe(500);
    expect(crash.body.imsx_description).not.toContain('secret');
  });
});
