import { loadConfig } from '../shared/config.ts';
import { httpHandler } from '../shared/http/handler.ts';
import { catalogueRoutes } from '../shared/http/routes/catalogue.ts';
import { baseDeps, wireDeps } from '../shared/services/deps.ts';
import {
  createInstitution,
  createOffering,
  enrolmentCounts,
  retireOffering,
  updateInstitution,
  updateOffering,
} from '../shared/services/offerings.ts';
import { exportEnrolmentCounts, importOfferings } from '../shared/services/offerings-excel.ts';
import * as repositories from '../shared/services/repositories.ts';

const deps = wireDeps(baseDeps(loadConfig()), {
  applications: repositories.applications,
  catalogue: repositories.catalogue,
  holds: repositories.holds,
  memberships: repositories.memberships,
  orgs: repositories.orgs,
  programmes: repositories.programmes,
});

/**
 * The catalogue's admin routes (issue 16): partner institutions, offerings, the Excel import and the
 * counts per institution. exceljs is loaded by the import and the export only, on first use.
 */
export const handler = httpHandler(
  catalogueRoutes,
  {
    createInstitution: async ({ caller, body, now }) => ({
      body: await createInstitution(deps, caller, body, now),
    }),
    updateInstitution: async ({ caller, params, body, now }) => ({
      body: await updateInstitution(deps, caller, params.institutionId, body, now),
    }),
    createOffering: async ({ caller, params, body, now }) => ({
      body: await createOffering(deps, caller, params.programmeId, body, now),
    }),
    updateOffering: async ({ caller, params, body, now }) => ({
      body: await updateOffering(deps, caller, params.programmeId, params.offeringId, body, now),
    }),
    retireOffering: async ({ caller, params, now }) => ({
      body: await retireOffering(deps, caller, params.programmeId, params.offeringId, now),
    }),
    importOfferings: async ({ caller, params, body, now }) => ({
      body: await importOfferings(deps, caller, params.programmeId, body, now),
    }),
    getEnrolmentCounts: async ({ caller, params }) => ({
      body: await enrolmentCounts(deps, caller, params.programmeId),
    }),
    exportEnrolmentCounts: async ({ caller, params }) => ({
      body: await exportEnrolmentCounts(deps, caller, params.programmeId),
    }),
  },
  { clock: deps.clock, memberships: (sub) => deps.memberships.forAccount(sub) },
);
