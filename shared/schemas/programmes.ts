import * as z from 'zod';
import type * as model from '../model/programme.ts';
import { allocationPolicies, levels } from '../model/programme.ts';
import type { Agrees, Assert } from './agreement.ts';
import { CalendarDate, Fen, humanText, Slug } from './common.ts';
import { lazySchema } from './lazy.ts';

/** R4: 新入读大专及本科. */
export const Level = lazySchema(() => z.enum(levels).meta({ id: 'Level' }));
export type Level = z.infer<typeof Level>;

export const DateWindow = lazySchema(() => z.object({ opensOn: CalendarDate, closesOn: CalendarDate }));

export const ReviewBatch = lazySchema(() =>
  z.object({ id: Slug, opensOn: CalendarDate, closesOn: CalendarDate }).meta({ id: 'ReviewBatch' }),
);

/** R6: one funder's money per place; `places` limits it to the first places of the unit (a county's extra places). */
export const FundingShare = lazySchema(() =>
  z
    .object({
      funderOrgId: Slug,
      amountFen: Fen,
      places: z.number().int().positive().optional().meta({
        description: 'How many of the unit’s places this share funds; all of them when absent',
      }),
    })
    .meta({ id: 'FundingShare' }),
);
export type FundingShare = z.infer<typeof FundingShare>;

/** R6 乡镇/单位工会可配套: a township's, employer's or unit's extra money for each worker under it. */
export const TopUp = lazySchema(() =>
  z
    .object({ funderOrgId: Slug, amountFen: Fen })
    .meta({ id: 'TopUp', description: 'Paid by the funder to every worker whose employer is under it' }),
);
export type TopUp = z.infer<typeof TopUp>;

/** R5: one row of the attachment table (名额分配表). */
export const Allocation = lazySchema(() =>
  z
    .object({
      unitOrgId: Slug,
      places: z
        .number({ message: '名额必须是正整数' })
        .int('名额必须是正整数')
        .positive('名额必须是正整数')
        .max(100_000),
      funding: z.array(FundingShare).min(1, '至少需要一个资助方').max(10),
    })
    .meta({ id: 'Allocation' }),
);
export type Allocation = z.infer<typeof Allocation>;

/** R16: 联系方式. */
export const Contacts = lazySchema(() =>
  z
    .object({
      hotline: humanText({ label: '咨询电话', min: 0, max: 40 }).optional(),
      people: z
        .array(
          z.object({
            name: humanText({ label: '联系人', max: 40 }),
            phone: humanText({ label: '联系电话', min: 3, max: 40 }),
            role: humanText({ label: '职务', min: 0, max: 100 }).optional(),
          }),
        )
        .max(20)
        .default([]),
    })
    .meta({ id: 'Contacts' }),
);

export const AllocationPolicy = lazySchema(() => z.enum(allocationPolicies).meta({ id: 'AllocationPolicy' }));

export const CreateProgrammeBody = lazySchema(() =>
  z
    .object({
      id: Slug,
      title: humanText({ label: '标题', max: 200 }),
      ownerOrgId: Slug,
      year: z.number().int().min(2000).max(2100),
      enrolmentYear: z.number().int().min(2000).max(2100),
      applicationWindow: DateWindow,
      reviewBatches: z.array(ReviewBatch).min(1, '至少需要一个审核批次').max(12),
      levels: z.array(Level).min(1, '至少需要一个学历层次'),
      allocations: z.array(Allocation).min(1, '至少需要一个名额分配').max(90),
      allocationPolicy: AllocationPolicy.default('first_come_first_served'),
      topUps: z.array(TopUp).max(200).optional(),
      contacts: Contacts.optional(),
      /** Issue 16: applications must choose an offering of the catalogue; no other institution may be declared. */
      catalogueRequired: z.boolean().optional(),
    })
    .strict()
    .meta({ id: 'CreateProgramme' }),
);
export type CreateProgrammeBody = z.input<typeof CreateProgrammeBody>;
export type ProgrammeInput = z.output<typeof CreateProgrammeBody>;
export type ProgrammeInputAgrees = Assert<Agrees<ProgrammeInput, model.ProgrammeInput>>;

/** What an admin may correct after publishing; dates are checked against the calendar's past. */
export const UpdateProgrammeBody = lazySchema(() =>
  CreateProgrammeBody.pick({
    title: true,
    applicationWindow: true,
    reviewBatches: true,
    contacts: true,
    catalogueRequired: true,
  })
    .partial()
    .strict()
    .refine((body) => Object.values(body).some((v) => v !== undefined), { message: '至少修改一项' })
    .meta({ id: 'UpdateProgramme' }),
);
export type UpdateProgrammeBody = z.output<typeof UpdateProgrammeBody>;

export const ProgrammeIdParams = lazySchema(() => z.object({ programmeId: Slug }));

/** `PUT /programmes/{programmeId}/allocations/{unitOrgId}/funding/{funderOrgId}`: a funder's share of one unit. */
export const FundingShareParams = lazySchema(() =>
  z.object({ programmeId: Slug, unitOrgId: Slug, funderOrgId: Slug }),
);
export const FundingShareBody = lazySchema(() =>
  FundingShare.omit({ funderOrgId: true }).strict().meta({ id: 'FundingShareRequest' }),
);
export type FundingShareBody = z.infer<typeof FundingShareBody>;

export const FundingTotal = lazySchema(() => z.object({ funderOrgId: Slug, totalFen: z.number().int() }));

/**
 * `PUT /programmes/{programmeId}/allocations/{unitOrgId}/shards`: split a unit's places over more
 * sub-allocations (architecture.md §3), for a unit whose claims one item cannot take.
 */
export const UnitShardsParams = lazySchema(() => z.object({ programmeId: Slug, unitOrgId: Slug }));
export const UnitShardsBody = lazySchema(() =>
  z
    .object({
      shards: z
        .number()
        .int('分片数必须是 1 至 16 的整数')
        .min(1, '分片数必须是 1 至 16 的整数')
        .max(16, '分片数必须是 1 至 16 的整数'),
    })
    .strict()
    .meta({ id: 'UnitShardsRequest' }),
);
export type UnitShardsBody = z.infer<typeof UnitShardsBody>;
