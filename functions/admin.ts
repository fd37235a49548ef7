import { loadConfig } from '../shared/config.ts';
import { httpHandler } from '../shared/http/handler.ts';
import { adminRoutes } from '../shared/http/routes/admin.ts';
import { reallocate, setUnitShards } from '../shared/services/applications.ts';
import {
  publishProgramme,
  registerOrg,
  setFundingShare,
  updateProgramme,
} from '../shared/services/catalogue.ts';
import { baseDeps, wireDeps } from '../shared/services/deps.ts';
import { listNotifications } from '../shared/services/notification-list.ts';
import * as repositories from '../shared/services/repositories.ts';
import { revokeApplication } from '../shared/services/revocations.ts';

const deps = wireDeps(baseDeps(loadConfig()), {
  applications: repositories.applications,
  ledger: repositories.ledger,
  memberships: repositories.memberships,
  orgs: repositories.orgs,
  outbox: repositories.outbox,
  programmes: repositories.programmes,
  waitlist: repositories.waitlist,
});

/** Admin writes: registering orgs, publishing and correcting programmes, each within the caller's org subtree. */
export const handler = httpHandler(
  adminRoutes,
  {
    listNotifications: async ({ caller, params, query }) => ({
      body: await listNotifications(deps, caller, params.programmeId, query),
    }),
    createOrg: async ({ caller, body }) => ({ body: await registerOrg(deps, caller, body) }),
    createProgramme: async ({ caller, body, now }) => ({
      body: await publishProgramme(deps, caller, body, now),
    }),
    updateProgramme: async ({ caller, params, body, now }) => ({
      body: await updateProgramme(deps, caller, params.programmeId, body, now),
    }),
    setFundingShare: async ({ caller, params, body }) => ({
      body: await setFundingShare(deps, caller, params, body),
    }),
    reallocatePlaces: async ({ caller, params, body, now }) => ({
      body: await reallocate(deps, caller, params.programmeId, body, now),
    }),
    setUnitShards: async ({ caller, params, body, now }) => ({
      body: await setUnitShards(deps, caller, params, body, now),
    }),
    revokeApplication: async ({ caller, params, body, now }) => ({
      body: await revokeApplication(deps, caller, params.id, body, now),
    }),
  },
  { clock: deps.clock, memberships: (sub) => deps.memberships.forAccount(sub) },
);
