import createClient, { type Middleware } from 'openapi-fetch';
import { authHeaders } from '../auth.ts';
import type { components, paths } from './schema';

/**
 * The typed API client both apps use: generated from `/openapi.json` (`npm run web:types` writes
 * `schema.d.ts`), so a route or field the API does not have fails the web build.
 */
export type Schemas = components['schemas'];

/** The contract's error, as the API sends it: a code, a Chinese message, and the fields it names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The message the API gave for one field (`applicant.idNumber`), for the form item that shows it. */
  fieldMessage(path: string): string | undefined {
    return this.fields.find((f) => f.path === path)?.message;
  }
}

const auth: Middleware = {
  onRequest({ request }) {
    for (const [name, value] of Object.entries(authHeaders())) request.headers.set(name, value);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

interface ErrorBody {
  error?: { code?: string; message?: string; fields?: { path: string; message: string }[] };
}

/**
 * The data of an openapi-fetch answer, or an {@link ApiError} thrown with the API's own code and
 * message (a network failure becomes `network_error` with a Chinese message).
 */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let answer: Awaited<typeof call>;
  try {
    answer = await call;
  } catch {
    throw new ApiError(0, 'network_error', '网络异常，请检查网络后重试');
  }
  if (answer.response.ok) return answer.data as T;
  const body = (answer.error ?? {}) as ErrorBody;
  throw new ApiError(
    answer.response.status,
    body.error?.code ?? 'unknown',
    body.error?.message ?? `请求失败（${answer.response.status}）`,
    body.error?.fields ?? [],
  );
}
