import * as z from 'zod';
import { railNames } from '../model/payout.ts';
import { humanText, Slug, Timestamp } from './common.ts';

/** `POST /v1/programmes/{programmeId}/payout-runs`: the review batch the run pays out, if any. */
/** The rail is the deployment's (`PAYOUT_RAIL`), never chosen by a request. */
export const StartPayoutRunBody = z
  .object({ batchId: Slug.optional() })
  .strict()
  .meta({ id: 'StartPayoutRun' });
export type StartPayoutRunBody = z.infer<typeof StartPayoutRunBody>;

export const RunId = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/, '运行编号格式不正确')
  .meta({ description: 'Payout run id', example: 'run-20220611-3f2a9c' });

export const PayoutRunParams = z.object({ runId: RunId });

export const PayoutRunAccepted = z.object({ runId: RunId }).meta({ id: 'PayoutRunAccepted' });

export const PayoutRunView = z
  .object({
    runId: RunId,
    programmeId: Slug,
    batchId: Slug.optional(),
    status: z.enum(['running', 'paying', 'awaiting_bank', 'succeeded', 'failed']).meta({
      description:
        '`running` (planning), `paying`, with `bank_file` `awaiting_bank` until every result line is imported, then `succeeded` or `failed`',
    }),
    rail: z.enum(railNames).optional(),
    counts: z
      .object({ planned: z.number().int(), paid: z.number().int(), failed: z.number().int() })
      .meta({ description: 'Instructions of the run: union transfers and worker payments' }),
    totals: z
      .array(z.object({ funderOrgId: Slug, totalFen: z.number().int() }))
      .meta({ description: 'Each funder’s money that reached workers in this run, counted once' }),
    failures: z
      .array(
        z.object({
          kind: z.enum(['transfer', 'payment']),
          payerOrgId: Slug,
          applicationId: z.string().optional(),
          reason: z.string(),
        }),
      )
      .optional(),
    problems: z.array(z.string()).optional().meta({ description: 'What did not reconcile' }),
    bankFiles: z
      .array(
        z.object({
          payerOrgId: Slug,
          lines: z.number().int(),
          totalFen: z.number().int(),
          writtenAt: Timestamp,
        }),
      )
      .optional()
      .meta({ description: '`bank_file`: one batch file per paying org' }),
    awaitingBank: z
      .number()
      .int()
      .optional()
      .meta({ description: '`bank_file`: lines still waiting for the bank’s result' }),
    createdAt: Timestamp,
    endedAt: Timestamp.optional(),
  })
  .meta({ id: 'PayoutRun' });
export type PayoutRunView = z.infer<typeof PayoutRunView>;

const PageDescriptor = z.object({
  runId: RunId,
  phase: z.enum(['transfers', 'payments']),
  page: z.number().int().min(0),
  /** The run's rail; absent for runs recorded before rails were chosen per run (sandbox). */
  rail: z.enum(railNames).optional(),
});
export type PageDescriptor = z.infer<typeof PageDescriptor>;

/** What the payout-run state machine's Task states send the `payouts` function. */
export const PayoutTaskEvent = z.discriminatedUnion('action', [
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
]);
export type PayoutTaskEvent = z.infer<typeof PayoutTaskEvent>;

/** `GET /v1/payout-runs/{runId}/bank-files/{payerOrgId}` */
export const BankFileParams = z.object({ runId: RunId, payerOrgId: Slug });

export const BankFileDownload = z
  .object({
    url: z.string().meta({ description: 'Presigned GET of the CSV (UTF-8 with BOM), valid five minutes' }),
    expiresAt: Timestamp,
    payerOrgId: Slug,
    lines: z.number().int(),
    totalFen: z.number().int(),
  })
  .meta({ id: 'BankFileDownload' });

/** Lines per import request: the bank's result file of a larger batch is imported in several requests. */
export const MAX_BANK_RESULT_LINES = 2000;

/** `POST /v1/payout-runs/{runId}/bank-results`: the bank's result file of one payer, converted to JSON. */
export const BankResultsBody = z
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
  .meta({ id: 'BankResults' });
export type BankResultsBody = z.infer<typeof BankResultsBody>;

export const BankResultsReport = z
  .object({
    runId: RunId,
    payerOrgId: Slug,
    runStatus: z.enum(['running', 'paying', 'awaiting_bank', 'succeeded', 'failed']),
    counts: z.object({
      paid: z.number().int(),
      failed: z.number().int(),
      unchanged: z.number().int(),
      unknown: z.number().int(),
    }),
    lines: z
      .array(
        z.object({
          key: z.string(),
          outcome: z.enum(['paid', 'failed', 'unchanged', 'unknown_key', 'duplicate']).meta({
            description:
              '`paid`/`failed`: recorded now; `unchanged`: the line already had a result (`status`); `unknown_key`: no such line in this payer’s file; `duplicate`: the key appeared earlier in this request',
          }),
          status: z.enum(['pending', 'sending', 'paid', 'failed']).optional(),
        }),
      )
      .meta({ description: 'One entry per line sent, in order' }),
  })
  .meta({ id: 'BankResultsReport' });
export type BankResultsReport = z.infer<typeof BankResultsReport>;
