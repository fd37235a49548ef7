import { AppError } from '../errors.ts';

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

/** Rethrows a failed create as 409 `already_exists`, everything else unchanged. */
export function duplicateAsConflict(err: unknown, message: string): never {
  const reasons = cancellationReasons(err);
  if (isConditionFailed(err) || reasons?.includes('ConditionalCheckFailed')) {
    throw new AppError('already_exists', { message, cause: err });
  }
  throw err;
}
