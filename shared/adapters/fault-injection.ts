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
