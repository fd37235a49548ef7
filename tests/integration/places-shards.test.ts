import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultStats, throttleStats } from '../../shared/adapters/fault-injection.ts';
import { loadConfig } from '../../shared/config.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { growShards, prepareContention, submitAllAtOnce } from '../support/contention.ts';
import { rushUnitOrgId } from '../support/rush.ts';
import { startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
let deps: Deps;
beforeAll(async () => {
  // Read by the handlers' DynamoDB client at cold start: a tenth of transactions fail on
  // TransactionConflict, and no item takes more than 30 writes a second (ThrottlingException).
  process.env.INJECT_TRANSACTION_CONFLICT_RATE = '0.1';
  process.env.INJECT_ITEM_WRITES_PER_SECOND = '30';
  stack = await startTestStack();
  deps = createDeps({ ...loadConfig(), injectTransactionConflictRate: 0, injectItemWritesPerSecond: 0 });
});
afterAll(async () => {
  delete process.env.INJECT_TRANSACTION_CONFLICT_RATE;
  delete process.env.INJECT_ITEM_WRITES_PER_SECOND;
  await stack.stop();
});

describe('a sharded unit under a rush, with conflicts and throttles (architecture.md §3)', () => {
  it('500 concurrent submits on 400 places over 2 shards grown to 4 meanwhile: invariant and positions exact', async () => {
    const workers = await prepareContention(stack, deps, {
      programmeId: 'sharded',
      places: 400,
      drafts: 500,
      shards: 2,
    });
    const before = { conflicts: faultStats.injectedTransactionConflicts, throttled: throttleStats.throttled };
    let grown: Awaited<ReturnType<typeof growShards>> | undefined;
    await submitAllAtOnce(stack, deps, 'sharded', workers, 400, async () => {
      grown = await growShards(stack, 'sharded', 4);
    });
    expect(grown?.status, JSON.stringify(grown?.body)).toBe(200);
    const unit = await deps.waitlist.unit('sharded', rushUnitOrgId, true);
    expect(unit.shards.map((s) => s.shard)).toEqual([0, 1, 2, 3]);
    // Every shard's places are taken: the rush filled the unit whichever shard each claim went to.
    expect(unit.shards.every((s) => s.claimed === s.places)).toBe(true);
    const injected = faultStats.injectedTransactionConflicts - before.conflicts;
    const throttled = throttleStats.throttled - before.throttled;
    console.log(
      `${injected} conflicts and ${throttled} throttles injected`,
      [...throttleStats.byItem].sort((a, b) => b[1] - a[1]).slice(0, 5),
    );
    expect(injected).toBeGreaterThan(25);
    expect(throttled).toBeGreaterThan(0);
  }, 300_000);

  it('refuses to shrink a unit, and to split one of another programme', async () => {
    const shrink = await growShards(stack, 'sharded', 3);
    expect(shrink.status).toBe(400);
    expect(shrink.body.error.code).toBe('validation_failed');
    const missing = await growShards(stack, 'no-such-programme', 2);
    expect(missing.status).toBe(404);
  });
});
