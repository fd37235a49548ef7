import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../shared/domain/dates.ts';
import { approvedApplication, programmeBody, publishProgramme, runReaching } from '../support/api.ts';
import { fastPayoutRetries } from '../support/payout-run.ts';
import { startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
let admin: string;
const today = shanghaiDate(new Date());
const year = Number(today.slice(0, 4));

beforeAll(async () => {
  stack = await startTestStack({ workflows: { retryIntervalOverrides: fastPayoutRetries, resume: false } });
  admin = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
  // R6: the province's share is committed by the province's admin; the city's admin runs the payouts.
  const province = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  await publishProgramme(
    stack,
    programmeBody({
      id: 'it-pay',
      title: '发放测试项目',
      allocations: [
        {
          unitOrgId: 'lc-dongchangfu',
          places: 2,
          funding: [
            { funderOrgId: 'sd', amountFen: 100000 },
            { funderOrgId: 'lc', amountFen: 100000 },
            { funderOrgId: 'lc-dongchangfu', amountFen: 50000 },
          ],
        },
      ],
      topUps: [{ funderOrgId: 'lc-dcf-gucheng', amountFen: 20000 }],
    }),
    province,
  );
});
afterAll(async () => {
  await stack.stop();
});

const payee = (n: number) =>
  approvedApplication(stack, {
    n,
    sub: `payee-${n}`,
    programmeId: 'it-pay',
    employerOrgId: 'lc-dcf-gucheng-textile',
    enrolmentYear: year,
  });
const settledRun = (runId: string) => runReaching(stack, admin, runId);

describe('payout runs through HTTP (R7, R14)', () => {
  it('approve, start a run, watch it complete, see the payments as the worker', async () => {
    const { id, token } = await payee(1);
    const started = await stack.call('POST', '/v1/programmes/it-pay/payout-runs', {
      token: admin,
      body: { batchId: 'b1' },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const run = await settledRun(started.body.runId);
    expect(run).toMatchObject({
      runId: started.body.runId,
      programmeId: 'it-pay',
      batchId: 'b1',
      status: 'succeeded',
      // city → 东昌府区 transfer, 东昌府区 → worker, 古城镇 top-up → worker
      counts: { planned: 3, paid: 3, failed: 0 },
    });
    expect(run.totals).toEqual(
      expect.arrayContaining([
        { funderOrgId: 'sd', totalFen: 100000 },
        { funderOrgId: 'lc', totalFen: 100000 },
        { funderOrgId: 'lc-dongchangfu', totalFen: 50000 },
        { funderOrgId: 'lc-dcf-gucheng', totalFen: 20000 },
      ]),
    );
    expect(run.totals).toHaveLength(4);

    const view = await stack.call('GET', `/v1/applications/${id}`, { token });
    expect(view.status).toBe(200);
    // What reaches the worker, never the city → county transfer.
    expect(view.body.payments).toHaveLength(2);
    expect(view.body.payments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          payerOrgId: 'lc-dongchangfu',
          amountFen: 250000,
          status: 'paid',
          funding: [
            { funderOrgId: 'sd', amountFen: 100000 },
            { funderOrgId: 'lc', amountFen: 100000 },
            { funderOrgId: 'lc-dongchangfu', amountFen: 50000 },
          ],
        }),
        expect.objectContaining({ payerOrgId: 'lc-dcf-gucheng', amountFen: 20000, status: 'paid' }),
      ]),
    );
    for (const p of view.body.payments) expect(p.paidAt).toEqual(expect.any(String));
    const types = (view.body.timeline as { type: string }[]).map((e) => e.type);
    expect(types.filter((t) => t === 'payment_pending')).toHaveLength(2);
    expect(types.filter((t) => t === 'payment_paid')).toHaveLength(2);
    expect(types.indexOf('approved')).toBeLessThan(types.indexOf('payment_paid'));

    // A second run pays nothing more.
    const again = await stack.call('POST', '/v1/programmes/it-pay/payout-runs', { token: admin, body: {} });
    expect(again.status).toBe(202);
    expect(await settledRun(again.body.runId)).toMatchObject({
      status: 'succeeded',
      counts: { planned: 0, paid: 0, failed: 0 },
      totals: [],
    });
    const after = await stack.call('GET', `/v1/applications/${id}`, { token });
    expect(after.body.payments).toHaveLength(2);
  });

  it('lets only admins of the city union or above start and read runs', async () => {
    const county = await stack.token({ sub: 'admin-dcf', role: 'admin', org: 'lc-dongchangfu' });
    const province = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
    const reviewer = await stack.token({ sub: 'r-lc', role: 'reviewer', org: 'lc' });
    expect(
      (await stack.call('POST', '/v1/programmes/it-pay/payout-runs', { token: county, body: {} })).status,
    ).toBe(403);
    expect(
      (await stack.call('POST', '/v1/programmes/it-pay/payout-runs', { token: reviewer, body: {} })).status,
    ).toBe(403);
    expect(
      (await stack.call('POST', '/v1/programmes/nope/payout-runs', { token: admin, body: {} })).status,
    ).toBe(404);
    const badBatch = await stack.call('POST', '/v1/programmes/it-pay/payout-runs', {
      token: admin,
      body: { batchId: 'b9' },
    });
    expect(badBatch.status).toBe(400);
    expect(badBatch.body.error.fields[0].path).toBe('batchId');
    const started = await stack.call('POST', '/v1/programmes/it-pay/payout-runs', {
      token: province,
      body: {},
    });
    expect(started.status).toBe(202);
    await settledRun(started.body.runId);
    expect((await stack.call('GET', `/v1/payout-runs/${started.body.runId}`, { token: county })).status).toBe(
      404,
    );
    expect(
      (await stack.call('GET', `/v1/payout-runs/${started.body.runId}`, { token: province })).status,
    ).toBe(200);
    expect((await stack.call('GET', '/v1/payout-runs/run-nothing', { token: admin })).status).toBe(404);
  });
});
