import { afterAll, beforeAll, describe, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { prepareContention, submitAllAtOnce } from '../support/contention.ts';
import { startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
let deps: Deps;
beforeAll(async () => {
  stack = await startTestStack();
  deps = createDeps(loadConfig());
});
afterAll(async () => {
  await stack.stop();
});

describe('500 concurrent submits on a 20-place unit (architecture.md §3)', () => {
  it('claims exactly 20 places and waitlists 480 at positions 1..480, in receipt order', async () => {
    const workers = await prepareContention(stack, deps, { programmeId: 'rush', places: 20, drafts: 500 });
    await submitAllAtOnce(stack, deps, 'rush', workers, 20);
    // Not a timed assertion: the harness's limit. Joins land in receipt order, so a local rush
    // retries more (docs/benchmarks.md, claims).
  }, 240_000);
});
