import { loadConfig } from '../shared/config.ts';
import { httpHandler, type Reply } from '../shared/http/handler.ts';
import { reviewRoutes } from '../shared/http/routes/review.ts';
import { countDecision } from '../shared/metrics.ts';
import { dashboard, listApplications, recordExport } from '../shared/services/console.ts';
import { baseDeps, wireDeps } from '../shared/services/deps.ts';
import * as repositories from '../shared/services/repositories.ts';
import { decide, decideMany, downloadAttachment, reviewQueue } from '../shared/services/review.ts';

const deps = wireDeps(baseDeps(loadConfig()), {
  applications: repositories.applications,
  ledger: repositories.ledger,
  memberships: repositories.memberships,
  orgs: repositories.orgs,
  payouts: repositories.payouts,
  programmes: repositories.programmes,
  waitlist: repositories.waitlist,
});

// `DecisionOutcome` types its statuses as plain strings where the contract has enums; the values
// are the contract's (the services write only those), so the answer is typed as the route's here.
type DecisionReply = Reply<typeof reviewRoutes.decideApplication>['body'];
type BulkDecisionReply = Reply<typeof reviewRoutes.decideApplications>['body'];

/** The union side (R12): review queues, decisions and audited document downloads. */
export const handler = httpHandler(
  reviewRoutes,
  {
    reviewQueue: async ({ caller, query }) => ({ body: await reviewQueue(deps, caller, query) }),
    decideApplication: async ({ caller, params, body, now }) => {
      const result = await decide(deps, caller, params.id, body, now);
      countDecision(body.decision, result);
      return { body: result as DecisionReply };
    },
    decideApplications: async ({ caller, body, now }) => {
      const outcome = await decideMany(deps, caller, body.items, now);
      body.items.forEach((item, i) => {
        const done = outcome.results[i];
        if (done?.result) countDecision(item.decision, done.result);
      });
      return { body: outcome as BulkDecisionReply };
    },
    downloadAttachment: async ({ caller, params, now }) => ({
      body: await downloadAttachment(deps, caller, params.id, params.attachmentId, now),
    }),
    listApplications: async ({ caller, params, query }) => ({
      body: await listApplications(deps, caller, params.programmeId, query),
    }),
    programmeDashboard: async ({ caller, params }) => ({
      body: await dashboard(deps, caller, params.programmeId),
    }),
    recordExport: async ({ caller, body, now }) => ({ body: await recordExport(deps, caller, body, now) }),
  },
  { clock: deps.clock, memberships: (sub) => deps.memberships.forAccount(sub) },
);
