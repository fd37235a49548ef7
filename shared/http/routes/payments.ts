import {
  BankFileParams,
  BankResultsBody,
  PayoutRunParams,
  StartPayoutRunBody,
} from '../../schemas/payouts.ts';
import { ProgrammeIdParams } from '../../schemas/programmes.ts';
import { defineRoute, view } from '../route.ts';

/**
 * The payments group's routes (role `admin`, within the caller's org subtree): payout runs (R7), the
 * paying orgs' bank batch files and the banks' result files. Served by `functions/payments.ts`, a
 * function of their own: the money paths' code and grants (the payout-run workflow, the bank files)
 * sit in no other function, and the admin function carries none of them.
 */
export const paymentRoutes = {
  startPayoutRun: defineRoute({
    operationId: 'startPayoutRun',
    method: 'POST',
    path: '/v1/programmes/{programmeId}/payout-runs',
    group: 'payments',
    auth: ['admin'],
    summary: 'Start a payout run (R7): pays every approved application holding a place not yet paid',
    tags: ['admin'],
    params: ProgrammeIdParams,
    body: StartPayoutRunBody,
    response: {
      status: 202,
      description: 'Started; follow it with GET /v1/payout-runs/{runId}',
      schema: view('PayoutRunAccepted'),
    },
    // 409 `invalid_state`: a run of the programme has not ended yet (one at a time).
    errors: ['validation_failed', 'forbidden', 'not_found', 'invalid_state'],
  }),
  listPayoutRuns: defineRoute({
    operationId: 'listPayoutRuns',
    method: 'GET',
    path: '/v1/programmes/{programmeId}/payout-runs',
    group: 'payments',
    auth: ['admin'],
    summary: 'A programme’s payout runs, newest first, for admins of its owner or above',
    tags: ['admin'],
    params: ProgrammeIdParams,
    response: { status: 200, description: 'The runs', schema: view('PayoutRunList') },
    errors: ['not_found'],
  }),
  getPayoutRun: defineRoute({
    operationId: 'getPayoutRun',
    method: 'GET',
    path: '/v1/payout-runs/{runId}',
    group: 'payments',
    auth: ['admin'],
    summary:
      'A payout run: status, counts of instructions, each funder’s money that reached workers, failures',
    tags: ['admin'],
    params: PayoutRunParams,
    response: { status: 200, description: 'The run', schema: view('PayoutRunView') },
    errors: ['not_found'],
  }),
  downloadBankFile: defineRoute({
    operationId: 'downloadBankFile',
    method: 'GET',
    path: '/v1/payout-runs/{runId}/bank-files/{payerOrgId}',
    group: 'payments',
    auth: ['admin'],
    summary:
      'A presigned GET (five minutes) of a paying org’s bank batch file, for admins of that org or above; every download is audited',
    tags: ['admin'],
    params: BankFileParams,
    response: { status: 200, description: 'Download link', schema: view('BankFileDownload') },
    errors: ['not_found'],
  }),
  importBankResults: defineRoute({
    operationId: 'importBankResults',
    method: 'POST',
    path: '/v1/payout-runs/{runId}/bank-results',
    group: 'payments',
    auth: ['admin'],
    summary:
      'Import a bank’s result file for one paying org: each line paid or failed once; the run ends when every line has its result',
    tags: ['admin'],
    params: PayoutRunParams,
    body: BankResultsBody,
    response: { status: 200, description: 'One outcome per line', schema: view('BankResultsReport') },
    errors: ['validation_failed', 'not_found'],
  }),
} as const;
