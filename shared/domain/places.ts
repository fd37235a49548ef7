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
  /** How many shards the unit's places are split over (architecture.md §3); absent means one. */
  shards?: number;
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

/**
 * Sharded units (architecture.md §3): a unit's places may be split over N sub-allocations (shards)
 * so that its claims do not all write one item. Shard 0 is the unit's own allocation item, which
 * also keeps the unit's waitlist counters; the unit is one for every rule above (its counters are
 * the shards' sums). N only grows, to {@link MAX_SHARDS}.
 */
export const MAX_SHARDS = 16;

/** One shard's places, holders and the latest receipt holding one of them. */
export interface ShardCounters {
  shard: number;
  places: number;
  claimed: number;
  lastClaimSequence?: number;
}

/** FNV-1a of a string: a stable spread of applications over shards. */
function spread(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The shard an application tries first: a hash of its id over the unit's `n` shards, moved `detour`
 * shards on when its attempts were throttled (a hot item).
 */
export function homeShard(applicationId: string, n: number, detour = 0): number {
  return n <= 1 ? 0 : (spread(applicationId) + detour) % n;
}

/**
 * Where a submission claims a place: its home shard when that has a free place, else the next one
 * that has (in shard order, wrapping round); undefined when every shard is full (it joins the
 * unit's waitlist). `detour` starts the search that many shards past home: a submission whose
 * shard was throttled (a hot item) tries the next one.
 */
export function claimShard(
  applicationId: string,
  shards: readonly ShardCounters[],
  detour = 0,
): number | undefined {
  const n = shards.length;
  const home = homeShard(applicationId, n, detour);
  for (let i = 0; i < n; i++) {
    const s = shards[(home + i) % n];
    if (s && s.claimed < s.places) return s.shard;
  }
  return undefined;
}

/**
 * Whether a unit has free places while someone waits. Every place freed is taken by the earliest
 * waiting in the same transaction, so this is only ever the moment after a reallocation added more
 * places than its transaction could promote (or one that stopped half-way): those places are owed to
 * the waiting, in receipt order, and no later submission may take or move one.
 *
 * @example placesOwed({ shards: [{ shard: 0, places: 3, claimed: 2 }], waitlisted: 1 }) // true
 */
export function placesOwed(unit: { shards: readonly ShardCounters[]; waitlisted: number }): boolean {
  return unit.waitlisted > 0 && unit.shards.some((s) => s.claimed < s.places);
}

/**
 * Whether a unit's waitlist joins are drawn by the sequencer (architecture.md §3): every place is
 * held and, when the unit is sharded (below {@link MAX_SHARDS} shards), someone already waits — the
 * join that started its waitlist checked every shard, by transaction.
 *
 * @example sequencerJoins({ shards: [{ shard: 0, places: 2, claimed: 2 }], waitlisted: 0 }) // true
 */
export function sequencerJoins(unit: { shards: readonly ShardCounters[]; waitlisted: number }): boolean {
  const n = unit.shards.length;
  if (n === 0 || unit.shards.some((s) => s.claimed < s.places)) return false;
  return n === 1 || (n < MAX_SHARDS && unit.waitlisted > 0);
}

/** The unit as one: the shards' places and holders summed, with the unit's waitlist. */
export function unitTotals(shards: readonly ShardCounters[], waitlisted: number): UnitCounters {
  return {
    places: shards.reduce((n, s) => n + s.places, 0),
    claimed: shards.reduce((n, s) => n + s.claimed, 0),
    waitlisted,
  };
}

/**
 * Growing a unit from `shards.length` to `n` shards: the free places are spread evenly over all `n`
 * (held places stay where they are). Answers what each existing shard gives and what each new one
 * gets; the unit's places are unchanged.
 */
export function growShards(
  shards: readonly ShardCounters[],
  n: number,
): { give: number[]; newPlaces: number[] } {
  const free = shards.reduce((sum, s) => sum + (s.places - s.claimed), 0);
  const target = (k: number) => Math.floor(free / n) + (k < free % n ? 1 : 0);
  const give = shards.map((s, k) => Math.max(0, s.places - s.claimed - target(k)));
  let pool = give.reduce((a, b) => a + b, 0);
  const newPlaces: number[] = [];
  for (let k = shards.length; k < n; k++) {
    const take = Math.min(pool, target(k));
    newPlaces.push(take);
    pool -= take;
  }
  // What the targets could not place (existing shards short of their share) stays in shard order.
  if (pool > 0) newPlaces[newPlaces.length - 1] = (newPlaces.at(-1) ?? 0) + pool;
  return { give, newPlaces };
}

/** Every way a unit's shards disagree with its applications: each shard's holders are its `claimed`. */
export function shardViolations(
  unitOrgId: string,
  shards: readonly ShardCounters[],
  holders: readonly { id: string; shard: number }[],
): string[] {
  const problems: string[] = [];
  for (const s of shards) {
    if (s.claimed > s.places)
      problems.push(`${unitOrgId}#${s.shard}: claimed ${s.claimed} > places ${s.places}`);
    const mine = holders.filter((h) => h.shard === s.shard).length;
    if (mine !== s.claimed) problems.push(`${unitOrgId}#${s.shard}: claimed ${s.claimed} ≠ ${mine} holders`);
  }
  const known = new Set(shards.map((s) => s.shard));
  for (const h of holders)
    if (!known.has(h.shard)) problems.push(`${h.id}: holds a place in no shard ${h.shard}`);
  return problems;
}
