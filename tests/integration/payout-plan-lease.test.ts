import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeLocally } from '../../infra/local/invocation.ts';
import { sleep } from '../../shared/adapters/retry.ts';
import { loadConfig } from '../../shared/config.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { PLAN_ROUND, PlanInProgress, PlanLeaseLost, planRun } from '../../shared/services/payout-plan.ts';
import { finishRun } from '../../shared/services/payout-settlement.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { PLAN_LEASE_SECONDS } from '../../shared/workflows/payout-run.ts';
import { leaseHeldBy, recordedRun, runPayout, seedPayable } from '../support/payout-run.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * One Plan attempt at a time (architecture.md §4). Step Functions retries a Plan whose invocation
 * failed, and on Lambda an invocation that middy failed just before its timeout is frozen with its
 * work under way and may thaw beside the retry: locally, on 2026-12-01, two Plans of one run at once
 * split its transfers between them (10,002 instructions for 10,000). The run's planning lease lets one
 * attempt plan; a second waits (`PlanInProgress`, retried by the state machine); an attempt whose
 * invocation is out of time stops writing (its `signal`), and one that outlived its lease records nothing.
 */
let stack: TestStack;
let deps: Deps;
let programmes = 0;
const APPLICATIONS = 600;
/** Transactions of holds the out-of-time attempt sends before its signal aborts (600 payments take ~20). */
const HOLD_CHUNKS_BEFORE_ABORT = 12;
/** Chunks of holds a Plan sends at once (payout-holds-repo.ts). */
const PAYOUT_WRITE_CONCURRENCY = 8;

beforeAll(async () => {
  stack = await startTestStack({ workflows: { resume: false, retryIntervalOverrides: { Plan: 1000 } } });
  deps = createDeps(loadConfig());
}, 120_000);
afterAll(async () => {
  deps?.db.destroy();
  await stack?.stop();
});

/** A fresh programme of approved applications holding places, and a run of it recorded, not planned. */
async function payableRun(applications = APPLICATIONS): Promise<{ programmeId: string; runId: string }> {
  const programmeId = `lease-${++programmes}`;
  await seedPayable(deps, programmeId, applications);
  const runId = `${programmeId}-run`;
  await recordedRun(deps, runId, programmeId);
  return { programmeId, runId };
}

/** Deps on a client of their own whose every write passes `before` first (a count, or a fault injected). */
function depsWatched(name: string, before: (command: string) => void | Promise<void>): Deps {
  const watched = createDeps(loadConfig());
  watched.db.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      if (/Put|Update|Write|Delete/.test(command)) await before(command);
      return next(args);
    },
    { step: 'initialize', name },
  );
  return watched;
}

/**
 * What a run planned, as the table has it: the plan is exactly the run's holds, each key once, on
 * the pages the run records.
 */
async function planOf(programmeId: string, runId: string) {
  const run = await deps.payouts.getRun(runId);
  const instructions = await deps.instructions.ofRun(runId);
  const held = (await deps.holds.ofProgramme(programmeId)).filter((h) => h.runId === runId);
  const keys = instructions.map((i) => i.key);
  expect(new Set(keys).size).toBe(keys.length);
  expect([...keys].sort()).toEqual(held.map((h) => h.key).sort());
  for (const phase of ['transfers', 'payments'] as const) {
    const pages = new Set(instructions.filter((i) => i.phase === phase).map((i) => i.page));
    expect([...pages].sort((a, b) => a - b)).toEqual([...Array(run?.pages?.[phase] ?? 0).keys()]);
  }
  expect(run?.planned).toBe(instructions.length);
  return { run, planned: instructions.length };
}

describe('a payout run’s planning lease (architecture.md §4)', () => {
  it('a second Plan of the run waits while the first plans, then answers the first’s pages', async () => {
    const { programmeId, runId } = await payableRun();
    let second: Promise<unknown> | undefined;
    const first = depsWatched('second-plan-mid-way', (command) => {
      // Once the first attempt is taking its holds, the retry arrives.
      if (command === 'TransactWriteItemsCommand' && !second) {
        second = planRun(deps, runId, programmeId, new Date()).then(
          () => 'planned',
          (err: unknown) => err,
        );
      }
    });
    const plan = await planRun(first, runId, programmeId, new Date());
    first.db.destroy();
    expect(await second).toBeInstanceOf(PlanInProgress);
    const { run, planned } = await planOf(programmeId, runId);
    expect(planned).toBe(plan.planned);
    expect(run?.planLeaseToken).toBeUndefined();
    // The retry, once the first has recorded its pages, answers them without planning again.
    const again = await planRun(deps, runId, programmeId, new Date());
    expect(again).toEqual(plan);
    expect((await planOf(programmeId, runId)).planned).toBe(plan.planned);
  });

  it('an attempt out of time stops writing and gives the lease up; its retry plans all of it', async () => {
    const control = await payableRun();
    const expected = (await planRun(deps, control.runId, control.programmeId, new Date())).planned;

    const { programmeId, runId } = await payableRun();
    const timeout = new AbortController();
    let holdWrites = 0;
    const afterAbort: string[] = [];
    const first = depsWatched('out-of-time', (command) => {
      if (timeout.signal.aborted) afterAbort.push(command);
      // middy aborts the invocation's signal as its time runs out: here while it takes its holds.
      if (command === 'TransactWriteItemsCommand' && ++holdWrites === HOLD_CHUNKS_BEFORE_ABORT)
        timeout.abort();
    });
    await expect(planRun(first, runId, programmeId, new Date(), timeout.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
    first.db.destroy();
    // After the abort: no further chunk of holds (only those a worker had already taken), then the
    // lease's release, and nothing of the plan.
    const chunksAfter = afterAbort.filter((c) => c === 'TransactWriteItemsCommand').length;
    expect(chunksAfter).toBeLessThan(PAYOUT_WRITE_CONCURRENCY);
    expect(afterAbort.filter((c) => c !== 'TransactWriteItemsCommand')).toEqual(['UpdateItemCommand']);
    const heldBefore = (await deps.holds.ofProgramme(programmeId)).length;
    expect(heldBefore).toBeGreaterThan(0);
    expect(heldBefore).toBeLessThan(expected);
    const stopped = await deps.payouts.getRun(runId);
    expect(stopped?.planLeaseToken).toBeUndefined();
    expect(stopped?.holdsTaken).toBeUndefined();
    expect(await deps.instructions.ofRun(runId)).toHaveLength(0);

    const retried = await planRun(deps, runId, programmeId, new Date());
    expect(retried.planned).toBe(expected);
    expect((await planOf(programmeId, runId)).planned).toBe(expected);
  });

  it('an attempt out of time while writing its instructions: the retry writes only the rounds not recorded', async () => {
    // One payment an application and a transfer a unit: more than a round of instructions.
    const { programmeId, runId } = await payableRun(PLAN_ROUND + 100);
    const timeout = new AbortController();
    let writingPlan = false;
    const first = depsWatched('out-of-time-writing', (command) => {
      if (command === 'BatchWriteItemCommand') writingPlan = true;
      // The first round is stored and its count is being recorded when the time runs out.
      if (command === 'UpdateItemCommand' && writingPlan) timeout.abort();
    });
    await expect(planRun(first, runId, programmeId, new Date(), timeout.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
    first.db.destroy();
    const stopped = await deps.payouts.getRun(runId);
    expect(stopped).toMatchObject({ holdsTaken: true, planWritten: PLAN_ROUND });
    expect(stopped?.planLeaseToken).toBeUndefined();

    const rewritten: string[] = [];
    const retry = depsWatched('retry-writes', () => {});
    retry.db.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as {
          RequestItems?: Record<string, { PutRequest?: { Item?: Record<string, unknown> } }[]>;
        };
        for (const request of Object.values(input.RequestItems ?? {}).flat()) {
          const item = request.PutRequest?.Item;
          if (item?.type === 'payout-instruction') rewritten.push(String(item.key));
        }
        return next(args);
      },
      { step: 'initialize', name: 'instructions-written' },
    );
    const plan = await planRun(retry, runId, programmeId, new Date());
    retry.db.destroy();
    expect(plan.planned).toBeGreaterThan(PLAN_ROUND);
    expect(rewritten).toHaveLength(plan.planned - PLAN_ROUND);
    expect((await planOf(programmeId, runId)).planned).toBe(plan.planned);
  });

  it('the payouts function: middy aborts a Plan out of time, which stops before its pages and gives the lease up', async () => {
    const { programmeId, runId } = await payableRun(PLAN_ROUND + 100);
    const { handler } = await import('../../functions/payouts.ts');
    // The run's lease as the attempt takes it and gives it up, watched from before the invocation.
    const lease: (string | undefined)[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const token = (await deps.payouts.getRun(runId))?.planLeaseToken;
        if (token !== lease.at(-1)) lease.push(token);
        await sleep(20);
      }
    })();
    // Half a second where the function has 300: planning 1,100 payments takes seconds.
    await expect(
      invokeLocally('payouts', 0.5, (context) => handler({ action: 'plan', runId, programmeId }, context)),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    // middy has answered; the attempt's own work stops at its next write and gives the lease up.
    await expect.poll(() => lease.length >= 2 && lease.at(-1) === undefined, { timeout: 20_000 }).toBe(true);
    watching = false;
    await watcher;
    expect((await deps.payouts.getRun(runId))?.pages).toBeUndefined();
    const plan = await planRun(deps, runId, programmeId, new Date());
    expect((await planOf(programmeId, runId)).planned).toBe(plan.planned);
    expect(plan.planned).toBeGreaterThan(PLAN_ROUND + 100);
  });

  it('a lease whose holder vanished is taken over once its time is up, and the holder can record nothing', async () => {
    const { programmeId, runId } = await payableRun();
    const t0 = new Date();
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
    // An attempt took the lease and its invocation died (or froze) before it planned.
    const vanished = await deps.payouts.takePlanLease(
      runId,
      'vanished',
      t0.toISOString(),
      at(PLAN_LEASE_SECONDS).toISOString(),
    );
    expect(vanished?.planLeaseToken).toBe('vanished');
    await expect(planRun(deps, runId, programmeId, at(PLAN_LEASE_SECONDS - 1))).rejects.toBeInstanceOf(
      PlanInProgress,
    );
    const plan = await planRun(deps, runId, programmeId, at(PLAN_LEASE_SECONDS + 1));
    expect(plan.planned).toBeGreaterThan(APPLICATIONS);
    // Thawed, the old attempt records its (stale) plan: refused, the run is as its successor left it.
    expect(await deps.payouts.updateRunLeased(runId, 'vanished', { planned: 1, status: 'paying' })).toBe(
      false,
    );
    expect((await planOf(programmeId, runId)).planned).toBe(plan.planned);
    // A planned run's lease cannot be taken again.
    expect(
      await deps.payouts.takePlanLease(runId, 'late', at(1000).toISOString(), at(2000).toISOString()),
    ).toBe(undefined);
  });

  it('a Plan still running when its run is given up records nothing and does not reopen the run', async () => {
    const { programmeId, runId } = await payableRun(20);
    // The execution is given up (as `finishRun` ends a run whose execution died) while a Plan
    // invocation that outlived it takes its first holds.
    let ended = false;
    const zombie = depsWatched('end-the-run-meanwhile', async (command) => {
      if (ended || command !== 'TransactWriteItemsCommand') return;
      ended = true;
      await finishRun(deps, runId, [], { Error: 'Killed' }, new Date());
    });
    await expect(planRun(zombie, runId, programmeId, new Date())).rejects.toBeInstanceOf(PlanLeaseLost);
    expect(ended).toBe(true);
    const run = await deps.payouts.getRun(runId);
    expect(run?.status).toBe('failed');
    expect(run?.pages).toBeUndefined();
    expect(await deps.payouts.openRunOf(programmeId)).toBeUndefined();
    zombie.db.destroy();
  });

  it('the state machine retries a Plan that finds the lease held, and the run pays everyone once', async () => {
    // The run is recorded and an attempt that vanished holds its lease for 3 s; then it is launched.
    const { programmeId, runId } = await payableRun();
    const vanished = await leaseHeldBy(deps, runId, 'vanished', 3_000);
    expect(vanished?.planLeaseToken).toBe('vanished');
    const result = await runPayout(deps, stack, programmeId, runId);
    expect(result).toMatchObject({ executionStatus: 'SUCCEEDED', status: 'succeeded', failed: 0 });
    expect(result.paid).toBe(result.planned);
    expect((await planOf(programmeId, runId)).planned).toBe(result.planned);
    // Nothing was held while the vanished attempt's lease ran.
    const heldAt = (await deps.holds.ofProgramme(programmeId)).map((h) => h.heldAt).sort();
    expect(heldAt[0] && heldAt[0] >= (vanished?.planLeaseUntil ?? '')).toBe(true);
  });
});
