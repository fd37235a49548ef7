import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { routeList } from '../../shared/http/routes.ts';
import { views } from '../../shared/schemas/views.ts';

/**
 * Routes name their response schemas (`view('…')`, shared/http/route.ts) and only the OpenAPI document
 * resolves the names in `shared/schemas/views.ts`: every name a route gives must be there, and every
 * schema there must answer some route.
 */
describe('response schemas by name', () => {
  it('every route names a registered response schema, and every registered one answers a route', () => {
    const named = new Set(routeList.map((route) => route.response.schema.view));
    for (const name of named) expect(Object.keys(views), name).toContain(name);
    expect(Object.keys(views).filter((name) => !named.has(name as keyof typeof views))).toEqual([]);
  });

  it('the document describes each route’s answer with the schema its name stands for', () => {
    const doc = openApiDocument() as unknown as {
      paths: Record<
        string,
        Record<
          string,
          { responses: Record<string, { content: { 'application/json': { schema: unknown } } }> }
        >
      >;
    };
    for (const route of routeList) {
      const answer =
        doc.paths[route.path]?.[route.method.toLowerCase()]?.responses[String(route.response.status)];
      const schema = answer?.content['application/json'].schema as { $ref?: string } | undefined;
      const id = (views[route.response.schema.view] as { meta(): { id?: string } | undefined }).meta()?.id;
      if (id)
        expect([route.operationId, schema?.$ref]).toEqual([route.operationId, `#/components/schemas/${id}`]);
      else
        expect([route.operationId, schema]).toEqual([
          route.operationId,
          expect.objectContaining({ type: 'object' }),
        ]);
    }
  });
});
