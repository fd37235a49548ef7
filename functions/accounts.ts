import { loadConfig } from '../shared/config.ts';
import { httpHandler } from '../shared/http/handler.ts';
import { accountRoutes } from '../shared/http/routes/accounts.ts';
import {
  addMember,
  decideRegistration,
  listMembers,
  listRegistrations,
  me,
  registerOrganisation,
  removeMember,
} from '../shared/services/accounts.ts';
import { baseDeps, wireDeps } from '../shared/services/deps.ts';
import * as repositories from '../shared/services/repositories.ts';

const deps = wireDeps(baseDeps(loadConfig()), {
  memberships: repositories.memberships,
  orgs: repositories.orgs,
  outbox: repositories.outbox,
  registrations: repositories.registrations,
});

/** Accounts: the caller's own memberships, organisation registration (R12) and each org's people. */
export const handler = httpHandler(
  accountRoutes,
  {
    getMe: async ({ caller }) => ({ body: await me(deps, caller) }),
    createOrgRegistration: async ({ caller, body, now }) => ({
      body: await registerOrganisation(deps, caller, body, now),
    }),
    listOrgRegistrations: async ({ caller, query }) => ({
      body: await listRegistrations(deps, caller, query),
    }),
    decideOrgRegistration: async ({ caller, params, body, now }) => ({
      body: await decideRegistration(deps, caller, params.registrationId, body, now),
    }),
    listMembers: async ({ caller, params }) => ({ body: await listMembers(deps, caller, params.orgId) }),
    addMember: async ({ caller, params, body, now }) => ({
      body: await addMember(deps, caller, params.orgId, body, now),
    }),
    removeMember: async ({ caller, params, now }) => ({
      body: await removeMember(deps, caller, params.orgId, params.sub, now),
    }),
  },
  { clock: deps.clock, memberships: (sub) => deps.memberships.forAccount(sub) },
);
