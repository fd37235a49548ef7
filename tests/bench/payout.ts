import { join } from 'node:path';
import { SandboxRail } from '../../shared/adapters/rails/sandbox.ts';
import { backoffMs, sleep } from '../../shared/adapters/retry.ts';
import { PAYOUT_MAP_CONCURRENCY } from '../../shared/workflows/payout-run.ts';
import { type PayoutFaults, payoutFaultEnv, payoutScenario, transferUnits } from '../support/payout-run.ts';
import { type BenchContext, pool, round } from './support.ts';

export interface PayoutResult {
  instructions: number;
  failureRate: number;
  paid: number;
  duplicates: number;
  seconds: number;
  directLoopSeconds: number;
  ratio: number;
}

export interface PayoutDiagnostics {
  status: string;
  secondRunPlanned: number;
  railCalls: number;
  railRepeats: number;
  pageAttempts: number;
  directLoopRailCalls: number;
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
/** Instructions in flight at once in a run: pages paid at once by the Map × instructions at once in a page. */
const IN_FLIGHT = PAYOUT_MAP_CONCURRENCY * 10;

/**
 * The payout run (architecture.md §4) as the local Step Functions runner executes its ASL with the `payouts`
 * function's code, over 10,000 instructions with rail faults injected, against a direct loop that sends
 * as many payments to the same sandbox rail, with the same faults and as many in flight, retrying each
 * until paid — no plan, no instruction records, no state machine: what the run's safety costs.
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

    const rail = new SandboxRail(scenario.deps.db, scenario.deps.config.tableName, {
      transientRate: FAULTS.transientRate ?? 0,
      timeoutRate: FAULTS.timeoutRate ?? 0,
      lostAnswerRate: FAULTS.lostAnswerRate ?? 0,
    });
    let railCalls = 0;
    const started = performance.now();
    await pool(
      Array.from({ length: first.planned }, (_, i) => i),
      IN_FLIGHT,
      async (i) => {
        for (let attempt = 0; ; attempt++) {
          railCalls++;
          try {
            return await rail.pay({
              key: `bench-direct-${i}`,
              kind: 'payment',
              runId: 'bench-direct',
              payerOrgId: 'lc',
              amountFen: 200_000,
              funding: [{ funderOrgId: 'sd', amountFen: 200_000 }],
              programmeId: scenario?.programmeId ?? '',
              instructionSk: `direct-${i}`,
            });
          } catch {
            await sleep(backoffMs(Math.min(attempt, 4), 5, 100));
          }
        }
      },
    );
    const directLoopSeconds = (performance.now() - started) / 1000;
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
      },
      diagnostics: {
        status: first.status,
        secondRunPlanned: second.planned,
        railCalls: stats.railCalls,
        railRepeats: stats.railRepeats,
        pageAttempts: stats.pageAttempts,
        directLoopRailCalls: railCalls,
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
