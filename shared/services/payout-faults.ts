import { channelObserver, type Observer } from '../observer.ts';
import type { PayPageHooks } from './payout-page.ts';

/**
 * Faults of the payout engine, for local tests and benchmarks only: never wired outside the local
 * stage. The engine knows only the hook it offers (`PayPageHooks`); playing a crash is this module's.
 */

/** The page's attempt ended on purpose between a rail call and the state write (an injected crash). */
export class PayPageCrashed extends Error {
  constructor() {
    super('injected crash between the rail call and the state write');
    this.name = 'PayPageCrashed';
  }
}

/**
 * Hooks that end a page attempt after a share (`crashRate`) of the rail's answers, as a function
 * killed between the rail's answer and its record would. The state machine retries it as any task
 * failure (`lambdaRetry`'s `States.TaskFailed`): the production Retry list names no test error.
 *
 * @example await payPage(deps, rail, page, payPageFaults({ crashRate: 1 })) // rejects with PayPageCrashed
 */
export function payPageFaults(
  faults: { crashRate?: number; random?: () => number },
  observer: Observer = channelObserver,
): PayPageHooks {
  const random = faults.random ?? Math.random;
  const crashRate = faults.crashRate ?? 0;
  if (crashRate <= 0) return {};
  return {
    interruptAfterAnswer: () => {
      if (random() >= crashRate) return undefined;
      observer.count('payout.crashedPages');
      return new PayPageCrashed();
    },
  };
}

/**
 * Pay-page faults from the environment, local stage only (`PAYOUT_CRASH_RATE`), drawn from `random`
 * when given (a seeded generator: the same crashes every run), else from `Math.random`.
 */
export function payPageFaultsFromEnv(env: NodeJS.ProcessEnv, random?: () => number): PayPageHooks {
  if (env.STAGE !== 'local') return {};
  return payPageFaults({ crashRate: Number(env.PAYOUT_CRASH_RATE ?? 0) || 0, ...(random ? { random } : {}) });
}
