import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { paymentRails } from '../shared/adapters/rails/index.ts';
import type { RailName } from '../shared/adapters/rails/rail.ts';
import { SandboxRail, sandboxFaultsFromEnv } from '../shared/adapters/rails/sandbox.ts';
import { loadConfig } from '../shared/config.ts';
import { logger } from '../shared/logger.ts';
import { countBusiness, lambdaObservability } from '../shared/metrics.ts';
import { PayoutTaskEvent } from '../shared/schemas/payouts.ts';
import { faultRandomFromEnv } from '../shared/seeded-random.ts';
import { baseDeps, wireDeps } from '../shared/services/deps.ts';
import { payoutTaskHandler, payPageFaultsFromEnv } from '../shared/services/payouts.ts';
import * as repositories from '../shared/services/repositories.ts';

const config = loadConfig();
const deps = wireDeps(baseDeps(config), {
  applications: repositories.applications,
  bankFiles: repositories.bankFiles,
  holds: repositories.holds,
  instructions: repositories.instructions,
  orgs: repositories.orgs,
  payouts: repositories.payouts,
  programmes: repositories.programmes,
});
// Local stage only: with PAYOUT_FAULT_SEED the injected rail faults and page crashes draw from seeded
// generators, so a test that injects them meets the same faults each run.
const random = faultRandomFromEnv(process.env);
const rails = paymentRails(deps.db, config.tableName, process.env);
const run = payoutTaskHandler(
  deps,
  random
    ? (() => {
        const sandbox = new SandboxRail(deps.db, config.tableName, {
          ...sandboxFaultsFromEnv(process.env),
          random: random('rail'),
        });
        return (name: RailName) => (name === 'sandbox' ? sandbox : rails(name));
      })()
    : rails,
  payPageFaultsFromEnv(process.env, random?.('crash')),
);

function runIdOf(task: PayoutTaskEvent): string {
  if (task.action === 'plan') return task.runId;
  if (task.action === 'payPage') return task.page.runId;
  return task.input.runId;
}

/**
 * The Task states of the payout-run state machine (`shared/workflows/payout-run.ts`): plan, pay one
 * page, reconcile. Locally the runner calls this same export for each Task state. middy aborts
 * `signal` just before the function's time runs out: a Plan stops writing and a page stops asking
 * the rail when it does.
 */
async function payoutTask(event: unknown, _context: Context, { signal }: { signal: AbortSignal }) {
  const task = PayoutTaskEvent.parse(event);
  // Every line of this task names its run (and programme when the task carries it).
  logger.appendKeys({
    runId: runIdOf(task),
    action: task.action,
    ...(task.action === 'plan' ? { programmeId: task.programmeId } : {}),
  });
  const result = await run(task, signal);
  if (task.action === 'payPage' && result && 'paid' in result) {
    countBusiness('PaymentsPaid', result.paid);
    countBusiness('PaymentsFailed', result.failed);
  }
  logger.debug('payout task');
  return result;
}

export const handler = middy(payoutTask).use(lambdaObservability());
