import * as z from 'zod';
import { QuotaState, ReviewStatus } from './applications.ts';
import { Cursor, humanText, Slug } from './common.ts';
import { lazySchema } from './lazy.ts';

/**
 * What the union console reads besides the review routes (architecture.md §7): the applications of a
 * programme the caller may see, the programme's payout runs, the dashboard's counts, and the audit
 * of each Excel export.
 */

/** `GET /v1/programmes/{programmeId}/applications` */
export const ApplicationsQuery = lazySchema(() =>
  z.object({
    unitOrgId: Slug.optional(),
    employerOrgId: Slug.optional(),
    status: ReviewStatus.exclude(['draft']).optional(),
    quotaState: QuotaState.optional(),
    q: humanText({ label: '搜索', min: 1, max: 40 }).optional(),
    cursor: Cursor.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  }),
);
export type ApplicationsQuery = z.output<typeof ApplicationsQuery>;

/** `POST /v1/audit/exports`: an Excel export the console made (who, which list, how many rows). */
export const ExportAuditBody = lazySchema(() =>
  z
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
    .meta({ id: 'ExportAudit' }),
);
export type ExportAuditBody = z.infer<typeof ExportAuditBody>;
