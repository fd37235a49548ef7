/**
 * Issue 12 item 9: what a request is refused with, and what the API document says about it. Every
 * route's request schemas, given hostile input, answer messages that never say `undefined` and paths
 * in the contract's one style; `reject` and `return` need a reason in the schema and in the document;
 * the document's patterns accept exactly the shapes the identity checks accept.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { isCalendarDate } from '../../shared/domain/dates.ts';
import {
  isBankCardNumber,
  isMainlandMobile,
  isResidentIdNumber,
  makeResidentIdNumber,
} from '../../shared/domain/identity.ts';
import { isDisplaySafe } from '../../shared/domain/text.ts';
import { errorCodes } from '../../shared/errors.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { routeList } from '../../shared/http/routes.ts';
import { fieldErrors } from '../../shared/http/validation.ts';
import { reviewStatuses, submittedStatuses } from '../../shared/model/application.ts';
import { identityPatterns } from '../../shared/schemas/applications.ts';
import { displaySafePattern, fieldPathPattern } from '../../shared/schemas/common.ts';
import { BulkDecisionBody, DecisionBody } from '../../shared/schemas/review.ts';

const fieldPath = new RegExp(fieldPathPattern, 'u');

/** Inputs a client can send that miss, mistype or overflow every field. */
const hostile: unknown[] = [
  undefined,
  null,
  [],
  'text',
  0,
  {},
  { 'a.b': 1, 名字: 2, ' ': 3, unknown_key: 4 },
  { items: [{}, null, { decision: 'nope' }] },
  { applicant: {}, enrolment: [], payoutAccount: { kind: 'cash' }, allocations: [{}, { funding: [{}] }] },
  { decision: 'reject' },
  { decision: 5, reason: null },
];

/** The same keys as `sample`'s top-level fields, each given `value`. */
function everyKey(schema: z.core.$ZodType, value: unknown): Record<string, unknown> {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  return Object.fromEntries(Object.keys(shape).map((k) => [k, value]));
}

const parts = routeList.flatMap((route) =>
  (['params', 'query', 'body'] as const).flatMap((part) => {
    const schema = route[part];
    return schema ? [{ name: `${route.operationId} ${part}`, part, schema }] : [];
  }),
);

describe('validation messages and field paths (issue 12 item 9)', () => {
  it.each(parts)(
    '$name: hostile input gets messages without `undefined`, paths in one style',
    ({ part, schema }) => {
      const inputs = [
        ...hostile,
        everyKey(schema, undefined),
        everyKey(schema, null),
        everyKey(schema, []),
        everyKey(schema, {}),
        everyKey(schema, 'x'.repeat(5000)),
      ];
      let refused = 0;
      for (const input of inputs) {
        const parsed = z.safeParse(schema, input);
        if (parsed.success) continue;
        refused++;
        for (const field of fieldErrors(parsed.error, part === 'body' ? undefined : part)) {
          expect(field.message, JSON.stringify(input)).not.toMatch(/undefined/);
          expect(field.message.length).toBeGreaterThan(0);
          expect(field.path, JSON.stringify(input)).toMatch(fieldPath);
          // `query`/`params` alone: that part as a whole (never so in a request: the gateway sends an object).
          if (part !== 'body') expect(field.path === part || field.path.startsWith(`${part}.`)).toBe(true);
        }
      }
      expect(refused).toBeGreaterThan(0);
    },
  );

  it('says what is missing: an empty body, a missing field, a missing discriminator', () => {
    const empty = DecisionBody.safeParse(undefined);
    expect(fieldErrors(empty.error as z.core.$ZodError)).toEqual([
      { path: '(body)', message: expect.stringMatching(/^请求内容不能为空/) },
    ]);
    expect(fieldErrors(DecisionBody.safeParse({}).error as z.core.$ZodError)).toEqual([
      { path: 'decision', message: '缺少此字段，须为以下之一：approve、reject、return' },
    ]);
    expect(fieldErrors(DecisionBody.safeParse({ decision: true }).error as z.core.$ZodError)).toEqual([
      { path: 'decision', message: '须为以下之一：approve、reject、return' },
    ]);
  });

  it('names array items by index and unknown keys that are no path segment in the message', () => {
    const bulk = BulkDecisionBody.safeParse({
      items: [
        { id: 'abcdefgh1', decision: 'approve' },
        { id: 'abcdefgh2', decision: 'return' },
      ],
    });
    expect(fieldErrors(bulk.error as z.core.$ZodError)).toEqual([
      { path: 'items.1.reason', message: '驳回或退回须填写理由' },
    ]);
    const odd = DecisionBody.safeParse({ decision: 'approve', 'a.b': 1, extra: 2 });
    expect(fieldErrors(odd.error as z.core.$ZodError)).toEqual([
      { path: '(body)', message: '不允许的字段："a.b"' },
      { path: 'extra', message: '不允许的字段：extra' },
    ]);
    const query = routeList.find((r) => r.operationId === 'reviewQueue')?.query as z.core.$ZodType;
    expect(
      fieldErrors(z.safeParse(query, { limit: 'x' }).error as z.core.$ZodError, 'query').map((f) => f.path),
    ).toEqual(['query.programmeId', 'query.limit']);
  });
});

describe('the console’s application list filters by submitted statuses only', () => {
  it('refuses `draft`, which no status index lists, and takes every other status', () => {
    const query = routeList.find((r) => r.operationId === 'listApplications')?.query;
    expect(query).toBeDefined();
    const parsed = z.safeParse(query as z.core.$ZodType, { status: 'draft' });
    expect(parsed.success).toBe(false);
    expect(fieldErrors(parsed.error as z.core.$ZodError, 'query').map((f) => f.path)).toEqual([
      'query.status',
    ]);
    for (const status of submittedStatuses) {
      expect(z.safeParse(query as z.core.$ZodType, { status }).success, status).toBe(true);
    }
    expect(submittedStatuses).toEqual(reviewStatuses.filter((s) => s !== 'draft'));
  });
});

describe('decisions: a discriminated union on `decision` (issue 12 item 9)', () => {
  it.each(['reject', 'return'])('%s needs a non-blank reason', (decision) => {
    for (const reason of [undefined, '', '   ']) {
      const parsed = DecisionBody.safeParse({ decision, ...(reason === undefined ? {} : { reason }) });
      expect(parsed.success, JSON.stringify(reason)).toBe(false);
      expect(fieldErrors(parsed.error as z.core.$ZodError)).toEqual([
        { path: 'reason', message: '驳回或退回须填写理由' },
      ]);
    }
    expect(DecisionBody.parse({ decision, reason: ' 材料不全 ' })).toEqual({ decision, reason: '材料不全' });
  });

  it('approve may go without a reason', () => {
    expect(DecisionBody.parse({ decision: 'approve' })).toEqual({ decision: 'approve' });
    expect(DecisionBody.parse({ decision: 'approve', reason: '同意' })).toEqual({
      decision: 'approve',
      reason: '同意',
    });
  });

  it('the document says so: reason is required on the reject/return branch only', () => {
    const schemas = openApiDocument().components?.schemas as Record<string, { oneOf?: unknown[] }>;
    const branches = (schemas.DecisionRequest?.oneOf ?? []) as {
      properties: { decision: { enum: string[] } };
      required: string[];
    }[];
    expect(branches.map((b) => [b.properties.decision.enum, b.required.includes('reason')])).toEqual([
      [['approve'], false],
      [['reject', 'return'], true],
    ]);
  });
});

describe('the document says what the server checks (issue 12 item 9)', () => {
  const doc = openApiDocument();
  // biome-ignore lint/suspicious/noExplicitAny: the document is walked by key below
  const schemas = doc.components?.schemas as Record<string, any>;

  it('lists every error code of the contract as an enum', () => {
    expect(schemas.ErrorCode.enum).toEqual(errorCodes);
    expect(schemas.Error.properties.error.properties.code.$ref).toBe('#/components/schemas/ErrorCode');
    expect(errorCodes).toEqual(
      expect.arrayContaining(['validation_failed', 'rate_limited', 'internal_error']),
    );
  });

  it('gives ID number, mobile and bank card their patterns and dates their format', () => {
    const applicant = schemas.CreateApplication.properties.applicant.properties;
    expect(applicant.idNumber.pattern).toBe(identityPatterns.idNumber);
    expect(applicant.phone.pattern).toBe(identityPatterns.mobile);
    const bank = schemas.CreateApplication.properties.payoutAccount.oneOf[0].properties;
    expect(bank.accountNumber.pattern).toBe(identityPatterns.bankCard);
    expect(schemas.Enrolment.properties.enrolledOn).toMatchObject({
      format: 'date',
      pattern: '^(?:19|2\\d)\\d{2}-\\d{2}-\\d{2}$',
    });
    const date = pattern(schemas.Enrolment.properties.enrolledOn.pattern);
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1000-01-01'), max: new Date('3999-12-31'), noInvalidDate: true }),
        (d) => {
          const day = d.toISOString().slice(0, 10);
          expect(date.test(day), day).toBe(isCalendarDate(day));
        },
      ),
    );
    expect(schemas.Application.properties.createdAt.format).toBe('date-time');
  });

  const sep = fc.constantFrom('', '', '', ' ', '-', '  ');
  const pattern = (p: string) => new RegExp(p, 'u');

  it('the ID number pattern accepts every number the server accepts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100000, max: 999999 }),
        fc.date({ min: new Date('1900-01-01'), max: new Date('2020-12-31'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        fc.boolean(),
        (area, birth, seq, lower) => {
          const id = makeResidentIdNumber(String(area), birth.toISOString().slice(0, 10), seq);
          const typed = lower ? ` ${id.toLowerCase()} ` : id;
          expect(isResidentIdNumber(typed)).toBe(true);
          expect(pattern(identityPatterns.idNumber).test(typed), typed).toBe(true);
        },
      ),
    );
  });

  it('the mobile pattern accepts exactly the shapes the server accepts', () => {
    const typed = fc
      .tuple(
        fc.constantFrom('', '+86', '86', '0086', '+8', '886'),
        fc.constantFrom('1', '2'),
        fc.constantFrom('3', '9', '2', '0'),
        fc.array(fc.constantFrom('0', '5', '9'), { minLength: 8, maxLength: 10 }),
        fc.array(sep, { minLength: 14, maxLength: 14 }),
      )
      .map(([prefix, a, b, rest, seps]) =>
        [...prefix, a, b, ...rest].map((c, i) => `${seps[i % seps.length]}${c}`).join(''),
      );
    fc.assert(
      fc.property(typed, (value) => {
        expect(pattern(identityPatterns.mobile).test(value), value).toBe(isMainlandMobile(value));
      }),
    );
  });

  it('the bank card pattern accepts every card the server accepts, and no other length', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 10, maxLength: 21 }),
        fc.constantFrom('', '', ' ', '  '),
        (digits, s) => {
          // The last digit made Luhn-valid, so that only the shape decides.
          const body = digits.slice(0, -1).join('');
          const check = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].find((d) => isBankCardNumber(`${body}${d}`)) ?? 0;
          const card = `${body}${check}`.replace(/(\d{4})/g, `$1${s}`);
          expect(pattern(identityPatterns.bankCard).test(card), card).toBe(
            /^\d{12,19}$/.test(card.replace(/\D/g, '')),
          );
          if (isBankCardNumber(card)) expect(pattern(identityPatterns.bankCard).test(card)).toBe(true);
        },
      ),
    );
  });

  it('names and reasons carry the pattern of exactly the text the server accepts to show', () => {
    expect(schemas.CreateApplication.properties.applicant.properties.name.pattern).toBe(displaySafePattern);
    expect(schemas.DecisionRequest.oneOf[1].properties.reason.pattern).toBe(displaySafePattern);
    const safe = pattern(displaySafePattern);
    const risky = fc.constantFrom(
      '\u202e',
      '\u200b',
      '\t',
      '\n',
      '\u0085',
      '\ufeff',
      '\ud800',
      '\udfff',
      '😀',
      '张',
      'a',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(risky, fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 6 }),
        (parts) => {
          const text = parts.join('');
          expect(safe.test(text), JSON.stringify(text)).toBe(isDisplaySafe(text));
        },
      ),
    );
  });

  it('the examples the document shows pass the server’s checks', () => {
    const applicant = schemas.CreateApplication.properties.applicant.properties;
    expect(isResidentIdNumber(applicant.idNumber.example)).toBe(true);
    expect(isMainlandMobile(applicant.phone.example)).toBe(true);
    const bank = schemas.CreateApplication.properties.payoutAccount.oneOf[0].properties;
    expect(isBankCardNumber(bank.accountNumber.example)).toBe(true);
  });
});
