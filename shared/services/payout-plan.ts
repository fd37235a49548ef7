import { type PayoutHistory, pages, payoutPlan } from '../domain/payout.ts';
import type {
  PayoutHoldRecord,
  PayoutPhase,
  PlacedInstruction,
  PlannedInstruction,
  RailName,
} from '../model/payout.ts';
import type { PageDescriptor } from '../schemas/payouts.ts';
import type { Deps } from './deps.ts';

/**
 * The payout run's Plan task (architecture.md §4): the run takes its holds on what it will pay and stores its
 * instructions in pages, returning page descriptors only. Pay page (`payout-page.ts`) pays them;
 * ending the run is `payout-settlement.ts`'s.
 */

/** Instructions per Map item: ~100 keeps a run of ~500,000 payments inside one execution's history (architecture.md §4). */
export const PAGE_SIZE = 100;

export interface PlanResult {
  runId: string;
  planned: number;
  transferPages: PageDescriptor[];
  paymentPages: PageDescriptor[];
}

/**
 * Plan (architecture.md §4): the run takes holds on what it will pay — approved applications holding a place
 * whose payments and transfer shares no run holds or has paid — and stores its instructions under
 * the run with keys derived from what they pay for; returns page descriptors only.
 *
 * Holds left `held` by a run that ended (at most one run of a programme is open: this one) have an
 * unknown outcome — the rail may have paid — so this run sends them again, as they were, with the
 * same keys. A retried Plan finds its holds taken and places the same instructions the same way.
 */
export async function planRun(
  deps: Deps,
  runId: string,
  programmeId: string,
  now: Date,
): Promise<PlanResult> {
  const run = await deps.payouts.getRun(runId);
  if (!run) throw new Error(`payout run ${runId} has no record`);
  if (run.pages) return descriptors(runId, run.planned ?? 0, run.pages, run.rail);
  const at = now.toISOString();
  let mine: PlannedInstruction[];
  if (run.holdsTaken) {
    // A retried Plan: the holds were taken by an earlier attempt; read them back.
    mine = (await deps.holds.ofProgramme(programmeId))
      .filter((h) => h.runId === runId && h.state === 'held')
      .map(holdInstruction);
  } else {
    mine = await takeHolds(deps, runId, programmeId, at);
    await deps.payouts.updateRun(runId, { holdsTaken: true, updatedAt: at });
  }
  // The run's instructions are exactly its holds, in key order, whichever attempt took them.
  mine.sort((a, b) => (a.key < b.key ? -1 : 1));
  const transfers = mine.filter((h) => h.kind === 'transfer');
  const payments = mine.filter((h) => h.kind === 'payment');

  const records: PlacedInstruction[] = [];
  // A unit's payment waits for the transfer of this run that carries its application's shares (R7).
  const carriedBy = new Map<string, string>();
  for (const t of transfers) {
    for (const id of t.applicationIds ?? []) carriedBy.set(`${id}|${t.payeeOrgId}`, t.key);
  }
  const place = (phase: PayoutPhase, list: PlannedInstruction[]) => {
    for (const [page, items] of pages(list, PAGE_SIZE).entries()) {
      for (const [index, i] of items.entries()) {
        const transfer =
          i.kind === 'payment' ? carriedBy.get(`${i.applicationId}|${i.payerOrgId}`) : undefined;
        records.push({
          ...i,
          runId,
          programmeId,
          phase,
          page,
          index,
          status: 'pending',
          attempts: 0,
          ...(transfer ? { dependsOn: transfer } : {}),
        });
      }
    }
  };
  place('transfers', transfers);
  place('payments', payments);
  await deps.instructions.writePlan(records, run.createdAt);
  const pageCounts = {
    transfers: Math.ceil(transfers.length / PAGE_SIZE),
    payments: Math.ceil(payments.length / PAGE_SIZE),
  };
  await deps.payouts.updateRun(runId, {
    status: 'paying',
    planned: records.length,
    paidCount: 0,
    failedCount: 0,
    pages: pageCounts,
    updatedAt: now.toISOString(),
  });
  return descriptors(runId, records.length, pageCounts, run.rail);
}

/** What a hold says the run pays (its dependency is placed anew from the run's own transfers). */
function holdInstruction(h: PayoutHoldRecord): PlannedInstruction {
  const {
    programmeId: _p,
    runId: _r,
    state: _s,
    heldAt: _h,
    paidAt: _pa,
    dependsOn: _d,
    adoptedFrom: _a,
    ...instruction
  } = h;
  return instruction;
}

/**
 * Takes the run's holds: adopts what ended runs left unsettled, then holds new payments, then their
 * transfers. Answers what the run now holds, so the plan need not read the partition again.
 */
async function takeHolds(
  deps: Deps,
  runId: string,
  programmeId: string,
  at: string,
): Promise<PlannedInstruction[]> {
  const found = await deps.programmes.get(programmeId);
  if (!found) throw new Error(`programme ${programmeId} not found`);
  const approved = (await deps.applications.listByStatus(programmeId, 'approved')).filter(
    (a) => a.quotaState === 'claimed' && a.sequence !== undefined,
  );
  const units = found.programme.allocations.map((a) => a.unitOrgId);
  const employers = new Set(approved.map((a) => a.employerOrgId));
  const unitOrgs = await deps.orgs.getMany(units);
  const pathIds = new Set([...unitOrgs.values()].flatMap((o) => o.path));
  const orgs = await deps.orgs.getMany([...new Set([...units, ...pathIds, ...employers])]);

  const holds = await deps.holds.ofProgramme(programmeId);
  const unsettled = holds.filter((h) => h.state === 'held');
  await deps.holds.adopt(runId, unsettled);
  const held = new Set<string>();
  const inFlightShares = new Map<string, string>();
  for (const h of holds) {
    held.add(h.key);
    for (const share of h.shareKeys ?? []) {
      held.add(share);
      if (h.state === 'held') inFlightShares.set(share, h.key);
    }
  }
  const plan = (apps: typeof approved, history: PayoutHistory) =>
    payoutPlan(
      found.programme,
      found.programme.allocations,
      apps.map((a) => ({
        id: a.id,
        unitOrgId: a.unitOrgId,
        employerOrgId: a.employerOrgId,
        sequence: a.sequence ?? 0,
      })),
      orgs,
      history,
    );
  // Payments first, each held with a guard on its application: one withdrawn meanwhile drops out,
  // and the transfers are then planned for the applications whose payments were held.
  const first = plan(approved, { held, inFlightShares });
  const strip = ({ dependsOn: _d, ...i }: PlannedInstruction) => i;
  const payments = await deps.holds.holdNew(runId, programmeId, first.payments.map(strip), at);
  const heldFor = new Set(payments.map((p) => p.applicationId));
  const dropped = new Set(first.payments.map((p) => p.applicationId).filter((id) => !heldFor.has(id)));
  for (const p of payments) held.add(p.key);
  const second = plan(
    approved.filter((a) => !dropped.has(a.id)),
    { held, inFlightShares },
  );
  const transfers = await deps.holds.holdNew(runId, programmeId, second.transfers, at);
  if (transfers.length < second.transfers.length) {
    throw new Error(`payout run ${runId}: a transfer is held by another run`);
  }
  return [...unsettled.map(holdInstruction), ...payments, ...transfers];
}

function descriptors(
  runId: string,
  planned: number,
  counts: { transfers: number; payments: number },
  rail: RailName | undefined,
): PlanResult {
  const list = (phase: PayoutPhase, n: number) =>
    Array.from({ length: n }, (_, page) => ({ runId, phase, page, ...(rail ? { rail } : {}) }));
  return {
    runId,
    planned,
    transferPages: list('transfers', counts.transfers),
    paymentPages: list('payments', counts.payments),
  };
}
