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
