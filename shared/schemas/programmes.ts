import * as z from 'zod/mini';
import type * as model from '../model/programme.ts';
import { allocationPolicies, levels } from '../model/programme.ts';
import type { Agrees, Assert } from './agreement.ts';
import { CalendarDate, Fen, humanText, Slug } from './common.ts';
import { lazySchema } from './lazy.ts';

/** R4: 新入读大专及本科. */
export const Level = lazySchema(() => z.enum(levels).check(z.meta({ id: 'Level' })));
export type Level = z.infer<typeof Level>;

export const DateWindow = lazySchema(() => z.object({ opensOn: CalendarDate, closesOn: CalendarDate }));

export const ReviewBatch = lazySchema(() =>
  z.object({ id: Slug, opensOn: CalendarDate, closesOn: CalendarDate }).check(z.meta({ id: 'ReviewBatch' })),
);

/** R6: one funder's money per place; `places` limits it to the first places of the unit (a county's extra places). */
export const FundingShare = lazySchema(() =>
  z
    .object({
      funderOrgId: Slug,
      amountFen: Fen,
      places: z.optional(z.number().check(z.int(), z.positive())).check(
        z.meta({
          description: 'How many of the unit’s places this share funds; all of them when absent',
        }),
      ),
    })
    .check(z.meta({ id: 'FundingShare' })),
);
export type FundingShare = z.infer<typeof FundingShare>;

/** R6 乡镇/单位工会可配套: a township's, employer's or unit's extra money for each worker under it. */
export const TopUp = lazySchema(() =>
  z
    .object({ funderOrgId: Slug, amountFen: Fen })
    .check(
      z.meta({ id: 'TopUp', description: 'Paid by the funder to every worker whose employer is under it' }),
    ),
);
export type TopUp = z.infer<typeof TopUp>;

/** R5: one row of the attachment table (名额分配表). */
export const Allocation = lazySchema(() =>
  z
    .object({
      unitOrgId: Slug,
      places: z
        .number({ message: '名额必须是正整数' })
        .check(z.int('名额必须是正整数'), z.positive('名额必须是正整数'), z.lte(100_000)),
      funding: z.array(FundingShare).check(z.minLength(1, '至少需要一个资助方'), z.maxLength(10)),
    })
    .check(z.meta({ id: 'Allocation' })),
);
export type Allocation = z.infer<typeof Allocation>;

/** R16: 联系方式. */
export const Contacts = lazySchema(() =>
  z
    .object({
      hotline: z.optional(humanText({ label: '咨询电话', min: 0, max: 40 })),
      people: z._default(
        z
          .array(
            z.object({
              name: humanText({ label: '联系人', max: 40 }),
              phone: humanText({ label: '联系电话', min: 3, max: 40 }),
              role: z.optional(humanText({ label: '职务', min: 0, max: 100 })),
            }),
          )
          .check(z.maxLength(20)),
        [],
      ),
    })
    .check(z.meta({ id: 'Contacts' })),
);

export const AllocationPolicy = lazySchema(() =>
  z.enum(allocationPolicies).check(z.meta({ id: 'AllocationPolicy' })),
);

export const CreateProgrammeBody = lazySchema(() =>
  z
    .strictObject({
      id: Slug,
      title: humanText({ label: '标题', max: 200 }),
      ownerOrgId: Slug,
      year: z.number().check(z.int(), z.gte(2000), z.lte(2100)),
      enrolmentYear: z.number().check(z.int(), z.gte(2000), z.lte(2100)),
      applicationWindow: DateWindow,
      reviewBatches: z.array(ReviewBatch).check(z.minLength(1, '至少需要一个审核批次'), z.maxLength(12)),
      levels: z.array(Level).check(z.minLength(1, '至少需要一个学历层次')),
      allocations: z.array(Allocation).check(z.minLength(1, '至少需要一个名额分配'), z.maxLength(90)),
      allocationPolicy: z._default(AllocationPolicy, 'first_come_first_served'),
      topUps: z.optional(z.array(TopUp).check(z.maxLength(200))),
      contacts: z.optional(Contacts),
      /** Issue 16: applications must choose an offering of the catalogue; no other institution may be declared. */
      catalogueRequired: z.optional(z.boolean()),
    })
    .check(z.meta({ id: 'CreateProgramme' })),
);
export type CreateProgrammeBody = z.input<typeof CreateProgrammeBody>;
export type ProgrammeInput = z.output<typeof CreateProgrammeBody>;
export type ProgrammeInputAgrees = Assert<Agrees<ProgrammeInput, model.ProgrammeInput>>;

/** What an admin may correct after publishing; dates are checked against the calendar's past. */
export const UpdateProgrammeBody = lazySchema(() => {
  // Picked from the shape: `z.pick` refuses an object with checks, and in zod/mini `z.meta` is one.
  const { title, applicationWindow, reviewBatches, contacts, catalogueRequired } = CreateProgrammeBody.shape;
  return z
    .partial(z.strictObject({ title, applicationWindow, reviewBatches, contacts, catalogueRequired }))
    .check(
      z.refine((body) => Object.values(body).some((v) => v !== undefined), { message: '至少修改一项' }),
      z.meta({ id: 'UpdateProgramme' }),
    );
});
export type UpdateProgrammeBody = z.output<typeof UpdateProgrammeBody>;

export const ProgrammeIdParams = lazySchema(() => z.object({ programmeId: Slug }));

/** `PUT /programmes/{programmeId}/allocations/{unitOrgId}/funding/{funderOrgId}`: a funder's share of one unit. */
export const FundingShareParams = lazySchema(() =>
  z.object({ programmeId: Slug, unitOrgId: Slug, funderOrgId: Slug }),
);
export const FundingShareBody = lazySchema(() => {
  // Omitted from the shape: `z.omit` refuses an object with checks, and in zod/mini `z.meta` is one.
  const { funderOrgId: _funderOrgId, ...shape } = FundingShare.shape;
  return z.strictObject(shape).check(z.meta({ id: 'FundingShareRequest' }));
});
export type FundingShareBody = z.infer<typeof FundingShareBody>;

export const FundingTotal = lazySchema(() =>
  z.object({ funderOrgId: Slug, totalFen: z.number().check(z.int()) }),
);

/**
 * `PUT /programmes/{programmeId}/allocations/{unitOrgId}/shards`: split a unit's places over more
 * sub-allocations (architecture.md §3), for a unit whose claims one item cannot take.
 */
export const UnitShardsParams = lazySchema(() => z.object({ programmeId: Slug, unitOrgId: Slug }));
export const UnitShardsBody = lazySchema(() =>
  z
    .strictObject({
      shards: z
        .number()
        .check(
          z.int('分片数必须是 1 至 16 的整数'),
          z.gte(1, '分片数必须是 1 至 16 的整数'),
          z.lte(16, '分片数必须是 1 至 16 的整数'),
        ),
    })
    .check(z.meta({ id: 'UnitShardsRequest' })),
);
export type UnitShardsBody = z.infer<typeof UnitShardsBody>;
