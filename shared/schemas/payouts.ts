import * as z from 'zod';
import { railNames } from '../model/payout.ts';
import { humanText, Slug } from './common.ts';
import { lazySchema } from './lazy.ts';

/** `POST /v1/programmes/{programmeId}/payout-runs`: the review batch the run pays out, if any. */
/** The rail is the deployment's (`PAYOUT_RAIL`), never chosen by a request. */
export const StartPayoutRunBody = lazySchema(() =>
  z.object({ batchId: Slug.optional() }).strict().meta({ id: 'StartPayoutRun' }),
);
export type StartPayoutRunBody = z.infer<typeof StartPayoutRunBody>;

export const RunId = lazySchema(() =>
  z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/, '运行编号格式不正确')
    .meta({ description: 'Payout run id', example: 'run-20220611-3f2a9c' }),
);

export const PayoutRunParams = lazySchema(() => z.object({ runId: RunId }));

const PageDescriptor = lazySchema(() =>
  z.object({
    runId: RunId,
    phase: z.enum(['transfers', 'payments']),
    page: z.number().int().min(0),
    /** The run's rail; absent for runs recorded before rails were chosen per run (sandbox). */
    rail: z.enum(railNames).optional(),
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
      input: z
        .object({
          runId: RunId,
          error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).nullish(),
        })
        .loose(),
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
    .object({
      payerOrgId: Slug,
      lines: z
        .array(
          z
            .object({
              key: z.string().regex(/^[0-9a-f]{40}$/, '业务编号格式不正确'),
              status: z.enum(['paid', 'failed']),
              reference: z.string().trim().min(1).max(64).optional(),
              reason: humanText({ label: '失败原因', max: 200 }).optional(),
            })
            .strict(),
        )
        .min(1, '至少一行结果')
        .max(MAX_BANK_RESULT_LINES, `每次最多导入 ${MAX_BANK_RESULT_LINES} 行，请分批导入`),
    })
    .strict()
    .meta({ id: 'BankResults' }),
);
export type BankResultsBody = z.infer<typeof BankResultsBody>;
