import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { FUNCTION_TIMEOUT_SECONDS } from '../../infra/function-timeouts.ts';
import { invokeLocally, lambdaContext } from '../../infra/local/invocation.ts';
import { LocalWorkflowRunner } from '../../infra/local/workflows.ts';
import { sleep } from '../../shared/adapters/retry.ts';
import { localFunctionArns, workflowFunctionTimeoutSeconds } from '../../shared/workflows/asl.ts';
import { workflowDefinitions } from '../../shared/workflows/index.ts';
import { PAYOUT_TASK_TIMEOUT_SECONDS } from '../../shared/workflows/payout-run.ts';

/**
 * The local stack's Lambda context gives a handler the time its deployed function has, counting down
 * (infra/function-timeouts.ts): middy fails an invocation just before that time runs out, locally as
 * deployed. Until 2026-12-01 every local handler was told 29 s were left, whatever its function, and a
 * payout run's Plan over 10,000 payments on a loaded machine was failed at 29 s and retried while it
 * still ran — two Plans of one run at once.
 */
describe('local invocations: the deployed function’s time', () => {
  it('counts down from the function’s timeout', async () => {
    const context = lambdaContext('applications', FUNCTION_TIMEOUT_SECONDS.api);
    const first = context.getRemainingTimeInMillis();
    expect(first).toBeLessThanOrEqual(29_000);
    expect(first).toBeGreaterThan(28_000);
    await sleep(30);
    expect(context.getRemainingTimeInMillis()).toBeLessThan(first);
  });

  it('a middy handler that outlasts its function’s timeout fails, one within it answers', async () => {
    const slow = middy(async () => {
      await sleep(400);
      return 'done';
    });
    const quick = middy(async () => 'done');
    await expect(invokeLocally('slow', 0.1, (context) => slow(undefined, context))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    await expect(invokeLocally('quick', 1, (context) => quick(undefined, context))).resolves.toBe('done');
  });

  it('a workflow Task’s handler has the time CDK gives its function, from the Task states', async () => {
    const arns = localFunctionArns();
    const definitions = workflowDefinitions(arns);
    const seen: { action: string; remainingMs: number }[] = [];
    const runner = new LocalWorkflowRunner(definitions, arns, {
      payouts: async (event: unknown, context: Context) => {
        const { action } = event as { action: string };
        seen.push({ action, remainingMs: context.getRemainingTimeInMillis() });
        return action === 'plan'
          ? { planned: 0, transferPages: [], paymentPages: [] }
          : { status: 'succeeded' };
      },
    });
    const id = await runner.start('payout-run', 'timeouts', { runId: 'r1', programmeId: 'p1' });
    expect((await runner.settled(id))?.status).toBe('SUCCEEDED');
    const timeoutMs = workflowFunctionTimeoutSeconds(Object.values(definitions), arns.payouts) * 1000;
    expect(timeoutMs).toBe(PAYOUT_TASK_TIMEOUT_SECONDS * 1000);
    expect(seen.map((s) => s.action)).toEqual(['plan', 'reconcile']);
    for (const s of seen) {
      expect(s.remainingMs).toBeLessThanOrEqual(timeoutMs);
      expect(s.remainingMs).toBeGreaterThan(timeoutMs - 5_000);
    }
  });
});
