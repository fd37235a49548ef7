import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { shanghaiDate } from '../../shared/domain/dates.ts';
import { attemptKey, paymentKey } from '../../shared/domain/payout.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { approvedApplication, programmeBody, publishProgramme, runReaching } from '../support/api.ts';
import {
  answerBankFile,
  downloadBankFile,
  importBankResults,
  runAwaitingBank,
} from '../support/bank-files.ts';
import { bankCardFor } from '../support/fixtures.ts';
import { fastPayoutRetries } from '../support/payout-run.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * `PUT /v1/applications/{id}/payout-account` (R13): a worker whose payment the bank refused after the
 * county's transfer arrived cannot withdraw (the funders paid for the place), and every later run would send the
 * payment to the same account again. The worker gives the account; the next run's bank file carries
 * it, under a 业务编号 of its own: the bank has seen the refused one, and a bank refuses a number it has
 * seen. Never while a payment is on its way, and never after it was paid.
 */
let stack: TestStack;
let deps: Deps;
let admin: string;
let countyAdmin: string;
const year = Number(shanghaiDate(new Date()).slice(0, 4));
const programmeId = 'it-payout-account';

beforeAll(async () => {
  stack = await startTestStack({
    payoutRail: 'bank_file',
    workflows: { retryIntervalOverrides: fastPayoutRetries, resume: false },
  });
  deps = createDeps(loadConfig());
  admin = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
  countyAdmin = await stack.token({ sub: 'admin-dcf', role: 'admin', org: 'lc-dongchangfu' });
  await publishProgramme(
    stack,
    programmeBody({
      id: programmeId,
      title: '收款账户修改测试',
      allocations: [
        {
          unitOrgId: 'lc-dongchangfu',
          places: 2,
          funding: [
            { funderOrgId: 'sd', amountFen: 100000 },
            { funderOrgId: 'lc', amountFen: 100000 },
          ],
        },
      ],
    }),
  );
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

type Worker = { id: string; token: string };

const payee = (n: number) =>
  approvedApplication(stack, {
    n,
    sub: `account-payee-${n}`,
    programmeId,
    employerOrgId: 'lc-dcf-machinery',
    enrolmentYear: year,
  });

const newCard = bankCardFor(930_302);
const correction = {
  payoutAccount: {
    kind: 'bank',
    bankName: '聊城农商银行东昌府支行',
    accountName: '职工302',
    accountNumber: newCard,
  },
};

const changeAccount = (app: Worker, body: unknown = correction, token = app.token) =>
  stack.call('PUT', `/v1/applications/${app.id}/payout-account`, { token, body });

/** A run of the programme, once its bank files are written. */
const nextRun = () => runAwaitingBank(stack, admin, programmeId);
const importResults = (runId: string, payerOrgId: string, token: string, lines: unknown[]) =>
  importBankResults(stack, runId, token, { payerOrgId, lines });
/** A payer's bank file lines: key, payee, account and reference. */
const fileLines = async (runId: string, payerOrgId: string, token: string) =>
  (await downloadBankFile(stack, runId, payerOrgId, token)).rows.map(({ key, payee, account, ref }) => ({
    key: key as string,
    name: payee,
    account,
    ref,
  }));

const refusal = async (res: ReturnType<TestStack['call']>) => {
  const { status, body } = await res;
  return { status, code: body.error?.code as string | undefined };
};

describe('a failed payment’s account corrected by its worker (R13)', () => {
  it('pays the next run to the account the worker gave, and refuses a change while a payment is on its way or paid', async () => {
    const paid = await payee(301);
    const refused = await payee(302);

    // Approved, nothing paid and nothing failed yet: the account the reviewers saw stands.
    expect(await refusal(changeAccount(refused))).toEqual({ status: 409, code: 'invalid_state' });

    const first = await nextRun();
    // The run holds both payments: the bank file already names the old accounts.
    expect(await refusal(changeAccount(refused))).toEqual({ status: 409, code: 'invalid_state' });

    await answerBankFile(stack, first, 'lc', admin, 'paid');
    const countyLines = await fileLines(first, 'lc-dongchangfu', countyAdmin);
    const lineOf = (app: Worker) => countyLines.find((l) => l.ref === `app:${app.id}`);
    expect(lineOf(refused)?.account).toBe(bankCardFor(302));
    const refusedKey = lineOf(refused)?.key as string;
    const county = await importResults(first, 'lc-dongchangfu', countyAdmin, [
      { key: lineOf(paid)?.key, status: 'paid' },
      { key: refusedKey, status: 'failed', reason: '户名与账号不符' },
    ]);
    expect(county).toMatchObject({ runStatus: 'failed', counts: { paid: 1, failed: 1 } });

    // The county holds this worker's money, so the place can no longer be withdrawn: the account is the way on.
    expect(
      await refusal(stack.call('POST', `/v1/applications/${refused.id}/withdraw`, { token: refused.token })),
    ).toEqual({ status: 409, code: 'invalid_state' });

    // Paid already: nothing to correct.
    expect(await refusal(changeAccount(paid))).toEqual({ status: 409, code: 'invalid_state' });
    // What anyone could send wrong: a card failing its check digit, an unknown kind, no body.
    const badCard = await changeAccount(refused, {
      payoutAccount: { ...correction.payoutAccount, accountNumber: '6222020000000001' },
    });
    expect(badCard.status).toBe(400);
    expect(badCard.body.error.code).toBe('validation_failed');
    expect(badCard.body.error.fields.map((f: { path: string }) => f.path)).toEqual([
      'payoutAccount.accountNumber',
    ]);
    expect((await changeAccount(refused, { payoutAccount: { kind: 'cash' } })).status).toBe(400);
    expect((await changeAccount(refused, {})).status).toBe(400);
    // Someone else's application does not exist for them; a reviewer has no such route.
    expect(await refusal(changeAccount(refused, correction, paid.token))).toEqual({
      status: 404,
      code: 'not_found',
    });
    const reviewer = await stack.token({ sub: 'rv-dcf', role: 'reviewer', org: 'lc-dongchangfu' });
    expect((await changeAccount(refused, correction, reviewer)).status).toBe(403);

    const changed = await changeAccount(refused);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.payoutAccount).toMatchObject({
      kind: 'bank',
      bankName: '聊城农商银行东昌府支行',
      accountName: '职工302',
    });
    expect(changed.body.payoutAccount.accountNumber).toMatch(new RegExp(`${newCard.slice(-4)}$`));
    expect(JSON.stringify(changed.body)).not.toContain(newCard);
    // The unions see that it changed, masked, and who changed it.
    const asCounty = await stack.call('GET', `/v1/applications/${refused.id}`, { token: countyAdmin });
    expect(asCounty.body.timeline).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'payout_account_changed',
          orgId: 'lc-dongchangfu',
          actor: 'account-payee-302',
          accountKind: 'bank',
          accountMasked: changed.body.payoutAccount.accountNumber,
        }),
      ]),
    );
    expect(JSON.stringify(asCounty.body)).not.toContain(newCard);

    // The next run pays only the failed payment, to the new account, under the next key of its
    // chain (the refused line's 业务编号 is never sent again).
    const second = await nextRun();
    const retryLines = await fileLines(second, 'lc-dongchangfu', countyAdmin);
    const retryKey = attemptKey(paymentKey(programmeId, refused.id, 'lc-dongchangfu'), new Set([refusedKey]));
    expect(refusedKey).toBe(paymentKey(programmeId, refused.id, 'lc-dongchangfu'));
    expect(retryKey).not.toBe(refusedKey);
    expect(retryLines).toEqual([
      { key: retryKey, name: '职工302', account: newCard, ref: `app:${refused.id}` },
    ]);
    expect(await refusal(changeAccount(refused))).toEqual({ status: 409, code: 'invalid_state' });
    // A change that read the application before this run held the payment loses to the hold.
    const stale = (await deps.applications.bundle(refused.id))?.application;
    expect(stale?.paymentsHeld).toBe(1);
    expect(
      await deps.applications.changePayoutAccount(
        stale as NonNullable<typeof stale>,
        stale?.payoutAccount as NonNullable<typeof stale>['payoutAccount'],
        0,
        { type: 'payout_account_changed', at: new Date().toISOString() },
      ),
    ).toBe(false);

    expect(
      await importResults(second, 'lc-dongchangfu', countyAdmin, [{ key: retryKey, status: 'paid' }]),
    ).toMatchObject({ runStatus: 'succeeded', counts: { paid: 1 } });
    const view = await stack.call('GET', `/v1/applications/${refused.id}`, { token: refused.token });
    // The worker's payments show where the money stands (the latest attempt); the refusal stays on the timeline.
    expect(view.body.payments).toEqual([
      expect.objectContaining({ payerOrgId: 'lc-dongchangfu', amountFen: 200000, status: 'paid' }),
    ]);
    expect(view.body.timeline.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['payment_failed', 'payment_paid']),
    );
    // Paid once: the application counts one payment held or paid, the refused attempt none.
    expect((await deps.applications.bundle(refused.id))?.application.paymentsHeld).toBe(1);
    // Paid now: the account stays as it was paid.
    expect(await refusal(changeAccount(refused))).toEqual({ status: 409, code: 'invalid_state' });
  });
});

describe('a worker who gives up after the county received the funders’ money', () => {
  it('cannot withdraw, is revoked by the county’s admin with the shares the county holds, and no run pays it again', async () => {
    const giveUp = 'it-payout-revoke';
    await publishProgramme(
      stack,
      programmeBody({
        id: giveUp,
        title: '发放失败后撤销测试',
        allocations: [
          {
            unitOrgId: 'lc-dongchangfu',
            places: 1,
            funding: [
              { funderOrgId: 'sd', amountFen: 100000 },
              { funderOrgId: 'lc', amountFen: 100000 },
              { funderOrgId: 'lc-dongchangfu', amountFen: 5000 },
            ],
          },
        ],
      }),
    );
    const worker = await approvedApplication(stack, {
      n: 303,
      sub: 'account-payee-303',
      programmeId: giveUp,
      employerOrgId: 'lc-dcf-machinery',
      enrolmentYear: year,
    });
    const revoke = (token: string) =>
      stack.call('POST', `/v1/applications/${worker.id}/revoke`, { token, body: { reason: '本人放弃求学' } });
    // Nothing paid and no money carried yet: nothing to revoke (a review decision is the way).
    expect(await refusal(revoke(countyAdmin))).toEqual({ status: 409, code: 'invalid_state' });

    const run = await runAwaitingBank(stack, admin, giveUp);
    // While the run holds the payment, neither.
    expect(await refusal(revoke(countyAdmin))).toEqual({ status: 409, code: 'invalid_state' });
    // The city's transfer arrives; the county's payment to the worker is refused.
    await answerBankFile(stack, run, 'lc', admin, 'paid');
    await answerBankFile(stack, run, 'lc-dongchangfu', countyAdmin, 'failed');
    expect(
      await refusal(stack.call('POST', `/v1/applications/${worker.id}/withdraw`, { token: worker.token })),
    ).toEqual({ status: 409, code: 'invalid_state' });
    // Only an admin governing the unit.
    const reviewer = await stack.token({ sub: 'rv-dcf-2', role: 'reviewer', org: 'lc-dongchangfu' });
    expect((await revoke(reviewer)).status).toBe(403);

    const revoked = await revoke(countyAdmin);
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body).toMatchObject({
      status: 'revoked',
      quota: { state: 'claimed' },
      revocation: {
        reason: '本人放弃求学',
        clawbackFen: 0,
        clawback: [],
        heldByUnit: [
          { funderOrgId: 'sd', amountFen: 100000 },
          { funderOrgId: 'lc', amountFen: 100000 },
        ],
      },
    });
    // The worker sees the revocation, not what the unions hold between them (R14).
    const own = await stack.call('GET', `/v1/applications/${worker.id}`, { token: worker.token });
    expect(own.body.status).toBe('revoked');
    expect(own.body.revocation).toMatchObject({ reason: '本人放弃求学', clawbackFen: 0 });
    expect(own.body.revocation.heldByUnit).toBeUndefined();
    expect(JSON.stringify(own.body)).not.toContain('heldByUnit');
    const asCity = await stack.call('GET', `/v1/applications/${worker.id}`, { token: admin });
    expect(asCity.body.timeline).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'revoked', heldByUnit: revoked.body.revocation.heldByUnit }),
      ]),
    );
    // Revoked once; the place stays paid for, so still no withdrawal.
    expect(await refusal(revoke(countyAdmin))).toEqual({ status: 409, code: 'invalid_state' });
    expect(
      await refusal(stack.call('POST', `/v1/applications/${worker.id}/withdraw`, { token: worker.token })),
    ).toEqual({ status: 409, code: 'invalid_state' });

    // The next run has nothing left to pay for it.
    const next = await stack.call('POST', `/v1/programmes/${giveUp}/payout-runs`, { token: admin, body: {} });
    expect(next.status, JSON.stringify(next.body)).toBe(202);
    expect(await runReaching(stack, admin, next.body.runId)).toMatchObject({
      status: 'succeeded',
      counts: { planned: 0 },
    });
  });
});
