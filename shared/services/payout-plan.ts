import { randomUUID } from 'node:crypto';
import { type PayoutHistory, pages, payoutPlan } from '../domain/payout.ts';
import type {
  PayoutHoldRecord,
  PayoutPhase,
  PayoutRunRecord,
  PlacedInstruction,
  PlannedInstruction,
  RailName,
} from '../model/payout.ts';
import type { PageDescriptor } from '../schemas/payouts.ts';
import { PLAN_LEASE_SECONDS } from '../workflows/payout-run.ts';
import type { Deps } from './deps.ts';

/**
 * The payout run's Plan task (architecture.md §4): the run takes its holds on what it will pay and stores its
 * instructions in pages, returning page descriptors only. Pay page (`payout-page.ts`) pays them;
 * ending the run is `payout-settlement.ts`'s.
 */

/** Instructions per Map item: ~100 keeps a run of ~500,000 payments inside one execution's history (architecture.md §4). */
export const PAGE_SIZE = 100;

/**
 * Instructions a Plan writes before it records its progress: a Plan longer than its 300 s goes on
 * from there in its retry, instead of starting over and being stopped again.
 */
export const PLAN_ROUND = 1_000;

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
  signal?: AbortSignal,
): Promise<PlanResult> {
  const run = await deps.payouts.getRun(runId);
  if (!run) throw new Error(`payout run ${runId} has no record`);
  if (run.pages) return descriptors(runId, run.planned ?? 0, run.pages, run.rail);
  // One attempt plans at a time (architecture.md §4): see `takePlanLease`.
  const token = randomUUID();
  const until = new Date(now.getTime() + PLAN_LEASE_SECONDS * 1000).toISOString();
  const leased = await deps.payouts.takePlanLease(runId, token, now.toISOString(), until);
  if (!leased) {
    // Planned since it was read (its planner gave the lease up as it recorded the pages), or planning.
    const planned = await deps.payouts.getRun(runId);
    if (planned?.pages) return descriptors(runId, planned.planned ?? 0, planned.pages, planned.rail);
    throw new PlanInProgress(runId);
  }
  try {
    return await planLeased(deps, leased, programmeId, token, now, signal);
  } catch (err) {
    // Whatever this attempt started has ended (an aborted pool awaits its writes under way), so the
    // retry may plan at once. Should the release fail too, the lease runs out: the Plan's own error is
    // the one to report.
    await deps.payouts.releasePlanLease(runId, token).catch(() => undefined);
    throw err;
  }
}

/** Thrown to a Plan attempt while another holds the run's planning lease; the state machine retries it. */
export class PlanInProgress extends Error {
  constructor(runId: string) {
    super(`payout run ${runId}: another Plan attempt is planning it`);
    this.name = 'PlanInProgress';
  }
}

/**
 * Thrown when another attempt took the planning lease over, or the run ended, while this one ran (it
 * outlived its lease or its run): nothing recorded.
 */
export class PlanLeaseLost extends Error {
  constructor(runId: string) {
    super(
      `payout run ${runId}: the planning lease was taken over or the run ended; this attempt's plan is not recorded`,
    );
    this.name = 'PlanLeaseLost';
  }
}

/**
 * The plan itself, by the lease holder `token`. Between its writes it stops once `signal` aborts
 * (the invocation is out of time), and its records of the run are written only while it holds the lease.
 */
async function planLeased(
  deps: Deps,
  run: PayoutRunRecord,
  programmeId: string,
  token: string,
  now: Date,
  signal: AbortSignal | undefined,
): Promise<PlanResult> {
  const { runId } = run;
  const record = async (set: Partial<PayoutRunRecord>, release = false) => {
    signal?.throwIfAborted();
    if (!(await deps.payouts.updateRunLeased(runId, token, set, { release }))) throw new PlanLeaseLost(runId);
  };
  const at = now.toISOString();
  let mine: PlannedInstruction[];
  if (run.holdsTaken) {
    // A retried Plan: the holds were taken by an earlier attempt; read them back.
    mine = (await deps.holds.ofProgramme(programmeId))
      .filter((h) => h.runId === runId && h.state === 'held')
      .map(holdInstruction);
  } else {
    mine = await takeHolds(deps, runId, programmeId, at, signal);
    await record({ holdsTaken: true, updatedAt: at });
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
  // In rounds, each recorded: a retry of an attempt that ran out of time goes on after the last.
  await deps.instructions.writePlan(records, run.createdAt, {
    signal,
    from: run.planWritten ?? 0,
    round: PLAN_ROUND,
    written: (count) => record({ planWritten: count, updatedAt: at }),
  });
  const pageCounts = {
    transfers: Math.ceil(transfers.length / PAGE_SIZE),
    payments: Math.ceil(payments.length / PAGE_SIZE),
  };
  await record(
    {
      status: 'paying',
      planned: records.length,
      paidCount: 0,
      failedCount: 0,
      pages: pageCounts,
      updatedAt: now.toISOString(),
    },
    true,
  );
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
  signal: AbortSignal | undefined,
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

  const all = await deps.holds.ofProgramme(programmeId);
  // A definitely failed instruction's hold only keeps its key from being sent again: its money and
  // its shares are free to plan, under the next key of its chain.
  const failed = new Set(all.filter((h) => h.state === 'failed').map((h) => h.key));
  const holds = all.filter((h) => h.state !== 'failed');
  // A failed transfer's shares outlive it on an application only if a settlement stopped between
  // the two. With no payment held for it, a share no transfer holds is such a mark: forget it (only
  // this Plan could hold it again, and holding the payment marks it again).
  const transferred = new Set(holds.flatMap((h) => (h.kind === 'transfer' ? (h.shareKeys ?? []) : [])));
  await deps.instructions.forgetShares(
    approved.flatMap((a) => {
      const stale = [...(a.sharesHeld ?? [])].filter((key) => !transferred.has(key));
      return (a.paymentsHeld ?? 0) === 0 && stale.length > 0
        ? [{ applicationId: a.id, shareKeys: stale }]
        : [];
    }),
    signal,
  );
  const unsettled = holds.filter((h) => h.state === 'held');
  await deps.holds.adopt(runId, unsettled, signal);
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
  const first = plan(approved, { held, failed, inFlightShares });
  const strip = ({ dependsOn: _d, ...i }: PlannedInstruction) => i;
  const payments = await deps.holds.holdNew(runId, programmeId, first.payments.map(strip), at, signal);
  const heldFor = new Set(payments.map((p) => p.applicationId));
  const dropped = new Set(first.payments.map((p) => p.applicationId).filter((id) => !heldFor.has(id)));
  for (const p of payments) held.add(p.key);
  const second = plan(
    approved.filter((a) => !dropped.has(a.id)),
    { held, failed, inFlightShares },
  );
  const transfers = await deps.holds.holdNew(runId, programmeId, second.transfers, at, signal);
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
