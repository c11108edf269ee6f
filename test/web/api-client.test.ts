import { describe, expect, it } from 'vitest';
import { ApiError, toApiError } from '../../web/src/lib/api-client.js';

describe('toApiError', () => {
  it("reads /api's {error:{code,message,field}}", () => {
    const e = toApiError(400, { error: { code: 'invalid_request', message: 'username: required', field: 'username' } });
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.message, e.field]).toEqual([400, 'invalid_request', 'username: required', 'username']);
  });

  it("reads CASE's imsx_StatusInfo (codeMinor value and field)", () => {
    const e = toApiError(404, {
      imsx_codeMajor: 'failure',
      imsx_severity: 'error',
      imsx_description: 'No CFPackage abc',
      imsx_codeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'sourcedId', imsx_codeMinorFieldValue: 'unknownobject' }] },
    });
    expect([e.status, e.code, e.message, e.field]).toEqual([404, 'unknownobject', 'No CFPackage abc', 'sourcedId']);
  });

  it('turns anything else (a proxy page, no body) into http_<status>', () => {
    const e = toApiError(502, undefined);
    expect([e.status, e.code, e.message]).toEqual([502, 'http_502', 'HTTP 502']);
    expect(toApiError(500, { message: 'x' }).code).toBe('http_500');
  });
});
