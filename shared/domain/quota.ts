import type { FundingShare } from '../model/programme.ts';

/** The public quota board (R5) as the rules compute it; the contract's `QuotaBoard` schema is checked to agree. */
export interface QuotaBoard {
  programmeId: string;
  units: {
    unitOrgId: string;
    name: string;
    places: number;
    claimed: number;
    waitlisted: number;
    funding: { funderOrgId: string; amountFen: number; totalFen: number }[];
  }[];
  totals: {
    places: number;
    claimed: number;
    waitlisted: number;
    funding: { funderOrgId: string; totalFen: number }[];
  };
}

export interface UnitCounters {
  unitOrgId: string;
  places: number;
  claimed: number;
  waitlisted: number;
  funding: readonly FundingShare[];
}

/** Money one share commits for a unit: amount per place × the places it funds (R6). */
export function shareTotalFen(share: FundingShare, unitPlaces: number): number {
  return share.amountFen * Math.min(share.places ?? unitPlaces, unitPlaces);
}

/**
 * The public quota board (R5): per unit its places, live claimed/waitlisted counters and the money
 * each funder commits; totals per funder across units, in order of first appearance.
 */
export function quotaBoard(
  programmeId: string,
  units: readonly UnitCounters[],
  nameOf: (orgId: string) => string,
): QuotaBoard {
  const funderTotals = new Map<string, number>();
  const rows = units.map((u) => ({
    unitOrgId: u.unitOrgId,
    name: nameOf(u.unitOrgId),
    places: u.places,
    claimed: u.claimed,
    waitlisted: u.waitlisted,
    funding: u.funding.map((share) => {
      const totalFen = shareTotalFen(share, u.places);
      funderTotals.set(share.funderOrgId, (funderTotals.get(share.funderOrgId) ?? 0) + totalFen);
      return { funderOrgId: share.funderOrgId, amountFen: share.amountFen, totalFen };
    }),
  }));
  return {
    programmeId,
    units: rows,
    totals: {
      places: rows.reduce((n, r) => n + r.places, 0),
      claimed: rows.reduce((n, r) => n + r.claimed, 0),
      waitlisted: rows.reduce((n, r) => n + r.waitlisted, 0),
      funding: [...funderTotals].map(([funderOrgId, totalFen]) => ({ funderOrgId, totalFen })),
    },
  };
}
