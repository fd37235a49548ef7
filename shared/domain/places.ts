/**
 * Places: first come, first served, atomically (architecture.md §3, R5, R8, R15).
 *
 * The invariant, per allocation unit, at every instant: the applications holding a place are exactly
 * the `places` earliest live submissions; `claimed ≤ places`; the `claimed` and `waitlisted` counters
 * equal the counts of applications in those states; a waitlisted application exists only while every
 * place is taken.
 *
 * The functions here decide; the DynamoDB adapter carries their decisions out in one transaction.
 */

export interface UnitCounters {
  places: number;
  claimed: number;
  waitlisted: number;
}

export type PlaceState = 'none' | 'claimed' | 'waitlisted' | 'released';

/** A submission takes a free place if there is one, otherwise joins the unit's waitlist. */
export function claimOutcome(unit: UnitCounters): 'claimed' | 'waitlisted' {
  return unit.claimed < unit.places ? 'claimed' : 'waitlisted';
}

/**
 * What releasing a held place does: the earliest waitlisted applicant of the unit takes it in the
 * same transaction, so no place is idle while someone waits; with nobody waiting the place is freed.
 */
export function releasePlan(
  released: PlaceState,
  earliestWaitlisted: string | undefined,
): { promote: string | undefined; claimedDelta: number; waitlistedDelta: number } {
  if (released === 'waitlisted') return { promote: undefined, claimedDelta: 0, waitlistedDelta: -1 };
  if (released !== 'claimed') return { promote: undefined, claimedDelta: 0, waitlistedDelta: 0 };
  if (earliestWaitlisted) return { promote: earliestWaitlisted, claimedDelta: 0, waitlistedDelta: -1 };
  return { promote: undefined, claimedDelta: -1, waitlistedDelta: 0 };
}

/** R15 reallocation: the source may give away only places nobody holds. */
export function canGivePlaces(source: UnitCounters, places: number): boolean {
  return source.places - places >= source.claimed;
}

/** How many waitlisted applicants a unit can promote right now. */
export function promotable(unit: UnitCounters): number {
  return Math.max(0, Math.min(unit.places - unit.claimed, unit.waitlisted));
}

/** One application as the invariant sees it. */
export interface PlaceHolder {
  id: string;
  unitOrgId: string;
  /** Receipt sequence: submission order within the programme. */
  sequence: number;
  state: PlaceState;
  live: boolean;
}

/**
 * Every way a snapshot breaks the invariant of architecture.md §3; empty when it holds.
 *
 * @example invariantViolations(new Map([['u', { places: 1, claimed: 1, waitlisted: 0 }]]), [{ id: 'a', unitOrgId: 'u', sequence: 1, state: 'claimed', live: true }]) // []
 */
export function invariantViolations(
  units: ReadonlyMap<string, UnitCounters>,
  applications: readonly PlaceHolder[],
): string[] {
  const problems: string[] = [];
  for (const [unitOrgId, unit] of units) {
    const mine = applications.filter((a) => a.unitOrgId === unitOrgId && a.state !== 'none');
    const claimed = mine.filter((a) => a.state === 'claimed');
    const waitlisted = mine.filter((a) => a.state === 'waitlisted');
    if (unit.claimed > unit.places)
      problems.push(`${unitOrgId}: claimed ${unit.claimed} > places ${unit.places}`);
    if (unit.claimed !== claimed.length)
      problems.push(`${unitOrgId}: claimed counter ${unit.claimed} ≠ ${claimed.length} holders`);
    if (unit.waitlisted !== waitlisted.length) {
      problems.push(`${unitOrgId}: waitlisted counter ${unit.waitlisted} ≠ ${waitlisted.length} waiting`);
    }
    if (waitlisted.length > 0 && claimed.length < unit.places) {
      problems.push(
        `${unitOrgId}: ${waitlisted.length} waiting while ${unit.places - claimed.length} places are free`,
      );
    }
    for (const a of mine) {
      if (!a.live && (a.state === 'claimed' || a.state === 'waitlisted'))
        problems.push(`${a.id}: not live but ${a.state}`);
      if (a.live && a.state === 'released') problems.push(`${a.id}: live but released`);
    }
    const live = mine.filter((a) => a.live).sort((a, b) => a.sequence - b.sequence);
    const earliest = new Set(live.slice(0, unit.places).map((a) => a.id));
    for (const a of live) {
      if (earliest.has(a.id) !== (a.state === 'claimed')) {
        problems.push(
          `${unitOrgId}: ${a.id} (#${a.sequence}) is ${a.state} but ${earliest.has(a.id) ? 'is' : 'is not'} among the ${unit.places} earliest live`,
        );
      }
    }
  }
  return problems;
}

/**
 * Positions on a unit's waitlist, 1..n in submission order.
 */
export function waitlistPositions(
  waiting: readonly Pick<PlaceHolder, 'id' | 'sequence'>[],
): Map<string, number> {
  return new Map([...waiting].sort((a, b) => a.sequence - b.sequence).map((a, i) => [a.id, i + 1]));
}
