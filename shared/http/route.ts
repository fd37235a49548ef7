import type { z } from 'zod';
import type { ErrorCode } from '../errors.ts';
import type { Role } from '../schemas/common.ts';

/**
 * The Lambda functions the API is split into: one function per route group (architecture.md §6). The CDK
 * stack creates one function per group and the local gateway loads the same handler exports.
 */
export const functionGroups = ['public', 'admin', 'applications', 'review', 'catalogue', 'accounts'] as const;
export type FunctionGroup = (typeof functionGroups)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A route of the public contract: everything the handler, the gateway, CDK and OpenAPI need. */
export interface RouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  operationId: string;
  method: HttpMethod;
  /** API Gateway route path, e.g. `/v1/programmes/{programmeId}`. */
  path: string;
  group: FunctionGroup;
  /**
   * `public` needs no token; `account` any signed-in account acting as itself (no acting org, no
   * membership read by the middleware); otherwise the roles that may call it, the role and org
   * coming from the account's memberships and `X-Acting-Org` (architecture.md §8).
   */
  auth: 'public' | 'account' | readonly Role[];
  summary: string;
  tags: readonly string[];
  params?: P;
  query?: Q;
  body?: B;
  response: { status: number; schema: R; description: string };
  /** Error codes the route can answer besides the generic ones. */
  errors: readonly ErrorCode[];
}

export function defineRoute<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
>(def: RouteDef<P, Q, B, R>): RouteDef<P, Q, B, R> {
  return def;
}

/** `GET /v1/programmes/{programmeId}` — the API Gateway v2 route key. */
export const routeKey = (route: Pick<RouteDef, 'method' | 'path'>) => `${route.method} ${route.path}`;
