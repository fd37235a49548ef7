import { loadConfig } from '../shared/config.ts';
import { httpHandler } from '../shared/http/handler.ts';
import { applicationRoutes } from '../shared/http/routes/applications.ts';
import { countSubmitted } from '../shared/metrics.ts';
import {
  createDraftFromForm,
  discardApplicationForm,
  getApplicationForm,
  saveApplicationForm,
} from '../shared/services/application-forms.ts';
import {
  createDraft,
  getApplication,
  listMine,
  requestUpload,
  submit,
  updateDraft,
  withdraw,
} from '../shared/services/applications.ts';
import { baseDeps, wireDeps } from '../shared/services/deps.ts';
import { changePayoutAccount } from '../shared/services/payout-account.ts';
import * as repositories from '../shared/services/repositories.ts';

const deps = wireDeps(baseDeps(loadConfig()), {
  applications: repositories.applications,
  catalogue: repositories.catalogue,
  forms: repositories.forms,
  ledger: repositories.ledger,
  memberships: repositories.memberships,
  orgs: repositories.orgs,
  programmes: repositories.programmes,
  waitlist: repositories.waitlist,
});

/** The worker side: drafts, documents, submission and withdrawal, and reading one's applications. */
export const handler = httpHandler(
  applicationRoutes,
  {
    createApplication: async ({ caller, body, now }) => ({
      body: await createDraft(deps, caller, body, now),
    }),
    saveApplicationForm: async ({ caller, params, body, now }) => ({
      body: await saveApplicationForm(deps, caller, params.programmeId, body, now),
    }),
    getApplicationForm: async ({ caller, params, now }) => ({
      body: await getApplicationForm(deps, caller, params.programmeId, now),
    }),
    createApplicationFromForm: async ({ caller, params, body, now }) => ({
      body: await createDraftFromForm(deps, caller, params.programmeId, body, now),
    }),
    discardApplicationForm: async ({ caller, params }) => ({
      body: await discardApplicationForm(deps, caller, params.programmeId),
    }),
    updateApplication: async ({ caller, params, body, now }) => ({
      body: await updateDraft(deps, caller, params.id, body, now),
    }),
    changePayoutAccount: async ({ caller, params, body, now }) => ({
      body: await changePayoutAccount(deps, caller, params.id, body, now),
    }),
    getApplication: async ({ caller, params }) => ({ body: await getApplication(deps, caller, params.id) }),
    listMyApplications: async ({ caller, query }) => ({ body: await listMine(deps, caller, query.cursor) }),
    createAttachment: async ({ caller, params, body, now }) => ({
      body: await requestUpload(deps, caller, params.id, body, now),
    }),
    submitApplication: async ({ caller, params, now }) => {
      const result = await submit(deps, caller, params.id, now);
      countSubmitted(result);
      return { body: result };
    },
    withdrawApplication: async ({ caller, params, now }) => ({
      body: await withdraw(deps, caller, params.id, now),
    }),
  },
  { clock: deps.clock, memberships: (sub) => deps.memberships.forAccount(sub) },
);
