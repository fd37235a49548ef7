import * as z from 'zod';
import { zhCN } from 'zod/locales';
import { AppError, type FieldError } from '../errors.ts';

// Messages a worker reads on a phone are Chinese, including zod's own defaults.
z.config(zhCN());

/** Turns zod issues into the contract's `fields: [{path, message}]`, `prefix` naming the request part. */
export function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  const at = (path: readonly PropertyKey[]) => {
    const joined = path.map(String).join('.');
    return prefix && joined ? `${prefix}.${joined}` : prefix || joined || '(body)';
  };
  return error.issues.flatMap((issue) =>
    // Unknown keys are named one by one, each at its own path.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: at([...issue.path, key]), message: `不允许的字段：${key}` }))
      : [{ path: at(issue.path), message: issue.message }],
  );
}

/** Parses one part of a request; 400 `validation_failed` naming every bad field otherwise. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('validation_failed', { fields: fieldErrors(parsed.error, prefix) });
  return parsed.data;
}
