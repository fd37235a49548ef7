import { z } from 'zod';
import { zhCN } from 'zod/locales';
import { AppError, type FieldError } from '../errors.ts';

// Messages a worker reads on a phone are Chinese, including zod's own defaults.
z.config(zhCN());

/** Turns zod issues into the contract's `fields: [{path, message}]`, `prefix` naming the request part. */
export function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return {
      path: prefix && path ? `${prefix}.${path}` : prefix || path || '(body)',
      message: issue.message,
    };
  });
}

/** Parses one part of a request; 400 `validation_failed` naming every bad field otherwise. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('validation_failed', { fields: fieldErrors(parsed.error, prefix) });
  return parsed.data;
}
