/**
 * The review routes' answers: answers only, named by the routes (`view('…')`) and built by the OpenAPI document
 * (`shared/schemas/views.ts`), never at a Lambda function's cold start.
 */
import * as z from 'zod';
import { ReviewStatus } from '../applications.ts';
import { Cursor, ErrorCode, Slug, Timestamp } from '../common.ts';
import { Quota } from './applications.ts';
import { EnrolmentView } from './catalogue.ts';

export const DecisionResult = z
  .object({
    id: z.string(),
    status: ReviewStatus,
    currentOrgId: z.nullable(Slug),
    quota: Quota,
  })
  .meta({ id: 'DecisionResult' });

export const BulkDecisionResult = z
  .object({
    results: z.array(
      z.object({
        id: z.string(),
        ok: z.boolean(),
        result: DecisionResult.optional(),
        error: z.object({ code: ErrorCode, message: z.string() }).optional(),
      }),
    ),
  })
  .meta({ id: 'BulkDecisionResult' });

export const QueueItem = z
  .object({
    id: z.string(),
    sequence: z.number().int(),
    submittedAt: Timestamp,
    employerOrgId: Slug,
    unitOrgId: Slug,
    applicant: z.object({
      name: z.string(),
      idNumber: z.string(),
      positionLevel: z.string(),
      migrantWorker: z.boolean(),
    }),
    enrolment: EnrolmentView,
    jobTitle: z.string(),
    relevance: z.string(),
    quota: z.object({ unitOrgId: Slug, state: z.string() }),
    waitlistPosition: z.number().int().positive().optional().meta({
      description: 'The position on the unit’s waitlist (候补第 N 位) while waiting for a place',
    }),
  })
  .meta({ id: 'QueueItem' });

export const ReviewQueue = z
  .object({ programmeId: Slug, orgId: Slug, items: z.array(QueueItem), cursor: z.optional(Cursor) })
  .meta({ id: 'ReviewQueue' });

export const AttachmentDownload = z
  .object({ url: z.string(), expiresAt: Timestamp })
  .meta({ id: 'AttachmentDownload' });
