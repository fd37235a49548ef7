import { cancellationReasons } from './errors.ts';

/** Counts of what the retry loop absorbed, read by tests and benchmarks. */
export const retryStats = { transactionConflicts: 0, staleReceipts: 0 };

/** True for contention that real DynamoDB reports and that succeeds when tried again. */
export function isTransactionConflict(err: unknown): boolean {
  if (err instanceof Error && err.name === 'TransactionConflictException') return true;
  return cancellationReasons(err)?.includes('TransactionConflict') ?? false;
}

/** Full-jitter exponential backoff: a random wait in [0, min(cap, base·2^attempt)). */
export function backoffMs(attempt: number, baseMs = 8, capMs = 400): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `attempt` until it succeeds, retrying only transaction conflicts, with jittered backoff.
 * Every other error — condition failures included — goes straight to the caller, which decides.
 */
export async function retryConflicts<T>(attempt: () => Promise<T>, maxAttempts = 12): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isTransactionConflict(err) || i + 1 >= maxAttempts) throw err;
      retryStats.transactionConflicts++;
      await sleep(backoffMs(i));
    }
  }
}
