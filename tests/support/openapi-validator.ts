import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openApiDocument } from '../../shared/http/openapi.ts';

/**
 * Every answer the integration tests see, checked against the API document (issue 12 item 11,
 * architecture.md §5): the document `/openapi.json` serves (`openApiDocument()`, the same function
 * the public function answers with) is compiled once with Ajv (JSON Schema 2020-12, formats on), and
 * each response must carry a status the operation declares, a body its schema accepts and the
 * headers it declares required. A route added without declaring what it answers fails the first
 * test that calls it, with the operation, the status and the failing body path in the message.
 *
 * Also checked, because the contract says so beyond the schemas: a 405 names the allowed methods
 * (`Allow`), an answer to `HEAD` has no body, and no error message says `undefined`.
 */

// ajv-formats is CommonJS with a default export; under ESM it arrives as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

const DOCUMENT_ID = 'https://edu-subsidy.invalid/openapi.json';

interface DeclaredResponse {
  schema?: object;
  requiredHeaders: string[];
}

interface Operation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  responses: Map<string, DeclaredResponse>;
}

interface Compiled {
  ajv: Ajv2020;
  operations: Operation[];
  validators: Map<object, ValidateFunction>;
  errorSchema: object;
}

let compiled: Compiled | undefined;

/** The document compiled once per test process; response schemas are compiled when first needed. */
function compile(): Compiled {
  if (compiled) return compiled;
  // Refs point into the document's components, which Ajv holds under the document's id.
  const doc = JSON.parse(
    JSON.stringify(openApiDocument()).replaceAll('"#/components/', `"${DOCUMENT_ID}#/components/`),
  ) as {
    components: object;
    paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: DOCUMENT_ID, components: doc.components });

  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+');
    for (const [method, operation] of Object.entries(methods)) {
      const responses = new Map<string, DeclaredResponse>();
      for (const [status, response] of Object.entries(operation.responses)) {
        const r = response as {
          content?: Record<string, { schema?: object }>;
          headers?: Record<string, { required?: boolean }>;
        };
        responses.set(status, {
          ...(r.content?.['application/json']?.schema
            ? { schema: r.content['application/json'].schema }
            : {}),
          requiredHeaders: Object.entries(r.headers ?? {})
            .filter(([, h]) => h.required)
            .map(([name]) => name.toLowerCase()),
        });
      }
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`),
        responses,
      });
    }
  }
  compiled = {
    ajv,
    operations,
    validators: new Map(),
    errorSchema: { $ref: `${DOCUMENT_ID}#/components/schemas/Error` },
  };
  return compiled;
}

function validatorOf(c: Compiled, schema: object): ValidateFunction {
  let validate = c.validators.get(schema);
  if (!validate) {
    validate = c.ajv.compile(schema);
    c.validators.set(schema, validate);
  }
  return validate;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 8)
    .map(
      (e) =>
        `  at ${e.instancePath || '(root)'}: ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    )
    .join('\n');
}

const excerpt = (text: string) => (text.length > 600 ? `${text.slice(0, 600)}…` : text);

/** A response as the tests saw it. */
export interface SeenResponse {
  method: string;
  /** The request's path, with or without its query string. */
  path: string;
  status: number;
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The body as received, unparsed. */
  text: string;
}

/** The paths the API document covers: `/v1/…` and `/openapi.json`, except the local-only `/v1/dev/…`. */
export function isDocumentedPath(path: string): boolean {
  const pathname = path.split('?')[0] ?? '';
  return (pathname.startsWith('/v1/') || pathname === '/openapi.json') && !pathname.startsWith('/v1/dev/');
}

function header(headers: SeenResponse['headers'], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Throws when the response is not what `/openapi.json` says `method path` answers; the message names
 * the operation, the status and every failing path of the body.
 */
export function checkResponse(seen: SeenResponse): void {
  const method = seen.method.toUpperCase();
  if (method === 'OPTIONS' || !isDocumentedPath(seen.path)) return;
  const c = compile();
  const pathname = seen.path.split('?')[0] ?? '';
  // HEAD answers as GET does, without the body (architecture.md §5).
  const asMethod = method === 'HEAD' ? 'GET' : method;
  const atPath = c.operations.filter((o) => o.pattern.test(pathname));
  const operation = atPath.find((o) => o.method === asMethod);
  const where = operation
    ? `${operation.operationId} (${operation.method} ${operation.template})`
    : `${method} ${pathname} (no operation)`;
  const fail = (why: string): never => {
    throw new Error(
      `Response does not match /openapi.json: ${where} answered ${seen.status}: ${why}\n  body: ${excerpt(seen.text)}`,
    );
  };

  if (method === 'HEAD' && seen.text.length > 0) fail('an answer to HEAD must have no body');
  if (seen.status === 405 && !header(seen.headers, 'allow'))
    fail('a 405 must name the allowed methods in Allow');

  let schema: object;
  if (operation) {
    const declared = operation.responses.get(String(seen.status));
    if (!declared) {
      fail(
        `status ${seen.status} is not declared (declared: ${[...operation.responses.keys()].join(', ')}); add it to the route's response or errors`,
      );
      return;
    }
    for (const name of declared.requiredHeaders) {
      if (!header(seen.headers, name)) fail(`the declared header ${name} is missing`);
    }
    if (method === 'HEAD') return;
    if (!declared.schema) {
      if (seen.text.length > 0) fail('the document declares no body');
      return;
    }
    schema = declared.schema;
  } else {
    // No operation: the gateway's own answers (404, 405, 400 …), always in the contract's error format.
    if (seen.status < 400) fail('a path and method the document does not list answered success');
    if (method === 'HEAD') return;
    schema = c.errorSchema;
  }

  let body: unknown;
  try {
    body = JSON.parse(seen.text);
  } catch {
    fail('the body is not JSON');
  }
  const validate = validatorOf(c, schema);
  if (!validate(body)) fail(`the body does not match its schema\n${describeErrors(validate.errors)}`);
  if (seen.status >= 400 && /undefined/.test(seen.text)) fail('an error message says `undefined`');
}

/**
 * `fetch` that checks every answer from a documented path with {@link checkResponse} before the
 * caller reads it (the body stays readable).
 */
export function validatingFetch(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
    if (local && isDocumentedPath(url.pathname)) {
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      checkResponse({
        method,
        path: `${url.pathname}${url.search}`,
        status: res.status,
        headers: res.headers,
        text: await res.clone().text(),
      });
    }
    return res;
  };
}
