import { channel } from 'node:diagnostics_channel';

/**
 * What the persistence layer, the payout engine and the rails count as they work: retries absorbed,
 * page attempts, rail calls. Production code is handed an {@link Observer} (the services' `Deps`,
 * each repository and rail); tests and benchmarks read the counts through {@link recordCounts}.
 */
export type CounterName =
  /** A transaction DynamoDB cancelled for contention, tried again. */
  | 'retry.transactionConflicts'
  /** A submission whose receipt a later receipt overtook in its unit: it took a fresh number. */
  | 'retry.staleReceipts'
  /** A write DynamoDB throttled (a hot item) after the SDK's own retries, tried again later. */
  | 'retry.throttled'
  /** A waitlist join's slot given back: its commit was refused or never came (architecture.md §3). */
  | 'joins.voided'
  | 'payout.pageAttempts'
  /** A page attempt an injected fault ended between the rail's answer and its record. */
  | 'payout.crashedPages'
  | 'payout.incompletePages'
  /** An instruction asked of the rail again after an unknown outcome. */
  | 'payout.railRetries'
  | 'sandbox.calls'
  | 'sandbox.paid'
  | 'sandbox.repeats'
  | 'sandbox.transient'
  | 'sandbox.timeouts'
  | 'sandbox.lostAnswers'
  /** SMS (architecture.md §9): sent, refused by the provider, put back for a retry. */
  | 'sms.sent'
  | 'sms.failed'
  | 'sms.retried';

export interface Observer {
  count(name: CounterName, n?: number): void;
}

interface CountEvent {
  name: CounterName;
  n: number;
}

/** One process-wide channel: functions build their dependencies at module scope, out of a test's reach. */
const counts = channel('edu-subsidy:counts');

/**
 * The default observer: publishes each count on a diagnostics channel, which costs nothing while
 * nobody subscribes (a Lambda function in production), and lets a test or benchmark count what the
 * handlers it drives did in this process.
 */
export const channelObserver: Observer = {
  count(name, n = 1) {
    if (counts.hasSubscribers) counts.publish({ name, n } satisfies CountEvent);
  },
};

/** A running tally of counts published from now on, until {@link CountRecorder.stop}. */
export interface CountRecorder {
  get(name: CounterName): number;
  stop(): void;
}

/**
 * Starts counting what every {@link channelObserver} in this process publishes.
 *
 * @example
 * const counts = recordCounts();
 * await submitAll();
 * counts.get('retry.transactionConflicts'); // conflicts the handlers retried meanwhile
 * counts.stop();
 */
export function recordCounts(): CountRecorder {
  const tally = new Map<CounterName, number>();
  const listener = (message: unknown) => {
    const { name, n } = message as CountEvent;
    tally.set(name, (tally.get(name) ?? 0) + n);
  };
  counts.subscribe(listener);
  return {
    get: (name) => tally.get(name) ?? 0,
    stop: () => counts.unsubscribe(listener),
  };
}
