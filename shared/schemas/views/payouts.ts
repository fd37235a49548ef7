/**
 * The payment routes' answers: answers only, named by the routes (`view('…')`) and built by the OpenAPI document
 * (`shared/schemas/views.ts`), never at a Lambda function's cold start.
 */
import * as z from 'zod';
import { railNames } from '../../model/payout.ts';
import { Slug, Timestamp } from '../common.ts';
import { RunId } from '../payouts.ts';

export const PayoutRunAccepted = z.object({ runId: RunId }).meta({ id: 'PayoutRunAccepted' });

export const PayoutRunView = z
  .object({
    runId: RunId,
    programmeId: Slug,
    batchId: z.optional(Slug),
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
    endedAt: z.optional(Timestamp),
  })
  .meta({ id: 'PayoutRun' });
export type PayoutRunView = z.infer<typeof PayoutRunView>;

export const BankFileDownload = z
  .object({
    url: z.string().meta({ description: 'Presigned GET of the CSV (UTF-8 with BOM), valid five minutes' }),
    expiresAt: Timestamp,
    payerOrgId: Slug,
    lines: z.number().int(),
    totalFen: z.number().int(),
  })
  .meta({ id: 'BankFileDownload' });

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
