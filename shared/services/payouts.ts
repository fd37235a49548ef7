/**
 * The payout services used to live here in one file; they are now split by job:
 * `payout-runs.ts` (the admin API), `payout-plan.ts` and `payout-page.ts` (the run engine),
 * `payout-settlement.ts` (reconciling and ending a run), `payout-tasks.ts` (the workflow function's
 * entry) and `payout-faults.ts` (test-only fault hooks). These re-exports keep the Lambda entry
 * points (`functions/admin.ts`, `functions/payouts.ts`) and the local stack compiling until they
 * import the modules.
 */
export { payPageFaultsFromEnv } from './payout-faults.ts';
export { getPayoutRun, resumeOpenPayoutRun, startPayoutRun } from './payout-runs.ts';
export { payoutTaskHandler } from './payout-tasks.ts';
