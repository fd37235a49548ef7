/**
 * Typed errors of the public contract (architecture.md §5). Every error a client can cause is an `AppError`
 * with a stable `code`; the HTTP middleware maps it to `{error: {code, message, fields?}}`.
 * Anything else becomes a 500 whose body never carries internals.
 */
import type { FieldError } from './model/field-error.ts';

export type ErrorCode =
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'already_exists'
  | 'already_applied'
  | 'invalid_state'
  | 'application_window_closed'
  | 'review_window_closed'
  | 'quota_exceeded'
  | 'payload_too_large'
  | 'ineligible'
  | 'missing_attachments'
  | 'rate_limited'
  | 'internal_error';

export const errorStatus: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  already_exists: 409,
  already_applied: 409,
  invalid_state: 409,
  application_window_closed: 409,
  review_window_closed: 409,
  quota_exceeded: 409,
  payload_too_large: 413,
  ineligible: 422,
  missing_attachments: 422,
  rate_limited: 429,
  internal_error: 500,
};

/** Every code of the contract, in the order above: the API document's `Error.code` enum. */
export const errorCodes = Object.keys(errorStatus) as ErrorCode[];

/** Default Chinese message per code, shown to workers and union officers. */
export const errorMessage: Record<ErrorCode, string> = {
  validation_failed: '请求内容不符合要求，请检查标出的字段',
  unauthenticated: '请先登录',
  forbidden: '没有权限执行此操作',
  not_found: '未找到对应的资源',
  method_not_allowed: '不支持该请求方法',
  already_exists: '该编号已存在',
  already_applied: '该身份证号在此学历层次已提交过申请，每人同一学历层次只可申请一次',
  invalid_state: '当前状态下不能执行此操作',
  application_window_closed: '不在补助申请时间内',
  review_window_closed: '不在审核时间内',
  quota_exceeded: '名额不足',
  payload_too_large: '请求内容过大',
  ineligible: '不符合补助条件',
  missing_attachments: '缺少必需的材料',
  rate_limited: '请求过于频繁，请稍后再试',
  internal_error: '服务暂时不可用，请稍后再试',
};

export type { FieldError } from './model/field-error.ts';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: FieldError[] | undefined;
  /** Extra machine-readable detail exposed to the client (e.g. failed rule ids). */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    options: {
      message?: string;
      fields?: FieldError[];
      details?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(options.message ?? errorMessage[code], { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorStatus[code];
    this.fields = options.fields;
    this.details = options.details;
  }
}

export const notFound = (message?: string) => new AppError('not_found', message ? { message } : {});
export const forbidden = (message?: string) => new AppError('forbidden', message ? { message } : {});
export const invalid = (fields: FieldError[], message?: string) =>
  new AppError('validation_failed', { fields, ...(message ? { message } : {}) });
