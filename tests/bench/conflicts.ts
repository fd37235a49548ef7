import { faultStats } from '../../shared/adapters/fault-injection.ts';
import { recordCounts } from '../../shared/observer.ts';
import {
  type BenchContext,
  prepareRush,
  quantile,
  readBackPlaces,
  round,
  startBenchStack,
  submitRush,
} from './support.ts';

/** The share of transactions failed with `TransactionConflict` (design §3: real DynamoDB does, DynamoDB Local never). */
export const INJECTED_CONFLICT_RATE = 0.3333;

export interface ConflictsResult {
  submits: number;
  injectedConflictRate: number;
  claimed: number;
  overAllocated: number;
  retries: number;
}

export interface ConflictsDiagnostics {
  injected: number;
  seconds: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  waitlisted: number;
  failures: Record<string, number>;
  problems: string[];
}

/**
 * The claims rush again, on a second local stack whose handlers fail a third of their transactions
 * with `TransactionConflict` (read at cold start from `INJECT_TRANSACTION_CONFLICT_RATE`): the
 * retries must absorb every one and count nothing twice.
 */
export async function conflictsSuite(
  ctx: BenchContext,
): Promise<{ result: ConflictsResult; diagnostics: ConflictsDiagnostics }> {
  const stack = await startBenchStack(ctx, 'conflicts', {
    INJECT_TRANSACTION_CONFLICT_RATE: String(INJECTED_CONFLICT_RATE),
  });
  try {
    ctx.log(`conflicts: preparing ${ctx.submits} drafts…`);
    const workers = await prepareRush(stack, {
      programmeId: 'bench-conflicts',
      places: ctx.places,
      drafts: ctx.submits,
    });
    const injectedBefore = faultStats.injectedTransactionConflicts;
    const counts = recordCounts();
    const rush = await submitRush(stack, workers);
    const retries = counts.get('retry.transactionConflicts');
    counts.stop();
    const injected = faultStats.injectedTransactionConflicts - injectedBefore;
    ctx.log(
      `conflicts: ${ctx.submits} HTTP submits in ${round(rush.seconds)} s, ${retries} conflicts retried`,
    );
    const back = await readBackPlaces(stack, 'bench-conflicts', workers);
    return {
      result: {
        submits: ctx.submits,
        injectedConflictRate: INJECTED_CONFLICT_RATE,
        claimed: back.claimed,
        overAllocated: back.overAllocated,
        retries,
      },
      diagnostics: {
        injected,
        seconds: rush.seconds,
        perSec: rush.perSec,
        p50Ms: round(quantile(rush.latenciesMs, 0.5), 0),
        p99Ms: round(quantile(rush.latenciesMs, 0.99), 0),
        waitlisted: back.waitlisted,
        failures: rush.failures,
        problems: back.problems,
      },
    };
  } finally {
    await stack.stop();
  }
}
