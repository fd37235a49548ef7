import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payoutRunPartition } from '../../shared/adapters/keys.ts';
import { loadConfig } from '../../shared/config.ts';
import { shanghaiDate } from '../../shared/domain/dates.ts';
import { attemptKey } from '../../shared/domain/payout.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { approvedApplication, programmeBody, publishProgramme, runReaching } from '../support/api.ts';
import { downloadBankFile } from '../support/bank-files.ts';
import { bankCardFor } from '../support/fixtures.ts';
import { fastPayoutRetries } from '../support/payout-run.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * The bank_file rail through HTTP (architecture.md §4, R7, R13): a run writes one batch file per paying org and
 * waits for the bank; each org's admins download their file (audited); the bank's result import
 * settles every line once and finishes the run.
 */
let stack: TestStack;
let deps: Deps;
let admin: string;
const today = shanghaiDate(new Date());
const year = Number(today.slice(0, 4));
const programmeId = 'it-bank';

beforeAll(async () => {
  // The rail is the deployment's: this stack pays through bank files.
  stack = await startTestStack({
    payoutRail: 'bank_file',
    workflows: { retryIntervalOverrides: fastPayoutRetries, resume: false },
  });
  // The stack set the table and bucket of this file in the environment.
  deps = createDeps(loadConfig());
  admin = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
  // R6: the province's share is committed by the province's admin; the city's admin runs the payouts.
  const province = await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' });
  await publishProgramme(
    stack,
    programmeBody({
      id: programmeId,
      title: '银行文件发放测试',
      allocations: [
        {
          unitOrgId: 'lc-dongchangfu',
          places: 3,
          funding: [
            { funderOrgId: 'sd', amountFen: 100000 },
            { funderOrgId: 'lc', amountFen: 100000 },
            { funderOrgId: 'lc-dongchangfu', amountFen: 50005 },
          ],
        },
        {
          unitOrgId: 'lc-shizhi',
          places: 2,
          funding: [
            { funderOrgId: 'sd', amountFen: 100000 },
            { funderOrgId: 'lc', amountFen: 100000 },
          ],
        },
      ],
    }),
    province,
  );
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

const payee = (n: number, employerOrgId: string) =>
  approvedApplication(stack, { n, sub: `bank-payee-${n}`, programmeId, employerOrgId, enrolmentYear: year });
/** The run once it reaches one of `statuses`; fails if it ends otherwise. */
const runIn = (runId: string, statuses: string[]) => runReaching(stack, admin, runId, statuses);

const bankFile = (runId: string, payerOrgId: string, token: string) =>
  downloadBankFile(stack, runId, payerOrgId, token);

async function auditOf(runId: string) {
  const out = await deps.db.send(
    new QueryCommand({
      TableName: deps.config.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': payoutRunPartition(runId), ':p': 'AUDIT#' },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

describe('bank_file payout rail through HTTP (architecture.md §4, R7, R13)', () => {
  it('writes one file per payer, audits downloads, settles by the imported results, pays a failed line in a new run', async () => {
    // Two workers of 东昌府区 (paid by the county after the city's transfer) and one city-direct worker.
    const county1 = await payee(201, 'lc-dcf-machinery');
    const county2 = await payee(202, 'lc-dcf-machinery');
    const direct = await payee(203, 'lc-sz-power');

    const started = await stack.call('POST', `/v1/programmes/${programmeId}/payout-runs`, {
      token: admin,
      body: { batchId: 'b1' },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body.runId as string;
    const waiting = await runIn(runId, ['awaiting_bank']);
    expect(waiting).toMatchObject({
      status: 'awaiting_bank',
      rail: 'bank_file',
      // lc → 东昌府区 transfer, 东昌府区 → 2 workers, lc → the city-direct worker; nothing paid yet
      counts: { planned: 4, paid: 0, failed: 0 },
      awaitingBank: 4,
      totals: [],
    });
    expect(
      (waiting.bankFiles as { payerOrgId: string; lines: number; totalFen: number }[]).map(
        ({ payerOrgId, lines, totalFen }) => ({ payerOrgId, lines, totalFen }),
      ),
    ).toEqual([
      { payerOrgId: 'lc', lines: 2, totalFen: 400000 + 200000 },
      { payerOrgId: 'lc-dongchangfu', lines: 2, totalFen: 2 * 250005 },
    ]);
    // The workers see their payments as pending while the bank works.
    const pendingView = await stack.call('GET', `/v1/applications/${county1.id}`, { token: county1.token });
    expect(pendingView.body.payments).toEqual([expect.objectContaining({ status: 'pending' })]);

    // The city's file: the transfer to 东昌府区 first, then the city-direct worker, with the real card number.
    const cityFile = await bankFile(runId, 'lc', admin);
    expect(cityFile.bom).toEqual([0xef, 0xbb, 0xbf]);
    expect(cityFile.endsWithCrlf).toBe(true);
    expect(cityFile.header).toEqual([
      '业务编号',
      '收款户名',
      '收款账号',
      '开户行',
      '金额(元)',
      '用途',
      '备注',
    ]);
    expect(cityFile.link).toMatchObject({ payerOrgId: 'lc', lines: 2, totalFen: 600000 });
    expect(cityFile.rows).toEqual([
      expect.objectContaining({
        payee: '东昌府区',
        account: '',
        amount: '4000.00',
        purpose: `求学圆梦行动补助拨付 ${programmeId}`,
        ref: 'org:lc-dongchangfu',
      }),
      expect.objectContaining({
        payee: '职工203',
        account: bankCardFor(203),
        bank: '中国工商银行聊城分行',
        amount: '2000.00',
        purpose: `求学圆梦行动补助 ${programmeId}`,
        ref: `app:${direct.id}`,
      }),
    ]);
    for (const row of cityFile.rows) expect(row.key).toMatch(/^[0-9a-f]{40}$/);

    // The county's file, downloaded by the county's own admin: its two workers, 2500.05 yuan each.
    const countyAdmin = await stack.token({ sub: 'admin-dcf', role: 'admin', org: 'lc-dongchangfu' });
    const countyFile = await bankFile(runId, 'lc-dongchangfu', countyAdmin);
    expect(countyFile.bom).toEqual([0xef, 0xbb, 0xbf]);
    expect(countyFile.rows.map((r) => [r.payee, r.account, r.amount, r.ref]).sort()).toEqual([
      ['职工201', bankCardFor(201), '2500.05', `app:${county1.id}`],
      ['职工202', bankCardFor(202), '2500.05', `app:${county2.id}`],
    ]);

    // Only admins of the payer or above: the city's admin may fetch the county's file, nobody else may.
    expect(
      (await stack.call('GET', `/v1/payout-runs/${runId}/bank-files/lc-dongchangfu`, { token: admin }))
        .status,
    ).toBe(200);
    const directAdmin = await stack.token({ sub: 'admin-sz', role: 'admin', org: 'lc-shizhi' });
    const cityReviewer = await stack.token({ sub: 'reviewer-lc-x', role: 'reviewer', org: 'lc' });
    const denied = [
      [countyAdmin, 'lc'],
      [directAdmin, 'lc-dongchangfu'],
      [directAdmin, 'lc-shizhi'], // pays nothing in this run: no file
      [admin, 'lc-chiping'],
    ] as const;
    for (const [token, payer] of denied) {
      const res = await stack.call('GET', `/v1/payout-runs/${runId}/bank-files/${payer}`, { token });
      expect(res.status, payer).toBe(404);
    }
    expect((await stack.call('GET', '/v1/payout-runs/run-nope/bank-files/lc', { token: admin })).status).toBe(
      404,
    );
    for (const token of [cityReviewer, county1.token]) {
      expect((await stack.call('GET', `/v1/payout-runs/${runId}/bank-files/lc`, { token })).status).toBe(403);
    }

    // Every link handed out is an audit record under the run: who, for which org, when.
    const audit = await auditOf(runId);
    expect(audit).toHaveLength(3);
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'bank_file_downloaded',
          actor: 'admin-lc',
          orgId: 'lc',
          payerOrgId: 'lc',
        }),
        expect.objectContaining({
          actor: 'admin-dcf',
          orgId: 'lc-dongchangfu',
          payerOrgId: 'lc-dongchangfu',
        }),
        expect.objectContaining({ actor: 'admin-lc', orgId: 'lc', payerOrgId: 'lc-dongchangfu' }),
      ]),
    );
    for (const a of audit) expect(Date.parse(a.at as string)).toBeGreaterThan(Date.now() - 60_000);

    // The city's bank confirms both lines; importing the same file again changes nothing.
    const cityResults = {
      payerOrgId: 'lc',
      lines: cityFile.rows.map((r, n) => ({ key: r.key, status: 'paid', reference: `ICBC-${n}` })),
    };
    const first = await stack.call('POST', `/v1/payout-runs/${runId}/bank-results`, {
      token: admin,
      body: cityResults,
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      runStatus: 'awaiting_bank',
      counts: { paid: 2, failed: 0, unchanged: 0, unknown: 0 },
    });
    const again = await stack.call('POST', `/v1/payout-runs/${runId}/bank-results`, {
      token: admin,
      body: cityResults,
    });
    expect(again.body).toMatchObject({
      runStatus: 'awaiting_bank',
      counts: { paid: 0, failed: 0, unchanged: 2, unknown: 0 },
    });
    expect(again.body.lines).toEqual(
      cityResults.lines.map((l) => ({ key: l.key, outcome: 'unchanged', status: 'paid' })),
    );
    expect(await runIn(runId, ['awaiting_bank'])).toMatchObject({
      counts: { planned: 4, paid: 2, failed: 0 },
      awaitingBank: 2,
      totals: expect.arrayContaining([
        { funderOrgId: 'sd', totalFen: 100000 },
        { funderOrgId: 'lc', totalFen: 100000 },
      ]),
    });

    // The county cannot import into the city's file, nor see the run's lines through a wrong payer.
    const crossImport = await stack.call('POST', `/v1/payout-runs/${runId}/bank-results`, {
      token: countyAdmin,
      body: cityResults,
    });
    expect(crossImport.status).toBe(404);
    const badKey = await stack.call('POST', `/v1/payout-runs/${runId}/bank-results`, {
      token: countyAdmin,
      body: { payerOrgId: 'lc-dongchangfu', lines: [{ key: 'not-a-key', status: 'paid' }] },
    });
    expect(badKey.status).toBe(400);

    // The county's bank pays one worker and rejects the other; a key from another file is unknown here.
    const row1 = countyFile.rows.find((r) => r.ref === `app:${county1.id}`) as Record<string, string>;
    const row2 = countyFile.rows.find((r) => r.ref === `app:${county2.id}`) as Record<string, string>;
    const countyResults = {
      payerOrgId: 'lc-dongchangfu',
      lines: [
        { key: row1.key, status: 'paid', reference: 'RCB-1' },
        { key: row2.key, status: 'failed', reason: '账户已销户' },
        { key: cityFile.rows[1]?.key as string, status: 'paid' },
        { key: row1.key, status: 'failed', reason: 'repeated in the file' },
      ],
    };
    const county = await stack.call('POST', `/v1/payout-runs/${runId}/bank-results`, {
      token: countyAdmin,
      body: countyResults,
    });
    expect(county.status, JSON.stringify(county.body)).toBe(200);
    expect(county.body).toMatchObject({
      runStatus: 'failed',
      counts: { paid: 1, failed: 1, unchanged: 0, unknown: 1 },
      lines: [
        { key: row1.key, outcome: 'paid' },
        { key: row2.key, outcome: 'failed' },
        { key: cityFile.rows[1]?.key, outcome: 'unknown_key' },
        { key: row1.key, outcome: 'duplicate' },
      ],
    });
    const ended = await stack.call('GET', `/v1/payout-runs/${runId}`, { token: admin });
    expect(ended.body).toMatchObject({
      status: 'failed',
      counts: { planned: 4, paid: 3, failed: 1 },
      failures: [
        { kind: 'payment', payerOrgId: 'lc-dongchangfu', applicationId: county2.id, reason: '账户已销户' },
      ],
    });
    expect(ended.body.totals).toEqual(
      expect.arrayContaining([
        { funderOrgId: 'sd', totalFen: 200000 },
        { funderOrgId: 'lc', totalFen: 200000 },
        { funderOrgId: 'lc-dongchangfu', totalFen: 50005 },
      ]),
    );
    expect(ended.body.totals).toHaveLength(3);
    expect(ended.body.awaitingBank).toBeUndefined();

    // Importing the county's file again, or a "corrected" result for the failed line, changes nothing:
    // a line's first result is final, and a failed payment is paid by a new run.
    const corrected = await stack.call('POST', `/v1/payout-runs/${runId}/bank-results`, {
      token: countyAdmin,
      body: {
        payerOrgId: 'lc-dongchangfu',
        lines: [countyResults.lines[0], { key: row2.key, status: 'paid' }],
      },
    });
    expect(corrected.body).toMatchObject({
      runStatus: 'failed',
      counts: { paid: 0, failed: 0, unchanged: 2, unknown: 0 },
      lines: [
        { key: row1.key, outcome: 'unchanged', status: 'paid' },
        { key: row2.key, outcome: 'unchanged', status: 'failed' },
      ],
    });
    expect((await stack.call('GET', `/v1/payout-runs/${runId}`, { token: admin })).body).toMatchObject({
      status: 'failed',
      counts: { planned: 4, paid: 3, failed: 1 },
    });

    // The workers see what the bank said (R14).
    const payments = async (app: { id: string; token: string }) =>
      (await stack.call('GET', `/v1/applications/${app.id}`, { token: app.token })).body;
    expect((await payments(county1)).payments).toEqual([
      expect.objectContaining({ payerOrgId: 'lc-dongchangfu', amountFen: 250005, status: 'paid' }),
    ]);
    expect((await payments(direct)).payments).toEqual([
      expect.objectContaining({ payerOrgId: 'lc', amountFen: 200000, status: 'paid' }),
    ]);
    const failedView = await payments(county2);
    expect(failedView.payments).toEqual([
      expect.objectContaining({ payerOrgId: 'lc-dongchangfu', amountFen: 250005, status: 'failed' }),
    ]);
    expect(failedView.timeline).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'payment_failed', reason: '账户已销户' })]),
    );

    // A new run plans only the failed payment (the county got its transfer already) and pays it.
    const retry = await stack.call('POST', `/v1/programmes/${programmeId}/payout-runs`, {
      token: admin,
      body: {},
    });
    expect(retry.status).toBe(202);
    const retryRun = await runIn(retry.body.runId, ['awaiting_bank']);
    expect(retryRun).toMatchObject({ counts: { planned: 1 }, awaitingBank: 1 });
    expect(retryRun.bankFiles).toEqual([expect.objectContaining({ payerOrgId: 'lc-dongchangfu', lines: 1 })]);
    const retryFile = await bankFile(retry.body.runId, 'lc-dongchangfu', countyAdmin);
    // Under a 业务编号 of its own: the bank refused row2's and would refuse it again as seen.
    const retryKey = attemptKey(row2.key as string, new Set([row2.key as string]));
    expect(retryKey).not.toBe(row2.key);
    expect(retryFile.rows).toEqual([expect.objectContaining({ key: retryKey, account: bankCardFor(202) })]);
    // A result for the refused line again settles nothing of the new run.
    const stale = await stack.call('POST', `/v1/payout-runs/${retry.body.runId}/bank-results`, {
      token: countyAdmin,
      body: { payerOrgId: 'lc-dongchangfu', lines: [{ key: row2.key, status: 'paid' }] },
    });
    expect(stale.body).toMatchObject({
      runStatus: 'awaiting_bank',
      counts: { paid: 0, unknown: 1 },
      lines: [{ key: row2.key, outcome: 'unknown_key' }],
    });
    const settled = await stack.call('POST', `/v1/payout-runs/${retry.body.runId}/bank-results`, {
      token: countyAdmin,
      body: { payerOrgId: 'lc-dongchangfu', lines: [{ key: retryKey, status: 'paid' }] },
    });
    expect(settled.body).toMatchObject({ runStatus: 'succeeded', counts: { paid: 1 } });
    expect(
      (await stack.call('GET', `/v1/payout-runs/${retry.body.runId}`, { token: admin })).body,
    ).toMatchObject({
      status: 'succeeded',
      counts: { planned: 1, paid: 1, failed: 0 },
      totals: expect.arrayContaining([{ funderOrgId: 'lc-dongchangfu', totalFen: 50005 }]),
    });
    expect((await payments(county2)).payments).toEqual([expect.objectContaining({ status: 'paid' })]);
  }, 60_000);

  it('one run at a time; a transfer-only file and a file of failed lines settle, and the run ends', async () => {
    const worker = await payee(204, 'lc-dcf-machinery');
    const started = await stack.call('POST', `/v1/programmes/${programmeId}/payout-runs`, {
      token: admin,
      body: {},
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body.runId as string;
    await runIn(runId, ['awaiting_bank']);
    // A second run while the first awaits the bank would write the same lines into a second file.
    const second = await stack.call('POST', `/v1/programmes/${programmeId}/payout-runs`, {
      token: admin,
      body: {},
    });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'invalid_state' });
    expect(second.body.error.message).toContain(runId);

    // The city's file holds only the transfer: no worker payment among its lines.
    const cityFile = await bankFile(runId, 'lc', admin);
    expect(cityFile.rows).toEqual([expect.objectContaining({ ref: 'org:lc-dongchangfu' })]);
    const transferOnly = await stack.call('POST', `/v1/payout-runs/${runId}/bank-results`, {
      token: admin,
      body: { payerOrgId: 'lc', lines: cityFile.rows.map((r) => ({ key: r.key, status: 'paid' })) },
    });
    expect(transferOnly.status, JSON.stringify(transferOnly.body)).toBe(200);
    expect(transferOnly.body).toMatchObject({ runStatus: 'awaiting_bank', counts: { paid: 1 } });

    // The county's file comes back with its only line failed: every line is settled, so the run ends.
    const countyAdmin = await stack.token({ sub: 'admin-dcf', role: 'admin', org: 'lc-dongchangfu' });
    const countyFile = await bankFile(runId, 'lc-dongchangfu', countyAdmin);
    const failedOnly = await stack.call('POST', `/v1/payout-runs/${runId}/bank-results`, {
      token: countyAdmin,
      body: {
        payerOrgId: 'lc-dongchangfu',
        lines: countyFile.rows.map((r) => ({ key: r.key, status: 'failed', reason: '户名不符' })),
      },
    });
    expect(failedOnly.status, JSON.stringify(failedOnly.body)).toBe(200);
    expect(failedOnly.body).toMatchObject({ runStatus: 'failed', counts: { paid: 0, failed: 1 } });
    expect((await stack.call('GET', `/v1/payout-runs/${runId}`, { token: admin })).body).toMatchObject({
      status: 'failed',
      counts: { planned: 2, paid: 1, failed: 1 },
      failures: [expect.objectContaining({ applicationId: worker.id, reason: '户名不符' })],
    });
    // The run has ended: the next opens, and pays the failed payment again without a second transfer.
    const next = await stack.call('POST', `/v1/programmes/${programmeId}/payout-runs`, {
      token: admin,
      body: {},
    });
    expect(next.status).toBe(202);
    expect(await runIn(next.body.runId, ['awaiting_bank'])).toMatchObject({
      counts: { planned: 1 },
      bankFiles: [expect.objectContaining({ payerOrgId: 'lc-dongchangfu', lines: 1 })],
    });
  }, 60_000);

  it('documents the bank routes in /openapi.json; the rail is no request field', async () => {
    const doc = await stack.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/payout-runs/{runId}/bank-files/{payerOrgId}',
        '/v1/payout-runs/{runId}/bank-results',
      ]),
    );
    expect(JSON.stringify(doc.body.components.schemas.StartPayoutRun)).not.toContain('rail');
    // An admin cannot pick the sandbox (it marks payments paid without moving money).
    const picked = await stack.call('POST', `/v1/programmes/${programmeId}/payout-runs`, {
      token: admin,
      body: { rail: 'sandbox' },
    });
    expect(picked.status).toBe(400);
    expect(picked.body.error.code).toBe('validation_failed');
  });
});
