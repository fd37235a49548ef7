/**
 * The answers of the application routes (`view('…')` in shared/http/routes/): built only by the
 * OpenAPI document (`shared/schemas/views.ts`), never by a Lambda function's cold start. The request
 * schemas they are made of stay in `../applications.ts`.
 */
import * as z from 'zod';
import { notificationEvents } from '../../domain/notifications.ts';
import {
  AttachmentKind,
  Channel,
  ChsiReport,
  DocumentContentType,
  PositionLevel,
  QuotaState,
  ReviewStatus,
} from '../applications.ts';
import { StudyMode } from '../catalogue.ts';
import { Cursor, Slug, Timestamp } from '../common.ts';
import { Level } from '../programmes.ts';
import { EnrolmentView } from './catalogue.ts';

export const ApplicationFormView = z
  .object({
    programmeId: Slug,
    step: z.number().int(),
    applicant: z
      .object({
        name: z.string(),
        idNumber: z.string().meta({ description: 'Masked, as everywhere' }),
        phone: z.string().meta({ description: 'Masked' }),
        positionLevel: PositionLevel,
        migrantWorker: z.boolean(),
      })
      .optional(),
    jobTitle: z.string().optional(),
    employerOrgId: z.optional(Slug),
    unitOrgId: z.optional(Slug).meta({ description: 'The unit the employer counts in' }),
    enrolment: z
      .object({
        offeringId: z.string().optional(),
        institution: z.string().optional(),
        institutionCode: z.string().optional(),
        major: z.string().optional(),
        level: z.optional(Level),
        mode: z.optional(StudyMode),
        years: z.number().optional(),
        enrolledOn: z.string(),
      })
      .optional()
      .meta({ description: 'As saved; a chosen offering comes with its institution, major, level and mode' }),
    chsiReport: z.object({ verificationCode: z.string(), validUntil: z.string() }).optional(),
    relevance: z.string().optional(),
    savedAt: z.string(),
    expiresOn: z
      .string()
      .meta({ description: 'The day (Asia/Shanghai) after which the saved form is deleted' }),
  })
  .meta({ id: 'ApplicationForm' });
export type ApplicationFormView = z.infer<typeof ApplicationFormView>;

export const ApplicationFormDiscarded = z
  .object({ programmeId: Slug, discarded: z.boolean() })
  .meta({ id: 'ApplicationFormDiscarded' });

export const AttachmentUpload = z
  .object({
    attachmentId: z.string(),
    upload: z.object({ url: z.string(), fields: z.record(z.string(), z.string()) }),
    expiresAt: Timestamp,
  })
  .meta({ id: 'AttachmentUpload' });

export const Quota = z
  .object({
    unitOrgId: Slug,
    state: QuotaState,
    waitlistPosition: z.number().int().positive().optional(),
  })
  .meta({ id: 'Quota' });

export const Receipt = z
  .object({
    sequence: z.number().int().positive(),
    submittedAt: Timestamp,
    digest: z.string(),
  })
  .meta({ id: 'Receipt' });
export type Receipt = z.infer<typeof Receipt>;

export const TimelineEvent = z
  .object({
    at: Timestamp,
    type: z.string(),
    orgId: z.string().optional(),
    reason: z.string().optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'TimelineEvent' });

/**
 * One SMS and its delivery status (architecture.md §9): `queued` (waiting, `dueAt` when deferred by quiet
 * hours or the daily cap), `sending`, `sent`, or `failed` with the provider's `code`.
 */
export const SmsDelivery = z
  .object({
    notificationId: z.string(),
    event: z.enum(notificationEvents),
    status: z.enum(['queued', 'sending', 'sent', 'failed']),
    at: z.string(),
    to: z.string().optional(),
    dueAt: z.string().optional(),
    sentAt: z.string().optional(),
    failedAt: z.string().optional(),
    code: z.string().optional(),
    attempts: z.number().int().optional(),
  })
  .meta({ id: 'SmsDelivery' });
export type SmsDelivery = z.infer<typeof SmsDelivery>;

export const NotificationList = z
  .object({
    items: z.array(
      SmsDelivery.extend({
        programmeId: z.string(),
        applicationId: z.string().optional(),
        orgId: z.string().optional(),
      }),
    ),
    cursor: z.optional(Cursor),
  })
  .meta({ id: 'NotificationList' });

export const AttachmentView = z.object({
  attachmentId: z.string(),
  kind: AttachmentKind,
  contentType: DocumentContentType,
  status: z.enum(['pending', 'verified', 'rejected']),
  sizeBytes: z.number().int().optional(),
  reason: z.string().optional(),
  createdAt: Timestamp,
});

/** What an admin's revocation recorded: why, when, and the money paid that is owed back per funder. */
export const Revocation = z
  .object({
    reason: z.string(),
    revokedAt: Timestamp,
    clawbackFen: z.number().int(),
    clawback: z.array(z.object({ funderOrgId: Slug, amountFen: z.number().int() })),
    heldByUnit: z
      .array(z.object({ funderOrgId: Slug, amountFen: z.number().int() }))
      .optional()
      .meta({
        description:
          "The funders' shares a city → county transfer carried to the unit for this place (or carries: it may still await the bank) that the worker was never paid, as the unit's payment failed: owed back by the unit, per funder.",
      }),
  })
  .meta({ id: 'Revocation' });

export const ApplicationView = z
  .object({
    id: z.string(),
    programmeId: Slug,
    employerOrgId: Slug,
    unitOrgId: Slug,
    channel: Channel,
    status: ReviewStatus,
    applicant: z.object({
      name: z.string(),
      idNumber: z.string().meta({ description: 'Masked, e.g. 3715**********123X' }),
      phone: z.string().meta({
        description: 'Masked (138****1001) except to the owner and to the employer (enterprise) union',
      }),
      positionLevel: PositionLevel,
      migrantWorker: z.boolean(),
    }),
    enrolment: EnrolmentView,
    chsiReport: ChsiReport,
    jobTitle: z.string(),
    relevance: z.string(),
    payoutAccount: z.union([
      z.object({
        kind: z.literal('bank'),
        bankName: z.string(),
        accountName: z.string(),
        accountNumber: z.string(),
      }),
      z.object({ kind: z.literal('wallet'), walletId: z.string() }),
    ]),
    attachments: z.array(AttachmentView),
    quota: Quota,
    receipt: Receipt.optional(),
    review: z.object({
      chain: z.array(
        z.object({
          orgId: Slug,
          decision: z.string().optional(),
          decidedAt: z.optional(Timestamp),
          reason: z.string().optional(),
        }),
      ),
      currentOrgId: z.nullable(Slug),
    }),
    payments: z.array(
      z.object({
        payerOrgId: Slug,
        amountFen: z.number().int(),
        funding: z.array(z.object({ funderOrgId: Slug, amountFen: z.number().int() })),
        status: z.enum(['pending', 'paid', 'failed']),
        paidAt: z.optional(Timestamp),
      }),
    ),
    timeline: z.array(TimelineEvent),
    /** Beside the timeline: each SMS the application caused and how its delivery went (issue 17). */
    notifications: z.array(SmsDelivery).optional(),
    revocation: Revocation.optional(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Application' });
export type ApplicationView = z.infer<typeof ApplicationView>;

export const ApplicationList = z
  .object({ applications: z.array(ApplicationView), cursor: z.optional(Cursor) })
  .meta({ id: 'ApplicationList' });

export const SubmitResult = z
  .object({
    id: z.string(),
    status: ReviewStatus,
    quota: Quota,
    receipt: Receipt,
  })
  .meta({ id: 'SubmitResult' });
