import { describe, expect, it } from 'vitest';
import { LocalWorkflowRunner } from '../../infra/local/workflows.ts';
import { PlanInProgress } from '../../shared/services/payout-plan.ts';
import { localFunctionArns } from '../../shared/workflows/asl.ts';
import { workflowDefinitions } from '../../shared/workflows/index.ts';
import { PLAN_IN_PROGRESS_RETRY, PLAN_LEASE_SECONDS } from '../../shared/workflows/payout-run.ts';

/**
 * The payout run's Plan and its planning lease (architecture.md §4): a Plan attempt that finds another
 * holding the run's lease fails `PlanInProgress`, and the state machine waits and tries again, for
 * longer in all than a lease lasts, so an attempt that died holding it is outlived.
 */
describe('the payout run’s Plan waits for another attempt’s lease', () => {
  it('waits longer in all than a lease lasts, without jitter to shorten it', () => {
    const { IntervalSeconds, BackoffRate, MaxAttempts, MaxDelaySeconds } = PLAN_IN_PROGRESS_RETRY;
    const waits = Array.from({ length: MaxAttempts }, (_, n) =>
      Math.min(IntervalSeconds * BackoffRate ** n, MaxDelaySeconds),
    );
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(PLAN_LEASE_SECONDS);
    expect(PLAN_IN_PROGRESS_RETRY).not.toHaveProperty('JitterStrategy');
  });

  it('is the Plan state’s first retrier: States.TaskFailed would match PlanInProgress too', () => {
    const states = workflowDefinitions(localFunctionArns())['payout-run']?.States;
    expect((states?.Plan?.Retry as unknown[] | undefined)?.[0]).toEqual(PLAN_IN_PROGRESS_RETRY);
  });

  it('through the state machine: a Plan told PlanInProgress is run again, and the run goes on', async () => {
    const arns = localFunctionArns();
    const actions: string[] = [];
    let plans = 0;
    const runner = new LocalWorkflowRunner(
      workflowDefinitions(arns),
      arns,
      {
        payouts: async (event: unknown) => {
          const { action, runId } = event as { action: string; runId?: string };
          actions.push(action);
          if (action === 'plan' && ++plans <= 2) throw new PlanInProgress(runId ?? '');
          return action === 'plan'
            ? { planned: 0, transferPages: [], paymentPages: [] }
            : { status: 'succeeded' };
        },
      },
      { retryIntervalOverrides: { Plan: 1 } },
    );
    const id = await runner.start('payout-run', 'lease-held', { runId: 'r1', programmeId: 'p1' });
    const execution = await runner.settled(id);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(actions).toEqual(['plan', 'plan', 'plan', 'reconcile']);
  });
});
