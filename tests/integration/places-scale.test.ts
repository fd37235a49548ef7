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

describe('waitlist positions answered at submit are exact (architecture.md §3)', () => {
  it('30 concurrent submits to a 5-place unit: every answered position is the one read back, all distinct', async () => {
    const workers = await prepareContention(stack, deps, { programmeId: 'exact30', places: 5, drafts: 30 });
    await submitAllAtOnce(stack, deps, 'exact30', workers, 5);
  });
});
