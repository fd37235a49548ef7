/**
 * A programme as the domain and the repositories see it (architecture.md §2): the contract's
 * `schemas/programmes.ts` validates requests into this shape and is checked to agree with it.
 */

/** R4: 新入读大专及本科. */
export const levels = ['junior_college', 'bachelor'] as const;
export type Level = (typeof levels)[number];

export const allocationPolicies = ['first_come_first_served'] as const;
export type AllocationPolicy = (typeof allocationPolicies)[number];

/** Inclusive calendar dates `YYYY-MM-DD`, read in Asia/Shanghai. */
export interface DateWindow {
  opensOn: string;
  closesOn: string;
}

export interface ReviewBatch extends DateWindow {
  id: string;
}

/** R6: one funder's money per place; `places` limits it to the first places of the unit (a county's extra places). */
export interface FundingShare {
  funderOrgId: string;
  amountFen: number;
  places?: number | undefined;
}

/** R6 乡镇/单位工会可配套: a township's, employer's or unit's extra money for each worker under it. */
export interface TopUp {
  funderOrgId: string;
  amountFen: number;
}

/** R5: one row of the attachment table (名额分配表). */
export interface Allocation {
  unitOrgId: string;
  places: number;
  funding: FundingShare[];
}

/** R16: 联系方式. */
export interface Contacts {
  hotline?: string | undefined;
  people: { name: string; phone: string; role?: string | undefined }[];
}

/** A programme as published, without its record's creation time. */
export interface ProgrammeInput {
  id: string;
  title: string;
  ownerOrgId: string;
  year: number;
  enrolmentYear: number;
  applicationWindow: DateWindow;
  reviewBatches: ReviewBatch[];
  levels: Level[];
  allocations: Allocation[];
  allocationPolicy: AllocationPolicy;
  topUps?: TopUp[] | undefined;
  contacts?: Contacts | undefined;
  /** Issue 16: applications must choose an offering of the catalogue; no other institution may be declared. */
  catalogueRequired?: boolean | undefined;
}

export interface Programme extends ProgrammeInput {
  createdAt: string;
}

/** An allocation unit as stored: the attachment-table row plus its live place counters (architecture.md §3). */
export interface AllocationState extends Allocation {
  programmeId: string;
  claimed: number;
  waitlisted: number;
  /** Shards its places are split over (architecture.md §3), when more than one; the counters are their sums. */
  shards?: number;
}

/** What an admin may change on a published programme (dates restart its calendar). */
export type ProgrammeChanges = Partial<
  Pick<Programme, 'title' | 'applicationWindow' | 'reviewBatches' | 'contacts' | 'catalogueRequired'>
>;
