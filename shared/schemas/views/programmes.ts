/**
 * The programme routes' answers: answers only, named by the routes (`view('…')`) and built by the OpenAPI document
 * (`shared/schemas/views.ts`), never at a Lambda function's cold start.
 */
import * as z from 'zod';
import type { QuotaBoard as QuotaBoardModel } from '../../domain/quota.ts';
import type * as model from '../../model/programme.ts';
import type { Agrees, Assert } from '../agreement.ts';
import { Slug, Timestamp } from '../common.ts';
import {
  Allocation,
  AllocationPolicy,
  Contacts,
  DateWindow,
  FundingTotal,
  Level,
  ReviewBatch,
  TopUp,
} from '../programmes.ts';

export const Programme = z
  .object({
    id: Slug,
    title: z.string(),
    ownerOrgId: Slug,
    year: z.number().int(),
    enrolmentYear: z.number().int(),
    applicationWindow: DateWindow,
    reviewBatches: z.array(ReviewBatch),
    levels: z.array(Level),
    allocations: z.array(Allocation),
    allocationPolicy: AllocationPolicy,
    topUps: z.array(TopUp).optional(),
    contacts: z.optional(Contacts),
    catalogueRequired: z.boolean().optional(),
    createdAt: Timestamp,
  })
  .meta({ id: 'Programme' });
export type Programme = z.infer<typeof Programme>;
export type ProgrammeAgrees = Assert<Agrees<Programme, model.Programme>>;

export const ProgrammeSummary = Programme.pick({
  id: true,
  title: true,
  ownerOrgId: true,
  year: true,
  enrolmentYear: true,
  applicationWindow: true,
  reviewBatches: true,
  levels: true,
}).meta({ id: 'ProgrammeSummary' });

export const ProgrammeList = z
  .object({ programmes: z.array(ProgrammeSummary) })
  .meta({ id: 'ProgrammeList' });

export const QuotaBoard = z
  .object({
    programmeId: Slug,
    units: z.array(
      z.object({
        unitOrgId: Slug,
        name: z.string(),
        places: z.number().int(),
        claimed: z.number().int(),
        waitlisted: z.number().int(),
        funding: z.array(
          z.object({ funderOrgId: Slug, amountFen: z.number().int(), totalFen: z.number().int() }),
        ),
      }),
    ),
    totals: z.object({
      places: z.number().int(),
      claimed: z.number().int(),
      waitlisted: z.number().int(),
      funding: z.array(FundingTotal),
    }),
  })
  .meta({ id: 'QuotaBoard' });
export type QuotaBoard = z.infer<typeof QuotaBoard>;
export type QuotaBoardAgrees = Assert<Agrees<QuotaBoard, QuotaBoardModel>>;

export const UnitShards = z
  .object({
    programmeId: Slug,
    unitOrgId: Slug,
    shards: z.array(
      z.object({ shard: z.number().int(), places: z.number().int(), claimed: z.number().int() }),
    ),
  })
  .meta({ id: 'UnitShards' });
