import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../infra/local/stack.ts';
import { payoutRunKey } from '../../shared/adapters/keys.ts';
import { paymentRails } from '../../shared/adapters/rails/index.ts';
import { loadConfig } from '../../shared/config.ts';
import { shanghaiDate } from '../../shared/domain/dates.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { PayPageCrashed, payPageFaults } from '../../shared/services/payout-faults.ts';
import { payPage } from '../../shared/services/payout-page.ts';
import { planRun } from '../../shared/services/payout-plan.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { approvedApplication, programmeBody, publishProgramme } from '../support/api.ts';
import { fastPayoutRetries, leaseHeldBy, plannedRun, recordedRun } from '../support/payout-run.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * A local stack killed in the middle of a payout run (its executions lived in memory) leaves the run
 * `paying` with an instruction sent to the rail but not recorded. `npm start` on the same data starts
 * the run's execution again, which finishes it without paying anything twice.
 */
let first: TestStack;
let restarted: LocalStack | undefined;
let deps: Deps;
const dataDir = mkdtempSync(join(tmpdir(), 'edu-subsidy-resume-'));
const today = shanghaiDate(new Date());
const year = Number(today.slice(0, 4));
const programmeId = 'it-resume';
/** A programme whose run the killed process was still planning (it held the run's planning lease). */
const planningProgrammeId = 'it-resume-planning';

beforeAll(async () => {
  first = await startTestStack({ workflows: { retryIntervalOverrides: fastPayoutRetries, resume: false } });
  deps = createDeps(loadConfig());
  const province = await first.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  // The two programmes: 5 places in 茌平区, paid by the province and the city.
  for (const [id, title] of [
    [programmeId, '中断恢复测试'],
    [planningProgrammeId, '中断恢复测试(计划中)'],
  ] as const) {
    await publishProgramme(
      first,
      programmeBody({
        id,
        title,
        allocations: [
          {
            unitOrgId: 'lc-chiping',
            places: 5,
            funding: [
              { funderOrgId: 'sd', amountFen: 100_000 },
              { funderOrgId: 'lc', amountFen: 100_000 },
            ],
          },
        ],
      }),
      province,
    );
  }
}, 120_000);
afterAll(async () => {
  deps?.db.destroy();
  await restarted?.stop();
  await first?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** What the sandbox rail paid by `payerOrgId` for the run `runId` (by default the cut-off run). */
async function ledgerOf(payerOrgId: string, runId = 'cut-off-run') {
  const out = await deps.db.send(
    new ScanCommand({
      TableName: deps.config.tableName,
      FilterExpression: '#t = :t AND payerOrgId = :p AND runId = :run',
      ExpressionAttributeNames: { '#t': 'type' },
      ExpressionAttributeValues: { ':t': 'sandbox-ledger', ':p': payerOrgId, ':run': runId },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

describe('a payout run cut off by a restart (architecture.md §4)', () => {
  it('is resumed by the next start and pays each key once', async () => {
    const employer = { programmeId, employerOrgId: 'lc-cp-wenzhuang-aluminium', enrolmentYear: year };
    for (const n of [31, 32]) await approvedApplication(first, { n, ...employer });

    // The run as a killed process leaves it: planned, the transfer paid by the rail, nothing recorded.
    const runId = 'cut-off-run';
    const plan = await plannedRun(deps, runId, programmeId);
    const rail = paymentRails(deps.db, deps.config.tableName, { STAGE: 'local' })('sandbox');
    const page = plan.transferPages[0];
    if (!page) throw new Error('no transfer page planned');
    await expect(payPage(deps, rail, page, payPageFaults({ crashRate: 1 }))).rejects.toBeInstanceOf(
      PayPageCrashed,
    );
    expect(await ledgerOf('lc')).toHaveLength(1);
    expect((await deps.payouts.getRun(runId))?.status).toBe('paying');
    // Nobody can start another run meanwhile: this one is still open.
    const admin = await first.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
    const refused = await first.call('POST', `/v1/programmes/${programmeId}/payout-runs`, {
      token: admin,
      body: {},
    });
    expect(refused.status).toBe(409);

    // A second programme's run the killed process was planning: its Plan held the run's lease.
    await approvedApplication(first, { ...employer, n: 35, programmeId: planningProgrammeId });
    const planningRunId = 'cut-off-planning';
    await recordedRun(deps, planningRunId, planningProgrammeId);
    expect((await leaseHeldBy(deps, planningRunId, 'killed-process', 360_000))?.planLeaseToken).toBe(
      'killed-process',
    );

    restarted = await startLocalStack({
      dataDir,
      port: 0,
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName: first.tableName,
      bucketName: first.bucketName,
      seed: false,
      workflows: { retryIntervalOverrides: fastPayoutRetries },
    });
    await expect
      .poll(async () => (await deps.payouts.getRun(runId))?.status, { timeout: 30_000, interval: 100 })
      .toBe('succeeded');
    expect(await deps.payouts.getRun(runId)).toMatchObject({ planned: 3, paidCount: 3, failedCount: 0 });
    const transfers = await ledgerOf('lc');
    expect(transfers).toHaveLength(1);
    expect(transfers[0]?.amountFen).toBe(400_000);
    expect(await ledgerOf('lc-chiping')).toHaveLength(2);
    expect(await deps.payouts.openRunOf(programmeId)).toBeUndefined();
    // The restart gave the dead process's lease up: the run planned and paid without waiting it out.
    await expect
      .poll(async () => (await deps.payouts.getRun(planningRunId))?.status, {
        timeout: 30_000,
        interval: 100,
      })
      .toBe('succeeded');
    expect(await deps.payouts.getRun(planningRunId)).toMatchObject({
      planned: 2,
      paidCount: 2,
      failedCount: 0,
    });
  });

  it('a Plan retried after it took its holds places exactly the same instructions', async () => {
    const employer = { programmeId, employerOrgId: 'lc-cp-wenzhuang-aluminium', enrolmentYear: year };
    for (const n of [33, 34]) await approvedApplication(first, { n, ...employer });
    const runId = 'replanned-run';
    const plan = await plannedRun(deps, runId, programmeId);
    expect(plan.planned).toBe(3);
    const placed = (await deps.instructions.ofRun(runId)).map((i) => [i.sk, i.key, i.dependsOnSk ?? null]);
    // The task died after recording its holds and before recording its pages: Step Functions runs it again.
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.config.tableName,
        Key: payoutRunKey(runId),
        UpdateExpression: 'REMOVE pages SET #s = :running',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':running': 'running' },
      }),
    );
    expect(await deps.payouts.getRun(runId)).toMatchObject({ holdsTaken: true });
    const again = await planRun(deps, runId, programmeId, new Date());
    expect(again.planned).toBe(3);
    expect(again.transferPages).toEqual(plan.transferPages);
    expect(again.paymentPages).toEqual(plan.paymentPages);
    expect((await deps.instructions.ofRun(runId)).map((i) => [i.sk, i.key, i.dependsOnSk ?? null])).toEqual(
      placed,
    );
  });
});
