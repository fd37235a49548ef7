import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TestStack } from '../integration/harness.ts';
import { approvedApplication, expectOk, submittedApplication } from '../support/api.ts';
import { signIn } from '../support/browser.ts';
import {
  chooseEmployer,
  demoProgramme,
  fillBasics,
  fillEnrolment,
  fillPayout,
  phoneContext,
  seededOffering,
  smallDocuments,
  uploadDocuments,
} from '../support/worker-flow.ts';

/**
 * Screenshots of the worker pages (issue 14) at 360×740, in the order a worker meets them: home,
 * the six steps of 我要申请, the receipt, 我的申请 with 审核进度, the printed 申请表, a returned
 * application's correction, and 发放记录. Called by tests/screenshots/run.ts with a seeded stack.
 */
export async function shoot(ctx: { browser: Browser; baseUrl: string; outDir: string; stack: TestStack }) {
  const { browser, baseUrl, outDir, stack } = ctx;
  const programme = await demoProgramme(baseUrl);
  const apply = (n: number, sub: string, employerOrgId: string) => ({
    n,
    sub,
    programmeId: programme.id,
    employerOrgId,
    enrolmentYear: programme.enrolmentYear,
  });
  // Each worker on a phone of their own: one browser keeps its provider session, and would sign
  // the next worker in as the first.
  const contexts: Awaited<ReturnType<typeof phoneContext>>[] = [];
  const shot = async (page: Page, name: string, fullPage = false) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(outDir, `worker-${name}.png`), fullPage });
  };
  const signedIn = async (sub: string, name: string) => {
    const context = await phoneContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, `${baseUrl}/m/`, { sub, name, role: 'worker' });
    return page;
  };

  const page = await signedIn('shots-worker', '王秀英');
  await page.getByRole('heading', { name: '各单位剩余名额' }).waitFor();
  await shot(page, '01-home', true);

  await page.getByRole('button', { name: '我要申请' }).click();
  await page.getByLabel('身份证号', { exact: true }).fill('37150219850101001');
  await page.getByText(/身份证号须为18位/).waitFor();
  await shot(page, '02-basic-info-checking');
  await page.getByLabel('身份证号', { exact: true }).fill('');

  const documents = await smallDocuments(browser, page);
  const person = { n: 7001, name: '王秀英' };
  await fillBasics(page, person);
  await chooseEmployer(page, { trail: ['东昌府区', '古城镇工会'], name: '古城纺织有限公司工会（演示）' });
  // 报读信息 with a major chosen from the catalogue (选学), before it is saved.
  await page.getByPlaceholder('输入院校或专业搜索').fill(seededOffering.search);
  await page.getByText(seededOffering.name, { exact: true }).click();
  await page.getByText(`已选择：${seededOffering.name}`).waitFor();
  await shot(page, '02-enrolment-catalogue', true);
  await page.getByPlaceholder('输入院校或专业搜索').fill('');
  await fillEnrolment(page, person, programme.enrolmentYear);
  await fillPayout(page, person);
  await uploadDocuments(page, documents);
  await shot(page, '03-documents', true);
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: /确认提交/ }).waitFor();
  await shot(page, '04-confirm', true);
  await page.getByRole('button', { name: '提交申请' }).click();
  await page.getByRole('status', { name: '受理回执' }).waitFor();
  await shot(page, '05-receipt', true);

  await page.getByRole('link', { name: '打印申请表' }).click();
  await page.getByRole('img', { name: /二维码/ }).waitFor();
  await shot(page, '06-print-form', true);

  // A returned application, as the worker sees it when correcting it.
  const returned = await submittedApplication(stack, apply(7002, 'shots-returned', 'lc-dcf-machinery'));
  const view = await expectOk(stack, 'getApplication', {
    token: returned.token,
    params: { id: returned.id },
  });
  const org = view.review.currentOrgId as string;
  const reviewer = await stack.token({ sub: `reviewer-${org}`, role: 'reviewer', org });
  await expectOk(stack, 'decideApplication', {
    token: reviewer,
    params: { id: returned.id },
    body: { decision: 'return', reason: '学信网验证报告截图不清晰，请重新上传' },
  });
  const correcting = await signedIn('shots-returned', '职工7002');
  await correcting.goto(`${baseUrl}/m/applications/${returned.id}/edit`);
  await correcting.getByRole('note').waitFor();
  await shot(correcting, '07-returned-correction');

  // Paid: the review chain done and 发放记录 with each funder's share.
  // 市直: a unit the console's pictures left places in, so this one holds a place and is paid.
  const paid = await approvedApplication(stack, apply(7003, 'shots-paid', 'lc-sz-power'));
  const admin = await stack.token({ sub: 'admin-lc', role: 'admin', org: 'lc' });
  const started = await stack.call('POST', `/v1/programmes/${programme.id}/payout-runs`, {
    token: admin,
    body: {},
  });
  for (let i = 0; i < 300; i++) {
    const run = await stack.call('GET', `/v1/payout-runs/${started.body.runId}`, { token: admin });
    if (run.body?.status === 'succeeded' || run.body?.status === 'failed') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const payee = await signedIn('shots-paid', '职工7003');
  await payee.goto(`${baseUrl}/m/applications/${paid.id}`);
  await payee.getByText('已到账').first().waitFor();
  await shot(payee, '08-progress-and-payments', true);

  for (const context of contexts) await context.close();
}
