import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.stop();
});

const ISSUER = 'edu-subsidy-local';
const AUDIENCE = 'edu-subsidy-api';
const township = () => ({
  id: `lc-dcf-t${Math.random().toString(36).slice(2, 8)}`,
  name: '测试镇工会',
  kind: 'township',
  parentId: 'lc-dongchangfu',
});

/** The stack's own signing key, as `npm start` keeps it under the data directory. */
function stackKey(): JWK {
  return JSON.parse(readFileSync(join(stack.dataDir, 'dev-jwt-key.json'), 'utf8')) as JWK;
}

async function signWithStackKey(
  claims: Record<string, unknown>,
  options: { issuer?: string; audience?: string; exp?: number; sub?: string } = {},
): Promise<string> {
  const jwk = stackKey();
  const key = await importJWK(jwk, 'RS256');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid ?? 'dev', typ: 'JWT' })
    .setSubject(options.sub ?? 'admin-1')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
    .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 3600)
    .sign(key);
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function expectUnauthenticated(headers: Record<string, string>) {
  const res = await stack.call('POST', '/v1/orgs', { body: township(), headers });
  expect(res.status).toBe(401);
  expect(res.body).toEqual({
    error: { code: 'unauthenticated', message: expect.stringMatching(/\p{Script=Han}/u) },
  });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
}

describe('the local gateway’s JWT check on a protected route (POST /v1/orgs)', () => {
  it('accepts a token issued by the stack (the control case)', async () => {
    const token = await stack.token({ sub: 'admin-1', role: 'admin', org: 'lc' });
    const res = await stack.call('POST', '/v1/orgs', { token, body: township() });
    expect(res.status).toBe(201);
  });

  it('accepts a token signed with the stack’s key file by another program (the control for the cases below)', async () => {
    const token = await signWithStackKey({ role: 'admin', org: 'lc' });
    const res = await stack.call('POST', '/v1/orgs', { token, body: township() });
    expect(res.status).toBe(201);
  });

  it('answers 401 without a token', async () => {
    await expectUnauthenticated({});
  });

  it('answers 401 for a header that is not a bearer token', async () => {
    const token = await stack.token({ sub: 'admin-1', role: 'admin', org: 'lc' });
    await expectUnauthenticated({ authorization: token });
    await expectUnauthenticated({ authorization: `Basic ${token}` });
    await expectUnauthenticated({ authorization: 'Bearer' });
    await expectUnauthenticated({ authorization: 'Bearer not-a-jwt' });
  });

  it('answers 401 for a token signed by another RSA key, even with the stack’s kid', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ role: 'admin', org: 'lc' })
      .setProtectedHeader({ alg: 'RS256', kid: stackKey().kid ?? 'dev', typ: 'JWT' })
      .setSubject('admin-1')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    await expectUnauthenticated({ authorization: `Bearer ${token}` });
  });

  it('answers 401 for an expired token signed with the stack’s own key', async () => {
    const token = await signWithStackKey(
      { role: 'admin', org: 'lc' },
      { exp: Math.floor(Date.now() / 1000) - 60 },
    );
    await expectUnauthenticated({ authorization: `Bearer ${token}` });
  });

  it('answers 401 for an unsigned `alg: none` token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      sub: 'admin-1',
      role: 'admin',
      org: 'lc',
      iss: ISSUER,
      aud: AUDIENCE,
      iat: now,
      exp: now + 3600,
    };
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
    await expectUnauthenticated({ authorization: `Bearer ${token}` });
    // The same claims under the stack's kid, still unsigned.
    const withKid = `${b64url({ alg: 'none', typ: 'JWT', kid: stackKey().kid })}.${b64url(payload)}.`;
    await expectUnauthenticated({ authorization: `Bearer ${withKid}` });
  });

  it('answers 401 for a valid signature whose payload was swapped', async () => {
    const admin = await signWithStackKey({ role: 'worker' });
    const [header, , signature] = admin.split('.');
    const now = Math.floor(Date.now() / 1000);
    const forged = `${header}.${b64url({ sub: 'admin-1', role: 'admin', org: 'sd', iss: ISSUER, aud: AUDIENCE, exp: now + 3600 })}.${signature}`;
    await expectUnauthenticated({ authorization: `Bearer ${forged}` });
  });

  it('answers 401 for a wrong issuer or audience', async () => {
    await expectUnauthenticated({
      authorization: `Bearer ${await signWithStackKey({ role: 'admin', org: 'lc' }, { issuer: 'https://evil.example' })}`,
    });
    await expectUnauthenticated({
      authorization: `Bearer ${await signWithStackKey({ role: 'admin', org: 'lc' }, { audience: 'another-api' })}`,
    });
  });

  it('answers 401 for a verified token whose claims do not name an account (no sub)', async () => {
    // Signed by the stack, so the gateway passes it on; the handler must still refuse it.
    await expectUnauthenticated({
      authorization: `Bearer ${await signWithStackKey({ role: 'admin', org: 'lc' }, { sub: '' })}`,
    });
  });

  it('grants nothing for role and org claims: an account without membership is a worker (403)', async () => {
    // Issue 12: roles are membership data. A signed token claiming admin of lc (and Cognito's custom
    // attributes) for an account that holds no membership acts as a worker.
    for (const claims of [
      { role: 'admin', org: 'lc' },
      { 'custom:role': 'admin', 'custom:org': 'lc' },
    ]) {
      const token = await signWithStackKey(claims, {
        sub: `claims-only-${Math.random().toString(36).slice(2)}`,
      });
      const res = await stack.call('POST', '/v1/orgs', {
        body: township(),
        headers: { authorization: `Bearer ${token}`, 'x-acting-org': 'lc' },
      });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });

  it('answers 403 for a valid token of a role the route does not allow', async () => {
    for (const claims of [
      { sub: 'w1', role: 'worker' as const },
      { sub: 'r1', role: 'reviewer' as const, org: 'lc' },
    ]) {
      const res = await stack.call('POST', '/v1/orgs', {
        token: await stack.token(claims),
        body: township(),
      });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    }
  });

  it('needs no token on public routes and ignores a bad one there', async () => {
    const res = await stack.call('GET', '/v1/orgs/lc', { headers: { authorization: 'Bearer garbage' } });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe('lc');
  });
});

describe('POST /v1/dev/token (local only)', () => {
  it('issues an RS256 token with the claims asked for, verifiable against /v1/dev/jwks.json', async () => {
    const res = await stack.call('POST', '/v1/dev/token', {
      body: { sub: 'r-7', role: 'reviewer', org: 'lc-chiping', name: '张三', ttlSeconds: 600 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ token: expect.any(String), expiresAt: expect.any(String) });
    const expiresIn = Date.parse(res.body.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(590_000);
    expect(expiresIn).toBeLessThanOrEqual(600_000);

    const jwks = await stack.call('GET', '/v1/dev/jwks.json');
    expect(jwks.status).toBe(200);
    const { payload, protectedHeader } = await jwtVerify(res.body.token, createLocalJWKSet(jwks.body), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256'],
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ sub: 'r-7', role: 'reviewer', org: 'lc-chiping', name: '张三' });
    expect(payload.exp).toBe(Math.floor(Date.parse(res.body.expiresAt) / 1000));
  });

  it('issues a worker token without an org', async () => {
    const res = await stack.call('POST', '/v1/dev/token', { body: { sub: 'w-1', role: 'worker' } });
    expect(res.status).toBe(201);
    const decoded = JSON.parse(Buffer.from(res.body.token.split('.')[1], 'base64url').toString('utf8'));
    expect(decoded).toMatchObject({ sub: 'w-1', role: 'worker' });
    expect(decoded).not.toHaveProperty('org');
  });

  it.each([
    ['an unknown role', { sub: 'u', role: 'root', org: 'lc' }, 'role'],
    ['a reviewer without org', { sub: 'u', role: 'reviewer' }, 'org'],
    ['an admin without org', { sub: 'u', role: 'admin' }, 'org'],
    ['a missing sub', { role: 'worker' }, 'sub'],
    ['an empty sub', { sub: '', role: 'worker' }, 'sub'],
    ['an unknown field', { sub: 'u', role: 'worker', admin: true }, 'admin'],
    ['a ttl over a week', { sub: 'u', role: 'worker', ttlSeconds: 8 * 24 * 3600 }, 'ttlSeconds'],
  ])('answers 400 for %s', async (_label, body, path) => {
    const res = await stack.call('POST', '/v1/dev/token', { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toEqual([path]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await stack.call('POST', '/v1/dev/token', { body: '{"sub":' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'validation_failed',
        message: expect.any(String),
        fields: [{ path: '(body)', message: expect.any(String) }],
      },
    });
  });
});

describe('GET /v1/dev/jwks.json', () => {
  it('publishes the public half of the stack’s key, never the private parts', async () => {
    const res = await stack.call('GET', '/v1/dev/jwks.json');
    expect(res.status).toBe(200);
    expect(res.body.keys).toHaveLength(1);
    const [key] = res.body.keys;
    const own = stackKey();
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: own.kid, n: own.n, e: own.e });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
  });
});
