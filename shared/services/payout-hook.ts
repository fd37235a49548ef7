import { PayoutRunOpen } from '../adapters/persistence-errors.ts';
import { logger } from '../logger.ts';
import type { Deps } from './deps.ts';
import { batchRunId, launchPayoutRun } from './payout-runs.ts';

/**
 * A closed review batch's payout run falls due (architecture.md §4, the calendar's `payout_due` transition):
 * records that it is due and starts the batch's run, whose id is fixed by programme and batch. Called
 * again for the same batch (a retried transition) it finds the run and its execution and changes nothing.
 */
export async function onPayoutDue(
  deps: Deps,
  programmeId: string,
  batchId: string,
  at: string,
): Promise<void> {
  await deps.calendar.putPayoutDue(programmeId, batchId, at, deps.clock.now().toISOString());
  try {
    await launchPayoutRun(
      deps,
      { runId: batchRunId(programmeId, batchId), programmeId, batchId, requestedBy: 'calendar' },
      new Date(at),
    );
  } catch (err) {
    if (!(err instanceof PayoutRunOpen)) throw err;
    // An admin's run is still open: it pays what this run would (one run at a time per programme).
    // The due record stays, so the console shows the batch as due; the next run started pays the rest.
    logger.warn('batch payout run not started: another run is open', {
      programmeId,
      batchId,
      openRunId: err.openRunId,
    });
  }
}
