import * as z from 'zod';
import {
  ApplicationIdParams,
  ApplicationView,
  ReallocationBody,
  RevokeBody,
} from '../../schemas/applications.ts';
import { Slug } from '../../schemas/common.ts';
import { PayoutRunList } from '../../schemas/console.ts';
import { CreateOrgBody, Org } from '../../schemas/orgs.ts';
import {
  BankFileDownload,
  BankFileParams,
  BankResultsBody,
  BankResultsReport,
  PayoutRunAccepted,
  PayoutRunParams,
  PayoutRunView,
  StartPayoutRunBody,
} from '../../schemas/payouts.ts';
import {
  CreateProgrammeBody,
  FundingShareBody,
  FundingShareParams,
  Programme,
  ProgrammeIdParams,
  UpdateProgrammeBody,
} from '../../schemas/programmes.ts';
import { defineRoute } from '../route.ts';

/**
 * The admin group's routes (role `admin`, within the caller's org subtree): orgs, programmes,
 * funding shares, reallocations, payout runs, bank files and revocation. Served by
 * `functions/admin.ts`, which imports only this file.
 */
export const adminRoutes = {
  createOrg: defineRoute({
    operationId: 'createOrg',
    method: 'POST',
    path: '/v1/orgs',
    group: 'admin',
    auth: ['admin'],
    summary: 'Register an organisation under one the caller governs (R12 组织注册)',
    tags: ['admin'],
    body: CreateOrgBody,
    response: { status: 201, description: 'Registered', schema: Org },
    errors: ['validation_failed', 'forbidden', 'already_exists'],
  }),
  createProgramme: defineRoute({
    operationId: 'createProgramme',
    method: 'POST',
    path: '/v1/programmes',
    group: 'admin',
    auth: ['admin'],
    summary: 'Publish a programme: windows, review batches, levels, allocations and funding',
    tags: ['admin'],
    body: CreateProgrammeBody,
    response: { status: 201, description: 'Published', schema: Programme },
    errors: ['validation_failed', 'forbidden', 'already_exists'],
  }),
  updateProgramme: defineRoute({
    operationId: 'updateProgramme',
    method: 'PATCH',
    path: '/v1/programmes/{programmeId}',
    group: 'admin',
    auth: ['admin'],
    summary: 'Correct a programme’s title, contacts or dates; new dates restart its calendar',
    tags: ['admin'],
    params: ProgrammeIdParams,
    body: UpdateProgrammeBody,
    response: { status: 200, description: 'The programme as changed', schema: Programme },
    errors: ['validation_failed', 'forbidden', 'not_found', 'invalid_state'],
  }),
  setFundingShare: defineRoute({
    operationId: 'setFundingShare',
    method: 'PUT',
    path: '/v1/programmes/{programmeId}/allocations/{unitOrgId}/funding/{funderOrgId}',
    group: 'admin',
    auth: ['admin'],
    summary:
      'Add or change one funder’s share of a unit (R6): only an admin of the funder or above commits its money',
    tags: ['admin'],
    params: FundingShareParams,
    body: FundingShareBody,
    response: { status: 200, description: 'The programme with the share', schema: Programme },
    errors: ['validation_failed', 'forbidden', 'not_found'],
  }),
  reallocatePlaces: defineRoute({
    operationId: 'reallocatePlaces',
    method: 'POST',
    path: '/v1/programmes/{programmeId}/reallocations',
    group: 'admin',
    auth: ['admin'],
    summary: 'Move places between units (R15); freed places go to the earliest waitlisted applicants',
    tags: ['admin'],
    params: ProgrammeIdParams,
    body: ReallocationBody,
    response: {
      status: 200,
      description: 'Moved',
      schema: z
        .object({
          programmeId: Slug,
          fromUnitOrgId: Slug,
          toUnitOrgId: Slug,
          places: z.number().int(),
          promotedApplications: z.number().int(),
        })
        .meta({ id: 'ReallocationResult' }),
    },
    errors: ['validation_failed', 'forbidden', 'not_found', 'quota_exceeded'],
  }),
  startPayoutRun: defineRoute({
    operationId: 'startPayoutRun',
    method: 'POST',
    path: '/v1/programmes/{programmeId}/payout-runs',
    group: 'admin',
    auth: ['admin'],
    summary: 'Start a payout run (R7): pays every approved application holding a place not yet paid',
    tags: ['admin'],
    params: ProgrammeIdParams,
    body: StartPayoutRunBody,
    response: {
      status: 202,
      description: 'Started; follow it with GET /v1/payout-runs/{runId}',
      schema: PayoutRunAccepted,
    },
    errors: ['validation_failed', 'forbidden', 'not_found'],
  }),
  listPayoutRuns: defineRoute({
    operationId: 'listPayoutRuns',
    method: 'GET',
    path: '/v1/programmes/{programmeId}/payout-runs',
    group: 'admin',
    auth: ['admin'],
    summary: 'A programme’s payout runs, newest first, for admins of its owner or above',
    tags: ['admin'],
    params: ProgrammeIdParams,
    response: { status: 200, description: 'The runs', schema: PayoutRunList },
    errors: ['not_found'],
  }),
  getPayoutRun: defineRoute({
    operationId: 'getPayoutRun',
    method: 'GET',
    path: '/v1/payout-runs/{runId}',
    group: 'admin',
    auth: ['admin'],
    summary:
      'A payout run: status, counts of instructions, each funder’s money that reached workers, failures',
    tags: ['admin'],
    params: PayoutRunParams,
    response: { status: 200, description: 'The run', schema: PayoutRunView },
    errors: ['not_found'],
  }),
  downloadBankFile: defineRoute({
    operationId: 'downloadBankFile',
    method: 'GET',
    path: '/v1/payout-runs/{runId}/bank-files/{payerOrgId}',
    group: 'admin',
    auth: ['admin'],
    summary:
      'A presigned GET (five minutes) of a paying org’s bank batch file, for admins of that org or above; every download is audited',
    tags: ['admin'],
    params: BankFileParams,
    response: { status: 200, description: 'Download link', schema: BankFileDownload },
    errors: ['not_found'],
  }),
  importBankResults: defineRoute({
    operationId: 'importBankResults',
    method: 'POST',
    path: '/v1/payout-runs/{runId}/bank-results',
    group: 'admin',
    auth: ['admin'],
    summary:
      'Import a bank’s result file for one paying org: each line paid or failed once; the run ends when every line has its result',
    tags: ['admin'],
    params: PayoutRunParams,
    body: BankResultsBody,
    response: { status: 200, description: 'One outcome per line', schema: BankResultsReport },
    errors: ['validation_failed', 'not_found'],
  }),
  revokeApplication: defineRoute({
    operationId: 'revokeApplication',
    method: 'POST',
    path: '/v1/applications/{id}/revoke',
    group: 'admin',
    auth: ['admin'],
    summary:
      'Revoke a paid application: it keeps its place (never paid twice) and owes the money paid back (a claw-back)',
    tags: ['admin'],
    params: ApplicationIdParams,
    body: RevokeBody,
    response: { status: 200, description: 'Revoked', schema: ApplicationView },
    errors: ['validation_failed', 'not_found', 'forbidden', 'invalid_state'],
  }),
} as const;
