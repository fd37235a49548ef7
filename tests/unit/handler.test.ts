import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import {
  errorResult,
  type HttpEvent,
  httpHandler,
  type Implementations,
  MAX_BODY_BYTES,
  type Request,
} from '../../shared/http/handler.ts';
import { type RouteDef, routeKey } from '../../shared/http/route.ts';
import { type Routes, routes } from '../../shared/http/routes.ts';

const SECRET = 'password=hunter2 at 10.1.2.3 for 370102199003077777';

function event(
  route: Pick<RouteDef, 'method' | 'path'>,
  parts: {
    pathParameters?: Record<string, string>;
    claims?: Record<string, string>;
    body?: string;
    headers?: Record<string, string>;
    isBase64Encoded?: boolean;
  } = {},
): HttpEvent {
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: route.path,
    rawQueryString: '',
    headers: parts.headers ?? { 'content-type': 'application/json' },
    ...(parts.pathParameters ? { pathParameters: parts.pathParameters } : {}),
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: route.method,
        path: route.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'vitest',
      },
      requestId: 'req-1',
      routeKey: routeKey(route),
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: parts.claims ?? {}, scopes: [] } },
    },
    ...(parts.body === undefined ? {} : { body: parts.body }),
    isBase64Encoded: parts.isBase64Encoded ?? false,
  } as HttpEvent;
}

const context = { awsRequestId: 'aws-req-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

let stderr: MockInstance<typeof process.stderr.write>;
let stdout: MockInstance<typeof process.stdout.write>;
beforeEach(() => {
  // The handler logs JSON lines; capture them to check nothing internal or personal leaks into them.
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
});

const logged = () => [...stderr.mock.calls, ...stdout.mock.calls].map((c) => String(c[0])).join('');

describe('httpHandler', () => {
  const publicTable = { getHealth: routes.getHealth, getOrg: routes.getOrg };
  const publicRoutes: Implementations<typeof publicTable> = {
    getHealth: async () => {
      throw new Error(SECRET);
    },
    getOrg: async ({ params }: Request<Routes['getOrg']>) => {
      if (params.orgId === 'app-error') throw new AppError('not_found', { message: '组织不存在' });
      if (params.orgId === 'type-error') return (undefined as unknown as () => never)();
      // A thrown non-Error value must be handled as well.
      throw { secret: SECRET };
    },
  };
  const publicHandler = httpHandler(publicTable, publicRoutes);

  it('answers an unexpected error with 500 internal_error and no internals', async () => {
    const res = await publicHandler(event(routes.getHealth), context);
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body)).toEqual({
      error: { code: 'internal_error', message: '服务暂时不可用，请稍后再试' },
    });
    expect(res.body).not.toContain('hunter2');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    // Logged for operators, without the message (which may hold personal data).
    expect(logged()).toContain('unhandled error');
    expect(logged()).not.toContain('hunter2');
    expect(logged()).not.toContain('370102199003077777');
  });

  it('answers a TypeError and a thrown non-Error the same way', async () => {
    for (const orgId of ['type-error', 'thrown-object']) {
      const res = await publicHandler(event(routes.getOrg, { pathParameters: { orgId } }), context);
      expect(res.statusCode).toBe(500);
      expect(JSON.parse(res.body)).toEqual({
        error: { code: 'internal_error', message: '服务暂时不可用，请稍后再试' },
      });
      expect(res.body).not.toContain('hunter2');
    }
    expect(logged()).not.toContain('hunter2');
  });

  it('answers DynamoDB too busy for the request (throttled, or a transaction on the same item) with 429 rate_limited', async () => {
    const busy = [
      Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
        name: 'ThrottlingException',
      }),
      Object.assign(new Error('Transaction is ongoing for the item'), {
        name: 'TransactionConflictException',
      }),
      Object.assign(new Error('Transaction cancelled [None, TransactionConflict]'), {
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      }),
      Object.assign(new Error('Transaction cancelled [ThrottlingError]'), {
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'ThrottlingError' }],
      }),
    ];
    for (const err of busy) {
      const handler = httpHandler(
        { getHealth: routes.getHealth },
        {
          getHealth: async () => {
            throw err;
          },
        },
      );
      const res = await handler(event(routes.getHealth), context);
      expect(res.statusCode).toBe(429);
      expect(JSON.parse(res.body)).toEqual({
        error: { code: 'rate_limited', message: '请求过于频繁，请稍后再试' },
      });
    }
    expect(logged()).toContain('refused for load');
    expect(logged()).not.toContain('unhandled error');
    // A transaction refused for what it asked is not load: still a 500.
    const refused = httpHandler(
      { getHealth: routes.getHealth },
      {
        getHealth: async () => {
          throw Object.assign(new Error('Transaction cancelled [ConditionalCheckFailed]'), {
            name: 'TransactionCanceledException',
            CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
          });
        },
      },
    );
    expect((await refused(event(routes.getHealth), context)).statusCode).toBe(500);
  });

  it('answers an AppError with its status, code and message', async () => {
    const res = await publicHandler(
      event(routes.getOrg, { pathParameters: { orgId: 'app-error' } }),
      context,
    );
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'not_found', message: '组织不存在' } });
  });

  it('answers invalid path parameters with 400 and the field path before running the route', async () => {
    const res = await publicHandler(
      event(routes.getOrg, { pathParameters: { orgId: 'Not A Slug' } }),
      context,
    );
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.fields).toEqual([{ path: 'params.orgId', message: expect.any(String) }]);
  });

  it('answers an unknown route key with 404', async () => {
    const res = await publicHandler(event({ method: 'GET', path: '/v1/nowhere' }), context);
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body).error.code).toBe('not_found');
  });

  it('refuses a table that mixes groups, or a route without an implementation, at construction', () => {
    expect(() =>
      httpHandler(
        { getHealth: routes.getHealth, createOrg: routes.createOrg },
        {
          getHealth: async ({ now }) => ({ body: { status: 'ok' as const, time: now.toISOString() } }),
          createOrg: async () => {
            throw new AppError('forbidden');
          },
        },
      ),
    ).toThrow(/group/);
    expect(() =>
      httpHandler(publicTable, {
        getHealth: async () => ({ body: { status: 'ok' as const, time: '' } }),
      } as unknown as Implementations<typeof publicTable>),
    ).toThrow(/no implementation/);
  });

  describe('protected routes', () => {
    let ran = 0;
    const adminTable = { createOrg: routes.createOrg };
    const adminRoutes: Implementations<typeof adminTable> = {
      createOrg: async ({ body, caller }: Request<Routes['createOrg']>) => {
        ran++;
        return { body: { ...body, path: [caller.org ?? '', body.id] } };
      },
    };
    // The accounts' memberships, as the table would answer them (architecture.md §8): roles are data,
    // whatever role or org the token's claims say.
    const lookups: string[] = [];
    const adminHandler = httpHandler(adminTable, adminRoutes, {
      memberships: async (sub) => {
        lookups.push(sub);
        return sub === 'a' ? [{ orgId: 'lc', role: 'admin' as const }] : [];
      },
    });
    const validOrg = { id: 'x-1', name: '某镇工会', kind: 'township', parentId: 'lc-chiping' };

    beforeEach(() => {
      ran = 0;
    });

    it('answers 401 without claims and 403 for a role the route does not allow', async () => {
      const none = await adminHandler(event(routes.createOrg, { body: JSON.stringify(validOrg) }), context);
      expect(none.statusCode).toBe(401);
      expect(JSON.parse(none.body).error.code).toBe('unauthenticated');
      const worker = await adminHandler(
        event(routes.createOrg, { body: JSON.stringify(validOrg), claims: { sub: 'w', role: 'worker' } }),
        context,
      );
      expect(worker.statusCode).toBe(403);
      expect(JSON.parse(worker.body).error.code).toBe('forbidden');
      // Claims of a role grant nothing: this account holds no membership.
      const claimsOnly = await adminHandler(
        event(routes.createOrg, {
          body: JSON.stringify(validOrg),
          claims: { sub: 'w2', role: 'admin', org: 'lc', 'custom:role': 'admin', 'custom:org': 'lc' },
        }),
        context,
      );
      expect(claimsOnly.statusCode).toBe(403);
      expect(ran).toBe(0);
    });

    it('reads no membership on a worker-only route (submit stays one read lighter), and refuses a named org there', async () => {
      const seen: string[] = [];
      const workerTable = { listMyApplications: routes.listMyApplications };
      const workerHandler = httpHandler(
        workerTable,
        {
          listMyApplications: async ({ caller }) => {
            seen.push(`${caller.sub}:${caller.role}`);
            return { body: { applications: [] } };
          },
        },
        {
          memberships: async (sub) => {
            lookups.push(sub);
            return [{ orgId: 'lc', role: 'admin' as const }];
          },
        },
      );
      const before = lookups.length;
      const ok = await workerHandler(
        { ...event(routes.listMyApplications, { claims: { sub: 'a' } }), queryStringParameters: {} },
        context,
      );
      expect(ok.statusCode, ok.body).toBe(200);
      expect(seen).toEqual(['a:worker']);
      expect(lookups.length).toBe(before);
      const named = await workerHandler(
        event(routes.listMyApplications, {
          claims: { sub: 'a' },
          headers: { 'content-type': 'application/json', 'x-acting-org': 'lc' },
        }),
        context,
      );
      expect(named.statusCode).toBe(403);
    });

    it('acts for the org named in X-Acting-Org only when the account belongs to it', async () => {
      const named = (org: string) =>
        adminHandler(
          event(routes.createOrg, {
            body: JSON.stringify(validOrg),
            claims: { sub: 'a' },
            headers: { 'content-type': 'application/json', 'x-acting-org': org },
          }),
          context,
        );
      expect((await named('lc')).statusCode).toBe(201);
      const other = await named('sd');
      expect(other.statusCode).toBe(403);
      expect(JSON.parse(other.body).error.code).toBe('forbidden');
      expect(ran).toBe(1);
    });

    it('runs the route with the validated body and the caller', async () => {
      const res = await adminHandler(
        event(routes.createOrg, {
          body: JSON.stringify(validOrg),
          claims: { sub: 'a', role: 'admin', org: 'lc' },
        }),
        context,
      );
      expect(res.statusCode).toBe(201);
      expect(JSON.parse(res.body)).toEqual({ ...validOrg, path: ['lc', 'x-1'] });
      expect(ran).toBe(1);
    });

    it('reads a base64 body', async () => {
      const res = await adminHandler(
        event(routes.createOrg, {
          body: Buffer.from(JSON.stringify(validOrg)).toString('base64'),
          isBase64Encoded: true,
          claims: { sub: 'a', role: 'admin', org: 'lc' },
        }),
        context,
      );
      expect(res.statusCode).toBe(201);
    });

    it.each([
      ['no body', undefined, 'application/json'],
      ['invalid JSON', '{"id":', 'application/json'],
      ['a non-JSON content type', JSON.stringify(validOrg), 'text/plain'],
      ['a form', 'id=x', 'application/x-www-form-urlencoded'],
    ])('answers 400 for %s', async (_label, body, contentType) => {
      const res = await adminHandler(
        event(routes.createOrg, {
          ...(body === undefined ? {} : { body }),
          headers: { 'content-type': contentType },
          claims: { sub: 'a', role: 'admin', org: 'lc' },
        }),
        context,
      );
      expect(res.statusCode).toBe(400);
      const parsed = JSON.parse(res.body);
      expect(parsed.error.code).toBe('validation_failed');
      expect(parsed.error.fields).toEqual([{ path: '(body)', message: expect.any(String) }]);
      expect(ran).toBe(0);
    });

    it('answers 413 for a body over the limit', async () => {
      const res = await adminHandler(
        event(routes.createOrg, {
          body: JSON.stringify({ ...validOrg, name: 'x'.repeat(MAX_BODY_BYTES) }),
          claims: { sub: 'a', role: 'admin', org: 'lc' },
        }),
        context,
      );
      expect(res.statusCode).toBe(413);
      expect(JSON.parse(res.body).error.code).toBe('payload_too_large');
    });
  });
});

describe('errorResult', () => {
  it('carries fields and details of an AppError', () => {
    const res = errorResult(
      new AppError('ineligible', { fields: [{ path: 'a', message: 'b' }], details: { rules: ['R1'] } }),
    );
    expect(res.statusCode).toBe(422);
    expect(JSON.parse(res.body)).toEqual({
      error: {
        code: 'ineligible',
        message: '不符合补助条件',
        fields: [{ path: 'a', message: 'b' }],
        rules: ['R1'],
      },
    });
  });

  it('hides everything of any other error', () => {
    const res = errorResult(new RangeError(SECRET));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
  });
});
