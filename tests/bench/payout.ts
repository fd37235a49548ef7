import { join } from 'node:path';
import { SandboxRail } from '../../shared/adapters/rails/sandbox.ts';
import { backoffMs, sleep } from '../../shared/adapters/retry.ts';
import { payPageFaults } from '../../shared/services/payout-faults.ts';
import { payPage } from '../../shared/services/payout-page.ts';
import { reconcileRun } from '../../shared/services/payout-settlement.ts';
import { PAYOUT_MAP_CONCURRENCY } from '../../shared/workflows/payout-run.ts';
import {
  type PayoutFaults,
  payoutFaultEnv,
  payoutScenario,
  plannedRun,
  seedPayable,
  transferUnits,
} from '../support/payout-run.ts';
import { type BenchContext, pool, round } from './support.ts';

export interface PayoutResult {
  instructions: number;
  failureRate: number;
  paid: number;
  duplicates: number;
  seconds: number;
  directLoopSeconds: number;
  /** directLoopSeconds ÷ seconds: the share of the direct loop's speed the run keeps (kept for older results). */
  ratio: number;
  /** seconds ÷ directLoopSeconds: what the orchestration costs over the same work done in a plain loop. */
  overheadRatio: number;
}

export interface PayoutDiagnostics {
  status: string;
  /** The run's first problems: for a run that did not succeed, why it stopped. */
  problems: string[];
  secondRunPlanned: number;
  railCalls: number;
  railRepeats: number;
  pageAttempts: number;
  directLoopPageAttempts: number;
  directLoopStatus: string;
}

const INSTRUCTIONS = 10_000;
/**
 * A tenth of rail calls fail: most before paying (transient errors, timeouts), some after paying with
 * the answer lost — the case that would pay twice without idempotency keys. Besides, a page now and
 * then "crashes" between the rail's answer and the state write.
 */
const FAULTS: PayoutFaults = {
  transientRate: 0.08,
  timeoutRate: 0.01,
  lostAnswerRate: 0.01,
  crashRate: 0.005,
};
const FAILURE_RATE = (FAULTS.transientRate ?? 0) + (FAULTS.timeoutRate ?? 0) + (FAULTS.lostAnswerRate ?? 0);

/**
 * The payout run (architecture.md §4) as the local Step Functions runner executes its ASL with the `payouts`
 * function's code, over 10,000 instructions with rail faults injected, against a direct loop that does
 * the same work on a second programme seeded alike: the same plan, the same pages paid by the same
 * code (`payPage`) with the same faults and as many pages at once, each page retried until it
 * settles, the same reconciliation — every record the run writes, without the state machine, the
 * task invocations and their retries' waits. `overheadRatio` is what the orchestration costs.
 */
export async function payoutSuite(
  ctx: BenchContext,
): Promise<{ result: PayoutResult; diagnostics: PayoutDiagnostics }> {
  const faultEnv = payoutFaultEnv(FAULTS);
  const saved = Object.fromEntries(Object.keys(faultEnv).map((k) => [k, process.env[k]]));
  ctx.log(`payout: seeding ${INSTRUCTIONS} instructions and running the payout run…`);
  let scenario: Awaited<ReturnType<typeof payoutScenario>> | undefined;
  try {
    scenario = await payoutScenario({
      applications: INSTRUCTIONS - transferUnits,
      faults: FAULTS,
      dataDir: join(ctx.workDir, 'payout'),
      dynamodbEndpoint: ctx.dynamodbEndpoint,
      tableName: 'bench-payout',
    });
    const { first, second, ledger, stats } = scenario;
    ctx.log(`payout: ${first.planned} instructions in ${round(first.ms / 1000)} s (${first.status})`);

    const direct = await directLoop(scenario.deps, `${scenario.programmeId}-direct`, first.planned);
    const directLoopSeconds = direct.seconds;
    ctx.log(`payout: the direct loop paid as many in ${round(directLoopSeconds)} s`);
    const seconds = first.ms / 1000;
    return {
      result: {
        instructions: first.planned,
        failureRate: round(FAILURE_RATE, 3),
        paid: first.paid,
        duplicates: ledger.duplicates,
        seconds: round(seconds, 2),
        directLoopSeconds: round(directLoopSeconds, 2),
        ratio: round(directLoopSeconds / seconds, 3),
        overheadRatio: round(seconds / directLoopSeconds, 2),
      },
      diagnostics: {
        status: first.status,
        // Why a run that did not succeed stopped (Reconcile records the state machine's error).
        problems: first.problems.slice(0, 5),
        secondRunPlanned: second.planned,
        railCalls: stats.railCalls,
        railRepeats: stats.railRepeats,
        pageAttempts: stats.pageAttempts,
        directLoopPageAttempts: direct.pageAttempts,
        directLoopStatus: direct.status,
      },
    };
  } finally {
    await scenario?.stack.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * The run's work without its orchestration: a programme seeded as the scenario's, planned by the
 * run's own Plan, its transfer pages then its payment pages paid by `payPage` with the same rail
 * faults and crash rate, {@link PAYOUT_MAP_CONCURRENCY} pages at once, a page that throws paid again
 * at once (as the local runner's fast retries do), then Reconcile. Timed from planning to the report.
 */
async function directLoop(
  deps: Parameters<typeof payPage>[0],
  programmeId: string,
  expected: number,
): Promise<{ seconds: number; pageAttempts: number; status: string }> {
  await seedPayable(deps, programmeId, expected - transferUnits);
  const rail = new SandboxRail(deps.db, deps.config.tableName, {
    transientRate: FAULTS.transientRate ?? 0,
    timeoutRate: FAULTS.timeoutRate ?? 0,
    lostAnswerRate: FAULTS.lostAnswerRate ?? 0,
  });
  const hooks = payPageFaults({ crashRate: FAULTS.crashRate ?? 0 });
  const runId = `${programmeId}-run`;
  let pageAttempts = 0;
  const started = performance.now();
  const plan = await plannedRun(deps, runId, programmeId);
  if (plan.planned !== expected)
    throw new Error(`the direct loop planned ${plan.planned}, the run ${expected}`);
  for (const pages of [plan.transferPages, plan.paymentPages]) {
    await pool(pages, PAYOUT_MAP_CONCURRENCY, async (page) => {
      for (let attempt = 0; ; attempt++) {
        pageAttempts++;
        try {
          return await payPage(deps, rail, page, hooks);
        } catch {
          await sleep(backoffMs(Math.min(attempt, 4), 5, 100));
        }
      }
    });
  }
  const { status } = await reconcileRun(deps, runId, null, new Date());
  return { seconds: (performance.now() - started) / 1000, pageAttempts, status };
}
