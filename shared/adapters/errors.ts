import { unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * Reading DynamoDB's failures: which condition failed, and what the item looked like. The typed
 * errors the repositories throw from them are in `persistence-errors.ts`.
 */

/** True for a failed `ConditionExpression` on a single-item write. */
export function isConditionFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

/** The `CancellationReasons` codes of a cancelled transaction, one per item (`None` when it passed). */
export function cancellationReasons(err: unknown): string[] | undefined {
  if (!(err instanceof Error) || err.name !== 'TransactionCanceledException') return undefined;
  const reasons = (err as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return (reasons ?? []).map((r) => r.Code ?? 'None');
}

/** True when a single write's condition or any condition of a cancelled transaction failed. */
export function isAnyConditionFailed(err: unknown): boolean {
  return isConditionFailed(err) || (cancellationReasons(err)?.includes('ConditionalCheckFailed') ?? false);
}

/**
 * The item a failed transaction condition saw (`ReturnValuesOnConditionCheckFailure: ALL_OLD`),
 * unmarshalled: the document client leaves cancellation reasons in the low-level attribute shape.
 */
export function cancelledItem(err: unknown, index: number): Record<string, unknown> | undefined {
  const reasons = (err as { CancellationReasons?: { Item?: Record<string, never> }[] }).CancellationReasons;
  const item = reasons?.[index]?.Item;
  if (!item) return undefined;
  // Low-level attribute values are objects of one type key each ({ S }, { N }, { L }, …); a plain
  // item's values are not, so any value that is not tells the shapes apart whatever comes first.
  const typeKeys = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);
  const lowLevel = Object.values(item).every((v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
    const keys = Object.keys(v);
    return keys.length === 1 && typeKeys.has(keys[0] as string);
  });
  return lowLevel ? unmarshall(item) : item;
}

/** True for contention that real DynamoDB reports and that succeeds when tried again. */
export function isTransactionConflict(err: unknown): boolean {
  if (err instanceof Error && err.name === 'TransactionConflictException') return true;
  return cancellationReasons(err)?.includes('TransactionConflict') ?? false;
}

/**
 * True when DynamoDB refused a request for load rather than for what it asked — throttled, or in
 * conflict with a transaction writing the same item — after every retry made of it: the refused
 * write was not made, and the same request may well succeed a moment later. The API answers it 429
 * `rate_limited`, not 500.
 */
export function isRefusedForLoad(err: unknown): boolean {
  return isThrottled(err) || isTransactionConflict(err);
}

/**
 * True when DynamoDB refused a write for the item's (or table's) throughput — after the SDK's own
 * retries: `ThrottlingException`, `ProvisionedThroughputExceededException`, or a transaction
 * cancelled with `ThrottlingError`. Worth retrying later.
 */
export function isThrottled(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'ThrottlingException' || err.name === 'ProvisionedThroughputExceededException')
    return true;
  return cancellationReasons(err)?.includes('ThrottlingError') ?? false;
}
