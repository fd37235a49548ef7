import { paymentRails } from '../shared/adapters/rails/index.ts';
import { loadConfig } from '../shared/config.ts';
import { logger } from '../shared/logger.ts';
import { PayoutTaskEvent } from '../shared/schemas/payouts.ts';
import { createDeps } from '../shared/services/deps.ts';
import { payoutTaskHandler, payPageFaultsFromEnv } from '../shared/services/payouts.ts';

const config = loadConfig();
const deps = createDeps(config);
const run = payoutTaskHandler(
  deps,
  paymentRails(deps.db, config.tableName, process.env),
  payPageFaultsFromEnv(process.env),
);

/**
 * The Task states of the payout-run state machine (`shared/workflows/payout-run.ts`): plan, pay one
 * page, reconcile. Locally the runner calls this same export for each Task state.
 */
export const handler = async (event: unknown) => {
  const task = PayoutTaskEvent.parse(event);
  const result = await run(task);
  logger.debug('payout task', { action: task.action });
  return result;
};
