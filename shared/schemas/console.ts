import * as z from 'zod/mini';
import { submittedStatuses } from '../model/application.ts';
import { QuotaState } from './applications.ts';
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
    unitOrgId: z.optional(Slug),
    employerOrgId: z.optional(Slug),
    status: z.optional(z.enum(submittedStatuses)),
    quotaState: z.optional(QuotaState),
    q: z.optional(humanText({ label: '搜索', min: 1, max: 40 })),
    cursor: z.optional(Cursor),
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  }),
);
export type ApplicationsQuery = z.output<typeof ApplicationsQuery>;

/** `POST /v1/audit/exports`: an Excel export the console made (who, which list, how many rows). */
export const ExportAuditBody = lazySchema(() =>
  z
    .strictObject({
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
      programmeId: z.optional(Slug),
      rows: z.number().check(z.int(), z.gte(0), z.lte(1_000_000)),
    })
    .check(z.meta({ id: 'ExportAudit' })),
);
export type ExportAuditBody = z.infer<typeof ExportAuditBody>;
