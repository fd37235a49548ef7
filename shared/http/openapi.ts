import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { type ErrorCode, errorMessage, errorStatus } from '../errors.ts';
import { ErrorBody } from '../schemas/common.ts';
import type { RouteDef } from './route.ts';
import { routeList } from './routes.ts';

/**
 * `/openapi.json`: OpenAPI 3.1 generated from the route table and the zod schemas that validate
 * requests, so the document and the validation cannot drift apart. Every route lists its error
 * responses in the contract's error format.
 */
export function openApiDocument(routesToDocument: readonly RouteDef[] = routeList) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An ID token of the one trusted OIDC issuer. Claims read: sub, name, verified_name, verified_id_hash, phone_number (when phone_number_verified). Roles and orgs are memberships (GET /v1/me); a request acting for one of several orgs names it in the X-Acting-Org header.',
  });

  for (const route of routesToDocument) {
    const codes = new Set<ErrorCode>(route.errors);
    if (route.params || route.query || route.body) codes.add('validation_failed');
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
      tags: [...route.tags],
      ...(route.auth === 'public' ? {} : { security: [{ bearer: [] }] }),
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
          content: { 'application/json': { schema: route.response.schema } },
        },
        ...Object.fromEntries(
          [...byStatus].map(([status, statusCodes]) => [
            status,
            {
              description: statusCodes.map((c) => `\`${c}\`: ${errorMessage[c]}`).join('; '),
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
        '求学圆梦行动：一线职工学历提升补助的申请、逐级审核、先到先得名额与补助发放。Dates are YYYY-MM-DD in Asia/Shanghai, inclusive; money is integer fen.',
    },
    servers: [{ url: '/' }],
  });
}
