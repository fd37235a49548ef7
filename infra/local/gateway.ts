import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Context } from 'aws-lambda';
import { ACTING_ORG_HEADER } from '../../shared/domain/caller.ts';
import { AppError } from '../../shared/errors.ts';
import { errorResult, type HttpEvent, type HttpResult } from '../../shared/http/handler.ts';
import type { FunctionGroup } from '../../shared/http/route.ts';
import { routeList } from '../../shared/http/routes.ts';
import { errorSummary, logger } from '../../shared/logger.ts';
import { FUNCTION_TIMEOUT_SECONDS } from '../function-timeouts.ts';
import { DEV_ISSUER, type DevAuthority } from './dev-auth.ts';
import { bearerClaims, devRoute, type TokenVerifier } from './gateway/dev-routes.ts';
import { toEvent } from './gateway/events.ts';
import { GATEWAY_MAX_BODY, readBody, send, sendAndClose } from './gateway/http-io.ts';
import { limitersPerKey } from './gateway/limiter.ts';
import { answerClientError, NODE_MAX_HEADER_SIZE, oversizedRequest } from './gateway/request-limits.ts';
import { routeMatcher } from './gateway/routing.ts';
import { serveWeb, type WebRoots } from './gateway/static-files.ts';
import { invokeLocally, LOCAL_FUNCTION_CONCURRENCY } from './invocation.ts';
import { type LocalOidc, OIDC_MOUNT } from './oidc/provider.ts';

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
  /**
   * The local OIDC provider, mounted under `/oidc` and trusted beside the dev authority. Set once
   * the gateway listens: its issuer names the port.
   */
  oidc?: { current: LocalOidc | undefined };
  /** The public site, the built apps and their runtime configuration; no web pages without it. */
  web?: WebRoots;
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

    const oversized = oversizedRequest(req, url);
    if (oversized) return sendAndClose(res, errorResult(oversized));

    const oidc = options.oidc?.current;
    if (oidc && (path === OIDC_MOUNT || path.startsWith(`${OIDC_MOUNT}/`))) return oidc.handle(req, res);

    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-origin': req.headers.origin ?? '*',
        'access-control-allow-methods': 'GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS',
        'access-control-allow-headers': 'authorization,content-type,x-acting-org',
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

    // HEAD is GET without the body: Node's response to a HEAD request never sends one.
    const asGet = method === 'HEAD' ? 'GET' : method;
    const dev = await devRoute(options.auth, asGet, path, body, options.sms);
    if (dev) return send(res, dev);

    const found = match(method, path);
    if (!found.route) {
      if (
        !found.pathKnown &&
        asGet === 'GET' &&
        options.web &&
        serveWeb(options.web, path, res, req.headers['accept-encoding'])
      )
        return;
      const refused = errorResult(found.error);
      if (found.allowed) refused.headers.allow = found.allowed.join(', ');
      return send(res, refused);
    }
    const { route, pathParameters } = found;

    let claims: Record<string, string> | undefined;
    if (route.auth !== 'public') {
      const verifiers: TokenVerifier[] = [
        { issuer: DEV_ISSUER, verify: (token) => options.auth.verify(token) },
        ...(oidc ? [{ issuer: oidc.issuer, verify: (token: string) => oidc.verify(token) }] : []),
      ];
      claims = await bearerClaims(verifiers, req);
      if (!claims) {
        const refused = errorResult(
          new AppError('unauthenticated', { message: '登录凭证缺失、无效或已过期' }),
        );
        // RFC 6750: no error code when no token was sent, `invalid_token` when the one sent was refused.
        refused.headers['www-authenticate'] = req.headers.authorization
          ? 'Bearer error="invalid_token"'
          : 'Bearer';
        return send(res, refused);
      }
      // A dev token's `org` (tests) names the org its request acts for, unless the request names
      // one; the handler still checks it against the account's memberships. No other issuer's claim
      // is read this way.
      if (
        claims.iss === DEV_ISSUER &&
        claims.org &&
        route.auth !== 'account' &&
        req.headers[ACTING_ORG_HEADER] === undefined
      ) {
        req.headers[ACTING_ORG_HEADER] = claims.org;
      }
    }

    const handler = options.handlers[route.group];
    try {
      // The event and its context are made at invocation: the handler's 29 s start then.
      const result = await invoke(route.group, () =>
        invokeLocally(route.group, FUNCTION_TIMEOUT_SECONDS.api, (context) =>
          handler(toEvent(req, url, route, pathParameters, body, claims), context),
        ),
      );
      send(res, result);
    } catch (err) {
      logger.error('handler threw past its middleware', errorSummary(err));
      send(res, errorResult(err));
    }
  }

  const server = createServer({ maxHeaderSize: NODE_MAX_HEADER_SIZE }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error('gateway error', errorSummary(err));
      if (!res.headersSent) send(res, errorResult(err));
    });
  });
  // What Node cannot parse (a head past even NODE_MAX_HEADER_SIZE) gets the contract's 400, not an empty 431.
  server.on('clientError', answerClientError);
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
