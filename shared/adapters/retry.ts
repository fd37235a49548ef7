import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { channelObserver, type Observer } from '../observer.ts';
import { isTransactionConflict } from './errors.ts';

export { isTransactionConflict };

/**
 * The one retry policy of the persistence layer: full-jitter exponential backoff, a bounded number
 * of attempts, and a decision per failure whether (and how soon) to try again. Every retry loop of
 * the adapters is {@link withRetry}; {@link transactWithRetry} is the common case.
 */

/** One item of a `TransactWriteItems` request. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Full-jitter exponential backoff: a random wait in [0, min(cap, base·2^attempt)). */
export function backoffMs(attempt: number, baseMs = 8, capMs = 400): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RetryOptions {
  maxAttempts: number;
  /**
   * After attempt `n` (0-based) failed with `err`: the wait in ms before trying again, or `undefined`
   * to give up and rethrow. It may throw a more telling error itself.
   */
  retryAfter: (err: unknown, n: number) => number | undefined;
  /** What to throw when every attempt failed (default: the last failure). */
  exhausted?: (last: unknown) => unknown;
}

/**
 * Runs `attempt` until it succeeds, as long as {@link RetryOptions.retryAfter} says to try again.
 *
 * @example
 * await withRetry(() => db.send(command), {
 *   maxAttempts: 12,
 *   retryAfter: (err, n) => (isTransactionConflict(err) ? backoffMs(n) : undefined),
 * });
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      const wait = options.retryAfter(err, n);
      if (wait === undefined) throw err;
      if (n + 1 >= options.maxAttempts) throw options.exhausted ? options.exhausted(err) : err;
      if (wait > 0) await sleep(wait);
    }
  }
}

/** Signals a round that left work to do (see {@link inRounds}). */
class WorkLeft extends Error {}

/**
 * Works `pending` off in rounds under the same policy: each round answers what it could not settle,
 * and the next round, after a backoff, takes only that. Answers what is left after `rounds` rounds,
 * or after the round under way once `backoff.signal` aborts.
 *
 * @example const unsure = await inRounds(keys, 3, (left) => payEach(left), { baseMs: 5, capMs: 50 })
 */
export async function inRounds<T>(
  pending: readonly T[],
  rounds: number,
  round: (pending: readonly T[]) => Promise<readonly T[]>,
  backoff: { baseMs: number; capMs: number; signal?: AbortSignal | undefined },
): Promise<T[]> {
  let left = [...pending];
  if (left.length === 0) return left;
  await withRetry(
    async () => {
      left = [...(await round(left))];
      if (left.length > 0) throw new WorkLeft();
    },
    {
      maxAttempts: rounds,
      retryAfter: (err, n) =>
        err instanceof WorkLeft && !backoff.signal?.aborted
          ? backoffMs(n, backoff.baseMs, backoff.capMs)
          : undefined,
    },
  ).catch((err: unknown) => {
    if (!(err instanceof WorkLeft)) throw err;
  });
  return left;
}

/** Attempts of a transaction retried for contention only. */
export const CONFLICT_ATTEMPTS = 12;

/**
 * Retries `attempt` on transaction conflicts only, counting each one. Every other error — condition
 * failures included — goes straight to the caller, which decides.
 */
export function retryConflicts<T>(
  attempt: () => Promise<T>,
  observer: Observer = channelObserver,
  maxAttempts = CONFLICT_ATTEMPTS,
): Promise<T> {
  return withRetry(attempt, {
    maxAttempts,
    retryAfter: (err, n) => {
      if (!isTransactionConflict(err)) return undefined;
      observer.count('retry.transactionConflicts');
      return backoffMs(n);
    },
  });
}

/** One `TransactWriteItems`, retried on conflicts; a failed condition is the caller's to read. */
export async function transactWithRetry(
  db: DynamoDBDocumentClient,
  items: readonly TransactItem[],
  observer: Observer = channelObserver,
): Promise<void> {
  if (items.length === 0) return;
  await retryConflicts(() => db.send(new TransactWriteCommand({ TransactItems: [...items] })), observer);
}
