import * as z from 'zod';
import { Slug } from './common.ts';

/** `POST /v1/programmes/{programmeId}/payout-runs`: the review batch the run pays out, if any. */
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
    status: z.enum(['running', 'paying', 'succeeded', 'failed']).meta({
      description: '`running` (planning), `paying`, then `succeeded` or `failed`',
    }),
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
    createdAt: z.string(),
    endedAt: z.string().optional(),
  })
  .meta({ id: 'PayoutRun' });
export type PayoutRunView = z.infer<typeof PayoutRunView>;

const PageDescriptor = z.object({
  runId: RunId,
  phase: z.enum(['transfers', 'payments']),
  page: z.number().int().min(0),
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
