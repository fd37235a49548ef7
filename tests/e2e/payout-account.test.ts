import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../shared/domain/dates.ts';
import { startTestStack, type TestStack } from '../integration/harness.ts';
import { approvedApplication, programmeBody, publishProgramme } from '../support/api.ts';
import { seriousAxeViolations } from '../support/axe.ts';
import { answerBankFile, runAwaitingBank } from '../support/bank-files.ts';
import { launchBrowser, signIn } from '../support/browser.ts';
import { bankCardFor } from '../support/fixtures.ts';
import { fastPayoutRetries } from '../support/payout-run.ts';
import { phoneContext } from '../support/worker-flow.ts';

/**
 * 修改收款账户 on the worker's phone (R13): the bank refused a payment, the worker's 发放记录 says so
 * and offers the form; the card number is checked as it is typed and by the API, and the next run's
 * bank file pays the card the worker gave.
 */
let stack: TestStack;
let browser: Browser;
const programmeId = 'e2e-payout-account';
const year = Number(shanghaiDate(new Date()).slice(0, 4));

beforeAll(async () => {
  stack = await startTestStack({
    payoutRail: 'bank_file',
    workflows: { retryIntervalOverrides: fastPayoutRetries, resume: false },
  });
  browser = await launchBrowser();
  await publishProgramme(
    stack,
    programmeBody({
      id: programmeId,
      title: '收款账户页面测试',
      allocations: [
        { unitOrgId: 'lc-shizhi', places: 2, funding: [{ funderOrgId: 'sd', amountFen: 100_000 }] },
      ],
    }),
  );
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** One run of the city's bank file, every line answered `status`; the accounts its lines paid. */
async function bankRun(admin: string, status: 'paid' | 'failed') {
  const runId = await runAwaitingBank(stack, admin, programmeId);
  const rows = await answerBankFile(stack, runId, 'lc', admin, status);
  return { runId, accounts: rows.map((r) => r.account) };
}

/** A union officer's console at 1366×900, signed in as the admin of `org`. */
async function consoleAs(org: string) {
  const desk = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const officer = await desk.newPage();
  await signIn(officer, `${stack.url}/console/`, {
    sub: `admin-${org}`,
    name: `admin-${org}`,
    role: 'admin',
    org,
  });
  return { desk, officer };
}

describe('修改收款账户 after a failed payment', () => {
  it('shows the failure, checks the new card, and the next run pays it', async () => {
    const worker = await approvedApplication(stack, {
      n: 951,
      sub: 'e2e-account-worker',
      programmeId,
      employerOrgId: 'lc-sz-power',
      enrolmentYear: year,
    });
    const admin = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
    expect((await bankRun(admin, 'failed')).accounts).toEqual([bankCardFor(951)]);

    const context = await phoneContext(browser);
    const page = await context.newPage();
    await signIn(page, `${stack.url}/m/`, { sub: 'e2e-account-worker', name: '职工951', role: 'worker' });
    await page.goto(`${stack.url}/m/applications/${worker.id}`);
    const payments = page.getByRole('region', { name: '发放记录' });
    await payments.getByText('发放失败').waitFor();
    await page
      .getByRole('region', { name: '办理记录' })
      .getByText('补助发放未成功（账户已销户）', { exact: false })
      .waitFor();
    await payments.getByRole('button', { name: '修改收款账户' }).click();
    const form = page.getByRole('form', { name: '修改收款账户' });
    await form.getByLabel('开户行').fill('聊城农商银行');
    const card = form.getByLabel('银行卡号');
    await card.fill('6222020000000001');
    await form.getByRole('button', { name: '保存收款账户' }).click();
    await form.getByText('银行卡号校验不通过，请逐位核对').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    const newCard = bankCardFor(95_100);
    await card.fill(newCard);
    await form.getByRole('button', { name: '保存收款账户' }).click();
    await payments.getByText('收款账户已修改，下一批发放将付到新账户。').waitFor();
    await page
      .getByRole('region', { name: '办理记录' })
      .getByText(/修改了收款账户（.*\d{4}），下一批发放付到新账户/)
      .waitFor();
    expect(await page.content()).not.toContain(newCard);
    // Nothing of the card stays in the phone's browser storage.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(stored).not.toContain(newCard);
    expect(stored).not.toContain(newCard.slice(-8));
    expect(await seriousAxeViolations(page)).toEqual([]);

    // The city union's console shows who changed the account, and only the masked number.
    const { desk, officer } = await consoleAs('lc');
    await officer.goto(`${stack.url}/console/applications/${worker.id}`);
    await officer.getByText('职工修改收款账户').waitFor();
    await officer.getByText('补助发放未成功 · 理由：账户已销户').waitFor();
    expect(await officer.content()).not.toContain(newCard);
    await desk.close();

    // The worker sees which union opened the documents (the console's document links are audited).
    await page.reload();
    await page
      .getByRole('region', { name: '办理记录' })
      .getByText('聊城市总工会查看了您的申请材料')
      .first()
      .waitFor();
    await context.close();

    // The next run's file carries the card the worker gave, and it is paid.
    expect((await bankRun(admin, 'paid')).accounts).toEqual([newCard]);
    const view = await stack.call('GET', `/v1/applications/${worker.id}`, { token: worker.token });
    expect(view.body.payments).toEqual([expect.objectContaining({ status: 'paid' })]);

    // The refused attempt and the paid one went under different keys: 发放记录 shows where the money
    // stands (paid), the refusal stays in 办理记录, and the form is gone.
    const after = await phoneContext(browser);
    const phone = await after.newPage();
    await signIn(phone, `${stack.url}/m/`, { sub: 'e2e-account-worker', name: '职工951', role: 'worker' });
    await phone.goto(`${stack.url}/m/applications/${worker.id}`);
    const record = phone.getByRole('region', { name: '发放记录' });
    await record.getByText('已到账').waitFor();
    expect(await record.getByText('发放失败').count()).toBe(0);
    expect(await record.getByRole('button', { name: '修改收款账户' }).count()).toBe(0);
    await phone
      .getByRole('region', { name: '办理记录' })
      .getByText('补助发放未成功（账户已销户）', { exact: false })
      .waitFor();
    const shots = mkdtempSync(join(tmpdir(), 'edu-subsidy-e2e-'));
    await phone.screenshot({ path: join(shots, 'payout-account-paid.png'), fullPage: true });
    expect(await seriousAxeViolations(phone)).toEqual([]);
    await after.close();
  });
});

describe('撤销补助 in the console after the county received the money and the worker’s payment failed', () => {
  it('shows the payment, asks for a reason, revokes, and records what the county holds', async () => {
    const giveUp = 'e2e-payout-revoke';
    await publishProgramme(
      stack,
      programmeBody({
        id: giveUp,
        title: '撤销补助页面测试',
        allocations: [
          {
            unitOrgId: 'lc-dongchangfu',
            places: 1,
            funding: [
              { funderOrgId: 'sd', amountFen: 100_000 },
              { funderOrgId: 'lc', amountFen: 100_000 },
            ],
          },
        ],
      }),
    );
    const worker = await approvedApplication(stack, {
      n: 952,
      sub: 'e2e-revoke-worker',
      programmeId: giveUp,
      employerOrgId: 'lc-dcf-machinery',
      enrolmentYear: year,
    });
    const admin = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
    const countyAdmin = await stack.token({
      sub: 'admin-lc-dongchangfu',
      role: 'admin',
      org: 'lc-dongchangfu',
    });
    const runId = await runAwaitingBank(stack, admin, giveUp);
    // The city's transfer arrives; the county's payment to the worker is refused.
    await answerBankFile(stack, runId, 'lc', admin, 'paid');
    await answerBankFile(stack, runId, 'lc-dongchangfu', countyAdmin, 'failed');

    const { desk, officer } = await consoleAs('lc-dongchangfu');
    await officer.goto(`${stack.url}/console/applications/${worker.id}`);
    const card = officer.locator('.ant-card').filter({ hasText: '补助发放' });
    await card.getByText('发放失败').waitFor();
    await card.getByRole('button', { name: '撤销补助' }).click();
    const dialog = officer.getByRole('dialog', { name: '撤销补助' });
    await dialog.getByRole('button', { name: '确定' }).click();
    await dialog.getByText('请填写理由').waitFor();
    expect(await seriousAxeViolations(officer)).toEqual([]);
    await dialog.getByLabel('理由').fill('本人放弃求学');
    const answered = officer.waitForResponse(
      (r) => r.url().endsWith(`/v1/applications/${worker.id}/revoke`) && r.request().method() === 'POST',
    );
    await dialog.getByRole('button', { name: '确定' }).click();
    expect((await answered).status()).toBe(200);

    const record = card.locator('.ant-descriptions').filter({ hasText: '撤销记录' });
    await record.getByText('本人放弃求学').waitFor();
    await record.getByText('无（职工未领到补助）').waitFor();
    const held = record.getByRole('list', { name: '县级工会代收应退回（按出资方）' });
    await held.getByText('山东省总工会 1,000.00 元').waitFor();
    await held.getByText('聊城市总工会 1,000.00 元').waitFor();
    await officer.getByText('已撤销', { exact: true }).first().waitFor();
    expect(await card.getByRole('button', { name: '撤销补助' }).count()).toBe(0);
    expect(await seriousAxeViolations(officer)).toEqual([]);
    // Nothing of the applicant or the revocation stays in the officer's browser storage.
    const stored = await officer.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(stored).not.toContain('职工952');
    expect(stored).not.toContain('本人放弃求学');
    const shots = mkdtempSync(join(tmpdir(), 'edu-subsidy-e2e-'));
    await officer.screenshot({ path: join(shots, 'console-revoked.png'), fullPage: true });
    await desk.close();

    const view = await stack.call('GET', `/v1/applications/${worker.id}`, { token: worker.token });
    expect(view.body).toMatchObject({ status: 'revoked', quota: { state: 'claimed' } });
  });
});
