import * as z from 'zod/mini';
import { railNames } from '../model/payout.ts';
import { humanText, Slug } from './common.ts';
import { lazySchema } from './lazy.ts';

/** `POST /v1/programmes/{programmeId}/payout-runs`: the review batch the run pays out, if any. */
/** The rail is the deployment's (`PAYOUT_RAIL`), never chosen by a request. */
export const StartPayoutRunBody = lazySchema(() =>
  z.strictObject({ batchId: z.optional(Slug) }).check(z.meta({ id: 'StartPayoutRun' })),
);
export type StartPayoutRunBody = z.infer<typeof StartPayoutRunBody>;

export const RunId = lazySchema(() =>
  z
    .string()
    .check(
      z.regex(/^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/, '运行编号格式不正确'),
      z.meta({ description: 'Payout run id', example: 'run-20220611-3f2a9c' }),
    ),
);

export const PayoutRunParams = lazySchema(() => z.object({ runId: RunId }));

const PageDescriptor = lazySchema(() =>
  z.object({
    runId: RunId,
    phase: z.enum(['transfers', 'payments']),
    page: z.number().check(z.int(), z.gte(0)),
    /** The run's rail; absent for runs recorded before rails were chosen per run (sandbox). */
    rail: z.optional(z.enum(railNames)),
  }),
);
export type PageDescriptor = z.infer<typeof PageDescriptor>;

/** What the payout-run state machine's Task states send the `payouts` function. */
export const PayoutTaskEvent = lazySchema(() =>
  z.discriminatedUnion('action', [
    z.object({ action: z.literal('plan'), runId: RunId, programmeId: Slug }),
    z.object({ action: z.literal('payPage'), page: PageDescriptor }),
    z.object({
      action: z.literal('reconcile'),
      input: z.looseObject({
        runId: RunId,
        error: z.nullish(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
      }),
    }),
  ]),
);
export type PayoutTaskEvent = z.infer<typeof PayoutTaskEvent>;

/** `GET /v1/payout-runs/{runId}/bank-files/{payerOrgId}` */
export const BankFileParams = lazySchema(() => z.object({ runId: RunId, payerOrgId: Slug }));

/** Lines per import request: the bank's result file of a larger batch is imported in several requests. */
export const MAX_BANK_RESULT_LINES = 2000;

/** `POST /v1/payout-runs/{runId}/bank-results`: the bank's result file of one payer, converted to JSON. */
export const BankResultsBody = lazySchema(() =>
  z
    .strictObject({
      payerOrgId: Slug,
      lines: z
        .array(
          z.strictObject({
            key: z.string().check(z.regex(/^[0-9a-f]{40}$/, '业务编号格式不正确')),
            status: z.enum(['paid', 'failed']),
            reference: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(64))),
            reason: z.optional(humanText({ label: '失败原因', max: 200 })),
          }),
        )
        .check(
          z.minLength(1, '至少一行结果'),
          z.maxLength(MAX_BANK_RESULT_LINES, `每次最多导入 ${MAX_BANK_RESULT_LINES} 行，请分批导入`),
        ),
    })
    .check(z.meta({ id: 'BankResults' })),
);
export type BankResultsBody = z.infer<typeof BankResultsBody>;
