import { zhCN } from 'zod/locales';
import * as z from 'zod/mini';
import { AppError, type FieldError } from '../errors.ts';

/** Chinese names of the JSON types a message may mention (never `undefined`: a missing field says so). */
const typeNames: Record<string, string> = {
  string: '文字',
  number: '数字',
  int: '整数',
  bigint: '整数',
  boolean: '布尔值（true 或 false）',
  object: 'JSON 对象',
  array: '数组',
  null: '空值（null）',
  date: '日期',
};
const typeName = (type: string) => typeNames[type] ?? type;
const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
const oneOf = (values: readonly unknown[]) => values.map((v) => String(v)).join('、');

/**
 * zod's messages where its Chinese locale would say `实际接收 undefined` or a bare `无效输入`: a missing
 * field is `缺少此字段` (a missing body `请求内容不能为空`), a wrong type names both types in Chinese, a
 * missing or unknown `decision`-like discriminator lists the values it may take. Anything else keeps
 * the locale's message; schemas with their own messages keep theirs.
 */
function contractMessage(issue: z.core.$ZodRawIssue): string | undefined {
  const missing = issue.input === undefined;
  const root = issue.path === undefined || issue.path.length === 0;
  switch (issue.code) {
    case 'invalid_type':
      if (missing) return root ? `请求内容不能为空，须为${typeName(issue.expected)}` : '缺少此字段';
      return `类型不符：应为${typeName(issue.expected)}，实际为${typeName(typeOf(issue.input))}`;
    case 'invalid_value':
      return `${missing ? '缺少此字段，' : ''}须为以下之一：${oneOf(issue.values)}`;
    case 'invalid_union': {
      const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
      if (discriminator === undefined || !options) return undefined;
      const given = (issue.input as Record<string, unknown> | undefined)?.[discriminator];
      return `${given === undefined ? '缺少此字段，' : ''}须为以下之一：${oneOf(options)}`;
    }
    default:
      return undefined;
  }
}

// Messages a worker reads on a phone are Chinese, including zod's own defaults.
z.config({ ...zhCN(), customError: contractMessage });

/** A path segment as the contract writes it; anything else (an unknown key `"a.b"`, `"名字"`) is named in the message. */
const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Where a field error points, in the contract's one style (architecture.md §5, `FieldPath` in
 * `schemas/common.ts`): dotted segments, array items by index (`items.0.reason`), `query.` and `params.`
 * for those parts of the request, `(body)` for the body as a whole. A segment that cannot be written
 * so (only unknown keys can be anything) ends the path, and the message names it instead.
 */
function located(
  path: readonly PropertyKey[],
  prefix: string | undefined,
): { path: string; beyond?: string } {
  const segments: string[] = prefix ? [prefix] : [];
  for (const [i, key] of path.entries()) {
    const segment = String(key);
    if (!SEGMENT.test(segment)) {
      return { path: segments.join('.') || '(body)', beyond: path.slice(i).map(String).join('.') };
    }
    segments.push(segment);
  }
  return { path: segments.join('.') || '(body)' };
}

/** Turns zod issues into the contract's `fields: [{path, message}]`, `prefix` naming the request part. */
export function fieldErrors(error: z.core.$ZodError, prefix?: string): FieldError[] {
  return error.issues.flatMap((issue) => {
    // Unknown keys are named one by one, each at its own path.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const at = located([...issue.path, key], prefix);
        return {
          path: at.path,
          message: `不允许的字段：${at.beyond === undefined ? key : JSON.stringify(at.beyond)}`,
        };
      });
    }
    const at = located(issue.path, prefix);
    return [
      {
        path: at.path,
        message: at.beyond === undefined ? issue.message : `${JSON.stringify(at.beyond)}：${issue.message}`,
      },
    ];
  });
}

/** Parses one part of a request; 400 `validation_failed` naming every bad field otherwise. */
export function parseOrThrow<S extends z.core.$ZodType>(
  schema: S,
  value: unknown,
  prefix?: string,
): z.output<S> {
  const parsed = z.safeParse(schema, value);
  if (!parsed.success) throw new AppError('validation_failed', { fields: fieldErrors(parsed.error, prefix) });
  return parsed.data;
}
