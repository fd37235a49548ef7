import { payoutTotals, reconcileTotals } from '../domain/payout.ts';
import { logger } from '../logger.ts';
import type { InstructionRecord, InstructionStatus } from '../model/payout.ts';
import type { Deps } from './deps.ts';

/**
 * Ending a payout run (design §4): Reconcile compares what was paid with the plan and records the
 * run's report, closing it as the programme's open run; a run whose rail answers later (bank_file)
 * writes its batch files and waits for the bank, and the bank's result import (`bank-files.ts`)
 * ends it once no line waits. Its own module, so the engine and the bank import both end runs
 * without importing each other.
 */

const MAX_REPORTED_FAILURES = 200;

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
  const all = await deps.instructions.ofRun(runId);
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

/**
 * bank_file, after the pages (design §4, R7): writes one batch file per paying org to S3 and moves the
 * run to `awaiting_bank`, where it stays until the bank's result files are imported. The counts keep
 * what was settled already (e.g. a wallet account refused by the bank rail).
 */
export async function submitToBank(
  deps: Deps,
  runId: string,
  all: readonly InstructionRecord[],
  now: Date,
): Promise<void> {
  const files = await deps.bankFiles.writeFiles(
    await deps.s3(),
    deps.config.bucketName,
    deps.cipher(),
    runId,
  );
  const count = (status: InstructionStatus) => all.filter((i) => i.status === status).length;
  await deps.payouts.awaitBank(
    runId,
    {
      planned: all.length,
      paidCount: count('paid'),
      failedCount: count('failed'),
      awaitingBank: all.filter((i) => i.status === 'sending' && i.submittedAt).length,
    },
    files,
    now.toISOString(),
  );
  // Counts only: a line's payee and account never reach a log.
  logger.info('bank files written', {
    runId,
    files: files.map((f) => ({ payerOrgId: f.payerOrgId, lines: f.lines, totalFen: f.totalFen })),
  });
}
