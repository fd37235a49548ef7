import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { globalRegistry } from 'zod/mini';
import { type ErrorCode, errorMessage, errorStatus } from '../errors.ts';
import { ErrorBody } from '../schemas/common.ts';
import { builtSchema } from '../schemas/lazy.ts';
import { views } from '../schemas/views.ts';
import { apiTags, type RouteDef } from './route.ts';
import { routeList } from './routes.ts';

/**
 * `/openapi.json`: OpenAPI 3.1 generated from the route table and the zod schemas that validate
 * requests, so the document and the validation cannot drift apart. Every route lists its error
 * responses in the contract's error format.
 */
export function openApiDocument(routesToDocument: readonly RouteDef[] = routeList) {
  const registry = new OpenAPIRegistry();
  const wwwAuthenticate = {
    'WWW-Authenticate': {
      description: 'RFC 6750: `Bearer`, with `error="invalid_token"` when the token given was refused',
      required: true,
      schema: { type: 'string' as const, pattern: '^Bearer\\b' },
    },
  };
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An ID token of the one trusted OIDC issuer. Claims read: sub, name, verified_name, verified_id_hash, phone_number (when phone_number_verified). Roles and orgs are memberships (GET /v1/me); a request acting for one of several orgs names it in the X-Acting-Org header.',
  });

  // One walk for the whole document: the schemas routes share (Slug, CalendarDate …) are lent once.
  const lent = new WeakSet<object>();
  for (const route of routesToDocument) {
    for (const schema of [route.params, route.query, route.body, views[route.response.schema.view]])
      readableByGenerator(schema, lent);
    const codes = new Set<ErrorCode>(route.errors);
    // Every route: the gateway refuses an over-long request line or header with 400 (architecture.md §5).
    codes.add('validation_failed');
    if (route.body) codes.add('payload_too_large');
    if (route.auth !== 'public') {
      codes.add('unauthenticated');
      codes.add('forbidden');
    }
    // Every route: the API's throttle, or DynamoDB too busy for the request past its retries.
    codes.add('rate_limited');
    codes.add('internal_error');

    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of codes)
      byStatus.set(errorStatus[code], [...(byStatus.get(errorStatus[code]) ?? []), code]);

    registry.registerPath({
      operationId: route.operationId,
      method: route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete',
      path: route.path,
      summary: route.summary,
      description: route.description ?? describe(route),
      tags: [...route.tags],
      // `[]`: no token needed, said explicitly so that tools need not guess (architecture.md §5).
      security: route.auth === 'public' ? [] : [{ bearer: [] }],
      request: {
        ...(route.params ? { params: route.params as never } : {}),
        ...(route.query ? { query: route.query as never } : {}),
        ...(route.body
          ? { body: { required: true, content: { 'application/json': { schema: route.body } } } }
          : {}),
      },
      responses: {
        [route.response.status]: {
          description: route.response.description,
          content: { 'application/json': { schema: views[route.response.schema.view] } },
        },
        ...Object.fromEntries(
          [...byStatus].map(([status, statusCodes]) => [
            status,
            {
              description: statusCodes.map((c) => `\`${c}\`: ${errorMessage[c]}`).join('; '),
              ...(status === 401 ? { headers: wwwAuthenticate } : {}),
              content: { 'application/json': { schema: readableByGenerator(ErrorBody, lent) } },
            },
          ]),
        ),
      },
    });
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'edu-subsidy API',
      version: '1.0.0',
      description:
        '求学圆梦行动：一线职工学历提升补助的申请、逐级审核、先到先得名额与补助发放。Dates are YYYY-MM-DD in Asia/Shanghai, inclusive; timestamps are RFC 3339 date-times; money is integer fen.',
      contact: { name: 'edu-subsidy maintainers' },
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/' }],
    tags: Object.entries(apiTags).map(([name, description]) => ({ name, description })),
  });
}

/** An operation's description when its route gives none: the summary and who may call it. */
function describe(route: RouteDef): string {
  const who =
    route.auth === 'public'
      ? 'No token needed.'
      : route.auth === 'account'
        ? 'Any signed-in account, acting as itself.'
        : `Bearer token of an account acting as ${route.auth.map((r) => `\`${r}\``).join(' or ')} (a role from its memberships; \`X-Acting-Org\` names the org when it has several).`;
  return `${route.summary}. ${who}`;
}

/** A zod schema's internals, as far as {@link readableByGenerator} reads them. */
interface SchemaInternals {
  _zod: {
    def: Record<string, unknown> & { type: string; checks?: SchemaInternals[] };
    traits: Set<string>;
  };
}
interface CheckDef {
  check?: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  format?: string;
}

/**
 * The request schemas are written in `zod/mini`, so that no function's bundle carries zod's classic
 * API (docs/benchmarks.md, coldStart). The generator reads schemas through members only classic
 * schemas have: `.meta()` (a schema's metadata in zod's global registry, its parent's included), a
 * nullable's `.unwrap()`, and what a string's or number's checks add up to (`minLength`, `maxLength`,
 * `format`: `safeint` is what makes a number an `integer`). Every schema reachable from `schema` that
 * lacks them gets them, with the values the classic members answer. Only the document's generation
 * calls this; validation never reads them.
 */
function readableByGenerator<S>(schema: S, seen: WeakSet<object>): S {
  const built = builtSchema(schema) as unknown;
  if (typeof built !== 'object' || built === null || !('_zod' in built) || seen.has(built)) return schema;
  seen.add(built);
  const instance = built as SchemaInternals & Record<string, unknown>;
  const def = instance._zod.def;
  const add = (name: string, value: unknown) => {
    if (!(name in instance)) Object.defineProperty(instance, name, { value, configurable: true });
  };
  add('meta', () => globalRegistry.get(instance as unknown as Parameters<typeof globalRegistry.get>[0]));
  if ('innerType' in def) add('unwrap', () => def.innerType);
  if (def.type === 'string' || def.type === 'number') {
    const folded = foldedChecks(instance);
    add('format', folded.format ?? null);
    if (def.type === 'string') {
      add('minLength', folded.minLength ?? null);
      add('maxLength', folded.maxLength ?? null);
    }
  }
  for (const [key, value] of Object.entries(def)) {
    if (key === 'checks') continue;
    const inner = Array.isArray(value)
      ? value
      : value && typeof value === 'object' && !('_zod' in value)
        ? Object.values(value)
        : [value];
    for (const child of inner) readableByGenerator(child, seen);
  }
  return schema;
}

/**
 * A string's or number's checks added up as zod's classic getters add them: the tightest lengths, and
 * the first format (a format schema, `z.iso.datetime()` or `z.int()`, is its own first check).
 */
function foldedChecks(schema: SchemaInternals): { minLength?: number; maxLength?: number; format?: string } {
  const checks = [
    ...(schema._zod.traits.has('$ZodCheck') ? [schema] : []),
    ...(schema._zod.def.checks ?? []),
  ];
  const folded: { minLength?: number; maxLength?: number; format?: string } = {};
  const atLeast = (n: number) => {
    folded.minLength = Math.max(folded.minLength ?? n, n);
  };
  const atMost = (n: number) => {
    folded.maxLength = Math.min(folded.maxLength ?? n, n);
  };
  for (const check of checks) {
    const d = check._zod.def as CheckDef;
    if (d.check === 'min_length' && d.minimum !== undefined) atLeast(d.minimum);
    else if (d.check === 'max_length' && d.maximum !== undefined) atMost(d.maximum);
    else if (d.check === 'length_equals' && d.length !== undefined) {
      atLeast(d.length);
      atMost(d.length);
    } else if ((d.check === 'string_format' || d.check === 'number_format') && d.format !== undefined) {
      folded.format ??= d.format;
    }
  }
  return folded;
}
