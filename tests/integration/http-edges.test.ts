import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathOf } from '../support/api.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * Issue 12 item 10, through the local gateway: a 405 names the allowed methods, HEAD answers wherever
 * GET does, a 401 says how to authenticate, and a request line or header past the gateway's limit —
 * an over-long cursor above all — is a 400 in the contract's format, never Node's empty 431.
 * (Every answer here is also checked against /openapi.json by the integration setup.)
 */

let stack: TestStack;
let worker: string;

beforeAll(async () => {
  stack = await startTestStack();
  worker = await stack.token({ sub: 'edges-worker', role: 'worker' });
});
afterAll(async () => {
  await stack?.stop();
});

const allowOf = (headers: Headers) =>
  (headers.get('allow') ?? '')
    .split(',')
    .map((m) => m.trim())
    .sort();

describe('405 Method Not Allowed', () => {
  it.each([
    ['DELETE', '/v1/programmes', ['GET', 'HEAD', 'POST']],
    ['PUT', '/v1/programmes/lc-2022', ['GET', 'HEAD', 'PATCH']],
    ['GET', '/v1/orgs', ['POST']],
    ['GET', '/v1/applications/abcdefgh12/submit', ['POST']],
  ])('%s %s names the methods the path has in Allow', async (method, path, allowed) => {
    const res = await stack.call(method, path);
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('method_not_allowed');
    expect(allowOf(res.headers)).toEqual(allowed);
  });
});

describe('HEAD', () => {
  it('answers wherever GET does, with GET’s status and headers and no body', async () => {
    for (const path of ['/v1/health', '/v1/programmes', pathOf('getQuotas', { programmeId: 'lc-2022' })]) {
      const get = await fetch(`${stack.url}${path}`);
      const head = await fetch(`${stack.url}${path}`, { method: 'HEAD' });
      expect(head.status, path).toBe(get.status);
      expect(head.status, path).toBe(200);
      expect(head.headers.get('content-type'), path).toBe(get.headers.get('content-type'));
      expect(await head.text(), path).toBe('');
    }
  });

  it('answers as GET would for a missing resource and for a route that needs a token', async () => {
    const missing = await fetch(`${stack.url}${pathOf('getProgramme', { programmeId: 'no-such' })}`, {
      method: 'HEAD',
    });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('');
    const guarded = await fetch(`${stack.url}/v1/me/applications`, { method: 'HEAD' });
    expect(guarded.status).toBe(401);
    expect(guarded.headers.get('www-authenticate')).toBe('Bearer');
    const mine = await fetch(`${stack.url}/v1/me/applications`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${worker}` },
    });
    expect(mine.status).toBe(200);
    expect(await mine.text()).toBe('');
  });

  it('is not allowed where GET is not: 405 with Allow', async () => {
    const res = await fetch(`${stack.url}/v1/orgs`, { method: 'HEAD' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('validation messages through the gateway (issue 12 item 9)', () => {
  it('answers an empty-body POST naming the body, without `undefined`', async () => {
    const res = await stack.call('POST', '/v1/applications', { token: worker });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([
      { path: '(body)', message: expect.stringMatching(/^请求内容不能为空/) },
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/undefined/);
  });

  it('names a missing reason of a rejection at `reason`, and array items by index', async () => {
    const reviewer = await stack.token({ sub: 'edges-reviewer', role: 'reviewer', org: 'lc' });
    const one = await stack.call('POST', '/v1/applications/abcdefgh12/decisions', {
      token: reviewer,
      body: { decision: 'reject' },
    });
    expect(one.status).toBe(400);
    expect(one.body.error.fields).toEqual([{ path: 'reason', message: '驳回或退回须填写理由' }]);
    const bulk = await stack.call('POST', '/v1/review/decisions', {
      token: reviewer,
      body: { items: [{ id: 'abcdefgh12', decision: 'approve' }, { id: 'abcdefgh13' }] },
    });
    expect(bulk.status).toBe(400);
    expect(bulk.body.error.fields).toEqual([
      { path: 'items.1.decision', message: '缺少此字段，须为以下之一：approve、reject、return' },
    ]);
  });
});

describe('401 Unauthorized', () => {
  it('says Bearer when no token was sent', async () => {
    const res = await stack.call('GET', '/v1/me/applications');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it.each([
    ['a forged token', 'Bearer not.a.token'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
  ])('says error="invalid_token" for %s', async (_, authorization) => {
    const res = await stack.call('GET', '/v1/me/applications', { headers: { authorization } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });
});

describe('over-long requests (the gateway’s 10 KB request line and headers)', () => {
  const cursorOf = (length: number) => 'c'.repeat(length);

  it.each([
    ['3 KB: past the cursor’s own limit', 3 * 1024],
    ['20 KB: past the gateway’s limit, and Node’s default 16 KB head', 20 * 1024],
    ['300 KB: past even what Node reads of a head', 300 * 1024],
  ])('a %s cursor is 400 validation_failed, never an empty 431', async (_, length) => {
    const res = await stack.call('GET', `/v1/me/applications?cursor=${cursorOf(length)}`, { token: worker });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toEqual([
      length > 200 * 1024 ? 'headers' : 'query.cursor',
    ]);
  });

  it('names an over-long header, and goes on serving afterwards', async () => {
    const res = await stack.call('GET', '/v1/health', { headers: { 'x-padding': 'p'.repeat(12 * 1024) } });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([{ path: 'headers.x-padding', message: expect.any(String) }]);
    expect((await stack.call('GET', '/v1/health')).status).toBe(200);
  });

  it('lets a request just inside the limit through', async () => {
    const res = await stack.call('GET', '/v1/health', { headers: { 'x-padding': 'p'.repeat(8 * 1024) } });
    expect(res.status).toBe(200);
  });
});
