import { createHash } from 'node:crypto';
import type { Org } from '../model/org.ts';
import type { FundingPart, PlannedInstruction } from '../model/payout.ts';
import type { Allocation, FundingShare, TopUp } from '../model/programme.ts';

/**
 * Payout runs (architecture.md §4, R6, R7): who pays whom, how much, and out of whose money.
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

/**
 * What other runs hold: the keys of worker payments and of transfer shares that a run has planned,
 * is sending, awaits the bank for, or has paid. None of them is planned again. A payment or transfer
 * that definitely failed frees its money (and its shares) for a later run, but never its key: that
 * is in `failed`, and the next attempt goes under the next key of the chain ({@link attemptKey}).
 */
export interface PayoutHistory {
  held: ReadonlySet<string>;
  /** Keys whose instruction the rail definitely refused: each is sent once, and never again. */
  failed?: ReadonlySet<string>;
  /** Held transfer shares whose transfer this run pays again (adopted from a run that ended): share key → transfer key. */
  inFlightShares?: ReadonlyMap<string, string>;
}

export interface PayoutPlan {
  /** Transfers first: every unit gets its money before its payments to workers (R7). */
  transfers: PlannedInstruction[];
  payments: PlannedInstruction[];
}

const emptyHistory: PayoutHistory = { held: new Set() };

/**
 * The idempotency key of a worker payment: one per programme, application and payer, whatever run
 * plans it, so a payment once paid is never paid again (after a definite failure, the next attempt
 * goes under the next key of its chain: {@link attemptKey}).
 */
export function paymentKey(programmeId: string, applicationId: string, payerOrgId: string): string {
  return digest(`${programmeId}|payment|${applicationId}|${payerOrgId}`);
}

/**
 * The key an instruction is sent under: its own key `base` on the first attempt, and after each
 * attempt the rail definitely refused (`failed`), the next key of a chain derived from it. A
 * rail that answers a repeated key with its first result (a wallet provider), or a bank that refuses
 * a 业务编号 it has seen, would otherwise refuse every later attempt at the same money. Two
 * attempts are never both on their way: the next key exists only once the one before it failed.
 */
export function attemptKey(base: string, failed: ReadonlySet<string> | undefined): string {
  let key = base;
  for (let n = 1; failed?.has(key); n++) key = digest(`${base}|attempt|${n}`);
  return key;
}

/**
 * The key of one funder's share of an application carried by a union-to-union transfer (R7): what it
 * pays for — programme, application, funder and payer — never the run, so no two runs carry it.
 */
export function transferShareKey(
  programmeId: string,
  applicationId: string,
  funderOrgId: string,
  payerOrgId: string,
): string {
  return digest(`${programmeId}|share|${applicationId}|${funderOrgId}|${payerOrgId}`);
}

/** A transfer's share keys by the application they are for (each application's funders' shares). */
export function sharesByApplication(
  programmeId: string,
  transfer: Pick<PlannedInstruction, 'payerOrgId' | 'funding' | 'applicationIds' | 'shareKeys'>,
): { applicationId: string; shareKeys: string[] }[] {
  const carried = new Set(transfer.shareKeys ?? []);
  return (transfer.applicationIds ?? []).map((applicationId) => ({
    applicationId,
    shareKeys: transfer.funding
      .map((f) => transferShareKey(programmeId, applicationId, f.funderOrgId, transfer.payerOrgId))
      .filter((key) => carried.has(key)),
  }));
}

/**
 * The idempotency key of a union-to-union transfer: derived from the shares it carries, so the same
 * transfer sent again by a later run (after a crash left its outcome unknown) carries the same key
 * and the rail pays it once.
 */
export function transferKey(
  programmeId: string,
  payerOrgId: string,
  payeeOrgId: string,
  shareKeys: readonly string[],
): string {
  return digest(`${programmeId}|transfer|${payerOrgId}|${payeeOrgId}|${[...shareKeys].sort().join(',')}`);
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
 * Pure: plain data in, instructions out; keys another run holds or has paid (from `history`) are left
 * out, so planning again after a run plans nothing new.
 *
 * Ranking for `places`-limited shares is by receipt sequence among the given applications of a unit.
 *
 * @example
 * const plan = payoutPlan(programme, programme.allocations, approved, orgsById, history);
 * plan.transfers; // city → each county, aggregated
 * plan.payments;  // county → worker, city → city-direct workers, top-up orgs → workers
 */
export function payoutPlan(
  programme: PayoutProgramme,
  allocations: readonly Pick<Allocation, 'unitOrgId' | 'places' | 'funding'>[],
  applications: readonly PayableApplication[],
  orgs: ReadonlyMap<string, Pick<Org, 'id' | 'kind' | 'path' | 'directToCity'>>,
  history: PayoutHistory = emptyHistory,
): PayoutPlan {
  const allocationOf = new Map(allocations.map((a) => [a.unitOrgId, a]));
  // Transfers are collected per payer and payee; their keys follow from the shares they carry.
  const transfers = new Map<string, TransferDraft>();
  const payments: (PlannedInstruction & { transferOf?: string })[] = [];

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
      let transferOf: string | undefined;
      let dependsOn: string | undefined;
      const carriedShares: string[] = [];
      if (direct) {
        add(cityOrgId, upper);
      } else {
        add(unitOrgId, upper);
        for (const share of upper) {
          const shareKey = transferShareKey(programme.id, app.id, share.funderOrgId, cityOrgId);
          carriedShares.push(shareKey);
          if (history.held.has(shareKey)) {
            // Carried by a transfer of an earlier run: this run waits for it only if it sends it again.
            dependsOn ??= history.inFlightShares?.get(shareKey);
            continue;
          }
          const id = `${cityOrgId}>${unitOrgId}`;
          const transfer = transfers.get(id) ?? {
            payerOrgId: cityOrgId,
            payeeOrgId: unitOrgId,
            funding: [],
            applicationIds: [],
            shareKeys: [],
          };
          if (!transfer.applicationIds.includes(app.id)) transfer.applicationIds.push(app.id);
          transfer.shareKeys.push(shareKey);
          transfer.funding = mergeParts(transfer.funding, [share]);
          transfers.set(id, transfer);
          transferOf = id;
        }
      }
      add(unitOrgId, own);
      for (const topUp of topUpsFor(programme, app, unitOrgId, orgs)) add(topUp.funderOrgId, [part(topUp)]);

      for (const [payerOrgId, parts] of byPayer) {
        const key = attemptKey(paymentKey(programme.id, app.id, payerOrgId), history.failed);
        if (history.held.has(key)) continue;
        const funding = mergeParts([], parts);
        // Only the unit's own payment waits for a transfer: `transferOf` and `dependsOn` are set only
        // when the unit is not city-direct and hands the worker shares from above (R7).
        const carried = payerOrgId === unitOrgId;
        payments.push({
          key,
          kind: 'payment',
          payerOrgId,
          applicationId: app.id,
          amountFen: sumFen(funding),
          funding,
          ...(carried && carriedShares.length > 0 ? { carriedShares } : {}),
          ...(carried && transferOf ? { transferOf } : carried && dependsOn ? { dependsOn } : {}),
        });
      }
    });
  }
  const transferKeys = new Map<string, string>();
  const planned: PlannedInstruction[] = [...transfers].map(([id, t]) => {
    const key = attemptKey(
      transferKey(programme.id, t.payerOrgId, t.payeeOrgId, t.shareKeys),
      history.failed,
    );
    transferKeys.set(id, key);
    return { key, kind: 'transfer', ...t, amountFen: sumFen(t.funding) };
  });
  return {
    transfers: planned,
    payments: payments.map(({ transferOf, ...p }) =>
      transferOf ? { ...p, dependsOn: transferKeys.get(transferOf) as string } : p,
    ),
  };
}

interface TransferDraft {
  payerOrgId: string;
  payeeOrgId: string;
  funding: FundingPart[];
  applicationIds: string[];
  shareKeys: string[];
}

/** R6 top-ups: a township's or employer's (or the unit's) extra money for workers under it. */
function topUpsFor(
  programme: PayoutProgramme,
  app: PayableApplication,
  unitOrgId: string,
  orgs: ReadonlyMap<string, Pick<Org, 'path'>>,
): readonly TopUp[] {
  if (!programme.topUps?.length) return [];
  const path = orgs.get(app.employerOrgId)?.path;
  // The employer's path runs through its unit, so a top-up reaches exactly the workers under its
  // funder; an employer the map does not know, or not under the application's unit, gets none.
  if (!path?.includes(unitOrgId)) return [];
  return programme.topUps.filter((t) => path.includes(t.funderOrgId));
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
