import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type LambdaHandler } from '../../infra/local/gateway.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { type FunctionGroup, functionGroups } from '../../shared/http/route.ts';
import { routeList } from '../../shared/http/routes.ts';
import { startTestStack, type TestStack } from './harness.ts';

// Seeded as if first started on 2023-06-15 (Asia/Shanghai), so the demo programme's id is known.
const SEEDED_AT = new Date('2023-06-15T04:00:00.000Z');

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ now: SEEDED_AT });
});
afterAll(async () => {
  await stack.stop();
});

/** 附件 名额分配表 of the 2022 notice: unit id, name, places. */
const attachment: [string, string, number][] = [
  ['lc-shizhi', '市直属单位', 20],
  ['lc-dongchangfu', '东昌府区', 20],
  ['lc-chiping', '茌平区', 20],
  ['lc-linqing', '临清市', 20],
  ['lc-guanxian', '冠县', 20],
  ['lc-shenxian', '莘县', 20],
  ['lc-yanggu', '阳谷县', 20],
  ['lc-donge', '东阿县', 20],
  ['lc-gaotang', '高唐县', 20],
  ['lc-kaifaqu', '开发区', 10],
  ['lc-gaoxinqu', '高新区', 5],
  ['lc-dujiaqu', '度假区', 5],
];

const lc2022 = {
  id: 'lc-2022',
  title: '2022年一线职工“求学圆梦行动”',
  ownerOrgId: 'lc',
  year: 2022,
  enrolmentYear: 2022,
  applicationWindow: { opensOn: '2022-01-01', closesOn: '2022-11-30' },
  reviewBatches: [
    { id: 'batch-1', opensOn: '2022-05-05', closesOn: '2022-06-10' },
    { id: 'batch-2', opensOn: '2022-11-01', closesOn: '2022-12-09' },
  ],
  levels: ['junior_college', 'bachelor'],
};

describe('GET /v1/health', () => {
  it('answers ok with the time and the security headers', async () => {
    const before = Date.now();
    const res = await stack.call('GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', time: expect.any(String) });
    expect(Date.parse(res.body.time)).toBeGreaterThanOrEqual(before - 1000);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('GET /v1/programmes', () => {
  it('lists the seeded lc-2022 and demo programmes, newest year first, as summaries', async () => {
    const res = await stack.call('GET', '/v1/programmes');
    expect(res.status).toBe(200);
    expect(res.body.programmes.map((p: { id: string }) => p.id)).toEqual(['demo-20230615', 'lc-2022']);
    expect(res.body.programmes[1]).toEqual(lc2022);
    const demo = res.body.programmes[0];
    expect(demo).toMatchObject({ ownerOrgId: 'lc', year: 2023, enrolmentYear: 2023 });
    expect(
      demo.applicationWindow.opensOn <= '2023-06-15' && demo.applicationWindow.closesOn >= '2023-06-15',
    ).toBe(true);
  });
});

describe('GET /v1/programmes/lc-2022', () => {
  it('is the 2022 Liaocheng programme exactly as the notice sets it', async () => {
    const res = await stack.call('GET', '/v1/programmes/lc-2022');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...lc2022,
      allocations: attachment.map(([unitOrgId, , places]) => ({
        unitOrgId,
        places,
        funding: [
          { funderOrgId: 'sd', amountFen: 100_000 },
          { funderOrgId: 'lc', amountFen: 100_000 },
        ],
      })),
      allocationPolicy: 'first_come_first_served',
      contacts: {
        hotline: '4000123318',
        people: [
          { name: '宋燕', phone: '0531-85826289', role: '山东省“求学圆梦”职工教育运营中心' },
          { name: '张滨', phone: '0531-68828301', role: '山东省“求学圆梦”职工教育运营中心' },
          { name: '魏丽婷', phone: '0635-8261102', role: '聊城市总工会“求学圆梦行动”联系人' },
        ],
      },
      createdAt: SEEDED_AT.toISOString(),
    });
  });
});

describe('GET /v1/programmes/lc-2022/quotas', () => {
  it('is the attachment table with empty counters and 20万元 from each of the province and the city', async () => {
    const res = await stack.call('GET', '/v1/programmes/lc-2022/quotas');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      programmeId: 'lc-2022',
      units: attachment.map(([unitOrgId, name, places]) => ({
        unitOrgId,
        name,
        places,
        claimed: 0,
        waitlisted: 0,
        funding: [
          { funderOrgId: 'sd', amountFen: 100_000, totalFen: places * 100_000 },
          { funderOrgId: 'lc', amountFen: 100_000, totalFen: places * 100_000 },
        ],
      })),
      totals: {
        places: 200,
        claimed: 0,
        waitlisted: 0,
        funding: [
          { funderOrgId: 'sd', totalFen: 20_000_000 },
          { funderOrgId: 'lc', totalFen: 20_000_000 },
        ],
      },
    });
  });
});

describe('the org tree', () => {
  it('GET /v1/orgs/lc is the city union under the province', async () => {
    const res = await stack.call('GET', '/v1/orgs/lc');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: 'lc',
      name: '聊城市总工会',
      kind: 'city',
      parentId: 'sd',
      path: ['sd', 'lc'],
    });
    const sd = await stack.call('GET', '/v1/orgs/sd');
    expect(sd.body).toEqual({
      id: 'sd',
      name: '山东省总工会',
      kind: 'province',
      parentId: null,
      path: ['sd'],
    });
  });

  it('GET /v1/orgs/lc/children lists the 12 units in id order', async () => {
    const res = await stack.call('GET', '/v1/orgs/lc/children');
    expect(res.status).toBe(200);
    expect(res.body.orgId).toBe('lc');
    const expected = attachment
      .map(([id, name]) => ({ id, name, kind: 'unit', parentId: 'lc', path: ['sd', 'lc', id] }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    // Units may carry more attributes (e.g. how they review); these are the notice's.
    expect(res.body.children).toEqual(expected.map((unit) => expect.objectContaining(unit)));
  });

  it('lists a unit’s townships and enterprises and an empty list for a leaf', async () => {
    const res = await stack.call('GET', '/v1/orgs/lc-dongchangfu/children');
    expect(res.body.children.map((o: { id: string }) => o.id)).toEqual([
      'lc-dcf-gucheng',
      'lc-dcf-machinery',
    ]);
    const leaf = await stack.call('GET', '/v1/orgs/lc-dcf-machinery/children');
    expect(leaf.status).toBe(200);
    expect(leaf.body).toEqual({ orgId: 'lc-dcf-machinery', children: [] });
  });
});

describe('errors of public reads', () => {
  const notFound = { error: { code: 'not_found', message: expect.stringMatching(/\p{Script=Han}/u) } };

  it.each([
    '/v1/programmes/lc-2099',
    '/v1/programmes/lc-2099/quotas',
    '/v1/orgs/lc-nowhere',
    '/v1/orgs/lc-nowhere/children',
  ])('answers 404 not_found for %s', async (path) => {
    const res = await stack.call('GET', path);
    expect(res.status).toBe(404);
    expect(res.body).toEqual(notFound);
  });

  it.each([
    ['/v1/orgs/ABC%20x', 'params.orgId'],
    ['/v1/orgs/LC', 'params.orgId'],
    ['/v1/orgs/-lc/children', 'params.orgId'],
    [`/v1/orgs/${'a'.repeat(65)}`, 'params.orgId'],
    ['/v1/programmes/lc_2022', 'params.programmeId'],
    ['/v1/programmes/%E4%B8%AD/quotas', 'params.programmeId'],
  ])('answers 400 for the malformed id in %s', async (path, field) => {
    const res = await stack.call('GET', path);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'validation_failed',
        message: expect.any(String),
        fields: [{ path: field, message: expect.any(String) }],
      },
    });
  });

  it.each(['/v1/nowhere', '/v1/orgs/lc/children/extra', '/v2/health', '/v1/health/'])(
    'answers 404 not_found for the unknown path %s',
    async (path) => {
      const res = await stack.call('GET', path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    },
  );

  it.each([
    ['DELETE', '/v1/orgs/lc'],
    ['GET', '/v1/orgs'],
    ['PUT', '/v1/programmes/lc-2022'],
  ])('answers 405 for %s %s, a known path without that method', async (method, path) => {
    const res = await stack.call(method, path);
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ error: { code: 'method_not_allowed', message: expect.any(String) } });
  });
});

describe('/openapi.json', () => {
  // biome-ignore lint/suspicious/noExplicitAny: the document is walked field by field below
  let doc: any;
  beforeAll(async () => {
    const res = await stack.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });

  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toEqual(expect.any(String));
  });

  it('is the document the response validator compiles (tests/support/openapi-validator.ts)', () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('documents every route of the route table under its path and method', () => {
    expect(routeList.length).toBeGreaterThanOrEqual(9);
    for (const route of routeList) {
      const operation = doc.paths?.[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation.operationId).toBe(route.operationId);
      expect(operation.responses[String(route.response.status)], route.operationId).toBeDefined();
      expect(operation.responses['500'], route.operationId).toBeDefined();
    }
    const documented = Object.values(doc.paths).reduce(
      (n: number, methods) => n + Object.keys(methods as object).length,
      0,
    );
    expect(documented).toBe(routeList.length);
  });

  it('gives every protected route 401 and 403 and a bearer security requirement', () => {
    const protectedRoutes = routeList.filter((r) => r.auth !== 'public');
    expect(protectedRoutes.length).toBeGreaterThan(0);
    for (const route of protectedRoutes) {
      const operation = doc.paths[route.path][route.method.toLowerCase()];
      expect(operation.responses['401'], route.operationId).toBeDefined();
      expect(operation.responses['403'], route.operationId).toBeDefined();
      expect(operation.security).toEqual([{ bearer: [] }]);
    }
    for (const route of routeList.filter((r) => r.auth === 'public')) {
      const operation = doc.paths[route.path][route.method.toLowerCase()];
      // Said explicitly (`[]`), so that tools need not guess that no token is needed.
      expect(operation.security, route.operationId).toEqual([]);
    }
  });

  it('gives every route with a body a JSON request schema, 400 and 413', () => {
    const withBody = routeList.filter((r) => r.body);
    expect(withBody.length).toBeGreaterThan(0);
    for (const route of withBody) {
      const operation = doc.paths[route.path][route.method.toLowerCase()];
      expect(operation.requestBody.content['application/json'].schema, route.operationId).toBeDefined();
      expect(operation.responses['400'], route.operationId).toBeDefined();
      expect(operation.responses['413'], route.operationId).toBeDefined();
    }
  });

  it('answers every error in the contract’s Error schema', () => {
    const error = doc.components.schemas.Error;
    expect(error).toBeDefined();
    expect(error.properties.error.required).toEqual(expect.arrayContaining(['code', 'message']));
    for (const route of routeList) {
      const operation = doc.paths[route.path][route.method.toLowerCase()];
      for (const [status, response] of Object.entries(operation.responses) as [
        string,
        { content: unknown },
      ][]) {
        if (Number(status) < 400) continue;
        expect(response.content, `${route.operationId} ${status}`).toEqual({
          'application/json': { schema: { $ref: '#/components/schemas/Error' } },
        });
      }
    }
  });

  it('carries the request schemas with their constraints', () => {
    const createOrg = doc.components.schemas.CreateOrg;
    expect(createOrg.required).toEqual(expect.arrayContaining(['id', 'name', 'kind', 'parentId']));
    expect(createOrg.additionalProperties).toBe(false);
    expect(doc.components.schemas.CreateProgramme).toBeDefined();
  });
});

describe('the web consoles on the same origin', () => {
  it('serves the console at /', async () => {
    const res = await fetch(`${stack.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toMatch(/^<!doctype html>/i);
  });

  it('serves nothing outside the web directory, not even a sibling whose name starts the same', async () => {
    const root = mkdtempSync(join(tmpdir(), 'edu-subsidy-web-'));
    mkdirSync(join(root, 'web'));
    writeFileSync(join(root, 'web', 'index.html'), '<html>console</html>');
    mkdirSync(join(root, 'web-private'));
    writeFileSync(join(root, 'web-private', 'secret.txt'), 'SECRET');
    const handlers = {} as Record<FunctionGroup, LambdaHandler>;
    for (const group of functionGroups) {
      handlers[group] = ((await import(`../../functions/${group}.ts`)) as { handler: LambdaHandler }).handler;
    }
    const server = createGateway({
      handlers,
      auth: stack.auth,
      web: { site: join(root, 'web'), apps: {}, runtimeConfig: () => ({}) },
    });
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', () => resolveListen()));
    try {
      const { port } = server.address() as AddressInfo;
      const get = async (path: string) => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        return { status: res.status, text: await res.text() };
      };
      expect(await get('/')).toEqual({ status: 200, text: '<html>console</html>' });
      for (const path of [
        '/..%2fweb-private%2fsecret.txt',
        '/%2e%2e%2fweb-private/secret.txt',
        '/../web-private/secret.txt',
      ]) {
        const res = await get(path);
        expect(res.status, path).toBe(404);
        expect(res.text, path).not.toContain('SECRET');
      }
      // A malformed escape names no file: 404, not 500.
      expect((await get('/%zz')).status).toBe(404);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('serves each app under its prefix, its client-side routes as its page, and the runtime configuration', async () => {
    const root = mkdtempSync(join(tmpdir(), 'edu-subsidy-web-'));
    mkdirSync(join(root, 'site'));
    writeFileSync(join(root, 'site', 'index.html'), '<html>board</html>');
    mkdirSync(join(root, 'console', 'assets'), { recursive: true });
    writeFileSync(join(root, 'console', 'index.html'), '<html>console</html>');
    writeFileSync(join(root, 'console', 'assets', 'index-AbCdEf12.js'), 'console.log(1)');
    const script = `${'console.log("求学圆梦行动");\n'.repeat(100)}`;
    writeFileSync(join(root, 'console', 'assets', 'main-AbCdEf12.js'), script);
    writeFileSync(join(root, 'console', 'assets', 'logo-AbCdEf12.png'), Buffer.alloc(4000, 1));
    const handlers = {} as Record<FunctionGroup, LambdaHandler>;
    for (const group of functionGroups) {
      handlers[group] = ((await import(`../../functions/${group}.ts`)) as { handler: LambdaHandler }).handler;
    }
    const server = createGateway({
      handlers,
      auth: stack.auth,
      web: {
        site: join(root, 'site'),
        apps: { '/console/': join(root, 'console') },
        runtimeConfig: () => ({ apiBasePath: '/v1' }),
      },
    });
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', () => resolveListen()));
    try {
      const { port } = server.address() as AddressInfo;
      const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`, { redirect: 'manual' });
      expect(await (await get('/')).text()).toBe('<html>board</html>');
      expect(await (await get('/console/')).text()).toBe('<html>console</html>');
      // A client-side route is the app's page; a missing asset is still a 404.
      expect(await (await get('/console/review/app-1')).text()).toBe('<html>console</html>');
      expect((await get('/console/assets/missing-AbCdEf12.js')).status).toBe(404);
      const asset = await get('/console/assets/index-AbCdEf12.js');
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const bare = await get('/console');
      expect(bare.status).toBe(301);
      expect(bare.headers.get('location')).toBe('/console/');
      const config = await get('/runtime-config.json');
      expect(config.headers.get('cache-control')).toBe('no-cache');
      expect(await config.json()).toEqual({ apiBasePath: '/v1' });
      // The API's own paths are never shadowed by an app.
      expect((await get('/v1/health')).status).toBe(200);

      // Text of 1,000 bytes or more goes compressed, as CloudFront sends it: Brotli when accepted,
      // else gzip; nothing for a browser that accepts neither, for a smaller file or for an image.
      const raw = (path: string, acceptEncoding?: string) =>
        new Promise<{ headers: Record<string, unknown>; body: Buffer }>((done, fail) => {
          const headers = acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
          request({ host: '127.0.0.1', port, path, headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => done({ headers: res.headers, body: Buffer.concat(chunks) }));
          })
            .on('error', fail)
            .end();
        });
      const br = await raw('/console/assets/main-AbCdEf12.js', 'gzip, deflate, br, zstd');
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers.vary).toBe('accept-encoding');
      expect(br.body.length).toBeLessThan(Buffer.byteLength(script) / 4);
      expect(brotliDecompressSync(br.body).toString('utf8')).toBe(script);
      const gzip = await raw('/console/assets/main-AbCdEf12.js', 'gzip, br;q=0');
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzip.body).toString('utf8')).toBe(script);
      const identity = await raw('/console/assets/main-AbCdEf12.js');
      expect(identity.headers['content-encoding']).toBeUndefined();
      expect(identity.body.toString('utf8')).toBe(script);
      expect(
        (await raw('/console/assets/index-AbCdEf12.js', 'br')).headers['content-encoding'],
      ).toBeUndefined();
      expect(
        (await raw('/console/assets/logo-AbCdEf12.png', 'br')).headers['content-encoding'],
      ).toBeUndefined();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(root, { recursive: true, force: true });
    }
  });
});
