import type { Deps } from './deps.ts';
import { batchRunId, launchPayoutRun } from './payouts.ts';

/**
 * A closed review batch's payout run falls due (design §4, the calendar's `payout_due` transition):
 * records that it is due and starts the batch's run, whose id is fixed by programme and batch. Called
 * again for the same batch (a retried transition) it finds the run and its execution and changes nothing.
 */
export async function onPayoutDue(
  deps: Deps,
  programmeId: string,
  batchId: string,
  at: string,
): Promise<void> {
  await deps.calendar.putPayoutDue(programmeId, batchId, at, new Date().toISOString());
  await launchPayoutRun(
    deps,
    { runId: batchRunId(programmeId, batchId), programmeId, batchId, requestedBy: 'calendar' },
    new Date(at),
  );
}
