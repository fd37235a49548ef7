import { randomBytes } from 'node:crypto';
import { instructionKey } from '../adapters/keys.ts';
import { chunks, PayoutRunOpen, pool, settleItemCount, TRANSACTION_ITEMS } from '../adapters/payouts-repo.ts';
import { defaultRailName } from '../adapters/rails/index.ts';
import type { PaymentRail, RailInstruction, RailName, RailResult } from '../adapters/rails/rail.ts';
import { backoffMs, sleep } from '../adapters/retry.ts';
import { actingOrg, type Caller } from '../domain/caller.ts';
import { mayActOn } from '../domain/orgs.ts';
import { type PayoutHistory, pages, payoutPlan, payoutTotals, reconcileTotals } from '../domain/payout.ts';
import { AppError, forbidden, invalid, notFound } from '../errors.ts';
import type {
  InstructionRecord,
  PayoutHoldRecord,
  PayoutPhase,
  PayoutRunRecord,
  PlannedInstruction,
  Settlement,
} from '../model/payout.ts';
import type {
  PageDescriptor,
  PayoutRunView,
  PayoutTaskEvent,
  StartPayoutRunBody,
} from '../schemas/payouts.ts';
import { submitToBank } from './bank-files.ts';
import type { Deps } from './deps.ts';

/** Instructions per Map item: ~100 keeps a run of ~500,000 payments inside one execution's history (design §4). */
export const PAGE_SIZE = 100;
/** Chunks of one page (each settled in one transaction) in flight at once. */
const CHUNK_CONCURRENCY = 4;
/** Calls in flight at once to a rail that takes one instruction per call. */
const RAIL_CONCURRENCY = 10;
/** Calls of the rail per instruction inside one page attempt before the page is left to Step Functions' Retry. */
const RAIL_ATTEMPTS = 3;
const MAX_REPORTED_FAILURES = 200;

export interface PlanResult {
  runId: string;
  planned: number;
  transferPages: PageDescriptor[];
  paymentPages: PageDescriptor[];
}

/** Faults the pay-page task injects (local tests and benchmarks only). */
export interface PayPageFaults {
  /** Share of rail answers after which the task "crashes" before recording the answer. */
  crashRate?: number;
  random?: () => number;
}

/** What the payout tasks did in this process, read by tests and benchmarks. */
export const payoutStats = { pageAttempts: 0, crashedPages: 0, incompletePages: 0, railRetries: 0 };

/** The page's attempt ended on purpose between a rail call and the state write (an injected crash). */
export class PayPageCrashed extends Error {
  constructor() {
    super('injected crash between the rail call and the state write');
    this.name = 'PayPageCrashed';
  }
}

/** Some instructions of the page got no answer from the rail: Step Functions retries the page. */
export class PayPageIncomplete extends Error {
  constructor(count: number) {
    super(`${count} instructions left unsettled; the page is retried`);
    this.name = 'PayPageIncomplete';
  }
}

const runIdFor = (now: Date) =>
  `run-${now.toISOString().slice(0, 19).replace(/[-:T]/g, '')}-${randomBytes(3).toString('hex')}`;

/**
 * `POST /programmes/{programmeId}/payout-runs`: admins of the programme's owner (the city union) or
 * an org above it start a run; it pays every approved application holding a place not yet paid.
 */
export async function startPayoutRun(
  deps: Deps,
  caller: Caller,
  programmeId: string,
  body: StartPayoutRunBody,
  now: Date,
): Promise<{ runId: string }> {
  const found = await deps.programmes.get(programmeId);
  if (!found) throw notFound('项目不存在');
  const owner = await deps.orgs.get(found.programme.ownerOrgId);
  if (!owner || !mayActOn(actingOrg(caller), owner))
    throw forbidden('只有主办组织(市总工会)的管理员可以发起补助发放');
  if (body.batchId && !found.programme.reviewBatches.some((b) => b.id === body.batchId)) {
    throw invalid([{ path: 'batchId', message: '审核批次不存在' }]);
  }
  const runId = runIdFor(now);
  try {
    await launchPayoutRun(
      deps,
      { runId, programmeId, ...(body.batchId ? { batchId: body.batchId } : {}), requestedBy: caller.sub },
      now,
    );
  } catch (err) {
    if (!(err instanceof PayoutRunOpen)) throw err;
    // One run at a time per programme: a second would plan money the first already holds.
    throw new AppError('invalid_state', {
      message: `本项目已有发放批次 ${err.openRunId} 尚未结束，请等待其结束后再发起`,
      fields: [{ path: 'openRunId', message: err.openRunId }],
      cause: err,
    });
  }
  return { runId };
}

/**
 * Records a run and starts its execution (named after the run). Starting the same run again — a
 * retried calendar transition — finds the record and the execution already there and changes nothing.
 */
export async function launchPayoutRun(
  deps: Deps,
  run: { runId: string; programmeId: string; batchId?: string; requestedBy: string },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  // The rail is deployment configuration, fixed when the run is recorded: every page, retry and
  // result import uses the same one (never a request field: an admin cannot pick the sandbox).
  const rail = defaultRailName(process.env);
  await deps.payouts.createRun({ ...run, rail, status: 'running', createdAt: at, updatedAt: at });
  await deps.workflows().start('payout-run', run.runId, { runId: run.runId, programmeId: run.programmeId });
}

/**
 * Starts again the execution of a programme's open run that a stopped process left `running` or
 * `paying` (a local stack killed mid-run: its executions lived in memory). Planning and paying are
 * idempotent by key, so the execution picks up where the run was. Answers the run resumed, if any.
 */
export async function resumeOpenPayoutRun(deps: Deps, programmeId: string): Promise<string | undefined> {
  const runId = await deps.payouts.openRunOf(programmeId);
  const run = runId ? await deps.payouts.getRun(runId) : undefined;
  if (!run || (run.status !== 'running' && run.status !== 'paying')) return undefined;
  await deps.workflows().start('payout-run', run.runId, { runId: run.runId, programmeId });
  return run.runId;
}

/** The run the calendar starts when a review batch closes: one per programme and batch. */
export const batchRunId = (programmeId: string, batchId: string) => `${programmeId}-${batchId}`.slice(0, 80);

/** `GET /payout-runs/{runId}`: for admins of the programme's owner or above; 404 for everyone else. */
export async function getPayoutRun(deps: Deps, caller: Caller, runId: string): Promise<PayoutRunView> {
  const run = await deps.payouts.getRun(runId);
  const found = run ? await deps.programmes.get(run.programmeId) : undefined;
  const owner = found ? await deps.orgs.get(found.programme.ownerOrgId) : undefined;
  if (!run || !owner || !mayActOn(actingOrg(caller), owner)) throw notFound('发放批次不存在');
  return runView(run);
}

function runView(run: PayoutRunRecord): PayoutRunView {
  return {
    runId: run.runId,
    programmeId: run.programmeId,
    ...(run.batchId ? { batchId: run.batchId } : {}),
    status: run.status,
    ...(run.rail ? { rail: run.rail } : {}),
    counts: { planned: run.planned ?? 0, paid: run.paidCount ?? 0, failed: run.failedCount ?? 0 },
    totals:
      run.status === 'awaiting_bank'
        ? Object.entries(run.bankPaidByFunder ?? {}).map(([funderOrgId, totalFen]) => ({
            funderOrgId,
            totalFen,
          }))
        : (run.totals ?? []),
    ...(run.failures?.length
      ? {
          failures: run.failures.map((f) => ({
            kind: f.kind as 'transfer' | 'payment',
            payerOrgId: f.payerOrgId,
            ...(f.applicationId ? { applicationId: f.applicationId } : {}),
            reason: f.reason,
          })),
        }
      : {}),
    ...(run.problems?.length ? { problems: run.problems } : {}),
    ...(run.bankFiles
      ? {
          bankFiles: run.bankFiles.map(({ payerOrgId, lines, totalFen, writtenAt }) => ({
            payerOrgId,
            lines,
            totalFen,
            writtenAt,
          })),
        }
      : {}),
    ...(run.status === 'awaiting_bank' ? { awaitingBank: run.awaitingBank ?? 0 } : {}),
    createdAt: run.createdAt,
    ...(run.endedAt ? { endedAt: run.endedAt } : {}),
  };
}

/**
 * Plan (design §4): the run takes holds on what it will pay — approved applications holding a place
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
  if (!run.holdsTaken) {
    await takeHolds(deps, runId, programmeId, at);
    await deps.payouts.updateRun(runId, { holdsTaken: true, updatedAt: at });
  }
  // The run's instructions are exactly its holds, in key order.
  const mine = (await deps.payouts.holds(programmeId))
    .filter((h) => h.runId === runId && h.state === 'held')
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const transfers = mine.filter((h) => h.kind === 'transfer').map(holdInstruction);
  const payments = mine.filter((h) => h.kind === 'payment').map(holdInstruction);

  const records: InstructionRecord[] = [];
  const transferSk = new Map<string, string>();
  // A unit's payment waits for the transfer of this run that carries its application's shares (R7).
  const carriedBy = new Map<string, string>();
  for (const t of transfers) {
    for (const id of t.applicationIds ?? []) carriedBy.set(`${id}|${t.payeeOrgId}`, t.key);
  }
  const place = (phase: PayoutPhase, list: PlannedInstruction[]) => {
    for (const [page, items] of pages(list, PAGE_SIZE).entries()) {
      for (const [index, i] of items.entries()) {
        const keys = instructionKey(runId, phase, page, index);
        if (i.kind === 'transfer') transferSk.set(i.key, keys.sk);
        const transfer = carriedBy.get(`${i.applicationId}|${i.payerOrgId}`);
        const dependsOnSk = i.kind === 'payment' && transfer ? transferSk.get(transfer) : undefined;
        records.push({
          ...keys,
          ...i,
          runId,
          programmeId,
          phase,
          page,
          status: 'pending',
          attempts: 0,
          ...(dependsOnSk ? { dependsOn: transfer, dependsOnSk } : {}),
        });
      }
    }
  };
  place('transfers', transfers);
  place('payments', payments);
  await deps.payouts.writePlan(records, run.createdAt);
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
    ...instruction
  } = h as PayoutHoldRecord & { adoptedFrom?: string };
  delete (instruction as { adoptedFrom?: string }).adoptedFrom;
  return instruction;
}

/** Takes the run's holds: adopts what ended runs left unsettled, then holds new payments, then their transfers. */
async function takeHolds(deps: Deps, runId: string, programmeId: string, at: string): Promise<void> {
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

  const holds = await deps.payouts.holds(programmeId);
  await deps.payouts.adopt(
    runId,
    holds.filter((h) => h.state === 'held'),
  );
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
  const payments = await deps.payouts.holdNew(runId, programmeId, first.payments.map(strip), at);
  const dropped = new Set(
    first.payments.map((p) => p.applicationId).filter((id) => !payments.some((p) => p.applicationId === id)),
  );
  for (const p of payments) held.add(p.key);
  const second = plan(
    approved.filter((a) => !dropped.has(a.id)),
    { held, inFlightShares },
  );
  const transfers = await deps.payouts.holdNew(runId, programmeId, second.transfers, at);
  if (transfers.length < second.transfers.length) {
    throw new Error(`payout run ${runId}: a transfer is held by another run`);
  }
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

/**
 * Pay page (design §4): each instruction `pending → sending` (conditional), the rail called with its
 * idempotency key, then `sending → paid | failed` (conditional). An instruction left `sending` by a
 * crashed attempt is sent again with the same key, and the rail answers its first payment. A payment
 * by a unit whose transfer was not paid fails: the unit never got the money (R7).
 *
 * The page's claims go in one conditional transaction; then chunks of instructions whose
 * settlements fit one transaction (≤ 100 items with their paid-key records, worker copies and
 * events) are sent to the rail together (`payMany` where the rail has it) and settled together,
 * a few chunks at once. Any write that fails its condition falls back to one instruction at a time.
 * Throws when something is left unsettled, so Step Functions' Retry runs the page again.
 */
export async function payPage(
  deps: Deps,
  rail: PaymentRail,
  descriptor: PageDescriptor,
  faults: PayPageFaults = {},
): Promise<{ paid: number; failed: number; submitted: number; settledBefore: number }> {
  payoutStats.pageAttempts++;
  const random = faults.random ?? Math.random;
  const instructions = await deps.payouts.page(descriptor.runId, descriptor.phase, descriptor.page);
  const dependencies = [...new Set(instructions.flatMap((i) => (i.dependsOnSk ? [i.dependsOnSk] : [])))];
  // A transfer handed to a rail that answers later (a line of the city's bank file) funds the unit's
  // payments in the unit's own file: the unit uploads that file once the transfer has arrived.
  const transferStatus = new Map(
    (await deps.payouts.bySortKeys(descriptor.runId, dependencies)).map((t) => [
      t.sk,
      t.status === 'sending' && t.submittedAt ? 'submitted' : t.status,
    ]),
  );
  let paid = 0;
  let failed = 0;
  let submitted = 0;
  let unsettled = 0;
  let crashed = false;

  const open = instructions.filter((i) => i.status !== 'paid' && i.status !== 'failed');
  const claimed = await deps.payouts.claimMany(open, new Date().toISOString());
  // Not taken: settled by someone else since the page was read.
  const settledBefore = instructions.length - claimed.length;

  const settle = async (list: Settlement[]) => {
    for (const s of await deps.payouts.settleMany(list, new Date().toISOString())) {
      if (s.outcome.status === 'paid') paid++;
      else failed++;
    }
  };

  await pool(chunks(claimed, settleItemCount), CHUNK_CONCURRENCY, async (chunk) => {
    if (crashed) {
      unsettled += chunk.length;
      return;
    }
    const settlements: Settlement[] = [];
    const toRail: InstructionRecord[] = [];
    for (const i of chunk) {
      const transfer = i.dependsOnSk ? transferStatus.get(i.dependsOnSk) : 'paid';
      if (transfer === 'paid' || transfer === 'submitted') toRail.push(i);
      else settlements.push({ i, outcome: { status: 'failed', reference: '', reason: TRANSFER_NOT_PAID } });
    }
    const answers = await callRail(rail, toRail);
    const toSubmit: { i: InstructionRecord; reference: string }[] = [];
    for (const i of toRail) {
      const outcome = answers.get(i);
      if (!outcome) {
        unsettled++;
        continue;
      }
      if (crashed) continue;
      if (random() < (faults.crashRate ?? 0)) {
        // The rail has answered but this answer and the ones after it are never recorded: the
        // instructions stay `sending` and the page's next attempt sends them again with their keys.
        crashed = true;
        continue;
      }
      if (outcome.status === 'submitted') toSubmit.push({ i, reference: outcome.reference });
      else settlements.push({ i, outcome: { ...outcome, status: outcome.status } });
    }
    await settle(settlements);
    await pool(toSubmit, RAIL_CONCURRENCY, async ({ i, reference }) => {
      if (await deps.payouts.markSubmitted(i, reference, new Date().toISOString())) submitted++;
    });
  });

  await deps.payouts.addCounts(descriptor.runId, paid, failed);
  if (crashed) {
    payoutStats.crashedPages++;
    throw new PayPageCrashed();
  }
  if (unsettled > 0) {
    payoutStats.incompletePages++;
    throw new PayPageIncomplete(unsettled);
  }
  return { paid, failed, submitted, settledBefore };
}

const TRANSFER_NOT_PAID = 'transfer_not_paid: 上级拨付未到账';

/**
 * Sends instructions to the rail — together where it takes many at once, else a few at a time —
 * asking again with the same keys for those whose outcome is unknown (transient error, timeout, lost
 * answer), up to {@link RAIL_ATTEMPTS} calls each. Instructions without an answer are absent.
 */
async function callRail(
  rail: PaymentRail,
  instructions: readonly InstructionRecord[],
): Promise<Map<InstructionRecord, RailResult>> {
  const answers = new Map<InstructionRecord, RailResult>();
  let asking = [...instructions];
  for (let attempt = 0; attempt < RAIL_ATTEMPTS && asking.length > 0; attempt++) {
    if (attempt > 0) await sleep(backoffMs(attempt - 1, 5, 100));
    const results: (RailResult | Error)[] = new Array(asking.length);
    if (rail.payMany) {
      const batch = asking;
      for (let n = 0; n < batch.length; n += TRANSACTION_ITEMS) {
        const part = batch.slice(n, n + TRANSACTION_ITEMS);
        (await rail.payMany(part.map(railInstruction))).forEach((r, k) => {
          results[n + k] = r;
        });
      }
    } else {
      const indexed = asking.map((i, n) => ({ i, n }));
      await pool(indexed, RAIL_CONCURRENCY, async ({ i, n }) => {
        try {
          results[n] = await rail.pay(railInstruction(i));
        } catch (err) {
          results[n] = err instanceof Error ? err : new Error(String(err));
        }
      });
    }
    const again: InstructionRecord[] = [];
    asking.forEach((i, n) => {
      const result = results[n];
      if (result && !(result instanceof Error)) answers.set(i, result);
      else {
        // Unknown outcome (transient error, timeout, lost answer): ask again with the same key.
        payoutStats.railRetries++;
        again.push(i);
      }
    });
    asking = again;
  }
  return answers;
}

function railInstruction(i: InstructionRecord): RailInstruction {
  return {
    key: i.key,
    kind: i.kind,
    runId: i.runId,
    payerOrgId: i.payerOrgId,
    ...(i.payeeOrgId ? { payeeOrgId: i.payeeOrgId } : {}),
    ...(i.applicationId ? { applicationId: i.applicationId } : {}),
    amountFen: i.amountFen,
    funding: i.funding,
    programmeId: i.programmeId,
    instructionSk: i.sk,
  };
}

/**
 * Reconcile (design §4): paid totals per funder and per payer must equal the plan and every
 * instruction must be paid; otherwise the run fails with a report of what did not. A run whose rail
 * answers later (bank_file) instead writes its batch files and waits for the bank (`awaiting_bank`):
 * the result import reconciles it once every line has its result.
 */
export async function reconcileRun(
  deps: Deps,
  runId: string,
  error: { Error?: string | undefined; Cause?: string | undefined } | null | undefined,
  now: Date,
): Promise<{ runId: string; status: 'succeeded' | 'failed' | 'awaiting_bank' }> {
  const all = await deps.payouts.instructions(runId);
  if (!error && all.some((i) => i.status === 'sending' && i.submittedAt)) {
    const run = await deps.payouts.getRun(runId);
    if (run?.status === 'paying') await submitToBank(deps, runId, all, now);
    const after = run?.status === 'paying' ? 'awaiting_bank' : run?.status;
    if (after === 'awaiting_bank') return { runId, status: 'awaiting_bank' };
  }
  return finishRun(deps, runId, all, error, now);
}

/** The run's final report: `succeeded` when every instruction is paid and the totals equal the plan. */
export async function finishRun(
  deps: Deps,
  runId: string,
  all: readonly InstructionRecord[],
  error: { Error?: string | undefined; Cause?: string | undefined } | null | undefined,
  now: Date,
): Promise<{ runId: string; status: 'succeeded' | 'failed' }> {
  const paid = all.filter((i) => i.status === 'paid');
  const planned = payoutTotals(all);
  const paidTotals = payoutTotals(paid);
  const problems = reconcileTotals(planned, paidTotals);
  if (error)
    problems.unshift(
      `run stopped: ${error.Error ?? 'error'}${error.Cause ? ` — ${error.Cause.slice(0, 300)}` : ''}`,
    );
  const failures = all
    .filter((i) => i.status !== 'paid')
    .slice(0, MAX_REPORTED_FAILURES)
    .map((i) => ({
      key: i.key,
      kind: i.kind,
      payerOrgId: i.payerOrgId,
      ...(i.applicationId ? { applicationId: i.applicationId } : {}),
      reason: i.reason ?? `not settled (${i.status})`,
    }));
  const status = problems.length === 0 && failures.length === 0 ? 'succeeded' : 'failed';
  const at = now.toISOString();
  const run = await deps.payouts.getRun(runId);
  if (!run) throw new Error(`payout run ${runId} has no record`);
  // Ending the run closes it as the programme's open run, in the same write.
  await deps.payouts.finish(runId, run.programmeId, {
    status,
    planned: all.length,
    paidCount: paid.length,
    failedCount: all.filter((i) => i.status === 'failed').length,
    totals: paidTotals.byFunder,
    failures,
    problems: problems.slice(0, 50),
    updatedAt: at,
    endedAt: at,
  });
  return { runId, status };
}

/** The `payouts` workflow function: one entry for the state machine's Task states. */
export function payoutTaskHandler(
  deps: Deps,
  rails: (name: RailName) => PaymentRail,
  faults: PayPageFaults = {},
) {
  return async (task: PayoutTaskEvent) => {
    switch (task.action) {
      case 'plan':
        return planRun(deps, task.runId, task.programmeId, new Date());
      case 'payPage':
        return payPage(deps, rails(task.page.rail ?? 'sandbox'), task.page, faults);
      case 'reconcile':
        return reconcileRun(deps, task.input.runId, task.input.error, new Date());
    }
  };
}

/** Pay-page faults from the environment, local stage only (`PAYOUT_CRASH_RATE`). */
export function payPageFaultsFromEnv(env: NodeJS.ProcessEnv): PayPageFaults {
  return env.STAGE === 'local' ? { crashRate: Number(env.PAYOUT_CRASH_RATE ?? 0) || 0 } : {};
}
