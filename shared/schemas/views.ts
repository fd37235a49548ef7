import * as z from 'zod';
import { Slug, Timestamp } from './common.ts';
import {
  Me,
  Member,
  MemberList,
  MemberRemoved,
  OrgRegistration,
  OrgRegistrationList,
} from './views/accounts.ts';
import {
  ApplicationFormDiscarded,
  ApplicationFormView,
  ApplicationList,
  ApplicationView,
  AttachmentUpload,
  NotificationList,
  SubmitResult,
} from './views/applications.ts';
import {
  EnrolmentCounts,
  EnrolmentCountsExport,
  ImportOfferingsResult,
  Institution,
  Offering,
  OfferingList,
} from './views/catalogue.ts';
import { ApplicationsPage, Dashboard, ExportAuditRecorded, PayoutRunList } from './views/console.ts';
import { EmployerList, Org, OrgChildren } from './views/orgs.ts';
import { BankFileDownload, BankResultsReport, PayoutRunAccepted, PayoutRunView } from './views/payouts.ts';
import { Programme, ProgrammeList, QuotaBoard, UnitShards } from './views/programmes.ts';
import { AttachmentDownload, BulkDecisionResult, DecisionResult, ReviewQueue } from './views/review.ts';

/**
 * Every response schema of the API, by the name a route gives it (`view('…')` in
 * `shared/http/routes/`). Only the OpenAPI document imports this module: no Lambda function reads a
 * response schema at run time, so none builds them at a cold start (docs/benchmarks.md, coldStart).
 * `tests/unit/views.test.ts` checks that every route names one of these.
 */
export const views = {
  ApplicationFormDiscarded,
  ApplicationFormView,
  ApplicationList,
  ApplicationView,
  ApplicationsPage,
  AttachmentDownload,
  AttachmentUpload,
  BankFileDownload,
  BankResultsReport,
  BulkDecisionResult,
  Dashboard,
  DecisionResult,
  EmployerList,
  EnrolmentCounts,
  EnrolmentCountsExport,
  ExportAuditRecorded,
  ImportOfferingsResult,
  Institution,
  Me,
  Member,
  MemberList,
  MemberRemoved,
  NotificationList,
  Offering,
  OfferingList,
  Org,
  OrgChildren,
  OrgRegistration,
  OrgRegistrationList,
  PayoutRunAccepted,
  PayoutRunList,
  PayoutRunView,
  Programme,
  ProgrammeList,
  QuotaBoard,
  ReviewQueue,
  SubmitResult,
  UnitShards,
  Health: z.object({ status: z.literal('ok'), time: Timestamp }).meta({ id: 'Health' }),
  /** `/openapi.json` itself. */
  OpenApiDocument: z.record(z.string(), z.unknown()),
  ReallocationResult: z
    .object({
      programmeId: Slug,
      fromUnitOrgId: Slug,
      toUnitOrgId: Slug,
      places: z.number().int(),
      promotedApplications: z.number().int().meta({
        description:
          'Waitlisted applications this request moved onto the added places. A submit or release in the target unit at the same moment may fill some of them itself; the quota board shows the unit as it is',
      }),
    })
    .meta({ id: 'ReallocationResult' }),
} as const;
