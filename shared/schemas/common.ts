import * as z from 'zod/mini';
import { isCalendarDate } from '../domain/dates.ts';
import { HIDDEN_CHARACTERS, isDisplaySafe } from '../domain/text.ts';
import { errorCodes } from '../errors.ts';
import { roles } from '../model/account.ts';
import { lazySchema } from './lazy.ts';

/** Ids chosen by people (orgs, programmes, batches): lowercase slugs, stable in URLs. */
export const Slug = lazySchema(() =>
  z
    .string()
    .check(
      z.regex(
        /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/,
        '只能包含小写字母、数字和连字符，且不能以连字符开头或结尾',
      ),
      z.meta({ description: 'Lowercase id: letters, digits and hyphens', example: 'lc-2022' }),
    ),
);

/** `YYYY-MM-DD`, a day that exists, read in Asia/Shanghai and inclusive. */
export const CalendarDate = lazySchema(() =>
  z.string().check(
    z.refine(isCalendarDate, { message: '日期必须是存在的日期，格式为 YYYY-MM-DD' }),
    z.meta({
      description: 'Calendar date YYYY-MM-DD (1900–2999), Asia/Shanghai, inclusive',
      format: 'date',
      // `format: date` says the day exists; the pattern, the years the platform keeps (1900–2999).
      pattern: '^(?:19|2\\d)\\d{2}-\\d{2}-\\d{2}$',
      example: '2022-11-30',
    }),
  ),
);

/** An instant the server recorded, as it answers it: RFC 3339 in UTC (`toISOString()`). */
export const Timestamp = lazySchema(() =>
  z
    .string()
    .check(
      z.meta({ format: 'date-time', example: '2022-11-30T08:15:30.123Z', description: 'RFC 3339 date-time' }),
    ),
);

/** Money is integer fen (分); 100000 fen = 1000 元. */
export const Fen = lazySchema(() =>
  z
    .number({ message: '金额必须是以分为单位的整数' })
    .check(
      z.int('金额必须是以分为单位的整数'),
      z.positive('金额必须大于 0'),
      z.lte(100_000_000_00, '金额过大'),
      z.meta({ description: 'Amount in integer fen (1 元 = 100 分)', example: 100000 }),
    ),
);

export const Role = lazySchema(() => z.enum(roles).check(z.meta({ id: 'Role' })));
export type Role = z.infer<typeof Role>;

/** The contract's error codes (architecture.md §5), each with one HTTP status. */
export const ErrorCode = lazySchema(() => z.enum(errorCodes).check(z.meta({ id: 'ErrorCode' })));

/**
 * Where a field error points, in one style: body fields by their dotted path (`applicant.idNumber`),
 * array items by their index as a segment (`items.0.reason`, `allocations.1.funding.0.funderOrgId`),
 * query and path parameters under `query.` and `params.`, and `(body)` for the body as a whole.
 */
export const fieldPathPattern = '^(?:\\(body\\)|[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*)$';
export const FieldPath = lazySchema(() =>
  z.string().check(
    z.meta({
      description:
        'Dotted path of the field: `applicant.idNumber`, array items by index (`items.0.reason`), `query.cursor`, `params.id`; `(body)` is the body as a whole',
      pattern: fieldPathPattern,
      example: 'applicant.idNumber',
    }),
  ),
);

export const ErrorBody = lazySchema(() =>
  z
    .object({
      error: z.object({
        code: ErrorCode,
        message: z.string().check(z.meta({ example: '请求内容不符合要求，请检查标出的字段' })),
        fields: z.optional(z.array(z.object({ path: FieldPath, message: z.string() }))),
        rules: z
          .optional(z.array(z.string()))
          .check(z.meta({ description: 'ineligible: the rules the application fails' })),
        missing: z
          .optional(z.array(z.string()))
          .check(z.meta({ description: 'missing_attachments: the document kinds still needed' })),
        offeringId: z
          .optional(z.string())
          .check(z.meta({ description: 'already_exists: the offering already listed' })),
      }),
    })
    .check(z.meta({ id: 'Error' })),
);

export const Cursor = lazySchema(() =>
  z
    .string()
    .check(z.maxLength(2048), z.meta({ description: 'Opaque pagination cursor from the previous page' })),
);

/** The query of a list that takes nothing but the previous page's cursor. */
export const CursorQuery = lazySchema(() => z.object({ cursor: z.optional(Cursor) }));

/**
 * Every human-readable name or reason a client sends (applicant and account names, bank, org,
 * institution and major names, job titles, decision reasons …): normalised to NFC, refused with
 * 400 `validation_failed` naming the field when it holds a zero-width, bidirectional or control
 * character or a lone surrogate — `"\u202e三张"` would show as 张三 (issue 10 point 9,
 * `domain/text.ts`) — then trimmed. `label` is the field's Chinese name in the messages.
 *
 * @example humanText({ label: '姓名', max: 40 }) // applicant.name
 * @example z.optional(humanText({ label: '理由', min: 0, max: 500 })) // a reason that may be empty
 */
export function humanText(options: {
  label: string;
  max: number;
  min?: number;
  /** The message when the field is missing; `<label>不能为空` by default. */
  missing?: string;
}) {
  const min = options.min ?? 1;
  const text = z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? (options.missing ?? `${options.label}不能为空`)
          : `${options.label}须为文字`,
    })
    .check(
      z.normalize('NFC'),
      // Checked before trimming: a trailing line break or BOM is refused too, not silently dropped.
      z.refine(isDisplaySafe, `${options.label}含有不可见字符、控制字符或文字方向控制符，请删除后重新填写`),
      z.trim(),
      z.maxLength(options.max, `${options.label}不能超过 ${options.max} 个字符`),
    );
  // The API document says it too, so that a generated client refuses such text before sending it.
  const documented = z.meta({ pattern: displaySafePattern });
  if (min <= 0) return text.check(documented);
  return text.check(
    z.minLength(
      min,
      min === 1 ? (options.missing ?? `${options.label}不能为空`) : `${options.label}至少 ${min} 个字符`,
    ),
    documented,
  );
}

/**
 * {@link isDisplaySafe} as a JSON Schema pattern: none of `HIDDEN_CHARACTERS` and no lone surrogate
 * (under the `u` flag JSON Schema patterns use, `\uD800-\uDFFF` matches only unpaired halves).
 */
export const displaySafePattern = `^[^${HIDDEN_CHARACTERS.source.slice(1, -1)}\\uD800-\\uDFFF]*$`;
