import * as z from 'zod';
import { isCalendarDate } from '../domain/dates.ts';

/** Ids chosen by people (orgs, programmes, batches): lowercase slugs, stable in URLs. */
export const Slug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, '只能包含小写字母、数字和连字符，且不能以连字符开头或结尾')
  .meta({ description: 'Lowercase id: letters, digits and hyphens', example: 'lc-2022' });

/** `YYYY-MM-DD`, a day that exists, read in Asia/Shanghai and inclusive. */
export const CalendarDate = z
  .string()
  .refine(isCalendarDate, { message: '日期必须是存在的日期，格式为 YYYY-MM-DD' })
  .meta({ description: 'Calendar date YYYY-MM-DD, Asia/Shanghai, inclusive', example: '2022-11-30' });

/** Money is integer fen (分); 100000 fen = 1000 元. */
export const Fen = z
  .number({ message: '金额必须是以分为单位的整数' })
  .int('金额必须是以分为单位的整数')
  .positive('金额必须大于 0')
  .max(100_000_000_00, '金额过大')
  .meta({ description: 'Amount in integer fen (1 元 = 100 分)', example: 100000 });

export const Role = z.enum(['worker', 'reviewer', 'admin']).meta({ id: 'Role' });
export type Role = z.infer<typeof Role>;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'validation_failed' }),
      message: z.string().meta({ example: '请求内容不符合要求，请检查标出的字段' }),
      fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      rules: z.array(z.string()).optional(),
      missing: z.array(z.string()).optional(),
    }),
  })
  .meta({ id: 'Error' });

export const Cursor = z
  .string()
  .max(2048)
  .meta({ description: 'Opaque pagination cursor from the previous page' });
