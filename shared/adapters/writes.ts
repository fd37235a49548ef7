import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { channelObserver, type Observer } from '../observer.ts';
import { isAnyConditionFailed, isConditionFailed } from './errors.ts';
import { type TransactItem, transactWithRetry } from './retry.ts';

/**
 * "Write if the item is still as expected": the conditional writes whose failed condition is an
 * answer (someone else got there first), not an error.
 */

/**
 * One conditional put, update or delete: true when written, false when its condition failed.
 *
 * @example await writeIf(() => db.send(new PutCommand({ …, ConditionExpression: 'attribute_not_exists(pk)' })))
 */
export async function writeIf(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/**
 * One transaction, conflicts retried: true when written, false when any of its conditions failed
 * (then nothing was written).
 */
export async function transactIf(
  db: DynamoDBDocumentClient,
  items: readonly TransactItem[],
  observer: Observer = channelObserver,
): Promise<boolean> {
  try {
    await transactWithRetry(db, items, observer);
    return true;
  } catch (err) {
    if (isAnyConditionFailed(err)) return false;
    throw err;
  }
}
