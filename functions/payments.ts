import { loadConfig } from '../shared/config.ts';
import { httpHandler } from '../shared/http/handler.ts';
import { paymentRoutes } from '../shared/http/routes/payments.ts';
import { countBusiness } from '../shared/metrics.ts';
import { downloadBankFile, importBankResults } from '../shared/services/bank-files.ts';
import { listPayoutRuns } from '../shared/services/console.ts';
import { baseDeps, wireDeps } from '../shared/services/deps.ts';
import { getPayoutRun, startPayoutRun } from '../shared/services/payouts.ts';
import * as repositories from '../shared/services/repositories.ts';

const deps = wireDeps(baseDeps(loadConfig()), {
  bankFiles: repositories.bankFiles,
  instructions: repositories.instructions,
  memberships: repositories.memberships,
  orgs: repositories.orgs,
  payouts: repositories.payouts,
  programmes: repositories.programmes,
});

/** Payout runs and bank files (R7), each within the caller's org subtree. */
export const handler = httpHandler(
  paymentRoutes,
  {
    startPayoutRun: async ({ caller, params, body, now }) => ({
      body: await startPayoutRun(deps, caller, params.programmeId, body, now),
    }),
    listPayoutRuns: async ({ caller, params }) => ({
      body: await listPayoutRuns(deps, caller, params.programmeId),
    }),
    getPayoutRun: async ({ caller, params }) => ({ body: await getPayoutRun(deps, caller, params.runId) }),
    downloadBankFile: async ({ caller, params, now }) => ({
      body: await downloadBankFile(deps, caller, params.runId, params.payerOrgId, now),
    }),
    importBankResults: async ({ caller, params, body, now }) => {
      const report = await importBankResults(deps, caller, params.runId, body, now);
      countBusiness('PaymentsPaid', report.counts.paid);
      countBusiness('PaymentsFailed', report.counts.failed);
      return { body: report };
    },
  },
  { clock: deps.clock, memberships: (sub) => deps.memberships.forAccount(sub) },
);
