import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Context } from 'aws-lambda';
import { AppError } from '../../shared/errors.ts';
import { errorResult, type HttpEvent, type HttpResult } from '../../shared/http/handler.ts';
import type { FunctionGroup } from '../../shared/http/route.ts';
import { routeList } from '../../shared/http/routes.ts';
import { errorSummary, logger } from '../../shared/logger.ts';
import type { DevAuthority } from './dev-auth.ts';
import { bearerClaims, devRoute } from './gateway/dev-routes.ts';
import { toEvent } from './gateway/events.ts';
import { GATEWAY_MAX_BODY, readBody, send, sendAndClose } from './gateway/http-io.ts';
import { limitersPerKey } from './gateway/limiter.ts';
import { routeMatcher } from './gateway/routing.ts';
import { serveStatic } from './gateway/static-files.ts';
import { invokeLocally, LOCAL_FUNCTION_CONCURRENCY } from './invocation.ts';

export { invocationLimiter } from './gateway/limiter.ts';
export { LOCAL_FUNCTION_CONCURRENCY };

export type LambdaHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/**
 * The local stand-in for API Gateway's HTTP API, put together from its parts under `gateway/`:
 * routing over the route table, the JWT authorizer (dev tokens), event synthesis, a per-function
 * concurrency limit, the local-only dev routes and the web consoles from the same origin. It calls the
 * same handler exports CDK deploys, each invocation in a context of its own (`invocation.ts`).
 */
export function createGateway(options: {
  handlers: Record<FunctionGroup, LambdaHandler>;
  auth: DevAuthority;
  webDir?: string;
  /** The SMS provider stand-in, for `GET /v1/dev/sms`. */
  sms?: { messages(): unknown[] };
  /** Invocations of one function at once; default {@link LOCAL_FUNCTION_CONCURRENCY}. */
  concurrency?: number;
}): Server {
  const match = routeMatcher(routeList);
  const invoke = limitersPerKey<FunctionGroup>(options.concurrency ?? LOCAL_FUNCTION_CONCURRENCY);

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

    const dev = await devRoute(options.auth, method, path, body, options.sms);
    if (dev) return send(res, dev);

    const found = match(method, path);
    if (!found.route) {
      if (!found.pathKnown && method === 'GET' && options.webDir && serveStatic(options.webDir, path, res))
        return;
      return send(res, errorResult(found.error));
    }
    const { route, pathParameters } = found;

    let claims: Record<string, string> | undefined;
    if (route.auth !== 'public') {
      claims = await bearerClaims(options.auth, req);
      if (!claims)
        return send(
          res,
          errorResult(new AppError('unauthenticated', { message: '登录凭证缺失、无效或已过期' })),
        );
    }

    const handler = options.handlers[route.group];
    try {
      // The event and its context are made at invocation: the handler's 29 s start then.
      const result = await invoke(route.group, () =>
        invokeLocally(route.group, (context) =>
          handler(toEvent(req, url, route, pathParameters, body, claims), context),
        ),
      );
      send(res, result);
    } catch (err) {
      logger.error('handler threw past its middleware', errorSummary(err));
      send(res, errorResult(err));
    }
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
