import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, shanghaiDate } from '../../shared/domain/dates.ts';
import { attachmentKinds } from '../../shared/domain/documents.ts';
import { draftBody, sampleFiles } from '../support/fixtures.ts';
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
  const res = await stack.call('POST', '/v1/programmes', {
    token: province,
    body: {
      id: 'it-pay',
      title: '发放测试项目',
      ownerOrgId: 'lc',
      year: Number(addDays(today, -10).slice(0, 4)),
      enrolmentYear: year,
      applicationWindow: { opensOn: addDays(today, -10), closesOn: addDays(today, 30) },
      reviewBatches: [{ id: 'b1', opensOn: addDays(today, -5), closesOn: addDays(today, 40) }],
      levels: ['junior_college', 'bachelor'],
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
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
});
afterAll(async () => {
  await stack.stop();
});

async function approvedApplication(n: number): Promise<{ id: string; token: string }> {
  const token = await stack.token({ sub: `payee-${n}`, role: 'worker' });
  const draft = await stack.call('POST', '/v1/applications', {
    token,
    body: draftBody(n, {
      programmeId: 'it-pay',
      employerOrgId: 'lc-dcf-gucheng-textile',
      enrolmentYear: year,
    }),
  });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  const id = draft.body.id as string;
  for (const kind of attachmentKinds) {
    const file = sampleFiles['image/png'];
    const res = await stack.call('POST', `/v1/applications/${id}/attachments`, {
      token,
      body: { kind, contentType: 'image/png', sizeBytes: file.length },
    });
    expect(res.status).toBe(201);
    const form = new FormData();
    for (const [k, v] of Object.entries(res.body.upload.fields as Record<string, string>)) form.append(k, v);
    form.append('file', new Blob([file], { type: 'image/png' }));
    expect((await fetch(res.body.upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
  }
  const sub = await stack.call('POST', `/v1/applications/${id}/submit`, { token });
  expect(sub.status, JSON.stringify(sub.body)).toBe(200);
  // R12: each union on the chain approves in turn.
  for (let step = 0; step < 6; step++) {
    const view = await stack.call('GET', `/v1/applications/${id}`, { token });
    if (view.body.status === 'approved') return { id, token };
    const org = view.body.review.currentOrgId as string;
    const reviewer = await stack.token({ sub: `reviewer-${org}`, role: 'reviewer', org });
    const decided = await stack.call('POST', `/v1/applications/${id}/decisions`, {
      token: reviewer,
      body: { decision: 'approve' },
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  }
  throw new Error('application not approved along its chain');
}

async function settledRun(runId: string) {
  for (let i = 0; i < 100; i++) {
    const res = await stack.call('GET', `/v1/payout-runs/${runId}`, { token: admin });
    expect(res.status).toBe(200);
    if (res.body.status === 'succeeded' || res.body.status === 'failed') return res.body;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`run ${runId} did not end`);
}

describe('payout runs through HTTP (R7, R14)', () => {
  it('approve, start a run, watch it complete, see the payments as the worker', async () => {
    const { id, token } = await approvedApplication(1);
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
