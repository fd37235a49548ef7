import { describe, expect, it } from 'vitest';
import { faultRandomFromEnv } from '../../shared/seeded-random.ts';
import { PayPageCrashed, payPageFaultsFromEnv } from '../../shared/services/payout-faults.ts';

/** The crashes a page attempt meets, from `payouts`'s environment as its cold start reads it. */
const crashes = (hooks: ReturnType<typeof payPageFaultsFromEnv>, answers: number) =>
  Array.from({ length: answers }, (_, i) => i).filter(
    () => hooks.interruptAfterAnswer?.() instanceof PayPageCrashed,
  );

describe('pay-page faults from the environment (local stage only)', () => {
  const env = { STAGE: 'local', PAYOUT_CRASH_RATE: '0.005', PAYOUT_FAULT_SEED: '11' } as NodeJS.ProcessEnv;

  it('draw crashes from the seeded generator given: the same answers crash every run', () => {
    const draw = () => crashes(payPageFaultsFromEnv(env, faultRandomFromEnv(env)?.('crash')), 700);
    const first = draw();
    expect(first.length).toBeGreaterThan(0);
    expect(draw()).toEqual(first);
  });

  it('crash at the rate set, and never outside the local stage', () => {
    expect(crashes(payPageFaultsFromEnv({ ...env, PAYOUT_CRASH_RATE: '1' }), 5)).toHaveLength(5);
    expect(crashes(payPageFaultsFromEnv({ ...env, PAYOUT_CRASH_RATE: '0' }), 5)).toHaveLength(0);
    expect(payPageFaultsFromEnv({ ...env, STAGE: 'prod', PAYOUT_CRASH_RATE: '1' })).toEqual({});
  });
});
