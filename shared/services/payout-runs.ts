import { randomBytes } from 'node:crypto';
import { defaultRailName } from '../adapters/rails/index.ts';
import { actingOrg, type Caller } from '../domain/caller.ts';
import { mayActOn } from '../domain/orgs.ts';
import { forbidden, invalid, notFound } from '../errors.ts';
import type { PayoutRunRecord } from '../model/payout.ts';
import type { StartPayoutRunBody } from '../schemas/payouts.ts';
import type { PayoutRunView } from '../schemas/views/payouts.ts';
import { contractError } from './contract-errors.ts';
import type { Deps } from './deps.ts';

/**
 * Payout runs as admins and the calendar start and follow them (architecture.md §4, §5): starting a run
 * (one open run per programme), resuming a run a stopped process left, reading a run. The run
 * itself is carried out by the engine (`payout-engine.ts`) and settled by `payout-settlement.ts`.
 */

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
    // One run at a time per programme: a second would plan money the first already holds.
    throw contractError(err);
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
 * Local stage only: the stack calls it as it starts, when no other process can be running the run.
 */
export async function resumeOpenPayoutRun(deps: Deps, programmeId: string): Promise<string | undefined> {
  const runId = await deps.payouts.openRunOf(programmeId);
  const run = runId ? await deps.payouts.getRun(runId) : undefined;
  if (!run || (run.status !== 'running' && run.status !== 'paying')) return undefined;
  // A planning lease left by the stopped process is nobody's now (its Task invocations died with it):
  // given up, so the restarted Plan need not wait out its six minutes.
  if (run.planLeaseToken) await deps.payouts.releasePlanLease(run.runId, run.planLeaseToken);
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

/** A run as the API shows it. */
export function runView(run: PayoutRunRecord): PayoutRunView {
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
