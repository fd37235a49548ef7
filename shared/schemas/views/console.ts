/**
 * The console's answers: answers only, named by the routes (`view('…')`) and built by the OpenAPI document
 * (`shared/schemas/views.ts`), never at a Lambda function's cold start.
 */
import * as z from 'zod';
import { ReviewStatus } from '../applications.ts';
import { Cursor, Slug } from '../common.ts';
import { FundingTotal } from '../programmes.ts';
import { PayoutRunView } from './payouts.ts';
import { QueueItem } from './review.ts';

export const ApplicationListItem = QueueItem.extend({
  status: ReviewStatus,
  currentOrgId: z.nullable(Slug),
  waitlistPosition: z.number().int().positive().optional(),
}).meta({ id: 'ApplicationListItem' });

export const ApplicationsPage = z
  .object({ programmeId: Slug, items: z.array(ApplicationListItem), cursor: z.optional(Cursor) })
  .meta({ id: 'ApplicationsPage' });

/** `GET /v1/programmes/{programmeId}/payout-runs` (admin). */
export const PayoutRunList = z.object({ items: z.array(PayoutRunView) }).meta({ id: 'PayoutRunList' });

/** `GET /v1/programmes/{programmeId}/dashboard`: 统计 of what the caller's org may see. */
export const Dashboard = z
  .object({
    programmeId: Slug,
    orgId: Slug,
    byStatus: z.array(z.object({ status: ReviewStatus, count: z.number().int() })),
    units: z.array(
      z.object({
        unitOrgId: Slug,
        name: z.string(),
        places: z.number().int(),
        claimed: z.number().int(),
        waitlisted: z.number().int(),
        applications: z.number().int(),
        byStatus: z.array(z.object({ status: ReviewStatus, count: z.number().int() })),
      }),
    ),
    approvalsByBatch: z
      .array(z.object({ batchId: Slug, approvals: z.number().int() }))
      .meta({ description: 'Approvals the caller’s org gave, by the review batch they fell in' }),
    money: z.object({
      planned: z.array(FundingTotal).meta({ description: 'Each funder’s committed money (places × amount)' }),
      paid: z
        .array(FundingTotal)
        .optional()
        .meta({ description: 'Money that reached workers, for admins who may see the runs' }),
    }),
  })
  .meta({ id: 'Dashboard' });
export type Dashboard = z.infer<typeof Dashboard>;

export const ExportAuditRecorded = z
  .object({ auditId: z.string(), at: z.string() })
  .meta({ id: 'ExportAuditRecorded' });
