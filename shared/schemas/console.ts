import * as z from 'zod';
import { QuotaState, ReviewStatus } from './applications.ts';
import { Cursor, humanText, Slug } from './common.ts';
import { PayoutRunView } from './payouts.ts';
import { QueueItem } from './review.ts';

/**
 * What the union console reads besides the review routes (architecture.md §7): the applications of a
 * programme the caller may see, the programme's payout runs, the dashboard's counts, and the audit
 * of each Excel export.
 */

/** `GET /v1/programmes/{programmeId}/applications` */
export const ApplicationsQuery = z.object({
  unitOrgId: Slug.optional(),
  employerOrgId: Slug.optional(),
  status: ReviewStatus.exclude(['draft']).optional(),
  quotaState: QuotaState.optional(),
  q: humanText({ label: '搜索', min: 1, max: 40 }).optional(),
  cursor: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ApplicationsQuery = z.output<typeof ApplicationsQuery>;

export const ApplicationListItem = QueueItem.extend({
  status: ReviewStatus,
  currentOrgId: Slug.nullable(),
  waitlistPosition: z.number().int().positive().optional(),
}).meta({ id: 'ApplicationListItem' });

export const ApplicationsPage = z
  .object({ programmeId: Slug, items: z.array(ApplicationListItem), cursor: Cursor.optional() })
  .meta({ id: 'ApplicationsPage' });

/** `GET /v1/programmes/{programmeId}/payout-runs` (admin). */
export const PayoutRunList = z.object({ items: z.array(PayoutRunView) }).meta({ id: 'PayoutRunList' });

const FunderMoney = z.object({ funderOrgId: Slug, totalFen: z.number().int() });

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
      planned: z.array(FunderMoney).meta({ description: 'Each funder’s committed money (places × amount)' }),
      paid: z
        .array(FunderMoney)
        .optional()
        .meta({ description: 'Money that reached workers, for admins who may see the runs' }),
    }),
  })
  .meta({ id: 'Dashboard' });
export type Dashboard = z.infer<typeof Dashboard>;

/** `POST /v1/audit/exports`: an Excel export the console made (who, which list, how many rows). */
export const ExportAuditBody = z
  .object({
    list: z.enum([
      'review-queue',
      'applications',
      'quotas',
      'programmes',
      'payout-runs',
      'orgs',
      'dashboard',
      'notifications',
    ]),
    programmeId: Slug.optional(),
    rows: z.number().int().min(0).max(1_000_000),
  })
  .strict()
  .meta({ id: 'ExportAudit' });
export type ExportAuditBody = z.infer<typeof ExportAuditBody>;

export const ExportAuditRecorded = z
  .object({ auditId: z.string(), at: z.string() })
  .meta({ id: 'ExportAuditRecorded' });
