import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.stop();
});

describe('seeded lc-2022 programme', () => {
  it('serves the notice’s attachment table as the quota board', async () => {
    const res = await stack.call('GET', '/v1/programmes/lc-2022/quotas');
    expect(res.status).toBe(200);
    expect(res.body.units).toHaveLength(12);
    expect(res.body.totals.places).toBe(200);
    expect(res.body.totals.funding).toEqual([
      { funderOrgId: 'sd', totalFen: 20_000_000 },
      { funderOrgId: 'lc', totalFen: 20_000_000 },
    ]);
  });
});
