import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What was injected in this process, read by tests and benchmarks. */
export const faultStats = { injectedTransactionConflicts: 0 };

/**
 * Makes a share of `TransactWriteItems` calls fail with `TransactionCanceledException`
 * (reason `TransactionConflict`) before they reach DynamoDB, as real DynamoDB does under contention
 * and DynamoDB Local never does. For tests and benchmarks only; returns a function that removes it.
 */
export function injectTransactionConflicts(
  client: DynamoDBClient | DynamoDBDocumentClient,
  options: { rate: number; random?: () => number },
): { remove: () => void; injected: () => number } {
  const random = options.random ?? Math.random;
  let injected = 0;
  const name = `inject-transaction-conflicts-${Math.random().toString(36).slice(2)}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand' && random() < options.rate) {
        injected++;
        faultStats.injectedTransactionConflicts++;
        const items = ((args.input as { TransactItems?: unknown[] }).TransactItems ?? []).length;
        throw new TransactionCanceledException({
          message:
            'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
          $metadata: { httpStatusCode: 400 },
          CancellationReasons: Array.from({ length: items }, (_, i) =>
            i === 0
              ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }
              : { Code: 'None' },
          ),
        });
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { remove: () => client.middlewareStack.remove(name), injected: () => injected };
}

/** Read and write capacity the instrumented clients consumed, per command name (local only). */
export const capacityStats = {
  /** `index`: the secondary index a Query or Scan read, if any. */
  calls: [] as { command: string; index?: string; read: number; write: number }[],
  reset() {
    this.calls.length = 0;
  },
};

type CapacityEntry = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };

/**
 * Asks DynamoDB for the consumed capacity of every call and records it, to state what an operation
 * costs (a submit, a queue page). For local measurements and benchmarks only.
 */
export function recordConsumedCapacity(client: DynamoDBClient | DynamoDBDocumentClient): void {
  const readOnly = new Set([
    'GetItemCommand',
    'QueryCommand',
    'ScanCommand',
    'BatchGetItemCommand',
    'TransactGetItemsCommand',
  ]);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const command = context.commandName ?? 'unknown';
      if (command !== 'DescribeTableCommand' && command !== 'ListTablesCommand')
        input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const raw = (result.output as { ConsumedCapacity?: CapacityEntry | CapacityEntry[] }).ConsumedCapacity;
      const entries = Array.isArray(raw) ? raw : raw ? [raw] : [];
      const total = entries.reduce((sum, e) => sum + (e.CapacityUnits ?? 0), 0);
      const read = entries.reduce((sum, e) => sum + (e.ReadCapacityUnits ?? 0), 0);
      const write = entries.reduce((sum, e) => sum + (e.WriteCapacityUnits ?? 0), 0);
      capacityStats.calls.push({
        command,
        ...(typeof input.IndexName === 'string' ? { index: input.IndexName } : {}),
        read: read || (readOnly.has(command) ? total : 0),
        write: write || (readOnly.has(command) ? 0 : total),
      });
      return result;
    },
    { step: 'initialize', name: 'record-consumed-capacity' },
  );
}

/** Writes the throttle injector refused, in this process (read by tests and benchmarks). */
export const throttleStats = { throttled: 0, byItem: new Map<string, number>() };

/** Token buckets per item, shared by every client of the process: the process plays one table. */
const itemBuckets = new Map<string, { tokens: number; at: number }>();

/** A key attribute as the document client or the low-level client spells it. */
function keyPart(value: unknown): string {
  if (value && typeof value === 'object') {
    const v = value as { S?: string; N?: string };
    return v.S ?? v.N ?? JSON.stringify(value);
  }
  return String(value);
}

/**
 * The items a write command writes (condition checks only read), as `table|pk|sk`, with the write
 * units each costs: two for a write in a transaction, one otherwise, as DynamoDB counts them.
 */
function writtenItems(command: string, input: Record<string, unknown>): { item: string; units: number }[] {
  const key = (table: unknown, k: Record<string, unknown> | undefined) =>
    k ? `${String(table)}|${keyPart(k.pk)}|${keyPart(k.sk)}` : undefined;
  const items: (string | undefined)[] = [];
  const transaction = command === 'TransactWriteItemsCommand';
  if (transaction) {
    for (const t of (input.TransactItems ?? []) as Record<string, Record<string, unknown> | undefined>[]) {
      if (t.Put) items.push(key(t.Put.TableName, t.Put.Item as Record<string, unknown>));
      if (t.Update) items.push(key(t.Update.TableName, t.Update.Key as Record<string, unknown>));
      if (t.Delete) items.push(key(t.Delete.TableName, t.Delete.Key as Record<string, unknown>));
    }
  } else if (command === 'PutItemCommand') {
    items.push(key(input.TableName, input.Item as Record<string, unknown>));
  } else if (command === 'UpdateItemCommand' || command === 'DeleteItemCommand') {
    items.push(key(input.TableName, input.Key as Record<string, unknown>));
  }
  return items
    .filter((i): i is string => i !== undefined)
    .map((item) => ({ item, units: transaction ? 2 : 1 }));
}

/**
 * Throttles writes to any single item above `writesPerSecond` write units (a write in a transaction
 * costs two, as on DynamoDB), as DynamoDB does once an item's partition is past its write capacity
 * (~1,000 write units a second; DynamoDB Local never throttles):
 * the call fails with `ThrottlingException` before reaching DynamoDB, inside the SDK's retry loop, so
 * the SDK retries it with its own backoff and the caller sees it only when every attempt was throttled.
 * A token bucket per item (burst: one second's writes). For tests and benchmarks only (local stage).
 */
export function injectItemThrottling(
  client: DynamoDBClient | DynamoDBDocumentClient,
  options: { writesPerSecond: number; now?: () => number },
): { remove: () => void } {
  const now = options.now ?? (() => performance.now());
  const rate = options.writesPerSecond;
  const name = `inject-item-throttling-${Math.random().toString(36).slice(2)}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const items = writtenItems(context.commandName ?? '', args.input as Record<string, unknown>);
      if (items.length > 0) {
        const t = now();
        const buckets = items.map(({ item }) => {
          const b = itemBuckets.get(item) ?? { tokens: rate, at: t };
          b.tokens = Math.min(rate, b.tokens + ((t - b.at) / 1000) * rate);
          b.at = t;
          itemBuckets.set(item, b);
          return b;
        });
        const hot = items.filter(({ units }, i) => (buckets[i]?.tokens ?? units) < units);
        if (hot.length > 0) {
          throttleStats.throttled++;
          for (const { item } of hot) {
            throttleStats.byItem.set(item, (throttleStats.byItem.get(item) ?? 0) + 1);
          }
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput (injected).'), {
            name: 'ThrottlingException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        }
        buckets.forEach((b, i) => {
          b.tokens -= items[i]?.units ?? 1;
        });
      }
      return next(args);
    },
    // Inside the SDK's retry middleware (finalizeRequest, high priority): retried as a throttle.
    { step: 'finalizeRequest', priority: 'low', name },
  );
  return { remove: () => client.middlewareStack.remove(name) };
}
