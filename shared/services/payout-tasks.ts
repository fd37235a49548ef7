import type { PaymentRail } from '../adapters/rails/rail.ts';
import type { RailName } from '../model/payout.ts';
import type { PayoutTaskEvent } from '../schemas/payouts.ts';
import type { Deps } from './deps.ts';
import { type PayPageHooks, payPage } from './payout-page.ts';
import { planRun } from './payout-plan.ts';
import { reconcileRun } from './payout-settlement.ts';

/**
 * The `payouts` workflow function: one entry for the payout-run state machine's Task states
 * (`workflows/payout-run.ts`). `hooks` are for local tests and benchmarks (`payout-faults.ts`).
 */
export function payoutTaskHandler(
  deps: Deps,
  rails: (name: RailName) => PaymentRail,
  hooks: PayPageHooks = {},
) {
  // `signal` aborts when the invocation is out of time (middy's timeoutEarly): Plan then stops
  // writing, and Pay page stops asking the rail.
  return async (task: PayoutTaskEvent, signal?: AbortSignal) => {
    switch (task.action) {
      case 'plan':
        return planRun(deps, task.runId, task.programmeId, deps.clock.now(), signal);
      case 'payPage':
        return payPage(deps, rails(task.page.rail ?? 'sandbox'), task.page, hooks, signal);
      case 'reconcile':
        return reconcileRun(deps, task.input.runId, task.input.error, deps.clock.now());
    }
  };
}
