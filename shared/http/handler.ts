import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { z } from 'zod/mini';
import { isRefusedForLoad } from '../adapters/errors.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { errorSummary, logger } from '../logger.ts';
import { lambdaObservability } from '../metrics.ts';
import type { Membership } from '../model/membership.ts';
import { ACTING_ORG_HEADER, actAs, type Caller, identityFromClaims } from './auth.ts';
import { type FunctionGroup, type ResponseSchemaOf, type RouteDef, routeKey } from './route.ts';
import { parseOrThrow } from './validation.ts';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

/** Largest JSON body accepted (documents go straight to S3, never through the API). */
export const MAX_BODY_BYTES = 256 * 1024;

type Out<S> = [NonNullable<S>] extends [z.core.$ZodType] ? z.output<NonNullable<S>> : undefined;

/** What a route implementation receives: validated parts of the request and the verified caller. */
export interface Request<R extends RouteDef> {
  params: Out<R['params']>;
  query: Out<R['query']>;
  body: Out<R['body']>;
  caller: R['auth'] extends 'public' ? Caller | undefined : Caller;
  requestId: string;
  now: Date;
}

/** A route implementation's answer; the status defaults to the route's documented success status. */
export interface Reply<R extends RouteDef> {
  status?: number;
  body: z.input<ResponseSchemaOf<R>>;
}

export type Implementation<R extends RouteDef> = (req: Request<R>) => Promise<Reply<R>>;

/** One implementation for every route of a group's table. */
export type Implementations<T extends Record<string, RouteDef>> = {
  [K in keyof T]: Implementation<T[K]>;
};

const securityHeaders: Record<string, string> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'referrer-policy': 'no-referrer',
};

export function jsonResult(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { ...securityHeaders }, body: JSON.stringify(body) };
}

/**
 * The contract's error body; messages of 5xx never carry internals. A 401 says how to authenticate
 * (RFC 6750): behind the JWT authorizer a function only sees verified tokens, so a 401 it answers is
 * about a token whose claims it cannot use — `invalid_token`.
 */
export function errorResult(err: unknown): HttpResult {
  if (err instanceof AppError) {
    const result = jsonResult(err.status, {
      error: {
        code: err.code,
        message: err.message,
        ...(err.fields ? { fields: err.fields } : {}),
        ...(err.details ?? {}),
      },
    });
    if (err.code === 'unauthenticated') result.headers['www-authenticate'] = 'Bearer error="invalid_token"';
    return result;
  }
  // DynamoDB too busy for it (throttled, or in conflict with a transaction on the same item) past
  // every retry: the refused write was not made, and trying again later is the answer.
  if (isRefusedForLoad(err)) return errorResult(new AppError('rate_limited'));
  const internal = new AppError('internal_error');
  return jsonResult(500, { error: { code: internal.code, message: internal.message } });
}

function readBody(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) throw new AppError('payload_too_large');
  const contentType =
    event.headers?.['content-type'] ?? event.headers?.['Content-Type'] ?? 'application/json';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new AppError('validation_failed', {
      message: '请求内容必须是 JSON',
      fields: [{ path: '(body)', message: 'Content-Type 必须是 application/json' }],
    });
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (cause) {
    throw new AppError('validation_failed', {
      message: '请求内容不是有效的 JSON',
      fields: [{ path: '(body)', message: '无法解析 JSON' }],
      cause,
    });
  }
}

/** An account's memberships (architecture.md §8): the one read a request acting for an org pays. */
export type MembershipLookup = (sub: string) => Promise<readonly Pick<Membership, 'orgId' | 'role'>[]>;

/** Who each request acted as, for its log line (role and org, never the identity). */
const actedAs = new WeakMap<HttpEvent, Caller>();

/** A route only workers call, or any account as itself: no membership is read (submit's speed). */
const asItself = (route: RouteDef) =>
  route.auth === 'account' || (route.auth !== 'public' && route.auth.every((r) => r === 'worker'));

/**
 * The caller a request acts as: identity from the verified token, role and org from the account's
 * memberships and the `X-Acting-Org` header (`actAs`). Public routes have no caller; worker-only and
 * `account` routes act as the account itself without reading memberships, and refuse a named org.
 */
async function authorize(
  route: RouteDef,
  event: HttpEvent,
  memberships: MembershipLookup | undefined,
): Promise<Caller | undefined> {
  if (route.auth === 'public') return undefined;
  const identity = identityFromClaims(event.requestContext.authorizer?.jwt?.claims);
  const named = event.headers?.[ACTING_ORG_HEADER]?.trim() || undefined;
  if (asItself(route)) {
    if (named !== undefined) throw new AppError('forbidden', { message: '本人办理的业务不能代表组织' });
    return { ...identity, role: 'worker', org: undefined };
  }
  if (!memberships) throw new Error(`route ${route.operationId} needs the membership lookup`);
  const caller = actAs(identity, await memberships(identity.sub), named);
  if (route.auth === 'account' || !route.auth.includes(caller.role)) throw new AppError('forbidden');
  return caller;
}

/**
 * One Lambda handler for a route group: finds the route by `routeKey`, authorizes the caller,
 * validates params, query and body with the route's zod schemas, runs the implementation and answers
 * in the contract's JSON (errors included). Written once; every function file uses it with its own
 * group's table (`shared/http/routes/<group>.ts`), so a function builds only its own schemas.
 */
export function httpHandler<T extends Record<string, RouteDef>>(
  groupRoutes: T,
  implementations: Implementations<T>,
  options: {
    /** Where `now` comes from: the function's `deps.clock`, so tests set the time instead of sleeping. */
    clock?: Clock;
    /** How to read an account's memberships; needed by every group with routes for reviewers or admins. */
    memberships?: MembershipLookup;
  } = {},
) {
  const now = () => options.clock?.now() ?? new Date();
  const table = new Map<string, { route: RouteDef; impl: Implementation<RouteDef> }>();
  let group: FunctionGroup | undefined;
  for (const [id, route] of Object.entries(groupRoutes)) {
    group ??= route.group;
    if (route.group !== group) throw new Error(`route ${id} belongs to group ${route.group}, not ${group}`);
    const impl = implementations[id as keyof T] as Implementation<RouteDef> | undefined;
    if (!impl) throw new Error(`route ${id} has no implementation`);
    table.set(routeKey(route), { route, impl });
  }

  const dispatch = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const entry = table.get(event.routeKey);
    if (!entry) throw new AppError('not_found');
    const { route, impl } = entry;
    const caller = await authorize(route, event, options.memberships);
    if (caller) actedAs.set(event, caller);
    const params = route.params
      ? parseOrThrow(route.params, event.pathParameters ?? {}, 'params')
      : undefined;
    const query = route.query
      ? parseOrThrow(route.query, event.queryStringParameters ?? {}, 'query')
      : undefined;
    const body = route.body ? parseOrThrow(route.body, readBody(event)) : undefined;
    const reply = await impl({
      params,
      query,
      body,
      caller,
      requestId: context.awsRequestId,
      now: now(),
    } as Request<RouteDef>);
    return jsonResult(reply.status ?? route.response.status, reply.body);
  };

  return middy<HttpEvent, HttpResult, Error, Context>(dispatch)
    .use(lambdaObservability())
    .use(requestLog())
    .use(errorResponses());
}

/** Maps every thrown error to the contract's error body; unexpected ones are logged without data. */
function errorResponses(): middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  return {
    onError: async (request) => {
      if (isRefusedForLoad(request.error)) {
        logger.warn('refused for load', { routeKey: request.event.routeKey, ...errorSummary(request.error) });
      } else if (!(request.error instanceof AppError)) {
        logger.error('unhandled error', { routeKey: request.event.routeKey, ...errorSummary(request.error) });
      }
      request.response = errorResult(request.error);
    },
  };
}

/**
 * One structured log line per request: route, status and time, the role and org it acted as, never the
 * body or the caller's identity. API Gateway's request id is the correlation id of every line the
 * invocation writes (the Lambda request id is there too, from the Logger's context).
 */
function requestLog(): middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  const started = new WeakMap<object, number>();
  const done = (request: middy.Request<HttpEvent, HttpResult, Error, Context>) => {
    logger.info('request', {
      routeKey: request.event.routeKey,
      status: request.response?.statusCode,
      ms: Date.now() - (started.get(request.event) ?? Date.now()),
      role: actedAs.get(request.event)?.role,
      org: actedAs.get(request.event)?.org,
      ...(request.error instanceof AppError ? { code: request.error.code } : {}),
    });
  };
  return {
    before: async (request) => {
      started.set(request.event, Date.now());
      logger.setCorrelationId(request.event.requestContext.requestId);
    },
    after: async (request) => done(request),
    onError: async (request) => done(request),
  };
}
