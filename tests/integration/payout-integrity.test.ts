import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payoutKeyPartition } from '../../shared/adapters/keys.ts';
import { paymentRails } from '../../shared/adapters/rails/index.ts';
import { loadConfig } from '../../shared/config.ts';
import { shanghaiDate } from '../../shared/domain/dates.ts';
import type { PayoutHoldRecord } from '../../shared/model/payout.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { PayPageCrashed, payPageFaults } from '../../shared/services/payout-faults.ts';
import { payPage } from '../../shared/services/payout-page.ts';
import { finishRun } from '../../shared/services/payout-settlement.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import {
  approvedApplication,
  programmeBody,
  publishProgramme,
  runReaching,
  submittedApplication,
} from '../support/api.ts';
import { fastPayoutRetries, plannedRun } from '../support/payout-run.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * Money leaves once (issue: overlapping runs paid a county's transfer three times; a crash between
 * the rail's answer and its record was paid again by the next run; a paid worker's withdrawal let the
 * waitlisted worker be paid for the same place).
 */
let stack: TestStack;
let deps: Deps;
let cityAdmin: string;
const today = shanghaiDate(new Date());
const year = Number(today.slice(0, 4));
const programmeId = 'it-integrity';
const SHARE = 100_000;

beforeAll(async () => {
  stack = await startTestStack({ workflows: { retryIntervalOverrides: fastPayoutRetries, resume: false } });
  deps = createDeps(loadConfig());
  cityAdmin = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
  // The province's share is committed by the province's admin (R6).
  const provinceAdmin = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  const funding = [
    { funderOrgId: 'sd', amountFen: SHARE },
    { funderOrgId: 'lc', amountFen: SHARE },
  ];
  await publishProgramme(
    stack,
    programmeBody({
      id: programmeId,
      title: '发放完整性测试',
      allocations: [
        { unitOrgId: 'lc-chiping', places: 3, funding },
        { unitOrgId: 'lc-linqing', places: 2, funding },
      ],
    }),
    provinceAdmin,
  );
}, 120_000);
afterAll(async () => {
  deps?.db.destroy();
  await stack?.stop();
});

const chiping = (n: number) => ({
  n,
  programmeId,
  employerOrgId: 'lc-cp-wenzhuang-aluminium',
  enrolmentYear: year,
});
const linqing = (n: number) => ({
  n,
  programmeId,
  employerOrgId: 'lc-lq-yandian-bearing',
  enrolmentYear: year,
});

/** Money the sandbox rail moved (its ledger: one entry per key ever paid), by payer. */
async function ledger(): Promise<{ key: string; payerOrgId: string; amountFen: number; runId: string }[]> {
  const out = await deps.db.send(
    new ScanCommand({
      TableName: deps.config.tableName,
      FilterExpression: '#t = :t',
      ExpressionAttributeNames: { '#t': 'type' },
      ExpressionAttributeValues: { ':t': 'sandbox-ledger' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []) as { key: string; payerOrgId: string; amountFen: number; runId: string }[];
}

async function holds(): Promise<PayoutHoldRecord[]> {
  const out = await deps.db.send(
    new QueryCommand({
      TableName: deps.config.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
      ExpressionAttributeValues: { ':pk': payoutKeyPartition(programmeId), ':h': 'HOLD#' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []) as PayoutHoldRecord[];
}

const startRun = () =>
  stack.call('POST', `/v1/programmes/${programmeId}/payout-runs`, { token: cityAdmin, body: {} });

describe('payout runs never pay twice (architecture.md §4, R7)', () => {
  let chipingApps: { id: string; token: string }[] = [];
  let waiting: { id: string; token: string };

  it('of three runs started at once one opens and the others are refused naming it; the transfer goes once', async () => {
    chipingApps = [];
    for (const n of [1, 2, 3]) chipingApps.push(await approvedApplication(stack, chiping(n)));
    const started = await Promise.all([startRun(), startRun(), startRun()]);
    const opened = started.filter((r) => r.status === 202);
    const refused = started.filter((r) => r.status === 409);
    expect(opened).toHaveLength(1);
    expect(refused).toHaveLength(2);
    const runId = opened[0]?.body.runId as string;
    for (const r of refused) {
      expect(r.body.error.code).toBe('invalid_state');
      expect(r.body.error.message).toContain(runId);
    }
    expect(await runReaching(stack, cityAdmin, runId)).toMatchObject({
      status: 'succeeded',
      counts: { planned: 4, paid: 4, failed: 0 },
    });
    const transfers = (await ledger()).filter((e) => e.payerOrgId === 'lc');
    expect(transfers).toHaveLength(1);
    expect(transfers[0]?.amountFen).toBe(3 * 2 * SHARE);

    // Once it has ended the next run opens, and finds nothing left to pay.
    const next = await startRun();
    expect(next.status).toBe(202);
    expect(await runReaching(stack, cityAdmin, next.body.runId)).toMatchObject({
      status: 'succeeded',
      counts: { planned: 0 },
    });
  });

  it('a crash after the rail paid and before the record: the next run sends the same keys and pays nothing twice', async () => {
    for (const n of [11, 12]) await approvedApplication(stack, linqing(n));
    const runId = 'crashed-run';
    const plan = await plannedRun(deps, runId, programmeId);
    expect(plan.transferPages).toHaveLength(1);
    const rail = paymentRails(deps.db, deps.config.tableName, { STAGE: 'local' })('sandbox');
    // The rail pays the city → 临清市 transfer; the task dies before recording the answer.
    await expect(
      payPage(
        deps,
        rail,
        plan.transferPages[0] as (typeof plan.transferPages)[number],
        payPageFaults({ crashRate: 1 }),
      ),
    ).rejects.toBeInstanceOf(PayPageCrashed);
    const paidOnce = (await ledger()).filter((e) => e.runId === runId);
    expect(paidOnce).toHaveLength(1);
    // The run gives up with the transfer's outcome unknown to it.
    await finishRun(
      deps,
      runId,
      await deps.instructions.ofRun(runId),
      { Error: 'PayPageCrashed' },
      new Date(),
    );
    expect((await deps.payouts.getRun(runId))?.status).toBe('failed');

    const next = await startRun();
    expect(next.status).toBe(202);
    expect(await runReaching(stack, cityAdmin, next.body.runId)).toMatchObject({
      status: 'succeeded',
      counts: { planned: 3, paid: 3, failed: 0 },
    });
    const transfers = (await ledger()).filter((e) => e.payerOrgId === 'lc');
    // Still one transfer per unit: the new run sent the crashed one's key, which the rail had paid.
    expect(transfers.map((t) => t.amountFen).sort()).toEqual([2 * 2 * SHARE, 3 * 2 * SHARE].sort());
    const adopted = (await holds()).find((h) => h.kind === 'transfer' && h.payeeOrgId === 'lc-linqing');
    expect(adopted).toMatchObject({ state: 'paid', runId: next.body.runId, adoptedFrom: runId });
  });

  it('refuses a paid worker’s withdrawal; an admin’s revocation keeps the place and records the claw-back', async () => {
    // Every place of 茌平区 is held: the next worker waits.
    waiting = await submittedApplication(stack, chiping(4));
    const paid = chipingApps[0] as { id: string; token: string };
    const withdrawn = await stack.call('POST', `/v1/applications/${paid.id}/withdraw`, { token: paid.token });
    expect(withdrawn.status).toBe(409);
    expect(withdrawn.body.error.code).toBe('invalid_state');

    const countyAdmin = await stack.token({ sub: 'admin-cp', role: 'admin', org: 'lc-chiping' });
    const otherCounty = await stack.token({ sub: 'admin-lq', role: 'admin', org: 'lc-linqing' });
    const path = `/v1/applications/${paid.id}/revoke`;
    expect((await stack.call('POST', path, { token: countyAdmin, body: {} })).status).toBe(400);
    expect(
      (await stack.call('POST', path, { token: otherCounty, body: { reason: '材料造假' } })).status,
    ).toBe(404);
    const worker = await stack.call('POST', path, { token: paid.token, body: { reason: '材料造假' } });
    expect(worker.status).toBe(403);
    const revoked = await stack.call('POST', path, { token: countyAdmin, body: { reason: '学籍核查不实' } });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body).toMatchObject({
      status: 'revoked',
      quota: { state: 'claimed' },
      revocation: {
        reason: '学籍核查不实',
        clawbackFen: 2 * SHARE,
        clawback: [
          { funderOrgId: 'sd', amountFen: SHARE },
          { funderOrgId: 'lc', amountFen: SHARE },
        ],
      },
    });
    // Revoked once only, and an application not paid cannot be revoked.
    expect((await stack.call('POST', path, { token: countyAdmin, body: { reason: '再次' } })).status).toBe(
      409,
    );
    const unpaid = await stack.call('POST', `/v1/applications/${waiting.id}/revoke`, {
      token: countyAdmin,
      body: { reason: '未发放' },
    });
    expect(unpaid.status).toBe(409);

    // The place stays with the revoked application: the waitlisted worker is not promoted, nor paid.
    const view = await stack.call('GET', `/v1/applications/${waiting.id}`, { token: waiting.token });
    expect(view.body.quota.state).toBe('waitlisted');
    const board = await stack.call('GET', `/v1/programmes/${programmeId}/quotas`);
    expect(board.body.units.find((u: { unitOrgId: string }) => u.unitOrgId === 'lc-chiping')).toMatchObject({
      places: 3,
      claimed: 3,
    });
    const next = await startRun();
    expect(await runReaching(stack, cityAdmin, next.body.runId)).toMatchObject({ counts: { planned: 0 } });
  });
});
