import type { Org } from '../model/org.ts';
import type { Allocation, TopUp } from '../model/programme.ts';
import { mayActOn } from './orgs.ts';
import { shareTotalFen } from './quota.ts';

/**
 * R6: who may commit whose money. A funding share or top-up commits its funder's money, so only an
 * admin of the funder or of an org above it may name it: the city admin commits the city's money and
 * the counties', never the province's; the province's admin adds the province's share (to a city
 * programme too, as allocated to the city); a county admin adds its own share to its unit of a city
 * programme. An admin never commits an org above it or beside it.
 */
export interface FundingChange {
  /** Where the share is in the request, e.g. `allocations.0.funding.1.funderOrgId`. */
  path: string;
  funderOrgId: string;
}

/**
 * The shares and top-ups in `changes` whose funder `actorOrgId` does not govern, one field error each
 * (empty when the caller may commit all of them). An unknown funder is the programme rules' concern.
 *
 * @example
 * fundingNotGoverned('lc', [{ path: 'allocations.0.funding.0.funderOrgId', funderOrgId: 'sd' }], orgs)
 * // → [{ path: 'allocations.0.funding.0.funderOrgId', message: '…' }]
 */
export function fundingNotGoverned(
  actorOrgId: string,
  changes: readonly FundingChange[],
  orgs: ReadonlyMap<string, Pick<Org, 'path' | 'name'>>,
): { path: string; message: string }[] {
  return changes.flatMap(({ path, funderOrgId }) => {
    const funder = orgs.get(funderOrgId);
    if (!funder || mayActOn(actorOrgId, funder)) return [];
    return [{ path, message: `只有${funder.name}或其上级工会的管理员可以承诺其资金` }];
  });
}

/** Every share and top-up of a programme as a change at its request path (a new programme commits all). */
export function fundingOf(input: {
  allocations: readonly Pick<Allocation, 'funding'>[];
  topUps?: readonly TopUp[] | undefined;
}): FundingChange[] {
  return [
    ...input.allocations.flatMap((a, i) =>
      a.funding.map((s, j) => ({
        path: `allocations.${i}.funding.${j}.funderOrgId`,
        funderOrgId: s.funderOrgId,
      })),
    ),
    ...(input.topUps ?? []).map((t, i) => ({ path: `topUps.${i}.funderOrgId`, funderOrgId: t.funderOrgId })),
  ];
}

/** Each funder's money committed by a set of allocations (R6: amount × the places a share funds). */
export function committedByFunder(
  allocations: readonly Pick<Allocation, 'places' | 'funding'>[],
): Map<string, number> {
  const committed = new Map<string, number>();
  for (const a of allocations) {
    for (const share of a.funding) {
      committed.set(
        share.funderOrgId,
        (committed.get(share.funderOrgId) ?? 0) + shareTotalFen(share, a.places),
      );
    }
  }
  return committed;
}

/**
 * R15 reallocation moves places, and with them money: the funders whose commitment would grow are
 * committed anew, so each must be governed by the caller.
 */
export function fundersCommittedMore(
  before: readonly Pick<Allocation, 'places' | 'funding'>[],
  after: readonly Pick<Allocation, 'places' | 'funding'>[],
): string[] {
  const was = committedByFunder(before);
  return [...committedByFunder(after)].filter(([id, fen]) => fen > (was.get(id) ?? 0)).map(([id]) => id);
}
