import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { type ErrorCode, errorMessage, errorStatus } from '../errors.ts';
import { ErrorBody } from '../schemas/common.ts';
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

  for (const route of routesToDocument) {
    const codes = new Set<ErrorCode>(route.errors);
    // Every route: the gateway refuses an over-long request line or header with 400 (architecture.md §5).
    codes.add('validation_failed');
    if (route.body) codes.add('payload_too_large');
    if (route.auth !== 'public') {
      codes.add('unauthenticated');
      codes.add('forbidden');
    }
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
              content: { 'application/json': { schema: ErrorBody } },
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
