import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { AppError } from '../../shared/errors.ts';
import { errorResult, type HttpEvent, type HttpResult, jsonResult } from '../../shared/http/handler.ts';
import type { FunctionGroup, RouteDef } from '../../shared/http/route.ts';
import { routeKey } from '../../shared/http/route.ts';
import { routeList } from '../../shared/http/routes.ts';
import { fieldErrors } from '../../shared/http/validation.ts';
import { errorSummary, logger } from '../../shared/logger.ts';
import { Role } from '../../shared/schemas/common.ts';
import type { DevAuthority } from './dev-auth.ts';

export type LambdaHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/** API Gateway's own payload limit; the handlers enforce their smaller one. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

/**
 * Invocations of one function the local gateway runs at once (see {@link invocationLimiter}).
 * Past about 50 nothing gets faster: each handler's DynamoDB client has 50 sockets.
 */
export const LOCAL_FUNCTION_CONCURRENCY = 64;

/**
 * Lambda runs one request at a time per container and adds containers up to the function's
 * concurrency. Locally every function runs in this one process: unbounded, a burst of thousands of
 * requests would all be in flight at once and share the process evenly, so that each of them
 * finishes only at the end of the burst — past API Gateway's 29 s when the burst is large. Here at
 * most `limit` invocations of a function run at once; the others wait their turn in arrival order,
 * and a handler's clock starts when it is invoked, as a Lambda's does.
 */
export function invocationLimiter(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(invoke: () => Promise<T>): Promise<T> => {
    if (running < limit) running++;
    else await new Promise<void>((admit) => waiting.push(admit));
    try {
      return await invoke();
    } finally {
      // Hand the slot straight to the next in line; free it only when nobody waits.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

interface CompiledRoute {
  route: RouteDef;
  pattern: RegExp;
  names: string[];
}

function compile(route: RouteDef): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
}

const DevTokenRequest = z
  .object({
    sub: z.string().min(1).max(128),
    role: Role,
    org: z.string().min(1).max(64).optional(),
    name: z.string().max(64).optional(),
    ttlSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .optional(),
  })
  .strict()
  .refine((t) => t.role === 'worker' || t.org !== undefined, {
    message: '审核员和管理员需要 org',
    path: ['org'],
  });

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * The local stand-in for API Gateway's HTTP API: turns each HTTP request into a v2 event, verifies
 * bearer tokens as the JWT authorizer would (claims in `requestContext.authorizer.jwt.claims`), and
 * calls the same handler exports CDK deploys. Also serves the dev token routes (local only) and the
 * web consoles from the same origin.
 */
export function createGateway(options: {
  handlers: Record<FunctionGroup, LambdaHandler>;
  auth: DevAuthority;
  webDir?: string;
  /** Invocations of one function at once; default {@link LOCAL_FUNCTION_CONCURRENCY}. */
  concurrency?: number;
}): Server {
  const compiled = routeList.map(compile);
  const limiters = new Map<FunctionGroup, ReturnType<typeof invocationLimiter>>();
  const invoke = (group: FunctionGroup, call: () => Promise<HttpResult>) => {
    let limiter = limiters.get(group);
    if (!limiter) {
      limiter = invocationLimiter(options.concurrency ?? LOCAL_FUNCTION_CONCURRENCY);
      limiters.set(group, limiter);
    }
    return limiter(call);
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;

    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-origin': req.headers.origin ?? '*',
        'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
        'access-control-allow-headers': 'authorization,content-type',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof AppError && err.code === 'payload_too_large')
        return sendAndClose(res, errorResult(err));
      return send(
        res,
        err instanceof AppError ? errorResult(err) : errorResult(new AppError('validation_failed')),
      );
    }

    if (path === '/v1/dev/jwks.json' && method === 'GET')
      return send(res, jsonResult(200, options.auth.jwks));
    if (path === '/v1/dev/token' && method === 'POST') return send(res, await devToken(body));

    const matches = compiled
      .map((c) => ({ c, m: c.pattern.exec(path) }))
      .filter((x): x is { c: CompiledRoute; m: RegExpExecArray } => x.m !== null);
    const match = matches.find((x) => x.c.route.method === method);
    if (!match) {
      if (
        matches.length === 0 &&
        method === 'GET' &&
        options.webDir &&
        serveStatic(options.webDir, path, res)
      )
        return;
      return send(res, errorResult(new AppError(matches.length > 0 ? 'method_not_allowed' : 'not_found')));
    }

    const { route } = match.c;
    const pathParameters: Record<string, string> = {};
    try {
      match.c.names.forEach((name, i) => {
        pathParameters[name] = decodeURIComponent(match.m[i + 1] ?? '');
      });
    } catch {
      return send(res, errorResult(new AppError('not_found')));
    }

    let claims: Record<string, string> | undefined;
    if (route.auth !== 'public') {
      const header = req.headers.authorization ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      const payload = token ? await options.auth.verify(token) : undefined;
      if (!payload)
        return send(
          res,
          errorResult(new AppError('unauthenticated', { message: '登录凭证缺失、无效或已过期' })),
        );
      // API Gateway hands claims to the Lambda as strings.
      claims = Object.fromEntries(
        Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
      );
    }

    const handler = options.handlers[route.group];
    try {
      // The event and its context are made at invocation: the handler's 29 s start then.
      const result = await invoke(route.group, () =>
        handler(toEvent(req, url, route, pathParameters, body, claims), lambdaContext(route.group)),
      );
      send(res, result);
    } catch (err) {
      logger.error('handler threw past its middleware', errorSummary(err));
      send(res, errorResult(err));
    }
  }

  async function devToken(body: Buffer): Promise<HttpResult> {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      return errorResult(
        new AppError('validation_failed', { fields: [{ path: '(body)', message: '无法解析 JSON' }] }),
      );
    }
    const parsed = DevTokenRequest.safeParse(json);
    if (!parsed.success)
      return errorResult(new AppError('validation_failed', { fields: fieldErrors(parsed.error) }));
    const ttl = parsed.data.ttlSeconds ?? 12 * 3600;
    const token = await options.auth.issue(parsed.data, ttl);
    return jsonResult(201, { token, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error('gateway error', errorSummary(err));
      if (!res.headersSent) send(res, errorResult(err));
    });
  });
  // A client that asks before sending (`Expect: 100-continue`) and declares too large a body gets the
  // 413 straight away and never sends it; any other request is read as usual.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (Number(req.headers['content-length'] ?? 0) > GATEWAY_MAX_BODY) {
      sendAndClose(res, errorResult(new AppError('payload_too_large')));
      return;
    }
    res.writeContinue();
    server.emit('request', req, res);
  });
  return server;
}

/**
 * Past this much a too-large body is no longer read to its end: the connection is cut, as it would
 * have to be for an endless upload.
 */
const GATEWAY_MAX_DRAIN = 8 * GATEWAY_MAX_BODY;

/**
 * The request body, at most {@link GATEWAY_MAX_BODY}; rejects with `payload_too_large` beyond. A too
 * large body is still read to its end (and dropped) before the 413 is sent: a server that answers
 * and closes while the client is still sending makes the client see a connection reset instead of
 * the answer. Only past {@link GATEWAY_MAX_DRAIN} is the connection cut short.
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > GATEWAY_MAX_DRAIN) {
        reject(new AppError('payload_too_large'));
        req.destroy();
        return;
      }
      if (size > GATEWAY_MAX_BODY) {
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () =>
      size > GATEWAY_MAX_BODY
        ? reject(new AppError('payload_too_large'))
        : resolveBody(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  route: RouteDef,
  pathParameters: Record<string, string>,
  body: Buffer,
  claims: Record<string, string> | undefined,
): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const now = new Date();
  const isText = body.length === 0 || /json|text/i.test(headers['content-type'] ?? 'application/json');
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routeKey(route),
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  } as HttpEvent;
}

function lambdaContext(group: FunctionGroup): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `edu-subsidy-${group}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:edu-subsidy-${group}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/edu-subsidy-${group}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function send(res: ServerResponse, result: HttpResult) {
  res.writeHead(result.statusCode, result.headers);
  res.end(result.body);
}

/** Answers and closes the connection after the answer (it may still carry an unread body). */
function sendAndClose(res: ServerResponse, result: HttpResult) {
  if (res.destroyed) return;
  res.writeHead(result.statusCode, { ...result.headers, connection: 'close' });
  res.end(result.body);
}

function serveStatic(webDir: string, path: string, res: ServerResponse): boolean {
  const root = resolve(webDir);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape (`/%zz`) names no file: 404, not a 500.
    return false;
  }
  let file = normalize(join(root, decoded));
  // `root + sep`: `/..%2fweb-other/x` must not reach a sibling directory whose name starts like root's.
  if (file !== root && !file.startsWith(root + sep)) return false;
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file) || !statSync(file).isFile()) return false;
  res.writeHead(200, {
    'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  res.end(readFileSync(file));
  return true;
}
