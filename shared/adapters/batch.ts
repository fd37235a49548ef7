import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { backoffMs, withRetry } from './retry.ts';

/** TransactWriteItems takes at most 100 items. */
export const TRANSACTION_ITEMS = 100;
/** BatchWriteItem takes at most 25 requests, BatchGetItem 100 keys. */
const BATCH_WRITE_ITEMS = 25;
const BATCH_GET_KEYS = 100;
/** Rounds of unprocessed items retried before a batch call gives up. */
const BATCH_ATTEMPTS = 12;

/**
 * Runs `work` over `items` with at most `limit` at once. Once an item fails or `signal` aborts, no
 * item is started; the ones under way are awaited, then the pool throws the first failure or the
 * signal's reason, so nothing it started is still writing when the caller hears of it.
 */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !failure && !signal?.aborted) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(workers);
  if (failure) throw failure.error;
  signal?.throwIfAborted();
}

/** Splits `list`, in order, into chunks whose items (by `size`) fit one transaction. */
export function chunks<T>(list: readonly T[], size: (item: T) => number, limit = TRANSACTION_ITEMS): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of list) {
    const n = size(item);
    if (current.length > 0 && used + n > limit) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Thrown by a batch call whose unprocessed items survived every retry: DynamoDB kept throttling. */
class BatchLeftUnprocessed extends Error {
  constructor(readonly remaining: number) {
    super(`batch call: ${remaining} items left unprocessed`);
    this.name = 'BatchLeftUnprocessed';
  }
}

const unprocessedRetry = {
  maxAttempts: BATCH_ATTEMPTS,
  retryAfter: (err: unknown, n: number) =>
    err instanceof BatchLeftUnprocessed ? backoffMs(n, 20, 1000) : undefined,
};

/**
 * Puts every item, 25 to a `BatchWriteItem`, `concurrency` batches at once, sending unprocessed
 * items again with backoff. Plain puts: only for items whose keys make writing twice harmless.
 */
export async function batchWriteAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
  concurrency = 8,
  signal?: AbortSignal,
): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let n = 0; n < items.length; n += BATCH_WRITE_ITEMS)
    batches.push(items.slice(n, n + BATCH_WRITE_ITEMS));
  await pool(
    batches,
    concurrency,
    async (batch) => {
      type Requests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];
      let requests: Requests = batch.map((Item) => ({ PutRequest: { Item } }));
      await withRetry(async () => {
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = out.UnprocessedItems?.[tableName] ?? [];
        if (requests.length > 0) throw new BatchLeftUnprocessed(requests.length);
      }, unprocessedRetry);
    },
    signal,
  );
}

/**
 * Gets every item of `keys` (duplicates read once), 100 to a `BatchGetItem`, sending unprocessed keys
 * again with backoff. Keys without an item are simply absent from the answer, which is in no order.
 */
export async function batchGetAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, string>[],
  options: { consistent?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const unique = [...new Map(keys.map((k) => [JSON.stringify([k.pk, k.sk]), k])).values()];
  const found: Record<string, unknown>[] = [];
  for (let n = 0; n < unique.length; n += BATCH_GET_KEYS) {
    let ask: Record<string, unknown>[] = unique.slice(n, n + BATCH_GET_KEYS);
    await withRetry(async () => {
      const out = await db.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: ask,
              ...(options.consistent ? { ConsistentRead: true } : {}),
            },
          },
        }),
      );
      found.push(...(out.Responses?.[tableName] ?? []));
      ask = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
      if (ask.length > 0) throw new BatchLeftUnprocessed(ask.length);
    }, unprocessedRetry);
  }
  return found;
}
