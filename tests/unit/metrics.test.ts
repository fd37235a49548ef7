import { afterEach, describe, expect, it } from 'vitest';
import { metrics } from '../../shared/metrics.ts';
import { channelObserver } from '../../shared/observer.ts';

/** The EMF document the invocation's metrics would be flushed as, with its values by metric name. */
const stored = () => metrics().serializeMetrics() as unknown as Record<string, unknown>;

afterEach(() => {
  metrics().clearMetrics();
});

describe('business metrics fed by the persistence layer’s counts', () => {
  it('counts each retried transaction conflict as TransactionConflictsRetried', () => {
    channelObserver.count('retry.transactionConflicts', 2);
    channelObserver.count('retry.transactionConflicts');
    expect(stored().TransactionConflictsRetried).toEqual([2, 1]);
  });

  it('ignores the counts an operator does not watch', () => {
    channelObserver.count('payout.pageAttempts', 5);
    channelObserver.count('sandbox.calls', 3);
    const emf = stored();
    expect(emf.TransactionConflictsRetried).toBeUndefined();
    expect(JSON.stringify(emf)).not.toContain('pageAttempts');
  });
});
