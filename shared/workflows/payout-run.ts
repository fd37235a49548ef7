import { type Asl, type FunctionArns, lambdaRetry } from './asl.ts';

/** Longest run of one Task of the payouts function, in seconds (its Lambda timeout in CDK too). */
export const PAYOUT_TASK_TIMEOUT_SECONDS = 300;
/**
 * How long a Plan attempt holds its run's planning lease: its Task's timeout and a minute for the
 * writes it had under way. A retry that finds the lease held waits (`PlanInProgress`) until it ends.
 */
export const PLAN_LEASE_SECONDS = PAYOUT_TASK_TIMEOUT_SECONDS + 60;
/**
 * Plan's wait for another attempt's lease: 15, 30, 60, 120, 120, 120 s, together longer than a lease,
 * so an attempt that died holding it is outlived (tests/unit/payout-run-workflow.test.ts holds the two together).
 */
export const PLAN_IN_PROGRESS_RETRY = {
  ErrorEquals: ['PlanInProgress'],
  IntervalSeconds: 15,
  MaxAttempts: 6,
  BackoffRate: 2,
  MaxDelaySeconds: 120,
};
/** Pages paid at once by each Map: bounded so the rail and the table see a steady load. */
export const PAYOUT_MAP_CONCURRENCY = 8;

/**
 * The payout run (architecture.md §4), input `{runId, programmeId}`: Plan stores the instructions and returns
 * page descriptors (never instructions); PayTransfers pays city → unit transfers page by page, then
 * PayPayments pays the workers, each a Map with bounded concurrency and a Retry with backoff on
 * every page; Reconcile compares paid totals per funder and payer with the plan and records the
 * report; the run ends Succeeded or Failed. With the bank_file rail, Reconcile writes the batch files
 * instead and the execution ends (AwaitingBank) while the run waits for the bank's result import. A failure anywhere still reaches Reconcile, so the run
 * record always ends `succeeded` or `failed`.
 *
 * Scale: an inline Map runs at most 40 iterations at once and an execution keeps 25,000 history
 * events; pages of 100 keep a run of ~500,000 payments inside that. Past it, a Distributed Map with
 * an S3 item reader of the page descriptors (not available in the local runner).
 */
export function payoutRunDefinition(arns: FunctionArns): Asl {
  const task = (parameters: Record<string, unknown>) => ({
    Type: 'Task',
    Resource: arns.payouts,
    Parameters: parameters,
    TimeoutSeconds: PAYOUT_TASK_TIMEOUT_SECONDS,
  });
  const catchToReconcile = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Reconcile' }];
  // Names of Map item states are unique across the definition: the local runner maps Tasks by name.
  const payMap = (itemsPath: string, pageState: string, next: string) => ({
    Type: 'Map',
    ItemsPath: itemsPath,
    MaxConcurrency: PAYOUT_MAP_CONCURRENCY,
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: pageState,
      States: {
        [pageState]: {
          ...task({ action: 'payPage', 'page.$': '$' }),
          ResultSelector: { 'paid.$': '$.paid', 'failed.$': '$.failed' },
          Retry: [
            {
              // A page left unsettled (rail errors) is paid again: every instruction is idempotent by
              // its key. A page attempt that crashed is a task failure, retried by lambdaRetry below.
              ErrorEquals: ['PayPageIncomplete'],
              IntervalSeconds: 2,
              MaxAttempts: 8,
              BackoffRate: 2,
              MaxDelaySeconds: 60,
              JitterStrategy: 'FULL',
            },
            ...lambdaRetry(),
          ],
          End: true,
        },
      },
    },
    ResultPath: null,
    Catch: catchToReconcile,
    Next: next,
  });
  return {
    Comment: 'edu-subsidy payout run: plan, pay union transfers, pay workers, reconcile',
    StartAt: 'Begin',
    States: {
      // `error` is null unless a Catch fills it, so Reconcile can always read it.
      Begin: {
        Type: 'Pass',
        Parameters: { 'runId.$': '$.runId', 'programmeId.$': '$.programmeId', error: null },
        Next: 'Plan',
      },
      Plan: {
        ...task({ action: 'plan', 'runId.$': '$.runId', 'programmeId.$': '$.programmeId' }),
        // Listed first: States.TaskFailed in lambdaRetry matches PlanInProgress too.
        Retry: [PLAN_IN_PROGRESS_RETRY, ...lambdaRetry()],
        ResultSelector: {
          'planned.$': '$.planned',
          'transferPages.$': '$.transferPages',
          'paymentPages.$': '$.paymentPages',
        },
        ResultPath: '$.plan',
        Catch: catchToReconcile,
        Next: 'PayTransfers',
      },
      PayTransfers: payMap('$.plan.transferPages', 'PayTransferPage', 'PayPayments'),
      PayPayments: payMap('$.plan.paymentPages', 'PayPaymentPage', 'Reconcile'),
      Reconcile: {
        ...task({ action: 'reconcile', input: { 'runId.$': '$.runId', 'error.$': '$.error' } }),
        Retry: lambdaRetry(),
        ResultPath: '$.result',
        Next: 'Reconciled',
      },
      Reconciled: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.result.status', StringEquals: 'succeeded', Next: 'Done' },
          { Variable: '$.result.status', StringEquals: 'awaiting_bank', Next: 'AwaitingBank' },
        ],
        Default: 'NotReconciled',
      },
      Done: { Type: 'Succeed' },
      // bank_file: the batch files are written; the bank's result import settles and reconciles the run.
      AwaitingBank: { Type: 'Succeed' },
      NotReconciled: {
        Type: 'Fail',
        Error: 'PayoutNotReconciled',
        Cause: 'Some instructions were not paid or the totals differ from the plan; see the run record.',
      },
    },
  };
}
