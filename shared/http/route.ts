import type { z } from 'zod/mini';
import type { ErrorCode } from '../errors.ts';
import type { Role } from '../schemas/common.ts';
import type { views } from '../schemas/views.ts';

/**
 * The Lambda functions the API is split into: one function per route group (architecture.md §6). The CDK
 * stack creates one function per group and the local gateway loads the same handler exports.
 */
export const functionGroups = [
  'public',
  'admin',
  'payments',
  'applications',
  'review',
  'catalogue',
  'accounts',
] as const;
export type FunctionGroup = (typeof functionGroups)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * The API document's tags, each described once (architecture.md §5): a route may only name one of
 * these, so `/openapi.json` never lists an undefined tag. A new tag is added here with its description.
 */
export const apiTags = {
  public:
    'Read without a token: health, programmes, the quota board, the org tree, the catalogue, this document',
  worker: 'A worker’s own applications: drafts, documents, submission, withdrawal',
  reviewer: 'The union side (R12): the review queue, decisions and audited document downloads',
  admin: 'Administration within the caller’s org subtree: orgs, programmes, places, funding, payouts',
  catalogue: 'Partner institutions and the offerings a programme lists (选学)',
  accounts:
    'Who the caller is and what it may act for (memberships), organisation registration (R12 组织注册) and each org’s people',
} as const;
export type ApiTag = keyof typeof apiTags;

/** A route of the public contract: everything the handler, the gateway, CDK and OpenAPI need. */
export interface RouteDef<
  P extends z.core.$ZodType = z.core.$ZodType,
  Q extends z.core.$ZodType = z.core.$ZodType,
  B extends z.core.$ZodType = z.core.$ZodType,
  R extends z.core.$ZodType = z.core.$ZodType,
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
  /** Longer prose for the API document; when absent it is the summary with who may call the route. */
  description?: string;
  tags: readonly ApiTag[];
  params?: P;
  query?: Q;
  body?: B;
  /** The answer: its status, and its schema named by {@link view} (documentation only, never imported). */
  response: { status: number; schema: ViewRef<R>; description: string };
  /** Error codes the route can answer besides the generic ones. */
  errors: readonly ErrorCode[];
}

/** The response schemas, by name (`shared/schemas/views.ts`). */
export type Views = typeof views;
export type ViewName = keyof Views;

/**
 * A response schema named, not imported. Nothing at run time reads a response schema (no handler
 * validates its answer); only the OpenAPI document does, which resolves the name in
 * `shared/schemas/views.ts`. So a function's route table names its answers and its bundle neither
 * holds nor builds them at a cold start, while the handler's reply is still typed by the schema.
 */
export interface ViewRef<S extends z.core.$ZodType = z.core.$ZodType> {
  readonly view: ViewName;
  /** Type only: the schema the name stands for. */
  readonly schema?: S;
}

/** The response schema a route names, as a type. */
export type ResponseSchemaOf<R extends Pick<RouteDef, 'response'>> = NonNullable<
  R['response']['schema']['schema']
>;

/** `response.schema` of a route: `view('ApplicationView')`. */
export const view = <K extends ViewName>(name: K): ViewRef<Views[K]> => ({ view: name });

export function defineRoute<
  P extends z.core.$ZodType = z.core.$ZodType,
  Q extends z.core.$ZodType = z.core.$ZodType,
  B extends z.core.$ZodType = z.core.$ZodType,
  R extends z.core.$ZodType = z.core.$ZodType,
>(def: RouteDef<P, Q, B, R>): RouteDef<P, Q, B, R> {
  return def;
}

/** `GET /v1/programmes/{programmeId}` — the API Gateway v2 route key. */
export const routeKey = (route: Pick<RouteDef, 'method' | 'path'>) => `${route.method} ${route.path}`;
