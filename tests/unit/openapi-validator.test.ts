/**
 * The response validator every integration test runs behind (issue 12 item 11): what it accepts,
 * what it refuses, and that its refusals name the operation, the status and the failing body path.
 */
import { describe, expect, it } from 'vitest';
import { checkResponse, isDocumentedPath, type SeenResponse } from '../support/openapi-validator.ts';

const json = { 'content-type': 'application/json; charset=utf-8' };
const seen = (over: Partial<SeenResponse>): SeenResponse => ({
  method: 'GET',
  path: '/v1/health',
  status: 200,
  headers: json,
  text: JSON.stringify({ status: 'ok', time: '2022-11-30T08:00:00.000Z' }),
  ...over,
});
const error = (code: string, extra: object = {}) =>
  JSON.stringify({ error: { code, message: '说明', ...extra } });

describe('checkResponse', () => {
  it('accepts an answer the document declares', () => {
    expect(() => checkResponse(seen({}))).not.toThrow();
    expect(() =>
      checkResponse(seen({ path: '/v1/programmes/no-such?x=1', status: 404, text: error('not_found') })),
    ).not.toThrow();
  });

  it('refuses a status the operation does not declare, naming the operation and what it declares', () => {
    expect(() => checkResponse(seen({ status: 409, text: error('invalid_state') }))).toThrow(
      /getHealth \(GET \/v1\/health\) answered 409: status 409 is not declared \(declared: 200, 400, 429, 500\)/,
    );
  });

  it('refuses a body its schema does not accept, naming the failing path', () => {
    expect(() => checkResponse(seen({ text: JSON.stringify({ status: 'ok', time: 'yesterday' }) }))).toThrow(
      /getHealth .* answered 200: the body does not match its schema\n {2}at \/time: must match format "date-time"/,
    );
    expect(() =>
      checkResponse(seen({ path: '/v1/programmes/x', status: 404, text: error('no_such_code') })),
    ).toThrow(/at \/error\/code: must be equal to one of the allowed values/);
    expect(() =>
      checkResponse(
        seen({
          method: 'POST',
          path: '/v1/applications',
          status: 400,
          text: error('validation_failed', { fields: [{ path: 'items[0].reason', message: '缺少此字段' }] }),
        }),
      ),
    ).toThrow(/at \/error\/fields\/0\/path: must match pattern/);
  });

  it('refuses a 401 without WWW-Authenticate, a 405 without Allow, a body to HEAD, `undefined` in a message', () => {
    const unauthenticated = seen({
      path: '/v1/me/applications',
      status: 401,
      text: error('unauthenticated'),
    });
    expect(() => checkResponse(unauthenticated)).toThrow(/header www-authenticate is missing/);
    expect(() =>
      checkResponse({ ...unauthenticated, headers: { ...json, 'www-authenticate': 'Bearer' } }),
    ).not.toThrow();
    const notAllowed = seen({ method: 'DELETE', status: 405, text: error('method_not_allowed') });
    expect(() => checkResponse(notAllowed)).toThrow(/a 405 must name the allowed methods/);
    expect(() => checkResponse({ ...notAllowed, headers: { ...json, allow: 'GET, HEAD' } })).not.toThrow();
    expect(() => checkResponse(seen({ method: 'HEAD' }))).toThrow(/an answer to HEAD must have no body/);
    expect(() => checkResponse(seen({ method: 'HEAD', text: '' }))).not.toThrow();
    expect(() =>
      checkResponse(
        seen({
          method: 'POST',
          path: '/v1/applications',
          status: 400,
          text: error('validation_failed', { fields: [{ path: '(body)', message: '实际接收 undefined' }] }),
        }),
      ),
    ).toThrow(/an error message says `undefined`/);
  });

  it('refuses success from a path the document does not list, and checks only documented paths', () => {
    expect(() => checkResponse(seen({ path: '/v1/nowhere' }))).toThrow(/no operation/);
    expect(isDocumentedPath('/v1/dev/token')).toBe(false);
    expect(isDocumentedPath('/index.html')).toBe(false);
    expect(isDocumentedPath('/openapi.json')).toBe(true);
    expect(() => checkResponse(seen({ path: '/attachments-1/key', text: 'bytes' }))).not.toThrow();
  });
});
