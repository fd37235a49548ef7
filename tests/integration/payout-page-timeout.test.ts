import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentRails } from '../../shared/adapters/rails/index.ts';
import type { PaymentRail } from '../../shared/adapters/rails/rail.ts';
import { loadConfig } from '../../shared/config.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { payoutTaskHandler } from '../../shared/services/payout-tasks.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { instructionStatuses, ledgerAudit, plannedRun, seedPayable } from '../support/payout-run.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * A Pay page out of time (architecture.md §4). middy aborts the invocation's signal just before the
 * function's time runs out; on Lambda the invocation is then frozen with its work under way and may
 * thaw beside the page's retry. From the abort on, the page asks the rail nothing more: the
 * instructions it did not send stay `sending` for the retry, which is then the only one to send them.
 */
let stack: TestStack;
let deps: Deps;
/** Payments on the page the test pays: one full page (PAGE_SIZE). */
const PAGE = 100;
/** Rail calls answered before the invocation runs out of time. */
const CALLS_BEFORE_ABORT = 15;
/** Calls in flight at once to a rail that takes one instruction per call (payout-page.ts). */
const RAIL_CONCURRENCY = 10;

beforeAll(async () => {
  stack = await startTestStack({ workflows: { resume: false } });
  deps = createDeps(loadConfig());
}, 120_000);
afterAll(async () => {
  deps?.db.destroy();
  await stack?.stop();
});

describe('a payout page out of time (architecture.md §4)', () => {
  it('asks the rail nothing after its signal aborts, records what was answered, and its retry pays the rest once', async () => {
    const programmeId = 'page-timeout';
    const runId = `${programmeId}-run`;
    await seedPayable(deps, programmeId, PAGE);
    const plan = await plannedRun(deps, runId, programmeId);
    const sandbox = paymentRails(deps.db, deps.config.tableName, { STAGE: 'local' })('sandbox');
    const task = payoutTaskHandler(deps, () => sandbox);
    for (const page of plan.transferPages) await task({ action: 'payPage', page });
    const transfers = (await deps.payouts.getRun(runId))?.paidCount ?? 0;
    expect(transfers).toBeGreaterThan(0);

    const [page] = plan.paymentPages;
    if (!page || plan.paymentPages.length !== 1) throw new Error('expected one page of payments');
    // A rail that takes one instruction per call; the invocation runs out of time at its 15th call.
    const timeout = new AbortController();
    let calls = 0;
    const oneAtATime: PaymentRail = {
      name: 'sandbox',
      pay: (instruction) => {
        if (++calls === CALLS_BEFORE_ABORT) timeout.abort();
        return sandbox.pay(instruction);
      },
    };
    const outOfTime = payoutTaskHandler(deps, () => oneAtATime);
    await expect(outOfTime({ action: 'payPage', page }, timeout.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
    // Only the calls already under way when the signal aborted went on; nothing was asked again.
    expect(calls).toBeGreaterThanOrEqual(CALLS_BEFORE_ABORT);
    expect(calls).toBeLessThan(CALLS_BEFORE_ABORT + RAIL_CONCURRENCY);
    const answered = calls;
    // Every answer was recorded and counted; the rest wait, `sending`, for the retry.
    expect(await instructionStatuses(deps, runId)).toMatchObject({ paid: transfers + answered });
    expect((await instructionStatuses(deps, runId)).sending).toBe(PAGE - answered);
    expect((await deps.payouts.getRun(runId))?.paidCount).toBe(transfers + answered);

    // The retry (Step Functions runs the page again) sends only what was not answered.
    calls = 0;
    const retried = await payoutTaskHandler(deps, () => oneAtATime)({ action: 'payPage', page });
    expect(retried).toMatchObject({ paid: PAGE - answered, failed: 0, settledBefore: answered });
    expect(calls).toBe(PAGE - answered);
    expect(await instructionStatuses(deps, runId)).toEqual({ paid: transfers + PAGE });
    expect((await deps.payouts.getRun(runId))?.paidCount).toBe(transfers + PAGE);
    expect(await ledgerAudit(deps, runId)).toEqual({ entries: transfers + PAGE, duplicates: 0 });
  });
});
