import { createHash } from 'node:crypto';
import type { Org } from '../schemas/orgs.ts';
import type { Allocation, FundingShare, TopUp } from '../schemas/programmes.ts';

/**
 * Payout runs (design §4, R6, R7): who pays whom, how much, and out of whose money.
 *
 * - City union → unit union: one aggregated transfer per unit and run of the shares of the unions
 *   above the unit (province and city, 省、市两级补助拨付给各县总工会).
 * - Unit union → worker: those shares plus the unit's own share, when the programme gives one
 *   (县总工会发放到职工个人账户).
 * - City-direct unit (市直属单位, `directToCity`): the city union pays the worker directly.
 * - Township or employer top-ups (乡镇/单位工会可配套): that org → worker.
 *
 * Everything is integer fen; every instruction carries the funder breakdown of its amount.
 */

/** One funder's part of an amount (R7: each funder's share is tracked on every payment). */
export interface FundingPart {
  funderOrgId: string;
  amountFen: number;
}

export type InstructionKind = 'transfer' | 'payment';

/** One movement of money, identified by a deterministic idempotency key. */
export interface PlannedInstruction {
  key: string;
  kind: InstructionKind;
  payerOrgId: string;
  /** A transfer's receiving union. */
  payeeOrgId?: string;
  /** A payment's application (the worker's account is read from it when paying). */
  applicationId?: string;
  amountFen: number;
  funding: FundingPart[];
  /** A transfer: the applications whose shares it carries (they are not transferred again). */
  applicationIds?: string[];
  /** A payment by a unit: the key of the transfer that brought the unit the money. */
  dependsOn?: string;
}

/** An approved application holding a place, as the split sees it. */
export interface PayableApplication {
  id: string;
  unitOrgId: string;
  employerOrgId: string;
  /** Receipt sequence (R8 submission order): ranks the unit's holders for shares limited to `places`. */
  sequence: number;
}

/** The programme fields the split reads. */
export interface PayoutProgramme {
  id: string;
  ownerOrgId: string;
  topUps?: readonly TopUp[] | undefined;
}

/** What earlier runs settled: paid keys, and applications whose union shares already reached their unit. */
export interface PayoutHistory {
  paidKeys: ReadonlySet<string>;
  transferred: ReadonlySet<string>;
}

export interface PayoutPlan {
  /** Transfers first: every unit gets its money before its payments to workers (R7). */
  transfers: PlannedInstruction[];
  payments: PlannedInstruction[];
}

const emptyHistory: PayoutHistory = { paidKeys: new Set(), transferred: new Set() };

/**
 * The idempotency key of a worker payment: one per programme, application and payer, whatever run
 * plans it, so a payment once paid is never paid again.
 */
export function paymentKey(programmeId: string, applicationId: string, payerOrgId: string): string {
  return digest(`${programmeId}|payment|${applicationId}|${payerOrgId}`);
}

/** The idempotency key of a union-to-union transfer: one per run, payer and payee. */
export function transferKey(
  programmeId: string,
  runId: string,
  payerOrgId: string,
  payeeOrgId: string,
): string {
  return digest(`${programmeId}|transfer|${runId}|${payerOrgId}|${payeeOrgId}`);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 40);
}

/**
 * The funding shares that fund the holder of rank `rank` (0-based, receipt order) in a unit: a share
 * with `places: n` funds only the unit's first n holders (a county's extra places are funded by the
 * county alone, R6).
 */
export function sharesForRank(
  allocation: Pick<Allocation, 'places' | 'funding'>,
  rank: number,
): FundingShare[] {
  return allocation.funding.filter(
    (share) => rank < Math.min(share.places ?? allocation.places, allocation.places),
  );
}

/**
 * The payout split (R6, R7): transfers and payments for approved applications holding a place.
 * Pure: plain data in, instructions out; already paid keys and already transferred applications
 * (from `history`) are left out, so planning again after a run plans nothing new.
 *
 * Ranking for `places`-limited shares is by receipt sequence among the given applications of a unit.
 *
 * @example
 * const plan = payoutPlan(programme, programme.allocations, approved, orgsById, runId);
 * plan.transfers; // city → each county, aggregated
 * plan.payments;  // county → worker, city → city-direct workers, top-up orgs → workers
 */
export function payoutPlan(
  programme: PayoutProgramme,
  allocations: readonly Pick<Allocation, 'unitOrgId' | 'places' | 'funding'>[],
  applications: readonly PayableApplication[],
  orgs: ReadonlyMap<string, Pick<Org, 'id' | 'kind' | 'path' | 'directToCity'>>,
  runId: string,
  history: PayoutHistory = emptyHistory,
): PayoutPlan {
  const allocationOf = new Map(allocations.map((a) => [a.unitOrgId, a]));
  const transfers = new Map<string, PlannedInstruction & { applicationIds: string[] }>();
  const payments: PlannedInstruction[] = [];

  const byUnit = new Map<string, PayableApplication[]>();
  for (const app of applications) {
    const list = byUnit.get(app.unitOrgId) ?? [];
    list.push(app);
    byUnit.set(app.unitOrgId, list);
  }

  for (const [unitOrgId, holders] of byUnit) {
    const allocation = allocationOf.get(unitOrgId);
    const unit = orgs.get(unitOrgId);
    if (!allocation || !unit) continue;
    // R7: the province's and the city's money is paid out by the city union (市总将省、市两级补助拨付).
    const cityOrgId = unit.path.find((id) => orgs.get(id)?.kind === 'city') ?? programme.ownerOrgId;
    const direct = unit.directToCity === true;
    const sorted = [...holders].sort((a, b) => a.sequence - b.sequence);

    sorted.forEach((app, rank) => {
      const shares = sharesForRank(allocation, rank);
      const upper = shares.filter((s) => s.funderOrgId !== unitOrgId).map(part);
      const own = shares.filter((s) => s.funderOrgId === unitOrgId).map(part);
      // Money by payer: who hands this worker which funders' money.
      const byPayer = new Map<string, FundingPart[]>();
      const add = (payer: string, parts: FundingPart[]) => {
        if (parts.length === 0) return;
        byPayer.set(payer, [...(byPayer.get(payer) ?? []), ...parts]);
      };
      let dependsOn: string | undefined;
      if (direct) {
        add(cityOrgId, upper);
      } else if (upper.length > 0) {
        add(unitOrgId, upper);
        const key = transferKey(programme.id, runId, cityOrgId, unitOrgId);
        dependsOn = key;
        if (
          !history.transferred.has(app.id) &&
          !history.paidKeys.has(paymentKey(programme.id, app.id, unitOrgId))
        ) {
          const transfer = transfers.get(key) ?? {
            key,
            kind: 'transfer' as const,
            payerOrgId: cityOrgId,
            payeeOrgId: unitOrgId,
            amountFen: 0,
            funding: [],
            applicationIds: [],
          };
          transfer.applicationIds.push(app.id);
          transfer.funding = mergeParts(transfer.funding, upper);
          transfer.amountFen = sumFen(transfer.funding);
          transfers.set(key, transfer);
        }
      }
      add(unitOrgId, own);
      for (const topUp of topUpsFor(programme, app, unitOrgId, orgs)) add(topUp.funderOrgId, [part(topUp)]);

      for (const [payerOrgId, parts] of byPayer) {
        const key = paymentKey(programme.id, app.id, payerOrgId);
        if (history.paidKeys.has(key)) continue;
        const funding = mergeParts([], parts);
        const carried = payerOrgId === unitOrgId && !direct && upper.length > 0;
        payments.push({
          key,
          kind: 'payment',
          payerOrgId,
          applicationId: app.id,
          amountFen: sumFen(funding),
          funding,
          ...(carried && dependsOn && transfers.has(dependsOn) ? { dependsOn } : {}),
        });
      }
    });
  }
  return { transfers: [...transfers.values()], payments };
}

/** R6 top-ups: a township's or employer's (or the unit's) extra money for workers under it. */
function topUpsFor(
  programme: PayoutProgramme,
  app: PayableApplication,
  unitOrgId: string,
  orgs: ReadonlyMap<string, Pick<Org, 'path'>>,
): readonly TopUp[] {
  if (!programme.topUps?.length) return [];
  const path = orgs.get(app.employerOrgId)?.path ?? [];
  // The employer's path runs through its unit, so a top-up reaches exactly the workers under its funder.
  return path.includes(unitOrgId) ? programme.topUps.filter((t) => path.includes(t.funderOrgId)) : [];
}

const part = (share: { funderOrgId: string; amountFen: number }): FundingPart => ({
  funderOrgId: share.funderOrgId,
  amountFen: share.amountFen,
});

/** Sums parts per funder, keeping the order of first appearance. */
export function mergeParts(into: readonly FundingPart[], parts: readonly FundingPart[]): FundingPart[] {
  const totals = new Map(into.map((p) => [p.funderOrgId, p.amountFen]));
  for (const p of parts) totals.set(p.funderOrgId, (totals.get(p.funderOrgId) ?? 0) + p.amountFen);
  return [...totals].map(([funderOrgId, amountFen]) => ({ funderOrgId, amountFen }));
}

export const sumFen = (parts: readonly FundingPart[]) => parts.reduce((n, p) => n + p.amountFen, 0);

/** Totals of a set of instructions by funder and by payer (what Reconcile compares). */
export function payoutTotals(
  instructions: readonly Pick<PlannedInstruction, 'kind' | 'payerOrgId' | 'funding' | 'amountFen'>[],
) {
  const byFunder = new Map<string, number>();
  const byPayer = new Map<string, number>();
  for (const i of instructions) {
    byPayer.set(i.payerOrgId, (byPayer.get(i.payerOrgId) ?? 0) + i.amountFen);
    // A funder's money is counted once, when it reaches the worker, not again for the transfer that carried it.
    if (i.kind !== 'payment') continue;
    for (const p of i.funding) byFunder.set(p.funderOrgId, (byFunder.get(p.funderOrgId) ?? 0) + p.amountFen);
  }
  return {
    byFunder: [...byFunder].map(([funderOrgId, totalFen]) => ({ funderOrgId, totalFen })),
    byPayer: [...byPayer].map(([payerOrgId, totalFen]) => ({ payerOrgId, totalFen })),
  };
}

/**
 * Differences between planned and paid totals, one line each; empty when they reconcile.
 */
export function reconcileTotals(
  planned: ReturnType<typeof payoutTotals>,
  paid: ReturnType<typeof payoutTotals>,
): string[] {
  const problems: string[] = [];
  const compare = (
    label: string,
    a: { id: string; totalFen: number }[],
    b: { id: string; totalFen: number }[],
  ) => {
    const got = new Map(b.map((x) => [x.id, x.totalFen]));
    const ids = new Set([...a.map((x) => x.id), ...got.keys()]);
    const want = new Map(a.map((x) => [x.id, x.totalFen]));
    for (const id of ids) {
      const w = want.get(id) ?? 0;
      const g = got.get(id) ?? 0;
      if (w !== g) problems.push(`${label} ${id}: planned ${w} fen, paid ${g} fen`);
    }
  };
  compare(
    'funder',
    planned.byFunder.map((x) => ({ id: x.funderOrgId, totalFen: x.totalFen })),
    paid.byFunder.map((x) => ({ id: x.funderOrgId, totalFen: x.totalFen })),
  );
  compare(
    'payer',
    planned.byPayer.map((x) => ({ id: x.payerOrgId, totalFen: x.totalFen })),
    paid.byPayer.map((x) => ({ id: x.payerOrgId, totalFen: x.totalFen })),
  );
  return problems;
}

/** Splits a list into pages of `size` (Map items are page descriptors, never instructions). */
export function pages<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
